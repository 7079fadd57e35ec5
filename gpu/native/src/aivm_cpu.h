/* The C++ CPU backend: the shared kernels of aivm_kernels.h behind the plugin ABI (never fails). */
#ifndef AIVM_CPU_H
#define AIVM_CPU_H

#include "aivm_plugin.h"

extern const AivmKernels AIVM_CPU_KERNELS;

#endif

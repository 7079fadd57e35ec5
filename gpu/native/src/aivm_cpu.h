/* The C++ CPU backend: the shared kernels of aivm_kernels.h behind the plugin ABI (never fails). */
#ifndef AIVM_CPU_H
#define AIVM_CPU_H

#include <stdint.h>

#include "aivm_plugin.h"

extern const AivmKernels AIVM_CPU_KERNELS;

/* How the row-parallel CPU kernels run; results never depend on it. */
struct CpuOptions {
  uint32_t threads;              /* at most this many threads per call (default: the cores, or SESSIONCHAIN_KERNEL_THREADS) */
  uint32_t min_rows_per_thread;  /* a batch gets another thread per this many rows */
  int lanes;                     /* messages hashed together (1, 4 or 8; capped by the CPU) */
};

CpuOptions aivm_cpu_options();

/* Sets the fields that are >= 1 (tests and measurements); returns the options now in force. */
CpuOptions aivm_cpu_configure(CpuOptions o);

#endif

/*
 * The C ABI of the AIVM kernel backends. A GPU plugin (libluxgpu_backend_cuda.so,
 * libluxgpu_backend_metal.dylib) exports `lux_<backend>_aivm_<name>` for every name of
 * AIVM_PLUGIN_SYMBOLS; the addon opens it with dlopen at load time and resolves them all (a missing
 * one makes the plugin unusable, with the symbol named). The built-in C++ CPU backend fills the
 * same table (aivm_cpu.cpp).
 *
 * Launchers take HOST pointers (the plugin uploads, runs and downloads), buffers whose sizes the
 * addon has checked, and return 0 on success. A non-zero return means "not done": the addon then
 * restores any buffer the plugin may have touched and runs the CPU kernel instead, and
 * `last_error()` says why (the strict-overlay rule of spec §2.6).
 */
#ifndef AIVM_PLUGIN_H
#define AIVM_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

extern "C" {
/* 0 when a device is usable (msg = its name), else why not (msg = the reason). */
typedef int (*aivm_probe_fn)(char* msg, size_t cap);
typedef int (*aivm_attestation_apply_fn)(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* table, uint64_t slots, uint32_t* applied);
typedef int (*aivm_provenance_apply_fn)(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* models, uint64_t slots, uint32_t* applied);
typedef int (*aivm_anchor_apply_fn)(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* anchors, uint64_t slots, uint32_t* applied);
typedef int (*aivm_epoch_transition_fn)(const uint8_t* desc, uint8_t* atts, uint64_t n_atts, const uint8_t* models, uint64_t n_models,
                                        const uint8_t* anchors, uint64_t n_anchors, uint8_t* epoch, uint8_t* result);
/* batch_in is 32·n bytes, batch_out n bytes, results n InferenceResult. */
typedef int (*aivm_inference_step_fn)(const uint8_t* weights, const uint8_t* ops, uint64_t n, const uint8_t* batch_in, uint8_t* batch_out,
                                      uint8_t* results);
/* The forward pass alone over `rows` rows of 32 int8 (the batch entry point): batch_out[r] = y(row r). */
typedef int (*aivm_inference_batch_fn)(const uint8_t* weights, const uint8_t* batch_in, uint64_t rows, uint8_t* batch_out);
typedef int (*aivm_proof_verify_fn)(const uint8_t* ops, uint64_t n, uint8_t* results);
typedef const char* (*aivm_last_error_fn)(void);
}

#define AIVM_PLUGIN_SYMBOLS(X) \
  X(probe)                     \
  X(attestation_apply)         \
  X(provenance_apply)          \
  X(anchor_apply)              \
  X(epoch_transition)          \
  X(inference_step)            \
  X(inference_batch)           \
  X(proof_verify)              \
  X(last_error)

struct AivmKernels {
#define AIVM_FIELD(name) aivm_##name##_fn name;
  AIVM_PLUGIN_SYMBOLS(AIVM_FIELD)
#undef AIVM_FIELD
};

#endif

// A stand-in GPU plugin for the loader tests, compiled by test/gpu/native.test.ts with g++ into
// three variants: STUB_MISSING exports only the probe; STUB_NO_DEVICE's probe finds no device;
// the default opens as "Stub GPU 0" and fails every launch (rc 700) after scribbling over every
// buffer it may write, so the addon must restore them and run the C++ kernels instead.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern "C" {

int lux_cuda_aivm_probe(char* msg, size_t cap) {
#ifdef STUB_NO_DEVICE
  snprintf(msg, cap, "stub: no device here");
  return 3;
#else
  snprintf(msg, cap, "Stub GPU 0");
  return 0;
#endif
}

#ifndef STUB_MISSING
const char* lux_cuda_aivm_last_error(void) { return "stub launch failed"; }

int lux_cuda_aivm_attestation_apply(const uint8_t*, const uint8_t*, uint64_t, uint8_t* table, uint64_t slots, uint32_t* applied) {
  memset(table, 0xab, slots * 144);
  *applied = 99;
  return 700;
}

int lux_cuda_aivm_provenance_apply(const uint8_t*, const uint8_t*, uint64_t, uint8_t* models, uint64_t slots, uint32_t* applied) {
  memset(models, 0xab, slots * 160);
  *applied = 99;
  return 700;
}

int lux_cuda_aivm_anchor_apply(const uint8_t*, const uint8_t*, uint64_t, uint8_t* anchors, uint64_t slots, uint32_t* applied) {
  memset(anchors, 0xab, slots * 128);
  *applied = 99;
  return 700;
}

int lux_cuda_aivm_epoch_transition(const uint8_t*, uint8_t* atts, uint64_t n_atts, const uint8_t*, uint64_t, const uint8_t*, uint64_t, uint8_t* epoch,
                                   uint8_t* result) {
  memset(atts, 0xab, n_atts * 144);
  memset(epoch, 0xab, 160);
  memset(result, 0xab, 192);
  return 700;
}

int lux_cuda_aivm_inference_step(const uint8_t*, const uint8_t*, uint64_t n, const uint8_t*, uint8_t* out, uint8_t* results) {
  memset(out, 0xab, n);
  memset(results, 0xab, n * 112);
  return 700;
}

int lux_cuda_aivm_inference_batch(const uint8_t*, const uint8_t*, uint64_t rows, uint8_t* out) {
  memset(out, 0xab, rows);
  return 700;
}

int lux_cuda_aivm_proof_verify(const uint8_t*, uint64_t n, uint8_t* results) {
  memset(results, 0xab, n * 48);
  return 700;
}
#endif
}

/*
 * The C++ CPU backend: each launcher runs the shared kernels (aivm_kernels.h) over the whole batch
 * in op order on the calling thread and returns 0.
 */
#include "aivm_cpu.h"

#include "aivm_kernels.h"

namespace {

using namespace aivm;

int probe(char* msg, size_t cap) {
  const char name[] = "C++ CPU kernels";
  size_t i = 0;
  for (; cap > 0 && i + 1 < cap && name[i] != 0; i++) msg[i] = name[i];
  if (cap > 0) msg[i] = 0;
  return 0;
}

int attestation(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* table, uint64_t slots, uint32_t* applied) {
  *applied = attestation_apply(desc, ops, n_ops, table, slots);
  return 0;
}

int provenance(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* models, uint64_t slots, uint32_t* applied) {
  *applied = provenance_apply(desc, ops, n_ops, models, slots);
  return 0;
}

int anchor(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* anchors, uint64_t slots, uint32_t* applied) {
  *applied = anchor_apply(desc, ops, n_ops, anchors, slots);
  return 0;
}

int epoch(const uint8_t* desc, uint8_t* atts, uint64_t n_atts, const uint8_t* models, uint64_t n_models, const uint8_t* anchors, uint64_t n_anchors,
          uint8_t* state, uint8_t* result) {
  epoch_transition(desc, atts, n_atts, models, n_models, anchors, n_anchors, state, result);
  return 0;
}

int inference(const uint8_t* weights, const uint8_t* ops, uint64_t n, const uint8_t* batch_in, uint8_t* batch_out, uint8_t* results) {
  Classifier m;
  classifier_of(weights, &m);
  for (uint64_t i = 0; i < n; i++) {
    uint8_t y;
    uint64_t out_at;
    if (inference_op(m, ops + i * sizeof(InferenceOp), batch_in, n * IN_DIM, n * OUT_DIM, results + i * sizeof(InferenceResult), &y, &out_at)) {
      batch_out[out_at] = y;
    }
  }
  return 0;
}

int inference_rows(const uint8_t* weights, const uint8_t* batch_in, uint64_t rows, uint8_t* batch_out) {
  Classifier m;
  classifier_of(weights, &m);
  for (uint64_t r = 0; r < rows; r++) batch_out[r] = (uint8_t)forward(m, batch_in + r * IN_DIM);
  return 0;
}

int proofs(const uint8_t* ops, uint64_t n, uint8_t* results) {
  for (uint64_t i = 0; i < n; i++) proof_op(ops + i * sizeof(ProofVerifyOp), results + i * sizeof(ProofVerifyResult));
  return 0;
}

const char* last_error() { return ""; }

}  // namespace

const AivmKernels AIVM_CPU_KERNELS = {probe, attestation, provenance, anchor, epoch, inference, inference_rows, proofs, last_error};

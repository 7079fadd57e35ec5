/*
 * The fourteen AIVM kernel structs of spec aivm.md §2.7, shared by the C++ CPU kernels, the CUDA
 * kernels and the Metal host (ONE definition). Little-endian, 16-byte aligned; every size and
 * offset is checked below against the spec table, and gpu/layouts.ts is checked against these
 * offsets by test/gpu/native.test.ts (through the addon's `layouts()`).
 *
 * The kernels never cast a JS buffer to one of these structs (a Uint8Array may start at any byte
 * offset): they read and write fields through `offsetof(...)` and the byte helpers of
 * aivm_kernels.h. The structs are the single source of those offsets.
 */
#ifndef AIVM_STRUCTS_H
#define AIVM_STRUCTS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the AIVM kernels assume a little-endian host (the struct integers are little-endian)"
#endif

namespace aivm {

struct alignas(16) Attestation {
  uint8_t tee_quote_digest[32];
  uint8_t measurement[32];
  uint8_t attesting_key[48];
  uint64_t expiry_ns;
  uint32_t kind;
  uint32_t evidence_offset;
  uint32_t evidence_len;
  uint32_t status;
  uint32_t occupied;
  uint32_t _pad0;
};

struct alignas(16) AttestationOp {
  uint8_t tee_quote_digest[32];
  uint8_t measurement[32];
  uint8_t attesting_key[48];
  uint64_t expiry_ns;
  uint32_t kind;
  uint32_t evidence_offset;
  uint32_t evidence_len;
  uint32_t epoch;
  uint32_t _pad0;
  uint32_t _pad1;
};

struct alignas(16) ModelRegistryEntry {
  uint8_t model_root[32];
  uint8_t weight_hash[32];
  uint8_t license_root[32];
  uint8_t owner_addr[20];
  uint32_t _pad0;
  uint64_t version;
  uint64_t parameter_count;
  uint32_t modality;
  uint32_t occupied;
  uint64_t _pad1;
  uint64_t _pad2;
};

struct alignas(16) ModelOp {
  uint8_t model_root[32];
  uint8_t weight_hash[32];
  uint8_t license_root[32];
  uint8_t owner_addr[20];
  uint32_t _pad0;
  uint64_t parameter_count;
  uint32_t modality;
  uint32_t kind;
  uint32_t epoch;
  uint32_t _pad1;
  uint64_t _pad2;
  uint64_t _pad3;
};

struct alignas(16) AuditAnchor {
  uint8_t commit_root[32];
  uint8_t parent_root[32];
  uint8_t validator_set_root_at_commit[32];
  uint64_t height;
  uint64_t timestamp_ns;
  uint32_t occupied;
  uint32_t _pad0;
  uint64_t _pad1;
};

struct alignas(16) AnchorOp {
  uint8_t commit_root[32];
  uint8_t parent_root[32];
  uint8_t validator_set_root_at_commit[32];
  uint64_t height;
  uint64_t timestamp_ns;
  uint32_t epoch;
  uint32_t _pad0;
  uint64_t _pad1;
};

struct alignas(16) AIVMEpochState {
  uint64_t current_epoch;
  uint64_t next_epoch_height;
  uint64_t total_active_attestations;
  uint32_t active_model_count;
  uint32_t expired_attestation_count;
  uint8_t attestation_root[32];
  uint8_t model_registry_root[32];
  uint8_t audit_root[32];
  uint8_t aivm_state_root[32];
};

struct alignas(16) AIVMRoundDescriptor {
  uint64_t chain_id;
  uint64_t round;
  uint64_t timestamp_ns;
  uint64_t epoch;
  uint32_t mode;
  uint32_t attestation_op_count;
  uint32_t model_op_count;
  uint32_t anchor_op_count;
  uint32_t closing_flag;
  uint32_t _pad0;
  uint64_t _pad1;
  uint8_t parent_aivm_root[32];
};

struct alignas(16) AIVMTransitionResult {
  uint32_t status;
  uint32_t attestation_apply_count;
  uint32_t model_apply_count;
  uint32_t anchor_apply_count;
  uint32_t active_attestations;
  uint32_t expired_attestations;
  uint32_t model_count;
  uint32_t anchor_count;
  uint64_t epoch;
  uint64_t total_models;
  uint64_t total_anchors;
  uint64_t _pad0;
  uint8_t attestation_root[32];
  uint8_t model_registry_root[32];
  uint8_t audit_root[32];
  uint8_t aivm_state_root[32];
};

constexpr int IN_DIM = 32;
constexpr int HIDDEN = 16;
constexpr int OUT_DIM = 1;

struct alignas(16) InferenceWeights {
  int8_t w1[IN_DIM * HIDDEN]; /* row-major: w1[i*32 + k], i = hidden unit */
  int32_t b1[HIDDEN];
  int8_t w2[HIDDEN * OUT_DIM];
  int32_t b2[OUT_DIM];
  int8_t shift1;
  int8_t shift2;
  uint8_t _pad0[2];
  uint8_t model_hash[32];
  uint8_t model_config_hash[32];
  uint8_t _pad1[8];
};

struct alignas(16) InferenceOp {
  uint8_t model_hash[32];
  uint8_t policy_hash[32];
  uint8_t salt[32];
  uint32_t mode;
  uint32_t input_offset;
  uint32_t input_len;
  uint32_t output_offset;
  uint32_t output_capacity;
  uint32_t _pad0;
  uint64_t round_id;
  uint64_t timestamp_ns;
  uint8_t _pad1[8];
};

struct alignas(16) InferenceResult {
  uint32_t status;
  uint32_t output_len;
  uint8_t input_commitment[32];
  uint8_t output_commitment[32];
  uint8_t attestation_root[32];
  uint8_t _pad0[8];
};

struct alignas(16) ProofVerifyOp {
  uint8_t measurement[32];
  uint8_t attesting_key[48];
  uint8_t signature[96];
  uint8_t message_hash[32];
  uint64_t expiry_ns;
  uint64_t timestamp_ns;
  uint32_t kind;
  uint32_t nonce;
  uint8_t _pad0[8];
};

struct alignas(16) ProofVerifyResult {
  uint32_t status;
  uint32_t kind;
  uint8_t binding_hash[32];
  uint8_t _pad0[8];
};

/* ---- Constants of spec §2.6 ---- */
constexpr uint32_t ATT_STATUS_VERIFIED = 0x2;
constexpr uint32_t ATT_STATUS_EXPIRED = 0x4;
constexpr uint32_t MODEL_OP_REGISTER = 0, MODEL_OP_UPDATE_WEIGHTS = 1, MODEL_OP_UPDATE_LICENSE = 2, MODEL_OP_TRANSFER = 3;
constexpr uint32_t TRANSITION_FINALIZED = 1;
constexpr uint32_t INFERENCE_OK = 0, INFERENCE_MODEL_MISMATCH = 1, INFERENCE_BAD_INPUT = 2, INFERENCE_OUTPUT_CAPACITY = 3;
constexpr uint32_t PROOF_OK = 0x01, PROOF_SIG_CHECK = 0x02, PROOF_MEASURE_CHECK = 0x04, PROOF_EXPIRED = 0x08, PROOF_KEY_ZERO = 0x10;
constexpr uint32_t NO_SLOT = 0xffffffffu;

}  // namespace aivm

/*
 * Sizes and field offsets as the spec table gives them: S(struct, size) and F(struct, field, offset)
 * for every struct and named field. The static_asserts below check the C structs against it; the
 * addon exports it (`layouts()`) so that a test checks gpu/layouts.ts against the same table.
 */
#define AIVM_LAYOUT_TABLE(S, F) \
  S(Attestation, 144) F(Attestation, tee_quote_digest, 0) F(Attestation, measurement, 32) F(Attestation, attesting_key, 64) \
    F(Attestation, expiry_ns, 112) F(Attestation, kind, 120) F(Attestation, evidence_offset, 124) F(Attestation, evidence_len, 128) \
    F(Attestation, status, 132) F(Attestation, occupied, 136) \
  S(AttestationOp, 144) F(AttestationOp, tee_quote_digest, 0) F(AttestationOp, measurement, 32) F(AttestationOp, attesting_key, 64) \
    F(AttestationOp, expiry_ns, 112) F(AttestationOp, kind, 120) F(AttestationOp, evidence_offset, 124) F(AttestationOp, evidence_len, 128) \
    F(AttestationOp, epoch, 132) \
  S(ModelRegistryEntry, 160) F(ModelRegistryEntry, model_root, 0) F(ModelRegistryEntry, weight_hash, 32) F(ModelRegistryEntry, license_root, 64) \
    F(ModelRegistryEntry, owner_addr, 96) F(ModelRegistryEntry, version, 120) F(ModelRegistryEntry, parameter_count, 128) \
    F(ModelRegistryEntry, modality, 136) F(ModelRegistryEntry, occupied, 140) \
  S(ModelOp, 160) F(ModelOp, model_root, 0) F(ModelOp, weight_hash, 32) F(ModelOp, license_root, 64) F(ModelOp, owner_addr, 96) \
    F(ModelOp, parameter_count, 120) F(ModelOp, modality, 128) F(ModelOp, kind, 132) F(ModelOp, epoch, 136) \
  S(AuditAnchor, 128) F(AuditAnchor, commit_root, 0) F(AuditAnchor, parent_root, 32) F(AuditAnchor, validator_set_root_at_commit, 64) \
    F(AuditAnchor, height, 96) F(AuditAnchor, timestamp_ns, 104) F(AuditAnchor, occupied, 112) \
  S(AnchorOp, 128) F(AnchorOp, commit_root, 0) F(AnchorOp, parent_root, 32) F(AnchorOp, validator_set_root_at_commit, 64) F(AnchorOp, height, 96) \
    F(AnchorOp, timestamp_ns, 104) F(AnchorOp, epoch, 112) \
  S(AIVMEpochState, 160) F(AIVMEpochState, current_epoch, 0) F(AIVMEpochState, next_epoch_height, 8) \
    F(AIVMEpochState, total_active_attestations, 16) F(AIVMEpochState, active_model_count, 24) F(AIVMEpochState, expired_attestation_count, 28) \
    F(AIVMEpochState, attestation_root, 32) F(AIVMEpochState, model_registry_root, 64) F(AIVMEpochState, audit_root, 96) \
    F(AIVMEpochState, aivm_state_root, 128) \
  S(AIVMRoundDescriptor, 96) F(AIVMRoundDescriptor, chain_id, 0) F(AIVMRoundDescriptor, round, 8) F(AIVMRoundDescriptor, timestamp_ns, 16) \
    F(AIVMRoundDescriptor, epoch, 24) F(AIVMRoundDescriptor, mode, 32) F(AIVMRoundDescriptor, attestation_op_count, 36) \
    F(AIVMRoundDescriptor, model_op_count, 40) F(AIVMRoundDescriptor, anchor_op_count, 44) F(AIVMRoundDescriptor, closing_flag, 48) \
    F(AIVMRoundDescriptor, parent_aivm_root, 64) \
  S(AIVMTransitionResult, 192) F(AIVMTransitionResult, status, 0) F(AIVMTransitionResult, attestation_apply_count, 4) \
    F(AIVMTransitionResult, model_apply_count, 8) F(AIVMTransitionResult, anchor_apply_count, 12) F(AIVMTransitionResult, active_attestations, 16) \
    F(AIVMTransitionResult, expired_attestations, 20) F(AIVMTransitionResult, model_count, 24) F(AIVMTransitionResult, anchor_count, 28) \
    F(AIVMTransitionResult, epoch, 32) F(AIVMTransitionResult, total_models, 40) F(AIVMTransitionResult, total_anchors, 48) \
    F(AIVMTransitionResult, attestation_root, 64) F(AIVMTransitionResult, model_registry_root, 96) F(AIVMTransitionResult, audit_root, 128) \
    F(AIVMTransitionResult, aivm_state_root, 160) \
  S(InferenceWeights, 672) F(InferenceWeights, w1, 0) F(InferenceWeights, b1, 512) F(InferenceWeights, w2, 576) F(InferenceWeights, b2, 592) \
    F(InferenceWeights, shift1, 596) F(InferenceWeights, shift2, 597) F(InferenceWeights, model_hash, 600) \
    F(InferenceWeights, model_config_hash, 632) \
  S(InferenceOp, 144) F(InferenceOp, model_hash, 0) F(InferenceOp, policy_hash, 32) F(InferenceOp, salt, 64) F(InferenceOp, mode, 96) \
    F(InferenceOp, input_offset, 100) F(InferenceOp, input_len, 104) F(InferenceOp, output_offset, 108) F(InferenceOp, output_capacity, 112) \
    F(InferenceOp, round_id, 120) F(InferenceOp, timestamp_ns, 128) \
  S(InferenceResult, 112) F(InferenceResult, status, 0) F(InferenceResult, output_len, 4) F(InferenceResult, input_commitment, 8) \
    F(InferenceResult, output_commitment, 40) F(InferenceResult, attestation_root, 72) \
  S(ProofVerifyOp, 240) F(ProofVerifyOp, measurement, 0) F(ProofVerifyOp, attesting_key, 32) F(ProofVerifyOp, signature, 80) \
    F(ProofVerifyOp, message_hash, 176) F(ProofVerifyOp, expiry_ns, 208) F(ProofVerifyOp, timestamp_ns, 216) F(ProofVerifyOp, kind, 224) \
    F(ProofVerifyOp, nonce, 228) \
  S(ProofVerifyResult, 48) F(ProofVerifyResult, status, 0) F(ProofVerifyResult, kind, 4) F(ProofVerifyResult, binding_hash, 8)

#define AIVM_SIZE_CHECK(T, n) static_assert(sizeof(aivm::T) == (n), #T " must be " #n " bytes");
#define AIVM_OFFSET_CHECK(T, f, off) static_assert(offsetof(aivm::T, f) == (off), #T "." #f " must be at offset " #off);
AIVM_LAYOUT_TABLE(AIVM_SIZE_CHECK, AIVM_OFFSET_CHECK)
#undef AIVM_SIZE_CHECK
#undef AIVM_OFFSET_CHECK

#endif

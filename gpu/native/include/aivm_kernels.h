/*
 * The six AIVM kernels of spec aivm.md §2.6 over the §2.7 byte layouts, written once for the host
 * (C++ CPU backend) and the device (CUDA): every function here is AIVM_HD. They follow the
 * TypeScript reference (gpu/kernels) step for step: integer arithmetic only, wrapping int32
 * accumulators, a floor right shift before the clamp, fixed iteration order, the same skip rules.
 *
 * Buffers are bytes; fields are read and written at offsetof() of the structs in aivm_structs.h,
 * through little-endian load/store helpers (a JS Uint8Array may start at any byte offset). Callers
 * pass buffers whose sizes were checked (whole structs, power-of-two arenas, shifts 0..31).
 *
 * The per-row pieces (inference_op, proof_op, the three leaf hashes) are separate so that the CUDA
 * backend can run them one thread per row or slot; the table-walking kernels (attestation_apply,
 * provenance_apply, anchor_apply) and the root folds stay sequential everywhere.
 */
#ifndef AIVM_KERNELS_H
#define AIVM_KERNELS_H

#include "aivm_keccak.h"
#include "aivm_structs.h"

#if !defined(__CUDA_ARCH__)
#include <string.h>
#endif

namespace aivm {

#define AIVM_OFF(T, f) ((size_t)offsetof(T, f))

/* ---- Little-endian field access ---- */

AIVM_HD uint32_t ld32(const uint8_t* p) {
#if defined(__CUDA_ARCH__)
  return *reinterpret_cast<const uint32_t*>(p); /* device buffers are 256-aligned; every field is naturally aligned */
#else
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
#endif
}

AIVM_HD uint64_t ld64(const uint8_t* p) {
#if defined(__CUDA_ARCH__)
  return *reinterpret_cast<const uint64_t*>(p);
#else
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
#endif
}

AIVM_HD void st32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

AIVM_HD void st64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

AIVM_HD bool is_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0) return false;
  return true;
}

AIVM_HD bool equal(const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return false;
  return true;
}

AIVM_HD void copy(uint8_t* dst, const uint8_t* src, size_t n) {
#if defined(__CUDA_ARCH__)
  for (size_t i = 0; i < n; i++) dst[i] = src[i];
#else
  memcpy(dst, src, n);
#endif
}

AIVM_HD void zero(uint8_t* dst, size_t n) {
#if defined(__CUDA_ARCH__)
  for (size_t i = 0; i < n; i++) dst[i] = 0;
#else
  memset(dst, 0, n);
#endif
}

/* A fixed-size hash preimage built field by field (the largest is proof_verify's 212 bytes). */
struct Preimage {
  uint8_t bytes[224];
  uint32_t at;
  AIVM_HD Preimage() : at(0) {}
  AIVM_HD Preimage& put(const uint8_t* p, uint32_t n) {
    copy(bytes + at, p, n);
    at += n;
    return *this;
  }
  AIVM_HD Preimage& u32(uint32_t v) {
    st32(bytes + at, v);
    at += 4;
    return *this;
  }
  AIVM_HD Preimage& u64(uint64_t v) {
    st64(bytes + at, v);
    at += 8;
    return *this;
  }
  AIVM_HD void hash(uint8_t* out) const { keccak256(bytes, at, out); }
};

/* acc = keccak(acc ‖ h): one step of the root folds. */
AIVM_HD void fold(uint8_t* acc, const uint8_t* h) {
  uint8_t buf[64];
  copy(buf, acc, 32);
  copy(buf + 32, h, 32);
  keccak256(buf, 64, acc);
}

/* ---- Open-addressing arenas ---- */

struct ArenaShape {
  size_t slot_size, key_offset, occupied_offset;
};
AIVM_HD ArenaShape attestation_arena() { return {sizeof(Attestation), AIVM_OFF(Attestation, tee_quote_digest), AIVM_OFF(Attestation, occupied)}; }
AIVM_HD ArenaShape model_arena() { return {sizeof(ModelRegistryEntry), AIVM_OFF(ModelRegistryEntry, model_root), AIVM_OFF(ModelRegistryEntry, occupied)}; }

/* low32((0xcbf29ce484222325 XOR u64le(key[0..8])) * 0x100000001b3 mod 2^64) & (slots - 1), as spec §2.6 writes it. */
AIVM_HD uint32_t home_slot(const uint8_t* key, uint64_t slots) {
  const uint64_t h = (0xcbf29ce484222325ULL ^ ld64(key)) * 0x100000001b3ULL;
  return (uint32_t)h & (uint32_t)(slots - 1);
}

/* The slot holding `key` (32 bytes); with insert, the first empty slot on the probe path is claimed. */
AIVM_HD uint32_t locate(uint8_t* table, uint64_t slots, ArenaShape s, const uint8_t* key, bool insert) {
  if (slots == 0) return NO_SLOT;
  const uint32_t mask = (uint32_t)(slots - 1);
  uint32_t idx = home_slot(key, slots);
  for (uint64_t probe = 0; probe < slots; probe++) {
    uint8_t* base = table + (uint64_t)idx * s.slot_size;
    if (ld32(base + s.occupied_offset) == 0) {
      if (!insert) return NO_SLOT;
      zero(base, s.slot_size);
      copy(base + s.key_offset, key, 32);
      st32(base + s.occupied_offset, 1);
      return idx;
    }
    if (equal(base + s.key_offset, key, 32)) return idx;
    idx = (idx + 1) & mask;
  }
  return NO_SLOT;
}

AIVM_HD uint64_t op_count(const uint8_t* desc, size_t count_offset, uint64_t n_ops) {
  const uint64_t wanted = ld32(desc + count_offset);
  return wanted < n_ops ? wanted : n_ops;
}

/* ---- K1 attestation_apply ---- */

AIVM_HD uint32_t attestation_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* table, uint64_t slots) {
  typedef AttestationOp O;
  typedef Attestation A;
  const uint64_t ts = ld64(desc + AIVM_OFF(AIVMRoundDescriptor, timestamp_ns));
  const uint64_t count = op_count(desc, AIVM_OFF(AIVMRoundDescriptor, attestation_op_count), n_ops);
  uint32_t applied = 0;
  for (uint64_t i = 0; i < count; i++) {
    const uint8_t* op = ops + i * sizeof(O);
    if (is_zero(op + AIVM_OFF(O, attesting_key), 48)) continue;
    if (is_zero(op + AIVM_OFF(O, tee_quote_digest), 32)) continue;
    const uint32_t idx = locate(table, slots, attestation_arena(), op + AIVM_OFF(O, tee_quote_digest), true);
    if (idx == NO_SLOT) continue;
    uint8_t* s = table + (uint64_t)idx * sizeof(A);
    copy(s + AIVM_OFF(A, measurement), op + AIVM_OFF(O, measurement), 32);
    copy(s + AIVM_OFF(A, attesting_key), op + AIVM_OFF(O, attesting_key), 48);
    const uint64_t expiry = ld64(op + AIVM_OFF(O, expiry_ns));
    st64(s + AIVM_OFF(A, expiry_ns), expiry);
    st32(s + AIVM_OFF(A, kind), ld32(op + AIVM_OFF(O, kind)));
    st32(s + AIVM_OFF(A, evidence_offset), ld32(op + AIVM_OFF(O, evidence_offset)));
    st32(s + AIVM_OFF(A, evidence_len), ld32(op + AIVM_OFF(O, evidence_len)));
    const bool expired = expiry != 0 && expiry <= ts;
    st32(s + AIVM_OFF(A, status), expired ? ATT_STATUS_VERIFIED | ATT_STATUS_EXPIRED : ATT_STATUS_VERIFIED);
    applied++;
  }
  return applied;
}

/* ---- K2 provenance_apply ---- */

AIVM_HD uint32_t provenance_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* models, uint64_t slots) {
  typedef ModelOp O;
  typedef ModelRegistryEntry M;
  const uint64_t count = op_count(desc, AIVM_OFF(AIVMRoundDescriptor, model_op_count), n_ops);
  uint32_t applied = 0;
  for (uint64_t i = 0; i < count; i++) {
    const uint8_t* op = ops + i * sizeof(O);
    if (is_zero(op + AIVM_OFF(O, model_root), 32)) continue;
    if (is_zero(op + AIVM_OFF(O, weight_hash), 32)) continue;
    const uint32_t kind = ld32(op + AIVM_OFF(O, kind));
    if (kind > MODEL_OP_TRANSFER) continue;
    const uint32_t idx = locate(models, slots, model_arena(), op + AIVM_OFF(O, model_root), kind == MODEL_OP_REGISTER);
    if (idx == NO_SLOT) continue;
    uint8_t* s = models + (uint64_t)idx * sizeof(M);
    switch (kind) {
      case MODEL_OP_REGISTER:
        copy(s + AIVM_OFF(M, weight_hash), op + AIVM_OFF(O, weight_hash), 32);
        copy(s + AIVM_OFF(M, license_root), op + AIVM_OFF(O, license_root), 32);
        copy(s + AIVM_OFF(M, owner_addr), op + AIVM_OFF(O, owner_addr), 20);
        st64(s + AIVM_OFF(M, parameter_count), ld64(op + AIVM_OFF(O, parameter_count)));
        st32(s + AIVM_OFF(M, modality), ld32(op + AIVM_OFF(O, modality)));
        st64(s + AIVM_OFF(M, version), 1);
        break;
      case MODEL_OP_UPDATE_WEIGHTS: {
        copy(s + AIVM_OFF(M, weight_hash), op + AIVM_OFF(O, weight_hash), 32);
        const uint64_t version = ld64(s + AIVM_OFF(M, version));
        if (version != UINT64_MAX) st64(s + AIVM_OFF(M, version), version + 1);
        const uint64_t params = ld64(op + AIVM_OFF(O, parameter_count));
        if (params != 0) st64(s + AIVM_OFF(M, parameter_count), params);
        break;
      }
      case MODEL_OP_UPDATE_LICENSE:
        copy(s + AIVM_OFF(M, license_root), op + AIVM_OFF(O, license_root), 32);
        break;
      default: /* MODEL_OP_TRANSFER */
        copy(s + AIVM_OFF(M, owner_addr), op + AIVM_OFF(O, owner_addr), 20);
        break;
    }
    applied++;
  }
  return applied;
}

/* ---- K3 anchor_apply (append-only chain) ---- */

AIVM_HD uint32_t anchor_apply(const uint8_t* desc, const uint8_t* ops, uint64_t n_ops, uint8_t* anchors, uint64_t slots) {
  typedef AnchorOp O;
  typedef AuditAnchor N;
  const uint64_t count = op_count(desc, AIVM_OFF(AIVMRoundDescriptor, anchor_op_count), n_ops);
  uint64_t cursor = 0;
  while (cursor < slots && ld32(anchors + cursor * sizeof(N) + AIVM_OFF(N, occupied)) != 0) cursor++;
  uint32_t applied = 0;
  for (uint64_t i = 0; i < count; i++) {
    const uint8_t* op = ops + i * sizeof(O);
    if (is_zero(op + AIVM_OFF(O, commit_root), 32)) continue;
    if (cursor >= slots) break;
    const uint64_t height = ld64(op + AIVM_OFF(O, height));
    if (cursor > 0) {
      const uint8_t* prev = anchors + (cursor - 1) * sizeof(N);
      if (!equal(op + AIVM_OFF(O, parent_root), prev + AIVM_OFF(N, commit_root), 32)) continue;
      if (height <= ld64(prev + AIVM_OFF(N, height))) continue;
    }
    uint8_t* s = anchors + cursor * sizeof(N);
    copy(s + AIVM_OFF(N, commit_root), op + AIVM_OFF(O, commit_root), 32);
    copy(s + AIVM_OFF(N, parent_root), op + AIVM_OFF(O, parent_root), 32);
    copy(s + AIVM_OFF(N, validator_set_root_at_commit), op + AIVM_OFF(O, validator_set_root_at_commit), 32);
    st64(s + AIVM_OFF(N, height), height);
    st64(s + AIVM_OFF(N, timestamp_ns), ld64(op + AIVM_OFF(O, timestamp_ns)));
    st32(s + AIVM_OFF(N, occupied), 1);
    cursor++;
    applied++;
  }
  return applied;
}

/* ---- K4 epoch_transition, in pieces: per-slot marks and leaves (parallel), then ordered folds ---- */

/* Sets the expired bit of an occupied attestation whose expiry has passed at `ts`. */
AIVM_HD void mark_expired(uint8_t* slot, uint64_t ts) {
  typedef Attestation A;
  if (ld32(slot + AIVM_OFF(A, occupied)) == 0) return;
  const uint64_t expiry = ld64(slot + AIVM_OFF(A, expiry_ns));
  if (expiry != 0 && expiry <= ts) st32(slot + AIVM_OFF(A, status), ld32(slot + AIVM_OFF(A, status)) | ATT_STATUS_EXPIRED);
}

/* What a slot adds to its root: nothing (unoccupied), or a leaf that counts as active / expired / neither. */
enum LeafKind : uint8_t { LEAF_NONE = 0, LEAF_ACTIVE = 1, LEAF_EXPIRED = 2, LEAF_OTHER = 3 };

/* The 144-byte attestation leaf of slot `index` (after mark_expired) and its kind. */
AIVM_HD LeafKind attestation_leaf_preimage(const uint8_t* slot, uint32_t index, uint64_t ts, Preimage* leaf) {
  typedef Attestation A;
  if (ld32(slot + AIVM_OFF(A, occupied)) == 0) return LEAF_NONE;
  const uint64_t expiry = ld64(slot + AIVM_OFF(A, expiry_ns));
  const uint32_t status = ld32(slot + AIVM_OFF(A, status));
  const bool expired = (expiry != 0 && expiry <= ts) || (status & ATT_STATUS_EXPIRED) != 0;
  leaf->put(slot + AIVM_OFF(A, tee_quote_digest), 32)
      .put(slot + AIVM_OFF(A, measurement), 32)
      .put(slot + AIVM_OFF(A, attesting_key), 48)
      .u64(expiry)
      .u32(ld32(slot + AIVM_OFF(A, kind)))
      .u32(ld32(slot + AIVM_OFF(A, evidence_offset)))
      .u32(ld32(slot + AIVM_OFF(A, evidence_len)))
      .u32(status)
      .u32(expired ? 1 : 0)
      .u32(index);
  if (expired) return LEAF_EXPIRED;
  return (status & ATT_STATUS_VERIFIED) != 0 ? LEAF_ACTIVE : LEAF_OTHER;
}

/* The 140-byte model leaf of slot `index`. */
AIVM_HD LeafKind model_leaf_preimage(const uint8_t* slot, uint32_t index, Preimage* leaf) {
  typedef ModelRegistryEntry M;
  if (ld32(slot + AIVM_OFF(M, occupied)) == 0) return LEAF_NONE;
  leaf->put(slot + AIVM_OFF(M, model_root), 32)
      .put(slot + AIVM_OFF(M, weight_hash), 32)
      .put(slot + AIVM_OFF(M, license_root), 32)
      .put(slot + AIVM_OFF(M, owner_addr), 20)
      .u64(ld64(slot + AIVM_OFF(M, version)))
      .u64(ld64(slot + AIVM_OFF(M, parameter_count)))
      .u32(ld32(slot + AIVM_OFF(M, modality)))
      .u32(index);
  return LEAF_OTHER;
}

/* The 116-byte anchor leaf of slot `index`. */
AIVM_HD LeafKind anchor_leaf_preimage(const uint8_t* slot, uint32_t index, Preimage* leaf) {
  typedef AuditAnchor N;
  if (ld32(slot + AIVM_OFF(N, occupied)) == 0) return LEAF_NONE;
  leaf->put(slot + AIVM_OFF(N, commit_root), 32)
      .put(slot + AIVM_OFF(N, parent_root), 32)
      .put(slot + AIVM_OFF(N, validator_set_root_at_commit), 32)
      .u64(ld64(slot + AIVM_OFF(N, height)))
      .u64(ld64(slot + AIVM_OFF(N, timestamp_ns)))
      .u32(index);
  return LEAF_OTHER;
}

/* The three arenas' leaves: per slot its kind and (when occupied) its 32-byte leaf hash. */
struct EpochLeaves {
  uint64_t n_atts, n_models, n_anchors;
  const uint8_t *att_kinds, *att_hashes, *model_kinds, *model_hashes, *anchor_kinds, *anchor_hashes;
};

/* The three folded roots and their counters. */
struct EpochRoots {
  uint8_t attestation[32];
  uint8_t model[32];
  uint8_t audit[32];
  uint64_t active, expired, models, anchors;
};

/* acc = K(acc ‖ leaf) over the occupied slots of each arena in index order, from a zero acc; counts as it goes. */
AIVM_HD void fold_leaves(const EpochLeaves& l, EpochRoots* r) {
  zero(r->attestation, 32);
  zero(r->model, 32);
  zero(r->audit, 32);
  r->active = r->expired = r->models = r->anchors = 0;
  for (uint64_t i = 0; i < l.n_atts; i++) {
    if (l.att_kinds[i] == LEAF_NONE) continue;
    if (l.att_kinds[i] == LEAF_EXPIRED) r->expired++;
    else if (l.att_kinds[i] == LEAF_ACTIVE) r->active++;
    fold(r->attestation, l.att_hashes + 32 * i);
  }
  for (uint64_t i = 0; i < l.n_models; i++) {
    if (l.model_kinds[i] == LEAF_NONE) continue;
    r->models++;
    fold(r->model, l.model_hashes + 32 * i);
  }
  for (uint64_t i = 0; i < l.n_anchors; i++) {
    if (l.anchor_kinds[i] == LEAF_NONE) continue;
    r->anchors++;
    fold(r->audit, l.anchor_hashes + 32 * i);
  }
}

/* Writes the epoch state and the result from the roots (steps 5-7 of K4). */
AIVM_HD void epoch_finish(const uint8_t* desc, const EpochRoots& r, uint8_t* epoch, uint8_t* result) {
  typedef AIVMEpochState E;
  typedef AIVMRoundDescriptor D;
  typedef AIVMTransitionResult R;
  copy(epoch + AIVM_OFF(E, attestation_root), r.attestation, 32);
  copy(epoch + AIVM_OFF(E, model_registry_root), r.model, 32);
  copy(epoch + AIVM_OFF(E, audit_root), r.audit, 32);
  st32(epoch + AIVM_OFF(E, active_model_count), (uint32_t)r.models);
  st32(epoch + AIVM_OFF(E, expired_attestation_count), (uint32_t)r.expired);
  st64(epoch + AIVM_OFF(E, total_active_attestations), r.active);
  if (ld32(desc + AIVM_OFF(D, closing_flag)) != 0) st64(epoch + AIVM_OFF(E, current_epoch), ld64(desc + AIVM_OFF(D, epoch)) + 1);
  const uint64_t current = ld64(epoch + AIVM_OFF(E, current_epoch));

  uint8_t state_root[32];
  Preimage()
      .put(desc + AIVM_OFF(D, parent_aivm_root), 32)
      .put(r.attestation, 32)
      .put(r.model, 32)
      .put(r.audit, 32)
      .u64(current)
      .u32((uint32_t)r.active)
      .u32((uint32_t)r.models)
      .u32((uint32_t)r.anchors)
      .hash(state_root);
  copy(epoch + AIVM_OFF(E, aivm_state_root), state_root, 32);

  copy(result + AIVM_OFF(R, attestation_root), r.attestation, 32);
  copy(result + AIVM_OFF(R, model_registry_root), r.model, 32);
  copy(result + AIVM_OFF(R, audit_root), r.audit, 32);
  copy(result + AIVM_OFF(R, aivm_state_root), state_root, 32);
  st32(result + AIVM_OFF(R, active_attestations), (uint32_t)r.active);
  st32(result + AIVM_OFF(R, expired_attestations), (uint32_t)r.expired);
  st32(result + AIVM_OFF(R, model_count), (uint32_t)r.models);
  st32(result + AIVM_OFF(R, anchor_count), (uint32_t)r.anchors);
  st64(result + AIVM_OFF(R, total_models), r.models);
  st64(result + AIVM_OFF(R, total_anchors), r.anchors);
  st64(result + AIVM_OFF(R, epoch), current);
  st32(result + AIVM_OFF(R, status), TRANSITION_FINALIZED);
}

/* ---- K5 inference_step ---- */

/* One model's weights, decoded once per call. */
struct Classifier {
  int8_t w1[IN_DIM * HIDDEN];
  int32_t b1[HIDDEN];
  int8_t w2[HIDDEN];
  int32_t b2;
  int32_t shift1, shift2;
  uint8_t model_hash[32];
};

AIVM_HD void classifier_of(const uint8_t* weights, Classifier* m) {
  typedef InferenceWeights W;
  for (int i = 0; i < IN_DIM * HIDDEN; i++) m->w1[i] = (int8_t)weights[AIVM_OFF(W, w1) + i];
  for (int i = 0; i < HIDDEN; i++) m->b1[i] = (int32_t)ld32(weights + AIVM_OFF(W, b1) + 4 * i);
  for (int i = 0; i < HIDDEN; i++) m->w2[i] = (int8_t)weights[AIVM_OFF(W, w2) + i];
  m->b2 = (int32_t)ld32(weights + AIVM_OFF(W, b2));
  m->shift1 = (int8_t)weights[AIVM_OFF(W, shift1)];
  m->shift2 = (int8_t)weights[AIVM_OFF(W, shift2)];
  copy(m->model_hash, weights + AIVM_OFF(W, model_hash), 32);
}

/* Arithmetic (floor) right shift, spelled out so that it does not rest on implementation-defined >>. */
AIVM_HD int32_t shift_right(int32_t v, int32_t s) { return v >= 0 ? (v >> s) : ~((~v) >> s); }

AIVM_HD int32_t clamp_i8(int32_t v) { return v > 127 ? 127 : v < -128 ? -128 : v; }

/* Forward pass over one row of 32 int8; int32 sums wrap (two's complement) as Go's do. */
AIVM_HD int8_t forward(const Classifier& m, const uint8_t* x) {
  int32_t h[HIDDEN];
  for (int i = 0; i < HIDDEN; i++) {
    uint32_t acc = (uint32_t)m.b1[i];
    for (int k = 0; k < IN_DIM; k++) acc += (uint32_t)((int32_t)m.w1[i * IN_DIM + k] * (int32_t)(int8_t)x[k]);
    h[i] = clamp_i8(shift_right((int32_t)acc, m.shift1));
  }
  uint32_t acc = (uint32_t)m.b2;
  for (int k = 0; k < HIDDEN; k++) acc += (uint32_t)((int32_t)m.w2[k] * h[k]);
  return (int8_t)clamp_i8(shift_right((int32_t)acc, m.shift2));
}

/*
 * The checks and the forward pass of one inference_step op: zeroes its 112-byte result, and either
 * writes a failure status and returns false, or returns true with the output byte in *y for
 * batch_out[*out_at] and the input row in *x (the caller writes the output, in op order: two ops may
 * name the same output slot and the later one wins; then it fills the commitments).
 */
AIVM_HD bool inference_prepare(const Classifier& m, const uint8_t* op, const uint8_t* batch_in, uint64_t in_len, uint64_t out_len, uint8_t* result,
                               uint8_t* y, uint64_t* out_at, const uint8_t** x) {
  typedef InferenceOp O;
  typedef InferenceResult R;
  zero(result, sizeof(R));
  uint32_t status = INFERENCE_OK;
  const uint64_t in_at = ld32(op + AIVM_OFF(O, input_offset));
  *out_at = ld32(op + AIVM_OFF(O, output_offset));
  if (!equal(op + AIVM_OFF(O, model_hash), m.model_hash, 32)) status = INFERENCE_MODEL_MISMATCH;
  else if (ld32(op + AIVM_OFF(O, input_len)) != IN_DIM) status = INFERENCE_BAD_INPUT;
  else if (ld32(op + AIVM_OFF(O, output_capacity)) < OUT_DIM) status = INFERENCE_OUTPUT_CAPACITY;
  else if (in_at + IN_DIM > in_len) status = INFERENCE_BAD_INPUT;
  else if (*out_at + OUT_DIM > out_len) status = INFERENCE_OUTPUT_CAPACITY;
  if (status != INFERENCE_OK) {
    st32(result + AIVM_OFF(R, status), status);
    return false;
  }
  *x = batch_in + in_at;
  *y = (uint8_t)forward(m, *x);
  st32(result + AIVM_OFF(R, output_len), OUT_DIM);
  return true;
}

/* input_commitment = K(salt ‖ x[32]). */
AIVM_HD Preimage input_preimage(const uint8_t* op, const uint8_t* x) { return Preimage().put(op + AIVM_OFF(InferenceOp, salt), 32).put(x, IN_DIM); }

/* output_commitment = K(salt ‖ y). */
AIVM_HD Preimage output_preimage(const uint8_t* op, const uint8_t* y) { return Preimage().put(op + AIVM_OFF(InferenceOp, salt), 32).put(y, OUT_DIM); }

/* Whether the op's result carries an attestation root (mode != 0). */
AIVM_HD bool attests(const uint8_t* op) { return ld32(op + AIVM_OFF(InferenceOp, mode)) != 0; }

/* attestation_root = K(model_hash ‖ in_c ‖ out_c ‖ policy_hash ‖ u64 timestamp_ns), 136 bytes; the commitments are read from the result. */
AIVM_HD Preimage attestation_preimage(const uint8_t* op, const uint8_t* result) {
  typedef InferenceOp O;
  typedef InferenceResult R;
  return Preimage()
      .put(op + AIVM_OFF(O, model_hash), 32)
      .put(result + AIVM_OFF(R, input_commitment), 32)
      .put(result + AIVM_OFF(R, output_commitment), 32)
      .put(op + AIVM_OFF(O, policy_hash), 32)
      .u64(ld64(op + AIVM_OFF(O, timestamp_ns)));
}

/* One whole inference_step op (prepare, then the commitments), as the reference runs it. */
AIVM_HD bool inference_op(const Classifier& m, const uint8_t* op, const uint8_t* batch_in, uint64_t in_len, uint64_t out_len, uint8_t* result,
                          uint8_t* y, uint64_t* out_at) {
  typedef InferenceResult R;
  const uint8_t* x = nullptr;
  if (!inference_prepare(m, op, batch_in, in_len, out_len, result, y, out_at, &x)) return false;
  input_preimage(op, x).hash(result + AIVM_OFF(R, input_commitment));
  output_preimage(op, y).hash(result + AIVM_OFF(R, output_commitment));
  if (attests(op)) attestation_preimage(op, result).hash(result + AIVM_OFF(R, attestation_root));
  return true;
}

/* ---- K6 proof_verify ---- */

/* The status bits of one proof_verify op. */
AIVM_HD uint32_t proof_status(const uint8_t* op) {
  typedef ProofVerifyOp O;
  uint32_t status = 0;
  if (is_zero(op + AIVM_OFF(O, measurement), 32)) status |= PROOF_MEASURE_CHECK;
  if (is_zero(op + AIVM_OFF(O, attesting_key), 48)) status |= PROOF_KEY_ZERO;
  const uint64_t expiry = ld64(op + AIVM_OFF(O, expiry_ns));
  if (expiry != 0 && expiry <= ld64(op + AIVM_OFF(O, timestamp_ns))) status |= PROOF_EXPIRED;
  if (is_zero(op + AIVM_OFF(O, signature), 96)) status |= PROOF_SIG_CHECK;
  return status == 0 ? PROOF_OK : status;
}

/* binding_hash = K(measurement ‖ key48 ‖ sig96 ‖ message_hash ‖ u32 nonce), 212 bytes. */
AIVM_HD Preimage binding_preimage(const uint8_t* op) {
  typedef ProofVerifyOp O;
  return Preimage()
      .put(op + AIVM_OFF(O, measurement), 32)
      .put(op + AIVM_OFF(O, attesting_key), 48)
      .put(op + AIVM_OFF(O, signature), 96)
      .put(op + AIVM_OFF(O, message_hash), 32)
      .u32(ld32(op + AIVM_OFF(O, nonce)));
}

/* The result of one proof_verify op except its binding hash (zeroed, status, kind). */
AIVM_HD void proof_result(const uint8_t* op, uint8_t* result) {
  typedef ProofVerifyResult R;
  zero(result, sizeof(R));
  st32(result + AIVM_OFF(R, status), proof_status(op));
  st32(result + AIVM_OFF(R, kind), ld32(op + AIVM_OFF(ProofVerifyOp, kind)));
}

AIVM_HD void proof_op(const uint8_t* op, uint8_t* result) {
  proof_result(op, result);
  binding_preimage(op).hash(result + AIVM_OFF(ProofVerifyResult, binding_hash));
}

}  // namespace aivm

#endif

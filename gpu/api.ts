/**
 * The six public kernel functions (and inferenceBatch, K5's batch entry point): arguments are Uint8Arrays in the spec §2.7 layouts; arenas,
 * epoch state, results and outputs are mutated in place. Each checks its arguments (throwing a
 * GpuError before touching anything), then runs on the active backend.
 */
import { activeBackend } from './backend.js';
import * as check from './validate.js';

/** K1: applies attestation ops to the attestation arena; returns how many were applied. */
export function attestationApply(desc: Uint8Array, ops: Uint8Array, table: Uint8Array): number {
  check.attestationApplyArgs(desc, ops, table);
  return activeBackend().attestationApply(desc, ops, table);
}

/** K2: applies model ops (register, update weights, update license, transfer) to the model arena. */
export function provenanceApply(desc: Uint8Array, ops: Uint8Array, models: Uint8Array): number {
  check.provenanceApplyArgs(desc, ops, models);
  return activeBackend().provenanceApply(desc, ops, models);
}

/** K3: appends chained audit anchors; returns how many were appended. */
export function anchorApply(desc: Uint8Array, ops: Uint8Array, anchors: Uint8Array): number {
  check.anchorApplyArgs(desc, ops, anchors);
  return activeBackend().anchorApply(desc, ops, anchors);
}

/** K4: marks expiries, computes the three arena roots and aivm_state_root into epochState and result. */
export function epochTransition(desc: Uint8Array, atts: Uint8Array, models: Uint8Array, anchors: Uint8Array, epochState: Uint8Array, result: Uint8Array): void {
  check.epochTransitionArgs(desc, atts, models, anchors, epochState, result);
  activeBackend().epochTransition(desc, atts, models, anchors, epochState, result);
}

/** K5: runs the int8 classifier for each op (batchIn = 32·n int8, batchOut = n int8, results = n × 112 B). */
export function inferenceStep(weights: Uint8Array, ops: Uint8Array, batchIn: Uint8Array, batchOut: Uint8Array, results: Uint8Array): void {
  check.inferenceStepArgs(weights, ops, batchIn, batchOut, results);
  activeBackend().inferenceStep(weights, ops, batchIn, batchOut, results);
}

/**
 * K5's forward pass alone over a whole batch of rows (batchIn = 32·n int8, batchOut = n int8): the
 * entry point for large batches (10M rows cross into native code once, with no per-row op or
 * result structs). batchOut[r] is exactly what inferenceStep writes for an op on row r.
 */
export function inferenceBatch(weights: Uint8Array, batchIn: Uint8Array, batchOut: Uint8Array): void {
  check.inferenceBatchArgs(weights, batchIn, batchOut);
  activeBackend().inferenceBatch(weights, batchIn, batchOut);
}

/** K6: envelope checks and binding hashes for TEE proofs (results = n × 48 B). */
export function proofVerify(ops: Uint8Array, results: Uint8Array): void {
  check.proofVerifyArgs(ops, results);
  activeBackend().proofVerify(ops, results);
}

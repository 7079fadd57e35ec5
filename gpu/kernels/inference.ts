/**
 * K5 inference_step (TS reference): the int8 32→16→1 classifier, one op per input row.
 *
 * Arithmetic is Go's: int32 accumulators that wrap (two's complement: `Math.imul` and `| 0`), a fixed
 * k order, an arithmetic (floor) right shift BEFORE the clamp to [-128, 127], no other activation.
 * Shift counts are 0..31 (checked before any kernel runs), so JS `>>` equals Go's `>>` here.
 *
 * Per op the result is zeroed first; status 1 = model_hash mismatch, 2 = input_len ≠ 32, 3 =
 * output_capacity < 1. [P] Where Go would index outside batch_in / batch_out (and panic), the op
 * gets status 2 / 3 instead; these checks run after Go's own, so every op Go accepts is unchanged.
 */
import { equalRange, Preimage } from '../hash.js';
import { readU32 } from '../arena.js';
import { HIDDEN, IN_DIM, InferenceOp as Op, InferenceResult as R, InferenceStatus, InferenceWeights as W, OUT_DIM } from '../layouts.js';
import { view } from '../struct.js';

/** The weights of one model, decoded once per call. */
export interface Classifier {
  w1: Int8Array;
  b1: Int32Array;
  w2: Int8Array;
  b2: Int32Array;
  shift1: number;
  shift2: number;
}

export function classifierOf(weights: Uint8Array): Classifier {
  const dv = view(weights);
  const i32s = (at: number, n: number) => Int32Array.from({ length: n }, (_, i) => dv.getInt32(at + 4 * i, true));
  return {
    w1: new Int8Array(weights.buffer, weights.byteOffset + W.offsets.w1, IN_DIM * HIDDEN),
    b1: i32s(W.offsets.b1, HIDDEN),
    w2: new Int8Array(weights.buffer, weights.byteOffset + W.offsets.w2, HIDDEN * OUT_DIM),
    b2: i32s(W.offsets.b2, OUT_DIM),
    shift1: dv.getInt8(W.offsets.shift1),
    shift2: dv.getInt8(W.offsets.shift2),
  };
}

function clampI8(v: number): number {
  return v > 127 ? 127 : v < -128 ? -128 : v;
}

/** Forward pass over `x` = 32 int8 values starting at `x[at]`; returns y (one int8). */
export function forward(m: Classifier, x: Int8Array, at: number): number {
  const h = new Int8Array(HIDDEN);
  for (let i = 0; i < HIDDEN; i++) {
    let acc = m.b1[i]!;
    const row = i * IN_DIM;
    for (let k = 0; k < IN_DIM; k++) acc = (acc + Math.imul(m.w1[row + k]!, x[at + k]!)) | 0;
    h[i] = clampI8(acc >> m.shift1);
  }
  let acc = m.b2[0]!;
  for (let k = 0; k < HIDDEN; k++) acc = (acc + Math.imul(m.w2[k]!, h[k]!)) | 0;
  return clampI8(acc >> m.shift2);
}

/** The batch entry point: the forward pass over every 32-byte row, batchOut[r] = y(row r); no ops, no commitments. */
export function inferenceBatchTs(weights: Uint8Array, batchIn: Uint8Array, batchOut: Uint8Array): void {
  const m = classifierOf(weights);
  const xs = new Int8Array(batchIn.buffer, batchIn.byteOffset, batchIn.length);
  for (let r = 0; r < batchOut.length; r++) batchOut[r] = forward(m, xs, r * IN_DIM) & 0xff;
}

export function inferenceStepTs(weights: Uint8Array, ops: Uint8Array, batchIn: Uint8Array, batchOut: Uint8Array, results: Uint8Array): void {
  const m = classifierOf(weights);
  const xs = new Int8Array(batchIn.buffer, batchIn.byteOffset, batchIn.length);
  const o = view(ops);
  const rv = view(results);
  const n = ops.length / Op.size;
  const inC = new Preimage(32 + IN_DIM);
  const outC = new Preimage(32 + OUT_DIM);
  const att = new Preimage(136);
  for (let i = 0; i < n; i++) {
    const op = i * Op.size;
    const r = i * R.size;
    results.fill(0, r, r + R.size);
    const setStatus = (s: number) => rv.setUint32(r + R.offsets.status, s, true);

    if (!equalRange(ops, op + Op.offsets.modelHash, weights, W.offsets.modelHash, 32)) {
      setStatus(InferenceStatus.ModelMismatch);
      continue;
    }
    if (readU32(ops, op + Op.offsets.inputLen) !== IN_DIM) {
      setStatus(InferenceStatus.BadInput);
      continue;
    }
    if (readU32(ops, op + Op.offsets.outputCapacity) < OUT_DIM) {
      setStatus(InferenceStatus.OutputCapacity);
      continue;
    }
    const inAt = readU32(ops, op + Op.offsets.inputOffset);
    if (inAt + IN_DIM > batchIn.length) {
      setStatus(InferenceStatus.BadInput);
      continue;
    }
    const outAt = readU32(ops, op + Op.offsets.outputOffset);
    if (outAt + OUT_DIM > batchOut.length) {
      setStatus(InferenceStatus.OutputCapacity);
      continue;
    }

    const y = forward(m, xs, inAt);
    batchOut[outAt] = y & 0xff;
    rv.setUint32(r + R.offsets.outputLen, OUT_DIM, true);

    const salt = ops.subarray(op + Op.offsets.salt, op + Op.offsets.salt + 32);
    const inputCommitment = inC.reset().put(salt).put(batchIn.subarray(inAt, inAt + IN_DIM)).hash();
    const outputCommitment = outC.reset().put(salt).put(Uint8Array.of(y & 0xff)).hash();
    results.set(inputCommitment, r + R.offsets.inputCommitment);
    results.set(outputCommitment, r + R.offsets.outputCommitment);
    if (readU32(ops, op + Op.offsets.mode) !== 0) {
      // 136 bytes: model_hash ‖ in_c ‖ out_c ‖ policy_hash ‖ u64 timestamp_ns.
      const root = att
        .reset()
        .put(ops.subarray(op + Op.offsets.modelHash, op + Op.offsets.modelHash + 32))
        .put(inputCommitment)
        .put(outputCommitment)
        .put(ops.subarray(op + Op.offsets.policyHash, op + Op.offsets.policyHash + 32))
        .u64(o.getBigUint64(op + Op.offsets.timestampNs, true))
        .hash();
      results.set(root, r + R.offsets.attestationRoot);
    }
    // status stays 0 (Ok)
  }
}

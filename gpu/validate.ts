/**
 * Argument checks shared by every backend. They run before dispatch, so a backend (TS today,
 * native/CUDA/Metal later) only ever sees well-formed buffers, and a refused call changes nothing.
 */
import { isPowerOfTwo } from './arena.js';
import { GpuError } from './errors.js';
import {
  AIVMEpochState,
  AIVMRoundDescriptor,
  AIVMTransitionResult,
  AnchorOp,
  Attestation,
  AttestationOp,
  AuditAnchor,
  IN_DIM,
  InferenceOp,
  InferenceResult,
  InferenceWeights,
  ModelOp,
  ModelRegistryEntry,
  OUT_DIM,
  ProofVerifyOp,
  ProofVerifyResult,
} from './layouts.js';

type AnyLayout = { readonly name: string; readonly size: number; count(buf: Uint8Array, what?: string): number };

/** One struct: exactly `layout.size` bytes. */
export function one(layout: AnyLayout, buf: unknown, what: string): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array) || buf.length !== layout.size) {
    const got = buf instanceof Uint8Array ? `${buf.length} bytes` : typeof buf;
    throw new GpuError('BufferSizeMismatch', `${what} must be one ${layout.name} (${layout.size} bytes), got ${got}`, {
      argument: what,
      expected: layout.size,
    });
  }
}

/** An array of structs: returns the count. */
export function many(layout: AnyLayout, buf: unknown, what: string): number {
  return layout.count(buf as Uint8Array, what);
}

/** A hashed arena: a whole number of slots, and a power-of-two slot count (or empty). */
export function arena(layout: AnyLayout, buf: unknown, what: string): number {
  const n = many(layout, buf, what);
  if (n !== 0 && !isPowerOfTwo(n)) {
    throw new GpuError('ArenaNotPowerOfTwo', `${what} has ${n} ${layout.name} slots; the open-addressing arena needs a power of two (e.g. 512, 1024)`, {
      argument: what,
      slots: n,
    });
  }
  return n;
}

/** A kernel's buffer argument, by parameter name (for noOverlap's message). */
export interface BufferArg {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Whether two views share at least one byte: the same underlying buffer and intersecting [byteOffset, byteOffset + byteLength) ranges. */
export function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteLength > 0 &&
    b.byteLength > 0 &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/**
 * A buffer the kernel writes must not share memory with any other of its buffer arguments: backends
 * differ in when they read an input relative to writing an output (a commitment hashed before or
 * after, threads racing on rows), so an overlap would make results backend-dependent. Views of one
 * ArrayBuffer are fine as long as their byte ranges do not intersect. (An arena that a kernel both
 * reads and updates in place is one argument, not an overlap.)
 */
export function noOverlap(kernel: string, out: BufferArg, ...ins: BufferArg[]): void {
  for (const arg of ins) {
    if (!overlaps(out.bytes, arg.bytes)) continue;
    const range = (b: Uint8Array) => `bytes ${b.byteOffset}..${b.byteOffset + b.byteLength}`;
    throw new GpuError(
      'BufferOverlap',
      `${kernel}: ${out.name} (${range(out.bytes)}) overlaps ${arg.name} (${range(arg.bytes)}) in the same ArrayBuffer, and ${kernel} writes ${out.name}; pass separate buffers (e.g. ${arg.name}.slice())`,
      { kernel, argument: out.name, overlaps: arg.name },
    );
  }
}

/** noOverlap for every written buffer against every other argument (the written ones included). */
function writtenApart(kernel: string, written: Record<string, unknown>, read: Record<string, unknown>): void {
  const args = (r: Record<string, unknown>) => Object.entries(r).map(([name, bytes]) => ({ name, bytes: bytes as Uint8Array }));
  const outs = args(written);
  const ins = args(read);
  outs.forEach((out, i) => noOverlap(kernel, out, ...outs.slice(i + 1), ...ins));
}

export function attestationApplyArgs(desc: unknown, ops: unknown, table: unknown): void {
  one(AIVMRoundDescriptor, desc, 'desc');
  many(AttestationOp, ops, 'ops');
  arena(Attestation, table, 'table');
  writtenApart('attestationApply', { table }, { desc, ops });
}

export function provenanceApplyArgs(desc: unknown, ops: unknown, models: unknown): void {
  one(AIVMRoundDescriptor, desc, 'desc');
  many(ModelOp, ops, 'ops');
  arena(ModelRegistryEntry, models, 'models');
  writtenApart('provenanceApply', { models }, { desc, ops });
}

export function anchorApplyArgs(desc: unknown, ops: unknown, anchors: unknown): void {
  one(AIVMRoundDescriptor, desc, 'desc');
  many(AnchorOp, ops, 'ops');
  many(AuditAnchor, anchors, 'anchors');
  writtenApart('anchorApply', { anchors }, { desc, ops });
}

export function epochTransitionArgs(desc: unknown, atts: unknown, models: unknown, anchors: unknown, epochState: unknown, result: unknown): void {
  one(AIVMRoundDescriptor, desc, 'desc');
  arena(Attestation, atts, 'atts');
  arena(ModelRegistryEntry, models, 'models');
  many(AuditAnchor, anchors, 'anchors');
  one(AIVMEpochState, epochState, 'epochState');
  one(AIVMTransitionResult, result, 'result');
  // atts gets its expired bits set; epochState and result are written; desc, models and anchors are only read.
  writtenApart('epochTransition', { atts, epochState, result }, { desc, models, anchors });
}

/** Model weights: one InferenceWeights with both shifts in 0..31 ([P]: Go would saturate larger counts). */
export function weightsArg(weights: unknown, what = 'weights'): asserts weights is Uint8Array {
  one(InferenceWeights, weights, what);
  for (const field of ['shift1', 'shift2'] as const) {
    const s = (weights[InferenceWeights.offsets[field]]! << 24) >> 24;
    if (s < 0 || s > 31) {
      throw new GpuError('InvalidShift', `${what}.${field} is ${s}; right shifts must be 0..31`, { field, value: s });
    }
  }
}

export function inferenceStepArgs(weights: unknown, ops: unknown, batchIn: unknown, batchOut: unknown, results: unknown): void {
  weightsArg(weights);
  const n = many(InferenceOp, ops, 'ops');
  const mismatch = (what: string, want: number, got: unknown) => {
    const len = got instanceof Uint8Array ? got.length : -1;
    if (len !== want) {
      throw new GpuError('BatchSizeMismatch', `${what} must be ${want} bytes for ${n} ops, got ${len < 0 ? typeof got : `${len} bytes`}`, {
        argument: what,
        expected: want,
      });
    }
  };
  mismatch('batchIn', n * IN_DIM, batchIn);
  mismatch('batchOut', n * OUT_DIM, batchOut);
  mismatch('results', n * InferenceResult.size, results);
  writtenApart('inferenceStep', { batchOut, results }, { weights, ops, batchIn });
}

export function inferenceBatchArgs(weights: unknown, batchIn: unknown, batchOut: unknown): void {
  weightsArg(weights);
  if (!(batchOut instanceof Uint8Array)) throw new GpuError('BatchSizeMismatch', `batchOut must be a Uint8Array of n int8 outputs, got ${typeof batchOut}`, { argument: 'batchOut' });
  const want = batchOut.length * IN_DIM;
  if (!(batchIn instanceof Uint8Array) || batchIn.length !== want) {
    const got = batchIn instanceof Uint8Array ? `${batchIn.length} bytes` : typeof batchIn;
    throw new GpuError('BatchSizeMismatch', `batchIn must be ${want} bytes (${batchOut.length} rows of ${IN_DIM} int8, one per batchOut byte), got ${got}`, {
      argument: 'batchIn',
      expected: want,
    });
  }
  writtenApart('inferenceBatch', { batchOut }, { weights, batchIn });
}

export function proofVerifyArgs(ops: unknown, results: unknown): void {
  const n = many(ProofVerifyOp, ops, 'ops');
  const len = results instanceof Uint8Array ? results.length : -1;
  if (len !== n * ProofVerifyResult.size) {
    throw new GpuError('BatchSizeMismatch', `results must be ${n * ProofVerifyResult.size} bytes (${n} ProofVerifyResult structs), got ${len < 0 ? typeof results : `${len} bytes`}`, {
      argument: 'results',
      expected: n * ProofVerifyResult.size,
    });
  }
  writtenApart('proofVerify', { results }, { ops });
}

/**
 * The parity harness: runs a kernel on the TS reference and on a backend under test, each over its
 * own copy of every argument, and expects identical return values and bytes; and the property
 * suite (fast-check, fixed seeds, inputs of parity-inputs.ts) that drives it for one backend.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as g from '../../gpu/index.js';
import * as gen from './parity-inputs.js';

type Kernel = Exclude<keyof g.KernelBackend, 'name' | 'describe' | 'selfTest'>;

/** Refuses the reference (or anything that is just its functions) as a backend under test. */
export function assertNotReference(b: g.KernelBackend): void {
  const kernels: Kernel[] = ['attestationApply', 'provenanceApply', 'anchorApply', 'epochTransition', 'inferenceStep', 'inferenceBatch', 'proofVerify'];
  if (b === g.tsBackend || b.name === 'ts' || kernels.some((k) => b[k] === g.tsBackend[k])) {
    throw new Error(`the backend under test is the TS reference itself (${b.name}): parity against it proves nothing`);
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  const i = a.findIndex((x, k) => x !== b[k]);
  return `byte ${i}: expected 0x${a[i]!.toString(16)} (TS) actual 0x${b[i]!.toString(16)}`;
}

/**
 * Runs `kernel` on the reference and on `b`, each over its own copy of every argument, and expects
 * the same return value and the same bytes in every argument afterwards.
 */
export function expectParity(b: g.KernelBackend, kernel: Kernel, args: Uint8Array[]): void {
  assertNotReference(b);
  const ref = args.map((a) => a.slice());
  const got = args.map((a) => a.slice());
  const want = (g.tsBackend[kernel] as (...a: Uint8Array[]) => unknown)(...ref);
  const have = (b[kernel] as (...a: Uint8Array[]) => unknown)(...got);
  expect(have, `${b.name}.${kernel} return value`).to.equal(want);
  ref.forEach((r, i) => {
    if (Buffer.compare(r, got[i]!) !== 0) expect.fail(`${b.name}.${kernel}: argument ${i} differs from the TS reference at ${firstDifference(r, got[i]!)}`);
  });
}

const RUNS = { seed: 0x10ba5e, numRuns: 120 };

/** The property suite for one backend (one `it` per kernel). */
export function parityProperties(b: g.KernelBackend): void {
  it('attestationApply: random arenas, re-used and colliding digests, zero keys, full tables, expiry edges', () => {
    const input = gen.keyPool.chain((pool) => gen.slotCounts.chain((slots) => fc.tuple(gen.attestationArena(pool, slots), gen.attestationOps(pool))));
    fc.assert(
      fc.property(input, gen.descriptor({ att: 40 }), ([table, ops], desc) => expectParity(b, 'attestationApply', [desc, ops, table])),
      RUNS,
    );
  });

  it('provenanceApply: colliding roots, unknown kinds, version saturation at 2^64-1, full tables', () => {
    const input = gen.keyPool.chain((pool) => gen.slotCounts.chain((slots) => fc.tuple(gen.modelArena(pool, slots), gen.modelOps(pool))));
    fc.assert(
      fc.property(input, gen.descriptor({ model: 40 }), ([models, ops], desc) => expectParity(b, 'provenanceApply', [desc, ops, models])),
      RUNS,
    );
  });

  it('anchorApply: chains, broken links, repeated heights, zero commits, overflowing arenas, gaps', () => {
    const input = gen.slotCounts.chain((slots) => gen.anchorArena(slots).chain((arena) => fc.tuple(fc.constant(arena), gen.anchorOps(arena))));
    fc.assert(
      fc.property(input, gen.descriptor({ anchor: 40 }), ([anchors, ops], desc) => expectParity(b, 'anchorApply', [desc, ops, anchors])),
      RUNS,
    );
  });

  it('epochTransition: expiries around the round time, pre-set bits, epoch + 1 wrapping, empty arenas, foreign bytes kept', () => {
    const input = gen.keyPool.chain((pool) =>
      fc.tuple(gen.slotCounts, gen.slotCounts, gen.slotCounts).chain(([na, nm, nn]) => fc.tuple(gen.attestationArena(pool, na), gen.modelArena(pool, nm), gen.anchorArena(nn), gen.epochBuffers)),
    );
    fc.assert(
      fc.property(input, gen.descriptor({}), ([atts, models, anchors, { epoch, result }], desc) => expectParity(b, 'epochTransition', [desc, atts, models, anchors, epoch, result])),
      RUNS,
    );
  });

  it('inferenceStep: shift 31, wrapping accumulators, clamping, bad lengths and offsets, aliased outputs, zero-length batches', () => {
    const input = fc
      .tuple(gen.weights, fc.nat({ max: 24 }))
      .chain(([w, n]) => fc.tuple(fc.constant(w), gen.inferenceOps(n, w.subarray(600, 632)), gen.rows(n), gen.bytes(n)));
    fc.assert(
      fc.property(input, ([w, ops, batchIn, batchOut]) => expectParity(b, 'inferenceStep', [w, ops, batchIn, batchOut, g.InferenceResult.alloc(batchOut.length)])),
      RUNS,
    );
  });

  it('inferenceBatch: the forward pass over every row, zero rows included', () => {
    const input = fc.tuple(gen.weights, fc.nat({ max: 64 })).chain(([w, n]) => fc.tuple(fc.constant(w), gen.rows(n), gen.bytes(n)));
    fc.assert(
      fc.property(input, ([w, batchIn, batchOut]) => expectParity(b, 'inferenceBatch', [w, batchIn, batchOut])),
      RUNS,
    );
  });

  it('proofVerify: zero fields, expiry edges, zero-length batches', () => {
    fc.assert(
      fc.property(gen.proofOps, (ops) => expectParity(b, 'proofVerify', [ops, g.ProofVerifyResult.alloc(ops.length / 240).fill(0xee)])),
      RUNS,
    );
  });
}


/**
 * A kernel refuses an output buffer that shares memory with another of its buffer arguments (views
 * of one ArrayBuffer whose byte ranges intersect) with BufferOverlap, before anything is written:
 * backends differ in when they read inputs relative to writing outputs (the TS inferenceStep hashed
 * batch_in after writing batch_out, the native one before; native inferenceBatch splits rows over
 * threads), so an overlapping call could not give one answer. Adjacent, non-intersecting views of
 * one ArrayBuffer are ordinary arguments and give the same bytes as separate buffers.
 */
import { expect } from 'chai';
import * as g from '../../gpu/index.js';
import { att, desc, hex, mk } from './fixtures.js';

const MODEL = mk(32, 0xc0);
const weights = () =>
  g.encodeInferenceWeights({
    modelHash: MODEL,
    modelConfigHash: mk(32, 0xd0),
    w1: Array.from({ length: 512 }, (_, i) => ((i * 7) % 11) - 5),
    b1: Array.from({ length: 16 }, (_, i) => i * 3 - 20),
    w2: Array.from({ length: 16 }, (_, i) => (i % 5) - 2),
    b2: [4],
    shift1: 2,
    shift2: 1,
  });
const inferenceOps = (n: number) =>
  g.encodeInferenceOp(
    Array.from({ length: n }, (_, i) => ({
      modelHash: MODEL,
      policyHash: mk(32, 0xe0),
      salt: mk(32, 0xf0 + i),
      mode: 0,
      inputOffset: 32 * i,
      inputLen: 32,
      outputOffset: i,
      outputCapacity: 1,
      roundId: BigInt(i + 1),
      timestampNs: 1_700_000_000_000_000_000n + BigInt(i),
    })),
  );
const rows = (n: number) => Uint8Array.from({ length: 32 * n }, (_, i) => (i * 37 + 11) & 0xff);

/** A byte-pattern-filled ArrayBuffer (so "unchanged" is not just "still zero"). */
const arrayBuffer = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 13 + 5) & 0xff).buffer;
const snapshot = (ab: ArrayBufferLike) => hex(new Uint8Array(ab.slice(0)));

function refused(call: () => unknown, ab: ArrayBufferLike, names: RegExp): void {
  const before = snapshot(ab);
  expect(call).to.throw(g.GpuError, names).with.property('name', 'BufferOverlap');
  expect(call).to.throw(/separate buffers/);
  expect(snapshot(ab), 'the shared buffer is unchanged').to.equal(before);
}

const N = 4;

for (const name of ['ts', 'native'] as const) {
  describe(`gpu buffer overlap (${name} backend)`, () => {
    beforeEach(function () {
      if (!g.availableBackends().includes(name)) this.skip();
      g.setBackend(name);
    });
    afterEach(() => g.setBackend('ts'));

    it('only intersecting byte ranges count: separate views of one ArrayBuffer, and empty views, are accepted', () => {
      const ab = arrayBuffer(64);
      expect(() => g.inferenceBatch(weights(), new Uint8Array(ab, 16, 32), new Uint8Array(ab, 48, 1))).to.not.throw();
      // an empty view inside another view's range shares no byte
      expect(() => g.inferenceStep(weights(), new Uint8Array(0), new Uint8Array(ab, 10, 0), new Uint8Array(ab, 10, 0), new Uint8Array(ab, 12, 0))).to.not.throw();
    });

    it('inferenceStep: batchOut overlapping batchIn is refused and nothing is written', () => {
      const ab = arrayBuffer(32 * N);
      const batchIn = new Uint8Array(ab, 0, 32 * N);
      const batchOut = new Uint8Array(ab, 32 * N - N, N); // the last N bytes of batchIn
      const results = g.InferenceResult.alloc(N).fill(0xcc);
      refused(() => g.inferenceStep(weights(), inferenceOps(N), batchIn, batchOut, results), ab, /inferenceStep: batchOut .* overlaps batchIn/);
      expect(results.every((b) => b === 0xcc), 'results untouched').to.equal(true);
    });

    it('inferenceStep: results overlapping ops, or batchOut overlapping results, is refused', () => {
      const opsBytes = inferenceOps(N);
      const ab = arrayBuffer(opsBytes.length + N * g.InferenceResult.size);
      const ops = new Uint8Array(ab, 0, opsBytes.length);
      ops.set(opsBytes);
      const results = new Uint8Array(ab, opsBytes.length - 1, N * g.InferenceResult.size); // one byte shared
      const batchOut = new Uint8Array(N).fill(0x77);
      refused(() => g.inferenceStep(weights(), ops, rows(N), batchOut, results), ab, /results .* overlaps ops/);
      expect(batchOut.every((b) => b === 0x77)).to.equal(true);

      const ab2 = arrayBuffer(N * g.InferenceResult.size);
      const results2 = new Uint8Array(ab2, 0, N * g.InferenceResult.size);
      const out2 = new Uint8Array(ab2, 5, N);
      refused(() => g.inferenceStep(weights(), inferenceOps(N), rows(N), out2, results2), ab2, /batchOut .* overlaps results/);
    });

    it('inferenceStep: adjacent views of one ArrayBuffer are accepted and match separate buffers', () => {
      const w = weights();
      const opsBytes = inferenceOps(N);
      const input = rows(N);
      const outA = new Uint8Array(N);
      const resA = g.InferenceResult.alloc(N);
      g.inferenceStep(w, opsBytes, input, outA, resA);

      // [weights | ops | batchIn | batchOut | results], back to back
      const sizes = [w.length, opsBytes.length, input.length, N, N * g.InferenceResult.size];
      const ab = arrayBuffer(sizes.reduce((a, b) => a + b));
      let at = 0;
      const [wv, ov, iv, outB, resB] = sizes.map((s) => {
        const v = new Uint8Array(ab, at, s);
        at += s;
        return v;
      }) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
      wv.set(w);
      ov.set(opsBytes);
      iv.set(input);
      g.inferenceStep(wv, ov, iv, outB, resB);
      expect(hex(outB)).to.equal(hex(outA));
      expect(hex(resB)).to.equal(hex(resA));
      expect(hex(iv), 'batchIn itself is not written').to.equal(hex(input));
    });

    it('inferenceBatch: batchOut overlapping batchIn (or the weights) is refused and nothing is written', () => {
      const ab = arrayBuffer(32 * N);
      const batchIn = new Uint8Array(ab, 0, 32 * N);
      refused(() => g.inferenceBatch(weights(), batchIn, new Uint8Array(ab, 0, N)), ab, /inferenceBatch: batchOut .* overlaps batchIn/);
      refused(() => g.inferenceBatch(weights(), new Uint8Array(ab, 0, 32), new Uint8Array(ab, 31, 1)), ab, /overlaps batchIn/); // one shared byte

      const w = weights();
      const wab = new ArrayBuffer(w.length);
      const wv = new Uint8Array(wab);
      wv.set(w);
      refused(() => g.inferenceBatch(wv, rows(1), new Uint8Array(wab, 100, 1)), wab, /batchOut .* overlaps weights/);
    });

    it('inferenceBatch: adjacent views of one ArrayBuffer are accepted and match separate buffers', () => {
      const w = weights();
      const input = rows(N);
      const outA = new Uint8Array(N);
      g.inferenceBatch(w, input, outA);
      const ab = arrayBuffer(32 * N + N);
      const iv = new Uint8Array(ab, 0, 32 * N);
      iv.set(input);
      const outB = new Uint8Array(ab, 32 * N, N);
      g.inferenceBatch(w, iv, outB);
      expect(hex(outB)).to.equal(hex(outA));
    });

    it('attestationApply: a table overlapping ops or desc is refused and the arena is unchanged', () => {
      const opsBytes = g.encodeAttestationOp([att(1), att(2)]);
      const tableBytes = g.Attestation.size * 8;
      const ab = arrayBuffer(tableBytes + opsBytes.length);
      const table = new Uint8Array(ab, 0, tableBytes).fill(0);
      const ops = new Uint8Array(ab, tableBytes - 4, opsBytes.length); // shares 4 bytes with the last slot
      ops.set(opsBytes);
      refused(() => g.attestationApply(desc(1n, { att: 2 }), ops, table), ab, /attestationApply: table .* overlaps ops/);

      const d = desc(1n, { att: 2 });
      const dab = arrayBuffer(tableBytes);
      const dv = new Uint8Array(dab, 0, d.length);
      dv.set(d);
      refused(() => g.attestationApply(dv, opsBytes, new Uint8Array(dab, 0, tableBytes)), dab, /table .* overlaps desc/);
    });

    it('attestationApply: adjacent views (desc | ops | table) are accepted and match separate buffers', () => {
      const d = desc(1n, { att: 2 });
      const opsBytes = g.encodeAttestationOp([att(1), att(2)]);
      const tableA = g.Attestation.alloc(8);
      expect(g.attestationApply(d, opsBytes, tableA)).to.equal(2);

      const tableBytes = g.Attestation.size * 8;
      const ab = arrayBuffer(d.length + opsBytes.length + tableBytes);
      const dv = new Uint8Array(ab, 0, d.length);
      dv.set(d);
      const ov = new Uint8Array(ab, d.length, opsBytes.length);
      ov.set(opsBytes);
      const tableB = new Uint8Array(ab, d.length + opsBytes.length, tableBytes).fill(0);
      expect(g.attestationApply(dv, ov, tableB)).to.equal(2);
      expect(hex(tableB)).to.equal(hex(tableA));
    });

    it('epochTransition: result overlapping epochState (two outputs) or atts overlapping models is refused', () => {
      const d = desc(1n);
      const atts = g.Attestation.alloc(8);
      const models = g.ModelRegistryEntry.alloc(8);
      const anchors = g.AuditAnchor.alloc(4);
      const ab = arrayBuffer(g.AIVMEpochState.size + g.AIVMTransitionResult.size);
      const epochState = new Uint8Array(ab, 0, g.AIVMEpochState.size);
      const result = new Uint8Array(ab, g.AIVMEpochState.size - 8, g.AIVMTransitionResult.size);
      refused(() => g.epochTransition(d, atts, models, anchors, epochState, result), ab, /epochTransition: epochState .* overlaps result/);

      const big = arrayBuffer(g.Attestation.size * 8 + g.ModelRegistryEntry.size * 8);
      const attsV = new Uint8Array(big, 0, g.Attestation.size * 8);
      const modelsV = new Uint8Array(big, g.Attestation.size * 8 - g.ModelRegistryEntry.size, g.ModelRegistryEntry.size * 8);
      refused(() => g.epochTransition(d, attsV, modelsV, anchors, g.AIVMEpochState.alloc(), g.AIVMTransitionResult.alloc()), big, /atts .* overlaps models/);
    });

    it('proofVerify: results overlapping ops is refused', () => {
      const opsBytes = g.encodeProofVerifyOp([{ measurement: mk(32, 0x40), nonce: 7 }]);
      const ab = arrayBuffer(opsBytes.length + g.ProofVerifyResult.size);
      const ops = new Uint8Array(ab, 0, opsBytes.length);
      ops.set(opsBytes);
      const results = new Uint8Array(ab, 1, g.ProofVerifyResult.size);
      refused(() => g.proofVerify(ops, results), ab, /proofVerify: results .* overlaps ops/);
      expect(() => g.proofVerify(ops, new Uint8Array(ab, opsBytes.length, g.ProofVerifyResult.size))).to.not.throw();
    });
  });
}

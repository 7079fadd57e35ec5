/**
 * Port of upstream A2 `TestGPUBridgeCgoNocgoParity`: every public kernel function (dispatching to
 * the active backend) must produce bytes equal to the canonical TS reference called directly, on
 * the Go test's fixtures, with its sanity checks (≥1 attestation applied and ≥1 rejected, exactly 2
 * model ops, exactly 3 anchors, four non-zero roots, five proof statuses, non-zero binding hashes).
 * It also runs the same fixtures through a second backend registered the way a native addon would
 * (own copies of every buffer) to show the dispatch keeps results byte-identical.
 */
import { expect } from 'chai';
import * as g from '../../gpu/index.js';
import { isZero, mk } from './fixtures.js';

const TS = 1_700_000_000_000_000_000n;

function roundDescriptor(att: number, model: number, anchor: number, mode: number = g.RoundMode.FullRound): Uint8Array {
  return g.encodeRoundDescriptor({
    chainId: 1337n,
    round: 42n,
    timestampNs: TS,
    epoch: 7n,
    mode,
    attestationOpCount: att,
    modelOpCount: model,
    anchorOpCount: anchor,
    closingFlag: 1,
    parentAivmRoot: mk(32, 0xa0),
  });
}

const attestationOps = () =>
  g.encodeAttestationOp([
    { teeQuoteDigest: mk(32, 0x10), measurement: mk(32, 0x20), attestingKey: mk(48, 0x30), expiryNs: 2_000_000_000_000_000_000n, kind: 0, evidenceOffset: 0, evidenceLen: 256 },
    { teeQuoteDigest: mk(32, 0x11), measurement: mk(32, 0x21), attestingKey: mk(48, 0x31), expiryNs: 1_500_000_000_000_000_000n, kind: 1, evidenceOffset: 256, evidenceLen: 512 },
    { teeQuoteDigest: mk(32, 0x12), measurement: mk(32, 0x22), attestingKey: new Uint8Array(48), expiryNs: 2_000_000_000_000_000_000n },
  ]);

const modelOps = () =>
  g.encodeModelOp([
    { modelRoot: mk(32, 0x40), weightHash: mk(32, 0x50), licenseRoot: mk(32, 0x60), ownerAddr: mk(20, 0x70), parameterCount: 70_000_000_000n, modality: 0, kind: g.ModelOpKind.Register, epoch: 7 },
    { modelRoot: mk(32, 0x40), weightHash: mk(32, 0x51), licenseRoot: mk(32, 0x60), ownerAddr: mk(20, 0x70), parameterCount: 0n, modality: 0, kind: g.ModelOpKind.UpdateWeights, epoch: 7 },
    { modelRoot: new Uint8Array(32), weightHash: mk(32, 0x52), kind: g.ModelOpKind.Register },
  ]);

const anchorOps = () =>
  g.encodeAnchorOp([
    { commitRoot: mk(32, 0x80), parentRoot: new Uint8Array(32), validatorSetRootAtCommit: mk(32, 0x90), height: 1n, timestampNs: 1_600_000_000_000_000_000n },
    { commitRoot: mk(32, 0x81), parentRoot: mk(32, 0x80), validatorSetRootAtCommit: mk(32, 0x90), height: 2n, timestampNs: 1_650_000_000_000_000_000n },
    { commitRoot: mk(32, 0x82), parentRoot: mk(32, 0x81), validatorSetRootAtCommit: mk(32, 0x90), height: 3n, timestampNs: TS },
  ]);

function inferenceWeights(): Uint8Array {
  return g.encodeInferenceWeights({
    w1: Array.from({ length: 512 }, (_, i) => (i % 9) - 4),
    b1: Array.from({ length: 16 }, (_, i) => i * 10 - 50),
    w2: Array.from({ length: 16 }, (_, i) => (i % 7) - 3),
    b2: [-10],
    shift1: 4,
    shift2: 3,
    modelHash: mk(32, 0xc0),
    modelConfigHash: mk(32, 0xd0),
  });
}

const inferenceOps = (n: number) =>
  g.encodeInferenceOp(
    Array.from({ length: n }, (_, i) => ({
      modelHash: mk(32, 0xc0),
      policyHash: mk(32, 0xe0),
      salt: mk(32, 0xf0 + i),
      mode: i % 3,
      inputOffset: i * 32,
      inputLen: 32,
      outputOffset: i,
      outputCapacity: 4,
      roundId: BigInt(i + 1),
      timestampNs: TS + BigInt(i),
    })),
  );

const inferenceInputs = (n: number) => Uint8Array.from({ length: n * 32 }, (_, i) => ((i % 64) - 32) & 0xff);

const proofOps = () =>
  g.encodeProofVerifyOp([
    { measurement: mk(32, 0x40), attestingKey: mk(48, 0x50), signature: mk(96, 0x60), messageHash: mk(32, 0x70), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 0, nonce: 7 },
    { measurement: mk(32, 0x41), attestingKey: mk(48, 0x51), signature: mk(96, 0x61), messageHash: mk(32, 0x71), expiryNs: 1_500_000_000_000_000_000n, timestampNs: TS, kind: 1, nonce: 8 },
    { measurement: mk(32, 0x42), attestingKey: mk(48, 0x52), signature: new Uint8Array(96), messageHash: mk(32, 0x72), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 2, nonce: 9 },
    { measurement: mk(32, 0x43), attestingKey: new Uint8Array(48), signature: mk(96, 0x63), messageHash: mk(32, 0x73), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 3, nonce: 10 },
    { measurement: new Uint8Array(32), attestingKey: mk(48, 0x54), signature: mk(96, 0x64), messageHash: mk(32, 0x74), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 0, nonce: 11 },
  ]);

/** A stand-in for a native backend: runs the reference over private copies and copies results back. */
function copyingBackend(): g.KernelBackend {
  const copy = (b: Uint8Array) => b.slice();
  const back = (dst: Uint8Array, src: Uint8Array) => dst.set(src);
  const ts = g.tsBackend;
  return {
    name: 'native',
    attestationApply(desc, ops, table) {
      const t = copy(table);
      const n = ts.attestationApply(copy(desc), copy(ops), t);
      back(table, t);
      return n;
    },
    provenanceApply(desc, ops, models) {
      const t = copy(models);
      const n = ts.provenanceApply(copy(desc), copy(ops), t);
      back(models, t);
      return n;
    },
    anchorApply(desc, ops, anchors) {
      const t = copy(anchors);
      const n = ts.anchorApply(copy(desc), copy(ops), t);
      back(anchors, t);
      return n;
    },
    epochTransition(desc, atts, models, anchors, epochState, result) {
      const [a, m, n, e, r] = [atts, models, anchors, epochState, result].map(copy) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
      ts.epochTransition(copy(desc), a, m, n, e, r);
      back(atts, a);
      back(models, m);
      back(anchors, n);
      back(epochState, e);
      back(result, r);
    },
    inferenceStep(weights, ops, batchIn, batchOut, results) {
      const [o, r] = [copy(batchOut), copy(results)];
      ts.inferenceStep(copy(weights), copy(ops), copy(batchIn), o, r);
      back(batchOut, o);
      back(results, r);
    },
    proofVerify(ops, results) {
      const r = copy(results);
      ts.proofVerify(copy(ops), r);
      back(results, r);
    },
  };
}

function parity(label: string) {
  describe(`TestGPUBridgeCgoNocgoParity (${label})`, () => {
    it('AttestationApply: same table and count; ≥1 applied, ≥1 rejected (zero key)', () => {
      const ops = attestationOps();
      const desc = roundDescriptor(3, 0, 0);
      const ref = g.Attestation.alloc(16);
      const refApplied = g.tsBackend.attestationApply(desc, ops, ref);
      const got = g.Attestation.alloc(16);
      const gotApplied = g.attestationApply(desc, ops, got);
      expect(gotApplied).to.equal(refApplied);
      expect(got).to.deep.equal(ref);
      expect(gotApplied).to.be.greaterThan(0);
      expect(gotApplied).to.be.lessThan(3);
    });

    it('ProvenanceApply: same table; exactly 2 applied (Register + UpdateWeights)', () => {
      const ops = modelOps();
      const desc = roundDescriptor(0, 3, 0);
      const ref = g.ModelRegistryEntry.alloc(16);
      const refApplied = g.tsBackend.provenanceApply(desc, ops, ref);
      const got = g.ModelRegistryEntry.alloc(16);
      expect(g.provenanceApply(desc, ops, got)).to.equal(refApplied).and.to.equal(2);
      expect(got).to.deep.equal(ref);
    });

    it('AnchorApply: same table; exactly 3 chained anchors', () => {
      const ops = anchorOps();
      const desc = roundDescriptor(0, 0, 3);
      const ref = g.AuditAnchor.alloc(16);
      const refApplied = g.tsBackend.anchorApply(desc, ops, ref);
      const got = g.AuditAnchor.alloc(16);
      expect(g.anchorApply(desc, ops, got)).to.equal(refApplied).and.to.equal(3);
      expect(got).to.deep.equal(ref);
    });

    it('EpochTransition: same arenas, epoch state and result; all four roots non-zero', () => {
      const desc = roundDescriptor(0, 0, 0, g.RoundMode.Epoch);
      const popDesc = roundDescriptor(3, 3, 3);
      const arenas = () => {
        const atts = g.Attestation.alloc(16);
        const models = g.ModelRegistryEntry.alloc(8);
        const anchors = g.AuditAnchor.alloc(8);
        g.tsBackend.attestationApply(popDesc, attestationOps(), atts);
        g.tsBackend.provenanceApply(popDesc, modelOps(), models);
        g.tsBackend.anchorApply(popDesc, anchorOps(), anchors);
        return { atts, models, anchors, epoch: g.AIVMEpochState.alloc(), result: g.AIVMTransitionResult.alloc() };
      };
      const ref = arenas();
      g.tsBackend.epochTransition(desc, ref.atts, ref.models, ref.anchors, ref.epoch, ref.result);
      const got = arenas();
      g.epochTransition(desc, got.atts, got.models, got.anchors, got.epoch, got.result);
      expect(got).to.deep.equal(ref);
      const r = g.decodeTransitionResult(got.result);
      for (const root of ['attestationRoot', 'modelRegistryRoot', 'auditRoot', 'aivmStateRoot'] as const) expect(isZero(r[root]), root).to.equal(false);
      expect(r.epoch).to.equal(8n);
      expect([r.activeAttestations, r.expiredAttestations, r.modelCount, r.anchorCount]).to.deep.equal([1, 1, 1, 3]);
    });

    it('InferenceStep: same outputs and results; every status 0', () => {
      const n = 4;
      const w = inferenceWeights();
      const ops = inferenceOps(n);
      const input = inferenceInputs(n);
      const refOut = new Uint8Array(n);
      const refRes = g.InferenceResult.alloc(n);
      g.tsBackend.inferenceStep(w, ops, input, refOut, refRes);
      const gotOut = new Uint8Array(n);
      const gotRes = g.InferenceResult.alloc(n);
      g.inferenceStep(w, ops, input, gotOut, gotRes);
      expect(gotOut).to.deep.equal(refOut);
      expect(gotRes).to.deep.equal(refRes);
      expect(g.InferenceResult.decodeArray(gotRes).map((r) => r.status)).to.deep.equal([0, 0, 0, 0]);
    });

    it('ProofVerify: same results; the five fixtures give Ok, Expired, SigCheck, KeyZero, MeasureCheck; binding hashes non-zero', () => {
      const ops = proofOps();
      const ref = g.ProofVerifyResult.alloc(5);
      g.tsBackend.proofVerify(ops, ref);
      const got = g.ProofVerifyResult.alloc(5);
      g.proofVerify(ops, got);
      expect(got).to.deep.equal(ref);
      const res = g.ProofVerifyResult.decodeArray(got);
      const S = g.ProofStatus;
      expect(res.map((r) => r.status)).to.deep.equal([S.Ok, S.Expired, S.SigCheck, S.KeyZero, S.MeasureCheck]);
      expect(res.map((r) => r.kind)).to.deep.equal([0, 1, 2, 3, 0]);
      for (const r of res) expect(isZero(r.bindingHash)).to.equal(false);
    });
  });
}

describe('gpu backend parity', () => {
  parity('active backend: ts');

  describe('conformance()', () => {
    it('the reference and a copying backend are conformant', () => {
      expect(g.conformance(g.tsBackend)).to.deep.equal([]);
      expect(g.conformance(copyingBackend())).to.deep.equal([]);
    });

    it('names each kernel whose bytes differ', () => {
      const ts = g.tsBackend;
      const buggy: g.KernelBackend = {
        ...ts,
        name: 'cuda',
        // writes one output byte off by one
        inferenceStep(w, ops, batchIn, batchOut, results) {
          ts.inferenceStep(w, ops, batchIn, batchOut, results);
          batchOut[batchOut.length - 1]! += 1;
        },
        // drops the expired bit of the apply step
        attestationApply(desc, ops, table) {
          const n = ts.attestationApply(desc, ops, table);
          for (let s = 0; s < table.length; s += 144) table[s + 132]! &= ~4;
          return n;
        },
        // forgets the trailing u32 nonce of the binding hash
        proofVerify(ops, results) {
          ts.proofVerify(ops, results);
          results[8] ^= 0xff;
        },
      };
      expect(g.conformance(buggy).map((m) => m.kernel)).to.deep.equal(['attestationApply', 'attestationApply', 'inferenceStep', 'proofVerify']);
    });
  });

  describe('with a registered copying backend selected', () => {
    let unregister: () => void = () => {};
    before(() => {
      unregister = g.registerBackend(copyingBackend());
      expect(g.setBackend('native')).to.equal('native');
    });
    after(() => {
      unregister();
      g.setBackend('ts');
    });
    it('is the active backend', () => expect(g.backend()).to.equal('native'));
    parity('active backend: registered native stand-in');
  });
});

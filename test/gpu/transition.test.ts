/**
 * The four transition kernels (K1–K4) through the public API: per-op rules of spec §2.6, and the
 * roots checked against an independent oracle that builds each leaf by plain concatenation from
 * the decoded structs and hashes with noble's keccak.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import * as g from '../../gpu/index.js';
import { anchor, anchorChain, att, desc, hex, isZero, modelRegister, occupied, pattern, TS_1_7E18 } from './fixtures.js';

const le32 = (v: number) => Buffer.from(Uint32Array.of(v).buffer);
const le64 = (v: bigint) => Buffer.from(BigUint64Array.of(v).buffer);
const K = (...parts: Uint8Array[]) => keccak_256(Buffer.concat(parts));

function oracleFold(leaves: Uint8Array[]): Uint8Array {
  let acc: Uint8Array = new Uint8Array(32);
  for (const leaf of leaves) acc = K(acc, K(leaf));
  return acc;
}

/** Step 1 then step 2 of K4: expired-by-time entries get status bit 4, and the leaf hashes the new status. */
function oracleAttestationRoot(table: Uint8Array, ts: bigint) {
  let active = 0;
  let expired = 0;
  const leaves = occupied(g.decodeAttestation, table, 144).map((a) => {
    const byTime = a.expiryNs !== 0n && a.expiryNs <= ts;
    const status = byTime ? (a.status | 4) >>> 0 : a.status;
    const exp = byTime || (status & 4) !== 0;
    if (exp) expired++;
    else if (status & 2) active++;
    return Buffer.concat([a.teeQuoteDigest, a.measurement, a.attestingKey, le64(a.expiryNs), le32(a.kind), le32(a.evidenceOffset), le32(a.evidenceLen), le32(status), le32(exp ? 1 : 0), le32(a.slot)]);
  });
  leaves.forEach((l) => expect(l.length).to.equal(144));
  return { root: oracleFold(leaves), active, expired };
}

function oracleModelRoot(table: Uint8Array) {
  const leaves = occupied(g.decodeModelRegistryEntry, table, 160).map((m) =>
    Buffer.concat([m.modelRoot, m.weightHash, m.licenseRoot, m.ownerAddr, le64(m.version), le64(m.parameterCount), le32(m.modality), le32(m.slot)]),
  );
  leaves.forEach((l) => expect(l.length).to.equal(140));
  return { root: oracleFold(leaves), count: leaves.length };
}

function oracleAuditRoot(table: Uint8Array) {
  const leaves = occupied(g.decodeAuditAnchor, table, 128).map((a) =>
    Buffer.concat([a.commitRoot, a.parentRoot, a.validatorSetRootAtCommit, le64(a.height), le64(a.timestampNs), le32(a.slot)]),
  );
  leaves.forEach((l) => expect(l.length).to.equal(116));
  return { root: oracleFold(leaves), count: leaves.length };
}

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** A random arena: each slot occupied or not, with random contents (occupied 1 or any non-zero value). */
function arenaArb<T>(slots: number, entry: fc.Arbitrary<T>, encode: (v: T[]) => Uint8Array) {
  return fc.array(entry, { minLength: slots, maxLength: slots }).map(encode);
}

const attestationEntry = fc.record({
  teeQuoteDigest: bytes(32),
  measurement: bytes(32),
  attestingKey: bytes(48),
  expiryNs: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 3000n })),
  kind: fc.integer({ min: 0, max: 3 }),
  evidenceOffset: u32,
  evidenceLen: u32,
  status: fc.integer({ min: 0, max: 7 }),
  occupied: fc.oneof(fc.constant(0), fc.constant(1), u32),
});
const modelEntry = fc.record({
  modelRoot: bytes(32),
  weightHash: bytes(32),
  licenseRoot: bytes(32),
  ownerAddr: bytes(20),
  version: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  parameterCount: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  modality: fc.integer({ min: 0, max: 3 }),
  occupied: fc.oneof(fc.constant(0), fc.constant(1)),
});
const anchorEntry = fc.record({
  commitRoot: bytes(32),
  parentRoot: bytes(32),
  validatorSetRootAtCommit: bytes(32),
  height: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  timestampNs: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  occupied: fc.oneof(fc.constant(0), fc.constant(1)),
});

describe('gpu transition kernels (K1–K4)', () => {
  describe('K1 attestation_apply', () => {
    it('processes min(desc.attestation_op_count, ops) ops', () => {
      const ops = g.encodeAttestationOp([att(1), att(2), att(3)]);
      const t1 = g.Attestation.alloc(16);
      expect(g.attestationApply(desc(1n, { att: 2 }), ops, t1)).to.equal(2);
      expect(occupied(g.decodeAttestation, t1, 144).length).to.equal(2);
      const t2 = g.Attestation.alloc(16);
      expect(g.attestationApply(desc(1n, { att: 99 }), ops, t2)).to.equal(3);
      const t3 = g.Attestation.alloc(16);
      expect(g.attestationApply(desc(1n, { att: 0 }), ops, t3)).to.equal(0);
      expect(isZero(t3)).to.equal(true);
    });

    it('copies the op fields, marks verified, and expired exactly when expiry ≤ timestamp', () => {
      const ts = 1000n;
      const cases: [bigint, number][] = [
        [0n, 0x2],
        [999n, 0x6],
        [1000n, 0x6],
        [1001n, 0x2],
      ];
      for (const [expiry, status] of cases) {
        const op = { ...att(5, 3, expiry), evidenceOffset: 77, evidenceLen: 88, epoch: 4 };
        const t = g.Attestation.alloc(8);
        expect(g.attestationApply(desc(1n, { att: 1 }, { timestampNs: ts }), g.encodeAttestationOp(op), t)).to.equal(1);
        const [a] = occupied(g.decodeAttestation, t, 144);
        expect(a!.slot).to.equal(g.homeSlot(op.teeQuoteDigest!, 0, 8));
        expect({ ...a, slot: undefined }).to.deep.equal({
          teeQuoteDigest: op.teeQuoteDigest,
          measurement: op.measurement,
          attestingKey: op.attestingKey,
          expiryNs: expiry,
          kind: 3,
          evidenceOffset: 77,
          evidenceLen: 88,
          status,
          occupied: 1,
          slot: undefined,
        });
      }
    });

    it('an existing digest is refreshed in place (fields overwritten, expired bit cleared by a later expiry)', () => {
      const t = g.Attestation.alloc(8);
      const first = att(9, 0, 10n);
      g.attestationApply(desc(1n, { att: 1 }, { timestampNs: 100n }), g.encodeAttestationOp(first), t);
      expect(occupied(g.decodeAttestation, t, 144)[0]!.status).to.equal(0x6);
      const again = { ...att(9, 2, 500n), teeQuoteDigest: first.teeQuoteDigest, measurement: pattern(32, (i) => 200 - i) };
      expect(g.attestationApply(desc(2n, { att: 1 }, { timestampNs: 100n }), g.encodeAttestationOp(again), t)).to.equal(1);
      const all = occupied(g.decodeAttestation, t, 144);
      expect(all.length).to.equal(1);
      expect(all[0]!.status).to.equal(0x2);
      expect(all[0]!.kind).to.equal(2);
      expect(hex(all[0]!.measurement)).to.equal(hex(again.measurement));
    });

    it('a full arena refuses new digests (not counted) and keeps refreshing known ones', () => {
      const t = g.Attestation.alloc(2);
      expect(g.attestationApply(desc(1n, { att: 3 }), g.encodeAttestationOp([att(1), att(2), att(3)]), t)).to.equal(2);
      expect(g.attestationApply(desc(2n, { att: 2 }), g.encodeAttestationOp([att(4), att(1)]), t)).to.equal(1);
    });

    it('an empty arena applies nothing', () => {
      expect(g.attestationApply(desc(1n, { att: 1 }), g.encodeAttestationOp(att(1)), new Uint8Array(0))).to.equal(0);
    });
  });

  describe('K2 provenance_apply', () => {
    const run = (models: Uint8Array, ops: g.ModelOpInput[]) => g.provenanceApply(desc(1n, { model: ops.length }), g.encodeModelOp(ops), models);

    it('Register inserts with version 1 and all fields; re-Register resets version to 1', () => {
      const t = g.ModelRegistryEntry.alloc(8);
      const reg = { ...modelRegister(2, 123n), modality: g.Modality.Audio };
      expect(run(t, [reg, { ...reg, kind: 1 }, { ...reg, kind: 1 }])).to.equal(3);
      expect(occupied(g.decodeModelRegistryEntry, t, 160)[0]!.version).to.equal(3n);
      const reg2 = { ...modelRegister(3, 5n), modelRoot: reg.modelRoot };
      expect(run(t, [reg2])).to.equal(1);
      const [m] = occupied(g.decodeModelRegistryEntry, t, 160);
      expect(m!.version).to.equal(1n);
      expect(m!.parameterCount).to.equal(5n);
      expect(m!.modality).to.equal(g.Modality.Text);
      expect(hex(m!.ownerAddr)).to.equal(hex(reg2.ownerAddr!));
    });

    it('UpdateWeights replaces parameter_count only when the op carries a non-zero one, and nothing else', () => {
      const t = g.ModelRegistryEntry.alloc(8);
      const reg = modelRegister(4, 1000n);
      run(t, [reg]);
      run(t, [{ ...reg, kind: 1, parameterCount: 0n, licenseRoot: pattern(32, () => 1), ownerAddr: pattern(20, () => 2), modality: 3 }]);
      let [m] = occupied(g.decodeModelRegistryEntry, t, 160);
      expect(m!.parameterCount).to.equal(1000n);
      expect(hex(m!.licenseRoot)).to.equal(hex(reg.licenseRoot!));
      expect(hex(m!.ownerAddr)).to.equal(hex(reg.ownerAddr!));
      expect(m!.modality).to.equal(0);
      run(t, [{ ...reg, kind: 1, parameterCount: 7n }]);
      [m] = occupied(g.decodeModelRegistryEntry, t, 160);
      expect(m!.parameterCount).to.equal(7n);
      expect(m!.version).to.equal(3n);
    });

    it('unknown kinds are skipped and not counted; a zero weight_hash skips every kind', () => {
      const t = g.ModelRegistryEntry.alloc(8);
      const reg = modelRegister(5);
      run(t, [reg]);
      const before = t.slice();
      expect(run(t, [{ ...reg, kind: 4 }, { ...reg, kind: 0xffffffff }])).to.equal(0);
      expect(run(t, [{ ...reg, kind: g.ModelOpKind.Transfer, weightHash: new Uint8Array(32), ownerAddr: pattern(20, () => 9) }])).to.equal(0);
      expect(t).to.deep.equal(before);
    });

    it('a full model arena refuses a new Register', () => {
      const t = g.ModelRegistryEntry.alloc(2);
      expect(run(t, [modelRegister(1), modelRegister(2), modelRegister(3)])).to.equal(2);
    });
  });

  describe('K3 anchor_apply', () => {
    const run = (anchors: Uint8Array, ops: g.AnchorOpInput[]) => g.anchorApply(desc(1n, { anchor: ops.length }), g.encodeAnchorOp(ops), anchors);

    it('the first anchor is unconstrained; later ones extend the chain at the first free slot', () => {
      const t = g.AuditAnchor.alloc(8);
      const first = { ...anchor(0, pattern(32, () => 0x5a)), epoch: 3 };
      expect(run(t, [first])).to.equal(1);
      const next = anchorChain([1, 2], first.commitRoot!);
      expect(run(t, next)).to.equal(2);
      const all = occupied(g.decodeAuditAnchor, t, 128);
      expect(all.map((a) => a.slot)).to.deep.equal([0, 1, 2]);
      expect(all.map((a) => a.height)).to.deep.equal([0n, 1n, 2n]);
      expect(hex(all[0]!.parentRoot)).to.equal(hex(first.parentRoot!));
      expect(all[1]!.timestampNs).to.equal(next[0]!.timestampNs);
      expect(hex(all[1]!.validatorSetRootAtCommit)).to.equal(hex(next[0]!.validatorSetRootAtCommit!));
    });

    it('a full arena stops the batch: later (even valid) ops are not examined', () => {
      const t = g.AuditAnchor.alloc(2);
      expect(run(t, anchorChain([1, 2, 3, 4]))).to.equal(2);
      expect(run(t, anchorChain([3], occupied(g.decodeAuditAnchor, t, 128)[1]!.commitRoot))).to.equal(0);
    });

    it('skips a zero commit root, a wrong parent, and a non-increasing height, then continues', () => {
      const t = g.AuditAnchor.alloc(8);
      const [a1, a2] = anchorChain([5, 6]);
      const zero = { ...a2!, commitRoot: new Uint8Array(32) };
      const wrongParent = { ...a2!, parentRoot: pattern(32, () => 1) };
      const sameHeight = { ...a2!, height: 5n };
      expect(run(t, [a1!, zero, wrongParent, sameHeight, a2!])).to.equal(2);
    });

    it('an empty anchor arena applies nothing', () => {
      expect(run(new Uint8Array(0), anchorChain([1]))).to.equal(0);
    });
  });

  describe('K4 epoch_transition', () => {
    it('roots and counts equal the independent oracle on random arenas (property)', () => {
      fc.assert(
        fc.property(
          arenaArb(8, attestationEntry, g.encodeAttestation),
          arenaArb(4, modelEntry, g.encodeModelRegistryEntry),
          arenaArb(4, anchorEntry, g.encodeAuditAnchor),
          fc.bigInt({ min: 0n, max: 3000n }),
          fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          fc.integer({ min: 0, max: 1 }),
          bytes(32),
          (atts, models, anchors, ts, epoch, closing, parent) => {
            const expectedAtts = oracleAttestationRoot(atts, ts);
            const expectedTable = g.Attestation.decodeArray(atts).map((a) =>
              a.occupied !== 0 && a.expiryNs !== 0n && a.expiryNs <= ts ? { ...a, status: (a.status | 4) >>> 0 } : a,
            );
            const expectedModels = oracleModelRoot(models);
            const expectedAudit = oracleAuditRoot(anchors);
            const prevEpoch = 41n;
            const epochState = g.encodeEpochState({ currentEpoch: prevEpoch, nextEpochHeight: 999n });
            const result = g.encodeTransitionResult({ attestationApplyCount: 5, modelApplyCount: 6, anchorApplyCount: 7 });
            const d = desc(1n, {}, { timestampNs: ts, epoch, closingFlag: closing, parentAivmRoot: parent });
            g.epochTransition(d, atts, models, anchors, epochState, result);

            expect(g.Attestation.decodeArray(atts)).to.deep.equal(expectedTable);
            const e = g.decodeEpochState(epochState);
            const r = g.decodeTransitionResult(result);
            const currentEpoch = closing ? BigInt.asUintN(64, epoch + 1n) : prevEpoch;
            const stateRoot = K(parent, expectedAtts.root, expectedModels.root, expectedAudit.root, le64(currentEpoch), le32(expectedAtts.active), le32(expectedModels.count), le32(expectedAudit.count));
            expect(e).to.deep.equal({
              currentEpoch,
              nextEpochHeight: 999n,
              totalActiveAttestations: BigInt(expectedAtts.active),
              activeModelCount: expectedModels.count,
              expiredAttestationCount: expectedAtts.expired,
              attestationRoot: expectedAtts.root,
              modelRegistryRoot: expectedModels.root,
              auditRoot: expectedAudit.root,
              aivmStateRoot: stateRoot,
            });
            expect(r).to.deep.equal({
              status: 1,
              attestationApplyCount: 5,
              modelApplyCount: 6,
              anchorApplyCount: 7,
              activeAttestations: expectedAtts.active,
              expiredAttestations: expectedAtts.expired,
              modelCount: expectedModels.count,
              anchorCount: expectedAudit.count,
              epoch: currentEpoch,
              totalModels: BigInt(expectedModels.count),
              totalAnchors: BigInt(expectedAudit.count),
              attestationRoot: expectedAtts.root,
              modelRegistryRoot: expectedModels.root,
              auditRoot: expectedAudit.root,
              aivmStateRoot: stateRoot,
            });
          },
        ),
        { numRuns: 60 },
      );
    });

    it('sets the expired bit of occupied attestations whose expiry passed, and only those', () => {
      const t = g.encodeAttestation([
        { teeQuoteDigest: pattern(32, () => 1), expiryNs: 50n, status: 2, occupied: 1 },
        { teeQuoteDigest: pattern(32, () => 2), expiryNs: 150n, status: 2, occupied: 1 },
        { teeQuoteDigest: pattern(32, () => 3), expiryNs: 0n, status: 2, occupied: 1 },
        { teeQuoteDigest: pattern(32, () => 4), expiryNs: 50n, status: 2, occupied: 0 },
      ]);
      const result = g.AIVMTransitionResult.alloc();
      g.epochTransition(desc(1n, {}, { timestampNs: 100n }), t, g.ModelRegistryEntry.alloc(0), g.AuditAnchor.alloc(0), g.AIVMEpochState.alloc(), result);
      expect(g.Attestation.decodeArray(t).map((a) => a.status)).to.deep.equal([6, 2, 2, 2]);
      const r = g.decodeTransitionResult(result);
      expect([r.activeAttestations, r.expiredAttestations]).to.deep.equal([2, 1]);
    });

    it('the slot index enters the leaf: the same entry in another slot gives another root', () => {
      const entry = { modelRoot: pattern(32, () => 7), weightHash: pattern(32, () => 8), version: 1n, occupied: 1 };
      const a = g.ModelRegistryEntry.alloc(4);
      const b = g.ModelRegistryEntry.alloc(4);
      g.ModelRegistryEntry.encodeInto(a, 1, entry);
      g.ModelRegistryEntry.encodeInto(b, 2, entry);
      expect(hex(g.modelRegistryRoot(a).root)).to.not.equal(hex(g.modelRegistryRoot(b).root));
      expect(hex(g.modelRegistryRoot(a).root)).to.equal(hex(oracleModelRoot(a).root));
    });

    it('the parent root and the epoch change the state root; the arena roots do not depend on them', () => {
      const run = (over: g.RoundDescriptorInput) => {
        const result = g.AIVMTransitionResult.alloc();
        const s = g.createArenas({ attestations: 4, models: 4, anchors: 4 });
        g.epochTransition(desc(1n, {}, over), s.attestations, s.models, s.anchors, s.epochState, result);
        return g.decodeTransitionResult(result);
      };
      const base = run({});
      expect(hex(run({ parentAivmRoot: pattern(32, () => 1) }).aivmStateRoot)).to.not.equal(hex(base.aivmStateRoot));
      expect(hex(run({ epoch: 5n }).aivmStateRoot)).to.not.equal(hex(base.aivmStateRoot));
      expect(hex(run({ closingFlag: 0 }).aivmStateRoot)).to.not.equal(hex(base.aivmStateRoot));
      expect(hex(run({ epoch: 5n }).auditRoot)).to.equal(hex(base.auditRoot));
    });

    it('a populated round matches the oracle end to end (C++ basic workload)', () => {
      const s = g.createArenas();
      const d = desc(1n, { att: 8, model: 4, anchor: 3 }, { parentAivmRoot: pattern(32, (i) => 0xa0 + i) });
      const result = g.runRound(s, d, {
        attestations: g.encodeAttestationOp([1, 2, 3, 4, 5, 6, 7, 8].map((i) => att(i, i % 4, i === 3 ? 1n : 0n))),
        models: g.encodeModelOp([1, 2, 3, 4].map((i) => modelRegister(i))),
        anchors: g.encodeAnchorOp(anchorChain([1, 2, 3])),
      });
      const r = g.decodeTransitionResult(result);
      const oa = oracleAttestationRoot(s.attestations, TS_1_7E18);
      expect(hex(r.attestationRoot)).to.equal(hex(oa.root));
      expect([r.activeAttestations, r.expiredAttestations]).to.deep.equal([7, 1]);
      expect(hex(r.modelRegistryRoot)).to.equal(hex(oracleModelRoot(s.models).root));
      expect(hex(r.auditRoot)).to.equal(hex(oracleAuditRoot(s.anchors).root));
    });
  });
});

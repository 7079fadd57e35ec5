/**
 * Port of upstream A4 `aivm_layout_test.cpp`: the sixteen CPU-reference checks (the seven layout
 * checks are in layout.test.ts), run through the round driver over default-sized arenas. Includes
 * the COVERAGE extras: version saturation, pre-set expired bit, anchor arena overflow past 4096,
 * height monotonicity, and the hash-collision probe path.
 */
import { expect } from 'chai';
import * as g from '../../gpu/index.js';
import { anchor, anchorChain, att, desc, hex, isZero, modelRegister, occupied, pattern, TS_1_7E18 } from './fixtures.js';

interface Ops {
  att?: g.AttestationOpInput[];
  model?: g.ModelOpInput[];
  anchor?: g.AnchorOpInput[];
}

/** One round with the descriptor's op counts set to the ops given (upstream's driver takes whole spans). */
function round(state: g.AivmArenas, roundNo: number, ops: Ops = {}, over: g.RoundDescriptorInput = {}): g.TransitionResultValue {
  const d = desc(BigInt(roundNo), { att: ops.att?.length, model: ops.model?.length, anchor: ops.anchor?.length }, over);
  const result = g.runRound(state, d, {
    attestations: g.encodeAttestationOp(ops.att ?? []),
    models: g.encodeModelOp(ops.model ?? []),
    anchors: g.encodeAnchorOp(ops.anchor ?? []),
  });
  expect(result.length).to.equal(192);
  return g.decodeTransitionResult(result);
}

const models = (s: g.AivmArenas) => occupied(g.decodeModelRegistryEntry, s.models, 160);
const atts = (s: g.AivmArenas) => occupied(g.decodeAttestation, s.attestations, 144);

/** The spec's FNV index over the first 8 digest bytes, in BigInt (independent of the implementation). */
function fnvIndex(key: bigint, mask: number): number {
  const h = BigInt.asUintN(64, (0xcbf29ce484222325n ^ key) * 0x100000001b3n);
  return Number(h & 0xffffffffn) & mask;
}

describe('AIVM CPU reference (port of aivm_layout_test)', () => {
  it('cpu_reference_basic: 8 attestations, 4 models, 3 anchors; two states give identical roots', () => {
    const ops: Ops = {
      att: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => att(i, i % 4)),
      model: [1, 2, 3, 4].map((i) => modelRegister(i)),
      anchor: anchorChain([1, 2, 3]),
    };
    const r1 = round(g.createArenas(), 1, ops);
    const r2 = round(g.createArenas(), 1, ops);
    expect(r1.status).to.equal(1);
    expect([r1.attestationApplyCount, r1.modelApplyCount, r1.anchorApplyCount]).to.deep.equal([8, 4, 3]);
    for (const root of ['attestationRoot', 'modelRegistryRoot', 'auditRoot', 'aivmStateRoot'] as const) {
      expect(hex(r1[root]), root).to.equal(hex(r2[root]));
      expect(isZero(r1[root]), root).to.equal(false);
    }
    expect(r1.epoch).to.equal(1n);
    expect([r1.activeAttestations, r1.modelCount, r1.anchorCount]).to.deep.equal([8, 4, 3]);
  });

  it('cpu_reference_expiry_excludes: ts=100, expiry 1 → 1 expired, 1 active', () => {
    const r = round(g.createArenas(), 1, { att: [att(1, 0, 1n), att(2, 0, 0n)] }, { timestampNs: 100n });
    expect(r.attestationApplyCount).to.equal(2);
    expect(r.expiredAttestations).to.equal(1);
    expect(r.activeAttestations).to.equal(1);
  });

  it('cpu_reference_wrong_attkey_rejected: a zero attesting key is not applied', () => {
    const bad = { ...att(1), attestingKey: new Uint8Array(48) };
    const state = g.createArenas();
    const r = round(state, 1, { att: [bad, att(2)] });
    expect(r.attestationApplyCount).to.equal(1);
    expect(r.activeAttestations).to.equal(1);
    expect(atts(state).map((a) => hex(a.teeQuoteDigest))).to.deep.equal([hex(att(2).teeQuoteDigest!)]);
  });

  it('cpu_reference_anchor_chain: 5 chained anchors apply, then a bad parent gives 0', () => {
    const state = g.createArenas();
    const r = round(state, 1, { anchor: anchorChain([1, 2, 3, 4, 5]) });
    expect(r.anchorApplyCount).to.equal(5);
    expect(r.anchorCount).to.equal(5);
    const bad: g.AnchorOpInput = {
      commitRoot: pattern(32, (i) => i + 1),
      parentRoot: new Uint8Array(32).fill(0xff),
      height: 6n,
      timestampNs: TS_1_7E18 + 100n,
    };
    const r2 = round(state, 2, { anchor: [bad] }, { epoch: 1n });
    expect(r2.anchorApplyCount).to.equal(0);
    expect(r2.anchorCount).to.equal(5);
  });

  it('cpu_reference_empty_round: deterministic, non-zero state root, epoch 1', () => {
    const r1 = round(g.createArenas(), 1);
    const r2 = round(g.createArenas(), 1);
    expect(hex(r1.aivmStateRoot)).to.equal(hex(r2.aivmStateRoot));
    expect(isZero(r1.aivmStateRoot)).to.equal(false);
    expect(r1.epoch).to.equal(1n);
    // all three arena roots are the zero accumulator
    expect(isZero(r1.attestationRoot) && isZero(r1.modelRegistryRoot) && isZero(r1.auditRoot)).to.equal(true);
  });

  it('cpu_reference_model_update: register + update weights + update license → 3 applied, version 2', () => {
    const reg = modelRegister(1, 1000n);
    const upd = { ...reg, kind: g.ModelOpKind.UpdateWeights, weightHash: pattern(32, (i) => 0xab ^ i) };
    const lic = { ...reg, kind: g.ModelOpKind.UpdateLicense, licenseRoot: pattern(32, (i) => 0xcd ^ i) };
    const state = g.createArenas();
    const r = round(state, 1, { model: [reg, upd, lic] });
    expect(r.modelApplyCount).to.equal(3);
    expect(r.modelCount).to.equal(1);
    const [m] = models(state);
    expect(m!.version).to.equal(2n);
    expect(hex(m!.weightHash)).to.equal(hex(upd.weightHash));
    expect(hex(m!.licenseRoot)).to.equal(hex(lic.licenseRoot));
    expect(m!.parameterCount).to.equal(1000n);
  });

  it('cpu_reference_model_transfer: owner changes, weight stays; transfer of an unknown root is a no-op', () => {
    const reg = modelRegister(7, 4242n);
    const xfer = { ...reg, kind: g.ModelOpKind.Transfer, ownerAddr: pattern(20, (i) => 0xe0 + i) };
    const state = g.createArenas();
    const r = round(state, 1, { model: [reg, xfer] });
    expect(r.modelApplyCount).to.equal(2);
    expect(r.modelCount).to.equal(1);
    const [m] = models(state);
    expect(hex(m!.ownerAddr)).to.equal(hex(xfer.ownerAddr));
    expect(hex(m!.weightHash)).to.equal(hex(reg.weightHash!));
    expect(hex(m!.licenseRoot)).to.equal(hex(reg.licenseRoot!));

    const before = state.models.slice();
    const miss = { ...xfer, modelRoot: pattern(32, (i) => 0xa0 ^ i) };
    const r2 = round(state, 2, { model: [miss] }, { epoch: 1n });
    expect(r2.modelApplyCount).to.equal(0);
    expect(state.models).to.deep.equal(before);
  });

  it('cpu_reference_update_missing_model: UpdateWeights / UpdateLicense of unregistered roots are no-ops', () => {
    const updW: g.ModelOpInput = { modelRoot: pattern(32, (i) => 0x11 + i), weightHash: pattern(32, (i) => 0x22 + i), kind: g.ModelOpKind.UpdateWeights };
    const updL: g.ModelOpInput = {
      modelRoot: pattern(32, (i) => 0x33 + i),
      weightHash: pattern(32, (i) => 0x44 + i),
      licenseRoot: pattern(32, (i) => 0x55 + i),
      kind: g.ModelOpKind.UpdateLicense,
    };
    const r = round(g.createArenas(), 1, { model: [updW, updL] });
    expect(r.modelApplyCount).to.equal(0);
    expect(r.modelCount).to.equal(0);
  });

  it('cpu_reference_zero_input_skipped: zero digest / key / model root / weight / commit root are filtered', () => {
    const aZero: g.AttestationOpInput = { kind: 0, evidenceLen: 64 };
    const aZeroDigest: g.AttestationOpInput = { attestingKey: pattern(48, (i) => i + 1) };
    const mZeroRoot: g.ModelOpInput = { weightHash: pattern(32, (i) => i + 1), kind: g.ModelOpKind.Register };
    const mZeroWeight: g.ModelOpInput = { modelRoot: pattern(32, (i) => i + 1), kind: g.ModelOpKind.Register };
    const nZero: g.AnchorOpInput = { height: 1n };
    const r = round(g.createArenas(), 1, { att: [aZero, aZeroDigest], model: [mZeroRoot, mZeroWeight], anchor: [nZero] });
    expect([r.attestationApplyCount, r.modelApplyCount, r.anchorApplyCount]).to.deep.equal([0, 0, 0]);
    expect([r.activeAttestations, r.modelCount, r.anchorCount]).to.deep.equal([0, 0, 0]);
  });

  it('cpu_reference_uninitialised_state: empty arenas are sized to 1024 / 512 / 4096 first', () => {
    const s: g.AivmArenas = { attestations: new Uint8Array(0), models: new Uint8Array(0), anchors: new Uint8Array(0), epochState: new Uint8Array(0) };
    expect(round(s, 1).status).to.equal(1);
    expect([s.attestations.length / 144, s.models.length / 160, s.anchors.length / 128, s.epochState.length]).to.deep.equal([1024, 512, 4096, 160]);

    const atts16 = g.Attestation.alloc(16);
    const s2: g.AivmArenas = { attestations: atts16, models: new Uint8Array(0), anchors: new Uint8Array(0), epochState: g.AIVMEpochState.alloc() };
    expect(round(s2, 1).status).to.equal(1);
    expect(s2.attestations).to.equal(atts16); // a populated arena is kept as is
    expect([s2.models.length / 160, s2.anchors.length / 128]).to.deep.equal([512, 4096]);
  });

  it('cpu_reference_anchor_height_monotonic: a chained anchor with a lower height is refused, the next good one applies', () => {
    const a1 = anchor(10, new Uint8Array(32));
    const bad = anchor(5, a1.commitRoot!);
    const good = anchor(11, a1.commitRoot!);
    const equal = anchor(10, a1.commitRoot!);
    const r = round(g.createArenas(), 1, { anchor: [a1, bad, equal, good] });
    expect(r.anchorApplyCount).to.equal(2);
    expect(r.anchorCount).to.equal(2);
  });

  it('cpu_reference_hash_probe_collision: two roots with the same home slot; the second probes past the first', () => {
    const mask = g.DEFAULT_SLOTS.models - 1;
    const k1 = 1n;
    let k2 = 2n;
    while (fnvIndex(k2, mask) !== fnvIndex(k1, mask)) k2++;
    const rootWithKey = (k: bigint, tail: number) => {
      const r = new Uint8Array(32);
      for (let i = 0; i < 8; i++) r[i] = Number((k >> BigInt(8 * i)) & 0xffn);
      r[31] = tail;
      return r;
    };
    const m1: g.ModelOpInput = { modelRoot: rootWithKey(k1, 0x11), weightHash: pattern(32, (i) => 0xa0 + i), licenseRoot: pattern(32, (i) => 0xb0 + i), kind: 0 };
    const m2: g.ModelOpInput = { modelRoot: rootWithKey(k2, 0x22), weightHash: pattern(32, (i) => 0xc0 + i), licenseRoot: pattern(32, (i) => 0xd0 + i), kind: 0 };
    const state = g.createArenas();
    const r = round(state, 1, { model: [m1, m2] });
    expect(r.modelApplyCount).to.equal(2);
    expect(r.modelCount).to.equal(2);
    const home = fnvIndex(k1, mask);
    expect(models(state).map((m) => [m.slot, hex(m.modelRoot)])).to.deep.equal([
      [home, hex(m1.modelRoot!)],
      [(home + 1) & mask, hex(m2.modelRoot!)],
    ]);

    const upd1 = { ...m1, kind: g.ModelOpKind.UpdateLicense, licenseRoot: pattern(32, (i) => 0x10 ^ i) };
    const upd2 = { ...m2, kind: g.ModelOpKind.UpdateLicense, licenseRoot: pattern(32, (i) => 0x20 ^ i) };
    const r2 = round(state, 2, { model: [upd1, upd2] }, { epoch: 1n });
    expect(r2.modelApplyCount).to.equal(2);
    expect(models(state).map((m) => hex(m.licenseRoot))).to.deep.equal([hex(upd1.licenseRoot), hex(upd2.licenseRoot)]);
  });

  it('cpu_reference_anchor_arena_full: 4 × 1024 anchors fill the 4096 arena; one more is dropped', function () {
    this.timeout(30_000);
    const state = g.createArenas();
    let parent: Uint8Array = new Uint8Array(32);
    let height = 1;
    const chunk = (roundNo: number, count: number) => {
      const ops = anchorChain(
        Array.from({ length: count }, () => height++),
        parent,
      );
      parent = ops[ops.length - 1]!.commitRoot!;
      return round(state, roundNo, { anchor: ops }, { epoch: BigInt(roundNo - 1) });
    };
    for (let r = 1; r <= 4; r++) expect(chunk(r, 1024).anchorApplyCount).to.equal(1024);
    const over = chunk(5, 1);
    expect(over.anchorApplyCount).to.equal(0);
    expect(over.anchorCount).to.equal(4096);
  });

  it('cpu_reference_version_saturates: UpdateWeights at version 2^64-1 keeps 2^64-1', () => {
    const reg = modelRegister(11, 999n);
    const state = g.createArenas();
    expect(round(state, 1, { model: [reg] }).modelApplyCount).to.equal(1);
    const [m] = models(state);
    new DataView(state.models.buffer).setBigUint64(m!.slot * 160 + g.ModelRegistryEntry.offsets.version, 2n ** 64n - 1n, true);
    const upd = { ...reg, kind: g.ModelOpKind.UpdateWeights, weightHash: pattern(32, (i) => 0x77 + i) };
    expect(round(state, 2, { model: [upd] }, { epoch: 1n }).modelApplyCount).to.equal(1);
    expect(models(state)[0]!.version).to.equal(2n ** 64n - 1n);
    expect(hex(models(state)[0]!.weightHash)).to.equal(hex(upd.weightHash));
  });

  it('cpu_reference_already_expired_flag: a pre-set expired bit counts as expired without an expiry', () => {
    const state = g.createArenas();
    expect(round(state, 1, { att: [att(99, 0, 0n)] }).attestationApplyCount).to.equal(1);
    const [a] = atts(state);
    const at = a!.slot * 144 + g.Attestation.offsets.status;
    state.attestations[at] |= g.ATT_STATUS_EXPIRED;
    const r2 = round(state, 2, {}, { epoch: 1n });
    expect(r2.expiredAttestations).to.equal(1);
    expect(r2.activeAttestations).to.equal(0);
  });

  it('cpu_reference_modes: each mode runs only its kernel; epoch_transition always runs', () => {
    const state = g.createArenas();
    const a = att(1);
    const m = modelRegister(1);
    const n = anchor(1, new Uint8Array(32));
    const all: Ops = { att: [a], model: [m], anchor: [n] };

    const ra = round(state, 1, all, { mode: g.RoundMode.Attestation, closingFlag: 0 });
    expect([ra.attestationApplyCount, ra.modelApplyCount, ra.anchorApplyCount]).to.deep.equal([1, 0, 0]);
    const rm = round(state, 2, all, { mode: g.RoundMode.Provenance, closingFlag: 0 });
    expect([rm.attestationApplyCount, rm.modelApplyCount, rm.anchorApplyCount]).to.deep.equal([0, 1, 0]);
    const rn = round(state, 3, all, { mode: g.RoundMode.Anchor, closingFlag: 0 });
    expect([rn.attestationApplyCount, rn.modelApplyCount, rn.anchorApplyCount]).to.deep.equal([0, 0, 1]);
    expect([rn.activeAttestations, rn.modelCount, rn.anchorCount]).to.deep.equal([1, 1, 1]);
    expect(rn.epoch).to.equal(0n); // closing_flag 0: the epoch is not advanced

    const re = round(state, 4, all, { mode: g.RoundMode.Epoch, closingFlag: 1 });
    expect([re.attestationApplyCount, re.modelApplyCount, re.anchorApplyCount]).to.deep.equal([0, 0, 0]);
    expect(isZero(re.aivmStateRoot)).to.equal(false);
    expect(re.epoch).to.equal(1n);
    // epoch-only carries the same arenas forward: its arena roots equal those of the anchor round
    expect(hex(re.auditRoot)).to.equal(hex(rn.auditRoot));
    expect(hex(re.modelRegistryRoot)).to.equal(hex(rn.modelRegistryRoot));
  });

  it('a round changes nothing when one of its arguments is malformed', () => {
    const state = g.createArenas({ attestations: 16, models: 8, anchors: 8 });
    const before = { ...state, attestations: state.attestations.slice(), models: state.models.slice() };
    const d = desc(1n, { att: 1, model: 1 });
    expect(() => g.runRound(state, d, { attestations: g.encodeAttestationOp([att(1)]), models: new Uint8Array(100) })).to.throw(g.GpuError).with.property('name', 'BufferSizeMismatch');
    expect(state.attestations).to.deep.equal(before.attestations);
    expect(state.models).to.deep.equal(before.models);
  });
});

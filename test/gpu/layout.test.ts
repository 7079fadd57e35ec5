/**
 * Struct layouts of spec §2.7: sizes (A1 TestLayoutSizes), every field offset (A4 aivm_layout_test's
 * offset checks), little-endian encoding, round trips, and refusal of values that do not fit.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as g from '../../gpu/index.js';

/** Transcribed from the spec's §2.7 table: [struct, size, {field: offset}]. */
const SPEC: [keyof typeof g.layouts, number, Record<string, number>][] = [
  ['Attestation', 144, { teeQuoteDigest: 0, measurement: 32, attestingKey: 64, expiryNs: 112, kind: 120, evidenceOffset: 124, evidenceLen: 128, status: 132, occupied: 136 }],
  ['AttestationOp', 144, { teeQuoteDigest: 0, measurement: 32, attestingKey: 64, expiryNs: 112, kind: 120, evidenceOffset: 124, evidenceLen: 128, epoch: 132 }],
  ['ModelRegistryEntry', 160, { modelRoot: 0, weightHash: 32, licenseRoot: 64, ownerAddr: 96, version: 120, parameterCount: 128, modality: 136, occupied: 140 }],
  ['ModelOp', 160, { modelRoot: 0, weightHash: 32, licenseRoot: 64, ownerAddr: 96, parameterCount: 120, modality: 128, kind: 132, epoch: 136 }],
  ['AuditAnchor', 128, { commitRoot: 0, parentRoot: 32, validatorSetRootAtCommit: 64, height: 96, timestampNs: 104, occupied: 112 }],
  ['AnchorOp', 128, { commitRoot: 0, parentRoot: 32, validatorSetRootAtCommit: 64, height: 96, timestampNs: 104, epoch: 112 }],
  [
    'AIVMEpochState',
    160,
    { currentEpoch: 0, nextEpochHeight: 8, totalActiveAttestations: 16, activeModelCount: 24, expiredAttestationCount: 28, attestationRoot: 32, modelRegistryRoot: 64, auditRoot: 96, aivmStateRoot: 128 },
  ],
  [
    'AIVMRoundDescriptor',
    96,
    { chainId: 0, round: 8, timestampNs: 16, epoch: 24, mode: 32, attestationOpCount: 36, modelOpCount: 40, anchorOpCount: 44, closingFlag: 48, parentAivmRoot: 64 },
  ],
  [
    'AIVMTransitionResult',
    192,
    {
      status: 0,
      attestationApplyCount: 4,
      modelApplyCount: 8,
      anchorApplyCount: 12,
      activeAttestations: 16,
      expiredAttestations: 20,
      modelCount: 24,
      anchorCount: 28,
      epoch: 32,
      totalModels: 40,
      totalAnchors: 48,
      attestationRoot: 64,
      modelRegistryRoot: 96,
      auditRoot: 128,
      aivmStateRoot: 160,
    },
  ],
  ['InferenceWeights', 672, { w1: 0, b1: 512, w2: 576, b2: 592, shift1: 596, shift2: 597, modelHash: 600, modelConfigHash: 632 }],
  ['InferenceOp', 144, { modelHash: 0, policyHash: 32, salt: 64, mode: 96, inputOffset: 100, inputLen: 104, outputOffset: 108, outputCapacity: 112, roundId: 120, timestampNs: 128 }],
  ['InferenceResult', 112, { status: 0, outputLen: 4, inputCommitment: 8, outputCommitment: 40, attestationRoot: 72 }],
  ['ProofVerifyOp', 240, { measurement: 0, attestingKey: 32, signature: 80, messageHash: 176, expiryNs: 208, timestampNs: 216, kind: 224, nonce: 228 }],
  ['ProofVerifyResult', 48, { status: 0, kind: 4, bindingHash: 8 }],
];

describe('gpu struct layouts (spec §2.7)', () => {
  it('TestLayoutSizes: every struct has the size of the C/Go layout and 16-byte alignment', () => {
    expect(Object.keys(g.layouts).sort()).to.deep.equal(SPEC.map(([n]) => n).sort());
    for (const [name, size] of SPEC) {
      expect(g.layouts[name].size, name).to.equal(size);
      expect(size % 16, `${name} alignment`).to.equal(0);
    }
  });

  for (const [name, size, offsets] of SPEC) {
    it(`${name}: field offsets match the spec (${size} bytes)`, () => {
      expect({ ...g.layouts[name].offsets }).to.deep.equal(offsets);
    });
  }

  it('encodes integers little-endian at their offsets and leaves padding zero', () => {
    const buf = g.encodeAttestation({ expiryNs: 0x0102030405060708n, kind: 0x0a0b0c0d, occupied: 1 });
    expect([...buf.subarray(112, 120)]).to.deep.equal([8, 7, 6, 5, 4, 3, 2, 1]);
    expect([...buf.subarray(120, 124)]).to.deep.equal([0x0d, 0x0c, 0x0b, 0x0a]);
    expect([...buf.subarray(136, 144)]).to.deep.equal([1, 0, 0, 0, 0, 0, 0, 0]);

    const w = g.encodeInferenceWeights({ b1: Array.from({ length: 16 }, (_, i) => (i === 0 ? -2 : 0)), shift1: -1, shift2: 7 });
    expect([...w.subarray(512, 516)]).to.deep.equal([0xfe, 0xff, 0xff, 0xff]);
    expect(w[596]).to.equal(0xff);
    expect(w[597]).to.equal(7);
    expect([...w.subarray(598, 600)]).to.deep.equal([0, 0]);
  });

  it('decode reads struct i of an array, and encode of an array concatenates', () => {
    const ops = g.encodeAnchorOp([{ height: 1n }, { height: 2n, epoch: 9 }]);
    expect(ops.length).to.equal(256);
    expect(g.decodeAnchorOp(ops, 1).height).to.equal(2n);
    expect(g.decodeAnchorOp(ops, 1).epoch).to.equal(9);
    expect(g.AnchorOp.decodeArray(ops).map((o) => o.height)).to.deep.equal([1n, 2n]);
  });

  const byteField = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

  it('round-trips every field of every op and arena struct (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ teeQuoteDigest: byteField(32), measurement: byteField(32), attestingKey: byteField(48), expiryNs: u64, kind: u32, evidenceOffset: u32, evidenceLen: u32, status: u32, occupied: u32 }),
        (v) => {
          expect(g.decodeAttestation(g.encodeAttestation(v))).to.deep.equal(v);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.record({ modelRoot: byteField(32), weightHash: byteField(32), licenseRoot: byteField(32), ownerAddr: byteField(20), parameterCount: u64, modality: u32, kind: u32, epoch: u32 }),
        (v) => {
          expect(g.decodeModelOp(g.encodeModelOp(v))).to.deep.equal(v);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.record({ chainId: u64, round: u64, timestampNs: u64, epoch: u64, mode: u32, attestationOpCount: u32, modelOpCount: u32, anchorOpCount: u32, closingFlag: u32, parentAivmRoot: byteField(32) }),
        (v) => {
          expect(g.decodeRoundDescriptor(g.encodeRoundDescriptor(v))).to.deep.equal(v);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.record({
          w1: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 512, maxLength: 512 }),
          b1: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 16, maxLength: 16 }),
          w2: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 16, maxLength: 16 }),
          b2: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 1 }),
          shift1: fc.integer({ min: -128, max: 127 }),
          shift2: fc.integer({ min: -128, max: 127 }),
          modelHash: byteField(32),
          modelConfigHash: byteField(32),
        }),
        (v) => {
          const d = g.decodeInferenceWeights(g.encodeInferenceWeights(v));
          expect([...d.w1]).to.deep.equal(v.w1);
          expect([...d.b1]).to.deep.equal(v.b1);
          expect([...d.w2]).to.deep.equal(v.w2);
          expect([...d.b2]).to.deep.equal(v.b2);
          expect([d.shift1, d.shift2]).to.deep.equal([v.shift1, v.shift2]);
          expect(d.modelHash).to.deep.equal(v.modelHash);
        },
      ),
    );
  });

  it('decode then encode reproduces any buffer except its padding (property)', () => {
    for (const [name, size] of SPEC) {
      const layout = g.layouts[name] as g.StructLayout<any>;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: size, maxLength: size }), (raw) => {
          const again = layout.encode(layout.decode(raw));
          // every byte covered by a field survives; uncovered (padding) bytes come back zero
          const covered = new Uint8Array(size);
          for (const [off, spec] of Object.values(layout.fields) as [number, g.FieldSpec][]) covered.fill(1, off, off + spec.size);
          for (let i = 0; i < size; i++) expect(again[i], `${name} byte ${i}`).to.equal(covered[i] ? raw[i] : 0);
        }),
        { numRuns: 20 },
      );
    }
  });

  describe('InvalidField: values that do not fit are refused', () => {
    const cases: [string, () => unknown][] = [
      ['wrong byte length', () => g.encodeAttestationOp({ teeQuoteDigest: new Uint8Array(31) })],
      ['bytes not a Uint8Array', () => g.encodeModelOp({ ownerAddr: '0x00' as unknown as Uint8Array })],
      ['u32 negative', () => g.encodeInferenceOp({ mode: -1 })],
      ['u32 too large', () => g.encodeRoundDescriptor({ mode: 2 ** 32 })],
      ['u32 not an integer', () => g.encodeProofVerifyOp({ nonce: 1.5 })],
      ['u64 too large', () => g.encodeAnchorOp({ height: 1n << 64n })],
      ['u64 negative', () => g.encodeInferenceOp({ roundId: -1n })],
      ['u64 unsafe number', () => g.encodeAttestationOp({ expiryNs: 2 ** 60 })],
      ['i8 out of range', () => g.encodeInferenceWeights({ shift1: 128 })],
      ['i8 array wrong length', () => g.encodeInferenceWeights({ w2: [1, 2, 3] })],
      ['i8 array element out of range', () => g.encodeInferenceWeights({ w1: Array.from({ length: 512 }, (_, i) => (i === 7 ? -129 : 0)) })],
      ['i32 array element out of range', () => g.encodeInferenceWeights({ b2: [2 ** 31] })],
    ];
    for (const [what, fn] of cases) {
      it(what, () => {
        expect(fn).to.throw(g.GpuError).with.property('name', 'InvalidField');
      });
    }

    it('names the struct and field in the message', () => {
      expect(() => g.encodeAnchorOp({ height: -1n })).to.throw(/AnchorOp\.height/);
    });
  });

  it('decode and count refuse buffers that are not whole structs (BufferSizeMismatch)', () => {
    expect(() => g.decodeAttestation(new Uint8Array(143))).to.throw(g.GpuError).with.property('name', 'BufferSizeMismatch');
    expect(() => g.Attestation.count(new Uint8Array(145))).to.throw(g.GpuError).with.property('name', 'BufferSizeMismatch');
    expect(() => g.decodeAnchorOp(new Uint8Array(256), 2)).to.throw(g.GpuError).with.property('name', 'BufferSizeMismatch');
  });
});

/**
 * Backend parity (issue 10, acceptance 2): every available non-TS backend (the C++ CPU addon on
 * CI; CUDA and Metal where they load) gives byte-identical returned counts, tables, epoch states,
 * results, outputs and roots to the TypeScript reference, on random and edge-case inputs
 * (fast-check, fixed seeds; see parity-inputs.ts), and on upstream's Go parity fixtures.
 *
 * The suite fails when there is no non-TS backend to test (the addon did not build or load), and
 * the comparison refuses the TS reference as the backend under test: a suite that compared the
 * reference with itself could never fail.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as g from '../../gpu/index.js';
import { isZero, mk } from './fixtures.js';
import * as gen from './parity-inputs.js';
import { expectParity, parityProperties } from './parity-harness.js';

/** Whole rounds through the public API (runRound) on `name` and on ts: the same result and roots after every round, empty rounds included. */
function roundParity(name: g.BackendName): void {
  it('runRound: sequences of rounds (empty ones included) reach the same results and aivm_state_roots', () => {
    const round = gen.keyPool.chain((pool) =>
      fc.record({ desc: gen.descriptor({ att: 40, model: 40, anchor: 40 }), atts: fc.oneof(gen.attestationOps(pool), fc.constant(new Uint8Array(0))), models: fc.oneof(gen.modelOps(pool), fc.constant(new Uint8Array(0))) }),
    );
    fc.assert(
      fc.property(fc.array(round, { maxLength: 6 }), (rounds) => {
        const run = (backend: g.BackendName) => {
          g.setBackend(backend);
          const arenas = g.createArenas({ attestations: 16, models: 8, anchors: 8 });
          const results = rounds.map((r) => g.runRound(arenas, r.desc, { attestations: r.atts, models: r.models, anchors: g.encodeAnchorOp([{ commitRoot: r.desc.subarray(64, 96), height: 1n }]) }));
          return { results: results.map((r) => Buffer.from(r).toString('hex')), arenas: Object.values(arenas).map((a) => Buffer.from(a).toString('hex')) };
        };
        try {
          expect(run(name)).to.deep.equal(run('ts'));
        } finally {
          g.setBackend('ts');
        }
      }),
      { seed: 0x5eed, numRuns: 40 },
    );
  });
}

// ---- upstream A2 TestGPUBridgeCgoNocgoParity fixtures ----

const TS = 1_700_000_000_000_000_000n;

function roundDescriptor(att: number, model: number, anchor: number, mode: number = g.RoundMode.FullRound): Uint8Array {
  return g.encodeRoundDescriptor({ chainId: 1337n, round: 42n, timestampNs: TS, epoch: 7n, mode, attestationOpCount: att, modelOpCount: model, anchorOpCount: anchor, closingFlag: 1, parentAivmRoot: mk(32, 0xa0) });
}

const goAttestationOps = () =>
  g.encodeAttestationOp([
    { teeQuoteDigest: mk(32, 0x10), measurement: mk(32, 0x20), attestingKey: mk(48, 0x30), expiryNs: 2_000_000_000_000_000_000n, kind: 0, evidenceOffset: 0, evidenceLen: 256 },
    { teeQuoteDigest: mk(32, 0x11), measurement: mk(32, 0x21), attestingKey: mk(48, 0x31), expiryNs: 1_500_000_000_000_000_000n, kind: 1, evidenceOffset: 256, evidenceLen: 512 },
    { teeQuoteDigest: mk(32, 0x12), measurement: mk(32, 0x22), attestingKey: new Uint8Array(48), expiryNs: 2_000_000_000_000_000_000n },
  ]);

const goModelOps = () =>
  g.encodeModelOp([
    { modelRoot: mk(32, 0x40), weightHash: mk(32, 0x50), licenseRoot: mk(32, 0x60), ownerAddr: mk(20, 0x70), parameterCount: 70_000_000_000n, modality: 0, kind: g.ModelOpKind.Register, epoch: 7 },
    { modelRoot: mk(32, 0x40), weightHash: mk(32, 0x51), licenseRoot: mk(32, 0x60), ownerAddr: mk(20, 0x70), parameterCount: 0n, modality: 0, kind: g.ModelOpKind.UpdateWeights, epoch: 7 },
    { modelRoot: new Uint8Array(32), weightHash: mk(32, 0x52), kind: g.ModelOpKind.Register },
  ]);

const goAnchorOps = () =>
  g.encodeAnchorOp([
    { commitRoot: mk(32, 0x80), parentRoot: new Uint8Array(32), validatorSetRootAtCommit: mk(32, 0x90), height: 1n, timestampNs: 1_600_000_000_000_000_000n },
    { commitRoot: mk(32, 0x81), parentRoot: mk(32, 0x80), validatorSetRootAtCommit: mk(32, 0x90), height: 2n, timestampNs: 1_650_000_000_000_000_000n },
    { commitRoot: mk(32, 0x82), parentRoot: mk(32, 0x81), validatorSetRootAtCommit: mk(32, 0x90), height: 3n, timestampNs: TS },
  ]);

const goProofOps = () =>
  g.encodeProofVerifyOp([
    { measurement: mk(32, 0x40), attestingKey: mk(48, 0x50), signature: mk(96, 0x60), messageHash: mk(32, 0x70), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 0, nonce: 7 },
    { measurement: mk(32, 0x41), attestingKey: mk(48, 0x51), signature: mk(96, 0x61), messageHash: mk(32, 0x71), expiryNs: 1_500_000_000_000_000_000n, timestampNs: TS, kind: 1, nonce: 8 },
    { measurement: mk(32, 0x42), attestingKey: mk(48, 0x52), signature: new Uint8Array(96), messageHash: mk(32, 0x72), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 2, nonce: 9 },
    { measurement: mk(32, 0x43), attestingKey: new Uint8Array(48), signature: mk(96, 0x63), messageHash: mk(32, 0x73), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 3, nonce: 10 },
    { measurement: new Uint8Array(32), attestingKey: mk(48, 0x54), signature: mk(96, 0x64), messageHash: mk(32, 0x74), expiryNs: 2_000_000_000_000_000_000n, timestampNs: TS, kind: 0, nonce: 11 },
  ]);

/** The Go test's sanity checks, with the kernels running on `b`, and parity of each call. */
function goFixtures(b: g.KernelBackend): void {
  it('TestGPUBridgeCgoNocgoParity: ≥1 attestation applied and ≥1 rejected, 2 model ops, 3 anchors, four non-zero roots, five proof statuses', () => {
    const desc = roundDescriptor(3, 3, 3);
    expectParity(b, 'attestationApply', [desc, goAttestationOps(), g.Attestation.alloc(16)]);
    expectParity(b, 'provenanceApply', [desc, goModelOps(), g.ModelRegistryEntry.alloc(16)]);
    expectParity(b, 'anchorApply', [desc, goAnchorOps(), g.AuditAnchor.alloc(16)]);

    const atts = g.Attestation.alloc(16);
    const models = g.ModelRegistryEntry.alloc(8);
    const anchors = g.AuditAnchor.alloc(8);
    const applied = [b.attestationApply(desc, goAttestationOps(), atts), b.provenanceApply(desc, goModelOps(), models), b.anchorApply(desc, goAnchorOps(), anchors)];
    expect(applied).to.deep.equal([2, 2, 3]);
    const epoch = g.AIVMEpochState.alloc();
    const result = g.AIVMTransitionResult.alloc();
    const epochDesc = roundDescriptor(0, 0, 0, g.RoundMode.Epoch);
    expectParity(b, 'epochTransition', [epochDesc, atts, models, anchors, epoch, result]);
    b.epochTransition(epochDesc, atts, models, anchors, epoch, result);
    const r = g.decodeTransitionResult(result);
    for (const root of ['attestationRoot', 'modelRegistryRoot', 'auditRoot', 'aivmStateRoot'] as const) expect(isZero(r[root]), root).to.equal(false);
    expect([r.epoch, r.activeAttestations, r.expiredAttestations, r.modelCount, r.anchorCount]).to.deep.equal([8n, 1, 1, 1, 3]);

    const proofs = g.ProofVerifyResult.alloc(5);
    expectParity(b, 'proofVerify', [goProofOps(), proofs]);
    b.proofVerify(goProofOps(), proofs);
    const S = g.ProofStatus;
    expect(g.ProofVerifyResult.decodeArray(proofs).map((p) => p.status)).to.deep.equal([S.Ok, S.Expired, S.SigCheck, S.KeyZero, S.MeasureCheck]);
  });

  it('the tiny-classifier fixture: 256 ops, the same outputs and commitments (conformance())', () => {
    expect(g.conformance(b)).to.deep.equal([]);
  });
}

const underTest = (Object.values(g.nativeKernels.backends) as g.KernelBackend[]).filter((b) => g.availableBackends().includes(b.name));

describe('gpu backend parity (every available backend against the TS reference)', function () {
  this.timeout(300_000);

  it('there is at least one non-TS backend to test (npm ci builds the C++ addon)', () => {
    const why = Object.entries(g.nativeKernels.reasons)
      .map(([n, r]) => `${n}: ${r}`)
      .join('; ');
    expect(underTest.map((b) => b.name), `no native backend loaded — ${why}`).to.include('native');
  });

  it('the comparison refuses the TS reference as the backend under test', () => {
    expect(() => expectParity(g.tsBackend, 'proofVerify', [new Uint8Array(0), new Uint8Array(0)])).to.throw(/TS reference itself/);
    expect(() => expectParity({ ...g.tsBackend, name: 'native' }, 'proofVerify', [new Uint8Array(0), new Uint8Array(0)])).to.throw(/TS reference itself/);
  });

  it('the comparison catches a backend that is off by one bit (it can fail)', () => {
    const native = g.nativeKernels.backends.native;
    if (!native) return expect.fail('the native backend is not loaded');
    const flipped: g.KernelBackend = { ...native, name: 'cuda', proofVerify: (ops, results) => (native.proofVerify(ops, results), void (results[8]! ^= 1)) };
    expect(() => expectParity(flipped, 'proofVerify', [goProofOps(), g.ProofVerifyResult.alloc(5)])).to.throw(/argument 1 differs from the TS reference at byte 8/);
  });

  for (const b of underTest) {
    describe(`${b.name}: ${b.describe?.() ?? ''}`, () => {
      goFixtures(b);
      parityProperties(b);
      roundParity(b.name);
    });
  }
});

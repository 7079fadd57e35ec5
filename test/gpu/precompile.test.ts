/**
 * Port of upstream A4 `ai_precompile_test.mm` (its "Mode 1/2/3" are our enum 0/1/2) over the
 * execution-mode helper layered on inferenceStep. Golden outputs, commitments and artifact roots
 * come from an independent Python transcription of the spec (forward pass, LCG) hashed with noble.
 */
import { expect } from 'chai';
import * as g from '../../gpu/index.js';
import { hex, isZero, pattern } from './fixtures.js';

const GOLD = {
  modelHash: '141c98e5dc35422f222b7fab0d06b59f873982ad4f6ff6e8ff6f237d81ed1abf',
  oneInputY: -128,
  eightY: [-128, -85, -77, -67, -128, 47, -103, -128],
  eightInputCommitment: 'e2fb6fd7f142022bea59718b58c88cf84a9324f5e6244f6538436d68b3856a2b',
  eightOutputCommitment: 'd4ed89cc5cdcb0fdc56e21d5d0b6147a9ade4b48258c6cc28ffe3c92a9aece6a',
  eightAttestationRoot: '1a792b6083850a758b31911b15b83d8ea8da8f1516cb7d1b858e8d095c0b6062',
  artifactRoots: [
    '3b5d62258d3fea4c97f8326d235c534c4ce1b90d54909b12b3ac3923ef81ca00',
    '31c79611d48c551dbb95577ba13e92ecf29e41cb38b6ea9c6c36018ada166e7b',
    '10184b1612a701c6e03081aa029e1dc2d4f9f29c97f7fa779ae22da1a4913739',
  ],
  replayRound42Of1000: [164, 629, 98, 69, 162],
};

const M = g.ExecutionMode;
const S = g.AIStatus;

/** The test's input generator: LCG(seed), each byte (next % 128) - 64. */
function makeInputs(n: number, seed: bigint): Uint8Array {
  const rng = new g.Lcg(seed);
  return Uint8Array.from({ length: n * 32 }, () => ((rng.next() % 128) - 64) & 0xff);
}

function setup(file = g.tinyClassifierFixtureFile()): { svc: g.AiPrecompile; modelHash: Uint8Array } {
  const svc = new g.AiPrecompile();
  const modelHash = g.modelHash(file);
  expect(svc.modelVerify(file, modelHash, pattern(64, (i) => 0xa0 + (i & 0x1f)))).to.equal(S.Ok);
  return { svc, modelHash };
}

function call(modelHash: Uint8Array, mode: g.ExecutionMode, inputLen: number, outputCapacity: number, roundId = 1n): g.InferenceCall {
  return {
    modelHash,
    mode,
    inputLen,
    outputCapacity,
    policyHash: pattern(32, (i) => i + 0x10),
    roundId,
    timestampNs: 1_700_000_000_000_000_000n,
    salt: pattern(32, (i) => 0x77 + (i & 0xf)),
  };
}

const i8s = (b: Uint8Array) => [...b].map((x) => (x << 24) >> 24);

describe('AI precompile execution modes (port of ai_precompile_test)', () => {
  afterEach(() => g.setBackend('ts'));

  it('Mode 1 (DeterministicInteger): one input gives the golden output, equal across two services', () => {
    const { svc, modelHash } = setup();
    expect(hex(modelHash)).to.equal(GOLD.modelHash);
    const input = makeInputs(1, 0xdeadbeefcafebaben);
    const out = new Uint8Array(1);
    const r = svc.inferenceExecute(call(modelHash, M.DeterministicInteger, 32, 1), input, out);
    expect(r.status).to.equal(S.Ok);
    expect(r.outputLen).to.equal(1);
    expect(i8s(out)).to.deep.equal([GOLD.oneInputY]);
    expect(isZero(r.attestationRoot)).to.equal(true);
    const out2 = new Uint8Array(1);
    setup().svc.inferenceExecute(call(modelHash, M.DeterministicInteger, 32, 1), input, out2);
    expect(out2).to.deep.equal(out);
  });

  it('Mode 1: 1000-input round trip equals the reference kernel row by row', () => {
    const { svc, modelHash } = setup();
    const input = makeInputs(1000, 0x123456789abcdef0n);
    const out = new Uint8Array(1000);
    const r = svc.inferenceExecute(call(modelHash, M.DeterministicInteger, input.length, 1000), input, out);
    expect(r.status).to.equal(S.Ok);
    expect(r.outputLen).to.equal(1000);
    const w = g.loadModelFile(g.tinyClassifierFixtureFile());
    const ops = g.encodeInferenceOp(Array.from({ length: 1000 }, (_, i) => ({ modelHash, inputOffset: 32 * i, inputLen: 32, outputOffset: i, outputCapacity: 1 })));
    const ref = new Uint8Array(1000);
    g.tsBackend.inferenceStep(w, ops, input, ref, g.InferenceResult.alloc(1000));
    expect(out).to.deep.equal(ref);
  });

  it('Mode 2 (Confidential): the host buffer is zeroed, commitments are non-zero and deterministic', () => {
    const { svc, modelHash } = setup();
    const input = makeInputs(8, 0xcafebabedeadbeefn);
    const c = call(modelHash, M.ConfidentialInference, input.length, 8);
    const out = new Uint8Array(8).fill(0xa5);
    const r = svc.inferenceExecute(c, input, out);
    expect(r.status).to.equal(S.Ok);
    expect(r.outputLen).to.equal(8);
    expect([...out]).to.deep.equal(new Array(8).fill(0));
    expect(isZero(r.outputCommitment)).to.equal(false);
    expect(isZero(r.attestationRoot)).to.equal(false);
    const out2 = new Uint8Array(8).fill(0xa5);
    const r2 = svc.inferenceExecute(c, input, out2);
    expect(hex(r2.inputCommitment)).to.equal(hex(r.inputCommitment));
    expect(hex(r2.outputCommitment)).to.equal(hex(r.outputCommitment));
  });

  it('Mode 2 zeroes all output_capacity bytes, even past the n outputs', () => {
    const { svc, modelHash } = setup();
    const out = new Uint8Array(12).fill(0xa5);
    svc.inferenceExecute(call(modelHash, M.ConfidentialInference, 64, 10), makeInputs(2, 5n), out);
    expect([...out]).to.deep.equal([...new Array(10).fill(0), 0xa5, 0xa5]);
  });

  it('Mode 2: the attestation root binds input, policy, timestamp and model', () => {
    const { svc, modelHash } = setup();
    const input = makeInputs(4, 0x1111111111111111n);
    const c = call(modelHash, M.ConfidentialInference, input.length, 4);
    const base = svc.inferenceExecute(c, input, new Uint8Array(4));
    expect(base.status).to.equal(S.Ok);
    const roots = new Set([hex(base.attestationRoot)]);
    roots.add(hex(svc.inferenceExecute(c, makeInputs(4, 0x2222222222222222n), new Uint8Array(4)).attestationRoot));
    roots.add(hex(svc.inferenceExecute({ ...c, policyHash: c.policyHash.map((b) => b ^ 0xff) }, input, new Uint8Array(4)).attestationRoot));
    roots.add(hex(svc.inferenceExecute({ ...c, timestampNs: c.timestampNs + 1n }, input, new Uint8Array(4)).attestationRoot));
    const m2 = g.tinyClassifierFixture();
    const { svc: svc2, modelHash: h2 } = setup(g.encodeModelFile({ ...m2, shift1: 6 }));
    const r2 = svc2.inferenceExecute({ ...c, modelHash: h2 }, input, new Uint8Array(4));
    expect(r2.status).to.equal(S.Ok);
    roots.add(hex(r2.attestationRoot));
    expect(roots.size).to.equal(5);
  });

  it('Mode 3 (Verifiable): 1000 inputs pass the sampled replay with a non-zero attestation root', () => {
    const { svc, modelHash } = setup();
    const input = makeInputs(1000, 0x33333333aaaaaaaan);
    const out = new Uint8Array(1000);
    const r = svc.inferenceExecute(call(modelHash, M.VerifiableInference, input.length, 1000, 42n), input, out);
    expect(r.status).to.equal(S.Ok);
    expect(r.outputLen).to.equal(1000);
    expect(isZero(r.attestationRoot)).to.equal(false);
    expect(g.sampledReplayIndices(42n, 1000).length).to.equal(100);
    expect(g.sampledReplayIndices(42n, 1000).slice(0, 5)).to.deep.equal(GOLD.replayRound42Of1000);
    expect(g.sampledReplayIndices(7n, 5).length).to.equal(1); // max(1, n/10)
    expect(g.sampledReplayIndices(7n, 0)).to.deep.equal([]);
  });

  it('Mode 3: a backend that corrupts a sampled output is caught (DivergenceDetected), one that corrupts an unsampled row is not', () => {
    const { svc, modelHash } = setup();
    const n = 100;
    const roundId = 7n;
    const input = makeInputs(n, 0x44444444bbbbbbbbn);
    const sampled = new Set(g.sampledReplayIndices(roundId, n));
    const unsampled = [...Array(n).keys()].find((i) => !sampled.has(i))!;
    const corrupting = (row: number): g.KernelBackend => ({
      ...g.tsBackend,
      name: 'native',
      inferenceBatch(w, batchIn, batchOut) {
        g.tsBackend.inferenceBatch(w, batchIn, batchOut);
        batchOut[row] ^= 0x10;
      },
    });

    for (const [row, expected] of [
      [[...sampled][0]!, S.DivergenceDetected],
      [unsampled, S.Ok],
    ] as const) {
      const unregister = g.registerBackend(corrupting(row));
      try {
        g.setBackend('native');
        const out = new Uint8Array(n).fill(0x5a);
        const r = svc.inferenceExecute(call(modelHash, M.VerifiableInference, input.length, n, roundId), input, out);
        expect(r.status).to.equal(expected);
        if (expected === S.DivergenceDetected) {
          expect(out.every((b) => b === 0x5a)).to.equal(true); // nothing released to the host
          expect(isZero(r.attestationRoot)).to.equal(true);
          expect(r.outputLen).to.equal(0);
        }
      } finally {
        unregister();
      }
    }
  });

  it('sampledReplayOk compares the sampled rows only', () => {
    const w = g.loadModelFile(g.tinyClassifierFixtureFile());
    const input = makeInputs(100, 9n);
    const { svc, modelHash } = setup();
    const out = new Uint8Array(100);
    svc.inferenceExecute(call(modelHash, M.DeterministicInteger, input.length, 100), input, out);
    expect(g.sampledReplayOk(w, input, out, 3n)).to.equal(true);
    const idx = g.sampledReplayIndices(3n, 100)[4]!;
    const bad = out.slice();
    bad[idx] ^= 1;
    expect(g.sampledReplayOk(w, input, bad, 3n)).to.equal(false);
  });

  it('artifact composition: flags 1 / 2 / 1|4, batch count, distinct roots, audit_commit = root, config bound (golden)', () => {
    const { svc, modelHash } = setup();
    const input = makeInputs(8, 0x55556666aaaabbbbn);
    const arts = [M.DeterministicInteger, M.ConfidentialInference, M.VerifiableInference].map((mode) => {
      const out = new Uint8Array(8);
      const { result, artifact } = svc.execute(call(modelHash, mode, input.length, 8), input, out);
      expect(result.status).to.equal(S.Ok);
      if (mode !== M.ConfidentialInference) expect(i8s(out)).to.deep.equal(GOLD.eightY);
      expect(hex(result.inputCommitment)).to.equal(GOLD.eightInputCommitment);
      expect(hex(result.outputCommitment)).to.equal(GOLD.eightOutputCommitment);
      return artifact;
    });
    expect(arts.map((a) => a.flags)).to.deep.equal([0x1, 0x2, 0x5]);
    expect(arts.map((a) => a.batchCount)).to.deep.equal([8, 8, 8]);
    expect(hex(arts[1]!.attestationRoot)).to.equal(GOLD.eightAttestationRoot);
    expect(hex(arts[2]!.attestationRoot)).to.equal(GOLD.eightAttestationRoot);
    expect(arts.map((a) => hex(g.artifactRoot(a)))).to.deep.equal(GOLD.artifactRoots);
    expect(hex(g.AiPrecompile.auditCommit(arts[0]!))).to.equal(hex(g.artifactRoot(arts[0]!)));
    expect(hex(arts[0]!.modelConfigHash)).to.equal(hex(g.modelConfigHash(5, 5)));

    const pre = g.encodeArtifactPreimage(arts[2]!);
    expect(pre.length).to.equal(200);
    expect(hex(pre.subarray(0, 32))).to.equal(GOLD.modelHash);
    expect([...pre.subarray(192, 200)]).to.deep.equal([8, 0, 0, 0, 5, 0, 0, 0]);
  });

  it('an artifact for an unknown model has a zero config hash and carries the status', () => {
    const svc = new g.AiPrecompile();
    const { result, artifact } = svc.execute(call(new Uint8Array(32).fill(9), M.DeterministicInteger, 32, 1), new Uint8Array(32), new Uint8Array(1));
    expect(result.status).to.equal(S.UnknownModel);
    expect(isZero(artifact.modelConfigHash)).to.equal(true);
    expect(artifact.batchCount).to.equal(1);
  });

  describe('statuses and refusals', () => {
    const file = g.tinyClassifierFixtureFile();
    const sig = pattern(64, (i) => i + 1);

    it('ModelVerify: hash mismatch, zero or short signature → SignatureRejected; a bad file with a matching hash → UnknownModel', () => {
      const svc = new g.AiPrecompile();
      expect(svc.modelVerify(file, new Uint8Array(32), sig)).to.equal(S.SignatureRejected);
      expect(svc.modelVerify(file, g.modelHash(file), new Uint8Array(64))).to.equal(S.SignatureRejected);
      expect(svc.modelVerify(file, g.modelHash(file), sig.subarray(0, 63))).to.equal(S.SignatureRejected);
      const bad = file.slice(0, 100);
      expect(svc.modelVerify(bad, g.modelHash(bad), sig)).to.equal(S.UnknownModel);
      expect(svc.model(g.modelHash(file))).to.equal(undefined);
    });

    const cases: [string, Partial<g.InferenceCall>, number, number, number][] = [
      ['unknown model', { modelHash: new Uint8Array(32).fill(3) }, 64, 2, S.UnknownModel],
      ['input_len 0', { inputLen: 0 }, 64, 2, S.InputTooLarge],
      ['input_len not a multiple of 32', { inputLen: 33 }, 64, 2, S.InputTooLarge],
      ['[P] input_len past the input buffer', { inputLen: 96 }, 64, 3, S.InputTooLarge],
      ['output_capacity below n', { outputCapacity: 1 }, 64, 2, S.OutputCapacity],
      ['[P] output_capacity past the output buffer', { outputCapacity: 3 }, 64, 2, S.OutputCapacity],
    ];
    for (const [what, over, inLen, outLen, status] of cases) {
      it(`${what} → status ${status}, nothing written`, () => {
        const { svc, modelHash } = setup();
        const out = new Uint8Array(outLen).fill(0x33);
        const r = svc.inferenceExecute({ ...call(modelHash, M.DeterministicInteger, 64, 2), ...over }, makeInputs(inLen / 32, 1n), out);
        expect(r.status).to.equal(status);
        expect(r.outputLen).to.equal(0);
        expect(isZero(r.inputCommitment) && isZero(r.outputCommitment) && isZero(r.attestationRoot)).to.equal(true);
        expect(out.every((b) => b === 0x33)).to.equal(true);
      });
    }

    it('an execution mode other than 0..2 → InvalidExecutionMode; malformed call fields → InvalidField', () => {
      const { svc, modelHash } = setup();
      const c = call(modelHash, M.DeterministicInteger, 32, 1);
      expect(() => svc.inferenceExecute({ ...c, mode: 3 as g.ExecutionMode }, new Uint8Array(32), new Uint8Array(1)))
        .to.throw(g.GpuError)
        .with.property('name', 'InvalidExecutionMode');
      expect(() => svc.inferenceExecute({ ...c, salt: new Uint8Array(31) }, new Uint8Array(32), new Uint8Array(1)))
        .to.throw(g.GpuError)
        .with.property('name', 'InvalidField');
      expect(() => svc.inferenceExecute({ ...c, roundId: -1n }, new Uint8Array(32), new Uint8Array(1)))
        .to.throw(g.GpuError)
        .with.property('name', 'InvalidField');
      expect(() => svc.execute({ ...c, inputLen: 1.5 }, new Uint8Array(32), new Uint8Array(1)))
        .to.throw(g.GpuError)
        .with.property('name', 'InvalidField');
    });

    it('op codes of the five operations', () => {
      expect(g.PrecompileOp).to.deep.equal({ ModelVerify: 0x0a01, InferenceCommit: 0x0a02, InferenceExecute: 0x0a03, ResultAttest: 0x0a04, AuditCommit: 0x0a05 });
    });
  });
});

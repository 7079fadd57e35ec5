/**
 * AIVM kernel figures on the active backend (the TS reference unless a native one is installed):
 * inferences per second of inference_step, epoch_transition root computations per second over
 * 1k-slot arenas, and attestation_apply throughput.
 */
import type { BenchSuite } from './harness.js';
import { rate } from './harness.js';
import * as g from '../gpu/index.js';

/** n bytes that start with the seed (LE u32), so distinct seeds give distinct digests and keys. */
function bytes(n: number, seed: number): Uint8Array {
  const b = Uint8Array.from({ length: n }, (_, i) => (seed * 131 + i * 7) & 0xff);
  new DataView(b.buffer).setUint32(0, seed, true);
  return b;
}

function arenas() {
  const s = g.createArenas({ attestations: 1024, models: 512, anchors: 4096 });
  const desc = g.encodeRoundDescriptor({ chainId: 1n, round: 1n, timestampNs: 1_700_000_000_000_000_000n, mode: g.RoundMode.FullRound, closingFlag: 1, attestationOpCount: 1000, modelOpCount: 500, anchorOpCount: 1024 });
  const attOps = g.encodeAttestationOp(Array.from({ length: 1000 }, (_, i) => ({ teeQuoteDigest: bytes(32, i + 1), measurement: bytes(32, i + 2), attestingKey: bytes(48, i + 3), expiryNs: BigInt(i % 3) * 1_000_000_000_000_000_000n, kind: i % 4, evidenceLen: 64 })));
  const modelOps = g.encodeModelOp(Array.from({ length: 500 }, (_, i) => ({ modelRoot: bytes(32, 5000 + i), weightHash: bytes(32, 6000 + i), licenseRoot: bytes(32, 7), ownerAddr: bytes(20, i), parameterCount: 1000n, kind: g.ModelOpKind.Register })));
  let parent: Uint8Array = new Uint8Array(32);
  const anchorOps = g.encodeAnchorOp(
    Array.from({ length: 1024 }, (_, i) => {
      const op = { commitRoot: bytes(32, 9000 + i), parentRoot: parent, validatorSetRootAtCommit: bytes(32, 3), height: BigInt(i + 1), timestampNs: BigInt(i) };
      parent = op.commitRoot;
      return op;
    }),
  );
  const r = g.decodeTransitionResult(g.runRound(s, desc, { attestations: attOps, models: modelOps, anchors: anchorOps }));
  return { s, desc, attOps, occupied: [r.activeAttestations + r.expiredAttestations, r.modelCount, r.anchorCount] };
}

export const gpuSuite: BenchSuite = {
  name: 'gpu',
  async run(ctx) {
    const ms = ctx.quick ? 300 : 1500;
    ctx.log(`backend: ${g.backend()}`);

    const n = 1000;
    const weights = g.loadModelFile(g.tinyClassifierFixtureFile());
    const ops = g.encodeInferenceOp(Array.from({ length: n }, (_, i) => ({ modelHash: weights.modelHash, salt: bytes(32, i), mode: i % 3, inputOffset: 32 * i, inputLen: 32, outputOffset: i, outputCapacity: 1 })));
    const input = bytes(32 * n, 1);
    const out = new Uint8Array(n);
    const results = g.InferenceResult.alloc(n);
    const batches = rate(() => g.inferenceStep(weights, ops, input, out, results), ms);
    ctx.record('gpu.inference.ts', batches * n, 'inferences/s', `inference_step (${g.backend()}), int8 32→16→1 + commitments, batches of ${n}`);

    const { s, desc, attOps, occupied } = arenas();
    const epoch = g.AIVMEpochState.alloc();
    const result = g.AIVMTransitionResult.alloc();
    const roots = rate(() => g.epochTransition(desc, s.attestations, s.models, s.anchors, epoch, result), ms);
    ctx.record('gpu.epoch.roots', roots, 'transitions/s', `epoch_transition, 1024/512/4096-slot arenas (${occupied.join('/')} occupied)`);

    const table = g.Attestation.alloc(1024);
    const applies = rate(() => g.attestationApply(desc, attOps, table), ms);
    ctx.record('gpu.attestation.apply', applies * 1000, 'ops/s', 'attestation_apply, 1000 upserts into a 1024-slot arena');
  },
};

/**
 * AIVM kernel figures for every kernel backend this machine has (the TS reference, the C++ addon,
 * CUDA / Metal where they load), each with its ratio to the TS reference measured in the same run:
 *
 *  - inference_step (K5: per-row op, forward pass, input/output commitments, attestation root for
 *    2 of 3 rows) on batches of 1k, 100k and 10M rows, in inferences per second;
 *  - inferenceBatch (K5's forward pass alone, the batch entry point) on the same batch sizes;
 *  - epoch_transition (K4) over 1024/512/4096-slot arenas, in roots per second;
 *  - attestation_apply (K1), 1000 upserts into a 1024-slot arena.
 *
 * The 10M-row batches hold ~2.9 GB (ops 1.44 GB, results 1.12 GB, inputs 320 MB). The TS reference
 * would take minutes on them, so its 10M figure is SAMPLED: it runs on the first 200k rows of the
 * same buffers (each row reads and writes only its own bytes, so its per-row cost does not depend on
 * the batch size) and the label says so; the other backends run the whole 10M. `--quick` stops at
 * 1M rows. Timings on a loaded machine are noise; compare ratios taken in one run.
 */
import type { BenchContext, BenchSuite } from './harness.js';
import { rate } from './harness.js';
import * as g from '../gpu/index.js';
import { keccakReady } from '../gpu/hash.js';

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

/** n inference ops, one per row (row i reads input row i, writes output i; modes 0, 1, 2 in turn), built without n JS objects. */
function inferenceOps(n: number, modelHash: Uint8Array): Uint8Array {
  const size = g.InferenceOp.size;
  const o = g.InferenceOp.offsets;
  const ops = new Uint8Array(n * size);
  const first = g.encodeInferenceOp({ modelHash, policyHash: bytes(32, 77), salt: bytes(32, 1), inputLen: 32, outputCapacity: 1, timestampNs: 1_700_000_000_000_000_000n });
  ops.set(first);
  for (let filled = 1; filled < n; filled *= 2) ops.copyWithin(filled * size, 0, Math.min(filled, n - filled) * size);
  const dv = new DataView(ops.buffer);
  for (let i = 0; i < n; i++) {
    const at = i * size;
    dv.setUint32(at + o.salt, i, true);
    dv.setUint32(at + o.mode, i % 3, true);
    dv.setUint32(at + o.inputOffset, 32 * i, true);
    dv.setUint32(at + o.outputOffset, i, true);
    dv.setBigUint64(at + o.roundId, BigInt(i & 0xffff), true);
  }
  return ops;
}

const LABEL = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
const TS_SAMPLE = 200_000;

/** Rows per second of `run(rows)` over at least `ms` (at least one run). */
function rowsPerSecond(rows: number, ms: number, run: () => void): number {
  return rate(run, ms, 1) * rows;
}

/** The kernel backends to measure: the TS reference first, then every native one that passes its self-test. */
function backends(): g.KernelBackend[] {
  const available = g.availableBackends();
  return [g.tsBackend, ...(Object.values(g.nativeKernels.backends) as g.KernelBackend[]).filter((b) => available.includes(b.name))];
}

function recordWithRatio(ctx: BenchContext, key: string, name: string, value: number, unit: string, label: string): void {
  ctx.record(`${key}.${name}`, value, unit, `${label} — ${name}`);
  const ts = ctx.get(`${key}.ts`);
  if (name !== 'ts' && ts) ctx.record(`${key}.${name}.vs_ts`, value / ts, '× TS', `${label} — ${name} / ts`);
}

function inferenceFigures(ctx: BenchContext, n: number, ms: number): void {
  const weights = g.loadModelFile(g.tinyClassifierFixtureFile());
  const input = bytes(32 * n, 1);
  const out = new Uint8Array(n);
  let ops: Uint8Array | undefined = inferenceOps(n, weights.modelHash);
  let results: Uint8Array | undefined = g.InferenceResult.alloc(n);
  for (const b of backends()) {
    const sampled = b.name === 'ts' && n > TS_SAMPLE ? TS_SAMPLE : n;
    const [o, r, x, y] = [ops.subarray(0, sampled * 144), results.subarray(0, sampled * 112), input.subarray(0, 32 * sampled), out.subarray(0, sampled)];
    const v = rowsPerSecond(sampled, ms, () => b.inferenceStep(weights, o, x, y, r));
    const note = sampled < n ? ` (sampled: first ${LABEL(sampled)} rows)` : '';
    recordWithRatio(ctx, `gpu.inference.step.${LABEL(n)}`, b.name, v, 'inferences/s', `inference_step, ${LABEL(n)}-row batch${note}`);
  }
  ops = results = undefined; // let the 2.5 GB go before the next figures
  for (const b of backends()) {
    const sampled = b.name === 'ts' && n > TS_SAMPLE ? TS_SAMPLE : n;
    const [x, y] = [input.subarray(0, 32 * sampled), out.subarray(0, sampled)];
    const v = rowsPerSecond(sampled, ms, () => b.inferenceBatch(weights, x, y));
    const note = sampled < n ? ` (sampled: first ${LABEL(sampled)} rows)` : '';
    recordWithRatio(ctx, `gpu.inference.batch.${LABEL(n)}`, b.name, v, 'inferences/s', `inferenceBatch (forward only), ${LABEL(n)} rows${note}`);
  }
}

export const gpuSuite: BenchSuite = {
  name: 'gpu',
  async run(ctx) {
    await keccakReady;
    const ms = ctx.quick ? 300 : 1500;
    for (const s of g.backendStatus()) ctx.log(`${s.name}: ${s.available ? s.detail : `unavailable — ${s.detail}`}`);
    const cpu = g.nativeKernels.addon?.configure();
    if (cpu) ctx.log(`native CPU kernels: up to ${cpu.threads} threads, ${cpu.lanes} hash lanes`);

    for (const n of ctx.quick ? [1_000, 100_000, 1_000_000] : [1_000, 100_000, 10_000_000]) inferenceFigures(ctx, n, ms);

    const { s, desc, attOps, occupied } = arenas();
    for (const b of backends()) {
      const [atts, models, anchors, epoch, result] = [s.attestations, s.models, s.anchors, g.AIVMEpochState.alloc(), g.AIVMTransitionResult.alloc()].map((x) => x.slice());
      const roots = rate(() => b.epochTransition(desc, atts!, models!, anchors!, epoch!, result!), ms);
      recordWithRatio(ctx, 'gpu.epoch', b.name, roots, 'roots/s', `epoch_transition, 1024/512/4096-slot arenas (${occupied.join('/')} occupied)`);
    }
    for (const b of backends()) {
      const table = g.Attestation.alloc(1024);
      const applies = rate(() => b.attestationApply(desc, attOps, table), ms);
      recordWithRatio(ctx, 'gpu.attestation.apply', b.name, applies * 1000, 'ops/s', 'attestation_apply, 1000 upserts into a 1024-slot arena');
    }
  },
};

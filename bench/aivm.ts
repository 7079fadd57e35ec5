/**
 * AIVM module figures (kernel figures are in bench/gpu.ts): what the per-block round costs a block
 * (empty blocks per second with and without the AIVM module), operator selections per second, and
 * receipt-root recomputations per second over 1000 settled receipts (done on every settlement).
 *
 * The anchor arena past 4,096 anchors (issue 13): the round with one anchor per block, default
 * arenas (4096 anchor slots, 100-block epochs), its state reads per block counted (load-independent)
 * and timed. Rules 1 over a full arena (prefilled: anchoring has stopped, every block reads all 4096);
 * rules 2 after 1,000 and after 5,000 anchored blocks (the arena rotates each epoch). The time ratio
 * 5,000 / 1,000 is the flatness figure (≈ 1). Wall-clock figures must be retaken on a quiet machine.
 */
import { createDevChain } from '../sdk/chain.js';
import { builtinModules } from '../genesis/index.js';
import { receiptRoot, selectOperators } from '../sdk/aivm/index.js';
import { RoundDriver } from './aivm-rounds.js';
import { keccak256 } from '../chain/hash.js';
import type { BenchSuite } from './harness.js';
import { rate, rateAsync } from './harness.js';

const word = (i: number) => keccak256(Uint8Array.of(i & 255, (i >> 8) & 255, (i >> 16) & 255));

export const aivmSuite: BenchSuite = {
  name: 'aivm',
  async run(ctx) {
    const ms = ctx.quick ? 300 : 1500;

    for (const withAivm of [false, true]) {
      const modules = builtinModules().filter((m) => withAivm || m.name !== 'aivm');
      const chain = await createDevChain({ mining: 'manual', modules });
      await chain.mine(20); // warm up
      const bps = await rateAsync(async () => void (await chain.mine(1)), ms);
      await chain.stop();
      ctx.record(withAivm ? 'aivm.block.with' : 'aivm.block.without', bps, 'blocks/s', `empty blocks on a memory chain ${withAivm ? 'with' : 'without'} the AIVM round`);
    }
    const w = ctx.get('aivm.block.with');
    const wo = ctx.get('aivm.block.without');
    if (w && wo) ctx.record('aivm.block.overhead', wo / w, 'x', 'block time with the AIVM round / without');

    const eligible = Array.from({ length: 64 }, (_, i) => word(i).slice(0, 20));
    let k = 0;
    ctx.record('aivm.selection', rate(() => void selectOperators(word(k++), eligible, 5), ms), 'selections/s', 'selectOperators: 5 of 64 (Fisher–Yates over task-id draws)');

    const leaves = Array.from({ length: 1000 }, (_, i) => word(i));
    ctx.record('aivm.receiptRoot.1k', rate(() => void receiptRoot(leaves), ms), 'roots/s', 'receipt root over 1000 receipt hashes (recomputed on each settlement)');

    await anchorFigures(ctx);
  },
};

/** Mean ms and max state reads per block over the next `blocks` rounds of `d`. */
async function measure(d: RoundDriver, blocks: number): Promise<{ ms: number; reads: number }> {
  let reads = 0;
  const start = performance.now();
  for (let i = 0; i < blocks; i++) reads = Math.max(reads, (await d.round(1)).reads);
  return { ms: (performance.now() - start) / blocks, reads };
}

async function anchorFigures(ctx: Parameters<BenchSuite['run']>[0]): Promise<void> {
  const v1 = new RoundDriver({ version: '1' });
  v1.prefillAnchors(4096);
  const full = await measure(v1, ctx.quick ? 5 : 20);
  ctx.record('aivm.anchors.v1.full.reads', full.reads, 'reads/block', 'rules 1, arena full (4,096 anchors, anchoring stopped): state reads');
  ctx.record('aivm.anchors.v1.full.ms', full.ms, 'ms/block', 'rules 1, arena full: round time');

  const v2 = new RoundDriver({ version: '2' });
  for (let i = 0; i < 900; i++) await v2.round(1);
  const at1k = await measure(v2, 100); // blocks 901..1000
  for (let i = 1000; i < 4900; i++) await v2.round(1);
  const at5k = await measure(v2, 100); // blocks 4901..5000: past 4,096 anchors
  ctx.record('aivm.anchors.v2.1k.reads', at1k.reads, 'reads/block', 'rules 2, 1,000 anchors so far: max state reads in an epoch');
  ctx.record('aivm.anchors.v2.5k.reads', at5k.reads, 'reads/block', 'rules 2, 5,000 anchors so far: max state reads in an epoch');
  ctx.record('aivm.anchors.v2.1k.ms', at1k.ms, 'ms/block', 'rules 2, blocks 901..1000: round time');
  ctx.record('aivm.anchors.v2.5k.ms', at5k.ms, 'ms/block', 'rules 2, blocks 4,901..5,000 (past 4,096 anchors): round time');
  ctx.record('aivm.anchors.v2.flat', at5k.ms / at1k.ms, 'x', 'rules 2 round time at 5,000 anchors / at 1,000 (flat ≈ 1)');
  ctx.record('aivm.anchors.v1full.over.v2', full.ms / at5k.ms, 'x', 'round time: rules 1 full arena / rules 2 at 5,000 anchors');
}

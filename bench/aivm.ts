/**
 * AIVM module figures (kernel figures are in bench/gpu.ts): what the per-block round costs a block
 * (empty blocks per second with and without the AIVM module), operator selections per second, and
 * receipt-root recomputations per second over 1000 settled receipts (done on every settlement).
 */
import { createDevChain } from '../sdk/chain.js';
import { builtinModules } from '../genesis/index.js';
import { receiptRoot, selectOperators } from '../sdk/aivm/index.js';
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
  },
};

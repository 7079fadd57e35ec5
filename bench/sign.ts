/** Pre-signing for the benches: LUX transfers signed on worker threads (ML-DSA signing is the slow part). */
import { Worker } from 'node:worker_threads';
import { toHex } from '../sdk/chain.js';
import type { SignJob } from './sign-worker.js';

/**
 * Signs `perSeed` transfers of 1 unit from each seed (nonces 0, 1, …) to `to(seedIndex)`, spread
 * over `threads` workers. Returns the raw transactions (hex) per seed, in nonce order.
 */
export async function signTransfers(chainId: bigint, seeds: readonly Uint8Array[], perSeed: number, to: (seedIndex: number) => string, threads: number): Promise<string[][]> {
  const jobs: SignJob[] = Array.from({ length: threads }, () => ({ chainId: chainId.toString(), scheme: 'ml-dsa-65', items: [] }));
  const owner: [number, number][][] = jobs.map(() => []);
  seeds.forEach((seed, a) => {
    for (let n = 0; n < perSeed; n++) {
      const j = (a * perSeed + n) % threads;
      jobs[j]!.items.push({ seed: toHex(seed), nonce: String(n), to: to(a), amount: '1' });
      owner[j]!.push([a, n]);
    }
  });
  const out: string[][] = seeds.map(() => new Array(perSeed));
  await Promise.all(
    jobs.map(async (job, j) => {
      const w = new Worker(new URL('./sign-worker.ts', import.meta.url), { execArgv: process.execArgv });
      const signed = await new Promise<string[]>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.postMessage(job);
      });
      await w.terminate();
      signed.forEach((raw, i) => {
        const [a, n] = owner[j]![i]!;
        out[a]![n] = raw;
      });
    }),
  );
  return out;
}

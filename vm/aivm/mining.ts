/**
 * Legacy mining rewards (spec §2.2): a finalized optimistic result earns its provider the formula
 * reward, paid from the mining pool (funded at genesis) into the provider's credit while the pool
 * lasts, and leaves a SHA-256 reward receipt for `GetMerkleRoot`.
 */
import { t, toHex, type Address, LUX_ADDRESS } from '../../chain/index.js';
import { POOL_ADDRESS } from './constants.js';
import type { Env } from './env.js';
import { computeReward, legacyReceiptHash } from './rewards.js';
import { K, legacyReceiptT, type PostRecord, type ProviderStats, type TaskRecord } from './state.js';

/** Uptime in parts per million: the share of assignments the provider answered (1.0 when new). */
export function uptimePpm(s: Pick<ProviderStats, 'assigned' | 'missed'>): bigint {
  if (s.assigned === 0n) return 1_000_000n;
  return ((s.assigned - s.missed) * 1_000_000n) / s.assigned;
}

export async function payMiningReward(e: Env, id: Uint8Array, task: TaskRecord, post: PostRecord): Promise<void> {
  const provider: Address = post.provider;
  const stats = await e.w.stats(provider);
  const gpuModel = (await e.w.operator(provider))?.gpuModel ?? '';
  const formula = computeReward({ computeMs: post.computeMs, gpuModel, uptimePpm: uptimePpm(stats) });
  const pool = await e.ctx.query<bigint>(LUX_ADDRESS, 'balanceOf', { address: POOL_ADDRESS });
  const amount = formula < pool ? formula : pool;
  if (amount > 0n) {
    await e.pull(POOL_ADDRESS, amount, 'credit');
    e.w.setCreditRaw(provider, (await e.w.credit(provider)) + amount);
  }
  stats.tasksCompleted += 1n;
  stats.totalRewards += amount;
  stats.pendingMining += amount;
  stats.avgLatencyMs = (stats.avgLatencyMs * (stats.tasksCompleted - 1n) + post.computeMs) / stats.tasksCompleted;
  e.w.setStats(provider, stats);
  const hash = legacyReceiptHash({ jobId: toHex(id), providerId: provider, modelHash: task.spec, inputHash: task.prompt, outputHash: post.outputHash });
  e.w.state.setValue(legacyReceiptT, K.legacyReceipt(id), { provider, hash, reward: amount, computeMs: post.computeMs, height: e.height });
  await e.w.append(K.legacyCount, K.legacyAt, t.bytes32, id);
  await e.w.bumpStats((s) => (s.mined += amount));
  e.ctx.emit('MiningReward', { taskId: id, provider, amount, formula });
}

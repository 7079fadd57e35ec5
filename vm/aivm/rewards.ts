/**
 * The legacy reward formula and reward-receipt tree (spec §2.2), in integer arithmetic: percents
 * are integers, every division truncates, and the steps run in the spec's order. Uptime is given in
 * parts per million (1_000_000 = 100 %), so "≥ 0.999" is `uptimePpm >= 999_000`.
 */
import { concat, sha256, utf8 } from '../../chain/index.js';
import { bytesN } from './bytes.js';

export const BASE_REWARD = 10n ** 15n;
export const UPTIME_BONUS_THRESHOLD_PPM = 999_000;

/** Raw-throughput classes, highest first; the first whose keyword occurs in the model string wins. */
const COMPUTE_CLASSES: readonly { name: string; bonusPct: bigint; keywords: readonly string[] }[] = [
  { name: 'frontier-datacenter', bonusPct: 20n, keywords: ['gb200', 'b200', 'b100'] },
  { name: 'premium-datacenter', bonusPct: 15n, keywords: ['h100', 'h200', 'gh200', 'mi300'] },
  { name: 'datacenter', bonusPct: 10n, keywords: ['a100', 'l40', 'a40', 'a30', 'mi250', 'mi210', 'instinct'] },
  { name: 'workstation', bonusPct: 8n, keywords: ['rtx pro 6000', 'rtx 6000', '6000 blackwell', '6000 ada', 'a6000'] },
  { name: 'prosumer', bonusPct: 6n, keywords: ['5090', '4090', 'ultra', 'gb10', 'dgx spark', 'spark'] },
  {
    name: 'consumer',
    bonusPct: 4n,
    keywords: ['rtx 40', 'rtx 30', '4080', '3090', '3080', 'radeon rx', 'rx 7', 'rx 9', 'strix halo', 'ryzen ai max', 'evo x2', ' max'],
  },
  { name: 'integrated', bonusPct: 2n, keywords: ['arc', 'iris', 'vega', 'apple m', 'm1', 'm2', 'm3', 'm4', ' pro', 'radeon'] },
];
const CPU_CLASS = { name: 'cpu', bonusPct: 1n };

export type ConfidentialCompute = 'none' | 'cpu-tee' | 'capable-gpu-tee' | 'verified-gpu-tee';
const CC_BONUS: Record<ConfidentialCompute, bigint> = { none: 0n, 'cpu-tee': 1n, 'capable-gpu-tee': 4n, 'verified-gpu-tee': 8n };

const normalise = (model: string) => model.trim().toLowerCase();
const hasAny = (m: string, words: readonly string[]) => words.some((w) => m.includes(w));

export function computeClass(gpuModel: string): { name: string; bonusPct: bigint } {
  const m = normalise(gpuModel);
  return COMPUTE_CLASSES.find((c) => hasAny(m, c.keywords)) ?? CPU_CLASS;
}

/** What a model string alone can claim: at most "capable"; desktop Blackwell parts are excluded. */
export function confidentialComputeOf(gpuModel: string): ConfidentialCompute {
  const m = normalise(gpuModel);
  if (hasAny(m, ['dgx spark', 'gb10', 'spark'])) return 'none';
  if (hasAny(m, ['gb200', 'b200', 'b100', 'h100', 'h200', 'gh200'])) return 'capable-gpu-tee';
  if (hasAny(m, ['rtx pro 6000 blackwell', 'rtx pro 6000', 'rtx 6000 blackwell'])) return 'capable-gpu-tee';
  return 'none';
}

/** Class bonus + confidential-compute bonus, in integer percent. */
export function capabilityBonusPct(gpuModel: string): bigint {
  return computeClass(gpuModel).bonusPct + CC_BONUS[confidentialComputeOf(gpuModel)];
}

export function computeFactorPct(computeMs: bigint): bigint {
  if (computeMs < 100n) return 100n;
  if (computeMs < 1_000n) return 150n;
  if (computeMs < 10_000n) return 200n;
  return 300n;
}

export interface RewardInput {
  computeMs: bigint | number;
  gpuModel: string;
  /** Provider uptime in parts per million. */
  uptimePpm: bigint | number;
}

/** The per-task reward in wei (§2.2, steps 1–5). */
export function computeReward({ computeMs, gpuModel, uptimePpm }: RewardInput): bigint {
  const ms = BigInt(computeMs);
  if (ms < 0n) throw new RangeError('computeMs must not be negative');
  let r = (BASE_REWARD * 100n) / 100n; // model complexity 1.0
  r = (r * computeFactorPct(ms)) / 100n;
  r += (r * capabilityBonusPct(gpuModel)) / 100n;
  if (BigInt(uptimePpm) >= BigInt(UPTIME_BONUS_THRESHOLD_PPM)) r += (r * 10n) / 100n;
  if (ms < 100n) r += (r * 5n) / 100n;
  return r;
}

export interface LegacyReceipt {
  jobId: string;
  providerId: string;
  modelHash: Uint8Array;
  inputHash: Uint8Array;
  outputHash: Uint8Array;
}

/** `SHA256(JobID ‖ ProviderID ‖ ModelHash ‖ InputHash ‖ OutputHash)`, no length prefixes. */
export function legacyReceiptHash(r: LegacyReceipt): Uint8Array {
  return sha256(concat(utf8(r.jobId), utf8(r.providerId), bytesN(r.modelHash, 32, 'modelHash'), bytesN(r.inputHash, 32, 'inputHash'), bytesN(r.outputHash, 32, 'outputHash')));
}

/**
 * SHA-256 Merkle root over reward receipts: node = SHA256(l ‖ r), an odd last node is paired with
 * itself, empty gives zero. Leaves are ordered by JobID bytes (upstream walked a Go map).
 */
export function legacyMerkleRoot(receipts: readonly { jobId: string; hash: Uint8Array }[]): Uint8Array {
  if (receipts.length === 0) return new Uint8Array(32);
  const sorted = [...receipts].sort((a, b) => Buffer.compare(Buffer.from(utf8(a.jobId)), Buffer.from(utf8(b.jobId))));
  let level = sorted.map((r) => r.hash);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256(concat(level[i]!, level[i + 1] ?? level[i]!)));
    level = next;
  }
  return new Uint8Array(level[0]!);
}

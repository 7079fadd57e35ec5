/**
 * Genesis parameters of the workload-session module (`modules.sessionwork` in the genesis document).
 * Every field is optional; amounts are decimal strings of LUX wei, block counts integers.
 */
import { fromHex, isHex, utf8, parseUint, sha256, ONE_LUX } from '../../../chain/index.js';
import { MAX_COMMITTEE_SIZE, MIN_COMMITTEE_SIZE } from './committee.js';
import type { Id32 } from './types.js';

/**
 * Consensus rules versions. A genesis that names no `version` runs the original rules (1), so every
 * chain made before version 2 existed replays unchanged; new devnet geneses ask for the current one.
 *
 *  1. original: the step output and the session output are whatever the submitter says.
 *  2. attested outputs: a step's output is the body hash a quorum of the committee's records agree
 *     on (fixed when the records are committed); the session output is the tree (a) root over the
 *     steps' outputs. Both are refused otherwise (`OutputNotAttested`).
 */
export const WORK_RULES = { original: 1, attestedOutputs: 2 } as const;
/** The rules a new chain gets (the dev genesis writes it). */
export const CURRENT_WORK_RULES = WORK_RULES.attestedOutputs;

export interface WorkParams {
  /** Consensus rules version (see WORK_RULES); 1 when the genesis names none. */
  version: number;
  /** Smallest stake (wei of LUX) a node registers and stays active with. */
  minStake: bigint;
  /** Blocks per epoch (beacon and committee period). */
  epochBlocks: bigint;
  committeeMin: number;
  committeeMax: number;
  /** A session not finalized within this many blocks of its creation fails. */
  sessionTimeoutBlocks: bigint;
  /** An oracle step not completed within this many blocks of its request fails (and may be retried). */
  stepTimeoutBlocks: bigint;
  /** Blocks between exit and stake withdrawal (evidence can still slash during this window). */
  unbondingBlocks: bigint;
  /** Timeouts handled per block at most; the rest carry over to the next block. */
  maxExpiriesPerBlock: number;
  maxInputBytes: number;
  maxBodyBytes: number;
  maxStepsPerSession: number;
  maxReceiptsPerSession: number;
  maxActiveNodes: number;
  /** Share of a slashed stake paid to the reporter, in basis points; the rest is burned. */
  reporterRewardBps: number;
  /** Randomness of the epoch-0 beacon. */
  genesisRandomness: Id32;
}

export const DEFAULT_WORK_PARAMS: WorkParams = {
  version: WORK_RULES.original,
  minStake: 1_000n * ONE_LUX,
  epochBlocks: 100n,
  committeeMin: MIN_COMMITTEE_SIZE,
  committeeMax: MAX_COMMITTEE_SIZE,
  sessionTimeoutBlocks: 1_000n,
  stepTimeoutBlocks: 100n,
  unbondingBlocks: 100n,
  maxExpiriesPerBlock: 64,
  maxInputBytes: 4_096,
  maxBodyBytes: 16_384,
  maxStepsPerSession: 256,
  maxReceiptsPerSession: 4_096,
  maxActiveNodes: 1_024,
  reporterRewardBps: 1_000,
  genesisRandomness: sha256(utf8('sessionchain/sessionwork/genesis-randomness/v1')),
};

/** Hard caps the parameters must stay under (they bound per-transaction work and value sizes). */
export const LIMITS = {
  /** A quorum attestation of 32 members (22 × 5.3 KB of key and signature) still fits the default 128 KiB transaction. */
  committeeMax: 32,
  maxInputBytes: 64 * 1024,
  maxBodyBytes: 64 * 1024,
  maxStepsPerSession: 65_536,
  maxReceiptsPerSession: 1 << 20,
  maxActiveNodes: 16_384,
  maxExpiriesPerBlock: 10_000,
} as const;

export function parseWorkParams(json: unknown): WorkParams {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('sessionwork parameters must be an object');
  const j = json as Record<string, unknown>;
  for (const k of Object.keys(j)) if (!(k in DEFAULT_WORK_PARAMS)) throw new Error(`unknown sessionwork parameter "${k}" (known: ${Object.keys(DEFAULT_WORK_PARAMS).join(', ')})`);
  const big = (k: keyof WorkParams, min: bigint, max: bigint): bigint => {
    if (j[k] === undefined) return DEFAULT_WORK_PARAMS[k] as bigint;
    const v = parseUint(j[k], k);
    if (v < min || v > max) throw new Error(`${k} must be between ${min} and ${max}`);
    return v;
  };
  const small = (k: keyof WorkParams, min: number, max: number): number => Number(big(k, BigInt(min), BigInt(max)));
  const p: WorkParams = {
    version: small('version', WORK_RULES.original, CURRENT_WORK_RULES),
    minStake: big('minStake', 0n, (1n << 255n) - 1n),
    epochBlocks: big('epochBlocks', 1n, 1n << 32n),
    committeeMin: small('committeeMin', 1, LIMITS.committeeMax),
    committeeMax: small('committeeMax', 1, LIMITS.committeeMax),
    sessionTimeoutBlocks: big('sessionTimeoutBlocks', 1n, 1n << 40n),
    stepTimeoutBlocks: big('stepTimeoutBlocks', 1n, 1n << 40n),
    unbondingBlocks: big('unbondingBlocks', 0n, 1n << 40n),
    maxExpiriesPerBlock: small('maxExpiriesPerBlock', 1, LIMITS.maxExpiriesPerBlock),
    maxInputBytes: small('maxInputBytes', 0, LIMITS.maxInputBytes),
    maxBodyBytes: small('maxBodyBytes', 0, LIMITS.maxBodyBytes),
    maxStepsPerSession: small('maxStepsPerSession', 1, LIMITS.maxStepsPerSession),
    maxReceiptsPerSession: small('maxReceiptsPerSession', 0, LIMITS.maxReceiptsPerSession),
    maxActiveNodes: small('maxActiveNodes', 1, LIMITS.maxActiveNodes),
    reporterRewardBps: small('reporterRewardBps', 0, 10_000),
    genesisRandomness: DEFAULT_WORK_PARAMS.genesisRandomness,
  };
  if (p.committeeMin > p.committeeMax) throw new Error('committeeMin must not exceed committeeMax');
  if (j.genesisRandomness !== undefined) {
    const r = j.genesisRandomness;
    if (typeof r !== 'string' || !r.startsWith('0x') || !isHex(r) || r.length !== 66) throw new Error('genesisRandomness must be 32 bytes of 0x hex');
    p.genesisRandomness = fromHex(r);
  }
  return p;
}

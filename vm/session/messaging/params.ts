/**
 * Genesis parameters of the messaging SessionVM (`modules.sessionvm` in the genesis document).
 * Upstream's config names are kept where they exist (`maxMessages`, `maxChannels`,
 * `retentionDays`); `sessionTTL` in seconds becomes `sessionTtlBlocks`, since expiry is by height.
 */
import { parseUint } from '../../../chain/index.js';

export const SPEC_MAX_PARTICIPANTS = 32;
export const SPEC_MAX_CIPHERTEXT = 64 * 1024;
export const MS_PER_DAY = 86_400_000n;

export interface MessagingParams {
  /** TTL used when CreateSession asks for 0 blocks. */
  readonly sessionTtlBlocks: bigint;
  /** Longest TTL a session may ask for. */
  readonly maxTtlBlocks: bigint;
  /** Messages one session may carry over its life. */
  readonly maxMessages: bigint;
  /** Sessions open (active) at once, chain-wide; a channel is an open session. */
  readonly maxChannels: bigint;
  readonly maxParticipants: number;
  readonly maxCiphertextBytes: number;
  /** Messages are pruned this many days of block time after they were sent; ended sessions too. */
  readonly retentionDays: bigint;
  /** Upper bound on expiries and prunings handled in one block's endBlock. */
  readonly maintenancePerBlock: number;
}

export const DEFAULT_MESSAGING_PARAMS: MessagingParams = {
  sessionTtlBlocks: 86_400n,
  maxTtlBlocks: 2_592_000n,
  maxMessages: 10_000n,
  maxChannels: 1_000n,
  maxParticipants: SPEC_MAX_PARTICIPANTS,
  maxCiphertextBytes: SPEC_MAX_CIPHERTEXT,
  retentionDays: 30n,
  maintenancePerBlock: 256,
};

type Bounds = { min: bigint; max: bigint };
const BOUNDS: Record<keyof MessagingParams, Bounds> = {
  sessionTtlBlocks: { min: 1n, max: 1n << 40n },
  maxTtlBlocks: { min: 1n, max: 1n << 40n },
  maxMessages: { min: 1n, max: 1n << 40n },
  maxChannels: { min: 1n, max: 1n << 40n },
  maxParticipants: { min: 1n, max: BigInt(SPEC_MAX_PARTICIPANTS) },
  maxCiphertextBytes: { min: 1n, max: BigInt(SPEC_MAX_CIPHERTEXT) },
  retentionDays: { min: 1n, max: 36_500n },
  maintenancePerBlock: { min: 1n, max: 100_000n },
};

export function parseMessagingParams(json: unknown): MessagingParams {
  if (json === undefined || json === null) json = {};
  if (typeof json !== 'object' || Array.isArray(json)) throw new Error('sessionvm parameters must be an object');
  const raw = json as Record<string, unknown>;
  for (const k of Object.keys(raw)) {
    if (!(k in BOUNDS)) throw new Error(`unknown sessionvm parameter "${k}" (known: ${Object.keys(BOUNDS).join(', ')})`);
  }
  const out: Record<string, bigint | number> = {};
  for (const key of Object.keys(BOUNDS) as (keyof MessagingParams)[]) {
    const dflt = DEFAULT_MESSAGING_PARAMS[key];
    const v = raw[key] === undefined ? BigInt(dflt) : parseUint(raw[key], key);
    const { min, max } = BOUNDS[key];
    if (v < min || v > max) throw new Error(`sessionvm.${key} must be between ${min} and ${max}, got ${v}`);
    out[key] = typeof dflt === 'number' ? Number(v) : v;
  }
  const p = out as unknown as MessagingParams;
  if (p.sessionTtlBlocks > p.maxTtlBlocks) throw new Error('sessionvm.sessionTtlBlocks must not exceed maxTtlBlocks');
  return p;
}

export function retentionMs(p: MessagingParams): bigint {
  return p.retentionDays * MS_PER_DAY;
}

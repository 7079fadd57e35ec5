/**
 * Genesis parameters of the AIVM module, validated and converted by `parseAivmParams`. Amounts are
 * wei of LUX (decimal strings in JSON); windows and cooldowns are block counts.
 */
import { fromHex, parseUint } from '../../chain/index.js';
import { parseBlsPublicKey } from './bls.js';
import { chainIdFromString } from './wire.js';

/**
 * Consensus rules versions. A genesis that names no `version` runs the original rules (1), so every
 * chain made before version 2 existed replays unchanged; new devnet geneses ask for the current one.
 *
 *  1. original: self-made TEE keys count; an undecidable dispute returns both bonds; the anchor
 *     arena stops anchoring when full.
 *  2. trust: TEE attesting keys need a certificate from a genesis-listed vendor root key, and
 *     `requireTee` (per model, or a task in mode 2) refuses non-TEE results; a dispute always ends
 *     (re-execution, escalation, a substantiation window, else both bonds burned); the anchor arena
 *     rotates at every epoch boundary and when full, with events as it nears and reaches capacity.
 */
export const AIVM_RULES = { original: 1, trust: 2 } as const;
/** The rules a new chain gets (the dev genesis writes it). */
export const CURRENT_AIVM_RULES = AIVM_RULES.trust;

/** A TEE vendor's root key (BLS12-381 min-pk, 48-byte G1): it certifies attesting keys. */
export interface TeeVendorKey {
  name: string;
  publicKey: Uint8Array;
}

export interface TeeAllowEntry {
  spec: Uint8Array;
  measurement: Uint8Array;
  /** 0..100: how far the challenge window shrinks (window × (100 − trust) / 100). */
  trust: number;
}

export interface AivmParams {
  /** Consensus rules version (see AIVM_RULES); 1 when the genesis names none. */
  version: number;
  cChainName: string;
  aChainName: string;
  cChain: Uint8Array;
  aChain: Uint8Array;
  minProviderBond: bigint;
  slashPerOperator: bigint;
  requestFeePerOperator: bigint;
  /** Smallest fee a `submitTask` may carry (zero-fee tasks are always refused). */
  minTaskFee: bigint;
  marginFloor: number;
  marginBps: number;
  commitBlocks: bigint;
  revealBlocks: bigint;
  unbondCooldownBlocks: bigint;
  slashDissenters: boolean;
  /** Blocks the assigned provider has to post an optimistic result. */
  postBlocks: bigint;
  challengeWindowBlocks: bigint;
  minChallengeWindowBlocks: bigint;
  minChallengeBond: bigint;
  escalationN: number;
  escalationThreshold: number;
  minTrustScore: number;
  epochBlocks: bigint;
  attestationSlots: number;
  modelSlots: number;
  anchorSlots: number;
  /** LUX minted into the mining-reward pool at genesis. */
  miningPool: bigint;
  teeAllowList: TeeAllowEntry[];
  /** Rules 2: the vendor root keys whose certificates make an attesting key usable. */
  teeVendorKeys: TeeVendorKey[];
  /** Rules 2: blocks a dispute nobody could decide stays open for evidence (and for voters to join). */
  disputeWindowBlocks: bigint;
}

export const DEFAULT_AIVM_PARAMS = {
  version: AIVM_RULES.original,
  cChain: 'c-chain',
  aChain: 'a-chain',
  minProviderBond: 10n ** 18n,
  slashPerOperator: 10n ** 17n,
  requestFeePerOperator: 10n ** 16n,
  minTaskFee: 10n ** 16n,
  marginFloor: 2,
  marginBps: 5000,
  commitBlocks: 30n,
  revealBlocks: 30n,
  unbondCooldownBlocks: 60n,
  slashDissenters: false,
  postBlocks: 30n,
  challengeWindowBlocks: 100n,
  minChallengeWindowBlocks: 10n,
  minChallengeBond: 10n ** 18n,
  escalationN: 5,
  escalationThreshold: 3,
  minTrustScore: 50,
  epochBlocks: 100n,
  attestationSlots: 1024,
  modelSlots: 512,
  anchorSlots: 4096,
  miningPool: 0n,
  disputeWindowBlocks: 100n,
} as const;

const KNOWN = new Set([...Object.keys(DEFAULT_AIVM_PARAMS), 'teeAllowList', 'teeVendorKeys']);

function fail(msg: string): never {
  throw new Error(msg);
}

function uint(v: unknown, name: string, dflt: bigint, min = 0n, max = (1n << 256n) - 1n): bigint {
  if (v === undefined) return dflt;
  let x: bigint;
  try {
    x = parseUint(v, `aivm.${name}`);
  } catch (e) {
    fail((e as Error).message);
  }
  if (x < min || x > max) fail(`aivm.${name} must be between ${min} and ${max}`);
  return x;
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

function hex32(v: unknown, name: string): Uint8Array {
  if (typeof v !== 'string') fail(`${name} must be 0x-prefixed 32-byte hex`);
  let b: Uint8Array;
  try {
    b = fromHex(v);
  } catch {
    fail(`${name} must be 0x-prefixed 32-byte hex`);
  }
  if (b.length !== 32) fail(`${name} must be 32 bytes`);
  return b;
}

export function parseAivmParams(json: unknown): AivmParams {
  const j = (json ?? {}) as Record<string, unknown>;
  if (typeof j !== 'object' || Array.isArray(j)) fail('aivm parameters must be an object');
  for (const k of Object.keys(j)) if (!KNOWN.has(k)) fail(`unknown aivm parameter "${k}" (known: ${[...KNOWN].join(', ')})`);
  const d = DEFAULT_AIVM_PARAMS;
  const name = (v: unknown, n: string, dflt: string) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || v.length === 0 || v.length > 64) fail(`aivm.${n} must be a chain name of 1..64 characters`);
    return v;
  };
  const bool = (v: unknown, n: string, dflt: boolean) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') fail(`aivm.${n} must be true or false`);
    return v;
  };
  const cChainName = name(j.cChain, 'cChain', d.cChain);
  const aChainName = name(j.aChain, 'aChain', d.aChain);
  const slots = (n: string, dflt: number) => {
    const v = Number(uint(j[n], n, BigInt(dflt), 16n, 1n << 16n));
    if (!isPow2(v)) fail(`aivm.${n} must be a power of two (it is a consensus parameter of the kernel arenas)`);
    return v;
  };
  const p: AivmParams = {
    version: Number(uint(j.version, 'version', BigInt(d.version), BigInt(AIVM_RULES.original), BigInt(CURRENT_AIVM_RULES))),
    cChainName,
    aChainName,
    cChain: chainIdFromString(cChainName),
    aChain: chainIdFromString(aChainName),
    minProviderBond: uint(j.minProviderBond, 'minProviderBond', d.minProviderBond, 1n),
    slashPerOperator: uint(j.slashPerOperator, 'slashPerOperator', d.slashPerOperator),
    requestFeePerOperator: uint(j.requestFeePerOperator, 'requestFeePerOperator', d.requestFeePerOperator, 1n),
    minTaskFee: uint(j.minTaskFee, 'minTaskFee', d.minTaskFee, 1n),
    marginFloor: Number(uint(j.marginFloor, 'marginFloor', BigInt(d.marginFloor), 0n, 256n)),
    marginBps: Number(uint(j.marginBps, 'marginBps', BigInt(d.marginBps), 0n, 10_000n)),
    commitBlocks: uint(j.commitBlocks, 'commitBlocks', d.commitBlocks, 1n, 1n << 32n),
    revealBlocks: uint(j.revealBlocks, 'revealBlocks', d.revealBlocks, 1n, 1n << 32n),
    unbondCooldownBlocks: uint(j.unbondCooldownBlocks, 'unbondCooldownBlocks', d.unbondCooldownBlocks, 0n, 1n << 32n),
    slashDissenters: bool(j.slashDissenters, 'slashDissenters', d.slashDissenters),
    postBlocks: uint(j.postBlocks, 'postBlocks', d.postBlocks, 1n, 1n << 32n),
    challengeWindowBlocks: uint(j.challengeWindowBlocks, 'challengeWindowBlocks', d.challengeWindowBlocks, 1n, 1n << 32n),
    minChallengeWindowBlocks: uint(j.minChallengeWindowBlocks, 'minChallengeWindowBlocks', d.minChallengeWindowBlocks, 1n, 1n << 32n),
    minChallengeBond: uint(j.minChallengeBond, 'minChallengeBond', d.minChallengeBond, 1n),
    escalationN: Number(uint(j.escalationN, 'escalationN', BigInt(d.escalationN), 3n, 256n)),
    escalationThreshold: Number(uint(j.escalationThreshold, 'escalationThreshold', BigInt(d.escalationThreshold), 2n, 256n)),
    minTrustScore: Number(uint(j.minTrustScore, 'minTrustScore', BigInt(d.minTrustScore), 0n, 100n)),
    epochBlocks: uint(j.epochBlocks, 'epochBlocks', d.epochBlocks, 1n, 1n << 32n),
    attestationSlots: slots('attestationSlots', d.attestationSlots),
    modelSlots: slots('modelSlots', d.modelSlots),
    anchorSlots: slots('anchorSlots', d.anchorSlots),
    miningPool: uint(j.miningPool, 'miningPool', d.miningPool),
    teeAllowList: [],
    teeVendorKeys: [],
    disputeWindowBlocks: uint(j.disputeWindowBlocks, 'disputeWindowBlocks', d.disputeWindowBlocks, 1n, 1n << 32n),
  };
  if (p.minChallengeWindowBlocks > p.challengeWindowBlocks) fail('aivm.minChallengeWindowBlocks must not exceed challengeWindowBlocks');
  if (p.escalationThreshold < Math.floor(p.escalationN / 2) + 1 || p.escalationThreshold > p.escalationN) fail('aivm.escalationThreshold must satisfy floor(N/2)+1 <= threshold <= escalationN');
  const allow = j.teeAllowList ?? [];
  if (!Array.isArray(allow)) fail('aivm.teeAllowList must be a list of {spec, measurement, trust}');
  p.teeAllowList = allow.map((e, i) => {
    const o = e as Record<string, unknown>;
    if (o?.trust === undefined) fail(`aivm.teeAllowList[${i}].trust is missing (0..100)`);
    const trust = Number(uint(o.trust, `teeAllowList[${i}].trust`, 0n, 0n, 100n));
    return { spec: hex32(o?.spec, `aivm.teeAllowList[${i}].spec`), measurement: hex32(o?.measurement, `aivm.teeAllowList[${i}].measurement`), trust };
  });
  const vendors = j.teeVendorKeys ?? [];
  if (!Array.isArray(vendors)) fail('aivm.teeVendorKeys must be a list of {name, publicKey}');
  p.teeVendorKeys = vendors.map((e, i) => {
    const o = e as Record<string, unknown>;
    const name = o?.name;
    if (typeof name !== 'string' || name.length === 0 || name.length > 128) fail(`aivm.teeVendorKeys[${i}].name must be 1..128 characters`);
    const publicKey = parseBlsPublicKey(o?.publicKey);
    if (!publicKey) fail(`aivm.teeVendorKeys[${i}].publicKey must be a 48-byte BLS12-381 G1 point (0x hex)`);
    return { name, publicKey };
  });
  return p;
}

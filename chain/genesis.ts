/**
 * Genesis: the document that fixes a chain's identity (chain id, start time, producer, chain
 * parameters, prefunded accounts, module parameters), its validation against a module set, and its
 * canonical form. The default devnet genesis is composed in `genesis/`.
 *
 * The canonical form is JSON with sorted keys and no whitespace; keccak256 of it is recorded in
 * block 0's extra roots as `genesis`, so the genesis block hash pins the whole document.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Address, toAddress } from './address.js';
import { utf8 } from './bytes.js';
import { keccak256 } from './hash.js';
import { parseUint } from './codec.js';
import type { ChainParams } from './executor.js';
import { ModuleRegistry } from './module/registry.js';
import type { ModuleDefinition } from './module/contract.js';

/** The JSON document as written to disk. Amounts are decimal strings. */
export interface GenesisDoc {
  chainId: number;
  /** Unix milliseconds of block 0. */
  timestamp: number;
  /** Address of the proof-of-authority producer; block headers must be signed by its key. */
  producer: string;
  params?: {
    minGasPrice?: string;
    blockGasLimit?: string;
    maxTxBytes?: number;
    maxBlockTxs?: number;
  };
  /** LUX balances in wei. */
  alloc?: Record<string, string | { balance: string }>;
  /** Per-module entries by module name: `address` (optional, must be the module's) and its parameters. */
  modules?: Record<string, unknown>;
}

export interface Genesis {
  doc: GenesisDoc;
  /** Canonical JSON text. */
  canonical: string;
  hash: Uint8Array;
  chainId: bigint;
  timestamp: bigint;
  producer: Address;
  params: ChainParams;
  /** Raw per-module parameters (lux receives `alloc`). */
  moduleParams: Record<string, unknown>;
}

export const DEFAULT_CHAIN_ID = 1337;
/** 2026-01-01T00:00:00Z. */
export const DEFAULT_GENESIS_TIMESTAMP = 1_767_225_600_000;
export const DEFAULT_PARAMS = {
  minGasPrice: 1_000_000_000n, // 1 gwei
  blockGasLimit: 3_000_000_000n,
  maxTxBytes: 128 * 1024,
  maxBlockTxs: 10_000,
};

export class GenesisError extends Error {
  override name = 'InvalidGenesis';
}

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new GenesisError(`numbers must be safe integers (got ${v}); use decimal strings`);
    if (typeof v === 'bigint') return JSON.stringify(v.toString());
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

function check(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new GenesisError(msg);
}

/** Validates a genesis document against the module set; returns the parsed form. */
export function loadGenesis(doc: unknown, modules: readonly ModuleDefinition[]): Genesis {
  check(doc !== null && typeof doc === 'object' && !Array.isArray(doc), 'genesis must be a JSON object');
  const d = doc as GenesisDoc;
  const known = new Set(['chainId', 'timestamp', 'producer', 'params', 'alloc', 'modules']);
  for (const k of Object.keys(d)) check(known.has(k), `unknown genesis field "${k}" (fields: ${[...known].join(', ')})`);
  check(Number.isSafeInteger(d.chainId) && d.chainId > 0, 'chainId must be a positive integer');
  check(Number.isSafeInteger(d.timestamp) && d.timestamp >= 0, 'timestamp must be unix milliseconds (a non-negative integer)');
  let producer: Address;
  try {
    producer = toAddress(d.producer);
  } catch {
    throw new GenesisError('producer must be the 20-byte 0x address of the block producer');
  }
  const p = d.params ?? {};
  for (const k of Object.keys(p)) check(k in DEFAULT_PARAMS, `unknown params field "${k}" (fields: ${Object.keys(DEFAULT_PARAMS).join(', ')})`);
  const num = (v: unknown, name: string, dflt: bigint) => {
    if (v === undefined) return dflt;
    try {
      return parseUint(v, `params.${name}`);
    } catch (e) {
      throw new GenesisError((e as Error).message);
    }
  };
  const params: ChainParams = {
    chainId: BigInt(d.chainId),
    minGasPrice: num(p.minGasPrice, 'minGasPrice', DEFAULT_PARAMS.minGasPrice),
    blockGasLimit: num(p.blockGasLimit, 'blockGasLimit', DEFAULT_PARAMS.blockGasLimit),
    maxTxBytes: Number(num(p.maxTxBytes, 'maxTxBytes', BigInt(DEFAULT_PARAMS.maxTxBytes))),
    maxBlockTxs: Number(num(p.maxBlockTxs, 'maxBlockTxs', BigInt(DEFAULT_PARAMS.maxBlockTxs))),
  };
  check(params.maxTxBytes >= 1024 && params.maxTxBytes <= 4 * 1024 * 1024, 'params.maxTxBytes must be between 1 KiB and 4 MiB');
  check(params.maxBlockTxs >= 1 && params.maxBlockTxs <= 100_000, 'params.maxBlockTxs must be between 1 and 100000');
  check(params.blockGasLimit >= 1_000_000n && params.blockGasLimit < 1n << 62n, 'params.blockGasLimit is out of range');
  // Each module entry may record the module's address (it must be the built-in one); the rest is
  // the module's own parameters.
  const modParams: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(d.modules ?? {})) {
    check(entry !== null && typeof entry === 'object' && !Array.isArray(entry), `modules.${name} must be an object`);
    const { address, ...params } = entry as { address?: unknown };
    if (address !== undefined) {
      const def = modules.find((m) => m.name === name);
      let given: string;
      try {
        given = toAddress(address as string);
      } catch {
        throw new GenesisError(`modules.${name}.address is not an address`);
      }
      check(!def || def.address === given, `modules.${name}.address is ${given}, but the ${name} module lives at ${def?.address}`);
    }
    modParams[name] = params;
  }
  modParams.lux = { ...((modParams.lux as object) ?? {}), alloc: d.alloc ?? {} };
  try {
    new ModuleRegistry(modules, modParams); // validates module parameters
  } catch (e) {
    throw new GenesisError((e as Error).message);
  }
  const canonical = canonicalJson(d);
  return {
    doc: d,
    canonical,
    hash: keccak256(utf8(canonical)),
    chainId: BigInt(d.chainId),
    timestamp: BigInt(d.timestamp),
    producer,
    params,
    moduleParams: modParams,
  };
}

export function readGenesisFile(path: string, modules: readonly ModuleDefinition[]): Genesis {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GenesisError(`cannot read genesis file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new GenesisError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return loadGenesis(json, modules);
}

export function writeGenesisFile(path: string, doc: GenesisDoc): void {
  writeFileSync(path, JSON.stringify(JSON.parse(canonicalJson(doc)), null, 2) + '\n');
}

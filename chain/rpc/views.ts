/**
 * JSON views of chain objects for the RPC and the CLI. Conventions: hashes and bytes are 0x hex,
 * heights and counts are JSON numbers, amounts and gas are decimal strings, timestamps are unix ms
 * numbers. Arguments, return values and events are decoded with their module's schema when known.
 */
import { toHex, bytesToBig } from '../bytes.js';
import { type Json, rlpDecode, asList, decodeValue } from '../codec.js';
import { type Block, type BlockHeader, blockHash } from '../block.js';
import type { ChainEvent, Receipt } from '../receipt.js';
import type { Transaction } from '../tx.js';
import type { FoundEvent } from '../chain.js';
import { schemeOf } from '../keys/schemes.js';
import type { ModuleRegistry } from '../module/registry.js';

export function headerJson(h: BlockHeader): Record<string, Json> {
  return {
    height: Number(h.height),
    hash: toHex(blockHash(h)),
    parentHash: toHex(h.parentHash),
    timestamp: Number(h.timestamp),
    producer: h.producer,
    txRoot: toHex(h.txRoot),
    receiptsRoot: toHex(h.receiptsRoot),
    stateRoot: toHex(h.stateRoot),
    extraRoots: Object.fromEntries(h.extraRoots.map(([n, r]) => [n, toHex(r)])),
    gasUsed: h.gasUsed.toString(),
    txCount: h.txCount,
  };
}

export function blockJson(b: Block, registry: ModuleRegistry, full: boolean): Record<string, Json> {
  return {
    ...headerJson(b.header),
    transactions: full ? b.txs.map((tx, i) => txJson(tx, registry, { height: b.header.height, index: i })) : b.txs.map((tx) => toHex(tx.hash)),
  };
}

export function txJson(tx: Transaction, registry: ModuleRegistry, loc?: { height: bigint; index: number }): Record<string, Json> {
  const mod = registry.resolve(tx.to);
  const def = mod?.def.methods[tx.method];
  let args: Json;
  try {
    args = def ? def.args.toJson(def.args.decode(tx.args)) : null;
  } catch {
    args = null;
  }
  return {
    hash: toHex(tx.hash),
    chainId: Number(tx.chainId),
    nonce: tx.nonce.toString(),
    from: tx.from,
    to: tx.to,
    module: mod?.def.name ?? null,
    method: tx.method,
    args,
    gasLimit: tx.gasLimit.toString(),
    gasPrice: tx.gasPrice.toString(),
    scheme: schemeOf(tx.signature),
    size: tx.raw.length,
    ...(loc ? { height: Number(loc.height), index: loc.index } : {}),
  };
}

/** Decodes an event's fields from its topics and data, where the schema allows. */
export function eventArgs(e: ChainEvent, registry: ModuleRegistry): Record<string, Json> | null {
  const mod = registry.resolve(e.address);
  const def = mod?.def.events?.[e.name];
  if (!def) return null;
  try {
    const indexed = new Set(def.indexed ?? []);
    const data = asList(rlpDecode(e.data, 'event data'), 'data');
    const out: Record<string, Json> = {};
    let di = 0;
    let ti = 1;
    for (const k of def.fields.keys) {
      const type = def.fields.fields[k]!;
      if (indexed.has(k)) {
        const word = e.topics[ti++]!;
        if (type.name === 'address') out[k] = toHex(word.subarray(12));
        else if (type.name === 'bytes32') out[k] = toHex(word);
        else if (/^uint\d+$/.test(type.name)) out[k] = type.toJson(type.name === 'uint8' || type.name === 'uint16' || type.name === 'uint32' ? Number(bytesToBig(word)) : bytesToBig(word));
        else if (type.name === 'bool') out[k] = word[31] === 1;
        else out[k] = { hash: toHex(word) };
      } else {
        out[k] = type.toJson(type.decode(data[di++]!, k));
      }
    }
    return out;
  } catch {
    return null;
  }
}

export function eventJson(e: ChainEvent, registry: ModuleRegistry): Record<string, Json> {
  return { address: e.address, name: e.name, topics: e.topics.map(toHex), data: toHex(e.data), args: eventArgs(e, registry) };
}

export function foundEventJson(e: FoundEvent, registry: ModuleRegistry): Record<string, Json> {
  return {
    ...eventJson(e, registry),
    height: Number(e.height),
    blockHash: toHex(e.blockHash),
    txHash: e.txHash ? toHex(e.txHash) : null,
    txIndex: e.txIndex,
    logIndex: e.logIndex,
  };
}

export function receiptJson(r: Receipt, registry: ModuleRegistry, ctx: { tx?: Transaction; height?: bigint; index?: number; blockHash?: Uint8Array } = {}): Record<string, Json> {
  let result: Json = null;
  if (r.status === 1 && ctx.tx) {
    const def = registry.resolve(ctx.tx.to)?.def.methods[ctx.tx.method];
    if (def?.returns) {
      try {
        result = def.returns.toJson(decodeValue(def.returns, r.returnData));
      } catch {
        result = null;
      }
    }
  }
  return {
    txHash: toHex(r.txHash),
    status: r.status,
    gasUsed: r.gasUsed.toString(),
    error: r.error || null,
    errorMessage: r.errorMessage || null,
    returnData: toHex(r.returnData),
    result,
    events: r.events.map((e) => eventJson(e, registry)),
    ...(ctx.height !== undefined ? { height: Number(ctx.height) } : {}),
    ...(ctx.index !== undefined ? { index: ctx.index } : {}),
    ...(ctx.blockHash ? { blockHash: toHex(ctx.blockHash) } : {}),
  };
}

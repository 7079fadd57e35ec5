/**
 * The JSON-RPC methods of a node (SPEC §5): `chain.*`, `dev.*` (producing nodes only) and every
 * module's own family (`module.rpc`). Params are schema-checked: a positional array or one by-name
 * object, trailing optional params may be left out.
 */
import { type Address, addressBytes, toAddress } from '../address.js';
import { concat, fromHex, isHex, toHex } from '../bytes.js';
import { NamedError, RpcCode } from '../errors.js';
import { type Json, type Type, t, rlpEncode } from '../codec.js';
import { blockHash, encodeBlock } from '../block.js';
import { encodeDiff } from '../chain.js';
import { receiptItem, encodeEvent } from '../receipt.js';
import type { Node } from '../node.js';
import { readAccount, readAccountKey, accountStateKey } from '../state/accounts.js';
import { eventSignature } from '../module/registry.js';
import { blockJson, foundEventJson, headerJson, receiptJson, txJson, eventJson } from './views.js';
import { InvalidParams } from './jsonrpc.js';
import type { MethodDef } from './method-def.js';
import { devMethods } from './dev-methods.js';
import { memoryJson } from './memory.js';
import { sendTransaction } from './send.js';

export { parseParams, type MethodDef } from './method-def.js';

class NotFound extends NamedError {
  constructor(what: string) {
    super('NotFound', what, { rpcCode: RpcCode.NotFound });
  }
}

/** A block reference: a height (number or decimal string), a 0x block hash, or "latest". */
const blockRef: Type<bigint | Uint8Array | 'latest'> = {
  name: 'block',
  encode: () => {
    throw new Error('not encodable');
  },
  decode: () => {
    throw new Error('not decodable');
  },
  fromJson(v, path = '') {
    if (v === undefined || v === null || v === 'latest') return 'latest';
    if (typeof v === 'string' && v.startsWith('0x') && v.length === 66 && isHex(v)) return fromHex(v);
    return t.uint64.fromJson(v, path);
  },
  toJson: () => null,
};
const optBlockRef: Type<bigint | Uint8Array | 'latest'> = { ...blockRef, name: 'block?' };

const optBool: Type<boolean | null> = t.optional(t.bool);
const hash32 = t.bytes32;
const anyJson: Type<unknown> = {
  name: 'json?',
  encode: () => [],
  decode: () => null,
  fromJson: (v) => v,
  toJson: (v) => v as Json,
};

export function buildMethods(node: Node): Map<string, MethodDef> {
  const chain = node.chain;
  const registry = chain.registry;

  const resolveTarget = (s: string): Address => {
    const byName = registry.target(s);
    if (byName) return byName;
    try {
      return toAddress(s);
    } catch {
      throw new InvalidParams(`invalid params: "${s}" is neither a module name nor an address`);
    }
  };
  const addressOrName: Type<Address> = { ...t.address, name: 'address', fromJson: (v) => resolveTarget(String(v)) };

  const getBlock = async (ref: bigint | Uint8Array | 'latest') => {
    const b = ref === 'latest' ? await chain.getBlock(chain.head.height) : typeof ref === 'bigint' ? await chain.getBlock(ref) : await chain.getBlockByHash(ref);
    if (!b) throw new NotFound(`no block ${typeof ref === 'object' ? toHex(ref) : ref}`);
    return b;
  };

  const callArgs = (to: Address, name: string, args: unknown, kind: 'query' | 'method') => {
    const mod = registry.resolve(to);
    if (!mod) throw new NamedError('UnknownTarget', `no module or precompile at ${to}`, { rpcCode: RpcCode.ExecutionFailed });
    const def = kind === 'query' ? mod.def.queries?.[name] : mod.def.methods[name];
    if (!def) return undefined;
    try {
      return { mod, def, args: def.args.fromJson(args ?? [], 'args') };
    } catch (e) {
      throw new InvalidParams(`invalid params: ${(e as Error).message} (expected ${def.args.name})`);
    }
  };

  /** [fromBlock, toBlock] of a range query: the last 1000 blocks by default, at most 10000. */
  const blockRange = (p: { fromBlock: bigint | null; toBlock: bigint | null }, verb: string): { from: bigint; to: bigint } => {
    const to = p.toBlock ?? chain.head.height;
    const from = p.fromBlock ?? (to > 1000n ? to - 1000n : 0n);
    if (to < from) throw new InvalidParams('invalid params: toBlock is before fromBlock');
    if (to - from > 10_000n) throw new NamedError('RangeTooLarge', `${verb} at most 10000 blocks at a time`, { rpcCode: RpcCode.LimitExceeded });
    return { from, to };
  };

  const entries: [string, MethodDef][] = [
    ['chain.ChainId', { params: t.none, description: 'The chain id.', handler: () => Number(node.chainId) }],
    ['chain.Head', { params: t.none, description: 'The head block header.', handler: () => headerJson(chain.headHeader) }],
    [
      'chain.GetBlock',
      {
        params: t.struct({ block: optBlockRef, full: optBool }),
        description: 'A block by height, hash or "latest"; `full` includes transaction objects.',
        handler: async ({ block, full }) => blockJson(await getBlock(block), registry, full === true),
      },
    ],
    [
      'chain.GetRawBlock',
      {
        params: t.struct({ block: blockRef }),
        description: 'A block\'s canonical bytes with its receipts and state diff (followers, export).',
        handler: async ({ block }) => {
          const b = await getBlock(block);
          const h = b.header.height;
          const rs = await chain.getReceipts(h);
          const diff = await chain.getDiff(h);
          return {
            height: Number(h),
            hash: toHex(blockHash(b.header)),
            block: toHex(encodeBlock(b)),
            receipts: toHex(rlpEncode([rs!.receipts.map(receiptItem), rs!.systemEvents.map(encodeEvent)])),
            diff: toHex(encodeDiff(diff)),
          };
        },
      },
    ],
    [
      'chain.GetTransaction',
      {
        params: t.struct({ hash: hash32 }),
        description: 'A committed transaction by hash (pooled ones show `pending: true`, and `queued: true` while they wait for an earlier nonce).',
        handler: async ({ hash }) => {
          const found = await chain.getTransaction(hash);
          if (found) return txJson(found.tx, registry, { height: found.height, index: found.index });
          const p = node.mempool.get(hash);
          if (p) return { ...txJson(p.tx, registry), pending: true, queued: node.mempool.isQueued(hash) };
          return null;
        },
      },
    ],
    [
      'chain.GetReceipt',
      {
        params: t.struct({ hash: hash32 }),
        description: 'The receipt of a committed transaction, or null.',
        handler: async ({ hash }) => {
          if (node.mempool.has(hash)) return null; // pooled, not mined: no need to look it up
          const mined = await chain.getMined(hash);
          return mined ? receiptJson(mined.receipt, registry, mined) : null;
        },
      },
    ],
    [
      'chain.SendTransaction',
      {
        params: t.struct({ raw: t.bytes(), wait: optBool }),
        description: 'Submits a signed transaction (hex). Returns { hash }; with wait: true, the receipt once committed.',
        handler: ({ raw, wait }) => sendTransaction(node, raw, wait === true),
      },
    ],
    [
      'chain.Call',
      {
        params: t.struct({ to: addressOrName, method: t.string(64), args: anyJson, from: t.optional(t.address) }),
        description: 'Runs a query, or simulates a method call (nothing is committed).',
        handler: async ({ to, method, args, from }) => {
          const q = callArgs(to, method, args, 'query');
          if (q) {
            const result = await node.query(to, method, q.args);
            return { result: (q.def as { returns: Type<unknown> }).returns.toJson(result) };
          }
          const m = callArgs(to, method, args, 'method');
          if (!m) throw new NamedError('UnknownMethod', `${registry.resolve(to)!.def.name} has no query or method "${method}"`, { rpcCode: RpcCode.ExecutionFailed });
          const sim = await node.simulate({ from: from ?? undefined, to, method, args: m.args });
          const returns = (m.def as { returns?: Type<unknown> }).returns;
          return {
            status: sim.status,
            gasUsed: sim.gasUsed.toString(),
            error: sim.error || null,
            errorMessage: sim.errorMessage || null,
            result: sim.status === 1 && returns ? returns.toJson(sim.result) : null,
            events: sim.events.map((e) => eventJson(e, registry)),
          };
        },
      },
    ],
    [
      'chain.EstimateGas',
      {
        params: t.struct({ from: t.address, to: addressOrName, method: t.string(64), args: anyJson, scheme: t.optional(t.string(16)) }),
        description: 'Gas a transaction needs (intrinsic + execution), for the sender\'s signing scheme.',
        handler: async ({ from, to, method, args, scheme }) => {
          const m = callArgs(to, method, args, 'method');
          if (!m) throw new NamedError('UnknownMethod', `no method "${method}" at ${to}`, { rpcCode: RpcCode.ExecutionFailed });
          if (scheme !== null && scheme !== 'ml-dsa-65' && scheme !== 'secp256k1') throw new InvalidParams('invalid params: scheme must be ml-dsa-65 or secp256k1');
          const argsEncoded = rlpEncode(m.def.args.encode(m.args)).length;
          const { gas, simulation } = await node.estimateGas({ from, to, method, args: m.args, argsEncoded, scheme: (scheme ?? 'ml-dsa-65') as 'ml-dsa-65' });
          return { gas: gas.toString(), status: simulation.status, error: simulation.error || null, errorMessage: simulation.errorMessage || null };
        },
      },
    ],
    [
      'chain.GetAccount',
      {
        params: t.struct({ address: t.address }),
        description: 'Balance (wei of LUX), nonce and recorded public key of an account.',
        handler: async ({ address }) =>
          chain.withHeadState(async (s) => {
            const acc = await readAccount(s, address);
            const key = await readAccountKey(s, address);
            return {
              address,
              balance: acc.balance.toString(),
              nonce: acc.nonce.toString(),
              pendingNonce: (acc.nonce + BigInt(node.mempool.pendingCount(address))).toString(),
              publicKey: key ? toHex(key) : null,
              scheme: key ? (key.length === 33 ? 'secp256k1' : 'ml-dsa-65') : null,
            };
          }),
      },
    ],
    [
      'chain.GetProof',
      {
        params: t.struct({ address: t.address, key: t.optional(t.bytes(256)), block: optBlockRef }),
        description: 'Merkle Patricia proof of a state key (`address` ‖ `key`; without `key`, the account record of `address`).',
        handler: async ({ address, key, block }) => {
          const full = key === null ? accountStateKey(address) : concat(addressBytes(address), key);
          const height = block === 'latest' ? undefined : typeof block === 'bigint' ? block : (await getBlock(block)).header.height;
          const p = await chain.stateProof(full, height);
          return { stateRoot: toHex(p.root), key: toHex(full), value: p.value ? toHex(p.value) : null, proof: p.proof.map(toHex) };
        },
      },
    ],
    [
      'chain.GetEvents',
      {
        params: t.struct({
          address: t.optional(addressOrName),
          name: t.optional(t.string(128)),
          fromBlock: t.optional(t.uint64),
          toBlock: t.optional(t.uint64),
          topics: t.optional(t.list(t.optional(t.bytes32), 4)),
          limit: t.optional(t.uint32),
        }),
        description: 'Events by address / name / topics over a block range (at most 10000 blocks).',
        handler: async (p) => {
          const { from, to } = blockRange(p, 'query');
          const found = await chain.getEvents({ address: p.address ?? undefined, name: p.name ?? undefined, fromHeight: from, toHeight: to, topics: p.topics ?? undefined, limit: Math.min(p.limit ?? 10_000, 10_000) });
          return found.map((e) => foundEventJson(e, registry));
        },
      },
    ],
    [
      'chain.GetTransactionsByAddress',
      {
        params: t.struct({ address: t.address, fromBlock: t.optional(t.uint64), toBlock: t.optional(t.uint64), limit: t.optional(t.uint32) }),
        description: 'Committed transactions that involve `address` (sender, target, or an address among the decoded arguments), newest first, with their status (scans at most 10000 blocks; default the last 1000).',
        handler: async (p) => {
          const head = chain.head.height;
          const { from, to: upTo } = blockRange(p, 'scan');
          const limit = Math.min(p.limit ?? 50, 1000);
          const out: Json[] = [];
          for (let h = upTo < head ? upTo : head; h >= from && h > 0n && out.length < limit; h--) {
            const b = await chain.getBlock(h);
            if (!b || b.txs.length === 0) continue;
            const rs = await chain.getReceipts(h);
            for (let i = b.txs.length - 1; i >= 0 && out.length < limit; i--) {
              const tx = b.txs[i]!;
              const view = txJson(tx, registry, { height: h, index: i });
              if (tx.from !== p.address && tx.to !== p.address && !JSON.stringify(view.args).includes(p.address)) continue;
              const r = rs?.receipts[i];
              out.push({ ...view, status: r?.status ?? null, error: r?.error || null, gasUsed: r ? r.gasUsed.toString() : null });
            }
          }
          return out;
        },
      },
    ],
    [
      'chain.Modules',
      {
        params: t.none,
        description: 'Modules and precompiles with their methods, queries, events and error names.',
        handler: () =>
          registry.modules.map((m) => ({
            name: m.def.name,
            address: m.def.address,
            addressPrefix: m.def.addressPrefix ? toHex(m.def.addressPrefix) : null,
            methods: Object.fromEntries(Object.entries(m.def.methods).filter(([, d]) => d.visibility !== 'internal').map(([n, d]) => [n, { args: d.args.name, returns: d.returns?.name ?? null, description: d.description ?? null }])),
            queries: Object.fromEntries(Object.entries(m.def.queries ?? {}).map(([n, d]) => [n, { args: d.args.name, returns: d.returns.name, description: d.description ?? null }])),
            events: Object.fromEntries(Object.entries(m.def.events ?? {}).map(([n, e]) => [n, { signature: eventSignature(n, e), topic0: toHex(m.topic0.get(n)!), indexed: [...(e.indexed ?? [])] }])),
            rpc: Object.keys(m.def.rpc ?? {}),
            errors: [...(m.def.errors ?? [])],
          })),
      },
    ],
    ['chain.Genesis', { params: t.none, description: 'The genesis document.', handler: () => JSON.parse(chain.genesis.canonical) }],
    [
      'chain.Status',
      {
        params: t.none,
        description: 'Node status: head, mempool, mining mode, verifier, store, process memory.',
        handler: () => ({
          chainId: Number(node.chainId),
          head: headerJson(chain.headHeader),
          mempool: node.mempool.size,
          producing: node.producer !== undefined,
          mining: node.producer ? { mode: node.producer.mode, blockTimeMs: node.producer.blockTimeMs } : null,
          verifier: { threads: node.verifier.threads, backend: node.verifier.backend },
          store: chain.store.describe(),
          memory: memoryJson(),
        }),
      },
    ],

    ...devMethods(node),
  ];

  const table = new Map<string, MethodDef>(entries);
  for (const m of registry.modules) {
    for (const [name, def] of Object.entries(m.def.rpc ?? {})) {
      if (table.has(name)) throw new Error(`RPC method ${name} is defined twice`);
      table.set(name, { params: def.params, description: def.description ?? '', handler: (p) => def.handler(node, p) });
    }
  }
  return table;
}


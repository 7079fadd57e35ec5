/**
 * The chain: store + state trie + committed state + head, and the one place where blocks become
 * durable. `prepare` turns an executed block into roots and writes; `commit` writes block,
 * receipts, trie nodes, flat state, diff, indexes and the head pointer in one synced batch and only
 * then moves the in-memory head. `open` refuses a store whose head, head block or state root does
 * not check out.
 */
import { type Address, addressBytes } from './address.js';
import { bytesKey, concat, equals, toHex } from './bytes.js';
import { keccak256, keccakReady } from './hash.js';
import { asList, rlpDecode, rlpEncode, t, type RlpItem } from './codec.js';
import { NodeError } from './errors.js';
import { type Block, type BlockHeader, blockHash, decodeBlock, encodeBlock, extraRoot } from './block.js';
import { decodeEvent, decodeReceiptItem, encodeEvent, receiptHash, receiptItem, systemEventsHash, type ChainEvent, type Receipt } from './receipt.js';
import { EMPTY_ROOT, merkleRoot } from './merkle.js';
import { Executor, type BlockExecution } from './executor.js';
import { type Transaction } from './tx.js';
import { K, SCHEMA_VERSION } from './state/layout.js';
import { type BatchOp, encodeHead, type Head, Store } from './state/store.js';
import { StateTrie, verifyStateProof } from './state/trie.js';
import { CommittedState, effectiveWrites, flatStateOps, StateOverlay } from './state/overlay.js';
import { Lru } from './state/lru.js';
import { RwLock } from './rwlock.js';
import { Pacer } from './pacer.js';
import { failPoint } from './failpoints.js';
import { loadGenesis, type Genesis } from './genesis.js';
import type { BlockInfo, ModuleDefinition } from './module/contract.js';
import { ModuleRegistry } from './module/registry.js';
import { SignatureCache } from './module/sigcache.js';

export type StateWrite = [key: Uint8Array, value: Uint8Array | undefined];

/** An executed block, reduced to what the header needs and what the batch writes. */
export interface PreparedBlock {
  exec: BlockExecution;
  writes: StateWrite[];
  old: (Uint8Array | undefined)[];
  stateRoot: Uint8Array;
  txRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  extraRoots: [string, Uint8Array][];
  gasUsed: bigint;
}

export interface CommittedBlock {
  block: Block;
  hash: Uint8Array;
  receipts: Receipt[];
  systemEvents: ChainEvent[];
}

/** A committed transaction, its receipt, and where it stands. */
export interface MinedTx {
  tx: Transaction;
  receipt: Receipt;
  height: bigint;
  index: number;
  blockHash: Uint8Array;
}

export interface DiffEntry {
  key: Uint8Array;
  value: Uint8Array | undefined;
  old: Uint8Array | undefined;
}

export interface EventFilter {
  address?: Address;
  name?: string;
  fromHeight: bigint;
  toHeight: bigint;
  /** Optional per-position topic filters (null = any). */
  topics?: (Uint8Array | null)[];
  limit?: number;
}

export interface FoundEvent extends ChainEvent {
  height: bigint;
  blockHash: Uint8Array;
  txHash: Uint8Array | null;
  txIndex: number | null;
  logIndex: number;
}

export interface OpenOptions {
  store: Store;
  genesis: Genesis;
  modules: readonly ModuleDefinition[];
  /** Whether the given genesis was chosen explicitly (a mismatch with the stored one is then an error). */
  explicitGenesis?: boolean;
  sigCache?: SignatureCache;
}

/** How many recent blocks `open` checks for hash linkage. */
const STARTUP_CHECK_DEPTH = 256n;

/** How many recent blocks (and their receipts) stay decoded in memory, at most. */
export const RECENT_BLOCKS = 64;
/** Byte bounds of the recent-block and recent-receipt caches (estimates: see the weights). */
export const BLOCK_CACHE_BYTES = 32 * 1024 * 1024;
export const RECEIPT_CACHE_BYTES = 8 * 1024 * 1024;
/** Rough per-object overhead of a decoded transaction, receipt or event beyond its byte fields. */
const OBJECT_OVERHEAD_BYTES = 200;

/** A decoded block's approximate heap: its transactions' encodings (decoded fields are views of them). */
export function blockWeight(b: Block): number {
  let bytes = 1024;
  for (const tx of b.txs) bytes += tx.raw.length + OBJECT_OVERHEAD_BYTES;
  return bytes;
}

function eventsWeight(events: readonly ChainEvent[]): number {
  let bytes = 0;
  for (const e of events) bytes += OBJECT_OVERHEAD_BYTES + e.data.length + 32 * e.topics.length;
  return bytes;
}

/** A block's receipts and system events, approximately. */
export function receiptsWeight(r: { receipts: Receipt[]; systemEvents: ChainEvent[] }): number {
  let bytes = eventsWeight(r.systemEvents);
  for (const x of r.receipts) bytes += OBJECT_OVERHEAD_BYTES + x.returnData.length + x.errorMessage.length + eventsWeight(x.events);
  return bytes;
}

export class Chain {
  readonly store: Store;
  readonly genesis: Genesis;
  readonly registry: ModuleRegistry;
  readonly executor: Executor;
  readonly committed: CommittedState;
  readonly lock = new RwLock();
  #trie: StateTrie;
  #head: Head;
  #headHeader: BlockHeader;
  /**
   * The latest blocks and receipts (receipt polling and explorers read the newest ones): at most
   * RECENT_BLOCKS of them, and at most approximate byte bounds, since a block of ML-DSA transfers is
   * ~5.3 kB per transaction and 64 large blocks could hold hundreds of MB.
   */
  readonly #receiptCache = new Lru<bigint, { receipts: Receipt[]; systemEvents: ChainEvent[] }>(RECEIPT_CACHE_BYTES, receiptsWeight, RECENT_BLOCKS);
  readonly #blockCache = new Lru<bigint, Block>(BLOCK_CACHE_BYTES, blockWeight, RECENT_BLOCKS);
  /** Where recent transactions are (receipt polling asks right after a commit): no LevelDB read. */
  readonly #recentTxs = new Lru<string, { height: bigint; index: number }>(65_536);
  readonly #listeners = new Set<(b: CommittedBlock) => void>();

  private constructor(o: OpenOptions, head: Head, headHeader: BlockHeader, registry: ModuleRegistry, executor: Executor) {
    this.store = o.store;
    this.genesis = o.genesis;
    this.registry = registry;
    this.executor = executor;
    this.committed = new CommittedState(o.store);
    this.#trie = new StateTrie(o.store, head.stateRoot);
    this.#head = head;
    this.#headHeader = headHeader;
  }

  /** Opens a store: initializes it from genesis when empty, else checks it and resumes. */
  static async open(o: OpenOptions): Promise<Chain> {
    await keccakReady; // every hash of a node, a follower or a replay uses the WebAssembly keccak
    const { store } = o;
    let genesis = o.genesis;
    const storedJson = await store.readGenesisJson();
    if (storedJson !== undefined) {
      if (storedJson !== genesis.canonical) {
        if (o.explicitGenesis) {
          throw new NodeError('GenesisMismatch', `the data dir ${store.describe()} was created with a different genesis; drop --genesis to resume it, or use a fresh --data-dir`);
        }
        genesis = loadGenesis(JSON.parse(storedJson), o.modules);
      }
    }
    const registry = new ModuleRegistry(o.modules, genesis.moduleParams);
    const executor = new Executor(registry, genesis.params, o.sigCache);
    let head = await store.readHead();
    if (!head) {
      if (storedJson !== undefined || (await store.readMeta())) {
        throw new NodeError('CorruptStore', `${store.describe()} has data but no head record; start over with a fresh --data-dir`);
      }
      head = await Chain.#initGenesis(store, genesis, executor);
    }
    const header = await Chain.#checkStore(store, head, genesis);
    const chain = new Chain({ ...o, genesis }, head, header, registry, executor);
    await chain.committed.indexKeys();
    return chain;
  }

  static genesisBlockInfo(g: Genesis): BlockInfo {
    return { chainId: g.chainId, height: 0n, timestamp: g.timestamp, producer: g.producer };
  }

  static async #initGenesis(store: Store, genesis: Genesis, executor: Executor): Promise<Head> {
    const info = Chain.genesisBlockInfo(genesis);
    const committed = new CommittedState(store);
    const overlay = new StateOverlay(committed);
    await executor.runGenesis(overlay, info);
    const writes = overlay.writes().filter(([, v]) => v !== undefined);
    const trie = new StateTrie(store);
    const stateRoot = await trie.apply(writes);
    const extraRoots = await executor.blockRoots(overlay, info);
    extraRoots.push(['genesis', genesis.hash]);
    extraRoots.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const header: BlockHeader = {
      chainId: genesis.chainId,
      height: 0n,
      parentHash: new Uint8Array(32),
      timestamp: genesis.timestamp,
      producer: genesis.producer,
      txRoot: EMPTY_ROOT,
      receiptsRoot: EMPTY_ROOT,
      stateRoot,
      extraRoots,
      gasUsed: 0n,
      txCount: 0,
      signature: new Uint8Array(0),
    };
    const hash = blockHash(header);
    const head: Head = { height: 0n, hash, stateRoot };
    const ops: BatchOp[] = [
      ...Store.metaOps(genesis.chainId, genesis.canonical),
      ...trie.takeNodeOps(),
      ...flatStateOps(writes),
      { type: 'put', key: K.block(0n), value: encodeBlock({ header, txs: [] }) },
      { type: 'put', key: K.blockHash(hash), value: Store.heightValue(0n) },
      { type: 'put', key: K.receipts(0n), value: rlpEncode([[], []]) },
      { type: 'put', key: K.diff(0n), value: encodeDiff(writes.map(([k, v]) => ({ key: k, value: v, old: undefined }))) },
      { type: 'put', key: K.head, value: encodeHead(head) },
    ];
    await store.write(ops);
    return head;
  }

  static async #checkStore(store: Store, head: Head, genesis: Genesis): Promise<BlockHeader> {
    const where = store.describe();
    const corrupt = (what: string): never => {
      throw new NodeError('CorruptStore', `refusing to serve ${where}: ${what}. Restore it from an export (sessionchain import) or start over with a fresh --data-dir`);
    };
    const meta = await store.readMeta();
    if (!meta) corrupt('store metadata is missing');
    if (meta!.schema !== SCHEMA_VERSION) throw new NodeError('StoreVersion', `${where} uses store schema ${meta!.schema}; this build reads schema ${SCHEMA_VERSION}`);
    if (meta!.chainId !== genesis.chainId) corrupt(`store is for chain ${meta!.chainId}, genesis says ${genesis.chainId}`);
    let header: BlockHeader | undefined;
    let expectHash = head.hash;
    const stop = head.height > STARTUP_CHECK_DEPTH ? head.height - STARTUP_CHECK_DEPTH : 0n;
    for (let h = head.height; h >= stop; h--) {
      const raw = await store.getBlockBytes(h);
      if (!raw) corrupt(`block ${h} is missing`);
      let b: Block;
      try {
        b = decodeBlock(raw!);
      } catch (e) {
        return corrupt(`block ${h} does not decode (${(e as Error).message})`);
      }
      const hash = blockHash(b.header);
      if (!equals(hash, expectHash)) corrupt(`block ${h} has hash ${toHex(hash)}, expected ${toHex(expectHash)}`);
      if (b.header.height !== h) corrupt(`block stored at ${h} says height ${b.header.height}`);
      if (h === head.height) header = b.header;
      expectHash = b.header.parentHash;
      if (h === 0n) {
        const g = extraRoot(b.header, 'genesis');
        if (!g || !equals(g, genesis.hash)) corrupt('the genesis block does not match the stored genesis document');
        break;
      }
    }
    if (!equals(header!.stateRoot, head.stateRoot)) corrupt('the head record and the head block disagree on the state root');
    const rootNode = await store.get(K.node(head.stateRoot));
    if (!rootNode || !equals(keccak256(rootNode), head.stateRoot)) corrupt(`the state trie root ${toHex(head.stateRoot)} is missing or damaged`);
    return header!;
  }

  // ---- head and subscriptions ---------------------------------------------------------------

  get head(): Head {
    return this.#head;
  }

  get headHeader(): BlockHeader {
    return this.#headHeader;
  }

  headInfo(): BlockInfo {
    const h = this.#headHeader;
    return { chainId: h.chainId, height: h.height, timestamp: h.timestamp, producer: h.producer };
  }

  onBlock(fn: (b: CommittedBlock) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  // ---- producing and importing --------------------------------------------------------------

  /** Starts a block on top of the head. */
  begin(info: BlockInfo): BlockExecution {
    return this.executor.beginBlock(this.committed, info);
  }

  /** Computes the block's roots and state writes (moves the trie; `abort` undoes that). */
  async prepare(exec: BlockExecution): Promise<PreparedBlock> {
    const all = exec.overlay.writes();
    const before = await this.committed.getMany(all.map(([k]) => k));
    const { writes, old } = effectiveWrites(all, before);
    const pace = new Pacer();
    const stateRoot = await this.#trie.apply(writes, () => pace.breathe());
    const leaves = exec.receipts.map(receiptHash);
    if (exec.systemEvents.length > 0) leaves.push(systemEventsHash(exec.systemEvents));
    return {
      exec,
      writes,
      old,
      stateRoot,
      txRoot: merkleRoot(exec.txs.map((tx) => tx.hash)),
      receiptsRoot: merkleRoot(leaves),
      extraRoots: await exec.extraRoots(),
      gasUsed: exec.gasUsed,
    };
  }

  /** Drops a prepared block that will not be committed. */
  abort(): void {
    this.#trie.reset(this.#head.stateRoot);
  }

  /**
   * Makes a prepared block durable (one synced batch), then publishes it. `encoded`: the block's
   * and its receipts record's canonical bytes when the caller has them (an import that checked
   * them), else they are encoded here.
   */
  async commit(prepared: PreparedBlock, header: BlockHeader, afterCommit?: (b: CommittedBlock) => void, encoded: { block?: Uint8Array; receipts?: Uint8Array } = {}): Promise<CommittedBlock> {
    const { exec } = prepared;
    const height = header.height;
    const hash = blockHash(header);
    const block: Block = { header, txs: exec.txs };
    const head: Head = { height, hash, stateRoot: header.stateRoot };
    const committed: CommittedBlock = { block, hash, receipts: exec.receipts, systemEvents: exec.systemEvents };
    const ops: BatchOp[] = [
      ...this.#trie.takeNodeOps(),
      ...flatStateOps(prepared.writes),
      { type: 'put', key: K.diff(height), value: encodeDiff(prepared.writes.map(([key, value], i) => ({ key, value, old: prepared.old[i] }))) },
      { type: 'put', key: K.block(height), value: encoded.block ?? encodeBlock(block) },
      { type: 'put', key: K.blockHash(hash), value: Store.heightValue(height) },
      { type: 'put', key: K.receipts(height), value: encoded.receipts ?? receiptsRecord(exec.receipts, exec.systemEvents) },
      ...exec.txs.map((tx, i): BatchOp => ({ type: 'put', key: K.tx(tx.hash), value: Store.txLocationValue(height, i) })),
      { type: 'put', key: K.head, value: encodeHead(head) },
    ];
    await this.lock.write(async () => {
      try {
        await this.store.write(ops);
      } catch (e) {
        this.#trie.reset(this.#head.stateRoot);
        throw new NodeError('StorageFailure', `writing block ${height} failed: ${(e as Error).message}`);
      }
      this.committed.applyCommitted(prepared.writes);
      this.#head = head;
      this.#headHeader = header;
      afterCommit?.(committed); // inside the lock: no reader sees the new head before the caller's bookkeeping
    });
    failPoint('after-commit');
    this.#blockCache.set(height, block);
    this.#receiptCache.set(height, { receipts: exec.receipts, systemEvents: exec.systemEvents });
    exec.txs.forEach((tx, index) => this.#recentTxs.set(bytesKey(tx.hash), { height, index }));
    for (const fn of this.#listeners) {
      try {
        fn(committed);
      } catch (e) {
        console.error('[chain] block listener failed:', e);
      }
    }
    return committed;
  }

  /**
   * Rolls the chain back to `height` (dev.Revert): undoes the state diffs of the later blocks and
   * deletes them, in one batch.
   */
  async revertTo(height: bigint, afterRevert?: () => Promise<void>): Promise<void> {
    if (height < 0n || height > this.#head.height) throw new RangeError(`cannot revert to height ${height}; the head is ${this.#head.height}`);
    if (height === this.#head.height) return;
    await this.lock.write(async () => {
      const undo = new Map<string, Uint8Array | undefined>();
      const ops: BatchOp[] = [];
      for (let h = this.#head.height; h > height; h--) {
        const diff = await this.getDiff(h);
        for (const d of diff) undo.set(toHex(d.key), d.old); // the lowest height's old value wins
        const b = await this.getBlock(h);
        if (b) {
          ops.push({ type: 'del', key: K.blockHash(blockHash(b.header)) });
          for (const tx of b.txs) ops.push({ type: 'del', key: K.tx(tx.hash) });
        }
        ops.push({ type: 'del', key: K.block(h) }, { type: 'del', key: K.receipts(h) }, { type: 'del', key: K.diff(h) });
      }
      const target = (await this.getBlock(height))!;
      const writes: StateWrite[] = [...undo.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [new Uint8Array(Buffer.from(k.slice(2), 'hex')), v]);
      ops.push(...flatStateOps(writes));
      const head: Head = { height, hash: blockHash(target.header), stateRoot: target.header.stateRoot };
      ops.push({ type: 'put', key: K.head, value: encodeHead(head) });
      await this.store.write(ops);
      this.committed.applyCommitted(writes); // the undone values, and the key index with them
      this.#blockCache.clear();
      this.#receiptCache.clear();
      this.#recentTxs.clear();
      this.#trie.reset(head.stateRoot);
      this.#head = head;
      this.#headHeader = target.header;
      await afterRevert?.();
    });
  }

  // ---- reads --------------------------------------------------------------------------------

  async getBlock(height: bigint): Promise<Block | undefined> {
    const hit = this.#blockCache.get(height);
    if (hit) return hit;
    const raw = await this.store.getBlockBytes(height);
    if (!raw) return undefined;
    const b = decodeBlock(raw);
    this.#blockCache.set(height, b);
    return b;
  }

  async getBlockBytes(height: bigint): Promise<Uint8Array | undefined> {
    return this.store.getBlockBytes(height);
  }

  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    const h = await this.store.heightOfHash(hash);
    return h === undefined ? undefined : this.getBlock(h);
  }

  async getReceipts(height: bigint): Promise<{ receipts: Receipt[]; systemEvents: ChainEvent[] } | undefined> {
    const hit = this.#receiptCache.get(height);
    if (hit) return hit;
    const raw = await this.store.getReceiptsBytes(height);
    if (!raw) return undefined;
    const [rs, evs] = asList(rlpDecode(raw, 'receipts'), 'receipts', 2);
    const out = {
      receipts: asList(rs!, 'receipts').map((r, i) => decodeReceiptItem(r, `receipts[${i}]`)),
      systemEvents: asList(evs!, 'systemEvents').map((e, i) => decodeEvent(e, `systemEvents[${i}]`)),
    };
    this.#receiptCache.set(height, out);
    return out;
  }

  /** Block height and index of a committed transaction. */
  async txLocation(hash: Uint8Array): Promise<{ height: bigint; index: number } | undefined> {
    return this.#recentTxs.get(bytesKey(hash)) ?? this.store.txLocation(hash);
  }

  async getTransaction(hash: Uint8Array): Promise<{ tx: Transaction; height: bigint; index: number } | undefined> {
    const loc = await this.txLocation(hash);
    if (!loc) return undefined;
    const b = await this.getBlock(loc.height);
    const tx = b?.txs[loc.index];
    return tx ? { tx, ...loc } : undefined;
  }

  async getReceipt(hash: Uint8Array): Promise<{ receipt: Receipt; height: bigint; index: number } | undefined> {
    const loc = await this.txLocation(hash);
    if (!loc) return undefined;
    const r = (await this.getReceipts(loc.height))?.receipts[loc.index];
    return r ? { receipt: r, ...loc } : undefined;
  }

  /** A committed transaction with its receipt, block height, index and block hash (one lookup). */
  async getMined(hash: Uint8Array): Promise<MinedTx | undefined> {
    const loc = await this.txLocation(hash);
    if (!loc) return undefined;
    const [b, rs] = await Promise.all([this.getBlock(loc.height), this.getReceipts(loc.height)]);
    const tx = b?.txs[loc.index];
    const receipt = rs?.receipts[loc.index];
    return b && tx && receipt ? { tx, receipt, ...loc, blockHash: blockHash(b.header) } : undefined;
  }

  async getDiff(height: bigint): Promise<DiffEntry[]> {
    const raw = await this.store.getDiffBytes(height);
    return raw ? decodeDiff(raw) : [];
  }

  /** Reads the raw state value of `address`'s namespace at the head. */
  async readState(address: Address, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.lock.read(() => this.committed.get(concat(addressBytes(address), key)));
  }

  /** Runs `fn` against a consistent snapshot of the head state (no commit can interleave). */
  async withHeadState<T>(fn: (source: CommittedState, info: BlockInfo) => Promise<T>): Promise<T> {
    return this.lock.read(() => fn(this.committed, this.headInfo()));
  }

  /** A throwaway overlay over the head state, for simulations. */
  simulationOverlay(): StateOverlay {
    return new StateOverlay(this.committed);
  }

  /** State proof for a full state key at a height (default: head). */
  async stateProof(key: Uint8Array, height?: bigint): Promise<{ root: Uint8Array; value: Uint8Array | null; proof: Uint8Array[] }> {
    return this.lock.read(async () => {
      let root = this.#head.stateRoot;
      if (height !== undefined && height !== this.#head.height) {
        const b = await this.getBlock(height);
        if (!b) throw new NodeError('NotFound', `no block at height ${height}`);
        root = b.header.stateRoot;
      }
      const proof = await this.#trie.proof(key, root);
      const value = await verifyStateProof(root, key, proof);
      return { root, value, proof };
    });
  }

  async getEvents(f: EventFilter): Promise<FoundEvent[]> {
    const limit = f.limit ?? 10_000;
    const out: FoundEvent[] = [];
    const match = (e: ChainEvent) =>
      (!f.address || e.address === f.address) &&
      (!f.name || e.name === f.name) &&
      (!f.topics || f.topics.every((want, i) => want === null || (e.topics[i] !== undefined && equals(e.topics[i]!, want))));
    for (let h = f.fromHeight; h <= f.toHeight && h <= this.#head.height; h++) {
      const rs = await this.getReceipts(h);
      if (!rs) continue;
      let logIndex = 0;
      const b = await this.getBlock(h);
      const bh = b ? blockHash(b.header) : new Uint8Array(32);
      for (let i = 0; i < rs.receipts.length; i++) {
        for (const e of rs.receipts[i]!.events) {
          if (match(e)) out.push({ ...e, height: h, blockHash: bh, txHash: rs.receipts[i]!.txHash, txIndex: i, logIndex });
          logIndex++;
        }
      }
      for (const e of rs.systemEvents) {
        if (match(e)) out.push({ ...e, height: h, blockHash: bh, txHash: null, txIndex: null, logIndex });
        logIndex++;
      }
      if (out.length >= limit) return out.slice(0, limit);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** The stored receipts record of a block: rlp([[receipt...], [systemEvent...]]). */
export function receiptsRecord(receipts: readonly Receipt[], systemEvents: readonly ChainEvent[]): Uint8Array {
  return rlpEncode([receipts.map(receiptItem), systemEvents.map(encodeEvent)]);
}

// ---- state diff record --------------------------------------------------------------------------

const opt = (v: Uint8Array | undefined): RlpItem => (v === undefined ? [] : [v]);
const unopt = (item: RlpItem | undefined, path: string): Uint8Array | undefined => {
  const l = asList(item, path);
  if (l.length === 0) return undefined;
  if (l.length !== 1 || !(l[0] instanceof Uint8Array)) throw new Error(`${path}: bad optional value`);
  return l[0];
};

export function encodeDiff(entries: DiffEntry[]): Uint8Array {
  return rlpEncode(entries.map((d) => [d.key, opt(d.value), opt(d.old)]));
}

export function decodeDiff(bytes: Uint8Array): DiffEntry[] {
  return asList(rlpDecode(bytes, 'diff'), 'diff').map((item, i) => {
    const [key, value, old] = asList(item, `diff[${i}]`, 3);
    return { key: t.bytes().decode(key!), value: unopt(value, `diff[${i}].value`), old: unopt(old, `diff[${i}].old`) };
  });
}


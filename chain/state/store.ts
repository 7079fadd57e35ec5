/**
 * The node's persistent store: abstract-level underneath (classic-level on disk, memory-level for
 * tests and `--memory`). All writes of a block go through `commitBlock` as one atomic batch written
 * with `sync: true`; nothing of a block is visible (over RPC or to the producer) until that batch
 * has returned, so an acknowledged block survives a crash.
 */
import type { AbstractLevel } from 'abstract-level';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { mkdirSync } from 'node:fs';
import { bytesToBig, equals, fromUtf8, readU64be, u64be, utf8 } from '../bytes.js';
import { keccak256 } from '../hash.js';
import { asList, rlpDecode, rlpEncode, t } from '../codec.js';
import { NodeError } from '../errors.js';
import { K, SCHEMA_VERSION } from './layout.js';
import { failPoint } from '../failpoints.js';

export type Level = AbstractLevel<Uint8Array, Uint8Array, Uint8Array>;

/** LevelDB's block cache (its default is 8 MB): trie reads miss it less once state outgrows memory. */
const LEVELDB_BLOCK_CACHE = 64 * 1024 * 1024;

export interface Head {
  height: bigint;
  hash: Uint8Array;
  stateRoot: Uint8Array;
}

export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export interface StoreOptions {
  /** Directory for classic-level; omit for an in-memory store. */
  path?: string;
  /** Test hook: called with the ops right before a batch is written (fault injection). */
  beforeWrite?: (ops: BatchOp[]) => void | Promise<void>;
}

function headChecksum(height: bigint, hash: Uint8Array, stateRoot: Uint8Array): Uint8Array {
  return keccak256(rlpEncode([t.uint64.encode(height), hash, stateRoot])).subarray(0, 4);
}

export function encodeHead(h: Head): Uint8Array {
  return rlpEncode([t.uint64.encode(h.height), h.hash, h.stateRoot, headChecksum(h.height, h.hash, h.stateRoot)]);
}

export function decodeHead(bytes: Uint8Array): Head {
  const [height, hash, stateRoot, sum] = asList(rlpDecode(bytes, 'head record'), 'head', 4);
  const h = { height: t.uint64.decode(height!), hash: t.bytes32.decode(hash!), stateRoot: t.bytes32.decode(stateRoot!) };
  if (!equals(t.bytesN(4).decode(sum!), headChecksum(h.height, h.hash, h.stateRoot))) throw new Error('head record checksum mismatch');
  return h;
}

/** The first key after every key starting with `prefix` (undefined when there is none). */
function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

export class Store {
  readonly db: Level;
  readonly path: string | undefined;
  readonly #beforeWrite: StoreOptions['beforeWrite'];

  private constructor(db: Level, opts: StoreOptions) {
    this.db = db;
    this.path = opts.path;
    this.#beforeWrite = opts.beforeWrite;
  }

  static async open(opts: StoreOptions = {}): Promise<Store> {
    let db: Level;
    if (opts.path) {
      try {
        mkdirSync(opts.path, { recursive: true });
      } catch (e) {
        throw new NodeError('StoreUnavailable', `cannot create data dir ${opts.path}: ${(e as Error).message}`);
      }
      db = new ClassicLevel<Uint8Array, Uint8Array>(opts.path, { keyEncoding: 'view', valueEncoding: 'view', cacheSize: LEVELDB_BLOCK_CACHE }) as unknown as Level;
    } else {
      db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' }) as unknown as Level;
    }
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
      if (/lock/i.test(cause)) {
        throw new NodeError('StoreLocked', `the data dir ${opts.path} is in use by another process (LevelDB lock held); stop that node or pass a different --data-dir`);
      }
      throw new NodeError('StoreUnavailable', `cannot open the store at ${opts.path ?? '(memory)'}: ${cause}`);
    }
    return new Store(db, opts);
  }

  async close(): Promise<void> {
    if (this.db.status === 'open') await this.db.close();
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.db.get(key)) ?? undefined;
  }

  /** Keys under `prefix`, in order (keys only: values are not read). */
  keysWithPrefix(prefix: Uint8Array): AsyncIterable<Uint8Array> {
    const upper = prefixEnd(prefix);
    return this.db.keys(upper ? { gte: prefix, lt: upper } : { gte: prefix });
  }

  async getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    return (await this.db.getMany(keys)).map((v) => v ?? undefined);
  }

  /** Writes one atomic, synced batch. */
  async write(ops: BatchOp[]): Promise<void> {
    if (this.#beforeWrite) await this.#beforeWrite(ops);
    failPoint('before-batch');
    // `sync` is classic-level's (fsync before returning); memory-level ignores it.
    await this.db.batch(ops, { sync: true } as never);
    failPoint('after-batch');
  }

  // ---- records ------------------------------------------------------------------------------

  async readHead(): Promise<Head | undefined> {
    const raw = await this.get(K.head);
    if (!raw) return undefined;
    try {
      return decodeHead(raw);
    } catch (e) {
      throw new NodeError('CorruptStore', `the head record is corrupt (${(e as Error).message}); run \`sessionchain replay\` from an export, or start over with a fresh --data-dir`);
    }
  }

  async readMeta(): Promise<{ schema: number; chainId: bigint } | undefined> {
    const raw = await this.get(K.meta);
    if (!raw) return undefined;
    const [schema, chainId] = asList(rlpDecode(raw, 'meta'), 'meta', 2);
    return { schema: Number(bytesToBig(schema as Uint8Array)), chainId: t.uint64.decode(chainId!) };
  }

  static metaOps(chainId: bigint, genesisJson: string): BatchOp[] {
    return [
      { type: 'put', key: K.meta, value: rlpEncode([t.uint32.encode(SCHEMA_VERSION), t.uint64.encode(chainId)]) },
      { type: 'put', key: K.genesis, value: utf8(genesisJson) },
    ];
  }

  async readGenesisJson(): Promise<string | undefined> {
    const raw = await this.get(K.genesis);
    return raw ? fromUtf8(raw) : undefined;
  }

  async getBlockBytes(height: bigint): Promise<Uint8Array | undefined> {
    return this.get(K.block(height));
  }

  async heightOfHash(hash: Uint8Array): Promise<bigint | undefined> {
    const raw = await this.get(K.blockHash(hash));
    return raw ? readU64be(raw) : undefined;
  }

  async getReceiptsBytes(height: bigint): Promise<Uint8Array | undefined> {
    return this.get(K.receipts(height));
  }

  async getDiffBytes(height: bigint): Promise<Uint8Array | undefined> {
    return this.get(K.diff(height));
  }

  async txLocation(hash: Uint8Array): Promise<{ height: bigint; index: number } | undefined> {
    const raw = await this.get(K.tx(hash));
    if (!raw) return undefined;
    const [h, i] = asList(rlpDecode(raw, 'tx location'), 'txloc', 2);
    return { height: t.uint64.decode(h!), index: t.uint32.decode(i!) };
  }

  static txLocationValue(height: bigint, index: number): Uint8Array {
    return rlpEncode([t.uint64.encode(height), t.uint32.encode(index)]);
  }

  static heightValue(height: bigint): Uint8Array {
    return u64be(height);
  }

  describe(): string {
    return this.path ?? '(memory)';
  }

}

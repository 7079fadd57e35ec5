/**
 * The server's channel store: classic-level on disk by default, memory-level for tests. Updates of
 * one channel are linearized (a per-channel queue around read → change → write), so concurrent
 * requests on a channel never overspend and a racing lower voucher never regresses the highest one.
 * Waiters (`waitForUpdate`) wake after each committed update of their channel: a stream blocked on
 * a need-voucher resumes as soon as the voucher lands.
 *
 * One process per store: LevelDB's LOCK file refuses a second opener, and we name that refusal
 * (`StoreLocked`) instead of risking two writers.
 */
import { EventEmitter } from 'node:events';
import type { AbstractLevel } from 'abstract-level';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { NamedError } from '../../chain/index.js';
import type { Hex32 } from '../../precompiles/index.js';
import { decodeRecord, encodeRecord, type ChannelRecord } from './record.js';

type Db = AbstractLevel<string | Buffer | Uint8Array, string, string>;

export class StoreLockedError extends NamedError {
  constructor(path: string) {
    super('StoreLocked', `the channel store ${path} is in use by another process (LevelDB LOCK); stop that server or pass another --store directory`);
  }
}

export interface UpdateOptions {
  /** fsync before resolving (vouchers, opens, closes: money the server acknowledges). */
  sync?: boolean;
}

const CHANNEL = 'ch:';
const META = 'meta:';
const IDEM = 'idem:';

export class ChannelStore {
  readonly #db: Db;
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #events = new EventEmitter();

  private constructor(db: Db) {
    this.#db = db;
    this.#events.setMaxListeners(0);
  }

  /** A durable store in `path` (created if missing). */
  static async open(path: string): Promise<ChannelStore> {
    const db = new ClassicLevel<string, string>(path, { valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') throw new StoreLockedError(path);
      throw e;
    }
    return new ChannelStore(db);
  }

  /** A store that keeps nothing (tests, --memory). */
  static async memory(): Promise<ChannelStore> {
    const db = new MemoryLevel<string, string>({ valueEncoding: 'utf8' });
    await db.open();
    return new ChannelStore(db);
  }

  async get(channelId: Hex32): Promise<ChannelRecord | undefined> {
    const v = await this.#db.get(CHANNEL + channelId);
    return v === undefined ? undefined : decodeRecord(v);
  }

  /**
   * Atomically replaces a channel's record with `fn(current)`; `fn` may throw to refuse (nothing
   * changes) or return the current record unchanged (nothing is written). Resolves with the record
   * now stored.
   */
  update<R extends ChannelRecord | undefined>(channelId: Hex32, fn: (current: ChannelRecord | undefined) => R | Promise<R>, o: UpdateOptions = {}): Promise<R> {
    const prev = this.#queues.get(channelId) ?? Promise.resolve();
    const run = prev.then(async () => {
      const current = await this.get(channelId);
      const next = await fn(current);
      if (next !== undefined && next !== current) {
        await this.#db.put(CHANNEL + channelId, encodeRecord(next), { sync: o.sync ?? false } as never);
        this.#events.emit(channelId, next);
      }
      return next;
    });
    const tail = run.catch(() => {});
    this.#queues.set(channelId, tail);
    void tail.then(() => {
      if (this.#queues.get(channelId) === tail) this.#queues.delete(channelId);
    });
    return run;
  }

  /** Resolves with the channel's next committed record, or undefined after `timeoutMs` / an abort. */
  waitForUpdate(channelId: Hex32, timeoutMs: number, signal?: AbortSignal): Promise<ChannelRecord | undefined> {
    return new Promise((resolve) => {
      const done = (r: ChannelRecord | undefined) => {
        clearTimeout(timer);
        this.#events.off(channelId, done);
        signal?.removeEventListener('abort', aborted);
        resolve(r);
      };
      const aborted = () => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.#events.on(channelId, done);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  async list(): Promise<ChannelRecord[]> {
    const out: ChannelRecord[] = [];
    for await (const v of this.#db.values({ gte: CHANNEL, lt: CHANNEL + '\xff' })) out.push(decodeRecord(v));
    return out;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.#db.get(META + key);
  }

  async putMeta(key: string, value: string): Promise<void> {
    await this.#db.put(META + key, value, { sync: true } as never);
  }

  /** A remembered answer for (challengeId, Idempotency-Key). */
  async getIdempotent(key: string): Promise<string | undefined> {
    return this.#db.get(IDEM + key);
  }

  async putIdempotent(key: string, value: string): Promise<void> {
    await this.#db.put(IDEM + key, value);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()]);
    await this.#db.close();
  }
}

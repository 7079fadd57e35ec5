/**
 * State views used during execution.
 *
 *  - `CommittedState`: the flat table ('s' ‖ key) of the last committed block, with an LRU cache.
 *  - `StateOverlay`: a block's (or a simulation's) pending writes over a base view, with a journal
 *    so that a call or transaction can be reverted to a checkpoint in O(changes).
 *
 * State keys are `moduleAddress(20) ‖ moduleKey`.
 */
import { bytesKey as keyId, equals, fromBytesKey as idKey } from '../bytes.js';
import { K } from './layout.js';
import { Lru } from './lru.js';
import type { BatchOp, Store } from './store.js';

export const MAX_MODULE_KEY_LEN = 256;

export interface StateSource {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
}

/**
 * A real copy. (`slice()` will not do: on a Node Buffer, which is what LevelDB hands back, it
 * returns a view of the same memory.)
 */
const copy = (v: Uint8Array): Uint8Array => new Uint8Array(v);


/** Marks a key known to be absent in the cache (compared by identity). */
const MISSING = new Uint8Array(0);

/**
 * Most flat-state keys whose set `CommittedState` keeps in memory (about 100 bytes each, so at most
 * ~25 MB); beyond, every cache miss reads LevelDB as before.
 */
export const KEY_INDEX_LIMIT = 250_000;

export class CommittedState implements StateSource {
  readonly #cache: Lru<string, Uint8Array>;
  /**
   * Every live key, while the state is small enough: a key that is not here is absent, with no
   * LevelDB read (end-block hooks look up per-height keys that mostly do not exist).
   */
  #keys: Set<string> | undefined;

  constructor(private readonly store: Store, cacheEntries = 200_000) {
    this.#cache = new Lru(cacheEntries);
  }

  /** Loads the key index (keys only); gives up past `limit` keys. Returns whether it is in use. */
  async indexKeys(limit = KEY_INDEX_LIMIT): Promise<boolean> {
    const keys = new Set<string>();
    const prefix = K.state(new Uint8Array(0));
    for await (const k of this.store.keysWithPrefix(prefix)) {
      if (keys.size >= limit) {
        this.#keys = undefined;
        return false;
      }
      keys.add(keyId(k.subarray(prefix.length)));
    }
    this.#keys = keys;
    return true;
  }

  get indexedKeys(): number | undefined {
    return this.#keys?.size;
  }

  /** A fresh copy of the value: callers may mutate what they get without touching the cache. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const id = keyId(key);
    const hit = this.#cache.get(id);
    if (hit !== undefined) return hit === MISSING ? undefined : copy(hit);
    if (this.#keys && !this.#keys.has(id)) return undefined;
    const v = await this.store.get(K.state(key));
    this.#cache.set(id, v === undefined ? MISSING : copy(v));
    return v === undefined ? undefined : copy(v);
  }

  async getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const id = keyId(k);
      const hit = this.#cache.get(id);
      if (hit !== undefined) out[i] = hit === MISSING ? undefined : copy(hit);
      else if (this.#keys && !this.#keys.has(id)) out[i] = undefined;
      else missing.push(i);
    });
    const fetched = await this.store.getMany(missing.map((i) => K.state(keys[i]!)));
    missing.forEach((i, j) => {
      const v = fetched[j];
      out[i] = v === undefined ? undefined : copy(v);
    });
    return out;
  }

  /** Called after a block's batch is durable: make the cache reflect it. */
  applyCommitted(writes: readonly [Uint8Array, Uint8Array | undefined][]): void {
    for (const [k, v] of writes) {
      const id = keyId(k);
      this.#cache.set(id, v === undefined ? MISSING : copy(v));
      if (this.#keys) {
        if (v === undefined) this.#keys.delete(id);
        else if (this.#keys.size < KEY_INDEX_LIMIT) this.#keys.add(id);
        else this.#keys = undefined; // grown past the limit: LevelDB answers from now on
      }
    }
  }
}

const ABSENT = Symbol('absent');
type Prior = Uint8Array | null | typeof ABSENT;

export class StateOverlay implements StateSource {
  /** Pending value per key: bytes, or null for a deletion. */
  readonly #values = new Map<string, Uint8Array | null>();
  readonly #journal: [string, Prior][] = [];

  constructor(readonly base: StateSource) {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const v = this.#values.get(keyId(key));
    if (v !== undefined) return v === null ? undefined : copy(v);
    return this.base.get(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.#record(keyId(key), copy(value));
  }

  delete(key: Uint8Array): void {
    this.#record(keyId(key), null);
  }

  #record(id: string, value: Uint8Array | null): void {
    const prior = this.#values.has(id) ? this.#values.get(id)! : ABSENT;
    this.#journal.push([id, prior]);
    this.#values.set(id, value);
  }

  checkpoint(): number {
    return this.#journal.length;
  }

  revert(checkpoint: number): void {
    while (this.#journal.length > checkpoint) {
      const [id, prior] = this.#journal.pop()!;
      if (prior === ABSENT) this.#values.delete(id);
      else this.#values.set(id, prior);
    }
  }

  /** Forgets the journal (after a transaction is final within the block). */
  settle(): void {
    this.#journal.length = 0;
  }

  /** The block's writes, sorted by key (undefined = delete). */
  writes(): [Uint8Array, Uint8Array | undefined][] {
    const ids = [...this.#values.keys()].sort();
    return ids.map((id) => [idKey(id), this.#values.get(id) ?? undefined]);
  }

  get size(): number {
    return this.#values.size;
  }
}

/** Drops writes that leave a key as it was; returns [writes, oldValues] aligned. */
export function effectiveWrites(
  writes: [Uint8Array, Uint8Array | undefined][],
  old: (Uint8Array | undefined)[],
): { writes: [Uint8Array, Uint8Array | undefined][]; old: (Uint8Array | undefined)[] } {
  const w: [Uint8Array, Uint8Array | undefined][] = [];
  const o: (Uint8Array | undefined)[] = [];
  writes.forEach(([k, v], i) => {
    const before = old[i];
    const same = v === undefined ? before === undefined : before !== undefined && equals(v, before);
    if (!same) {
      w.push([k, v]);
      o.push(before);
    }
  });
  return { writes: w, old: o };
}

export function flatStateOps(writes: readonly [Uint8Array, Uint8Array | undefined][]): BatchOp[] {
  return writes.map(([k, v]) => (v === undefined ? { type: 'del', key: K.state(k) } : { type: 'put', key: K.state(k), value: v }));
}


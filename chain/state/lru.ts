/**
 * Least-recently-used caches, backed by `lru-cache`. (A Map used as an LRU by deleting its oldest
 * key degrades badly: V8 keeps deleted entries at the front of the map until it rehashes, so finding
 * the oldest live key gets slower with every eviction.)
 */
import { LRUCache } from 'lru-cache';

export class Lru<K extends {}, V extends {}> {
  readonly #cache: LRUCache<K, V>;

  /**
   * `capacity` counts entries, or with `weigh` the sum of the entries' weights (e.g. bytes);
   * `maxEntries` (small caches only) bounds the count as well.
   * Bounded through maxSize rather than `max`: with `max`, lru-cache allocates and fills arrays of
   * `capacity` slots up front (tens of ms per 200k-entry cache at every start-up).
   */
  constructor(readonly capacity: number, weigh: (value: V, key: K) => number = () => 1, maxEntries?: number) {
    this.#cache = new LRUCache<K, V>({ maxSize: capacity, sizeCalculation: (v, k) => Math.max(1, weigh(v, k)), ...(maxEntries ? { max: maxEntries } : {}) });
  }

  get(key: K): V | undefined {
    return this.#cache.get(key);
  }

  has(key: K): boolean {
    return this.#cache.has(key);
  }

  set(key: K, value: V): void {
    this.#cache.set(key, value);
  }

  delete(key: K): void {
    this.#cache.delete(key);
  }

  clear(): void {
    this.#cache.clear();
  }

  get size(): number {
    return this.#cache.size;
  }
}

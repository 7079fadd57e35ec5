/**
 * The authenticated state map: a Merkle Patricia trie (`@ethereumjs/mpt`, keys hashed with keccak)
 * whose nodes live under 'n' ‖ hash in the store. Nodes written while a block is applied stay in
 * `pending` until the block's batch takes them; nothing is pruned, so every past root stays readable
 * (proofs at old heights, dev.Revert).
 *
 * The trie is write-mostly: execution reads the flat table (`CommittedState`); the trie is updated
 * once per block with the block's deduplicated, sorted dirty keys, so a write costs O(log n) and a
 * block never rebuilds the trie.
 */
import { MerklePatriciaTrie, createMerkleProof, verifyMerkleProof } from '@ethereumjs/mpt';
import type { BatchDBOp, DB } from '@ethereumjs/util';
import { fromHex, toRawHex } from '../bytes.js';
import { RLP } from '@ethereumjs/rlp';
import { keccak256 } from '../hash.js';
import { K } from './layout.js';
import type { BatchOp, Store } from './store.js';
import { Lru } from './lru.js';

/**
 * Heap kept for recent trie nodes, counting each node's bytes plus what V8 spends on holding it
 * (its Uint8Array and ArrayBuffer, the hex key, the cache entry: about 250 bytes). A block needs the
 * nodes on the paths of the keys it touches; the top of the trie is rewritten by every block, so a
 * few tens of thousands of nodes cover a devnet's working set. (Measured: a 200,000-node cache held
 * ~120 MB of heap, the largest part of a soak run's heap growth.)
 */
const NODE_CACHE_BYTES = 16 * 1024 * 1024;
const NODE_OVERHEAD_BYTES = 250;

/** Root of the empty trie: keccak256(rlp('')). */
export const EMPTY_TRIE_ROOT = keccak256(new Uint8Array([0x80]));

/**
 * The trie's node storage: pending nodes of the block being built, then a write-through LRU of
 * recent nodes, then LevelDB. (The trie library caches nodes it reads, but not those it saves in
 * batches, so without this every node a block writes would be read back from disk by the next.)
 */
class NodeStore implements DB<string, string | Uint8Array> {
  pending = new Map<string, Uint8Array>();
  readonly #recent = new Lru<string, Uint8Array>(NODE_CACHE_BYTES, (node) => node.length + NODE_OVERHEAD_BYTES);
  constructor(private readonly store: Store) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const hit = this.pending.get(key) ?? this.#recent.get(key);
    if (hit) return hit;
    const v = await this.store.get(K.node(fromHex(key)));
    if (v) this.#recent.set(key, v);
    return v;
  }
  async put(key: string, value: string | Uint8Array): Promise<void> {
    const v = typeof value === 'string' ? fromHex(value) : value;
    this.pending.set(key, v);
    this.#recent.set(key, v);
  }
  async del(): Promise<void> {
    // Never prune: nodes are content-addressed and old roots must stay readable.
  }
  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') await this.put(op.key, op.value);
  }
  shallowCopy(): DB<string, string | Uint8Array> {
    return this;
  }
  async open(): Promise<void> {}
}

/**
 * The 32-byte child references of an encoded trie node. Inline children (under 32 bytes) cannot
 * hold a reference, so only direct ones matter: branch slots 0..15, and an extension's child (a
 * leaf's second item is its value, whatever its length; the hex-prefix flag tells them apart).
 */
function childHashes(encoded: Uint8Array): Uint8Array[] {
  const node = RLP.decode(encoded) as (Uint8Array | unknown[])[];
  const isRef = (x: unknown): x is Uint8Array => x instanceof Uint8Array && x.length === 32;
  if (node.length === 17) return node.slice(0, 16).filter(isRef);
  if (node.length === 2) {
    const path = node[0] as Uint8Array;
    const isLeaf = path.length > 0 && path[0]! >> 4 >= 2;
    if (!isLeaf && isRef(node[1])) return [node[1]];
  }
  return [];
}

export class StateTrie {
  readonly #nodes: NodeStore;
  readonly #trie: MerklePatriciaTrie;

  constructor(store: Store, root: Uint8Array = EMPTY_TRIE_ROOT) {
    this.#nodes = new NodeStore(store);
    this.#trie = new MerklePatriciaTrie({
      db: this.#nodes,
      root,
      useKeyHashing: true,
      useKeyHashingFunction: keccak256,
      common: { customCrypto: { keccak256 } },
      valueEncoding: 'bytes' as never,
      cacheSize: 0, // no second copy of the nodes: reads go straight to the NodeStore's cache
    });
  }

  get root(): Uint8Array {
    return this.#trie.root();
  }

  /** Moves the trie to another (stored) root, dropping unwritten nodes. */
  reset(root: Uint8Array): void {
    this.#nodes.pending.clear();
    this.#trie.root(root);
  }

  /** Applies sorted writes (undefined = delete) and returns the new root. */
  async apply(writes: readonly [Uint8Array, Uint8Array | undefined][], breathe?: () => Promise<void>): Promise<Uint8Array> {
    for (const [k, v] of writes) {
      if (breathe) await breathe();
      if (v === undefined) await this.#trie.del(k);
      else await this.#trie.put(k, v);
    }
    return this.#trie.root();
  }

  /**
   * Batch ops for the nodes created since the last `takeNodeOps` that the current root reaches.
   * Every `put` rewrites the nodes on its path, so a block also creates versions of its upper
   * nodes that the next `put` supersedes; those are never written.
   */
  takeNodeOps(): BatchOp[] {
    const pending = this.#nodes.pending;
    const ops: BatchOp[] = [];
    const stack = [toRawHex(this.#trie.root())];
    while (stack.length > 0) {
      const k = stack.pop()!;
      const v = pending.get(k);
      if (!v) continue; // not new: already stored
      pending.delete(k);
      ops.push({ type: 'put', key: K.node(fromHex(k)), value: v });
      for (const child of childHashes(v)) stack.push(toRawHex(child));
    }
    pending.clear();
    return ops;
  }

  async hasRoot(root: Uint8Array): Promise<boolean> {
    return this.#trie.checkRoot(root);
  }

  /** Reads a value at a given root (defaults to the current one) by walking the trie. */
  async getAt(key: Uint8Array, root?: Uint8Array): Promise<Uint8Array | undefined> {
    if (!root) return (await this.#trie.get(key)) ?? undefined;
    const copy = this.#trie.shallowCopy(false);
    copy.root(root);
    return (await copy.get(key)) ?? undefined;
  }

  /** An inclusion or exclusion proof (the trie nodes on the key's path) at `root`. */
  async proof(key: Uint8Array, root?: Uint8Array): Promise<Uint8Array[]> {
    const copy = this.#trie.shallowCopy(false);
    if (root) copy.root(root);
    return createMerkleProof(copy, key);
  }
}

/** Verifies a state proof: returns the value (inclusion), null (exclusion) or throws if invalid. */
export async function verifyStateProof(root: Uint8Array, key: Uint8Array, proof: Uint8Array[]): Promise<Uint8Array | null> {
  return verifyMerkleProof(key, proof, { root, useKeyHashing: true, useKeyHashingFunction: keccak256, common: { customCrypto: { keccak256 } } });
}


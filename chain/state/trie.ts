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
import { keccak256 } from '../hash.js';
import { K } from './layout.js';
import type { BatchOp, Store } from './store.js';

/** Root of the empty trie: keccak256(rlp('')). */
export const EMPTY_TRIE_ROOT = keccak256(new Uint8Array([0x80]));

class NodeStore implements DB<string, string | Uint8Array> {
  pending = new Map<string, Uint8Array>();
  constructor(private readonly store: Store) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.pending.get(key) ?? (await this.store.get(K.node(fromHex(key))));
  }
  async put(key: string, value: string | Uint8Array): Promise<void> {
    this.pending.set(key, typeof value === 'string' ? fromHex(value) : value);
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
      cacheSize: 100_000,
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
  async apply(writes: readonly [Uint8Array, Uint8Array | undefined][]): Promise<Uint8Array> {
    for (const [k, v] of writes) {
      if (v === undefined) await this.#trie.del(k);
      else await this.#trie.put(k, v);
    }
    return this.#trie.root();
  }

  /** Batch ops for the nodes created since the last `takeNodeOps`. */
  takeNodeOps(): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const [k, v] of this.#nodes.pending) ops.push({ type: 'put', key: K.node(fromHex(k)), value: v });
    this.#nodes.pending.clear();
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

export const trieKeyHex = toRawHex;

/**
 * The quorum engine's Keccak Merkle tree (spec §2.5): leaves are hashed once more before they
 * enter the tree (`K(address20)`, `K(hash32)`), a node is `K(left ‖ right)`, an odd last node is
 * paired with itself at every level, and the empty tree's root is 32 zero bytes.
 *
 * Hand-written rather than merkletreejs: the roots agree, but the wire proof carries one sibling
 * per level (the node itself where the tail is duplicated), which merkletreejs leaves out.
 */
import { concat, equals, keccak256 } from '../../chain/index.js';
import { addr20, bytesN, type AddressLike } from './bytes.js';

export const ZERO_ROOT = new Uint8Array(32);

export interface ReceiptProof {
  index: number;
  siblings: Uint8Array[];
}

const node = (l: Uint8Array, r: Uint8Array) => keccak256(concat(l, r));

function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) out.push(node(level[i]!, level[i + 1] ?? level[i]!));
  return out;
}

/** Root over already leaf-hashed leaves. */
export function rootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return ZERO_ROOT.slice();
  let level = [...leaves];
  while (level.length > 1) level = nextLevel(level);
  return new Uint8Array(level[0]!);
}

/** Inclusion proof for leaf `index` over already leaf-hashed leaves. */
export function proofOfLeaf(leaves: readonly Uint8Array[], index: number): ReceiptProof {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`leaf index ${index} is out of range (0..${leaves.length - 1})`);
  const siblings: Uint8Array[] = [];
  let level = [...leaves];
  let i = index;
  while (level.length > 1) {
    siblings.push(new Uint8Array((i % 2 === 0 ? (level[i + 1] ?? level[i]) : level[i - 1])!));
    level = nextLevel(level);
    i = Math.floor(i / 2);
  }
  return { index, siblings };
}

export const leafHash = (h: Uint8Array): Uint8Array => keccak256(bytesN(h, 32, 'receipt hash'));
export const leafAddress = (a: AddressLike): Uint8Array => keccak256(addr20(a, 'address'));

/** Merkle root over receipt hashes, in settlement order. */
export function receiptRoot(receiptHashes: readonly Uint8Array[]): Uint8Array {
  return rootOfLeaves(receiptHashes.map(leafHash));
}

/** Merkle root over operator addresses in the given order (OperatorsRoot, WinnersRoot). */
export function addressRoot(addresses: readonly AddressLike[]): Uint8Array {
  return rootOfLeaves(addresses.map(leafAddress));
}

export function receiptProof(receiptHashes: readonly Uint8Array[], index: number): ReceiptProof {
  return proofOfLeaf(receiptHashes.map(leafHash), index);
}

/** Checks that `receiptHash` sits at `proof.index` under `root`. */
export function verifyReceiptProof(receiptHash: Uint8Array, proof: ReceiptProof, root: Uint8Array): boolean {
  if (!Number.isInteger(proof.index) || proof.index < 0) return false;
  let cur = leafHash(receiptHash);
  let idx = proof.index;
  for (const sib of proof.siblings) {
    if (!(sib instanceof Uint8Array) || sib.length !== 32) return false;
    cur = idx % 2 === 0 ? node(cur, sib) : node(sib, cur);
    idx = Math.floor(idx / 2);
  }
  return idx === 0 && equals(cur, root);
}

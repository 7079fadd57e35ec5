/**
 * Binary Merkle roots for per-block lists (txRoot, receiptsRoot). Leaves are 32-byte hashes used
 * as they are, a node is keccak256(left ‖ right), an odd last node is promoted unchanged, and the
 * root of an empty list is 32 zero bytes. Built with merkletreejs.
 */
import { MerkleTree } from 'merkletreejs';
import { keccak256 } from './hash.js';

const hashFn = (data: Buffer): Buffer => {
  const h = keccak256(data);
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength);
};

const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export const EMPTY_ROOT = new Uint8Array(32);

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return new Uint8Array(leaves[0]!);
  const tree = new MerkleTree(leaves.map(asBuffer), hashFn, { hashLeaves: false });
  return new Uint8Array(tree.getRoot());
}

export interface MerkleProofStep {
  /** Where the sibling sits relative to the running hash. */
  position: 'left' | 'right';
  sibling: Uint8Array;
}

export function merkleProof(leaves: readonly Uint8Array[], index: number): MerkleProofStep[] {
  if (index < 0 || index >= leaves.length) throw new RangeError('leaf index out of range');
  if (leaves.length === 1) return [];
  const tree = new MerkleTree(leaves.map(asBuffer), hashFn, { hashLeaves: false });
  return tree.getProof(asBuffer(leaves[index]!), index).map((s) => ({ position: s.position, sibling: new Uint8Array(s.data) }));
}

export function verifyMerkleProof(leaf: Uint8Array, proof: readonly MerkleProofStep[], root: Uint8Array): boolean {
  let cur = leaf;
  for (const step of proof) {
    const both = new Uint8Array(64);
    if (step.position === 'left') {
      both.set(step.sibling, 0);
      both.set(cur, 32);
    } else {
      both.set(cur, 0);
      both.set(step.sibling, 32);
    }
    cur = keccak256(both);
  }
  return Buffer.compare(asBuffer(cur), asBuffer(root)) === 0;
}

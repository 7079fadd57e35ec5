/**
 * The two Merkle trees of spec session.md §1.4. They differ on purpose and must never be mixed:
 *
 *  (a) S1 `ComputeMerkleRoot` / `ComputeReceiptsRoot`: 32-byte leaves used as they are,
 *      node = SHA256(left ‖ right), an odd last node is promoted unchanged, empty → 32 zero bytes.
 *      Used for oracle data hashes, delivery receipt IDs and the session's oracle root.
 *  (b) S3 OracleVM `computeRecordsMerkleRoot`: leaf = SHA256(record preimage), node = SHA256(l ‖ r),
 *      an odd last node is paired with itself. This root is a step's OracleCommitRoot.
 *
 * Both are built with merkletreejs (option `duplicateOdd` tells them apart). Proofs of both trees
 * have one shape, `{ leafIndex, siblings, isLeft }`, and one verifier: fold
 * `cur = isLeft[i] ? H(sibling ‖ cur) : H(cur ‖ sibling)` and compare with the root.
 */
import { MerkleTree } from 'merkletreejs';
import { concat, equals, u32be, u64be, utf8, NamedError, sha256 } from '../../../chain/index.js';
import { id32, u32, u64 } from './ids.js';
import type { Id32 } from './types.js';

export const ZERO_ID: Id32 = new Uint8Array(32);

export interface MerkleProof {
  /** Position of the proven leaf (u32). */
  leafIndex: number;
  /** Sibling hashes from the leaf level up. */
  siblings: Id32[];
  /** `isLeft[i]`: the sibling sits on the left of the running hash. */
  isLeft: boolean[];
}

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const hashFn = (data: Buffer): Buffer => buf(sha256(data));

function checkLeaves(leaves: readonly Uint8Array[]): Buffer[] {
  if (!Array.isArray(leaves)) throw new NamedError('InvalidArgument', 'leaves must be an array of 32-byte hashes');
  return leaves.map((l, i) => buf(id32(l, `leaves[${i}]`)));
}

function checkIndex(index: number, n: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= n) throw new NamedError('IndexOutOfRange', `leaf index ${index} is outside 0..${n - 1}`);
}

/** Tree (a) root over 32-byte leaves. */
export function merkleRoot(leaves: readonly Id32[]): Id32 {
  const bufs = checkLeaves(leaves);
  if (bufs.length === 0) return ZERO_ID.slice();
  return new Uint8Array(new MerkleTree(bufs, hashFn, { hashLeaves: false }).getRoot());
}

/** Tree (a) inclusion proof of `leaves[index]` (S1 defines the format but has no generator). */
export function merkleProof(leaves: readonly Id32[], index: number): MerkleProof {
  const bufs = checkLeaves(leaves);
  checkIndex(index, bufs.length);
  const steps = new MerkleTree(bufs, hashFn, { hashLeaves: false }).getProof(bufs[index]!, index);
  return {
    leafIndex: index,
    siblings: steps.map((s) => new Uint8Array(s.data)),
    isLeft: steps.map((s) => s.position === 'left'),
  };
}

/** Verifies a proof of either tree (for tree (b), `leaf` is the record's leaf hash). */
export function verifyMerkleProof(leaf: Id32, proof: MerkleProof, root: Id32): boolean {
  if (!(leaf instanceof Uint8Array) || leaf.length !== 32 || !(root instanceof Uint8Array) || root.length !== 32) return false;
  if (!proof || !Array.isArray(proof.siblings) || !Array.isArray(proof.isLeft) || proof.siblings.length !== proof.isLeft.length) return false;
  let cur = leaf;
  for (let i = 0; i < proof.siblings.length; i++) {
    const sib = proof.siblings[i]!;
    if (!(sib instanceof Uint8Array) || sib.length !== 32) return false;
    cur = sha256(proof.isLeft[i] ? concat(sib, cur) : concat(cur, sib));
  }
  return equals(cur, root);
}

// ---- tree (b): OracleVM records ---------------------------------------------------------------

/** An OracleVM record (S3). The executor's signature is not part of the leaf. */
export interface OracleRecord {
  requestId: Id32;
  /** The executor's 20-byte NodeID (here: the operator account of the submitting node). */
  executor: Uint8Array;
  /** u64; the chain uses the executor's observation time in unix milliseconds. */
  timestamp: bigint | number;
  /** UTF-8 string or raw bytes; no length prefix in the leaf. */
  endpoint: string | Uint8Array;
  bodyHash: Id32;
  resultCode: number;
  externalRef: string | Uint8Array;
}

const asBytes = (v: string | Uint8Array, what: string): Uint8Array => {
  if (typeof v === 'string') return utf8(v);
  if (v instanceof Uint8Array) return v;
  throw new NamedError('InvalidArgument', `${what} must be a string or bytes`);
};

/**
 * request_id(32) ‖ executor(20) ‖ u64be(timestamp) ‖ endpoint ‖ body_hash(32) ‖ u32be(result_code) ‖ external_ref.
 * A record given as bytes is taken to be this preimage already. `executorId` / `nodeId` are accepted
 * as other names of `executor`.
 */
export function oracleRecordPreimage(r: OracleRecord | Uint8Array): Uint8Array {
  if (r instanceof Uint8Array) return r;
  if (r === null || typeof r !== 'object') throw new NamedError('InvalidArgument', 'a record is an object (or its preimage bytes)');
  const alt = r as OracleRecord & { executorId?: Uint8Array; nodeId?: Uint8Array };
  const executor = alt.executor ?? alt.executorId ?? alt.nodeId;
  if (!(executor instanceof Uint8Array) || executor.length !== 20) throw new NamedError('InvalidId', 'executor must be a 20-byte NodeID');
  return concat(
    id32(r.requestId, 'requestId'),
    executor,
    u64be(u64(r.timestamp, 'timestamp')),
    asBytes(r.endpoint, 'endpoint'),
    id32(r.bodyHash, 'bodyHash'),
    u32be(u32(r.resultCode, 'resultCode')),
    asBytes(r.externalRef, 'externalRef'),
  );
}

/** Tree (b) leaf: SHA256 of the record preimage. */
export function oracleRecordLeaf(r: OracleRecord | Uint8Array): Id32 {
  return sha256(oracleRecordPreimage(r));
}

function recordsTree(leaves: Buffer[]): MerkleTree {
  return new MerkleTree(leaves, hashFn, { hashLeaves: false, duplicateOdd: true });
}

/** Tree (b) root over record leaf hashes (already computed with `oracleRecordLeaf`). */
export function oracleRecordsRootFromLeaves(leaves: readonly Id32[]): Id32 {
  const bufs = checkLeaves(leaves);
  if (bufs.length === 0) return ZERO_ID.slice();
  return new Uint8Array(recordsTree(bufs).getRoot());
}

/** Tree (b) root over records in the given (arrival) order; empty gives 32 zero bytes. */
export function oracleRecordsRoot(records: readonly (OracleRecord | Uint8Array)[]): Id32 {
  if (!Array.isArray(records)) throw new NamedError('InvalidArgument', 'records must be an array');
  return oracleRecordsRootFromLeaves(records.map(oracleRecordLeaf));
}

/**
 * Tree (b) proof (S3 style: the sibling is `layer[idx ^ 1]`, or the node itself where the layer is
 * odd), from record leaf hashes.
 */
export function oracleRecordsProofFromLeaves(leaves: readonly Id32[], index: number): MerkleProof {
  const bufs = checkLeaves(leaves);
  checkIndex(index, bufs.length);
  const layers = recordsTree(bufs).getLayers();
  const siblings: Id32[] = [];
  const isLeft: boolean[] = [];
  let idx = index;
  for (let level = 0; level < layers.length - 1; level++) {
    const layer = layers[level]!;
    const sib = (idx ^ 1) < layer.length ? layer[idx ^ 1]! : layer[idx]!;
    siblings.push(new Uint8Array(sib));
    isLeft.push((idx & 1) === 1);
    idx >>= 1;
  }
  return { leafIndex: index, siblings, isLeft };
}

/** Tree (b) proof of `records[index]`; verify with `verifyMerkleProof(oracleRecordLeaf(record), ...)`. */
export function oracleRecordsProof(records: readonly (OracleRecord | Uint8Array)[], index: number): MerkleProof {
  return oracleRecordsProofFromLeaves(records.map(oracleRecordLeaf), index);
}

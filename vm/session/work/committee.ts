/**
 * Committees (spec session.md §1.5–§1.6): the 67% quorum in its exact integer form, and the
 * deterministic committee assignment of S1 `swarm/assignment.go`.
 */
import { compareBytes, u64be, NamedError, sha256Concat } from '../../../chain/index.js';
import { id32, u64 } from './ids.js';
import type { Id32 } from './types.js';

export const MIN_COMMITTEE_SIZE = 3;
export const MAX_COMMITTEE_SIZE = 21;

/**
 * Signatures needed from a committee of `n`: min(n, floor(67·n/100) + 1). Upstream computes
 * floor(n·0.67)+1 in float64; the integer form gives the same values (n ≤ 100000 checked) without
 * floating point.
 */
export function quorumSize(n: number): number;
export function quorumSize(n: bigint): bigint;
export function quorumSize(n: number | bigint): number | bigint {
  if (typeof n === 'bigint') {
    if (n < 0n) throw new NamedError('InvalidInteger', 'committee size must not be negative');
    const q = (67n * n) / 100n + 1n;
    return q < n ? q : n;
  }
  if (!Number.isSafeInteger(n) || n < 0) throw new NamedError('InvalidInteger', 'committee size must be a non-negative integer');
  return Number(quorumSize(BigInt(n)));
}

/** `IsQuorum(p, n)`: p signatures are enough for a committee of n. */
export function isQuorum(present: number, n: number): boolean {
  return present >= quorumSize(n);
}

export interface CommitteeBounds {
  min?: number;
  max?: number;
}

/** seed = SHA256(epoch_randomness ‖ service_id ‖ u64be(epoch)). */
export function committeeSeed(epochRandomness: Id32, serviceId: Id32, epoch: bigint | number): Id32 {
  return sha256Concat(id32(epochRandomness, 'epochRandomness'), id32(serviceId, 'serviceId'), u64be(u64(epoch, 'epoch')));
}

/**
 * Orders the eligible nodes by SHA256(seed ‖ node_id) (unsigned bytes, ascending) and returns the
 * first min(max, n). Fewer than `min` nodes → `NotEnoughNodes`. Input order does not matter and the
 * input is not de-duplicated (as upstream).
 */
export function assignCommittee(epochRandomness: Id32, serviceId: Id32, epoch: bigint | number, nodeIds: readonly Id32[], bounds: CommitteeBounds = {}): Id32[] {
  const min = bounds.min ?? MIN_COMMITTEE_SIZE;
  const max = bounds.max ?? MAX_COMMITTEE_SIZE;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < 1 || min > max) {
    throw new NamedError('InvalidArgument', `committee bounds must satisfy 0 ≤ min ≤ max and max ≥ 1 (got min ${min}, max ${max})`);
  }
  if (!Array.isArray(nodeIds)) throw new NamedError('InvalidArgument', 'nodeIds must be an array of 32-byte IDs');
  if (nodeIds.length < min) {
    throw new NamedError('NotEnoughNodes', `not enough eligible nodes: ${nodeIds.length} eligible, the committee needs at least ${min}`);
  }
  const seed = committeeSeed(epochRandomness, serviceId, epoch);
  const scored = nodeIds.map((id, i) => ({ id: id32(id, `nodeIds[${i}]`), score: sha256Concat(seed, id) }));
  scored.sort((a, b) => compareBytes(a.score, b.score) || compareBytes(a.id, b.id));
  return scored.slice(0, Math.min(max, scored.length)).map((s) => s.id.slice());
}

/**
 * Deterministic operator selection (spec §2.4): a Fisher–Yates partial shuffle of a copy of the
 * eligible set (in registry insertion order) driven by the task id. For i in 0..N-1:
 * `j = i + uint256(K(task_id ‖ u32be(i))) mod (|E| − i)`, swap E[i] and E[j]; selected = E[0..N).
 */
import { bytesToBig, concat, keccak256, u32be } from '../../chain/index.js';
import { bytesN } from './bytes.js';

/**
 * Draws `n` distinct members of `eligible` for `taskId`. The input is not modified; the result has
 * the input's element type. Throws a RangeError when `n` exceeds the eligible set.
 */
export function selectOperators<T>(taskId: Uint8Array, eligible: readonly T[], n: number | bigint): T[] {
  const id = bytesN(taskId, 32, 'taskId');
  const count = Number(n);
  if (!Number.isInteger(count) || count < 0) throw new RangeError('n must be a non-negative integer');
  if (count > eligible.length) throw new RangeError(`cannot select ${count} operators from ${eligible.length} eligible`);
  const work = [...eligible];
  for (let i = 0; i < count; i++) {
    const span = BigInt(work.length - i);
    const j = i + Number(bytesToBig(keccak256(concat(id, u32be(i)))) % span);
    const tmp = work[i]!;
    work[i] = work[j]!;
    work[j] = tmp;
  }
  return work.slice(0, count);
}

/** The eligible-set margin: `max(floor, N·bps/10000)` operators beyond N. */
export function requiredMargin(n: number, floor = 2, bps = 5000): number {
  return Math.max(floor, Math.floor((n * bps) / 10_000));
}

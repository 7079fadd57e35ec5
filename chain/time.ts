/**
 * The range of block time. Timestamps are unix milliseconds in a u64, but modules convert them: AIVM
 * and the S1 session records use nanoseconds in a u64 (`timestamp * 10^6`), so the tightest bound is
 * ⌊(2^64 − 1) / 10^6⌋ ms, 2554-07-21T23:34:33.709Z. The producer never builds a block past it.
 *
 * Dev time controls (`dev.SetNextBlockTimestamp`, `dev.IncreaseTime`) stop well short of that limit,
 * at 2500-01-01: timestamps strictly increase, so a chain pushed to the very limit could never make
 * another block; the gap (54 years of milliseconds) keeps blocks coming.
 */
import { NamedError, RpcCode } from './errors.js';

/** The latest block timestamp the chain can represent (every module converts it without overflow). */
export const MAX_BLOCK_TIMESTAMP_MS = ((1n << 64n) - 1n) / 1_000_000n;

/** The latest timestamp a dev time control may ask for: 2500-01-01T00:00:00Z. */
export const MAX_DEV_TIMESTAMP_MS = 16_725_225_600_000n;

/** A block time out of range: a dev time control asked for too much, or the chain ran out of time. */
export class TimestampOutOfRange extends NamedError {
  constructor(message: string, data?: Record<string, unknown>) {
    super('TimestampOutOfRange', message, { rpcCode: RpcCode.InvalidParams, data });
  }
}

/** Checks a timestamp asked for by a dev time control against MAX_DEV_TIMESTAMP_MS. */
export function checkDevTimestamp(ms: bigint, what: string): void {
  if (ms > MAX_DEV_TIMESTAMP_MS) {
    throw new TimestampOutOfRange(`${what}: expected a block time at most ${MAX_DEV_TIMESTAMP_MS} ms (2500-01-01), actual ${ms}`, {
      max: MAX_DEV_TIMESTAMP_MS.toString(),
      actual: ms.toString(),
    });
  }
}

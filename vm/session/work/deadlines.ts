/**
 * Deadlines at block height. Entries are appended to a per-height bucket; `endBlock` walks the
 * buckets in height order from a persistent cursor and handles at most `maxExpiriesPerBlock` entries
 * per block (the rest wait for the next block), so a burst of timeouts never makes one block slow.
 * Entries are not removed when a session or step finishes early: the handler re-checks and ignores
 * stale ones.
 */
import { t } from '../../../chain/index.js';
import type { Ctx } from './access.js';
import { dueCursor, type DueEntry, dueEntry, keys } from './state.js';

/** Empty heights the cursor may skip per block beyond the entry budget. */
const MAX_EMPTY_HEIGHTS_PER_BLOCK = 1024;

export async function schedule(ctx: Ctx, height: bigint, entry: DueEntry): Promise<void> {
  const count = (await ctx.state.getValue(t.uint32, keys.dueCount(height))) ?? 0;
  ctx.state.setValue(dueEntry, keys.dueEntry(height, count), entry);
  ctx.state.setValue(t.uint32, keys.dueCount(height), count + 1);
}

export function initDeadlines(ctx: Ctx): void {
  ctx.state.setValue(dueCursor, keys.dueCursor(), { height: ctx.block.height, index: 0 });
}

/** Runs `handle` on due entries (deadline ≤ current height) within the per-block budget. */
export async function processDue(ctx: Ctx, handle: (entry: DueEntry, dueHeight: bigint) => Promise<void>): Promise<number> {
  let cursor = (await ctx.state.getValue(dueCursor, keys.dueCursor())) ?? { height: 0n, index: 0 };
  let handled = 0;
  let empty = 0;
  while (cursor.height <= ctx.block.height && handled < ctx.params.maxExpiriesPerBlock && empty < MAX_EMPTY_HEIGHTS_PER_BLOCK) {
    const count = (await ctx.state.getValue(t.uint32, keys.dueCount(cursor.height))) ?? 0;
    if (cursor.index < count) {
      const key = keys.dueEntry(cursor.height, cursor.index);
      const entry = (await ctx.state.getValue(dueEntry, key))!;
      ctx.state.delete(key);
      try {
        await handle(entry, cursor.height);
      } catch (e) {
        // A handler only re-checks and updates records; if it ever throws, skip the entry rather
        // than stall the queue (a rolled-back endBlock would retry it forever).
        if ((e as Error)?.name === 'OutOfGas') throw e;
      }
      cursor = { height: cursor.height, index: cursor.index + 1 };
      handled++;
      continue;
    }
    if (count > 0) ctx.state.delete(keys.dueCount(cursor.height));
    else empty++;
    cursor = { height: cursor.height + 1n, index: 0 };
  }
  ctx.state.setValue(dueCursor, keys.dueCursor(), cursor);
  return handled;
}

/**
 * endBlock work of the messaging SessionVM, bounded by `maintenancePerBlock` units per block:
 *
 *  1. expiries: sessions whose expiry height has been reached become `expired` (the expiry
 *     cursor walks heights in order; one unit per session and per height step);
 *  2. message retention: messages older than `retentionDays` of block time are deleted, oldest
 *     first (the message FIFO is in send order, so in block-time order);
 *  3. ended sessions: a session that closed or expired `retentionDays` ago is deleted once its
 *     messages are gone (their retention always ends first, as none is newer than the session's end).
 *
 * Whatever does not fit in one block's budget continues in the next. Sending to a session past
 * its expiry height is refused at once, whether or not its expiry has been processed yet.
 */
import type { SystemContext } from '../../../chain/index.js';
import { type MessagingParams, retentionMs } from './params.js';
import { MessagingWriter } from './state.js';

export async function runMaintenance(ctx: SystemContext<MessagingParams>): Promise<void> {
  const st = new MessagingWriter(ctx.state);
  let budget = ctx.params.maintenancePerBlock;
  budget = await processExpiries(ctx, st, budget);
  budget = await pruneMessages(ctx, st, budget);
  await pruneEndedSessions(ctx, st, budget);
}

async function processExpiries(ctx: SystemContext<MessagingParams>, st: MessagingWriter, budget: number): Promise<number> {
  const height = ctx.block.height;
  const stored = await st.expiryCursor();
  let cursor = stored ?? { height, index: 0 };
  while (budget > 0 && cursor.height <= height) {
    budget--;
    const count = await st.expiryCount(cursor.height);
    if (cursor.index < count) {
      const sid = (await st.expiryItem(cursor.height, cursor.index))!;
      st.deleteExpiryItem(cursor.height, cursor.index);
      cursor = { height: cursor.height, index: cursor.index + 1 };
      await expire(ctx, st, sid);
    } else {
      if (count > 0) st.deleteExpiryCount(cursor.height);
      cursor = { height: cursor.height + 1n, index: 0 };
    }
  }
  if (!stored || cursor.height !== stored.height || cursor.index !== stored.index) st.putExpiryCursor(cursor);
  return budget;
}

async function expire(ctx: SystemContext<MessagingParams>, st: MessagingWriter, sid: Uint8Array): Promise<void> {
  const s = await st.session(sid);
  if (!s || s.status !== 'active') return; // closed earlier (or pruned): nothing to do
  const now = ctx.block.timestamp;
  st.putSession(sid, { ...s, status: 'expired', endedAt: now });
  await st.adjustCounters({ open: -1n });
  await st.enqueueEnded({ sessionId: sid, endedAt: now });
  ctx.emit('SessionExpired', { sessionId: sid, height: ctx.block.height });
}

async function pruneMessages(ctx: SystemContext<MessagingParams>, st: MessagingWriter, budget: number): Promise<number> {
  const retention = retentionMs(ctx.params);
  const now = ctx.block.timestamp;
  let q = await st.msgQueue();
  let pruned = 0n;
  while (budget > 0 && q.head < q.tail) {
    const item = (await st.msgQueueItem(q.head))!;
    if (item.timestamp + retention > now) break;
    budget--;
    st.deleteMessage(item.sessionId, item.seq);
    const s = await st.session(item.sessionId);
    if (s && s.firstSeq <= item.seq) st.putSession(item.sessionId, { ...s, firstSeq: item.seq + 1n });
    q = st.popMessageQueue(q);
    pruned++;
  }
  if (pruned > 0n) await st.adjustCounters({ retained: -pruned });
  return budget;
}

async function pruneEndedSessions(ctx: SystemContext<MessagingParams>, st: MessagingWriter, budget: number): Promise<number> {
  const retention = retentionMs(ctx.params);
  const now = ctx.block.timestamp;
  let q = await st.endedQueue();
  while (budget > 0 && q.head < q.tail) {
    const item = (await st.endedQueueItem(q.head))!;
    if (item.endedAt + retention > now) break;
    const s = await st.session(item.sessionId);
    if (s && s.firstSeq < s.nextSeq) break; // its messages go first (message pruning catches up next block)
    budget--;
    if (s) {
      for (const id of s.participants) st.deleteParticipant(item.sessionId, id);
      st.deleteSession(item.sessionId);
      budget -= s.participants.length;
      await st.adjustCounters({ sessions: -1n });
      ctx.emit('SessionPruned', { sessionId: item.sessionId });
    }
    q = st.popEndedQueue(q);
  }
  return budget;
}

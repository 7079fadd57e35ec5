/**
 * Delivery receipts: a committee member records that a message of a step was delivered from sender
 * to receiver. receipt_id per spec §1.2; the session's receipts root is the tree (a) root over its
 * receipt IDs in recording order, and the block header carries `sessionReceipts`, the tree (a) root
 * over the receipt IDs recorded in that block (zero when none).
 */
import { toHex } from '../../../chain/index.js';
import { type Ctx, actingMember, fail, loadSession, requireLive, saveSession } from './access.js';
import { receiptId } from './ids.js';
import { merkleRoot } from './merkle.js';
import { blockReceiptsHeader, keys, receiptRecord } from './state.js';
import type { StateReader } from '../../../chain/index.js';
import type { Id32 } from './types.js';

export interface ReceiptArgs {
  sessionId: Id32;
  nodeId: Id32;
  stepIndex: number;
  messageHash: Id32;
  senderId: Id32;
  receiverId: Id32;
}

export async function submitReceipt(ctx: Ctx, a: ReceiptArgs): Promise<Id32> {
  const s = await loadSession(ctx.state, a.sessionId);
  requireLive(s, a.sessionId);
  await actingMember(ctx, s, a.sessionId, a.nodeId);
  if (s.proposedOutput) fail('FinalizationPending', `session ${toHex(a.sessionId)} is being finalized; its receipts root is fixed`);
  if (a.stepIndex >= s.stepCount) fail('StepNotFound', `session ${toHex(a.sessionId)} has ${s.stepCount} steps; there is no step ${a.stepIndex}`);
  const id = receiptId(a.sessionId, a.stepIndex, a.messageHash, a.senderId, a.receiverId);
  if (await ctx.state.has(keys.receiptById(id))) fail('DuplicateReceipt', `receipt ${toHex(id)} is already recorded`);
  if (s.receiptCount >= ctx.params.maxReceiptsPerSession) fail('TooManyReceipts', `a session records at most ${ctx.params.maxReceiptsPerSession} receipts`);
  const index = s.receiptCount;
  ctx.state.setValue(receiptRecord, keys.receipt(a.sessionId, index), {
    receiptId: id,
    stepIndex: a.stepIndex,
    messageHash: a.messageHash,
    senderId: a.senderId,
    receiverId: a.receiverId,
    submitter: a.nodeId,
    height: ctx.block.height,
  });
  ctx.state.set(keys.receiptById(id), a.sessionId);
  saveSession(ctx, a.sessionId, { ...s, receiptCount: index + 1 });
  const header = await ctx.state.getValue(blockReceiptsHeader, keys.blockReceipts());
  const inBlock = header && header.height === ctx.block.height ? header.count : 0;
  ctx.state.set(keys.blockReceipt(inBlock), id);
  ctx.state.setValue(blockReceiptsHeader, keys.blockReceipts(), { height: ctx.block.height, count: inBlock + 1 });
  ctx.emit('ReceiptRecorded', { sessionId: a.sessionId, receiptId: id, index, stepIndex: a.stepIndex });
  return id;
}

/** The `sessionReceipts` block root: receipts recorded at `height` (slots of older blocks are reused). */
export async function blockReceiptsRoot(state: StateReader, height: bigint): Promise<Id32> {
  const header = await state.getValue(blockReceiptsHeader, keys.blockReceipts());
  if (!header || header.height !== height) return merkleRoot([]);
  const ids: Id32[] = [];
  for (let i = 0; i < header.count; i++) ids.push((await state.get(keys.blockReceipt(i)))!);
  return merkleRoot(ids);
}

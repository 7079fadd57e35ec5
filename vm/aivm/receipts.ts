/**
 * Settlement receipts (spec §2.5): each final task gets a 355-byte receipt whose hash is appended
 * to the receipt root, in settlement order. The encoding is stored so `ExportReceipt` can hand it
 * out with a Merkle proof against the current root.
 */
import { t, toHex, type Address } from '../../chain/index.js';
import { addArtifact } from './artifacts.js';
import type { Env } from './env.js';
import { addressRoot, receiptProof, receiptRoot, ZERO_ROOT, type ReceiptProof } from './merkle.js';
import { AivmReader, intentUseT, K, type TaskRecord } from './state.js';
import { encodeReceipt, receiptHash, type ReceiptStatus } from './wire.js';
import { aivmErrors } from './errors.js';

export interface AppendedReceipt {
  encoding: Uint8Array;
  hash: Uint8Array;
  root: Uint8Array;
  index: number;
}

/**
 * Builds the receipt of a task that just reached a final state (the task record already carries
 * its final status, canonical output and settled height), appends it to the receipt root and sets
 * `task.receiptIndex` (the caller writes the task).
 */
export async function appendReceipt(e: Env, id: Uint8Array, task: TaskRecord, status: ReceiptStatus, winners: readonly Address[], operators: readonly Address[]): Promise<AppendedReceipt> {
  const encoding = encodeReceipt({
    intentId: task.intentId,
    taskId: id,
    cChain: e.p.cChain,
    aChain: e.p.aChain,
    requester: task.requester,
    spec: task.spec,
    prompt: task.prompt,
    canonical: task.canonical,
    status,
    n: task.n,
    threshold: task.threshold,
    winnersRoot: addressRoot(winners),
    operatorsRoot: addressRoot(operators),
    feePaid: task.feePaid,
    settledHeight: task.settledHeight,
  });
  const hash = receiptHash(encoding);
  const index = await e.w.append(K.receiptCount, K.receiptLeaf, t.bytes32, hash);
  const root = receiptRoot(await e.w.receiptLeaves());
  e.w.state.setValue(t.bytes32, K.receiptRoot, root);
  e.w.state.set(K.receiptEncoding(id), encoding);
  task.receiptIndex = index + 1;
  await addArtifact(e, 'receipt', hash);
  e.ctx.emit('ReceiptAppended', { taskId: id, receiptHash: hash, index, root });
  return { encoding, hash, root, index };
}

export async function currentReceiptRoot(r: AivmReader): Promise<Uint8Array> {
  return (await r.state.getValue(t.bytes32, K.receiptRoot)) ?? ZERO_ROOT.slice();
}

export interface ExportedReceipt {
  taskId: Uint8Array;
  receipt: Uint8Array;
  receiptHash: Uint8Array;
  proof: ReceiptProof;
  root: Uint8Array;
}

/** Resolves an intent id or a task id to its task id. */
export async function resolveTaskId(r: AivmReader, id: Uint8Array): Promise<Uint8Array | undefined> {
  const used = await r.state.getValue(intentUseT, K.intentUsed(id));
  if (used) return used.task;
  return (await r.task(id)) ? id : undefined;
}

/** The receipt of a settled task (by intent id or task id) with its proof under the current root. */
export async function exportReceipt(r: AivmReader, id: Uint8Array): Promise<ExportedReceipt> {
  const taskId = await resolveTaskId(r, id);
  const task = taskId && (await r.task(taskId));
  if (!taskId || !task) throw aivmErrors.error('ReceiptNotFound', `no task or intent ${toHex(id)}`);
  if (task.receiptIndex === 0) throw aivmErrors.error('ReceiptNotFound', `task ${toHex(taskId)} has not settled yet (status ${task.status})`);
  const leaves = await r.receiptLeaves();
  const index = task.receiptIndex - 1;
  if (index >= leaves.length) throw aivmErrors.error('ProofOutOfRange', 'receipt index is outside the receipt list (invariant broken)');
  return {
    taskId,
    receipt: (await r.state.get(K.receiptEncoding(taskId)))!,
    receiptHash: leaves[index]!,
    proof: receiptProof(leaves, index),
    root: await currentReceiptRoot(r),
  };
}


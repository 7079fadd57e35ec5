/**
 * Task creation and the M-of-N quorum engine (spec §2.4): deterministic selection, commit →
 * reveal with the operator-bound commit preimage, and settlement by plurality (ties to the
 * smallest output hash) with slashing of withholders and a refund when no quorum forms.
 *
 * Every check runs before the first write, and a ModuleError reverts whatever was written anyway,
 * so a rejected operation changes nothing.
 */
import { compareBytes, equals, isZero, t, toHex, toRawHex, type Address } from '../../chain/index.js';
import { addArtifact } from './artifacts.js';
import { requireTeeProvider, teeProviderFilter } from './attestations.js';
import { AIVM_RULES } from './params.js';
import { taskRequiresTee, teeRequiredFor } from './tee.js';
import { MAX_N, MIN_N, Mode, TaskStatus } from './constants.js';
import type { Env } from './env.js';
import { adjustOpenTasks, eligibleSet } from './operators.js';
import { appendReceipt } from './receipts.js';
import { selectOperators, requiredMargin } from './selection.js';
import { dueT, DueKind, K, revealT, type TaskRecord } from './state.js';
import { commitHash, ReceiptStatus, taskId as computeTaskId } from './wire.js';
import { aivmErrors } from './errors.js';

const U256_MAX = (1n << 256n) - 1n;
const ZERO32 = new Uint8Array(32);

export interface NewTask {
  mode: Mode;
  requester: Address;
  spec: Uint8Array;
  prompt: Uint8Array;
  input: Uint8Array;
  n: number;
  threshold: number;
  rewardPerOperator: bigint;
  /** Burned at creation and reported as the receipt's fee. */
  fee: bigint;
  intentId: Uint8Array;
  /** Escalations: the optimistic task whose dispute this task decides (funded from its escrow). */
  parent?: Uint8Array;
  exclude?: readonly Address[];
}

/**
 * Whether a new task may only go to TEE providers: a TEE task (mode 2); under rules 2 also any task
 * of a model that requires TEE, and an escalation of a TEE task — whatever created it (submitTask,
 * importIntent, a dispute).
 */
async function requiresTee(e: Env, s: NewTask): Promise<boolean> {
  if (e.p.version < AIVM_RULES.trust) return s.mode === Mode.TEEAttested;
  return (await teeRequiredFor(e.w, e.p, s.spec, s.mode)) || (s.parent !== undefined && (await taskRequiresTee(e.w, s.parent)));
}

export async function schedule(e: Env, height: bigint, kind: number, id: Uint8Array): Promise<void> {
  const list = (await e.w.state.getValue(dueT, K.due(height))) ?? [];
  list.push({ kind, id });
  e.w.state.setValue(dueT, K.due(height), list);
}

function checkShape(mode: Mode, n: number, threshold: number): void {
  if (mode === Mode.MultiPartyRedundant) {
    if (!Number.isInteger(n) || n < MIN_N || n > MAX_N) throw aivmErrors.error('BadN', `N must be between ${MIN_N} and ${MAX_N} for a redundant task, got ${n}`);
    if (threshold < Math.floor(n / 2) + 1 || threshold > n) {
      throw aivmErrors.error('BadThreshold', `threshold must satisfy floor(N/2)+1 <= threshold <= N (${Math.floor(n / 2) + 1}..${n}), got ${threshold}`);
    }
  } else {
    if (n !== 1) throw aivmErrors.error('BadN', `an optimistic task has exactly one provider (N = 1), got ${n}`);
    if (threshold !== 1) throw aivmErrors.error('BadThreshold', `an optimistic task has threshold 1, got ${threshold}`);
  }
}

/** Opens a task: validates, selects, escrows the reward, burns the fee. Returns the task id. */
export async function createTask(e: Env, s: NewTask): Promise<Uint8Array> {
  if (isZero(s.spec)) throw aivmErrors.error('EmptyModelSpec', 'spec (the model spec hash) must not be zero');
  if (isZero(s.prompt)) throw aivmErrors.error('EmptyPromptHash', 'prompt (the prompt hash) must not be zero');
  checkShape(s.mode, s.n, s.threshold);
  const escrow = s.rewardPerOperator * BigInt(s.n);
  if (escrow > U256_MAX) throw aivmErrors.error('RewardOverflow', 'reward × N does not fit in uint256');

  let candidates = await eligibleSet(e.w, s.spec, e.p, s.exclude);
  const tee = await requiresTee(e, s);
  if (tee) {
    const attested = teeProviderFilter(e, s.spec);
    const kept: Address[] = [];
    for (const op of candidates) if (await attested(op)) kept.push(op);
    candidates = kept;
  }
  if (candidates.length < s.n) throw aivmErrors.error('NotEnoughEligible', `${candidates.length} eligible provider(s) serve this spec; the task needs ${s.n}`, { eligible: candidates.length });
  const margin = requiredMargin(s.n, e.p.marginFloor, e.p.marginBps);
  if (candidates.length < s.n + margin) {
    throw aivmErrors.error('EligibleBelowMargin', `${candidates.length} eligible provider(s); N = ${s.n} needs at least ${s.n + margin} (margin ${margin})`, { eligible: candidates.length, required: s.n + margin });
  }

  const nonce = (await e.w.state.getValue(t.uint256, K.reqNonce(s.requester))) ?? 0n;
  const id = computeTaskId({ requester: s.requester, nonce, spec: s.spec, prompt: s.prompt, height: e.height, n: s.n, threshold: s.threshold });
  if (await e.w.task(id)) throw aivmErrors.error('TaskExists', `task ${toHex(id)} already exists`); // unreachable: the nonce moves
  const selected = selectOperators(id, candidates, s.n);

  // An escalation is funded from its parent's open escrow (the same bucket; the caller moves it).
  if (!s.parent) {
    await e.pull(s.requester, escrow, 'escrow');
    if (s.fee > 0n) {
      await e.pull(s.requester, s.fee, 'escrow');
      await e.burn(s.fee, 'escrow');
    }
  }

  const redundant = s.mode === Mode.MultiPartyRedundant;
  const commitDeadline = e.height + (redundant ? e.p.commitBlocks : e.p.postBlocks);
  const task: TaskRecord = {
    mode: s.mode,
    status: TaskStatus.Open,
    n: s.n,
    threshold: s.threshold,
    requester: s.requester,
    spec: s.spec,
    prompt: s.prompt,
    input: s.input,
    requestHeight: e.height,
    commitDeadline,
    revealDeadline: redundant ? commitDeadline + e.p.revealBlocks : 0n,
    rewardPerOperator: s.rewardPerOperator,
    escrow,
    feePaid: s.fee,
    intentId: s.intentId,
    canonical: ZERO32,
    settledHeight: 0n,
    revealCount: 0,
    parent: s.parent ?? ZERO32,
    receiptIndex: 0,
  };
  e.w.setTask(id, task);
  if (tee && e.p.version >= AIVM_RULES.trust) e.w.state.setValue(t.bool, K.taskTee(id), true); // commits are checked against it
  for (let i = 0; i < selected.length; i++) {
    const op = selected[i]!;
    e.w.state.setValue(t.address, K.selected(id, i), op);
    e.w.state.setValue(t.uint32, K.selectedFlag(id, op), i + 1);
    await adjustOpenTasks(e, op, 1);
    await e.w.bumpProviderStats(op, (st) => (st.assigned += 1n));
  }
  e.w.state.setValue(t.uint256, K.reqNonce(s.requester), nonce + 1n);
  const count = (await e.w.state.getValue(t.uint64, K.taskCount)) ?? 0n;
  e.w.state.setValue(t.bytes32, K.taskAt(count), id);
  e.w.state.setValue(t.uint64, K.taskCount, count + 1n);
  await e.w.bumpStats((st) => (st.tasks += 1n));
  if (redundant) await schedule(e, task.revealDeadline + 1n, DueKind.SettleQuorum, id);
  else await schedule(e, commitDeadline, DueKind.PostTimeout, id);

  e.ctx.emit('TaskCreated', { taskId: id, requester: s.requester, mode: s.mode, spec: s.spec, prompt: s.prompt, n: s.n, threshold: s.threshold, intentId: s.intentId, deadline: commitDeadline });
  for (let i = 0; i < selected.length; i++) e.ctx.emit('OperatorSelected', { taskId: id, operator: selected[i]!, index: i });
  return id;
}

export async function requireTask(e: Env, id: Uint8Array): Promise<TaskRecord> {
  const task = await e.w.task(id);
  if (!task) throw aivmErrors.error('TaskUnknown', `no task ${toHex(id)}`);
  return task;
}

function requireRedundant(task: TaskRecord): void {
  if (task.mode !== Mode.MultiPartyRedundant) throw aivmErrors.error('WrongMode', 'this is an optimistic task: use submitResult / challenge');
}

export async function commitResponse(e: Env, op: Address, id: Uint8Array, commit: Uint8Array): Promise<void> {
  if (isZero(commit)) throw aivmErrors.error('EmptyCommit', 'commit must not be zero');
  const task = await requireTask(e, id);
  requireRedundant(task);
  if (task.status !== TaskStatus.Open) throw aivmErrors.error('TaskNotCommitting', `task is ${task.status === TaskStatus.Settled ? 'settled' : 'failed'}`);
  if (e.height > task.commitDeadline) throw aivmErrors.error('CommitClosed', `the commit window closed at block ${task.commitDeadline}`);
  if (!(await e.w.state.has(K.selectedFlag(id, op)))) throw aivmErrors.error('NotSelected', `${op} was not selected for this task`);
  if (await e.w.state.has(K.commit(id, op))) throw aivmErrors.error('AlreadyCommitted', `${op} already committed`);
  if (e.p.version >= AIVM_RULES.trust && (await taskRequiresTee(e.w, id))) await requireTeeProvider(e, op, task.spec);
  e.w.state.setValue(t.bytes32, K.commit(id, op), commit);
  e.ctx.emit('Committed', { taskId: id, operator: op, commit });
}

export interface Reveal {
  output: Uint8Array;
  embedding: Uint8Array;
  nonce: Uint8Array;
}

export async function revealResponse(e: Env, op: Address, id: Uint8Array, r: Reveal): Promise<void> {
  if (isZero(r.output)) throw aivmErrors.error('EmptyOutputHash', 'output hash must not be zero');
  const task = await requireTask(e, id);
  requireRedundant(task);
  if (task.status !== TaskStatus.Open) throw aivmErrors.error('TaskNotCommitting', 'task is already settled');
  if (e.height <= task.commitDeadline) throw aivmErrors.error('RevealNotOpen', `reveals open after block ${task.commitDeadline}`);
  if (e.height > task.revealDeadline) throw aivmErrors.error('RevealClosed', `the reveal window closed at block ${task.revealDeadline}`);
  const stored = await e.w.state.getValue(t.bytes32, K.commit(id, op));
  if (!stored) throw aivmErrors.error('NotCommitted', `${op} did not commit to this task`);
  if (await e.w.state.has(K.reveal(id, op))) throw aivmErrors.error('AlreadyRevealed', `${op} already revealed`);
  const expect = commitHash({ taskId: id, spec: task.spec, prompt: task.prompt, outputHash: r.output, embeddingHash: r.embedding, operator: op, nonce: r.nonce });
  if (!equals(expect, stored)) throw aivmErrors.error('CommitMismatch', 'the revealed output, embedding and nonce do not match the commit');
  e.w.state.setValue(revealT, K.reveal(id, op), { output: r.output, embedding: r.embedding });
  e.w.state.setValue(t.address, K.revealAt(id, task.revealCount), op);
  task.revealCount += 1;
  e.w.setTask(id, task);
  e.ctx.emit('Revealed', { taskId: id, operator: op, output: r.output });
}

/** Plurality over revealed outputs; ties go to the smallest output hash (big-endian). */
export function plurality(outputs: readonly Uint8Array[]): { canonical: Uint8Array; size: number } {
  const counts = new Map<string, { hash: Uint8Array; n: number }>();
  for (const o of outputs) {
    const key = toRawHex(o);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { hash: o, n: 1 });
  }
  let best: { hash: Uint8Array; n: number } | undefined;
  for (const c of counts.values()) {
    // The winner does not depend on the Map's order: larger count, then smaller hash.
    if (!best || c.n > best.n || (c.n === best.n && compareBytes(c.hash, best.hash) < 0)) best = c;
  }
  return best ? { canonical: best.hash, size: best.n } : { canonical: ZERO32, size: 0 };
}

export interface SettleOutcome {
  status: typeof TaskStatus.Settled | typeof TaskStatus.Failed;
  canonical: Uint8Array;
  winners: Address[];
  slashed: bigint;
}

/** Settles a quorum task after its reveal window. Idempotent through the task's status. */
export async function settleTask(e: Env, id: Uint8Array): Promise<SettleOutcome> {
  const task = await requireTask(e, id);
  requireRedundant(task);
  if (task.status !== TaskStatus.Open) throw aivmErrors.error('AlreadySettled', `task ${toHex(id)} was settled at block ${task.settledHeight}`);
  if (e.height <= task.revealDeadline) throw aivmErrors.error('SettleTooEarly', `settlement opens after block ${task.revealDeadline}`);

  const selected = await e.w.selected(id, task.n);
  const revealers = await e.w.revealers(id, task.revealCount);
  const outputs: Uint8Array[] = [];
  for (const op of revealers) outputs.push((await e.w.state.getValue(revealT, K.reveal(id, op)))!.output);
  const { canonical, size } = plurality(outputs);
  const quorum = size >= task.threshold;

  // Slash plan, in selection order: committed but never revealed (and dissenters only if enabled).
  const slashes: { op: Address; amount: bigint }[] = [];
  let pool = 0n;
  for (const op of selected) {
    const committed = await e.w.state.has(K.commit(id, op));
    const reveal = await e.w.state.getValue(revealT, K.reveal(id, op));
    let culpable = committed && !reveal;
    if (!culpable && e.p.slashDissenters && quorum && reveal) culpable = !equals(reveal.output, canonical);
    if (!culpable) continue;
    const rec = await e.w.operator(op);
    const stake = rec?.stake ?? 0n;
    const amount = stake < e.p.slashPerOperator ? stake : e.p.slashPerOperator;
    if (amount === 0n) continue;
    slashes.push({ op, amount });
    pool += amount;
  }

  const winners = quorum ? revealers.filter((_, i) => equals(outputs[i]!, canonical)) : [];
  for (const { op, amount } of slashes) {
    const rec = (await e.w.operator(op))!;
    rec.stake -= amount;
    e.w.setOperator(op, rec);
    await e.reassign('stake', 'escrow', amount);
    e.ctx.emit('Slashed', { taskId: id, operator: op, amount });
  }
  // The escrow bucket now holds this task's escrow plus the pool; all of it becomes credit.
  if (quorum) {
    const share = pool / BigInt(winners.length);
    for (const w of winners) await e.credit(w, task.rewardPerOperator + share, 'escrow');
    const refund = task.escrow - task.rewardPerOperator * BigInt(winners.length) + (pool - share * BigInt(winners.length));
    await e.credit(task.requester, refund, 'escrow');
  } else {
    await e.credit(task.requester, task.escrow + pool, 'escrow');
  }

  for (const op of selected) {
    await adjustOpenTasks(e, op, -1);
    if (!(await e.w.state.has(K.commit(id, op)))) await e.w.bumpProviderStats(op, (st) => (st.missed += 1n));
  }
  task.status = quorum ? TaskStatus.Settled : TaskStatus.Failed;
  task.canonical = quorum ? canonical : ZERO32;
  task.escrow = 0n;
  task.settledHeight = e.height;
  await appendReceipt(e, id, task, quorum ? ReceiptStatus.Completed : ReceiptStatus.Failed, winners, selected);
  e.w.setTask(id, task);
  await e.w.bumpStats((st) => {
    if (quorum) st.settled += 1n;
    else st.failed += 1n;
    st.slashed += pool;
  });
  await addArtifact(e, 'settle', id, task.canonical);
  e.ctx.emit('TaskSettled', { taskId: id, status: task.status, canonical: task.canonical, winners: winners.length, slashed: pool });
  return { status: task.status as SettleOutcome['status'], canonical: task.canonical, winners, slashed: pool };
}

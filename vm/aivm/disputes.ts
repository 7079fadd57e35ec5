/**
 * How a challenged optimistic result is decided (spec §2.9 [P]), and what the decision pays.
 *
 * Both rules versions start alike: re-execute on chain when the model is a registered int8
 * classifier with its file and the task carries its input; otherwise escalate to a quorum task
 * (N = escalationN, threshold escalationThreshold) on the same spec and prompt, drawn without either
 * disputant and paid from the task's reward escrow. Whoever disagrees with the canonical output loses
 * its bond: half to the winner (to the requester when both were wrong), half burned.
 *
 * When neither works — too few other providers to draw voters, or the voters reach no quorum — the
 * rules differ:
 *  - rules 1: the dispute is undecided: both bonds are returned, the task fails, the requester is
 *    refunded.
 *  - rules 2, the burden-of-proof rule: the dispute stays open for `disputeWindowBlocks`. Anyone may
 *    substantiate a claim in that window by supplying the model file (its keccak must be the
 *    model's registered weight hash) and, for a task without one, the input (its keccak must be the
 *    prompt): the chain re-executes it and decides as above. At the window's end escalation is tried
 *    once more, if it was not already (providers may have joined). Failing all that, neither party
 *    substantiated its claim: both bonds are burned in full (nobody profits from a dispute nobody
 *    could decide), the dispute counts as lost for the provider, the task fails and the requester
 *    is refunded. A dispute always ends, and never by handing both bonds back.
 */
import { equals, isZero, keccak256, type Address, ModuleError } from '../../chain/index.js';
import { addArtifact } from './artifacts.js';
import { KERNEL_GAS, Mode, POOL_ADDRESS, TaskStatus } from './constants.js';
import type { Env } from './env.js';
import { runInference } from './kernels.js';
import { payMiningReward } from './mining.js';
import { adjustOpenTasks } from './operators.js';
import { AIVM_RULES } from './params.js';
import { appendReceipt } from './receipts.js';
import { disputeT, DueKind, K, type PostRecord, type TaskRecord } from './state.js';
import { createTask, requireTask, schedule, settleTask } from './tasks.js';
import { ReceiptStatus } from './wire.js';
import { aivmErrors } from './errors.js';

const ZERO32 = new Uint8Array(32);

/** Decides a fresh challenge: re-execution, else escalation, else (by the rules version) the fallback. */
export async function openDispute(e: Env, id: Uint8Array, task: TaskRecord, post: PostRecord): Promise<void> {
  const canonical = await reexecute(e, id, task);
  if (canonical) return decide(e, id, canonical);
  const impossible = await escalate(e, id, task, post);
  if (!impossible) return;
  e.ctx.emit('EscalationImpossible', { taskId: id, reason: impossible });
  if (e.p.version >= AIVM_RULES.trust) await awaitEvidence(e, id, false, impossible);
  else await undecided(e, id);
}

/** On-chain re-execution for the int8 class: the canonical output hash, or undefined. */
async function reexecute(e: Env, id: Uint8Array, task: TaskRecord): Promise<Uint8Array | undefined> {
  const model = await e.w.model(task.spec);
  if (!model?.executable || task.input.length !== 32) return undefined;
  return runOnChain(e, id, (await e.w.state.get(K.modelFile(task.spec)))!, task.input);
}

async function runOnChain(e: Env, id: Uint8Array, file: Uint8Array, input: Uint8Array): Promise<Uint8Array> {
  e.ctx.gas.charge(KERNEL_GAS.inferenceOp, 'inference_step');
  const out = runInference(file, input, id, e.height, e.timestampNs);
  if (out.status !== 0) throw aivmErrors.error('ReexecutionFailed', `inference_step returned status ${out.status}`); // unreachable for a checked model file and a 32-byte input
  await e.w.bumpStats((s) => (s.reexecutions += 1n));
  await addArtifact(e, 'inference', id, out.result);
  e.ctx.emit('Reexecuted', { taskId: id, output: out.output & 0xff, outputHash: out.outputCommitment });
  return out.outputCommitment;
}

/** Escalates to a quorum task; returns why that is impossible (the eligibility error), or undefined. */
async function escalate(e: Env, id: Uint8Array, task: TaskRecord, post: PostRecord): Promise<string | undefined> {
  const n = e.p.escalationN;
  const reward = task.escrow / BigInt(n);
  let child: Uint8Array;
  try {
    child = await createTask(e, {
      mode: Mode.MultiPartyRedundant,
      requester: task.requester,
      spec: task.spec,
      prompt: task.prompt,
      input: task.input,
      n,
      threshold: e.p.escalationThreshold,
      rewardPerOperator: reward,
      fee: 0n,
      intentId: ZERO32,
      parent: id,
      exclude: [post.provider, post.challenger!],
    });
  } catch (err) {
    if (!(err instanceof ModuleError) || (err.name !== 'NotEnoughEligible' && err.name !== 'EligibleBelowMargin')) throw err;
    return err.name;
  }
  const fresh = (await e.w.task(id))!;
  fresh.escrow -= reward * BigInt(n);
  e.w.setTask(id, fresh);
  post.escalation = child;
  e.w.setPost(id, post);
  await e.w.bumpStats((s) => (s.escalations += 1n));
  e.ctx.emit('Escalated', { taskId: id, quorumTask: child });
  return undefined;
}

/** Called after any quorum settlement: an escalation decides its parent's dispute. */
async function afterQuorumSettled(e: Env, childId: Uint8Array): Promise<void> {
  const child = (await e.w.task(childId))!;
  if (isZero(child.parent)) return;
  const parent = await e.w.task(child.parent);
  if (!parent || parent.status !== TaskStatus.Challenged) return;
  if (child.status === TaskStatus.Settled) await decide(e, child.parent, child.canonical);
  else if (e.p.version >= AIVM_RULES.trust) await awaitEvidence(e, child.parent, true, 'NoQuorum');
  else await undecided(e, child.parent);
}

/** Settles a quorum task and, for an escalation, its parent dispute. */
export async function settleQuorumTask(e: Env, id: Uint8Array): Promise<void> {
  await settleTask(e, id);
  await afterQuorumSettled(e, id);
}

/** Rules 2: keeps the dispute open for evidence until the window ends. */
async function awaitEvidence(e: Env, id: Uint8Array, escalated: boolean, reason: string): Promise<void> {
  const deadline = e.height + e.p.disputeWindowBlocks;
  e.w.state.setValue(disputeT, K.dispute(id), { deadline, escalated, openedHeight: e.height });
  await schedule(e, deadline, DueKind.DisputeDeadline, id);
  e.ctx.emit('DisputeAwaitingEvidence', { taskId: id, deadline, reason });
}

export interface SubstantiateArgs {
  taskId: Uint8Array;
  /** The model's 630-byte tiny-classifier file; keccak(file) must be the registered weight hash. */
  modelFile: Uint8Array;
  /** The task's 32-byte input, when the task does not carry it (keccak(input) must be the prompt). */
  input: Uint8Array;
}

/** Rules 2: anyone settles an open dispute with evidence the chain can re-execute. */
export async function substantiate(e: Env, caller: Address, a: SubstantiateArgs): Promise<void> {
  const task = await requireTask(e, a.taskId);
  if (task.status !== TaskStatus.Challenged || !(await e.w.state.has(K.dispute(a.taskId)))) {
    throw aivmErrors.error('NoOpenDispute', 'this task has no dispute waiting for evidence (it is decided by re-execution, by its escalation quorum, or already over)');
  }
  const model = await e.w.model(task.spec);
  if (!model) throw aivmErrors.error('ModelUnknown', 'the task\'s spec is not a registered model, so no file can be checked against a weight hash');
  if (!equals(keccak256(a.modelFile), model.weightHash)) throw aivmErrors.error('WeightHashMismatch', 'keccak256(modelFile) is not the model\'s registered weight hash');
  const input = task.input.length === 32 ? task.input : a.input;
  if (input.length !== 32) throw aivmErrors.error('InvalidArguments', `input must be the task's 32-byte int8 input, got ${input.length} bytes`);
  if (!equals(keccak256(input), task.prompt)) throw aivmErrors.error('PromptMismatch', 'keccak256(input) is not the task\'s prompt');
  const canonical = await runOnChain(e, a.taskId, a.modelFile, input);
  e.w.state.delete(K.dispute(a.taskId));
  e.ctx.emit('DisputeSubstantiated', { taskId: a.taskId, by: caller, canonical });
  await decide(e, a.taskId, canonical);
}

/** Rules 2, endBlock at the window's end: escalate if now possible (and not tried after the window opened), else nobody substantiated. */
export async function disputeDeadline(e: Env, id: Uint8Array): Promise<void> {
  const task = await e.w.task(id);
  const dispute = await e.w.state.getValue(disputeT, K.dispute(id));
  if (!task || task.status !== TaskStatus.Challenged || !dispute || e.height < dispute.deadline) return;
  e.w.state.delete(K.dispute(id));
  if (!dispute.escalated) {
    const impossible = await escalate(e, id, task, (await e.w.post(id))!);
    if (!impossible) return;
    e.ctx.emit('EscalationImpossible', { taskId: id, reason: impossible });
  }
  await unsubstantiated(e, id);
}

/** Splits a losing bond: half to `winner`, the rest burned. */
async function forfeit(e: Env, amount: bigint, winner: Address): Promise<void> {
  const half = amount / 2n;
  await e.credit(winner, half, 'bonds');
  await e.burn(amount - half, 'bonds');
}

async function decide(e: Env, id: Uint8Array, canonical: Uint8Array): Promise<void> {
  const task = (await e.w.task(id))!;
  const post = (await e.w.post(id))!;
  const challenger = post.challenger!;
  const posterRight = equals(post.outputHash, canonical);
  const challengerRight = equals(post.claim, canonical);
  if (posterRight) {
    await e.credit(post.provider, post.bond, 'bonds');
    await forfeit(e, post.challengerBond, post.provider);
    await e.credit(post.provider, task.escrow, 'escrow');
  } else {
    const bountyTo = challengerRight ? challenger : task.requester;
    await forfeit(e, post.bond, bountyTo);
    if (challengerRight) await e.credit(challenger, post.challengerBond, 'bonds');
    else await forfeit(e, post.challengerBond, task.requester);
    await e.credit(task.requester, task.escrow, 'escrow');
    await e.w.bumpProviderStats(post.provider, (s) => {
      s.disputesLost += 1;
      s.slashed = true;
    });
    await forfeitMining(e, post.provider);
  }
  const winners = [posterRight ? post.provider : undefined, challengerRight ? challenger : undefined].filter((x): x is Address => !!x);
  await finish(e, id, task, TaskStatus.Settled, canonical, winners, [post.provider]);
  if (posterRight) await payMiningReward(e, id, task, post);
  e.ctx.emit('DisputeResolved', { taskId: id, canonical, providerWon: posterRight, challengerWon: challengerRight });
}

/** Rules 1: a dispute nobody could decide (no escalation quorum): bonds back, the task fails, refund. */
async function undecided(e: Env, id: Uint8Array): Promise<void> {
  const task = (await e.w.task(id))!;
  const post = (await e.w.post(id))!;
  await e.credit(post.provider, post.bond, 'bonds');
  await e.credit(post.challenger!, post.challengerBond, 'bonds');
  await e.credit(task.requester, task.escrow, 'escrow');
  await finish(e, id, task, TaskStatus.Failed, ZERO32, [], [post.provider]);
  e.ctx.emit('DisputeUndecided', { taskId: id });
}

/** Rules 2: neither party substantiated its claim: both bonds burned, the task fails, refund. */
async function unsubstantiated(e: Env, id: Uint8Array): Promise<void> {
  const task = (await e.w.task(id))!;
  const post = (await e.w.post(id))!;
  await e.burn(post.bond + post.challengerBond, 'bonds');
  await e.credit(task.requester, task.escrow, 'escrow');
  await e.w.bumpProviderStats(post.provider, (s) => (s.disputesLost += 1));
  await finish(e, id, task, TaskStatus.Failed, ZERO32, [], [post.provider]);
  e.ctx.emit('DisputeUnsubstantiated', { taskId: id, provider: post.provider, challenger: post.challenger!, burned: post.bond + post.challengerBond });
}

/** Legacy SlashProvider: pending mining rewards are forfeited back to the pool. */
async function forfeitMining(e: Env, provider: Address): Promise<void> {
  const s = await e.w.stats(provider);
  const credit = await e.w.credit(provider);
  const amount = s.pendingMining < credit ? s.pendingMining : credit;
  if (amount > 0n) {
    e.w.setCreditRaw(provider, credit - amount);
    await e.pay(POOL_ADDRESS, amount, 'credit');
  }
  s.slashedAmount += amount;
  s.pendingMining = 0n;
  e.w.setStats(provider, s);
}

/** Moves a task to its final state: open-task counters, the receipt, global counters. */
export async function finish(e: Env, id: Uint8Array, task: TaskRecord, status: typeof TaskStatus.Settled | typeof TaskStatus.Failed, canonical: Uint8Array, winners: Address[], operators: Address[]): Promise<void> {
  task.status = status;
  task.canonical = canonical;
  task.escrow = 0n;
  task.settledHeight = e.height;
  for (const op of operators) await adjustOpenTasks(e, op, -1);
  await appendReceipt(e, id, task, status === TaskStatus.Settled ? ReceiptStatus.Completed : ReceiptStatus.Failed, winners, operators);
  e.w.setTask(id, task);
  await e.w.bumpStats((s) => {
    if (status === TaskStatus.Settled) s.settled += 1n;
    else s.failed += 1n;
  });
}

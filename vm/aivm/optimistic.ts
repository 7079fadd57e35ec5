/**
 * Optimistic verification (spec §2.9 [P]). The assigned provider posts a result with a bond; anyone
 * may challenge it with a bond until the challenge deadline (inclusive). A challenge is decided by
 * re-executing the task on chain when its model is a registered int8 classifier and the task
 * carries its input; otherwise it escalates to a quorum task (N = 5, threshold 3) on the same spec
 * and prompt. Whoever disagrees with the canonical output loses its bond: half to the winner (to
 * the requester when both were wrong), half burned. Unchallenged results settle at the end of the
 * deadline block. Every state has a timeout: Open → Failed at the post deadline, Posted → Settled
 * at the challenge deadline, Challenged → decided in the challenge transaction, or when the
 * escalated quorum task settles (itself bounded by its reveal deadline).
 *
 * Bond returns, bounties, rewards and refunds are credited and withdrawn with claimRewards.
 */
import { equals, isZero, t, type Address, ModuleError } from '../../chain/index.js';
import { addArtifact } from './artifacts.js';
import { teeTrust } from './attestations.js';
import { KERNEL_GAS, Mode, POOL_ADDRESS, TaskStatus } from './constants.js';
import type { Env } from './env.js';
import { runInference } from './kernels.js';
import { payMiningReward } from './mining.js';
import { adjustOpenTasks } from './operators.js';
import { appendReceipt } from './receipts.js';
import { DueKind, K, type PostRecord, type TaskRecord } from './state.js';
import { createTask, requireTask, schedule, settleTask } from './tasks.js';
import { ReceiptStatus } from './wire.js';
import { aivmErrors } from './errors.js';

const ZERO32 = new Uint8Array(32);
export const MIN_PROOF_BYTES = 32;

export interface PostArgs {
  taskId: Uint8Array;
  outputHash: Uint8Array;
  bond: bigint;
  computeMs: bigint;
  proof: Uint8Array;
}

function requireOptimistic(task: TaskRecord): void {
  if (task.mode === Mode.MultiPartyRedundant) throw aivmErrors.error('WrongMode', 'this is a redundant (quorum) task: use commitResult / revealResult');
}

/** The challenge window for a poster: shortened for allow-listed TEE providers on TEE tasks. */
export async function challengeWindow(e: Env, task: TaskRecord, provider: Address): Promise<bigint> {
  const full = e.p.challengeWindowBlocks;
  if (task.mode !== Mode.TEEAttested) return full;
  const trust = await teeTrust(e.w, provider, task.spec, e.timestampNs);
  if (trust === undefined || trust < e.p.minTrustScore) return full;
  const shortened = (full * BigInt(100 - trust)) / 100n;
  return shortened > e.p.minChallengeWindowBlocks ? shortened : e.p.minChallengeWindowBlocks;
}

/** The legacy SubmitResult: the assigned provider posts its output hash with a bond. */
export async function postResult(e: Env, provider: Address, a: PostArgs): Promise<bigint> {
  if (isZero(a.taskId)) throw aivmErrors.error('InvalidReceipt', 'taskId (the job id) must not be empty');
  const task = await requireTask(e, a.taskId);
  requireOptimistic(task);
  if (task.status !== TaskStatus.Open && task.status !== TaskStatus.Failed) throw aivmErrors.error('ReceiptExists', 'a result was already posted for this task');
  if (!(await e.w.state.has(K.selectedFlag(a.taskId, provider)))) throw aivmErrors.error('NotSelected', `${provider} is not the provider assigned to this task`);
  // An unposted task fails at the end of its deadline block, so Failed here means "too late".
  if (task.status === TaskStatus.Failed || e.height > task.commitDeadline) throw aivmErrors.error('PostWindowClosed', `results were due by block ${task.commitDeadline}`);
  if (isZero(a.outputHash)) throw aivmErrors.error('EmptyOutputHash', 'output hash must not be zero');
  if (a.proof.length < MIN_PROOF_BYTES) throw aivmErrors.error('InsufficientProof', `proof must be at least ${MIN_PROOF_BYTES} bytes, got ${a.proof.length}`);
  if ((await e.w.stats(provider)).slashed) throw aivmErrors.error('ProviderSlashed', `${provider} lost a dispute and may no longer submit results`);
  if (a.bond < e.p.minProviderBond) throw aivmErrors.error('BondTooLow', `a result bond must be at least ${e.p.minProviderBond}, got ${a.bond}`);

  await e.pull(provider, a.bond, 'bonds');
  const window = await challengeWindow(e, task, provider);
  const deadline = e.height + window;
  const post: PostRecord = {
    provider,
    outputHash: a.outputHash,
    computeMs: a.computeMs,
    bond: a.bond,
    postedHeight: e.height,
    deadline,
    challenger: null,
    claim: ZERO32,
    challengerBond: 0n,
    escalation: ZERO32,
  };
  e.w.setPost(a.taskId, post);
  task.status = TaskStatus.Posted;
  task.revealDeadline = deadline;
  e.w.setTask(a.taskId, task);
  await schedule(e, deadline, DueKind.FinalizeOptimistic, a.taskId);
  await addArtifact(e, 'post', a.taskId, a.outputHash, a.proof);
  e.ctx.emit('ResultPosted', { taskId: a.taskId, provider, outputHash: a.outputHash, bond: a.bond, challengeDeadline: deadline });
  return deadline;
}

export interface ChallengeArgs {
  taskId: Uint8Array;
  claimedOutput: Uint8Array;
  bond: bigint;
}

export async function challenge(e: Env, challenger: Address, a: ChallengeArgs): Promise<void> {
  const task = await requireTask(e, a.taskId);
  requireOptimistic(task);
  if (task.status === TaskStatus.Open) throw aivmErrors.error('NothingToChallenge', 'no result has been posted for this task yet');
  if (task.status === TaskStatus.Challenged) throw aivmErrors.error('AlreadyChallenged', 'this result is already under dispute');
  const post = (await e.w.post(a.taskId))!;
  if (task.status !== TaskStatus.Posted || e.height > post.deadline) {
    throw aivmErrors.error('ChallengeWindowClosed', `the challenge window closed at block ${post?.deadline ?? task.revealDeadline}`, { deadline: String(post?.deadline ?? task.revealDeadline) });
  }
  if (challenger === post.provider) throw aivmErrors.error('SelfChallenge', 'a provider cannot challenge its own result');
  if (isZero(a.claimedOutput)) throw aivmErrors.error('EmptyOutputHash', 'claimed output hash must not be zero');
  if (equals(a.claimedOutput, post.outputHash)) throw aivmErrors.error('ClaimMatchesResult', 'the claimed output equals the posted one; nothing to dispute');
  if (a.bond < e.p.minChallengeBond) throw aivmErrors.error('BondTooLow', `a challenge bond must be at least ${e.p.minChallengeBond}, got ${a.bond}`);

  await e.pull(challenger, a.bond, 'bonds');
  post.challenger = challenger;
  post.claim = a.claimedOutput;
  post.challengerBond = a.bond;
  task.status = TaskStatus.Challenged;
  e.w.setPost(a.taskId, post);
  e.w.setTask(a.taskId, task);
  await e.w.bumpStats((s) => (s.challenges += 1n));
  e.ctx.emit('Challenged', { taskId: a.taskId, challenger, claimedOutput: a.claimedOutput, bond: a.bond });

  const canonical = await reexecute(e, a.taskId, task);
  if (canonical) await decide(e, a.taskId, canonical);
  else await escalate(e, a.taskId, task, post);
}

/** On-chain re-execution for the int8 class: the canonical output hash, or undefined. */
async function reexecute(e: Env, id: Uint8Array, task: TaskRecord): Promise<Uint8Array | undefined> {
  const model = await e.w.model(task.spec);
  if (!model?.executable || task.input.length !== 32) return undefined;
  const file = (await e.w.state.get(K.modelFile(task.spec)))!;
  e.ctx.gas.charge(KERNEL_GAS.inferenceOp, 'inference_step');
  const out = runInference(file, task.input, id, e.height, e.timestampNs);
  if (out.status !== 0) throw aivmErrors.error('ReexecutionFailed', `inference_step returned status ${out.status}`); // unreachable for a stored model and 32-byte input
  await e.w.bumpStats((s) => (s.reexecutions += 1n));
  await addArtifact(e, 'inference', id, out.result);
  e.ctx.emit('Reexecuted', { taskId: id, output: out.output & 0xff, outputHash: out.outputCommitment });
  return out.outputCommitment;
}

async function escalate(e: Env, id: Uint8Array, task: TaskRecord, post: PostRecord): Promise<void> {
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
    e.ctx.emit('EscalationImpossible', { taskId: id, reason: err.name });
    await undecided(e, id);
    return;
  }
  const fresh = (await e.w.task(id))!;
  fresh.escrow -= reward * BigInt(n);
  e.w.setTask(id, fresh);
  post.escalation = child;
  e.w.setPost(id, post);
  await e.w.bumpStats((s) => (s.escalations += 1n));
  e.ctx.emit('Escalated', { taskId: id, quorumTask: child });
}

/** Called after any quorum settlement: an escalation decides its parent's dispute. */
export async function afterQuorumSettled(e: Env, childId: Uint8Array): Promise<void> {
  const child = (await e.w.task(childId))!;
  if (isZero(child.parent)) return;
  const parent = await e.w.task(child.parent);
  if (!parent || parent.status !== TaskStatus.Challenged) return;
  if (child.status === TaskStatus.Settled) await decide(e, child.parent, child.canonical);
  else await undecided(e, child.parent);
}

/** Settles a quorum task and, for an escalation, its parent dispute. */
export async function settleQuorumTask(e: Env, id: Uint8Array): Promise<void> {
  await settleTask(e, id);
  await afterQuorumSettled(e, id);
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

/** A dispute nobody could decide (no escalation quorum): bonds back, the task fails, refund. */
async function undecided(e: Env, id: Uint8Array): Promise<void> {
  const task = (await e.w.task(id))!;
  const post = (await e.w.post(id))!;
  await e.credit(post.provider, post.bond, 'bonds');
  await e.credit(post.challenger!, post.challengerBond, 'bonds');
  await e.credit(task.requester, task.escrow, 'escrow');
  await finish(e, id, task, TaskStatus.Failed, ZERO32, [], [post.provider]);
  e.ctx.emit('DisputeUndecided', { taskId: id });
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

async function finish(e: Env, id: Uint8Array, task: TaskRecord, status: typeof TaskStatus.Settled | typeof TaskStatus.Failed, canonical: Uint8Array, winners: Address[], operators: Address[]): Promise<void> {
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

/** endBlock at the challenge deadline: an unchallenged result becomes final. */
export async function finalizeOptimistic(e: Env, id: Uint8Array): Promise<void> {
  const task = await e.w.task(id);
  if (!task || task.status !== TaskStatus.Posted) return; // challenged or already final
  const post = (await e.w.post(id))!;
  if (e.height < post.deadline) return;
  await e.credit(post.provider, post.bond, 'bonds');
  await e.credit(post.provider, task.escrow, 'escrow');
  await finish(e, id, task, TaskStatus.Settled, post.outputHash, [post.provider], [post.provider]);
  await payMiningReward(e, id, task, post);
  e.ctx.emit('ResultFinalized', { taskId: id, provider: post.provider, outputHash: post.outputHash });
}

/** endBlock at the post deadline: the assigned provider never posted; refund the requester. */
export async function expireUnposted(e: Env, id: Uint8Array): Promise<void> {
  const task = await e.w.task(id);
  if (!task || task.status !== TaskStatus.Open || task.mode === Mode.MultiPartyRedundant) return;
  const provider = (await e.w.state.getValue(t.address, K.selected(id, 0)))!;
  await e.credit(task.requester, task.escrow, 'escrow');
  await e.w.bumpProviderStats(provider, (s) => (s.missed += 1n));
  await finish(e, id, task, TaskStatus.Failed, ZERO32, [], [provider]);
  e.ctx.emit('TaskExpired', { taskId: id, provider });
}


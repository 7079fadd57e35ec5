/**
 * Optimistic verification (spec §2.9 [P]). The assigned provider posts a result with a bond; anyone
 * may challenge it with a bond until the challenge deadline (inclusive); the challenge opens a
 * dispute, decided as `disputes.ts` describes. Unchallenged results settle at the end of the
 * deadline block. Every state has a timeout: Open → Failed at the post deadline, Posted → Settled
 * at the challenge deadline, Challenged → decided in the challenge transaction, when the escalated
 * quorum task settles (itself bounded by its reveal deadline), or (rules 2) at the end of the
 * dispute's evidence window.
 *
 * Bond returns, bounties, rewards and refunds are credited and withdrawn with claimRewards.
 */
import { equals, isZero, t, type Address } from '../../chain/index.js';
import { addArtifact } from './artifacts.js';
import { requireTeeProvider, teeTrust } from './attestations.js';
import { Mode, TaskStatus } from './constants.js';
import { finish, openDispute } from './disputes.js';
import type { Env } from './env.js';
import { payMiningReward } from './mining.js';
import { AIVM_RULES } from './params.js';
import { DueKind, K, type PostRecord, type TaskRecord } from './state.js';
import { requireTask, schedule } from './tasks.js';
import { taskRequiresTee } from './tee.js';
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
  if (e.p.version >= AIVM_RULES.trust && (await taskRequiresTee(e.w, a.taskId))) await requireTeeProvider(e, provider, task.spec);
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

  await openDispute(e, a.taskId, task, post);
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


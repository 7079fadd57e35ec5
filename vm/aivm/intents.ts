/**
 * Where tasks come from (spec §2.4 task creation). On this chain the requester's transaction is the
 * intent: `submitTask` derives the intent id from its own fields (C-chain = this chain's configured
 * C name, c_tx = the transaction hash, call index 0) and opens the task at once. The two-step seam
 * of the quorum engine is kept as well: `commitIntent` records a requester's committed intent (the
 * C-side commitment, with the reward it authorises), and `importIntent` materialises it after the
 * checks of the spec, in order: id binding (IDMismatch), commitment (NotCommitted), replay
 * (AlreadyUsed). Until an intent is committed the verifier rejects it: fail-closed.
 */
import { equals, isZero, keccak256, toHex, type Address } from '../../chain/index.js';
import { Mode } from './constants.js';
import type { Env } from './env.js';
import { intentCommitT, intentUseT, K } from './state.js';
import { createTask } from './tasks.js';
import { intentId as computeIntentId } from './wire.js';
import { aivmErrors } from './errors.js';

export interface SubmitTaskArgs {
  mode: number;
  spec: Uint8Array;
  prompt: Uint8Array;
  input: Uint8Array;
  n: number;
  threshold: number;
  reward: bigint;
  fee: bigint;
}

function checkFee(e: Env, fee: bigint, n: number): void {
  if (fee === 0n) throw aivmErrors.error('FeeTooLow', 'zero-fee tasks are refused; pay at least the fee floor');
  const floor = e.p.requestFeePerOperator * BigInt(n) > e.p.minTaskFee ? e.p.requestFeePerOperator * BigInt(n) : e.p.minTaskFee;
  if (fee < floor) throw aivmErrors.error('FeeTooLow', `fee ${fee} is below the floor ${floor} for N = ${n}`, { floor: floor.toString() });
}

function checkMode(mode: number): Mode {
  if (mode !== Mode.Optimistic && mode !== Mode.MultiPartyRedundant && mode !== Mode.TEEAttested) {
    throw aivmErrors.error('UnknownMode', `mode must be 0 (optimistic), 1 (redundant) or 2 (tee), got ${mode}`);
  }
  return mode;
}

/**
 * The legacy SubmitTask: the sender opens a task and pays its reward escrow and fee. A TEE task
 * (mode 2; under rules 2 also any task of a model that requires TEE) goes to TEE providers only.
 */
export async function submitTask(e: Env, requester: Address, a: SubmitTaskArgs): Promise<Uint8Array> {
  const mode = checkMode(a.mode);
  if (a.input.length > 0 && !equals(keccak256(a.input), a.prompt)) throw aivmErrors.error('PromptMismatch', 'prompt must be keccak256(input) when the input is given');
  checkFee(e, a.fee, a.n);
  const intentId = computeIntentId({ cChain: e.p.cChain, aChain: e.p.aChain, cTx: e.ctx.tx.hash, callIndex: 0, caller: requester, spec: a.spec, prompt: a.prompt, n: a.n, threshold: a.threshold, fee: a.fee });
  if (await e.w.state.has(K.intentUsed(intentId))) throw aivmErrors.error('AlreadyUsed', 'this intent already created a task');
  const id = await createTask(e, { mode, requester, spec: a.spec, prompt: a.prompt, input: a.input, n: a.n, threshold: a.threshold, rewardPerOperator: a.reward, fee: a.fee, intentId });
  e.w.state.setValue(intentUseT, K.intentUsed(intentId), { task: id });
  return id;
}

export interface CommitIntentArgs {
  callIndex: number;
  spec: Uint8Array;
  prompt: Uint8Array;
  n: number;
  threshold: number;
  fee: bigint;
  reward: bigint;
}

/** The C-side commitment: the caller authorises an intent (and the reward per operator it pays). */
export async function commitIntent(e: Env, caller: Address, a: CommitIntentArgs): Promise<Uint8Array> {
  const id = computeIntentId({ cChain: e.p.cChain, aChain: e.p.aChain, cTx: e.ctx.tx.hash, callIndex: a.callIndex, caller, spec: a.spec, prompt: a.prompt, n: a.n, threshold: a.threshold, fee: a.fee });
  if (await e.w.state.has(K.intentCommitted(id))) throw aivmErrors.error('IntentExists', `intent ${toHex(id)} is already committed`);
  e.w.state.setValue(intentCommitT, K.intentCommitted(id), { caller, reward: a.reward, height: e.height });
  e.ctx.emit('IntentCommitted', { intentId: id, caller, cTx: e.ctx.tx.hash, callIndex: a.callIndex });
  return id;
}

export interface ImportIntentArgs {
  intentId: Uint8Array;
  cChain: Uint8Array;
  aChain: Uint8Array;
  cTx: Uint8Array;
  callIndex: number;
  caller: Address;
  spec: Uint8Array;
  prompt: Uint8Array;
  n: number;
  threshold: number;
  fee: bigint;
}

export async function importIntent(e: Env, a: ImportIntentArgs): Promise<Uint8Array> {
  if (isZero(a.intentId)) throw aivmErrors.error('IDMismatch', 'intent id must not be zero');
  const recomputed = computeIntentId(a);
  if (!equals(a.cChain, e.p.cChain) || !equals(a.aChain, e.p.aChain) || !equals(recomputed, a.intentId)) {
    throw aivmErrors.error('IDMismatch', 'the intent fields do not hash to the delivered intent id for this chain pair (forged, tampered or for another deployment)');
  }
  const committed = await e.w.state.getValue(intentCommitT, K.intentCommitted(a.intentId));
  if (!committed) throw aivmErrors.error('NotCommitted', 'no committed intent with this id: commit it first (commitIntent)');
  if (await e.w.state.has(K.intentUsed(a.intentId))) throw aivmErrors.error('AlreadyUsed', 'this intent already created a task');
  const totalFee = e.p.requestFeePerOperator * BigInt(a.n);
  const id = await createTask(e, {
    mode: Mode.MultiPartyRedundant,
    requester: committed.caller,
    spec: a.spec,
    prompt: a.prompt,
    input: new Uint8Array(0),
    n: a.n,
    threshold: a.threshold,
    rewardPerOperator: committed.reward,
    fee: totalFee,
    intentId: a.intentId,
  });
  e.w.state.setValue(intentUseT, K.intentUsed(a.intentId), { task: id });
  e.ctx.emit('IntentImported', { intentId: a.intentId, taskId: id });
  return id;
}

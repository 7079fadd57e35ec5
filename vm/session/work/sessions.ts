/**
 * The session state machine (spec §1.3) with the [P] fixes of §1.9: a finished session never
 * changes again, at most one oracle step is open at a time, CompleteStep and FinalizeSession verify
 * a threshold attestation, steps and sessions time out at block height, and failed steps can be
 * retried with a new request ID.
 *
 *   pending ─start→ running ─request→ waiting_io ─complete(attested)→ running ─…
 *   running ─requestFinalize→ running (proposal) ─finalize(session/complete attested)→ finalized
 *   any live state ─fail / session timeout→ failed
 *   waiting_io: step timeout → step failed → retryStep → step pending (retry+1)
 */
import { equals, toHex, sha256, type SignatureCheck, type StateReader } from '../../../chain/index.js';
import {
  actingMember,
  type Ctx,
  fail,
  inCommittee,
  loadNode,
  loadRequest,
  loadSession,
  loadStep,
  requireLive,
  requireOwner,
  saveRequest,
  saveSession,
  saveStep,
} from './access.js';
import { type Attestation, checkAttestation } from './attestation.js';
import { assignCommittee } from './committee.js';
import { schedule } from './deadlines.js';
import { ensureBeacon } from './epochs.js';
import { attestationId, computeOracleRequestId, computeSessionId, sessionCompleteCommit } from './ids.js';
import { activeNodes, finalizing, openRequests } from './linkedset.js';
import { merkleRoot, ZERO_ID } from './merkle.js';
import { attestationRecord, DueKind, type DueEntry, keys, receiptRecord, sessionRecord, type SessionRecord, shareList, type StepRecord } from './state.js';
import { domainForStepKind, type Id32, isAttestationDomain, NodeStatus, requiresOracle, SessionState, sessionStateName, StepState } from './types.js';
import { workErrors } from './errors.js';
import { attestedOutputOf } from './oracle.js';
import { sessionOutput } from './outputs.js';
import { WORK_RULES } from './params.js';

export async function createSession(ctx: Ctx, serviceId: Id32): Promise<Id32> {
  const beacon = await ensureBeacon(ctx);
  const sessionId = computeSessionId(serviceId, beacon.epoch, ctx.tx.hash);
  if (await ctx.state.has(keys.session(sessionId))) fail('SessionExists', `session ${toHex(sessionId)} already exists`);
  const eligible = await activeNodes.items(ctx.state);
  let committee: Id32[];
  try {
    committee = assignCommittee(beacon.randomness, serviceId, beacon.epoch, eligible, { min: ctx.params.committeeMin, max: ctx.params.committeeMax });
  } catch (e) {
    throw workErrors.error('NotEnoughNodes', `not enough eligible nodes: ${eligible.length} active, a committee needs ${ctx.params.committeeMin}`);
  }
  const session: SessionRecord = {
    serviceId,
    epoch: beacon.epoch,
    txId: ctx.tx.hash,
    owner: ctx.caller,
    committee,
    state: SessionState.pending,
    currentStep: 0,
    stepCount: 0,
    receiptCount: 0,
    outputHash: ZERO_ID,
    oracleRoot: ZERO_ID,
    receiptsRoot: ZERO_ID,
    proposedOutput: null,
    createdHeight: ctx.block.height,
    createdAt: ctx.block.timestamp,
    finalizedAt: 0n,
    deadlineHeight: ctx.block.height + ctx.params.sessionTimeoutBlocks,
    error: '',
  };
  saveSession(ctx, sessionId, session);
  await schedule(ctx, session.deadlineHeight, { kind: DueKind.session, sessionId, stepIndex: 0, retry: 0 });
  ctx.emit('SessionCreated', { sessionId, serviceId, owner: ctx.caller, epoch: beacon.epoch, committee });
  return sessionId;
}

export async function startSession(ctx: Ctx, sessionId: Id32): Promise<void> {
  const s = await loadSession(ctx.state, sessionId);
  requireOwner(ctx, s, sessionId);
  requireLive(s, sessionId);
  if (s.state !== SessionState.pending) fail('InvalidSessionState', `session ${toHex(sessionId)} is ${sessionStateName(s.state)}; only a pending session can start`);
  saveSession(ctx, sessionId, { ...s, state: SessionState.running });
  ctx.emit('SessionStarted', { sessionId });
}

/** Common guard of operations that need a running session without an open step. */
function requireRunning(s: SessionRecord, sessionId: Id32, action: string): void {
  requireLive(s, sessionId);
  if (s.state === SessionState.waiting_io) fail('StepAlreadyOpen', `step ${s.currentStep} of session ${toHex(sessionId)} is still open; complete or retry it before you ${action}`);
  if (s.state !== SessionState.running) fail('InvalidSessionState', `session ${toHex(sessionId)} is ${sessionStateName(s.state)}; start it before you ${action}`);
  if (s.proposedOutput) fail('FinalizationPending', `session ${toHex(sessionId)} is being finalized; it takes no more work`);
}

async function openRequest(ctx: Ctx, sessionId: Id32, s: SessionRecord, index: number, kind: number, retry: number, input: Uint8Array): Promise<Id32> {
  const requestId = computeOracleRequestId(s.serviceId, sessionId, index, retry, ctx.tx.hash);
  if (await ctx.state.has(keys.request(requestId))) fail('RequestExists', `oracle request ${toHex(requestId)} already exists`);
  const deadline = ctx.block.height + ctx.params.stepTimeoutBlocks;
  const inputHash = sha256(input);
  const step: StepRecord = {
    kind,
    requestId,
    retry,
    txId: ctx.tx.hash,
    inputHash,
    outputHash: ZERO_ID,
    oracleCommitRoot: ZERO_ID,
    attestationId: ZERO_ID,
    state: StepState.pending,
    startedAt: ctx.block.timestamp,
    completedAt: 0n,
    startedHeight: ctx.block.height,
    deadlineHeight: deadline,
  };
  saveStep(ctx, sessionId, index, step);
  saveRequest(ctx, requestId, {
    sessionId,
    stepIndex: index,
    retry,
    kind,
    input,
    createdAt: ctx.block.timestamp,
    createdHeight: ctx.block.height,
    recordCount: 0,
    committed: false,
    recordsRoot: ZERO_ID,
    dataRoot: ZERO_ID,
    windowStart: 0n,
    windowEnd: 0n,
  });
  await openRequests.add(ctx.state, requestId);
  await schedule(ctx, deadline, { kind: DueKind.step, sessionId, stepIndex: index, retry });
  ctx.emit('OracleRequested', { requestId, sessionId, stepIndex: index, retry, kind, inputHash });
  return requestId;
}

export async function createOracleRequest(ctx: Ctx, sessionId: Id32, kind: number, input: Uint8Array): Promise<Id32> {
  const s = await loadSession(ctx.state, sessionId);
  requireOwner(ctx, s, sessionId);
  requireRunning(s, sessionId, 'open another oracle step');
  if (!requiresOracle(kind as never)) fail('InvalidStepKind', `an oracle request is write_external (1) or read_external (2), got ${kind}`);
  if (input.length > ctx.params.maxInputBytes) fail('InputTooLarge', `the request input is ${input.length} bytes; the limit is ${ctx.params.maxInputBytes}`);
  if (s.stepCount >= ctx.params.maxStepsPerSession) fail('TooManySteps', `a session has at most ${ctx.params.maxStepsPerSession} steps`);
  const index = s.stepCount;
  const requestId = await openRequest(ctx, sessionId, s, index, kind, 0, input);
  saveSession(ctx, sessionId, { ...s, state: SessionState.waiting_io, currentStep: index, stepCount: index + 1 });
  return requestId;
}

/** The open step of a waiting_io session, checked to be `index`. */
async function openStep(ctx: Ctx, sessionId: Id32, s: SessionRecord, index: number): Promise<StepRecord> {
  requireLive(s, sessionId);
  const step = await loadStep(ctx.state, sessionId, index, s);
  if (s.state !== SessionState.waiting_io || index !== s.currentStep) {
    fail('StepNotOpen', `step ${index} of session ${toHex(sessionId)} is not the open step${s.state === SessionState.waiting_io ? ` (step ${s.currentStep} is)` : ''}`);
  }
  return step;
}

export async function retryStep(ctx: Ctx, sessionId: Id32, index: number): Promise<Id32> {
  const s = await loadSession(ctx.state, sessionId);
  requireOwner(ctx, s, sessionId);
  const step = await openStep(ctx, sessionId, s, index);
  if (step.state !== StepState.failed) fail('StepNotFailed', `step ${index} is ${step.state === StepState.completed ? 'completed' : 'still running'}; only a failed (timed-out) step can be retried`);
  if (step.retry >= 0xffff_ffff) fail('TooManyRetries', 'the retry counter is exhausted');
  const old = await loadRequest(ctx.state, step.requestId);
  return openRequest(ctx, sessionId, s, index, step.kind, step.retry + 1, old.input);
}

export interface AttestationArgs {
  domain: string;
  subjectId: Id32;
  commitRoot: Id32;
  epoch: bigint;
  signatures: { publicKey: Uint8Array; signature: Uint8Array }[];
}

/** Mempool pre-verification of an attestation's signatures (nothing for malformed ones). */
export function attestationSignatureChecks(att: AttestationArgs): SignatureCheck[] {
  if (!isAttestationDomain(att.domain)) return [];
  const message = attestationId(att.domain, att.subjectId, att.commitRoot, att.epoch);
  return att.signatures.map((s) => ({ kind: 'ml-dsa' as const, publicKey: s.publicKey, message, signature: s.signature }));
}

/** Full attestation check plus the [P] rule that slashed nodes no longer count. Stores the attestation. */
async function verifyAttestation(ctx: Ctx, att: AttestationArgs, want: { domain: ReturnType<typeof domainForStepKind>; subjectId: Id32; commitRoot: Id32; session: SessionRecord }): Promise<Id32> {
  const checked = checkAttestation(att as Attestation, { domain: want.domain, subjectId: want.subjectId, commitRoot: want.commitRoot, epoch: want.session.epoch, committee: want.session.committee }, (pk, msg, sig) =>
    ctx.verifyMlDsa(pk, msg, sig),
  );
  for (const signer of checked.signers) {
    const node = await loadNode(ctx.state, signer);
    if (node.status === NodeStatus.slashed) fail('SignerSlashed', `node ${toHex(signer)} was slashed; its signature no longer counts`);
  }
  ctx.state.setValue(attestationRecord, keys.attestation(checked.id), {
    domain: att.domain,
    subjectId: att.subjectId,
    commitRoot: att.commitRoot,
    epoch: att.epoch,
    signers: checked.signers,
    height: ctx.block.height,
  });
  return checked.id;
}

async function requireParticipant(ctx: Ctx, s: SessionRecord, sessionId: Id32, operatorNode: Id32 | null): Promise<void> {
  if (ctx.caller === s.owner) return;
  if (operatorNode && inCommittee(s, operatorNode)) {
    await actingMember(ctx, s, sessionId, operatorNode);
    return;
  }
  fail('NotSessionParticipant', `only the session owner or a committee member's operator may do this (pass nodeId when acting for a node)`);
}

/** Deletes the collected shares of a subject once its attestation is on chain. */
async function clearShares(ctx: Ctx, subjectId: Id32): Promise<void> {
  const signers = (await ctx.state.getValue(shareList, keys.shareList(subjectId))) ?? [];
  for (const n of signers) ctx.state.delete(keys.share(subjectId, n));
  if (signers.length > 0) ctx.state.delete(keys.shareList(subjectId));
}

export interface CompleteStepArgs {
  sessionId: Id32;
  stepIndex: number;
  oracleCommitRoot: Id32;
  outputHash: Id32;
  nodeId: Id32 | null;
  attestation: AttestationArgs;
}

export async function completeStep(ctx: Ctx, a: CompleteStepArgs): Promise<Id32> {
  const s = await loadSession(ctx.state, a.sessionId);
  await requireParticipant(ctx, s, a.sessionId, a.nodeId);
  const step = await openStep(ctx, a.sessionId, s, a.stepIndex);
  if (step.state === StepState.failed) fail('StepFailed', `step ${a.stepIndex} timed out; retry it with retryStep`);
  const request = await loadRequest(ctx.state, step.requestId);
  if (!request.committed) fail('StepNotCommitted', `the records of request ${toHex(step.requestId)} are not committed yet; call commitRecords first`);
  if (!equals(a.oracleCommitRoot, request.recordsRoot)) {
    fail('CommitRootMismatch', `oracleCommitRoot ${toHex(a.oracleCommitRoot)} is not the committed records root ${toHex(request.recordsRoot)}`);
  }
  if (ctx.params.version >= WORK_RULES.attestedOutputs) {
    const attested = (await attestedOutputOf(ctx.state, step.requestId))!; // written by commitRecords under these rules
    if (!equals(a.outputHash, attested)) {
      fail('OutputNotAttested', `outputHash must be the step's attested output ${toHex(attested)} (the body hash a quorum of the committed records carry; getRequest.attestedOutput), got ${toHex(a.outputHash)}`);
    }
  }
  const attId = await verifyAttestation(ctx, a.attestation, { domain: domainForStepKind(step.kind as never), subjectId: step.requestId, commitRoot: a.oracleCommitRoot, session: s });
  saveStep(ctx, a.sessionId, a.stepIndex, {
    ...step,
    outputHash: a.outputHash,
    oracleCommitRoot: a.oracleCommitRoot,
    attestationId: attId,
    state: StepState.completed,
    completedAt: ctx.block.timestamp,
  });
  saveSession(ctx, a.sessionId, { ...s, state: SessionState.running });
  await openRequests.remove(ctx.state, step.requestId);
  await clearShares(ctx, step.requestId);
  ctx.emit('StepCompleted', { sessionId: a.sessionId, stepIndex: a.stepIndex, requestId: step.requestId, attestationId: attId, oracleCommitRoot: a.oracleCommitRoot, outputHash: a.outputHash });
  return attId;
}

/** Tree (a) root over the completed steps' oracle commit roots, in step order. */
export async function sessionOracleRoot(state: StateReader, sessionId: Id32, s: SessionRecord): Promise<Id32> {
  return merkleRoot((await loadSteps(state, sessionId, s)).map((st) => st.oracleCommitRoot));
}

/** Rules 2: the only output a session can be finalized with (tree (a) root over its steps' outputs). */
export async function attestedSessionOutput(state: StateReader, sessionId: Id32, s: SessionRecord): Promise<Id32> {
  return sessionOutput((await loadSteps(state, sessionId, s)).map((st) => st.outputHash));
}

/** The session's steps, in order. */
async function loadSteps(state: StateReader, sessionId: Id32, s: SessionRecord) {
  const steps = [];
  for (let i = 0; i < s.stepCount; i++) steps.push(await loadStep(state, sessionId, i, s));
  return steps;
}

/** Tree (a) root over the session's delivery receipt IDs, in recording order. */
export async function sessionReceiptIds(state: StateReader, sessionId: Id32, s: SessionRecord): Promise<Id32[]> {
  const ids: Id32[] = [];
  for (let i = 0; i < s.receiptCount; i++) ids.push((await state.getValue(receiptRecord, keys.receipt(sessionId, i)))!.receiptId);
  return ids;
}

export async function requestFinalize(ctx: Ctx, sessionId: Id32, outputHash: Id32): Promise<Id32> {
  const s = await loadSession(ctx.state, sessionId);
  requireOwner(ctx, s, sessionId);
  requireRunning(s, sessionId, 'finalize');
  const steps = await loadSteps(ctx.state, sessionId, s); // read once: both roots are over them
  if (ctx.params.version >= WORK_RULES.attestedOutputs) {
    const expected = sessionOutput(steps.map((st) => st.outputHash));
    if (!equals(outputHash, expected)) {
      fail('OutputNotAttested', `outputHash must be the session's attested output ${toHex(expected)} (the tree (a) root over its ${s.stepCount} steps' outputs; getSessionOutput), got ${toHex(outputHash)}`);
    }
  }
  const oracleRoot = merkleRoot(steps.map((st) => st.oracleCommitRoot));
  const receiptsRoot = merkleRoot(await sessionReceiptIds(ctx.state, sessionId, s));
  const commitRoot = sessionCompleteCommit(outputHash, oracleRoot, receiptsRoot);
  saveSession(ctx, sessionId, { ...s, proposedOutput: outputHash, oracleRoot, receiptsRoot });
  await finalizing.add(ctx.state, sessionId);
  ctx.emit('FinalizeRequested', { sessionId, outputHash, oracleRoot, receiptsRoot, commitRoot });
  return commitRoot;
}

export interface FinalizeArgs {
  sessionId: Id32;
  outputHash: Id32;
  oracleRoot: Id32;
  receiptsRoot: Id32;
  nodeId: Id32 | null;
  attestation: AttestationArgs;
}

export async function finalizeSession(ctx: Ctx, a: FinalizeArgs): Promise<Id32> {
  const s = await loadSession(ctx.state, a.sessionId);
  await requireParticipant(ctx, s, a.sessionId, a.nodeId);
  requireLive(s, a.sessionId);
  if (s.state !== SessionState.running) fail('InvalidSessionState', `session ${toHex(a.sessionId)} is ${sessionStateName(s.state)}; every step must be completed first`);
  if (!s.proposedOutput) fail('FinalizeNotRequested', 'the owner has not requested finalization (requestFinalize) yet');
  if (!equals(a.outputHash, s.proposedOutput)) fail('OutputMismatch', `outputHash must be the proposed output ${toHex(s.proposedOutput)}`);
  if (!equals(a.oracleRoot, s.oracleRoot)) fail('OracleRootMismatch', `oracleRoot must be ${toHex(s.oracleRoot)}, the root over the steps' oracle commit roots`);
  if (!equals(a.receiptsRoot, s.receiptsRoot)) fail('ReceiptsRootMismatch', `receiptsRoot must be ${toHex(s.receiptsRoot)}, the root over the session's receipts`);
  const commit = sessionCompleteCommit(a.outputHash, a.oracleRoot, a.receiptsRoot);
  const attId = await verifyAttestation(ctx, a.attestation, { domain: 'session/complete', subjectId: a.sessionId, commitRoot: commit, session: s });
  saveSession(ctx, a.sessionId, { ...s, state: SessionState.finalized, outputHash: a.outputHash, finalizedAt: ctx.block.timestamp });
  await finalizing.remove(ctx.state, a.sessionId);
  await clearShares(ctx, a.sessionId);
  ctx.emit('SessionFinalized', { sessionId: a.sessionId, outputHash: a.outputHash, oracleRoot: a.oracleRoot, receiptsRoot: a.receiptsRoot, attestationId: attId });
  return attId;
}

/** Moves a live session to failed and drops its open request (S2 `FailSession`). */
async function markFailed(ctx: Ctx, sessionId: Id32, s: SessionRecord, reason: string): Promise<void> {
  if (s.state === SessionState.waiting_io) {
    const step = await loadStep(ctx.state, sessionId, s.currentStep, s);
    await openRequests.remove(ctx.state, step.requestId);
    if (step.state !== StepState.failed) saveStep(ctx, sessionId, s.currentStep, { ...step, state: StepState.failed });
  }
  await finalizing.remove(ctx.state, sessionId);
  saveSession(ctx, sessionId, { ...s, state: SessionState.failed, error: reason });
  ctx.emit('SessionFailed', { sessionId, reason });
}

export async function failSession(ctx: Ctx, sessionId: Id32, reason: string): Promise<void> {
  const s = await loadSession(ctx.state, sessionId);
  requireOwner(ctx, s, sessionId);
  requireLive(s, sessionId);
  await markFailed(ctx, sessionId, s, reason);
}

/** endBlock: a session or step deadline came due. Stale entries are ignored. */
export async function onDeadline(ctx: Ctx, entry: DueEntry): Promise<void> {
  const s = await ctx.state.getValue(sessionRecord, keys.session(entry.sessionId));
  if (!s || s.state === SessionState.finalized || s.state === SessionState.failed) return;
  if (entry.kind === DueKind.session) {
    if (s.deadlineHeight <= ctx.block.height) await markFailed(ctx, entry.sessionId, s, `SessionTimedOut: not finalized by height ${s.deadlineHeight}`);
    return;
  }
  if (s.state !== SessionState.waiting_io || s.currentStep !== entry.stepIndex) return;
  const step = await loadStep(ctx.state, entry.sessionId, entry.stepIndex, s);
  if (step.retry !== entry.retry || step.state === StepState.completed || step.state === StepState.failed) return;
  saveStep(ctx, entry.sessionId, entry.stepIndex, { ...step, state: StepState.failed });
  await openRequests.remove(ctx.state, step.requestId);
  ctx.emit('StepFailed', { sessionId: entry.sessionId, stepIndex: entry.stepIndex, requestId: step.requestId, reason: `StepTimedOut: not completed by height ${step.deadlineHeight}` });
}

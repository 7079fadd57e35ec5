/**
 * Oracle I/O of a step: committee members submit records of the external read or write, one of them
 * commits the records (tree (b) root = the step's oracle commit root, tree (a) root over the body
 * hashes kept beside it), and members co-sign the attestation payload by submitting shares, which
 * anyone can then assemble into a CompleteStep / FinalizeSession attestation.
 */
import { addressBytes, equals, toHex, t, sha256, type StateReader } from '../../../chain/index.js';
import { actingMember, type Ctx, fail, inCommittee, loadNode, loadRequest, loadSession, loadStep, requireLive, saveRequest, saveStep } from './access.js';
import { MLDSA65_SIGNATURE_BYTES } from './attestation.js';
import { attestationId, nodeIdFromPublicKey, oracleRecordId, sessionCompleteCommit } from './ids.js';
import { merkleRoot, oracleRecordLeaf, oracleRecordsRootFromLeaves } from './merkle.js';
import { keys, oracleRecordRow, type OracleRecordRow, shareList } from './state.js';
import { type AttestationDomain, domainForStepKind, type Id32, isAttestationDomain, NodeStatus, SessionState, StepState } from './types.js';
import { workErrors } from './errors.js';
import { agreedOutput } from './outputs.js';
import { WORK_RULES } from './params.js';
import { quorumSize } from './committee.js';

export interface RecordArgs {
  requestId: Id32;
  nodeId: Id32;
  timestamp: bigint;
  endpoint: Uint8Array;
  body: Uint8Array;
  resultCode: number;
  externalRef: Uint8Array;
}

/** The request's session and step, checked to be open and the request current (not superseded). */
async function openRequestContext(ctx: Ctx, requestId: Id32) {
  const request = await loadRequest(ctx.state, requestId);
  const session = await loadSession(ctx.state, request.sessionId);
  requireLive(session, request.sessionId);
  const step = await loadStep(ctx.state, request.sessionId, request.stepIndex, session);
  if (!equals(step.requestId, requestId)) fail('StepNotOpen', `request ${toHex(requestId)} was superseded by a retry (${toHex(step.requestId)})`);
  if (session.state !== SessionState.waiting_io || session.currentStep !== request.stepIndex || step.state === StepState.failed || step.state === StepState.completed) {
    fail('StepNotOpen', `step ${request.stepIndex} of session ${toHex(request.sessionId)} is not open`);
  }
  return { request, session, step };
}

export async function submitRecord(ctx: Ctx, a: RecordArgs): Promise<Id32> {
  const { request, session, step } = await openRequestContext(ctx, a.requestId);
  if (request.committed) fail('RecordsAlreadyCommitted', `the records of request ${toHex(a.requestId)} are already committed`);
  await actingMember(ctx, session, request.sessionId, a.nodeId);
  if (await ctx.state.has(keys.recordBy(a.requestId, a.nodeId))) fail('DuplicateRecord', `node ${toHex(a.nodeId)} already submitted a record for this request`);
  if (a.body.length > ctx.params.maxBodyBytes) fail('BodyTooLarge', `the record body is ${a.body.length} bytes; the limit is ${ctx.params.maxBodyBytes}`);
  if (a.timestamp < request.createdAt || a.timestamp > ctx.block.timestamp) {
    fail('RecordTimestampOutOfRange', `the record's timestamp must lie between the request (${request.createdAt}) and this block (${ctx.block.timestamp}), in unix ms`);
  }
  const bodyHash = sha256(a.body);
  const executor = ctx.caller;
  const leaf = oracleRecordLeaf({ requestId: a.requestId, executor: addressBytes(executor), timestamp: a.timestamp, endpoint: a.endpoint, bodyHash, resultCode: a.resultCode, externalRef: a.externalRef });
  const recordId = oracleRecordId(a.requestId, a.nodeId, a.body);
  const index = request.recordCount;
  const row: OracleRecordRow = { nodeId: a.nodeId, executor, timestamp: a.timestamp, endpoint: a.endpoint, bodyHash, resultCode: a.resultCode, externalRef: a.externalRef, leaf, recordId };
  ctx.state.setValue(oracleRecordRow, keys.record(a.requestId, index), row);
  ctx.state.set(keys.recordBody(a.requestId, index), a.body);
  ctx.state.setValue(t.uint32, keys.recordBy(a.requestId, a.nodeId), index);
  saveRequest(ctx, a.requestId, { ...request, recordCount: index + 1 });
  if (step.state === StepState.pending) saveStep(ctx, request.sessionId, request.stepIndex, { ...step, state: StepState.executing });
  ctx.emit('OracleRecordSubmitted', { requestId: a.requestId, nodeId: a.nodeId, index, recordId, bodyHash, resultCode: a.resultCode });
  return recordId;
}

/** Rules 2: the output the committed records of a request agree on (undefined before the commit, or under rules 1). */
export async function attestedOutputOf(state: StateReader, requestId: Id32): Promise<Id32 | undefined> {
  return state.getValue(t.bytes32, keys.requestOutput(requestId));
}

export async function loadRecords(state: StateReader, requestId: Id32, count: number): Promise<OracleRecordRow[]> {
  const rows: OracleRecordRow[] = [];
  for (let i = 0; i < count; i++) rows.push((await state.getValue(oracleRecordRow, keys.record(requestId, i)))!);
  return rows;
}

export async function commitRecords(ctx: Ctx, requestId: Id32, nodeId: Id32): Promise<Id32> {
  const { request, session, step } = await openRequestContext(ctx, requestId);
  await actingMember(ctx, session, request.sessionId, nodeId);
  if (request.committed) fail('RecordsAlreadyCommitted', `the records of request ${toHex(requestId)} are already committed`);
  if (request.recordCount === 0) fail('NoRecords', 'there are no records to commit yet');
  const rows = await loadRecords(ctx.state, requestId, request.recordCount);
  // Rules 2: the step's output is fixed here, from the records the committee will sign.
  const attested = ctx.params.version >= WORK_RULES.attestedOutputs;
  const agreed = attested ? agreedOutput(rows.map((r) => r.bodyHash), session.committee.length) : null;
  if (attested && !agreed) {
    fail('NoAgreedOutput', `the ${rows.length} record(s) agree on no output: expected ${quorumSize(session.committee.length)} records (the quorum of a committee of ${session.committee.length}) carrying one body hash; wait for more records, or let the step time out and retry it`);
  }
  const recordsRoot = oracleRecordsRootFromLeaves(rows.map((r) => r.leaf));
  const dataRoot = merkleRoot(rows.map((r) => r.bodyHash));
  let windowStart = rows[0]!.timestamp;
  let windowEnd = rows[0]!.timestamp;
  for (const r of rows) {
    if (r.timestamp < windowStart) windowStart = r.timestamp;
    if (r.timestamp > windowEnd) windowEnd = r.timestamp;
  }
  saveRequest(ctx, requestId, { ...request, committed: true, recordsRoot, dataRoot, windowStart, windowEnd });
  saveStep(ctx, request.sessionId, request.stepIndex, { ...step, state: StepState.waiting });
  ctx.emit('RecordsCommitted', { requestId, recordsRoot, dataRoot, count: rows.length, windowStart, windowEnd });
  if (agreed) {
    ctx.state.setValue(t.bytes32, keys.requestOutput(requestId), agreed.outputHash);
    ctx.emit('OutputAgreed', { requestId, outputHash: agreed.outputHash, votes: agreed.votes });
  }
  return recordsRoot;
}

export interface ShareArgs {
  domain: string;
  subjectId: Id32;
  commitRoot: Id32;
  epoch: bigint;
  publicKey: Uint8Array;
  signature: Uint8Array;
}

/** What a share must sign, derived from chain state for its subject. */
async function shareTarget(ctx: Ctx, domain: AttestationDomain, subjectId: Id32) {
  if (domain === 'session/complete') {
    const session = await loadSession(ctx.state, subjectId);
    requireLive(session, subjectId);
    if (!session.proposedOutput) fail('FinalizeNotRequested', `finalization of session ${toHex(subjectId)} has not been requested`);
    return { session, domain, commitRoot: sessionCompleteCommit(session.proposedOutput, session.oracleRoot, session.receiptsRoot) };
  }
  if (domain === 'epoch/beacon') throw workErrors.error('WrongDomain', 'epoch beacons are derived on chain; no attestation is collected for them');
  const { request, session, step } = await openRequestContext(ctx, subjectId);
  if (!request.committed) fail('StepNotCommitted', `the records of request ${toHex(subjectId)} are not committed yet`);
  const want = domainForStepKind(step.kind as never);
  if (domain !== want) fail('WrongDomain', `request ${toHex(subjectId)} is attested in domain ${want}`);
  return { session, domain, commitRoot: request.recordsRoot };
}

/** A committee member's signature share, checked and stored until the attestation is assembled. */
export async function submitShare(ctx: Ctx, a: ShareArgs): Promise<number> {
  if (!isAttestationDomain(a.domain)) fail('UnknownDomain', `unknown attestation domain ${JSON.stringify(a.domain)}`);
  const nodeId = nodeIdFromPublicKey(a.publicKey);
  const target = await shareTarget(ctx, a.domain, a.subjectId);
  if (a.epoch !== target.session.epoch) fail('WrongEpoch', `the share is for epoch ${a.epoch}, the session's epoch is ${target.session.epoch}`);
  if (!equals(a.commitRoot, target.commitRoot)) fail('WrongCommitRoot', `the share must commit to ${toHex(target.commitRoot)}`);
  if (!inCommittee(target.session, nodeId)) fail('SignerNotInCommittee', `node ${toHex(nodeId)} is not on the session's committee`);
  const node = await loadNode(ctx.state, nodeId);
  if (node.status === NodeStatus.slashed) fail('SignerSlashed', `node ${toHex(nodeId)} was slashed`);
  if (await ctx.state.has(keys.share(a.subjectId, nodeId))) fail('DuplicateSigner', `node ${toHex(nodeId)} already submitted its share for this subject`);
  const payload = attestationId(a.domain, a.subjectId, a.commitRoot, a.epoch);
  if (a.signature.length !== MLDSA65_SIGNATURE_BYTES || !ctx.verifyMlDsa(a.publicKey, payload, a.signature)) {
    fail('InvalidAttestationSignature', 'the share is not a valid ML-DSA-65 signature of the node key over the attestation ID');
  }
  const signers = (await ctx.state.getValue(shareList, keys.shareList(a.subjectId))) ?? [];
  signers.push(nodeId);
  ctx.state.setValue(shareList, keys.shareList(a.subjectId), signers);
  ctx.state.set(keys.share(a.subjectId, nodeId), a.signature);
  ctx.emit('AttestationShare', { subjectId: a.subjectId, nodeId, domain: a.domain, count: signers.length });
  return signers.length;
}


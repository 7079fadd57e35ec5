/**
 * Loading and saving module records, with the named errors for missing ones.
 */
import { toHex, type CallContext, type ReadContext, type StateReader } from '../../../chain/index.js';
import type { WorkParams } from './params.js';
import {
  keys,
  nodeRecord,
  type NodeRecord,
  requestRecord,
  type RequestRecord,
  sessionRecord,
  type SessionRecord,
  stepRecord,
  type StepRecord,
} from './state.js';
import { type Id32, NodeStatus, SessionState } from './types.js';
import { workErrors } from './errors.js';

export type Ctx = CallContext<WorkParams>;
export type RCtx = ReadContext<WorkParams>;

export async function loadSession(state: StateReader, id: Id32): Promise<SessionRecord> {
  const s = await state.getValue(sessionRecord, keys.session(id));
  if (!s) throw workErrors.error('SessionNotFound', `no workload session ${toHex(id)}`);
  return s;
}

export function saveSession(ctx: Ctx, id: Id32, s: SessionRecord): void {
  ctx.state.setValue(sessionRecord, keys.session(id), s);
}

export async function loadStep(state: StateReader, sessionId: Id32, index: number, session: SessionRecord): Promise<StepRecord> {
  if (index >= session.stepCount) throw workErrors.error('StepNotFound', `session ${toHex(sessionId)} has ${session.stepCount} steps; there is no step ${index}`);
  return (await state.getValue(stepRecord, keys.step(sessionId, index)))!;
}

export function saveStep(ctx: Ctx, sessionId: Id32, index: number, s: StepRecord): void {
  ctx.state.setValue(stepRecord, keys.step(sessionId, index), s);
}

export async function loadRequest(state: StateReader, requestId: Id32): Promise<RequestRecord> {
  const r = await state.getValue(requestRecord, keys.request(requestId));
  if (!r) throw workErrors.error('RequestNotFound', `no oracle request ${toHex(requestId)}`);
  return r;
}

export function saveRequest(ctx: Ctx, requestId: Id32, r: RequestRecord): void {
  ctx.state.setValue(requestRecord, keys.request(requestId), r);
}

export async function loadNode(state: StateReader, nodeId: Id32): Promise<NodeRecord> {
  const n = await state.getValue(nodeRecord, keys.node(nodeId));
  if (!n) throw workErrors.error('NodeNotFound', `no service node ${toHex(nodeId)}; register it with registerNode`);
  return n;
}

export function saveNode(ctx: Ctx, nodeId: Id32, n: NodeRecord): void {
  ctx.state.setValue(nodeRecord, keys.node(nodeId), n);
}

/** The node, checked to be operated by the caller. */
export async function operatedNode(ctx: Ctx, nodeId: Id32): Promise<NodeRecord> {
  const node = await loadNode(ctx.state, nodeId);
  if (node.operator !== ctx.caller) throw workErrors.error('NotNodeOperator', `node ${toHex(nodeId)} is operated by ${node.operator}, not ${ctx.caller}`);
  return node;
}

export function requireOwner(ctx: Ctx, s: SessionRecord, sessionId: Id32): void {
  if (s.owner !== ctx.caller) throw workErrors.error('NotSessionOwner', `only the session's owner ${s.owner} may do this to ${toHex(sessionId)}`);
}

/** Refuses finalized and failed sessions with their own names (no flip of a finished session). */
export function requireLive(s: SessionRecord, sessionId: Id32): void {
  if (s.state === SessionState.finalized) throw workErrors.error('SessionFinalized', `session ${toHex(sessionId)} is finalized; it cannot change any more`);
  if (s.state === SessionState.failed) throw workErrors.error('SessionFailed', `session ${toHex(sessionId)} has failed (${s.error || 'no reason'}); create a new session`);
}

export function inCommittee(s: SessionRecord, nodeId: Id32): boolean {
  const h = toHex(nodeId);
  return s.committee.some((m) => toHex(m) === h);
}

/** A committee member acting through its operator: member, operated by the caller, active. */
export async function actingMember(ctx: Ctx, s: SessionRecord, sessionId: Id32, nodeId: Id32): Promise<NodeRecord> {
  if (!inCommittee(s, nodeId)) throw workErrors.error('NotCommitteeMember', `node ${toHex(nodeId)} is not on the committee of session ${toHex(sessionId)}`);
  const node = await operatedNode(ctx, nodeId);
  if (node.status !== NodeStatus.active) throw workErrors.error('NodeNotActive', `node ${toHex(nodeId)} is not active; activate it first`);
  return node;
}

export { fail } from './errors.js';

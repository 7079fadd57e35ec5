/**
 * The workload-session module `sessionwork` (spec session.md §1.2–§1.8 and the [P] items of §1.9):
 * service node registry, epoch beacons, committees, sessions and oracle steps, records and commit
 * roots, threshold attestations verified on chain, delivery receipts, equivocation evidence, and
 * timeouts at block height.
 */
import { toAddress, t, NamedError, defineModule, method, ModuleError } from '../../../chain/index.js';
import { workErrors } from './errors.js';
import { type Ctx } from './access.js';
import { initDeadlines, processDue } from './deadlines.js';
import { ensureBeacon, stirEntropy, writeGenesisBeacon } from './epochs.js';
import { evidenceSignatureChecks, reportEquivocation } from './evidence.js';
import { workEvents } from './events.js';
import { commitRecords, submitRecord, submitShare } from './oracle.js';
import { LIMITS, parseWorkParams, type WorkParams } from './params.js';
import { blockReceiptsRoot, submitReceipt } from './receipts.js';
import { activateNode, exitNode, heartbeat, registerNode, registerSignatures, suspendNode, withdrawStake } from './registry.js';
import { workQueries } from './queries.js';
import { workRpc } from './rpc.js';
import {
  attestationSignatureChecks,
  completeStep,
  createOracleRequest,
  createSession,
  failSession,
  finalizeSession,
  onDeadline,
  requestFinalize,
  retryStep,
  startSession,
} from './sessions.js';
import { attestationId } from './ids.js';
import { isAttestationDomain } from './types.js';

/** "SWORK" in ASCII, zero-padded. */
export const SESSION_WORK_ADDRESS = toAddress('0x53574f524b000000000000000000000000000000');
export const SESSION_WORK_MODULE = 'sessionwork';

const PK = t.bytesN(1952);
const SIG = t.bytesN(3309);
const id = t.bytes32;
const nodeArg = t.struct({ nodeId: id });
const sessionArg = t.struct({ sessionId: id });

export const attestationArg = t.struct({
  domain: t.string(64),
  subjectId: id,
  commitRoot: id,
  epoch: t.uint64,
  signatures: t.list(t.struct({ publicKey: PK, signature: SIG }), LIMITS.committeeMax),
});

/**
 * Every transaction of this module stirs the epoch entropy pool before running. Named errors of the
 * shared pure helpers (attestation checks, ID derivation) become module errors, so receipts carry
 * their names.
 */
function tx<A, R>(handler: (ctx: Ctx, args: A) => Promise<R>) {
  return async (ctx: Ctx, args: A): Promise<R> => {
    await stirEntropy(ctx);
    try {
      return await handler(ctx, args);
    } catch (e) {
      // The pure helpers throw NamedErrors named from the module's table: fail with the same name.
      if (e instanceof NamedError && !(e instanceof ModuleError) && workErrors.declares(e.name)) throw workErrors.error(e.name, e.message);
      throw e;
    }
  };
}

export const sessionWorkModule = defineModule<WorkParams>({
  name: SESSION_WORK_MODULE,
  errors: workErrors.names,
  address: SESSION_WORK_ADDRESS,
  parseParams: parseWorkParams,
  async genesis(ctx) {
    writeGenesisBeacon(ctx);
    initDeadlines(ctx);
  },
  events: workEvents,
  methods: {
    // ---- service node registry ----
    registerNode: method({
      args: t.struct({ publicKey: PK, endpoint: t.string(256), stake: t.uint256, proof: SIG }),
      returns: id,
      description: 'Register a service node: its ML-DSA-65 key, a unique endpoint, and `stake` wei of LUX moved into module custody. `proof` is the key\'s signature over SHA256("LUX:ServiceNodePoP:v1" ‖ sender ‖ node_id).',
      signatures: (args, { from }) => registerSignatures(args, from),
      handler: tx((ctx, args) => registerNode(ctx, args)),
    }),
    activateNode: method({ args: nodeArg, description: 'Operator: registered or suspended → active.', handler: tx((ctx, a) => activateNode(ctx, a.nodeId)) }),
    suspendNode: method({ args: t.struct({ nodeId: id, reason: t.string(256) }), description: 'Operator: active → suspended.', handler: tx((ctx, a) => suspendNode(ctx, a.nodeId, a.reason)) }),
    exitNode: method({ args: nodeArg, description: 'Operator: leave; the stake unbonds for `unbondingBlocks`.', handler: tx((ctx, a) => exitNode(ctx, a.nodeId)) }),
    withdrawStake: method({ args: nodeArg, returns: t.uint256, description: 'Operator: return the stake of an exited node after unbonding.', handler: tx((ctx, a) => withdrawStake(ctx, a.nodeId)) }),
    heartbeat: method({ args: nodeArg, description: 'Operator: record the node as seen at this height.', handler: tx((ctx, a) => heartbeat(ctx, a.nodeId)) }),

    // ---- sessions and steps ----
    createSession: method({
      args: t.struct({ serviceId: id }),
      returns: id,
      description: 'Create a session for a service in the current epoch; the committee is assigned from the epoch beacon.',
      handler: tx((ctx, a) => createSession(ctx, a.serviceId)),
    }),
    startSession: method({ args: sessionArg, description: 'Owner: pending → running.', handler: tx((ctx, a) => startSession(ctx, a.sessionId)) }),
    createOracleRequest: method({
      args: t.struct({ sessionId: id, kind: t.uint8, input: t.bytes(LIMITS.maxInputBytes) }),
      returns: id,
      description: 'Owner: open an oracle step (kind 1 = write_external, 2 = read_external); `input` tells the committee what to do.',
      handler: tx((ctx, a) => createOracleRequest(ctx, a.sessionId, a.kind, a.input)),
    }),
    submitRecord: method({
      args: t.struct({ requestId: id, nodeId: id, timestamp: t.uint64, endpoint: t.bytes(256), body: t.bytes(LIMITS.maxBodyBytes), resultCode: t.uint32, externalRef: t.bytes(256) }),
      returns: id,
      description: 'Committee member: the record of the I/O it performed for a request (timestamp in unix ms).',
      handler: tx((ctx, a) => submitRecord(ctx, a)),
    }),
    commitRecords: method({
      args: t.struct({ requestId: id, nodeId: id }),
      returns: id,
      description: 'Committee member: fix the request\'s records; returns the tree (b) records root (the oracle commit root).',
      handler: tx((ctx, a) => commitRecords(ctx, a.requestId, a.nodeId)),
    }),
    submitShare: method({
      args: t.struct({ domain: t.string(64), subjectId: id, commitRoot: id, epoch: t.uint64, publicKey: PK, signature: SIG }),
      returns: t.uint32,
      description: 'A committee member\'s ML-DSA-65 signature over the attestation ID of a committed step or a requested finalization.',
      signatures: (a) => (isAttestationDomain(a.domain) ? [{ kind: 'ml-dsa', publicKey: a.publicKey, message: attestationId(a.domain, a.subjectId, a.commitRoot, a.epoch), signature: a.signature }] : []),
      handler: tx((ctx, a) => submitShare(ctx, a)),
    }),
    completeStep: method({
      args: t.struct({ sessionId: id, stepIndex: t.uint32, oracleCommitRoot: id, outputHash: id, nodeId: t.optional(id), attestation: attestationArg }),
      returns: id,
      description: 'Owner or committee member: complete the open step with a quorum attestation over its committed records root.',
      signatures: (a) => attestationSignatureChecks(a.attestation),
      handler: tx((ctx, a) => completeStep(ctx, a)),
    }),
    retryStep: method({
      args: t.struct({ sessionId: id, stepIndex: t.uint32 }),
      returns: id,
      description: 'Owner: reopen a timed-out step with a new request ID (retry + 1).',
      handler: tx((ctx, a) => retryStep(ctx, a.sessionId, a.stepIndex)),
    }),
    requestFinalize: method({
      args: t.struct({ sessionId: id, outputHash: id }),
      returns: id,
      description: 'Owner: propose the session output; returns the session/complete commitment the committee signs.',
      handler: tx((ctx, a) => requestFinalize(ctx, a.sessionId, a.outputHash)),
    }),
    finalizeSession: method({
      args: t.struct({ sessionId: id, outputHash: id, oracleRoot: id, receiptsRoot: id, nodeId: t.optional(id), attestation: attestationArg }),
      returns: id,
      description: 'Owner or committee member: finalize with a session/complete quorum attestation.',
      signatures: (a) => attestationSignatureChecks(a.attestation),
      handler: tx((ctx, a) => finalizeSession(ctx, a)),
    }),
    failSession: method({ args: t.struct({ sessionId: id, reason: t.string(256) }), description: 'Owner: give up on a live session.', handler: tx((ctx, a) => failSession(ctx, a.sessionId, a.reason)) }),

    // ---- receipts and evidence ----
    submitReceipt: method({
      args: t.struct({ sessionId: id, nodeId: id, stepIndex: t.uint32, messageHash: id, senderId: id, receiverId: id }),
      returns: id,
      description: 'Committee member: record a delivery receipt of a step\'s message.',
      handler: tx((ctx, a) => submitReceipt(ctx, a)),
    }),
    reportEquivocation: method({
      args: t.struct({ publicKey: PK, domain: t.string(64), subjectId: id, epoch: t.uint64, commitRootA: id, signatureA: SIG, commitRootB: id, signatureB: SIG }),
      returns: id,
      description: 'Anyone: two signatures of one node key over the same domain, subject and epoch with different commit roots. Slashes the node once.',
      signatures: (a) => evidenceSignatureChecks(a),
      handler: tx((ctx, a) => reportEquivocation(ctx, a)),
    }),
  },
  queries: workQueries,
  async endBlock(ctx) {
    await ensureBeacon(ctx);
    await processDue(ctx, (entry) => onDeadline(ctx, entry));
  },
  async blockRoots(ctx) {
    return { sessionReceipts: await blockReceiptsRoot(ctx.state, ctx.block.height) };
  },
  rpc: workRpc,
});

/** Read-only queries of the workload-session module (served by `chain.Call` and the sessionvm RPC). */
import { toHex, t, query, type StateReader } from '../../../chain/index.js';
import { loadNode, loadRequest, loadSession, loadStep, type RCtx } from './access.js';
import { quorumSize } from './committee.js';
import { beaconAt, epochAt, latestEpoch } from './epochs.js';
import { sessionCompleteCommit } from './ids.js';
import { activeNodes, finalizing, openRequests } from './linkedset.js';
import { merkleProof, merkleRoot, oracleRecordsProofFromLeaves } from './merkle.js';
import type { WorkParams } from './params.js';
import { attestedOutputOf, loadRecords } from './oracle.js';
import { nodePublicKey } from './registry.js';
import { attestedSessionOutput, sessionReceiptIds } from './sessions.js';
import { attestationRecord, keys, receiptRecord, requestRecord, shareList } from './state.js';
import { type Id32, stepKindName } from './types.js';
import {
  attestationView,
  beaconView,
  committeeView,
  finalizationView,
  nodeView,
  pendingView,
  proofView,
  receiptView,
  recordView,
  requestView,
  sessionView,
  shareView,
  stepView,
  toNodeView,
  toRecordView,
  toReceiptView,
  toRequestView,
  toSessionView,
  toStepView,
} from './views.js';
import { workErrors } from './errors.js';

const sessionArg = t.struct({ sessionId: t.bytes32 });
const nodeArg = t.struct({ nodeId: t.bytes32 });
const optionalNode = t.struct({ nodeId: t.optional(t.bytes32) });

async function shareSigners(state: StateReader, subjectId: Id32): Promise<Id32[]> {
  return (await state.getValue(shareList, keys.shareList(subjectId))) ?? [];
}
const hasId = (list: Id32[], id: Id32 | null) => id !== null && list.some((x) => toHex(x) === toHex(id));

export const workQueries = {
  getSession: query({
    args: sessionArg,
    returns: sessionView,
    description: 'A workload session (GetWorkSession).',
    handler: async (ctx: RCtx, { sessionId }) => toSessionView(sessionId, await loadSession(ctx.state, sessionId)),
  }),
  getStep: query({
    args: t.struct({ sessionId: t.bytes32, stepIndex: t.uint32 }),
    returns: stepView,
    description: 'One step of a session with its current oracle request.',
    handler: async (ctx: RCtx, { sessionId, stepIndex }) => {
      const s = await loadSession(ctx.state, sessionId);
      const step = await loadStep(ctx.state, sessionId, stepIndex, s);
      const request = await ctx.state.getValue(requestRecord, keys.request(step.requestId));
      return toStepView(sessionId, stepIndex, step, request ? toRequestView(step.requestId, request, await attestedOutputOf(ctx.state, step.requestId)) : null);
    },
  }),
  getRequest: query({
    args: t.struct({ requestId: t.bytes32 }),
    returns: requestView,
    handler: async (ctx: RCtx, { requestId }) => toRequestView(requestId, await loadRequest(ctx.state, requestId), await attestedOutputOf(ctx.state, requestId)),
  }),
  getRecords: query({
    args: t.struct({ requestId: t.bytes32 }),
    returns: t.list(recordView, 64),
    description: 'The oracle records of a request, in arrival order, with their bodies.',
    handler: async (ctx: RCtx, { requestId }) => {
      const r = await loadRequest(ctx.state, requestId);
      const rows = await loadRecords(ctx.state, requestId, r.recordCount);
      return Promise.all(rows.map(async (row, i) => toRecordView(i, row, (await ctx.state.get(keys.recordBody(requestId, i)))!)));
    },
  }),
  getRecordProof: query({
    args: t.struct({ requestId: t.bytes32, index: t.uint32 }),
    returns: t.struct({ leaf: t.bytes32, recordsRoot: t.bytes32, recordsProof: proofView, bodyHash: t.bytes32, dataRoot: t.bytes32, dataProof: proofView }),
    description: 'Proofs of one committed record: tree (b) of its leaf to the records root, tree (a) of its body hash to the data root.',
    handler: async (ctx: RCtx, { requestId, index }) => {
      const r = await loadRequest(ctx.state, requestId);
      if (!r.committed) throw workErrors.error('StepNotCommitted', 'the records are not committed yet');
      if (index >= r.recordCount) throw workErrors.error('IndexOutOfRange', `the request has ${r.recordCount} records`);
      const rows = await loadRecords(ctx.state, requestId, r.recordCount);
      return {
        leaf: rows[index]!.leaf,
        recordsRoot: r.recordsRoot,
        recordsProof: oracleRecordsProofFromLeaves(rows.map((x) => x.leaf), index),
        bodyHash: rows[index]!.bodyHash,
        dataRoot: r.dataRoot,
        dataProof: merkleProof(rows.map((x) => x.bodyHash), index),
      };
    },
  }),
  getPendingRequests: query({
    args: t.struct({ sessionId: t.optional(t.bytes32), nodeId: t.optional(t.bytes32) }),
    returns: t.list(pendingView, 1 << 16),
    description: 'Open oracle requests, optionally only one session\'s or only those whose committee includes nodeId.',
    handler: async (ctx: RCtx, { sessionId, nodeId }) => {
      const out = [];
      for (const requestId of await openRequests.items(ctx.state)) {
        const r = await loadRequest(ctx.state, requestId);
        if (sessionId && toHex(sessionId) !== toHex(r.sessionId)) continue;
        const s = await loadSession(ctx.state, r.sessionId);
        if (nodeId && !hasId(s.committee, nodeId)) continue;
        const step = await loadStep(ctx.state, r.sessionId, r.stepIndex, s);
        const signers = await shareSigners(ctx.state, requestId);
        out.push({
          requestId,
          sessionId: r.sessionId,
          stepIndex: r.stepIndex,
          retry: r.retry,
          kind: stepKindName(r.kind),
          input: r.input,
          epoch: s.epoch,
          committee: s.committee,
          createdAt: r.createdAt,
          deadlineHeight: step.deadlineHeight,
          recordCount: r.recordCount,
          committed: r.committed,
          recordsRoot: r.recordsRoot,
          attestedOutput: (await attestedOutputOf(ctx.state, requestId)) ?? null,
          recorded: nodeId !== null && (await ctx.state.has(keys.recordBy(requestId, nodeId))),
          shared: hasId(signers, nodeId),
          shares: signers.length,
        });
      }
      return out;
    },
  }),
  getPendingFinalizations: query({
    args: optionalNode,
    returns: t.list(finalizationView, 1 << 16),
    description: 'Sessions whose owner requested finalization, waiting for session/complete shares.',
    handler: async (ctx: RCtx, { nodeId }) => {
      const out = [];
      for (const sessionId of await finalizing.items(ctx.state)) {
        const s = await loadSession(ctx.state, sessionId);
        if (nodeId && !hasId(s.committee, nodeId)) continue;
        const signers = await shareSigners(ctx.state, sessionId);
        out.push({
          sessionId,
          epoch: s.epoch,
          committee: s.committee,
          outputHash: s.proposedOutput!,
          oracleRoot: s.oracleRoot,
          receiptsRoot: s.receiptsRoot,
          commitRoot: sessionCompleteCommit(s.proposedOutput!, s.oracleRoot, s.receiptsRoot),
          shared: hasId(signers, nodeId),
          shares: signers.length,
        });
      }
      return out;
    },
  }),
  getShares: query({
    args: t.struct({ subjectId: t.bytes32 }),
    returns: t.list(shareView, 64),
    description: 'Signature shares collected for a subject (request ID or session ID), in arrival order.',
    handler: async (ctx: RCtx, { subjectId }) =>
      Promise.all(
        (await shareSigners(ctx.state, subjectId)).map(async (nodeId) => ({
          nodeId,
          publicKey: (await nodePublicKey(ctx.state, nodeId))!,
          signature: (await ctx.state.get(keys.share(subjectId, nodeId)))!,
        })),
      ),
  }),
  getCommittee: query({
    args: sessionArg,
    returns: committeeView,
    handler: async (ctx: RCtx, { sessionId }) => {
      const s = await loadSession(ctx.state, sessionId);
      const members = await Promise.all(
        s.committee.map(async (nodeId) => {
          const n = await loadNode(ctx.state, nodeId);
          return { nodeId, operator: n.operator, endpoint: n.endpoint, status: toNodeView(nodeId, new Uint8Array(0), n).status };
        }),
      );
      return { sessionId, epoch: s.epoch, members, size: members.length, quorum: quorumSize(members.length) };
    },
  }),
  getNode: query({
    args: nodeArg,
    returns: nodeView,
    handler: async (ctx: RCtx, { nodeId }) => toNodeView(nodeId, (await nodePublicKey(ctx.state, nodeId)) ?? new Uint8Array(0), await loadNode(ctx.state, nodeId)),
  }),
  getActiveNodes: query({
    args: t.none,
    returns: t.list(t.bytes32, 1 << 16),
    description: 'Active node IDs in activation order.',
    handler: (ctx: RCtx) => activeNodes.items(ctx.state),
  }),
  getBeacon: query({
    args: t.struct({ epoch: t.optional(t.uint64) }),
    returns: beaconView,
    description: 'The beacon of an epoch (default: the latest).',
    handler: async (ctx: RCtx, { epoch }) => {
      const e = epoch ?? (await latestEpoch(ctx.state));
      const b = await beaconAt(ctx.state, e);
      if (!b) throw workErrors.error('EpochNotFound', `no beacon for epoch ${e} yet (current epoch ${epochAt(ctx.block.height, ctx.params as WorkParams)})`);
      return b;
    },
  }),
  getAttestation: query({
    args: t.struct({ attestationId: t.bytes32 }),
    returns: attestationView,
    handler: async (ctx: RCtx, { attestationId }) => {
      const a = await ctx.state.getValue(attestationRecord, keys.attestation(attestationId));
      if (!a) throw workErrors.error('AttestationNotFound', `no attestation ${toHex(attestationId)}`);
      return { attestationId, ...a };
    },
  }),
  getReceipts: query({
    args: sessionArg,
    returns: t.list(receiptView, 1 << 20),
    handler: async (ctx: RCtx, { sessionId }) => {
      const s = await loadSession(ctx.state, sessionId);
      const out = [];
      for (let i = 0; i < s.receiptCount; i++) out.push(toReceiptView(i, (await ctx.state.getValue(receiptRecord, keys.receipt(sessionId, i)))!));
      return out;
    },
  }),
  getReceiptProof: query({
    args: t.struct({ sessionId: t.bytes32, index: t.uint32 }),
    returns: t.struct({ receiptId: t.bytes32, receiptsRoot: t.bytes32, proof: proofView }),
    description: 'Tree (a) proof of a delivery receipt to the session\'s receipts root.',
    handler: async (ctx: RCtx, { sessionId, index }) => {
      const s = await loadSession(ctx.state, sessionId);
      const ids = await sessionReceiptIds(ctx.state, sessionId, s);
      if (index >= ids.length) throw workErrors.error('IndexOutOfRange', `the session has ${ids.length} receipts`);
      return { receiptId: ids[index]!, receiptsRoot: merkleRoot(ids), proof: merkleProof(ids, index) };
    },
  }),
  getSessionOutput: query({
    args: sessionArg,
    returns: t.bytes32,
    description: "The output the session can be finalized with under rules 2: the tree (a) root over its steps' attested outputs.",
    handler: async (ctx: RCtx, { sessionId }) => attestedSessionOutput(ctx.state, sessionId, await loadSession(ctx.state, sessionId)),
  }),
  params: query({
    args: t.none,
    returns: t.struct({ version: t.uint32, minStake: t.uint256, epochBlocks: t.uint64, committeeMin: t.uint32, committeeMax: t.uint32, sessionTimeoutBlocks: t.uint64, stepTimeoutBlocks: t.uint64, unbondingBlocks: t.uint64 }),
    handler: (ctx: RCtx) => {
      const p = ctx.params;
      return { version: p.version, minStake: p.minStake, epochBlocks: p.epochBlocks, committeeMin: p.committeeMin, committeeMax: p.committeeMax, sessionTimeoutBlocks: p.sessionTimeoutBlocks, stepTimeoutBlocks: p.stepTimeoutBlocks, unbondingBlocks: p.unbondingBlocks };
    },
  }),
};

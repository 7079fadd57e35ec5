/**
 * What queries and RPC return: JSON-friendly views of the stored records (names instead of enum
 * codes, the S1 binary encodings of sessions and steps beside the fields).
 */
import { type Infer, t } from '../../../chain/index.js';
import { encodeSession, encodeStep } from './codec.js';
import { quorumSize } from './committee.js';
import type { MerkleProof } from './merkle.js';
import type { BeaconRecord, NodeRecord, OracleRecordRow, ReceiptRecord, RequestRecord, SessionRecord, StepRecord } from './state.js';
import { type Id32, nodeStatusName, sessionStateName, stepKindName, stepStateName } from './types.js';

const MS_TO_NS = 1_000_000n;
const ids = t.list(t.bytes32, 1 << 16);

export const sessionView = t.struct({
  sessionId: t.bytes32,
  serviceId: t.bytes32,
  epoch: t.uint64,
  txId: t.bytes32,
  owner: t.address,
  committee: ids,
  quorum: t.uint32,
  state: t.string(16),
  currentStep: t.uint32,
  stepCount: t.uint32,
  receiptCount: t.uint32,
  outputHash: t.bytes32,
  oracleRoot: t.bytes32,
  receiptsRoot: t.bytes32,
  proposedOutput: t.optional(t.bytes32),
  createdHeight: t.uint64,
  createdAt: t.uint64,
  finalizedAt: t.uint64,
  deadlineHeight: t.uint64,
  error: t.string(1024),
  /** The S1 session record (spec §1.8), timestamps in unix nanoseconds. */
  encoded: t.bytes(),
});
export type SessionView = Infer<typeof sessionView>;

export function toSessionView(sessionId: Id32, s: SessionRecord): SessionView {
  return {
    sessionId,
    serviceId: s.serviceId,
    epoch: s.epoch,
    txId: s.txId,
    owner: s.owner,
    committee: s.committee,
    quorum: quorumSize(s.committee.length),
    state: sessionStateName(s.state),
    currentStep: s.currentStep,
    stepCount: s.stepCount,
    receiptCount: s.receiptCount,
    outputHash: s.outputHash,
    oracleRoot: s.oracleRoot,
    receiptsRoot: s.receiptsRoot,
    proposedOutput: s.proposedOutput,
    createdHeight: s.createdHeight,
    createdAt: s.createdAt,
    finalizedAt: s.finalizedAt,
    deadlineHeight: s.deadlineHeight,
    error: s.error,
    encoded: encodeSession({
      sessionId,
      serviceId: s.serviceId,
      epoch: s.epoch,
      committee: s.committee,
      state: s.state as never,
      currentStep: s.currentStep,
      outputHash: s.outputHash,
      oracleRoot: s.oracleRoot,
      receiptsRoot: s.receiptsRoot,
      createdAt: s.createdAt * MS_TO_NS,
      finalizedAt: s.finalizedAt * MS_TO_NS,
      error: s.error,
    }),
  };
}

export const requestView = t.struct({
  requestId: t.bytes32,
  sessionId: t.bytes32,
  stepIndex: t.uint32,
  retry: t.uint32,
  kind: t.string(16),
  input: t.bytes(),
  createdAt: t.uint64,
  createdHeight: t.uint64,
  recordCount: t.uint32,
  committed: t.bool,
  recordsRoot: t.bytes32,
  dataRoot: t.bytes32,
  windowStart: t.uint64,
  windowEnd: t.uint64,
  /** Rules 2: the output a quorum of the committed records agree on (null before the commit). */
  attestedOutput: t.optional(t.bytes32),
});
export type RequestView = Infer<typeof requestView>;

export function toRequestView(requestId: Id32, r: RequestRecord, attestedOutput: Id32 | undefined): RequestView {
  return { requestId, ...r, kind: stepKindName(r.kind), attestedOutput: attestedOutput ?? null };
}

export const stepView = t.struct({
  sessionId: t.bytes32,
  stepIndex: t.uint32,
  kind: t.string(16),
  requestId: t.bytes32,
  retry: t.uint32,
  txId: t.bytes32,
  inputHash: t.bytes32,
  outputHash: t.bytes32,
  oracleCommitRoot: t.bytes32,
  attestationId: t.bytes32,
  state: t.string(16),
  startedAt: t.uint64,
  completedAt: t.uint64,
  startedHeight: t.uint64,
  deadlineHeight: t.uint64,
  /** The S1 step record (218 bytes), timestamps in unix nanoseconds. */
  encoded: t.bytes(),
  request: t.optional(requestView),
});
export type StepView = Infer<typeof stepView>;

export function toStepView(sessionId: Id32, index: number, s: StepRecord, request: RequestView | null): StepView {
  return {
    sessionId,
    stepIndex: index,
    kind: stepKindName(s.kind),
    requestId: s.requestId,
    retry: s.retry,
    txId: s.txId,
    inputHash: s.inputHash,
    outputHash: s.outputHash,
    oracleCommitRoot: s.oracleCommitRoot,
    attestationId: s.attestationId,
    state: stepStateName(s.state),
    startedAt: s.startedAt,
    completedAt: s.completedAt,
    startedHeight: s.startedHeight,
    deadlineHeight: s.deadlineHeight,
    encoded: encodeStep({
      stepIndex: index,
      kind: s.kind as never,
      requestId: s.requestId,
      retryIndex: s.retry,
      txId: s.txId,
      inputHash: s.inputHash,
      outputHash: s.outputHash,
      oracleCommitRoot: s.oracleCommitRoot,
      attestationId: s.attestationId,
      state: s.state as never,
      startedAt: s.startedAt * MS_TO_NS,
      completedAt: s.completedAt * MS_TO_NS,
    }),
    request,
  };
}

export const recordView = t.struct({
  index: t.uint32,
  nodeId: t.bytes32,
  executor: t.address,
  timestamp: t.uint64,
  endpoint: t.bytes(),
  body: t.bytes(),
  bodyHash: t.bytes32,
  resultCode: t.uint32,
  externalRef: t.bytes(),
  leaf: t.bytes32,
  recordId: t.bytes32,
});
export type RecordView = Infer<typeof recordView>;

export function toRecordView(index: number, r: OracleRecordRow, body: Uint8Array): RecordView {
  return { index, ...r, body };
}

export const pendingView = t.struct({
  requestId: t.bytes32,
  sessionId: t.bytes32,
  stepIndex: t.uint32,
  retry: t.uint32,
  kind: t.string(16),
  input: t.bytes(),
  epoch: t.uint64,
  committee: ids,
  createdAt: t.uint64,
  deadlineHeight: t.uint64,
  recordCount: t.uint32,
  committed: t.bool,
  recordsRoot: t.bytes32,
  /** Rules 2: the output a quorum of the committed records agree on (null before the commit). */
  attestedOutput: t.optional(t.bytes32),
  /** Whether the node asked about has submitted its record / its share. */
  recorded: t.bool,
  shared: t.bool,
  shares: t.uint32,
});
export type PendingView = Infer<typeof pendingView>;

export const finalizationView = t.struct({
  sessionId: t.bytes32,
  epoch: t.uint64,
  committee: ids,
  outputHash: t.bytes32,
  oracleRoot: t.bytes32,
  receiptsRoot: t.bytes32,
  commitRoot: t.bytes32,
  shared: t.bool,
  shares: t.uint32,
});
export type FinalizationView = Infer<typeof finalizationView>;

export const nodeView = t.struct({
  nodeId: t.bytes32,
  publicKey: t.bytes(),
  operator: t.address,
  endpoint: t.string(256),
  stake: t.uint256,
  status: t.string(16),
  registeredHeight: t.uint64,
  lastSeenHeight: t.uint64,
  exitHeight: t.uint64,
  reason: t.string(256),
});
export type NodeView = Infer<typeof nodeView>;

export function toNodeView(nodeId: Id32, publicKey: Uint8Array, n: NodeRecord): NodeView {
  return { nodeId, publicKey, ...n, status: nodeStatusName(n.status) };
}

export const committeeView = t.struct({
  sessionId: t.bytes32,
  epoch: t.uint64,
  members: t.list(t.struct({ nodeId: t.bytes32, operator: t.address, endpoint: t.string(256), status: t.string(16) }), 64),
  size: t.uint32,
  quorum: t.uint32,
});
export type CommitteeView = Infer<typeof committeeView>;

export const beaconView = t.struct({ epoch: t.uint64, randomness: t.bytes32, previous: t.bytes32, beaconId: t.bytes32, height: t.uint64 });
export const toBeaconView = (b: BeaconRecord) => b;

export const shareView = t.struct({ nodeId: t.bytes32, publicKey: t.bytes(), signature: t.bytes() });
export type ShareView = Infer<typeof shareView>;

export const receiptView = t.struct({
  index: t.uint32,
  receiptId: t.bytes32,
  stepIndex: t.uint32,
  messageHash: t.bytes32,
  senderId: t.bytes32,
  receiverId: t.bytes32,
  submitter: t.bytes32,
  height: t.uint64,
});
export const toReceiptView = (index: number, r: ReceiptRecord) => ({ index, ...r });

export const proofView = t.struct({ leafIndex: t.uint32, siblings: t.list(t.bytes32, 64), isLeft: t.list(t.bool, 64) });
export const toProofView = (p: MerkleProof) => p;

export const attestationView = t.struct({
  attestationId: t.bytes32,
  domain: t.string(64),
  subjectId: t.bytes32,
  commitRoot: t.bytes32,
  epoch: t.uint64,
  signers: ids,
  height: t.uint64,
});

/**
 * State layout of the workload-session module. Keys start with the ASCII namespaces of spec §1.8
 * (`session:`, `step:`, `oracle:`, `receipt:`, `attest:`, `node:`, `epoch:`) plus a few of our own
 * for indexes; values are RLP structs. Fixed-width parts make every key layout unambiguous.
 */
import { concat, u32be, u64be, utf8, type Infer, t } from '../../../chain/index.js';
import type { StateReader, StateWriter } from '../../../chain/index.js';
import { LIMITS } from './params.js';
import type { Id32 } from './types.js';

const ns = (s: string) => utf8(s);
const NS = {
  session: ns('session:'),
  step: ns('step:'),
  request: ns('oracle:req:'),
  record: ns('oracle:rec:'),
  recordBody: ns('oracle:body:'),
  recordBy: ns('oracle:by:'),
  requestOutput: ns('oracle:out:'),
  share: ns('attest:share:'),
  shareList: ns('attest:shares:'),
  attestation: ns('attest:'),
  receipt: ns('receipt:'),
  receiptById: ns('receipt:id:'),
  blockReceipts: ns('receipt:block'),
  blockReceipt: ns('receipt:block:'),
  node: ns('node:'),
  nodeKey: ns('node:key:'),
  endpoint: ns('node:endpoint:'),
  epoch: ns('epoch:'),
  latestEpoch: ns('epoch:latest'),
  mix: ns('epoch:mix'),
  due: ns('due:'),
  dueCursor: ns('due:cursor'),
  set: ns('set:'),
} as const;

export const keys = {
  session: (id: Id32) => concat(NS.session, id),
  step: (sessionId: Id32, index: number) => concat(NS.step, sessionId, u32be(index)),
  request: (requestId: Id32) => concat(NS.request, requestId),
  record: (requestId: Id32, index: number) => concat(NS.record, requestId, u32be(index)),
  recordBody: (requestId: Id32, index: number) => concat(NS.recordBody, requestId, u32be(index)),
  recordBy: (requestId: Id32, nodeId: Id32) => concat(NS.recordBy, requestId, nodeId),
  /** Rules version 2: the output a quorum of the request's records agree on (written at commit). */
  requestOutput: (requestId: Id32) => concat(NS.requestOutput, requestId),
  share: (subjectId: Id32, nodeId: Id32) => concat(NS.share, subjectId, nodeId),
  shareList: (subjectId: Id32) => concat(NS.shareList, subjectId),
  attestation: (id: Id32) => concat(NS.attestation, id),
  receipt: (sessionId: Id32, index: number) => concat(NS.receipt, sessionId, u32be(index)),
  receiptById: (receiptId: Id32) => concat(NS.receiptById, receiptId),
  blockReceipts: () => NS.blockReceipts,
  blockReceipt: (index: number) => concat(NS.blockReceipt, u32be(index)),
  node: (nodeId: Id32) => concat(NS.node, nodeId),
  nodeKey: (nodeId: Id32) => concat(NS.nodeKey, nodeId),
  endpoint: (endpointHash: Id32) => concat(NS.endpoint, endpointHash),
  epoch: (epoch: bigint) => concat(NS.epoch, u64be(epoch)),
  latestEpoch: () => NS.latestEpoch,
  mix: () => NS.mix,
  dueCount: (height: bigint) => concat(NS.due, u64be(height)),
  dueEntry: (height: bigint, index: number) => concat(NS.due, u64be(height), u32be(index)),
  dueCursor: () => NS.dueCursor,
  setHead: (name: string) => concat(NS.set, utf8(name)),
  setLink: (name: string, item: Id32) => concat(NS.set, utf8(name), utf8(':'), item),
};

export const ENDPOINT_MAX = 256;
export const REASON_MAX = 256;
const committeeList = t.list(t.bytes32, LIMITS.committeeMax);

export const sessionRecord = t.struct({
  serviceId: t.bytes32,
  epoch: t.uint64,
  txId: t.bytes32,
  owner: t.address,
  committee: committeeList,
  state: t.uint8,
  currentStep: t.uint32,
  stepCount: t.uint32,
  receiptCount: t.uint32,
  outputHash: t.bytes32,
  oracleRoot: t.bytes32,
  receiptsRoot: t.bytes32,
  /** The owner's proposed output once finalization is requested. */
  proposedOutput: t.optional(t.bytes32),
  createdHeight: t.uint64,
  /** Block times, unix ms. */
  createdAt: t.uint64,
  finalizedAt: t.uint64,
  deadlineHeight: t.uint64,
  error: t.string(REASON_MAX),
});
export type SessionRecord = Infer<typeof sessionRecord>;

export const stepRecord = t.struct({
  kind: t.uint8,
  requestId: t.bytes32,
  retry: t.uint32,
  txId: t.bytes32,
  inputHash: t.bytes32,
  outputHash: t.bytes32,
  oracleCommitRoot: t.bytes32,
  attestationId: t.bytes32,
  state: t.uint8,
  startedAt: t.uint64,
  completedAt: t.uint64,
  startedHeight: t.uint64,
  deadlineHeight: t.uint64,
});
export type StepRecord = Infer<typeof stepRecord>;

export const requestRecord = t.struct({
  sessionId: t.bytes32,
  stepIndex: t.uint32,
  retry: t.uint32,
  kind: t.uint8,
  input: t.bytes(LIMITS.maxInputBytes),
  createdAt: t.uint64,
  createdHeight: t.uint64,
  recordCount: t.uint32,
  committed: t.bool,
  /** Tree (b) root over the records (the step's oracle commit root). */
  recordsRoot: t.bytes32,
  /** Tree (a) root over the records' body hashes. */
  dataRoot: t.bytes32,
  windowStart: t.uint64,
  windowEnd: t.uint64,
});
export type RequestRecord = Infer<typeof requestRecord>;

export const oracleRecordRow = t.struct({
  nodeId: t.bytes32,
  executor: t.address,
  timestamp: t.uint64,
  endpoint: t.bytes(ENDPOINT_MAX),
  bodyHash: t.bytes32,
  resultCode: t.uint32,
  externalRef: t.bytes(ENDPOINT_MAX),
  leaf: t.bytes32,
  recordId: t.bytes32,
});
export type OracleRecordRow = Infer<typeof oracleRecordRow>;

export const attestationRecord = t.struct({
  domain: t.string(64),
  subjectId: t.bytes32,
  commitRoot: t.bytes32,
  epoch: t.uint64,
  signers: committeeList,
  height: t.uint64,
});
export type AttestationRecord = Infer<typeof attestationRecord>;

export const receiptRecord = t.struct({
  receiptId: t.bytes32,
  stepIndex: t.uint32,
  messageHash: t.bytes32,
  senderId: t.bytes32,
  receiverId: t.bytes32,
  submitter: t.bytes32,
  height: t.uint64,
});
export type ReceiptRecord = Infer<typeof receiptRecord>;

export const blockReceiptsHeader = t.struct({ height: t.uint64, count: t.uint32 });

export const nodeRecord = t.struct({
  operator: t.address,
  endpoint: t.string(ENDPOINT_MAX),
  stake: t.uint256,
  status: t.uint8,
  registeredHeight: t.uint64,
  lastSeenHeight: t.uint64,
  exitHeight: t.uint64,
  /** `suspend_reason`, or the slash evidence ID (hex) once slashed. */
  reason: t.string(REASON_MAX),
});
export type NodeRecord = Infer<typeof nodeRecord>;

export const beaconRecord = t.struct({
  epoch: t.uint64,
  randomness: t.bytes32,
  previous: t.bytes32,
  beaconId: t.bytes32,
  height: t.uint64,
});
export type BeaconRecord = Infer<typeof beaconRecord>;

export const DueKind = { session: 0, step: 1 } as const;
export const dueEntry = t.struct({ kind: t.uint8, sessionId: t.bytes32, stepIndex: t.uint32, retry: t.uint32 });
export type DueEntry = Infer<typeof dueEntry>;
export const dueCursor = t.struct({ height: t.uint64, index: t.uint32 });

export const shareList = committeeList;

export type { StateReader, StateWriter };

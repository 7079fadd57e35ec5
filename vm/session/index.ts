/**
 * Public API of the session area (`sessionchain/session`).
 *
 *  - PQ identity and the messaging SessionVM: `generateIdentity(seed?)`, `encryptTo` / `decryptFrom`,
 *    `signMessage` / `verifyMessage`, the messaging module and its client.
 *  - Workload sessions: identifiers, the two Merkle trees, quorum and committee assignment, the S1
 *    binary codecs, attestations, the `sessionwork` module, and the reference committee worker.
 */
export * from './identity.js';
export * from './messaging/index.js';
export {
  computeSessionId,
  computeOracleRequestId,
  attestationId,
  attestationPreimage,
  domainSeparator,
  oracleRecordId,
  receiptId,
  epochBeaconId,
  epochBeaconSubject,
  epochBeaconCommit,
  sessionCompleteCommit,
  nodeIdFromPublicKey,
} from './work/ids.js';
export {
  merkleRoot,
  merkleProof,
  verifyMerkleProof,
  oracleRecordsRoot,
  oracleRecordsProof,
  oracleRecordLeaf,
  oracleRecordPreimage,
  ZERO_ID,
  type MerkleProof,
  type OracleRecord,
} from './work/merkle.js';
export { quorumSize, isQuorum, assignCommittee, committeeSeed, MIN_COMMITTEE_SIZE, MAX_COMMITTEE_SIZE, type CommitteeBounds } from './work/committee.js';
export {
  encodeStep,
  decodeStep,
  encodeSession,
  decodeSession,
  STEP_RECORD_BYTES,
  SESSION_RECORD_BASE_BYTES,
  type Step,
  type Session,
  type StepInput,
  type SessionInput,
} from './work/codec.js';
export {
  signAttestation,
  checkAttestation,
  validateAttestationForStep,
  detectEquivocation,
  MLDSA65_SIGNATURE_BYTES,
  type Attestation,
  type AttestationSignature,
  type AttestationSummary,
  type EquivocationEvidence,
} from './work/attestation.js';
export {
  SessionState,
  StepKind,
  StepState,
  NodeStatus,
  ATTESTATION_DOMAINS,
  requiresOracle,
  domainForStepKind,
  isAttestationDomain,
  type AttestationDomain,
  type Id32,
  type SessionStateName,
  type StepKindName,
  type StepStateName,
  type NodeStatusName,
} from './work/types.js';
export { newOracleStep, type NewOracleStep } from './work/steps.js';
export { sessionWorkModule, SESSION_WORK_ADDRESS, SESSION_WORK_MODULE } from './work/module.js';
export { proofOfPossessionMessage } from './work/registry.js';
export { equivocationEvidenceId } from './work/evidence.js';
export { DEFAULT_WORK_PARAMS, parseWorkParams, WORK_RULES, CURRENT_WORK_RULES, type WorkParams } from './work/params.js';
export { agreedOutput, sessionOutput, type AgreedOutput } from './work/outputs.js';
export type { SessionView as WorkSessionView, StepView, RequestView, RecordView, PendingView, FinalizationView, NodeView, CommitteeView, ShareView } from './work/views.js';
export { workQueries } from './work/queries.js';

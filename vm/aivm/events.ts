/** The AIVM module's events; task ids, providers and specs are indexed topics. */
import { t } from '../../chain/index.js';
import type { EventDef } from '../../chain/index.js';

const ev = (fields: Parameters<typeof t.struct>[0], indexed: string[] = []): EventDef => ({ fields: t.struct(fields), indexed });
const { address, bytes32, uint256, uint64, uint32, uint8, bool } = t;

export const events: Record<string, EventDef> = {
  ProviderRegistered: ev({ provider: address, spec: bytes32, stake: uint256 }, ['provider', 'spec']),
  ProviderDeregistered: ev({ provider: address, withdrawableAt: uint64 }, ['provider']),
  StakeWithdrawn: ev({ provider: address, amount: uint256 }, ['provider']),
  RewardsClaimed: ev({ account: address, amount: uint256 }, ['account']),
  TaskCreated: ev(
    { taskId: bytes32, requester: address, mode: uint8, spec: bytes32, prompt: bytes32, n: uint32, threshold: uint32, intentId: bytes32, deadline: uint64 },
    ['taskId', 'requester', 'spec'],
  ),
  OperatorSelected: ev({ taskId: bytes32, operator: address, index: uint32 }, ['taskId', 'operator']),
  Committed: ev({ taskId: bytes32, operator: address, commit: bytes32 }, ['taskId', 'operator']),
  Revealed: ev({ taskId: bytes32, operator: address, output: bytes32 }, ['taskId', 'operator']),
  Slashed: ev({ taskId: bytes32, operator: address, amount: uint256 }, ['taskId', 'operator']),
  TaskSettled: ev({ taskId: bytes32, status: uint8, canonical: bytes32, winners: uint32, slashed: uint256 }, ['taskId']),
  ReceiptAppended: ev({ taskId: bytes32, receiptHash: bytes32, index: uint32, root: bytes32 }, ['taskId']),
  ResultPosted: ev({ taskId: bytes32, provider: address, outputHash: bytes32, bond: uint256, challengeDeadline: uint64 }, ['taskId', 'provider']),
  Challenged: ev({ taskId: bytes32, challenger: address, claimedOutput: bytes32, bond: uint256 }, ['taskId', 'challenger']),
  Reexecuted: ev({ taskId: bytes32, output: t.uint8, outputHash: bytes32 }, ['taskId']),
  Escalated: ev({ taskId: bytes32, quorumTask: bytes32 }, ['taskId']),
  EscalationImpossible: ev({ taskId: bytes32, reason: t.string() }, ['taskId']),
  DisputeResolved: ev({ taskId: bytes32, canonical: bytes32, providerWon: bool, challengerWon: bool }, ['taskId']),
  DisputeUndecided: ev({ taskId: bytes32 }, ['taskId']),
  ResultFinalized: ev({ taskId: bytes32, provider: address, outputHash: bytes32 }, ['taskId', 'provider']),
  TaskExpired: ev({ taskId: bytes32, provider: address }, ['taskId', 'provider']),
  MiningReward: ev({ taskId: bytes32, provider: address, amount: uint256, formula: uint256 }, ['taskId', 'provider']),
  IntentCommitted: ev({ intentId: bytes32, caller: address, cTx: bytes32, callIndex: uint32 }, ['intentId', 'caller']),
  IntentImported: ev({ intentId: bytes32, taskId: bytes32 }, ['intentId', 'taskId']),
  ModelRegistered: ev({ modelRoot: bytes32, owner: address, weightHash: bytes32, executable: bool }, ['modelRoot', 'owner']),
  ModelWeightsUpdated: ev({ modelRoot: bytes32, weightHash: bytes32, version: uint64 }, ['modelRoot']),
  ModelLicenseUpdated: ev({ modelRoot: bytes32, licenseRoot: bytes32 }, ['modelRoot']),
  ModelTransferred: ev({ modelRoot: bytes32, from: address, to: address }, ['modelRoot', 'from', 'to']),
  AttestationRegistered: ev({ provider: address, digest: bytes32, measurement: bytes32, bindingHash: bytes32, expiryNs: uint64 }, ['provider', 'digest']),
  MeasurementAllowed: ev({ spec: bytes32, measurement: bytes32, trust: uint8 }, ['spec']),
  EpochClosed: ev({ epoch: uint64, height: uint64, stateRoot: bytes32 }, ['epoch']),
  DeadlineFailed: ev({ taskId: bytes32, kind: uint8, error: t.string() }, ['taskId']),
  // Rules 2.
  AttestingKeyCertified: ev({ keyHash: bytes32, measurement: bytes32, kind: uint32, notAfterNs: uint64, vendor: t.string() }, ['keyHash']),
  TeePolicyChanged: ev({ modelRoot: bytes32, requireTee: bool }, ['modelRoot']),
  DisputeAwaitingEvidence: ev({ taskId: bytes32, deadline: uint64, reason: t.string() }, ['taskId']),
  DisputeSubstantiated: ev({ taskId: bytes32, by: address, canonical: bytes32 }, ['taskId', 'by']),
  DisputeUnsubstantiated: ev({ taskId: bytes32, provider: address, challenger: address, burned: uint256 }, ['taskId']),
  AnchorArenaNearCapacity: ev({ used: uint32, capacity: uint32, height: uint64 }),
  AnchorArenaFull: ev({ used: uint32, capacity: uint32, height: uint64 }),
  AnchorArenaRotated: ev({ segment: uint32, anchors: uint32, auditRoot: bytes32, reason: t.string() }, ['segment']),
};

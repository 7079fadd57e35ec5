/** Events of the workload-session module. Indexed fields become 32-byte topics. */
import { t } from '../../../chain/index.js';
import type { EventDef } from '../../../chain/index.js';
import { REASON_MAX } from './state.js';

export const workEvents: Record<string, EventDef> = {
  NodeRegistered: { fields: t.struct({ nodeId: t.bytes32, operator: t.address, endpoint: t.string(256), stake: t.uint256 }), indexed: ['nodeId', 'operator'] },
  NodeStatusChanged: { fields: t.struct({ nodeId: t.bytes32, status: t.uint8, reason: t.string(REASON_MAX) }), indexed: ['nodeId'] },
  StakeWithdrawn: { fields: t.struct({ nodeId: t.bytes32, operator: t.address, amount: t.uint256 }), indexed: ['nodeId', 'operator'] },
  NodeSlashed: { fields: t.struct({ nodeId: t.bytes32, reporter: t.address, evidenceId: t.bytes32, penalty: t.uint256, reward: t.uint256 }), indexed: ['nodeId', 'reporter'] },
  EpochBeacon: { fields: t.struct({ epoch: t.uint64, beaconId: t.bytes32, randomness: t.bytes32, previous: t.bytes32 }), indexed: ['epoch'] },
  SessionCreated: { fields: t.struct({ sessionId: t.bytes32, serviceId: t.bytes32, owner: t.address, epoch: t.uint64, committee: t.list(t.bytes32, 64) }), indexed: ['sessionId', 'serviceId'] },
  SessionStarted: { fields: t.struct({ sessionId: t.bytes32 }), indexed: ['sessionId'] },
  OracleRequested: {
    fields: t.struct({ requestId: t.bytes32, sessionId: t.bytes32, stepIndex: t.uint32, retry: t.uint32, kind: t.uint8, inputHash: t.bytes32 }),
    indexed: ['requestId', 'sessionId'],
  },
  OracleRecordSubmitted: {
    fields: t.struct({ requestId: t.bytes32, nodeId: t.bytes32, index: t.uint32, recordId: t.bytes32, bodyHash: t.bytes32, resultCode: t.uint32 }),
    indexed: ['requestId', 'nodeId'],
  },
  RecordsCommitted: {
    fields: t.struct({ requestId: t.bytes32, recordsRoot: t.bytes32, dataRoot: t.bytes32, count: t.uint32, windowStart: t.uint64, windowEnd: t.uint64 }),
    indexed: ['requestId'],
  },
  OutputAgreed: { fields: t.struct({ requestId: t.bytes32, outputHash: t.bytes32, votes: t.uint32 }), indexed: ['requestId'] },
  AttestationShare: { fields: t.struct({ subjectId: t.bytes32, nodeId: t.bytes32, domain: t.string(64), count: t.uint32 }), indexed: ['subjectId', 'nodeId'] },
  StepCompleted: {
    fields: t.struct({ sessionId: t.bytes32, stepIndex: t.uint32, requestId: t.bytes32, attestationId: t.bytes32, oracleCommitRoot: t.bytes32, outputHash: t.bytes32 }),
    indexed: ['sessionId'],
  },
  StepFailed: { fields: t.struct({ sessionId: t.bytes32, stepIndex: t.uint32, requestId: t.bytes32, reason: t.string(REASON_MAX) }), indexed: ['sessionId'] },
  FinalizeRequested: {
    fields: t.struct({ sessionId: t.bytes32, outputHash: t.bytes32, oracleRoot: t.bytes32, receiptsRoot: t.bytes32, commitRoot: t.bytes32 }),
    indexed: ['sessionId'],
  },
  SessionFinalized: {
    fields: t.struct({ sessionId: t.bytes32, outputHash: t.bytes32, oracleRoot: t.bytes32, receiptsRoot: t.bytes32, attestationId: t.bytes32 }),
    indexed: ['sessionId'],
  },
  SessionFailed: { fields: t.struct({ sessionId: t.bytes32, reason: t.string(REASON_MAX) }), indexed: ['sessionId'] },
  ReceiptRecorded: { fields: t.struct({ sessionId: t.bytes32, receiptId: t.bytes32, index: t.uint32, stepIndex: t.uint32 }), indexed: ['sessionId', 'receiptId'] },
};

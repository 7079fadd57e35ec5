/**
 * Step construction (S1 `core.NewStep` for oracle steps): the request ID is derived from the
 * session, step index, retry and triggering transaction, and the step starts pending.
 */
import { NamedError } from '../../../chain/index.js';
import { computeOracleRequestId, id32 } from './ids.js';
import { ZERO_ID } from './merkle.js';
import type { Step } from './codec.js';
import { type Id32, requiresOracle, StepKind, type StepKindValue, StepState } from './types.js';

export interface NewOracleStep {
  serviceId: Id32;
  sessionId: Id32;
  stepIndex: number;
  kind: StepKindValue;
  txId: Id32;
  inputHash: Id32;
  retry?: number;
  /** Unix nanoseconds. */
  startedAt?: bigint;
}

export function newOracleStep(s: NewOracleStep): Step {
  if (!requiresOracle(s.kind)) {
    throw new NamedError('InvalidStepKind', `oracle steps are write_external (${StepKind.write_external}) or read_external (${StepKind.read_external}); got ${s.kind}`);
  }
  const retry = s.retry ?? 0;
  return {
    stepIndex: s.stepIndex,
    kind: s.kind,
    requestId: computeOracleRequestId(s.serviceId, s.sessionId, s.stepIndex, retry, s.txId),
    retryIndex: retry,
    txId: id32(s.txId, 'txId').slice(),
    inputHash: id32(s.inputHash, 'inputHash').slice(),
    outputHash: ZERO_ID.slice(),
    oracleCommitRoot: ZERO_ID.slice(),
    attestationId: ZERO_ID.slice(),
    state: StepState.pending,
    startedAt: s.startedAt ?? 0n,
    completedAt: 0n,
  };
}

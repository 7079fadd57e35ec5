/**
 * The S1 binary codecs of spec session.md §1.8 (big-endian throughout):
 *
 *   step    (218 bytes): u32 idx ‖ u8 kind ‖ request_id32 ‖ u32 retry ‖ tx32 ‖ input32 ‖ output32 ‖
 *                        oracle_commit32 ‖ attestation32 ‖ u8 state ‖ u64 started ‖ u64 completed
 *   session (197 + 32n + |error| bytes): id32 ‖ service32 ‖ u64 epoch ‖ u32 n ‖ n×32 committee ‖
 *                        u8 state ‖ u32 current_step ‖ output32 ‖ oracle_root32 ‖ receipts_root32 ‖
 *                        i64 created_unixnano ‖ i64 finalized_unixnano ‖ u32 len ‖ error bytes
 *
 * Timestamps are unix nanoseconds; an unset time encodes as 0 ([P]: upstream writes Go's garbage
 * zero-time UnixNano). Absent hashes are the zero ID, as Go zero values. Decoding checks sizes
 * exactly and, unlike upstream, also returns the timestamps and the error.
 */
import { concat, fromUtf8, readU32be, readU64be, u32be, u64be, utf8, NamedError } from '../../../chain/index.js';
import { id32, u32, u64 } from './ids.js';
import { ZERO_ID } from './merkle.js';
import {
  enumValue,
  type Id32,
  SessionState,
  type SessionStateName,
  type SessionStateValue,
  StepKind,
  type StepKindName,
  type StepKindValue,
  StepState,
  type StepStateName,
  type StepStateValue,
} from './types.js';

export const STEP_RECORD_BYTES = 218;
/** Session record size without committee members and error text. */
export const SESSION_RECORD_BASE_BYTES = 197;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const MAX_ERROR_BYTES = 0xffff_ffff;

export interface Step {
  stepIndex: number;
  kind: StepKindValue;
  requestId: Id32;
  retryIndex: number;
  txId: Id32;
  inputHash: Id32;
  outputHash: Id32;
  oracleCommitRoot: Id32;
  attestationId: Id32;
  state: StepStateValue;
  /** Unix nanoseconds (u64); 0 when unset. */
  startedAt: bigint;
  completedAt: bigint;
}

export interface Session {
  sessionId: Id32;
  serviceId: Id32;
  epoch: bigint;
  committee: Id32[];
  state: SessionStateValue;
  currentStep: number;
  outputHash: Id32;
  oracleRoot: Id32;
  receiptsRoot: Id32;
  /** Unix nanoseconds (i64); 0 when unset. */
  createdAt: bigint;
  finalizedAt: bigint;
  error: string;
}

/** What `encodeStep` accepts: states and kinds by name or number, `index`/`retry` aliases, zero defaults. */
export type StepInput = Partial<Omit<Step, 'kind' | 'state' | 'startedAt' | 'completedAt'>> & {
  index?: number;
  retry?: number;
  kind: StepKindValue | StepKindName;
  state?: StepStateValue | StepStateName;
  startedAt?: bigint | number | Date | null;
  completedAt?: bigint | number | Date | null;
};

export type SessionInput = Partial<Omit<Session, 'state' | 'epoch' | 'createdAt' | 'finalizedAt' | 'error'>> & {
  id?: Id32;
  epoch: bigint | number;
  state?: SessionStateValue | SessionStateName;
  createdAt?: bigint | number | Date | null;
  finalizedAt?: bigint | number | Date | null;
  error?: string | null;
};

const opt32 = (v: Id32 | undefined, what: string): Id32 => (v === undefined || v === null ? ZERO_ID : id32(v, what));

/** Unix nanoseconds from a bigint/number (already nanoseconds) or a Date. */
function nanos(v: bigint | number | Date | null | undefined, what: string, signed: boolean): bigint {
  if (v === undefined || v === null) return 0n;
  const n = v instanceof Date ? BigInt(v.getTime()) * 1_000_000n : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof n !== 'bigint') throw new NamedError('InvalidInteger', `${what} must be unix nanoseconds (bigint) or a Date`);
  if (signed ? n < I64_MIN || n > I64_MAX : n < 0n || n >= 1n << 64n) throw new NamedError('InvalidInteger', `${what} is out of range`);
  return n;
}

function i64be(v: bigint): Uint8Array {
  return u64be(BigInt.asUintN(64, v));
}

export function encodeStep(step: StepInput): Uint8Array {
  const idx = step.stepIndex ?? step.index ?? 0;
  const retry = step.retryIndex ?? step.retry ?? 0;
  return concat(
    u32be(u32(idx, 'stepIndex')),
    new Uint8Array([enumValue(StepKind, step.kind, 'step kind')]),
    opt32(step.requestId, 'requestId'),
    u32be(u32(retry, 'retryIndex')),
    opt32(step.txId, 'txId'),
    opt32(step.inputHash, 'inputHash'),
    opt32(step.outputHash, 'outputHash'),
    opt32(step.oracleCommitRoot, 'oracleCommitRoot'),
    opt32(step.attestationId, 'attestationId'),
    new Uint8Array([enumValue(StepState, step.state ?? 'pending', 'step state')]),
    u64be(nanos(step.startedAt, 'startedAt', false)),
    u64be(nanos(step.completedAt, 'completedAt', false)),
  );
}

export function decodeStep(bytes: Uint8Array): Step {
  if (!(bytes instanceof Uint8Array) || bytes.length !== STEP_RECORD_BYTES) {
    throw new NamedError('InvalidEncoding', `a step record is ${STEP_RECORD_BYTES} bytes${bytes instanceof Uint8Array ? `, got ${bytes.length}` : ''}`);
  }
  let off = 0;
  const take = (n: number) => bytes.slice(off, (off += n));
  const stepIndex = readU32be(take(4));
  const kind = enumValue(StepKind, take(1)[0], 'step kind');
  const requestId = take(32);
  const retryIndex = readU32be(take(4));
  const txId = take(32);
  const inputHash = take(32);
  const outputHash = take(32);
  const oracleCommitRoot = take(32);
  const attestationId = take(32);
  const state = enumValue(StepState, take(1)[0], 'step state');
  const startedAt = readU64be(take(8));
  const completedAt = readU64be(take(8));
  return { stepIndex, kind, requestId, retryIndex, txId, inputHash, outputHash, oracleCommitRoot, attestationId, state, startedAt, completedAt };
}

export function encodeSession(session: SessionInput): Uint8Array {
  const id = session.sessionId ?? session.id;
  const committee = session.committee ?? [];
  if (!Array.isArray(committee)) throw new NamedError('InvalidArgument', 'committee must be an array of 32-byte node IDs');
  const error = utf8(session.error ?? '');
  if (error.length > MAX_ERROR_BYTES) throw new NamedError('InvalidArgument', 'error text is too long');
  return concat(
    id32(id, 'sessionId'),
    opt32(session.serviceId, 'serviceId'),
    u64be(u64(session.epoch, 'epoch')),
    u32be(committee.length),
    ...committee.map((m, i) => id32(m, `committee[${i}]`)),
    new Uint8Array([enumValue(SessionState, session.state ?? 'pending', 'session state')]),
    u32be(u32(session.currentStep ?? 0, 'currentStep')),
    opt32(session.outputHash, 'outputHash'),
    opt32(session.oracleRoot, 'oracleRoot'),
    opt32(session.receiptsRoot, 'receiptsRoot'),
    i64be(nanos(session.createdAt, 'createdAt', true)),
    i64be(nanos(session.finalizedAt, 'finalizedAt', true)),
    u32be(error.length),
    error,
  );
}

export function decodeSession(bytes: Uint8Array): Session {
  const fail = (why: string) => new NamedError('InvalidEncoding', `session record: ${why}`);
  if (!(bytes instanceof Uint8Array)) throw fail('expected bytes');
  let off = 0;
  const take = (n: number) => {
    if (off + n > bytes.length) throw fail(`truncated at byte ${off}`);
    return bytes.slice(off, (off += n));
  };
  const sessionId = take(32);
  const serviceId = take(32);
  const epoch = readU64be(take(8));
  const n = readU32be(take(4));
  if (n > (bytes.length - off) / 32) throw fail(`committee size ${n} does not fit the record`);
  const committee: Id32[] = [];
  for (let i = 0; i < n; i++) committee.push(take(32));
  const state = enumValue(SessionState, take(1)[0], 'session state');
  const currentStep = readU32be(take(4));
  const outputHash = take(32);
  const oracleRoot = take(32);
  const receiptsRoot = take(32);
  const createdAt = BigInt.asIntN(64, readU64be(take(8)));
  const finalizedAt = BigInt.asIntN(64, readU64be(take(8)));
  const len = readU32be(take(4));
  const errBytes = take(len);
  if (off !== bytes.length) throw fail(`${bytes.length - off} trailing bytes`);
  let error: string;
  try {
    error = fromUtf8(errBytes);
  } catch {
    throw fail('error text is not UTF-8');
  }
  return { sessionId, serviceId, epoch, committee, state, currentStep, outputHash, oracleRoot, receiptsRoot, createdAt, finalizedAt, error };
}

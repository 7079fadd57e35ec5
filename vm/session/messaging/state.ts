/**
 * State of the messaging SessionVM, in the module's namespace. One-byte key prefixes:
 *
 *   'S' ‖ sid                     session record
 *   'P' ‖ sid ‖ identity_id       participant (index, ML-KEM key, ML-DSA key)
 *   'M' ‖ sid ‖ u64be(seq)        message
 *   'C'                           counters (stored sessions, open sessions, retained messages)
 *   'Q' ‖ u64be(i), 'q'           message FIFO in send order (for retention pruning) + head/tail
 *   'E' ‖ u64be(i), 'e'           ended sessions FIFO in end order (for pruning) + head/tail
 *   'X' ‖ u64be(h) ‖ u32be(i)     sessions whose expiry height is h; 'N' ‖ u64be(h) their count
 *   'x'                           expiry cursor (next height and index to process)
 *
 * The state API has no range scans, so every collection endBlock walks is a counter-indexed list.
 */
import { CodecError, concat, t, u32be, u64be, type Infer, type RlpItem, type Type } from '../../../chain/index.js';
import type { StateReader, StateWriter } from '../../../chain/index.js';
import { DSA_PUBLIC_KEY_LEN, DSA_SIGNATURE_LEN, KEM_PUBLIC_KEY_LEN } from '../identity.js';
import { SPEC_MAX_CIPHERTEXT, SPEC_MAX_PARTICIPANTS } from './params.js';

export const STATUS_NAMES = ['active', 'closed', 'expired'] as const;
export type SessionStatus = (typeof STATUS_NAMES)[number];
export const STATUS_CODE: Record<SessionStatus, number> = { active: 0, closed: 1, expired: 2 };

/** Stored as a uint8 code, shown in JSON by name. */
export const statusType: Type<SessionStatus> = {
  name: 'status',
  encode: (v) => t.uint8.encode(STATUS_CODE[v]),
  decode(item: RlpItem, path = '') {
    const n = t.uint8.decode(item, path);
    const s = STATUS_NAMES[n];
    if (s === undefined) throw new CodecError(`unknown session status ${n}`, path);
    return s;
  },
  fromJson(v, path = '') {
    if (!STATUS_NAMES.includes(v as SessionStatus)) throw new CodecError(`must be one of ${STATUS_NAMES.join(', ')}`, path);
    return v as SessionStatus;
  },
  toJson: (v) => v,
};

export const envelopeVersionType = t.uint8;

export const sessionRecordType = t.struct({
  creator: t.address,
  createdHeight: t.uint64,
  /** Block time (unix ms) of creation. */
  createdAt: t.uint64,
  /** The first height at which the session no longer accepts messages. */
  expiresHeight: t.uint64,
  status: statusType,
  /** Envelope version its messages use (1 = upstream raw-ss, 2 = HKDF); a client convention. */
  envelopeVersion: envelopeVersionType,
  nextSeq: t.uint64,
  /** Lowest sequence number still stored (earlier ones were pruned). */
  firstSeq: t.uint64,
  /** Block time the session closed or expired; 0 while active. */
  endedAt: t.uint64,
  /** Identity IDs in canonical (ascending) order. */
  participants: t.list(t.bytes32, SPEC_MAX_PARTICIPANTS),
});
export type SessionRecord = Infer<typeof sessionRecordType>;

export const participantRecordType = t.struct({
  index: t.uint8,
  kemKey: t.bytesN(KEM_PUBLIC_KEY_LEN),
  dsaKey: t.bytesN(DSA_PUBLIC_KEY_LEN),
});
export type ParticipantRecord = Infer<typeof participantRecordType>;

export const messageRecordType = t.struct({
  sender: t.bytes32,
  messageId: t.bytes32,
  height: t.uint64,
  timestamp: t.uint64,
  ciphertext: t.bytes(SPEC_MAX_CIPHERTEXT),
  signature: t.bytesN(DSA_SIGNATURE_LEN),
});
export type MessageRecord = Infer<typeof messageRecordType>;

export const countersType = t.struct({ sessions: t.uint64, open: t.uint64, retained: t.uint64 });
export type Counters = Infer<typeof countersType>;
const ZERO_COUNTERS: Counters = { sessions: 0n, open: 0n, retained: 0n };

const queuePointerType = t.struct({ head: t.uint64, tail: t.uint64 });
export type QueuePointer = Infer<typeof queuePointerType>;
const EMPTY_QUEUE: QueuePointer = { head: 0n, tail: 0n };

export const queuedMessageType = t.struct({ sessionId: t.bytes32, seq: t.uint64, timestamp: t.uint64 });
export const endedSessionType = t.struct({ sessionId: t.bytes32, endedAt: t.uint64 });
const expiryCursorType = t.struct({ height: t.uint64, index: t.uint32 });
export type ExpiryCursor = Infer<typeof expiryCursorType>;

const prefix = (c: string) => new Uint8Array([c.charCodeAt(0)]);
const K = {
  session: (sid: Uint8Array) => concat(prefix('S'), sid),
  participant: (sid: Uint8Array, id: Uint8Array) => concat(prefix('P'), sid, id),
  message: (sid: Uint8Array, seq: bigint) => concat(prefix('M'), sid, u64be(seq)),
  counters: prefix('C'),
  msgQueueItem: (i: bigint) => concat(prefix('Q'), u64be(i)),
  msgQueue: prefix('q'),
  endedQueueItem: (i: bigint) => concat(prefix('E'), u64be(i)),
  endedQueue: prefix('e'),
  expiryItem: (h: bigint, i: number) => concat(prefix('X'), u64be(h), u32be(i)),
  expiryCount: (h: bigint) => concat(prefix('N'), u64be(h)),
  expiryCursor: prefix('x'),
};

/** Typed reads over the module's namespace (queries and transactions). */
export class MessagingReader {
  constructor(protected readonly state: StateReader) {}

  session(sid: Uint8Array): Promise<SessionRecord | undefined> {
    return this.state.getValue(sessionRecordType, K.session(sid));
  }
  participant(sid: Uint8Array, id: Uint8Array): Promise<ParticipantRecord | undefined> {
    return this.state.getValue(participantRecordType, K.participant(sid, id));
  }
  message(sid: Uint8Array, seq: bigint): Promise<MessageRecord | undefined> {
    return this.state.getValue(messageRecordType, K.message(sid, seq));
  }
  async counters(): Promise<Counters> {
    return (await this.state.getValue(countersType, K.counters)) ?? { ...ZERO_COUNTERS };
  }
  async msgQueue(): Promise<QueuePointer> {
    return (await this.state.getValue(queuePointerType, K.msgQueue)) ?? { ...EMPTY_QUEUE };
  }
  msgQueueItem(i: bigint) {
    return this.state.getValue(queuedMessageType, K.msgQueueItem(i));
  }
  async endedQueue(): Promise<QueuePointer> {
    return (await this.state.getValue(queuePointerType, K.endedQueue)) ?? { ...EMPTY_QUEUE };
  }
  endedQueueItem(i: bigint) {
    return this.state.getValue(endedSessionType, K.endedQueueItem(i));
  }
  async expiryCount(h: bigint): Promise<number> {
    return (await this.state.getValue(t.uint32, K.expiryCount(h))) ?? 0;
  }
  expiryItem(h: bigint, i: number): Promise<Uint8Array | undefined> {
    return this.state.getValue(t.bytes32, K.expiryItem(h, i));
  }
  expiryCursor(): Promise<ExpiryCursor | undefined> {
    return this.state.getValue(expiryCursorType, K.expiryCursor);
  }
}

/** Typed writes (transactions and endBlock). */
export class MessagingWriter extends MessagingReader {
  constructor(protected override readonly state: StateWriter) {
    super(state);
  }

  putSession(sid: Uint8Array, s: SessionRecord): void {
    this.state.setValue(sessionRecordType, K.session(sid), s);
  }
  deleteSession(sid: Uint8Array): void {
    this.state.delete(K.session(sid));
  }
  putParticipant(sid: Uint8Array, id: Uint8Array, p: ParticipantRecord): void {
    this.state.setValue(participantRecordType, K.participant(sid, id), p);
  }
  deleteParticipant(sid: Uint8Array, id: Uint8Array): void {
    this.state.delete(K.participant(sid, id));
  }
  putMessage(sid: Uint8Array, seq: bigint, m: MessageRecord): void {
    this.state.setValue(messageRecordType, K.message(sid, seq), m);
  }
  deleteMessage(sid: Uint8Array, seq: bigint): void {
    this.state.delete(K.message(sid, seq));
  }
  putCounters(c: Counters): void {
    this.state.setValue(countersType, K.counters, c);
  }
  async adjustCounters(delta: Partial<Record<keyof Counters, bigint>>): Promise<void> {
    const c = await this.counters();
    const next: Counters = {
      sessions: c.sessions + (delta.sessions ?? 0n),
      open: c.open + (delta.open ?? 0n),
      retained: c.retained + (delta.retained ?? 0n),
    };
    if (next.sessions < 0n || next.open < 0n || next.retained < 0n) throw new Error('sessionvm counters went negative');
    this.putCounters(next);
  }

  async enqueueMessage(item: Infer<typeof queuedMessageType>): Promise<void> {
    const q = await this.msgQueue();
    this.state.setValue(queuedMessageType, K.msgQueueItem(q.tail), item);
    this.state.setValue(queuePointerType, K.msgQueue, { head: q.head, tail: q.tail + 1n });
  }
  /** Removes the head item of the message FIFO (the caller read it). */
  popMessageQueue(q: QueuePointer): QueuePointer {
    this.state.delete(K.msgQueueItem(q.head));
    const next = { head: q.head + 1n, tail: q.tail };
    this.state.setValue(queuePointerType, K.msgQueue, next);
    return next;
  }

  async enqueueEnded(item: Infer<typeof endedSessionType>): Promise<void> {
    const q = await this.endedQueue();
    this.state.setValue(endedSessionType, K.endedQueueItem(q.tail), item);
    this.state.setValue(queuePointerType, K.endedQueue, { head: q.head, tail: q.tail + 1n });
  }
  popEndedQueue(q: QueuePointer): QueuePointer {
    this.state.delete(K.endedQueueItem(q.head));
    const next = { head: q.head + 1n, tail: q.tail };
    this.state.setValue(queuePointerType, K.endedQueue, next);
    return next;
  }

  async scheduleExpiry(height: bigint, sid: Uint8Array): Promise<void> {
    const n = await this.expiryCount(height);
    this.state.setValue(t.bytes32, K.expiryItem(height, n), sid);
    this.state.setValue(t.uint32, K.expiryCount(height), n + 1);
  }
  deleteExpiryItem(h: bigint, i: number): void {
    this.state.delete(K.expiryItem(h, i));
  }
  deleteExpiryCount(h: bigint): void {
    this.state.delete(K.expiryCount(h));
  }
  putExpiryCursor(c: ExpiryCursor): void {
    this.state.setValue(expiryCursorType, K.expiryCursor, c);
  }
}

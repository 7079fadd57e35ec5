/**
 * The messaging SessionVM (spec session.md §1.9 [P] "Deterministic SessionVM"): encrypted
 * sessions between post-quantum identities. The chain never sees plaintext; it orders messages,
 * authenticates their senders and enforces the session's life cycle.
 *
 *  - createSession: participants are identities (ML-KEM-768 + ML-DSA-65 keys, registered here;
 *    the identity ID BLAKE2b-256(kem ‖ dsa) names a participant). Anyone may open a session (the
 *    transaction sender pays); the session ID is the [P] formula over creator, creator nonce and
 *    the sorted participants, so it is known before the block. It expires at height + ttlBlocks.
 *  - sendMessage: checks, in order, `unknown session`, `session closed`, `session expired`,
 *    `unauthorized` (sender not a participant), then the limits (`MessageTooLarge`,
 *    `SequenceMismatch`, `TooManyMessages`), then the sender's ML-DSA-65 signature over
 *    "LUX:SessionMsg:v1" ‖ sid ‖ u64be(seq) ‖ ciphertext against the key registered at creation
 *    (`unauthorized` when it fails). Any account may relay a message; authorship is the signature.
 *  - closeSession: a participant's signature over "LUX:SessionClose:v1" ‖ sid; idempotent.
 *  - endBlock: expiries, retention pruning (see maintenance.ts).
 */
import { equals, t, defineModule, method, query, type CallContext, type SignatureCheck } from '../../../chain/index.js';
import { identityId } from '../identity.js';
import { SESSIONVM_ADDRESS, SESSIONVM_NAME } from './address.js';
import { fail, MessagingErrors as E, messagingErrors } from './errors.js';
import { closeSigningPayload, computeMessagingSessionId, messageId, messageSigningPayload, sortParticipants } from './ids.js';
import { runMaintenance } from './maintenance.js';
import { type MessagingParams, parseMessagingParams } from './params.js';
import { messagingRpc } from './rpc.js';
import * as S from './schemas.js';
import { MessagingReader, MessagingWriter, type SessionRecord } from './state.js';

type Ctx = CallContext<MessagingParams>;

async function createSession(ctx: Ctx, args: S.CreateSessionArgs) {
  const p = ctx.params;
  const n = args.participants.length;
  if (n === 0) fail(E.NoParticipants, 'a session needs at least one participant');
  if (n > p.maxParticipants) fail(E.TooManyParticipants, `a session has at most ${p.maxParticipants} participants, got ${n}`, { limit: p.maxParticipants });
  const ttl = args.ttlBlocks === 0n ? p.sessionTtlBlocks : args.ttlBlocks;
  if (ttl > p.maxTtlBlocks) fail(E.TtlTooLong, `ttlBlocks is at most ${p.maxTtlBlocks}, got ${ttl}`, { limit: p.maxTtlBlocks.toString() });
  if (args.envelopeVersion !== 1 && args.envelopeVersion !== 2) fail(E.InvalidEnvelopeVersion, `envelopeVersion must be 1 (upstream) or 2 (HKDF), got ${args.envelopeVersion}`);

  const participants = sortParticipants(args.participants.map((k) => ({ id: identityId(k.kemKey, k.dsaKey), kemKey: k.kemKey, dsaKey: k.dsaKey })));
  for (let i = 1; i < participants.length; i++) {
    if (equals(participants[i]!.id, participants[i - 1]!.id)) fail(E.DuplicateParticipant, 'the same identity is listed twice; list each participant once');
  }
  const st = new MessagingWriter(ctx.state);
  const counters = await st.counters();
  if (counters.open >= p.maxChannels) fail(E.TooManyChannels, `${counters.open} sessions are open, the chain's limit (maxChannels); wait for some to close or expire`, { limit: p.maxChannels.toString() });

  const sid = computeMessagingSessionId(ctx.origin, ctx.tx.nonce, participants);
  if (await st.session(sid)) fail(E.SessionExists, 'this transaction already created a session with these participants');
  const expires = ctx.block.height + ttl;
  const record: SessionRecord = {
    creator: ctx.origin,
    createdHeight: ctx.block.height,
    createdAt: ctx.block.timestamp,
    expiresHeight: expires,
    status: 'active',
    envelopeVersion: args.envelopeVersion,
    nextSeq: 0n,
    firstSeq: 0n,
    endedAt: 0n,
    participants: participants.map((x) => x.id),
  };
  st.putSession(sid, record);
  participants.forEach((x, index) => st.putParticipant(sid, x.id, { index, kemKey: x.kemKey, dsaKey: x.dsaKey }));
  await st.scheduleExpiry(expires, sid);
  await st.adjustCounters({ sessions: 1n, open: 1n });
  ctx.emit('SessionCreated', { sessionId: sid, creator: ctx.origin, expires, participants: n });
  return { sessionId: sid, expires };
}

/** The §1.9 checks shared by every operation on a live session, in order. */
async function requireLiveSession(ctx: Ctx, st: MessagingReader, sid: Uint8Array): Promise<SessionRecord> {
  const s = await st.session(sid);
  if (!s) fail(E.UnknownSession, 'no session with this ID (it may have been pruned after its retention period)');
  if (s.status === 'closed') fail(E.SessionClosed, 'the session was closed; open a new one');
  if (s.status === 'expired' || ctx.block.height >= s.expiresHeight) {
    fail(E.SessionExpired, `the session expired at height ${s.expiresHeight}; open a new one`, { expires: s.expiresHeight.toString() });
  }
  return s;
}

async function sendMessage(ctx: Ctx, args: S.SendMessageArgs) {
  const st = new MessagingWriter(ctx.state);
  const s = await requireLiveSession(ctx, st, args.sessionId);
  const sender = await st.participant(args.sessionId, args.sender);
  if (!sender) fail(E.Unauthorized, 'the sender is not a participant of this session');
  const max = ctx.params.maxCiphertextBytes;
  if (args.ciphertext.length > max) fail(E.MessageTooLarge, `ciphertext is ${args.ciphertext.length} bytes, the limit is ${max}`, { limit: max });
  if (args.seq !== s.nextSeq) {
    fail(E.SequenceMismatch, `message sequence ${args.seq} is not the session's next (${s.nextSeq}); it was replayed or sent out of order`, { expected: s.nextSeq.toString() });
  }
  if (s.nextSeq >= ctx.params.maxMessages) fail(E.TooManyMessages, `the session has carried its ${ctx.params.maxMessages} messages; open a new one`, { limit: ctx.params.maxMessages.toString() });
  if (!equals(args.senderKey, sender.dsaKey)) fail(E.Unauthorized, 'senderKey is not the ML-DSA-65 key registered for the sender');
  if (!ctx.verifyMlDsa(sender.dsaKey, messageSigningPayload(args.sessionId, args.seq, args.ciphertext), args.signature)) {
    fail(E.Unauthorized, "the signature does not verify against the sender's registered ML-DSA-65 key (tampered, or signed by another key)");
  }
  const id = messageId(args.sessionId, args.seq, args.ciphertext);
  st.putMessage(args.sessionId, args.seq, {
    sender: args.sender,
    messageId: id,
    height: ctx.block.height,
    timestamp: ctx.block.timestamp,
    ciphertext: args.ciphertext,
    signature: args.signature,
  });
  st.putSession(args.sessionId, { ...s, nextSeq: s.nextSeq + 1n });
  await st.enqueueMessage({ sessionId: args.sessionId, seq: args.seq, timestamp: ctx.block.timestamp });
  await st.adjustCounters({ retained: 1n });
  ctx.emit('MessageSent', { sessionId: args.sessionId, sender: args.sender, seq: args.seq, messageId: id });
  return { messageId: id, sequence: args.seq };
}

async function closeSession(ctx: Ctx, args: S.CloseSessionArgs) {
  const st = new MessagingWriter(ctx.state);
  const s = await st.session(args.sessionId);
  if (!s) fail(E.UnknownSession, 'no session with this ID (it may have been pruned after its retention period)');
  const who = await st.participant(args.sessionId, args.participant);
  if (!who) fail(E.Unauthorized, 'only a participant may close the session');
  if (!equals(args.participantKey, who.dsaKey)) fail(E.Unauthorized, 'participantKey is not the ML-DSA-65 key registered for the participant');
  if (!ctx.verifyMlDsa(who.dsaKey, closeSigningPayload(args.sessionId), args.signature)) {
    fail(E.Unauthorized, "the close signature does not verify against the participant's registered ML-DSA-65 key");
  }
  // Idempotent: closing a closed or expired session succeeds and changes nothing.
  if (s.status === 'active' && ctx.block.height < s.expiresHeight) {
    const now = ctx.block.timestamp;
    st.putSession(args.sessionId, { ...s, status: 'closed', endedAt: now });
    await st.adjustCounters({ open: -1n });
    await st.enqueueEnded({ sessionId: args.sessionId, endedAt: now });
    ctx.emit('SessionClosed', { sessionId: args.sessionId, participant: args.participant });
  }
  return { success: true };
}

async function sessionView(st: MessagingReader, height: bigint, sid: Uint8Array): Promise<S.SessionView | null> {
  const s = await st.session(sid);
  if (!s) return null;
  const participants: S.ParticipantView[] = [];
  for (const id of s.participants) {
    const p = (await st.participant(sid, id))!;
    participants.push({ id, kemKey: p.kemKey, dsaKey: p.dsaKey });
  }
  const status = s.status === 'active' && height >= s.expiresHeight ? 'expired' : s.status;
  return {
    sessionId: sid,
    creator: s.creator,
    status,
    envelopeVersion: s.envelopeVersion,
    createdHeight: s.createdHeight,
    createdAt: s.createdAt,
    expires: s.expiresHeight,
    nextSeq: s.nextSeq,
    firstSeq: s.firstSeq,
    endedAt: s.endedAt,
    participants,
  };
}

async function messagePage(st: MessagingReader, args: { sessionId: Uint8Array; fromSeq: bigint; limit: number }): Promise<S.MessagePage> {
  if (args.limit > S.MAX_PAGE) fail(E.PageTooLarge, `limit is at most ${S.MAX_PAGE}`);
  const s = await st.session(args.sessionId);
  if (!s) fail(E.UnknownSession, 'no session with this ID (it may have been pruned after its retention period)');
  const limit = BigInt(args.limit === 0 ? S.MAX_PAGE : args.limit);
  let seq = args.fromSeq > s.firstSeq ? args.fromSeq : s.firstSeq;
  const messages: S.MessageView[] = [];
  for (; seq < s.nextSeq && BigInt(messages.length) < limit; seq++) {
    const m = (await st.message(args.sessionId, seq))!;
    messages.push({ seq, sender: m.sender, messageId: m.messageId, height: m.height, timestamp: m.timestamp, ciphertext: m.ciphertext, signature: m.signature });
  }
  return { messages, next: seq > s.nextSeq ? s.nextSeq : seq, firstSeq: s.firstSeq };
}

export const messagingModule = defineModule<MessagingParams>({
  name: SESSIONVM_NAME,
  errors: messagingErrors.names,
  address: SESSIONVM_ADDRESS,
  parseParams: parseMessagingParams,
  events: {
    SessionCreated: { fields: t.struct({ sessionId: t.bytes32, creator: t.address, expires: t.uint64, participants: t.uint8 }), indexed: ['sessionId', 'creator'] },
    MessageSent: { fields: t.struct({ sessionId: t.bytes32, sender: t.bytes32, seq: t.uint64, messageId: t.bytes32 }), indexed: ['sessionId', 'sender'] },
    SessionClosed: { fields: t.struct({ sessionId: t.bytes32, participant: t.bytes32 }), indexed: ['sessionId'] },
    SessionExpired: { fields: t.struct({ sessionId: t.bytes32, height: t.uint64 }), indexed: ['sessionId'] },
    SessionPruned: { fields: t.struct({ sessionId: t.bytes32 }), indexed: ['sessionId'] },
  },
  methods: {
    createSession: method({
      args: S.createSessionArgs,
      returns: S.createSessionResult,
      description: 'Open an encrypted session between identities; returns its ID and expiry height.',
      handler: createSession,
    }),
    sendMessage: method({
      args: S.sendMessageArgs,
      returns: S.sendMessageResult,
      description: "Append a participant's signed ciphertext as the session's next message.",
      handler: sendMessage,
      signatures: (a): SignatureCheck[] => [{ kind: 'ml-dsa', publicKey: a.senderKey, message: messageSigningPayload(a.sessionId, a.seq, a.ciphertext), signature: a.signature }],
    }),
    closeSession: method({
      args: S.closeSessionArgs,
      returns: S.closeSessionResult,
      description: 'Close a session (participants only; closing a closed or expired session succeeds).',
      handler: closeSession,
      signatures: (a): SignatureCheck[] => [{ kind: 'ml-dsa', publicKey: a.participantKey, message: closeSigningPayload(a.sessionId), signature: a.signature }],
    }),
  },
  queries: {
    getSession: query({
      args: S.getSessionArgs,
      returns: t.optional(S.sessionView),
      description: 'A session with its participants and keys, or null.',
      handler: (ctx, { sessionId }) => sessionView(new MessagingReader(ctx.state), ctx.block.height, sessionId),
    }),
    getMessages: query({
      args: S.getMessagesArgs,
      returns: S.messagePage,
      description: `Messages from fromSeq on (at most limit, ≤ ${S.MAX_PAGE}; 0 = ${S.MAX_PAGE}).`,
      handler: (ctx, args) => messagePage(new MessagingReader(ctx.state), args),
    }),
    health: query({
      args: t.none,
      returns: S.healthView,
      description: 'Stored sessions, open sessions (channels) and retained messages (pending).',
      handler: async (ctx) => {
        const c = await new MessagingReader(ctx.state).counters();
        return { healthy: true, sessions: c.sessions, channels: c.open, pending: c.retained };
      },
    }),
  },
  endBlock: runMaintenance,
  rpc: messagingRpc,
});

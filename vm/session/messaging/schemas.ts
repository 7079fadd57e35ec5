/**
 * Argument, return and view types of the messaging SessionVM's methods and queries. Codec bounds
 * are a little above the protocol limits so that an over-limit request decodes and fails with the
 * named limit error (`TooManyParticipants`, `MessageTooLarge`) rather than a generic decoding error.
 */
import { t, type Infer } from '../../../chain/index.js';
import { DSA_PUBLIC_KEY_LEN, DSA_SIGNATURE_LEN, KEM_PUBLIC_KEY_LEN } from '../identity.js';
import { SPEC_MAX_CIPHERTEXT, SPEC_MAX_PARTICIPANTS } from './params.js';
import { statusType } from './state.js';

/** Decoding bounds (the limits themselves are checked by the handlers). */
export const DECODE_MAX_PARTICIPANTS = SPEC_MAX_PARTICIPANTS + 8;
export const DECODE_MAX_CIPHERTEXT = 2 * SPEC_MAX_CIPHERTEXT;
export const MAX_PAGE = 100;

export const participantKeysType = t.struct({ kemKey: t.bytesN(KEM_PUBLIC_KEY_LEN), dsaKey: t.bytesN(DSA_PUBLIC_KEY_LEN) });

export const createSessionArgs = t.struct({
  /** Each participant's identity keys; the identity ID is BLAKE2b-256(kemKey ‖ dsaKey). Any order. */
  participants: t.list(participantKeysType, DECODE_MAX_PARTICIPANTS),
  /** Blocks until expiry; 0 takes the chain's default (`sessionTtlBlocks`). */
  ttlBlocks: t.uint64,
  /** Envelope version the participants' clients use (1 = upstream raw-ss, 2 = HKDF). */
  envelopeVersion: t.uint8,
});
export type CreateSessionArgs = Infer<typeof createSessionArgs>;
export const createSessionResult = t.struct({ sessionId: t.bytes32, expires: t.uint64 });

export const sendMessageArgs = t.struct({
  sessionId: t.bytes32,
  /** The sender's identity ID. */
  sender: t.bytes32,
  /** Must equal the session's next sequence number. */
  seq: t.uint64,
  ciphertext: t.bytes(DECODE_MAX_CIPHERTEXT),
  /**
   * The sender's ML-DSA-65 public key, repeated so the mempool can verify the signature in its
   * worker threads without reading state; it must equal the key registered for `sender`.
   */
  senderKey: t.bytesN(DSA_PUBLIC_KEY_LEN),
  /** ML-DSA-65 over "LUX:SessionMsg:v1" ‖ sessionId ‖ u64be(seq) ‖ ciphertext. */
  signature: t.bytesN(DSA_SIGNATURE_LEN),
});
export type SendMessageArgs = Infer<typeof sendMessageArgs>;
export const sendMessageResult = t.struct({ messageId: t.bytes32, sequence: t.uint64 });

export const closeSessionArgs = t.struct({
  sessionId: t.bytes32,
  /** The closing participant's identity ID. */
  participant: t.bytes32,
  participantKey: t.bytesN(DSA_PUBLIC_KEY_LEN),
  /** ML-DSA-65 over "LUX:SessionClose:v1" ‖ sessionId. */
  signature: t.bytesN(DSA_SIGNATURE_LEN),
});
export type CloseSessionArgs = Infer<typeof closeSessionArgs>;
export const closeSessionResult = t.struct({ success: t.bool });

export const participantView = t.struct({ id: t.bytes32, kemKey: t.bytesN(KEM_PUBLIC_KEY_LEN), dsaKey: t.bytesN(DSA_PUBLIC_KEY_LEN) });
export type ParticipantView = Infer<typeof participantView>;

export const sessionView = t.struct({
  sessionId: t.bytes32,
  creator: t.address,
  /** `expired` as soon as the head height reaches `expires`, even before endBlock records it. */
  status: statusType,
  envelopeVersion: t.uint8,
  createdHeight: t.uint64,
  createdAt: t.uint64,
  /** First height at which messages are refused. */
  expires: t.uint64,
  nextSeq: t.uint64,
  firstSeq: t.uint64,
  endedAt: t.uint64,
  participants: t.list(participantView, SPEC_MAX_PARTICIPANTS),
});
export type SessionView = Infer<typeof sessionView>;

export const messageView = t.struct({
  seq: t.uint64,
  sender: t.bytes32,
  messageId: t.bytes32,
  height: t.uint64,
  timestamp: t.uint64,
  ciphertext: t.bytes(SPEC_MAX_CIPHERTEXT),
  signature: t.bytesN(DSA_SIGNATURE_LEN),
});
export type MessageView = Infer<typeof messageView>;

export const getSessionArgs = t.struct({ sessionId: t.bytes32 });
export const getMessagesArgs = t.struct({ sessionId: t.bytes32, fromSeq: t.uint64, limit: t.uint32 });
export const messagePage = t.struct({
  messages: t.list(messageView, MAX_PAGE),
  /** Where the next page starts; equals the session's nextSeq when there is nothing more. */
  next: t.uint64,
  /** Lowest sequence still stored (older messages were pruned). */
  firstSeq: t.uint64,
});
export type MessagePage = Infer<typeof messagePage>;

export const healthView = t.struct({ healthy: t.bool, sessions: t.uint64, channels: t.uint64, pending: t.uint64 });
export type HealthView = Infer<typeof healthView>;

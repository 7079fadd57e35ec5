/**
 * Client side of the messaging SessionVM: builds the arguments of its methods from identities and
 * reads messages back. Encryption happens here (with OS randomness), never in the module.
 *
 *   const args = createSessionCall([alice, bob], { ttlBlocks: 100n });        // → createSession
 *   const msg  = sealMessage(alice, session, session.nextSeq, utf8('hi'));    // → sendMessage
 *   const text = openMessage(bob, session, page.messages[0]).plaintext;
 */
import { equals, NamedError } from '../../../chain/index.js';
import { type EncryptOptions, type EnvelopeVersion, type Identity, type PublicIdentity, decryptFrom, DEFAULT_ENVELOPE_VERSION, encryptTo, sessionIdFromIdentityId, verifyDetached, closeSigningPayload, messageSigningPayload, SPEC_MAX_CIPHERTEXT } from '../../../vm/session/index.js';
import { decodeBundle, encodeBundle } from './bundle.js';
import type { CloseSessionArgs, CreateSessionArgs, MessageView, SendMessageArgs, SessionView } from '../../../vm/session/index.js';

export type ClientErrorName = 'NotAParticipant' | 'MessageTooLarge' | 'InvalidMessageSignature' | 'NotForYou';

export class MessagingClientError extends NamedError {
  constructor(name: ClientErrorName, message: string) {
    super(name, message);
  }
}

export interface CreateSessionOptions {
  /** Blocks until expiry; 0 or absent takes the chain's default. */
  ttlBlocks?: bigint;
  envelopeVersion?: EnvelopeVersion;
}

export function createSessionCall(participants: readonly PublicIdentity[], opts: CreateSessionOptions = {}): CreateSessionArgs {
  return {
    participants: participants.map((p) => ({ kemKey: p.kemPublicKey, dsaKey: p.dsaPublicKey })),
    ttlBlocks: opts.ttlBlocks ?? 0n,
    envelopeVersion: opts.envelopeVersion ?? DEFAULT_ENVELOPE_VERSION,
  };
}

function indexOf(session: SessionView, id: Uint8Array): number {
  return session.participants.findIndex((p) => equals(p.id, id));
}

/**
 * Encrypts `plaintext` to every participant (the sender too, when it is one) and signs the bundle as message
 * `seq` (normally `session.nextSeq`).
 */
export function sealMessage(sender: Identity, session: SessionView, seq: bigint, plaintext: Uint8Array, opts: Pick<EncryptOptions, 'random'> = {}): SendMessageArgs {
  // No participant check here: the chain is the authority and refuses a non-participant `unauthorized`.
  const version = session.envelopeVersion as EnvelopeVersion;
  const ciphertext = encodeBundle(session.participants.map((p, recipient) => ({ recipient, envelope: encryptTo(p.kemKey, plaintext, { version, random: opts.random }) })));
  if (ciphertext.length > SPEC_MAX_CIPHERTEXT) {
    throw new MessagingClientError('MessageTooLarge', `encrypted for ${session.participants.length} participants the message is ${ciphertext.length} bytes; the limit is ${SPEC_MAX_CIPHERTEXT}`);
  }
  return {
    sessionId: session.sessionId,
    sender: sender.id,
    seq,
    ciphertext,
    senderKey: sender.dsaPublicKey,
    signature: sender.sign(messageSigningPayload(session.sessionId, seq, ciphertext)),
  };
}

export interface OpenedMessage {
  seq: bigint;
  /** The sender's "07…" session ID. */
  sender: string;
  senderId: Uint8Array;
  messageId: Uint8Array;
  height: bigint;
  timestamp: bigint;
  plaintext: Uint8Array;
}

/**
 * Checks the sender's signature (against the key the session registered, not trusting the node's
 * word) and decrypts the reader's envelope.
 */
export function openMessage(reader: Identity, session: SessionView, message: MessageView): OpenedMessage {
  const mine = indexOf(session, reader.id);
  if (mine < 0) throw new MessagingClientError('NotAParticipant', `${reader.sessionId} is not a participant of this session`);
  const sender = session.participants.find((p) => equals(p.id, message.sender));
  if (!sender || !verifyDetached(sender.dsaKey, messageSigningPayload(session.sessionId, message.seq, message.ciphertext), message.signature)) {
    throw new MessagingClientError('InvalidMessageSignature', `message ${message.seq} is not signed by a participant's registered key`);
  }
  const entry = decodeBundle(message.ciphertext).find((e) => e.recipient === mine);
  if (!entry) throw new MessagingClientError('NotForYou', `message ${message.seq} has no envelope for ${reader.sessionId}`);
  return {
    seq: message.seq,
    sender: sessionIdFromIdentityId(message.sender),
    senderId: message.sender,
    messageId: message.messageId,
    height: message.height,
    timestamp: message.timestamp,
    plaintext: decryptFrom(reader.kemSecretKey, entry.envelope, { version: session.envelopeVersion as EnvelopeVersion }),
  };
}

export function closeSessionCall(participant: Identity, sessionId: Uint8Array): CloseSessionArgs {
  return {
    sessionId,
    participant: participant.id,
    participantKey: participant.dsaPublicKey,
    signature: participant.sign(closeSigningPayload(sessionId)),
  };
}

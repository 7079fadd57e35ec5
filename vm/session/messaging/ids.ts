/**
 * Deterministic identifiers and signed payloads of the messaging SessionVM (spec §1.9 [P]).
 * SHA-256 over plain concatenations, integers big-endian, every preimage led by a domain string:
 *
 *   session_id = SHA256("LUX:SessionVM:v1" ‖ creator32 ‖ u64be(creator_nonce) ‖ u32be(n)
 *                        ‖ participant_id_1 ‖ … ‖ participant_id_n ‖ SHA256(kem_pk_1 ‖ … ‖ kem_pk_n))
 *   msg_id     = SHA256("LUX:SessionMsg:v1" ‖ sid ‖ u64be(seq) ‖ SHA256(ciphertext))
 *   signed     = "LUX:SessionMsg:v1" ‖ sid ‖ u64be(seq) ‖ ciphertext          (ML-DSA-65, sender's key)
 *   close      = "LUX:SessionClose:v1" ‖ sid                                   (ML-DSA-65, a participant's key)
 *
 * `creator32` is the creator's 20-byte address left-padded with 12 zero bytes; `creator_nonce` is
 * the nonce of the creating transaction. Participants are sorted by their 32-byte identity ID
 * (ascending, unsigned bytes) and `kem_pk_i` follow that order.
 */
import { type Address, addressBytes, compareBytes, concat, sha256, u32be, u64be, utf8 } from '../../../chain/index.js';

export const SESSION_DOMAIN = utf8('LUX:SessionVM:v1');
export const MESSAGE_DOMAIN = utf8('LUX:SessionMsg:v1');
export const CLOSE_DOMAIN = utf8('LUX:SessionClose:v1');

export interface ParticipantKeys {
  /** Identity ID: BLAKE2b-256(kem_pk ‖ dsa_pk). */
  readonly id: Uint8Array;
  readonly kemKey: Uint8Array;
}

/** Participants in canonical order (by identity ID). Does not check for duplicates. */
export function sortParticipants<T extends { id: Uint8Array }>(participants: readonly T[]): T[] {
  return [...participants].sort((a, b) => compareBytes(a.id, b.id));
}

export function creatorWord(creator: Address): Uint8Array {
  return concat(new Uint8Array(12), addressBytes(creator));
}

/** The session ID a CreateSession transaction from `creator` with nonce `creatorNonce` will get. */
export function computeMessagingSessionId(creator: Address, creatorNonce: bigint, participants: readonly ParticipantKeys[]): Uint8Array {
  const sorted = sortParticipants(participants);
  return sha256(
    concat(
      SESSION_DOMAIN,
      creatorWord(creator),
      u64be(creatorNonce),
      u32be(sorted.length),
      ...sorted.map((p) => p.id),
      sha256(concat(...sorted.map((p) => p.kemKey))),
    ),
  );
}

export function messageId(sessionId: Uint8Array, seq: bigint, ciphertext: Uint8Array): Uint8Array {
  return sha256(concat(MESSAGE_DOMAIN, sessionId, u64be(seq), sha256(ciphertext)));
}

/** What the sender signs for message `seq` of a session. */
export function messageSigningPayload(sessionId: Uint8Array, seq: bigint, ciphertext: Uint8Array): Uint8Array {
  return concat(MESSAGE_DOMAIN, sessionId, u64be(seq), ciphertext);
}

/** What a participant signs to close a session. */
export function closeSigningPayload(sessionId: Uint8Array): Uint8Array {
  return concat(CLOSE_DOMAIN, sessionId);
}

/**
 * Identifiers of spec session.md §1.2. Every one is SHA-256 over the plain concatenation of its parts
 * (no length prefixes, no separators), integers big-endian; the hash order is always the table's,
 * whatever the argument order of the function.
 */
import { createHash } from 'node:crypto';
import { concat, u32be, u64be, utf8, NamedError, sha256, sha256Concat } from '../../../chain/index.js';
import { type AttestationDomain, type Id32, isAttestationDomain } from './types.js';

export const SESSION_DOMAIN = utf8('LUX:Session:v1');
export const ORACLE_REQUEST_DOMAIN = utf8('LUX:OracleRequest:v1');
export const RECEIPT_DOMAIN = utf8('LUX:Receipt:v1');
export const EPOCH_BEACON_DOMAIN = utf8('LUX:EpochBeacon:v1');
/** [P] Node ID of a service node: SHA-256 over this domain and the node's ML-DSA-65 public key. */
export const NODE_ID_DOMAIN = utf8('LUX:ServiceNode:v1');

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffff_ffff;

/** Checks a 32-byte identifier argument. */
export function id32(v: unknown, what: string): Id32 {
  if (!(v instanceof Uint8Array) || v.length !== 32) {
    throw new NamedError('InvalidId', `${what} must be 32 bytes${v instanceof Uint8Array ? `, got ${v.length}` : ''}`);
  }
  return v;
}

/** A u64 (epochs, heights): bigint, or a safe non-negative integer number. */
export function u64(v: unknown, what: string): bigint {
  const b = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof b !== 'bigint' || b < 0n || b > U64_MAX) throw new NamedError('InvalidInteger', `${what} must be an unsigned 64-bit integer`);
  return b;
}

/** A u32 (step index, retry, result code). */
export function u32(v: unknown, what: string): number {
  const n = typeof v === 'bigint' && v >= 0n && v <= BigInt(U32_MAX) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > U32_MAX) throw new NamedError('InvalidInteger', `${what} must be an unsigned 32-bit integer`);
  return n;
}

/** session_id = SHA256("LUX:Session:v1" ‖ service_id ‖ u64be(epoch) ‖ tx_id). */
export function computeSessionId(serviceId: Id32, epoch: bigint | number, txId: Id32): Id32 {
  return sha256Concat(SESSION_DOMAIN, id32(serviceId, 'serviceId'), u64be(u64(epoch, 'epoch')), id32(txId, 'txId'));
}

/** request_id = SHA256("LUX:OracleRequest:v1" ‖ service_id ‖ session_id ‖ u32be(step) ‖ u32be(retry) ‖ tx_id). */
export function computeOracleRequestId(serviceId: Id32, sessionId: Id32, step: number, retry: number, txId: Id32): Id32 {
  return sha256Concat(
    ORACLE_REQUEST_DOMAIN,
    id32(serviceId, 'serviceId'),
    id32(sessionId, 'sessionId'),
    u32be(u32(step, 'step')),
    u32be(u32(retry, 'retry')),
    id32(txId, 'txId'),
  );
}

/** ASCII "LUX:QuantumAttest:" + domain + ":v1". Unknown domains are refused (`UnknownDomain`). */
export function domainSeparator(domain: AttestationDomain): Uint8Array {
  if (!isAttestationDomain(domain)) {
    throw new NamedError('UnknownDomain', `unknown attestation domain ${JSON.stringify(domain)}; use oracle/write, oracle/read, session/complete or epoch/beacon`);
  }
  return utf8(`LUX:QuantumAttest:${domain}:v1`);
}

/** The raw signing preimage of an attestation: separator ‖ subject ‖ commit_root ‖ u64be(epoch). */
export function attestationPreimage(domain: AttestationDomain, subjectId: Id32, commitRoot: Id32, epoch: bigint | number): Uint8Array {
  return concat(domainSeparator(domain), id32(subjectId, 'subjectId'), id32(commitRoot, 'commitRoot'), u64be(u64(epoch, 'epoch')));
}

/**
 * attestation id = SHA256(separator ‖ subject_id ‖ commit_root ‖ u64be(epoch)). It is also the
 * 32-byte payload committee members sign with ML-DSA-65.
 */
export function attestationId(domain: AttestationDomain, subjectId: Id32, commitRoot: Id32, epoch: bigint | number): Id32 {
  return sha256(attestationPreimage(domain, subjectId, commitRoot, epoch));
}

/** record_id = SHA256(request_id ‖ submitter_id ‖ SHA256(data)). */
export function oracleRecordId(requestId: Id32, submitterId: Id32, data: Uint8Array): Id32 {
  if (!(data instanceof Uint8Array)) throw new NamedError('InvalidArgument', 'data must be bytes');
  return sha256Concat(id32(requestId, 'requestId'), id32(submitterId, 'submitterId'), sha256(data));
}

/** receipt_id = SHA256("LUX:Receipt:v1" ‖ session_id ‖ u32be(step_index) ‖ message_hash ‖ sender_id ‖ receiver_id). */
export function receiptId(sessionId: Id32, stepIndex: number, messageHash: Id32, senderId: Id32, receiverId: Id32): Id32 {
  return sha256Concat(
    RECEIPT_DOMAIN,
    id32(sessionId, 'sessionId'),
    u32be(u32(stepIndex, 'stepIndex')),
    id32(messageHash, 'messageHash'),
    id32(senderId, 'senderId'),
    id32(receiverId, 'receiverId'),
  );
}

/** beacon_id = SHA256("LUX:EpochBeacon:v1" ‖ u64be(epoch) ‖ randomness ‖ previous_beacon). */
export function epochBeaconId(epoch: bigint | number, randomness: Id32, previous: Id32): Id32 {
  return sha256Concat(EPOCH_BEACON_DOMAIN, u64be(u64(epoch, 'epoch')), id32(randomness, 'randomness'), id32(previous, 'previous'));
}

/** session/complete commitment (S4): SHA256(output_hash ‖ oracle_root ‖ receipts_root). */
export function sessionCompleteCommit(outputHash: Id32, oracleRoot: Id32, receiptsRoot: Id32): Id32 {
  return sha256Concat(id32(outputHash, 'outputHash'), id32(oracleRoot, 'oracleRoot'), id32(receiptsRoot, 'receiptsRoot'));
}

/** epoch/beacon subject (S4): SHA256("LUX:EpochBeacon:" ‖ u64be(epoch)). */
export function epochBeaconSubject(epoch: bigint | number): Id32 {
  return sha256Concat(utf8('LUX:EpochBeacon:'), u64be(u64(epoch, 'epoch')));
}

/** epoch/beacon commitment (S4): SHA256(previous_ref ‖ u64be(epoch)). */
export function epochBeaconCommit(previousRef: Id32, epoch: bigint | number): Id32 {
  return sha256Concat(id32(previousRef, 'previousRef'), u64be(u64(epoch, 'epoch')));
}

export const MLDSA65_PUBLIC_KEY_BYTES = 1952;

/**
 * [P] A service node's 32-byte ID: SHA256("LUX:ServiceNode:v1" ‖ ML-DSA-65 public key). The key is
 * the node's attestation key, so an ID cannot be claimed without the key, and a transaction that
 * carries the public key proves which node it speaks for.
 */
export function nodeIdFromPublicKey(publicKey: Uint8Array): Id32 {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== MLDSA65_PUBLIC_KEY_BYTES) {
    throw new NamedError('InvalidPublicKey', `a node key is an ML-DSA-65 public key of ${MLDSA65_PUBLIC_KEY_BYTES} bytes`);
  }
  // node:crypto's native SHA-256: an attestation derives one ID per signer from a 1952-byte key.
  return new Uint8Array(createHash('sha256').update(NODE_ID_DOMAIN).update(publicKey).digest());
}

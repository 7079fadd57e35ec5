/**
 * Post-quantum messaging identity (spec session.md §1.9 "Crypto"): an ML-KEM-768 key pair for
 * encryption and an ML-DSA-65 key pair for signatures.
 *
 *   session ID (the identity's public name) = "07" ‖ hex(BLAKE2b-256(kem_pk ‖ dsa_pk))   (66 chars)
 *
 * Encryption to a recipient's ML-KEM public key, two envelope versions:
 *
 *   v1 (upstream, bit-compatible):  ct_kem(1088) ‖ nonce(24) ‖ xchacha20poly1305(key = ss, aad = ∅)
 *   v2 (default):           0x02 ‖ ct_kem(1088) ‖ nonce(24) ‖ xchacha20poly1305(key = K, aad = 0x02)
 *                           K = HKDF-SHA256(ikm = ss, salt = ∅, info = "LUX:SessionKEM:v1", 32)
 *
 * A v1 envelope has no header (its first byte is ML-KEM ciphertext), so the two cannot be told apart
 * from the bytes alone: the reader says which version it expects (a messaging session records it).
 * v2 authenticates its version byte, and its key differs from v1's, so neither can be passed off as
 * the other. ML-KEM decapsulation never fails on a tampered ciphertext (implicit rejection returns a
 * pseudo-random secret); tampering shows up as an AEAD tag failure, `ErrDecryptionFailed`.
 *
 * Signatures: `signMessage` = ML-DSA-65 (hedged, empty context) `sig(3309) ‖ msg`, as upstream.
 *
 * Randomness (KEM encapsulation, nonces, key generation without a seed) is used only here, in the
 * client; the on-chain module never encrypts.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 as sha256Hash } from '@noble/hashes/sha2.js';
import { randomBytes } from 'node:crypto';
import { aeadOpen, aeadSeal, blake2b256, concat, equals, fromHex, MlDsaSigner, NamedError, toRawHex, utf8 } from '../../chain/index.js';

export const KEM_PUBLIC_KEY_LEN = 1184;
export const KEM_SECRET_KEY_LEN = 2400;
export const KEM_CIPHERTEXT_LEN = 1088;
export const DSA_PUBLIC_KEY_LEN = 1952;
export const DSA_SECRET_KEY_LEN = 4032;
export const DSA_SIGNATURE_LEN = 3309;
export const AEAD_NONCE_LEN = 24;
export const AEAD_TAG_LEN = 16;
export const IDENTITY_SEED_LEN = 32;

/** Prefix of a post-quantum session ID ("05" was upstream's legacy X25519/Ed25519 form, unused). */
export const SESSION_ID_PREFIX = '07';
export const SESSION_ID_LEN = 66;
export const KEM_KDF_INFO = 'LUX:SessionKEM:v1';

export type EnvelopeVersion = 1 | 2;
export const DEFAULT_ENVELOPE_VERSION: EnvelopeVersion = 2;
const V2_HEADER = new Uint8Array([0x02]);
/** Smallest envelope (empty plaintext) per version. */
export const MIN_ENVELOPE_LEN: Record<EnvelopeVersion, number> = {
  1: KEM_CIPHERTEXT_LEN + AEAD_NONCE_LEN + AEAD_TAG_LEN,
  2: 1 + KEM_CIPHERTEXT_LEN + AEAD_NONCE_LEN + AEAD_TAG_LEN,
};

export type IdentityErrorName =
  | 'ErrInvalidPublicKey'
  | 'ErrInvalidSecretKey'
  | 'ErrInvalidCiphertext'
  | 'ErrDecryptionFailed'
  | 'ErrInvalidSeed'
  | 'ErrInvalidSessionId'
  | 'ErrInvalidIdentityFile';

export class IdentityError extends NamedError {
  constructor(name: IdentityErrorName, message: string) {
    super(name, message);
  }
}

function requireLength(b: unknown, len: number, error: IdentityErrorName, what: string): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new IdentityError(error, `${what} must be bytes`);
  if (b.length !== len) throw new IdentityError(error, `${what} must be ${len} bytes, got ${b.length}`);
  return b;
}

// ---- identity IDs ------------------------------------------------------------------------------

/** The 32-byte identity ID: BLAKE2b-256(kem_pk ‖ dsa_pk). Rejects keys of the wrong size. */
export function identityId(kemPublicKey: Uint8Array, dsaPublicKey: Uint8Array): Uint8Array {
  requireLength(kemPublicKey, KEM_PUBLIC_KEY_LEN, 'ErrInvalidPublicKey', 'ML-KEM-768 public key');
  requireLength(dsaPublicKey, DSA_PUBLIC_KEY_LEN, 'ErrInvalidPublicKey', 'ML-DSA-65 public key');
  return blake2b256(concat(kemPublicKey, dsaPublicKey));
}

/** The session ID string of an identity: "07" + 64 lowercase hex characters. */
export function deriveSessionId(kemPublicKey: Uint8Array, dsaPublicKey: Uint8Array): string {
  return sessionIdFromIdentityId(identityId(kemPublicKey, dsaPublicKey));
}

export function sessionIdFromIdentityId(id: Uint8Array): string {
  requireLength(id, 32, 'ErrInvalidSessionId', 'identity ID');
  return SESSION_ID_PREFIX + toRawHex(id);
}

/** Parses a "07…" session ID string back to the 32-byte identity ID. */
export function parseSessionId(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length !== SESSION_ID_LEN || !s.startsWith(SESSION_ID_PREFIX) || !/^[0-9a-f]+$/.test(s)) {
    throw new IdentityError('ErrInvalidSessionId', `a session ID is "${SESSION_ID_PREFIX}" followed by 64 lowercase hex characters (66 in all)`);
  }
  return fromHex(s.slice(2));
}

// ---- encryption ----------------------------------------------------------------------------------

export interface EncryptOptions {
  /** Envelope version (default 2). Version 1 is upstream's raw-shared-secret format. */
  version?: EnvelopeVersion;
  /** Source of randomness (tests pass a deterministic one); defaults to the OS CSPRNG. */
  random?: (n: number) => Uint8Array;
}

export interface DecryptOptions {
  /** The envelope version to expect (default 2). */
  version?: EnvelopeVersion;
}

const osRandom = (n: number) => new Uint8Array(randomBytes(n));

function aeadKey(version: EnvelopeVersion, sharedSecret: Uint8Array): Uint8Array {
  return version === 1 ? sharedSecret : hkdf(sha256Hash, sharedSecret, undefined, utf8(KEM_KDF_INFO), 32);
}

function checkVersion(v: unknown): EnvelopeVersion {
  if (v !== 1 && v !== 2) throw new IdentityError('ErrInvalidCiphertext', `unknown envelope version ${String(v)} (1 or 2)`);
  return v;
}

/** Encrypts `plaintext` to the holder of the ML-KEM-768 secret key matching `kemPublicKey`. */
export function encryptTo(kemPublicKey: Uint8Array, plaintext: Uint8Array, opts: EncryptOptions = {}): Uint8Array {
  requireLength(kemPublicKey, KEM_PUBLIC_KEY_LEN, 'ErrInvalidPublicKey', 'ML-KEM-768 public key');
  const version = checkVersion(opts.version ?? DEFAULT_ENVELOPE_VERSION);
  const random = opts.random ?? osRandom;
  let kem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    kem = ml_kem768.encapsulate(kemPublicKey, random(32));
  } catch (e) {
    throw new IdentityError('ErrInvalidPublicKey', `not a valid ML-KEM-768 public key (${(e as Error).message})`);
  }
  const nonce = random(AEAD_NONCE_LEN);
  const header = version === 2 ? V2_HEADER : new Uint8Array(0);
  const sealed = aeadSeal(aeadKey(version, kem.sharedSecret), nonce, plaintext, version === 2 ? V2_HEADER : undefined);
  return concat(header, kem.cipherText, nonce, sealed);
}

/** Decrypts an envelope with the recipient's ML-KEM-768 secret key. */
export function decryptFrom(kemSecretKey: Uint8Array, envelope: Uint8Array, opts: DecryptOptions = {}): Uint8Array {
  requireLength(kemSecretKey, KEM_SECRET_KEY_LEN, 'ErrInvalidSecretKey', 'ML-KEM-768 secret key');
  const version = checkVersion(opts.version ?? DEFAULT_ENVELOPE_VERSION);
  if (!(envelope instanceof Uint8Array)) throw new IdentityError('ErrInvalidCiphertext', 'the envelope must be bytes');
  if (envelope.length < MIN_ENVELOPE_LEN[version]) {
    throw new IdentityError('ErrInvalidCiphertext', `a v${version} envelope is at least ${MIN_ENVELOPE_LEN[version]} bytes, got ${envelope.length}`);
  }
  let off = 0;
  if (version === 2) {
    if (envelope[0] !== 0x02) throw new IdentityError('ErrInvalidCiphertext', `not a v2 envelope (first byte ${envelope[0]}); upstream envelopes are version 1`);
    off = 1;
  }
  const ct = envelope.subarray(off, off + KEM_CIPHERTEXT_LEN);
  const nonce = envelope.subarray(off + KEM_CIPHERTEXT_LEN, off + KEM_CIPHERTEXT_LEN + AEAD_NONCE_LEN);
  const sealed = envelope.subarray(off + KEM_CIPHERTEXT_LEN + AEAD_NONCE_LEN);
  let ss: Uint8Array;
  try {
    ss = ml_kem768.decapsulate(ct, kemSecretKey);
  } catch (e) {
    throw new IdentityError('ErrInvalidSecretKey', `not a valid ML-KEM-768 secret key (${(e as Error).message})`);
  }
  try {
    return aeadOpen(aeadKey(version, ss), nonce, sealed, version === 2 ? V2_HEADER : undefined);
  } catch {
    throw new IdentityError('ErrDecryptionFailed', 'the envelope does not decrypt with this key: it was tampered with, is for another recipient, or has another version');
  }
}

// ---- signatures ----------------------------------------------------------------------------------

/** Raw ML-DSA-65 signature (3309 bytes, hedged, empty context). */
export function signDetached(dsaSecretKey: Uint8Array, message: Uint8Array): Uint8Array {
  requireLength(dsaSecretKey, DSA_SECRET_KEY_LEN, 'ErrInvalidSecretKey', 'ML-DSA-65 secret key');
  return ml_dsa65.sign(message, dsaSecretKey);
}

/** Checks a raw ML-DSA-65 signature. Wrong-size signatures are invalid; a wrong-size key throws. */
export function verifyDetached(dsaPublicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  requireLength(dsaPublicKey, DSA_PUBLIC_KEY_LEN, 'ErrInvalidPublicKey', 'ML-DSA-65 public key');
  if (!(signature instanceof Uint8Array) || signature.length !== DSA_SIGNATURE_LEN) return false;
  try {
    return ml_dsa65.verify(signature, message, dsaPublicKey) === true;
  } catch {
    return false;
  }
}

/** `sig(3309) ‖ message`, as upstream's SignMessage. */
export function signMessage(dsaSecretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return concat(signDetached(dsaSecretKey, message), message);
}

/** Splits a signed message at 3309 and checks it; returns the message, or null when invalid. */
export function verifyMessage(dsaPublicKey: Uint8Array, signed: Uint8Array): Uint8Array | null {
  requireLength(dsaPublicKey, DSA_PUBLIC_KEY_LEN, 'ErrInvalidPublicKey', 'ML-DSA-65 public key');
  if (!(signed instanceof Uint8Array) || signed.length < DSA_SIGNATURE_LEN) return null;
  const message = signed.slice(DSA_SIGNATURE_LEN);
  return verifyDetached(dsaPublicKey, message, signed.subarray(0, DSA_SIGNATURE_LEN)) ? message : null;
}

// ---- identities ----------------------------------------------------------------------------------

/** What others need to encrypt to and verify an identity. */
export interface PublicIdentity {
  /** "07" + hex(identityId). */
  readonly sessionId: string;
  /** BLAKE2b-256(kem_pk ‖ dsa_pk). */
  readonly id: Uint8Array;
  readonly kemPublicKey: Uint8Array;
  readonly dsaPublicKey: Uint8Array;
}

/** Builds a public identity from its two keys (checking sizes). */
export function publicIdentity(kemPublicKey: Uint8Array, dsaPublicKey: Uint8Array): PublicIdentity {
  const id = identityId(kemPublicKey, dsaPublicKey);
  return { sessionId: sessionIdFromIdentityId(id), id, kemPublicKey: kemPublicKey.slice(), dsaPublicKey: dsaPublicKey.slice() };
}

/** A full identity: both key pairs (and the seed they came from, when there is one). */
export class Identity implements PublicIdentity {
  readonly sessionId: string;
  readonly id: Uint8Array;
  readonly kemPublicKey: Uint8Array;
  readonly dsaPublicKey: Uint8Array;
  readonly #kemSecretKey: Uint8Array;
  readonly #dsaSecretKey: Uint8Array;
  readonly #seed: Uint8Array | undefined;
  readonly #dsaSeed: Uint8Array | undefined;

  private constructor(keys: { kemPublicKey: Uint8Array; kemSecretKey: Uint8Array; dsaPublicKey: Uint8Array; dsaSecretKey: Uint8Array }, seed?: Uint8Array, dsaSeed?: Uint8Array) {
    this.kemPublicKey = keys.kemPublicKey;
    this.dsaPublicKey = keys.dsaPublicKey;
    this.#kemSecretKey = keys.kemSecretKey;
    this.#dsaSecretKey = keys.dsaSecretKey;
    this.id = identityId(keys.kemPublicKey, keys.dsaPublicKey);
    this.sessionId = sessionIdFromIdentityId(this.id);
    this.#seed = seed;
    this.#dsaSeed = dsaSeed;
  }

  /** Deterministic: the same 32-byte seed always gives the same identity. */
  static fromSeed(seed: Uint8Array): Identity {
    requireLength(seed, IDENTITY_SEED_LEN, 'ErrInvalidSeed', 'identity seed');
    const { kemSeed, dsaSeed } = identitySeeds(seed);
    const kem = ml_kem768.keygen(kemSeed);
    const dsa = ml_dsa65.keygen(dsaSeed);
    return new Identity({ kemPublicKey: kem.publicKey, kemSecretKey: kem.secretKey, dsaPublicKey: dsa.publicKey, dsaSecretKey: dsa.secretKey }, seed.slice(), dsaSeed);
  }

  /** From raw secret keys (e.g. generated by upstream Go code); the public keys are recomputed. */
  static fromSecretKeys(kemSecretKey: Uint8Array, dsaSecretKey: Uint8Array): Identity {
    requireLength(kemSecretKey, KEM_SECRET_KEY_LEN, 'ErrInvalidSecretKey', 'ML-KEM-768 secret key');
    requireLength(dsaSecretKey, DSA_SECRET_KEY_LEN, 'ErrInvalidSecretKey', 'ML-DSA-65 secret key');
    let kemPublicKey: Uint8Array;
    let dsaPublicKey: Uint8Array;
    try {
      kemPublicKey = ml_kem768.getPublicKey(kemSecretKey);
      dsaPublicKey = ml_dsa65.getPublicKey(dsaSecretKey);
    } catch (e) {
      throw new IdentityError('ErrInvalidSecretKey', `not a valid secret key (${(e as Error).message})`);
    }
    return new Identity({ kemPublicKey, kemSecretKey: kemSecretKey.slice(), dsaPublicKey, dsaSecretKey: dsaSecretKey.slice() });
  }

  /** The 32-byte seed, when the identity was made from one (what an identity file stores). */
  get seed(): Uint8Array | undefined {
    return this.#seed?.slice();
  }

  get kemSecretKey(): Uint8Array {
    return this.#kemSecretKey.slice();
  }

  get dsaSecretKey(): Uint8Array {
    return this.#dsaSecretKey.slice();
  }

  publicIdentity(): PublicIdentity {
    return publicIdentity(this.kemPublicKey, this.dsaPublicKey);
  }

  encryptTo(recipient: PublicIdentity, plaintext: Uint8Array, opts?: EncryptOptions): Uint8Array {
    return encryptTo(recipient.kemPublicKey, plaintext, opts);
  }

  decryptFrom(envelope: Uint8Array, opts?: DecryptOptions): Uint8Array {
    return decryptFrom(this.#kemSecretKey, envelope, opts);
  }

  signMessage(message: Uint8Array): Uint8Array {
    return signMessage(this.#dsaSecretKey, message);
  }

  /** Raw 3309-byte signature. */
  sign(message: Uint8Array): Uint8Array {
    return signDetached(this.#dsaSecretKey, message);
  }

  verifyMessage(signed: Uint8Array): Uint8Array | null {
    return verifyMessage(this.dsaPublicKey, signed);
  }

  /**
   * The identity's ML-DSA-65 key as a chain account (address keccak256(0x07 ‖ dsa_pk)[12..]), so an
   * identity can pay for its own transactions. Only for identities made from a seed.
   */
  accountSigner(): MlDsaSigner {
    if (!this.#dsaSeed) throw new IdentityError('ErrInvalidSeed', 'only identities made from a seed can act as chain accounts');
    const signer = new MlDsaSigner(this.#dsaSeed);
    if (!equals(signer.publicKey, this.dsaPublicKey)) throw new Error('account key does not match the identity key');
    return signer;
  }
}

/**
 * Key seeds of an identity: HKDF-SHA256 over the 32-byte identity seed with one label per key,
 * so the two keys are independent and neither equals a chain account made from the same seed.
 */
export function identitySeeds(seed: Uint8Array): { kemSeed: Uint8Array; dsaSeed: Uint8Array } {
  requireLength(seed, IDENTITY_SEED_LEN, 'ErrInvalidSeed', 'identity seed');
  return {
    kemSeed: hkdf(sha256Hash, seed, undefined, utf8('LUX:SessionIdentity:v1:ml-kem-768'), 64),
    dsaSeed: hkdf(sha256Hash, seed, undefined, utf8('LUX:SessionIdentity:v1:ml-dsa-65'), 32),
  };
}

/** A new identity: from `seed` (32 bytes, deterministic) or from fresh OS randomness. */
export function generateIdentity(seed?: Uint8Array): Identity {
  return Identity.fromSeed(seed ?? osRandom(IDENTITY_SEED_LEN));
}

/**
 * XChaCha20-Poly1305 (noble), the project's one AEAD: session envelopes (`vm/session/identity.ts`)
 * and keystore files (`sdk/keystore.ts`) seal through here, and the Wycheproof vectors run through it.
 * Keys are 32 bytes, nonces 24; the sealed form is `ciphertext ‖ tag(16)`.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { NamedError } from '../errors.js';

export const AEAD_KEY_LEN = 32;
export const AEAD_NONCE_LEN = 24;
export const AEAD_TAG_LEN = 16;

export type AeadErrorName = 'InvalidAeadKey' | 'InvalidAeadNonce' | 'AeadAuthenticationFailed';

export class AeadError extends NamedError {
  constructor(name: AeadErrorName, message: string) {
    super(name, message);
  }
}

function checkInputs(key: Uint8Array, nonce: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_LEN) throw new AeadError('InvalidAeadKey', `an XChaCha20-Poly1305 key is ${AEAD_KEY_LEN} bytes, got ${key?.length}`);
  if (!(nonce instanceof Uint8Array) || nonce.length !== AEAD_NONCE_LEN) throw new AeadError('InvalidAeadNonce', `an XChaCha20-Poly1305 nonce is ${AEAD_NONCE_LEN} bytes, got ${nonce?.length}`);
}

/** Encrypts and authenticates `plaintext` (and `aad`): returns `ciphertext ‖ tag`. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  checkInputs(key, nonce);
  return xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

/** Checks and decrypts `ciphertext ‖ tag`; AeadAuthenticationFailed when anything was changed. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  checkInputs(key, nonce);
  if (!(sealed instanceof Uint8Array) || sealed.length < AEAD_TAG_LEN) throw new AeadError('AeadAuthenticationFailed', `a sealed message is at least ${AEAD_TAG_LEN} bytes (the tag), got ${sealed?.length}`);
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    throw new AeadError('AeadAuthenticationFailed', 'the message does not authenticate under this key, nonce and associated data');
  }
}

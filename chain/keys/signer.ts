/**
 * Signers. Both schemes derive keys from a 32-byte seed, so one seed format serves the keystore, the
 * dev accounts and the producer key. `sign` takes a 32-byte digest and returns the encoded
 * signature of SPEC §3.
 */
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from 'node:crypto';
import { concat } from '../bytes.js';
import { type Address } from '../address.js';
import { loadNativeSecp256k1 } from './secp-native.js';
import { MLDSA65_TAG, type SchemeName, loadPqcleanSign, mldsaAddress, secpAddress } from './schemes.js';

export interface Signer {
  readonly scheme: SchemeName;
  readonly address: Address;
  /** ML-DSA-65: 1952 bytes; secp256k1: 33-byte compressed key. */
  readonly publicKey: Uint8Array;
  /** Signs a 32-byte digest; returns the encoded signature (tagged ML-DSA or 65-byte secp256k1). */
  sign(digest: Uint8Array): Uint8Array;
}

export interface SignOptions {
  /**
   * ML-DSA only: sign deterministically (FIPS 204 with zero randomness, noble). By default
   * signatures are randomized, by the native pqclean signer when it is installed (about 10× faster)
   * or else noble's hedged signer; every verifier accepts all three.
   */
  deterministic?: boolean;
}

export class MlDsaSigner implements Signer {
  readonly scheme = 'ml-dsa-65' as const;
  readonly address: Address;
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;
  readonly #deterministic: boolean;

  constructor(seed: Uint8Array, opts: SignOptions = {}) {
    if (seed.length !== 32) throw new TypeError('an ML-DSA-65 seed is 32 bytes');
    const { publicKey, secretKey } = ml_dsa65.keygen(seed);
    this.publicKey = publicKey;
    this.#secretKey = secretKey;
    this.#deterministic = opts.deterministic ?? false;
    this.address = mldsaAddress(publicKey);
  }

  sign(digest: Uint8Array): Uint8Array {
    return concat(new Uint8Array([MLDSA65_TAG]), this.publicKey, this.signRaw(digest));
  }

  /** Raw ML-DSA-65 signature over an arbitrary message (no tag, no key), for protocols that need it. */
  signRaw(message: Uint8Array): Uint8Array {
    if (this.#deterministic) return ml_dsa65.sign(message, this.#secretKey, { extraEntropy: false });
    const native = loadPqcleanSign();
    return native ? native(this.#secretKey, message) : ml_dsa65.sign(message, this.#secretKey);
  }
}

export class Secp256k1Signer implements Signer {
  readonly scheme = 'secp256k1' as const;
  readonly address: Address;
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new TypeError('a secp256k1 seed is 32 bytes');
    if (!secp256k1.utils.isValidSecretKey(seed)) throw new TypeError('seed is not a valid secp256k1 secret key');
    this.#secretKey = seed.slice();
    this.publicKey = secp256k1.getPublicKey(seed, true);
    this.address = secpAddress(this.publicKey);
  }

  /** 65 bytes `r ‖ s ‖ v` with v ∈ {27, 28} and low s (RFC 6979 deterministic nonce). */
  sign(digest: Uint8Array): Uint8Array {
    if (digest.length !== 32) throw new TypeError('secp256k1 signs a 32-byte digest');
    const fast = loadNativeSecp256k1(); // the same RFC 6979 signature, ~10× faster
    if (fast) {
      const { rs, recovery } = fast.sign(digest, this.#secretKey);
      const out = new Uint8Array(65);
      out.set(rs, 0);
      out[64] = 27 + recovery;
      return out;
    }
    const rec = secp256k1.sign(digest, this.#secretKey, { prehash: false, lowS: true, format: 'recovered' });
    // noble's 'recovered' format is recovery ‖ r ‖ s; the wire format is r ‖ s ‖ v.
    const out = new Uint8Array(65);
    out.set(rec.subarray(1, 65), 0);
    out[64] = 27 + rec[0]!;
    return out;
  }
}

export function signerFromSeed(seed: Uint8Array, scheme: SchemeName = 'ml-dsa-65', opts: SignOptions = {}): Signer {
  return scheme === 'secp256k1' ? new Secp256k1Signer(seed) : new MlDsaSigner(seed, opts);
}

/** A fresh random 32-byte seed (valid for both schemes). */
export function randomSeed(): Uint8Array {
  for (;;) {
    const s = new Uint8Array(randomBytes(32));
    if (secp256k1.utils.isValidSecretKey(s)) return s;
  }
}

/**
 * BLS12-381 in its min-pk form (48-byte public keys in G1, 96-byte signatures in G2, hash to G2),
 * the one scheme of the TEE chain of trust: vendor root keys sign certificates, attesting keys sign
 * attestations. Malformed points are invalid signatures, never exceptions.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { fromHex } from '../../chain/index.js';

const bls = bls12_381.longSignatures;

export function blsPublicKey(secretKey: Uint8Array): Uint8Array {
  return bls.getPublicKey(secretKey).toBytes(true);
}

export function blsSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return bls.sign(bls.hash(message), secretKey).toBytes(true);
}

export function blsVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return bls.verify(signature, bls.hash(message), publicKey);
  } catch {
    return false;
  }
}

/** A 48-byte compressed G1 point (bytes or 0x hex) that decodes, or undefined. */
export function parseBlsPublicKey(v: unknown): Uint8Array | undefined {
  let b: Uint8Array;
  try {
    b = typeof v === 'string' ? fromHex(v) : (v as Uint8Array);
    if (!(b instanceof Uint8Array) || b.length !== 48) return undefined;
    bls12_381.G1.Point.fromBytes(b).assertValidity();
    return b;
  } catch {
    return undefined;
  }
}

/**
 * The optional native secp256k1 (libsecp256k1 through the `secp256k1` package's prebuilt binding):
 * about 20× noble for recovery and 10× for signing. Like pqclean for ML-DSA-65 it is an
 * optionalDependency, loaded lazily; without it everything runs on @noble/curves. Both sides are
 * RFC 6979 deterministic and reduce the digest mod n, so signatures and recovered keys are
 * identical (test/chain/secp-native.test.ts checks random and malformed inputs against noble).
 */
import { createRequire } from 'node:module';

interface Binding {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
}

export interface NativeSecp256k1 {
  /** The 65-byte uncompressed public key, or null when the signature recovers to nobody. */
  recover(rs: Uint8Array, recovery: 0 | 1, digest: Uint8Array): Uint8Array | null;
  /** Low-s `r ‖ s` and the recovery bit. */
  sign(digest: Uint8Array, secretKey: Uint8Array): { rs: Uint8Array; recovery: number };
}

let native: NativeSecp256k1 | null | undefined;

/** The native implementation, or undefined when the package or its binding is missing (or `SESSIONCHAIN_SECP256K1=noble`). */
export function loadNativeSecp256k1(): NativeSecp256k1 | undefined {
  if (native !== undefined) return native ?? undefined;
  native = null;
  if (process.env.SESSIONCHAIN_SECP256K1 === 'noble') return undefined;
  try {
    // `secp256k1/bindings` is the native binding only (the package root falls back to elliptic).
    const b = createRequire(import.meta.url)('secp256k1/bindings') as Binding;
    native = {
      recover(rs, recovery, digest) {
        try {
          return b.ecdsaRecover(rs, recovery, digest, false);
        } catch {
          return null;
        }
      },
      sign(digest, secretKey) {
        const { signature, recid } = b.ecdsaSign(digest, secretKey);
        return { rs: signature, recovery: recid };
      },
    };
  } catch {
    native = null;
  }
  return native ?? undefined;
}

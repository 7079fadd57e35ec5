/**
 * Signature schemes shared by transactions, vouchers and block headers (SPEC §3):
 *
 *  - ML-DSA-65 (FIPS 204), the default: encoded `0x07 ‖ pk(1952) ‖ sig(3309)`;
 *    address = keccak256(0x07 ‖ pk)[12..32].
 *  - secp256k1: exactly 65 bytes `r ‖ s ‖ v`, v ∈ {27,28} or {0,1}, low-s only (TIP-1020's
 *    primitive); address = keccak256(uncompressed_pk[1..65])[12..32], as in Ethereum.
 *
 * Anything else is not a signature. A verifier treats "throws" and "returns false" alike: invalid.
 */
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createRequire } from 'node:module';
import { bytesKey, concat } from '../bytes.js';
import { keccak256 } from '../hash.js';
import { type Address, toAddress } from '../address.js';
import { Lru } from '../state/lru.js';
import { loadNativeSecp256k1 } from './secp-native.js';

export const MLDSA65_TAG = 0x07;
export const MLDSA65_PK_LEN = 1952;
export const MLDSA65_SK_LEN = 4032;
export const MLDSA65_SIG_LEN = 3309;
/** Length of an encoded ML-DSA-65 signature: tag + public key + signature. */
export const MLDSA65_ENCODED_LEN = 1 + MLDSA65_PK_LEN + MLDSA65_SIG_LEN;
export const SECP256K1_SIG_LEN = 65;

export type SchemeName = 'ml-dsa-65' | 'secp256k1';
export const SCHEMES: readonly SchemeName[] = ['ml-dsa-65', 'secp256k1'];

const SECP_N = secp256k1.Point.CURVE().n;
const SECP_HALF_N = SECP_N >> 1n;

/** Recent public key → address derivations (a busy account signs with the same key every time). */
const addressOfKey = new Lru<string, Address>(4096);

export function mldsaAddress(publicKey: Uint8Array): Address {
  const id = bytesKey(publicKey);
  let address = addressOfKey.get(id);
  if (address === undefined) {
    address = toAddress(keccak256(concat(new Uint8Array([MLDSA65_TAG]), publicKey)).subarray(12));
    addressOfKey.set(id, address);
  }
  return address;
}

/** Address of a secp256k1 public key (compressed or uncompressed). */
export function secpAddress(publicKey: Uint8Array): Address {
  const uncompressed = publicKey.length === 65 ? publicKey : secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return toAddress(keccak256(uncompressed.subarray(1)).subarray(12));
}

/** Which scheme an encoded signature claims to be, by shape alone. */
export function schemeOf(sig: Uint8Array): SchemeName | null {
  if (sig.length === SECP256K1_SIG_LEN) return 'secp256k1';
  if (sig.length === MLDSA65_ENCODED_LEN && sig[0] === MLDSA65_TAG) return 'ml-dsa-65';
  return null;
}

// ---- ML-DSA-65 verification backends --------------------------------------------------------

/** Verifies a raw ML-DSA-65 signature (pure mode, empty context). Never throws. */
export type MlDsaVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export const nobleMlDsaVerify: MlDsaVerify = (pk, msg, sig) => {
  try {
    return ml_dsa65.verify(sig, msg, pk) === true;
  } catch {
    return false;
  }
};

/**
 * The optional native verifier: `pqclean` builds PQClean's ML-DSA-65 from C (about 8-10× noble).
 * Loaded lazily; `undefined` when the package or its native build is missing.
 */
let pqcleanVerify: MlDsaVerify | null | undefined;
export function loadPqcleanVerify(): MlDsaVerify | undefined {
  if (pqcleanVerify !== undefined) return pqcleanVerify ?? undefined;
  pqcleanVerify = null;
  try {
    const require = createRequire(import.meta.url);
    const installConfig = require('pqclean/install-config.gen.js') as { backend?: string };
    if (installConfig.backend === 'wasm') return undefined; // only the native build is worth it
    const pq = require('pqclean');
    const impl = new pq.Sign('ml-dsa-65');
    if (impl.publicKeySize !== MLDSA65_PK_LEN || impl.signatureSize !== MLDSA65_SIG_LEN) return undefined;
    pqcleanVerify = (pk, msg, sig) => {
      try {
        if (pk.length !== MLDSA65_PK_LEN || sig.length !== MLDSA65_SIG_LEN) return false;
        return impl.verify(asBuffer(pk), asBuffer(msg), asBuffer(sig)) === true;
      } catch {
        return false;
      }
    };
  } catch {
    pqcleanVerify = null;
  }
  return pqcleanVerify ?? undefined;
}

/** Native ML-DSA-65 signing (randomized, FIPS 204), when pqclean is installed; about 10× noble. */
export type MlDsaSign = (secretKey: Uint8Array, message: Uint8Array) => Uint8Array;
let pqcleanSign: MlDsaSign | null | undefined;
export function loadPqcleanSign(): MlDsaSign | undefined {
  if (pqcleanSign !== undefined) return pqcleanSign ?? undefined;
  pqcleanSign = null;
  if (!loadPqcleanVerify()) return undefined; // same package, same checks
  try {
    const require = createRequire(import.meta.url);
    const impl = new (require('pqclean').Sign)('ml-dsa-65');
    pqcleanSign = (sk, msg) => new Uint8Array(impl.sign(asBuffer(sk), asBuffer(msg)));
  } catch {
    pqcleanSign = null;
  }
  return pqcleanSign ?? undefined;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export type MlDsaBackend = 'noble' | 'pqclean';
/** Until a backend is chosen, the first use picks `'auto'` (so every caller gets the native one when installed). */
let activeBackend: MlDsaBackend | undefined;
let activeVerify: MlDsaVerify = (pk, msg, sig) => {
  setMlDsaBackend('auto');
  return activeVerify(pk, msg, sig);
};

/**
 * Chooses the ML-DSA-65 verifier for this thread. `'auto'` (the default, chosen on first use)
 * picks pqclean when its native build is installed, else noble. Both pass the same NIST ACVP and
 * Wycheproof vectors; `'noble'` pins the pure-JS reference. Returns the backend in use.
 */
export function setMlDsaBackend(b: MlDsaBackend | 'auto'): MlDsaBackend {
  if (b === 'noble') {
    activeBackend = 'noble';
    activeVerify = nobleMlDsaVerify;
  } else {
    const native = loadPqcleanVerify();
    if (native) {
      activeBackend = 'pqclean';
      activeVerify = native;
    } else if (b === 'pqclean') {
      throw new Error('the pqclean native ML-DSA verifier is not installed (npm install pqclean, with a C compiler)');
    } else {
      activeBackend = 'noble';
      activeVerify = nobleMlDsaVerify;
    }
  }
  return activeBackend;
}

export function mlDsaBackend(): MlDsaBackend {
  return activeBackend ?? setMlDsaBackend('auto');
}

// ---- recovery ---------------------------------------------------------------------------------

export interface RecoveredSigner {
  scheme: SchemeName;
  address: Address;
  /** ML-DSA-65: the 1952-byte key; secp256k1: the 33-byte compressed key. */
  publicKey: Uint8Array;
}

/**
 * Checks an encoded signature over a 32-byte digest and returns who signed it, or null when the
 * signature is malformed or invalid.
 */
export function recoverSigner(signature: Uint8Array, digest: Uint8Array): RecoveredSigner | null {
  const scheme = schemeOf(signature);
  if (scheme === 'ml-dsa-65') {
    const pk = signature.subarray(1, 1 + MLDSA65_PK_LEN);
    const sig = signature.subarray(1 + MLDSA65_PK_LEN);
    if (!activeVerify(pk, digest, sig)) return null;
    return { scheme, address: mldsaAddress(pk), publicKey: pk.slice() };
  }
  if (scheme === 'secp256k1') return recoverSecp256k1(signature, digest);
  return null;
}

/** Recovers a 65-byte `r ‖ s ‖ v` secp256k1 signature (low-s, v ∈ {27,28,0,1}); null if invalid. */
export function recoverSecp256k1(signature: Uint8Array, digest: Uint8Array): RecoveredSigner | null {
  if (signature.length !== SECP256K1_SIG_LEN || digest.length !== 32) return null;
  const v = signature[64]!;
  const recovery = v === 27 || v === 28 ? v - 27 : v === 0 || v === 1 ? v : -1;
  if (recovery < 0) return null;
  try {
    const sig = secp256k1.Signature.fromBytes(signature.subarray(0, 64), 'compact'); // refuses r, s ≥ n
    if (sig.r === 0n || sig.s === 0n || sig.s > SECP_HALF_N) return null;
    const fast = loadNativeSecp256k1();
    if (fast) {
      const uncompressed = fast.recover(signature.subarray(0, 64), recovery as 0 | 1, digest);
      return uncompressed && { scheme: 'secp256k1', address: toAddress(keccak256(uncompressed.subarray(1)).subarray(12)), publicKey: compressKey(uncompressed) };
    }
    const recovered = sig.addRecoveryBit(recovery).recoverPublicKey(digest);
    const pk = recovered.toBytes(true);
    return { scheme: 'secp256k1', address: toAddress(keccak256(recovered.toBytes(false).subarray(1)).subarray(12)), publicKey: pk };
  } catch {
    return null;
  }
}

/** 65-byte uncompressed → 33-byte compressed (the prefix carries y's parity). */
function compressKey(uncompressed: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = 2 + (uncompressed[64]! & 1);
  out.set(uncompressed.subarray(1, 33), 1);
  return out;
}

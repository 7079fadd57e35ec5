/**
 * Passphrase-encrypted key files. The 32-byte seed is sealed with XChaCha20-Poly1305 under a key
 * stretched by scrypt (both from noble). The file records the scheme and address in clear so that
 * `keys list` needs no passphrase; the address is checked again after decryption.
 *
 *   { "version": 1, "scheme": "ml-dsa-65", "address": "0x…",
 *     "crypto": { "kdf": "scrypt", "kdfparams": { "n": 131072, "r": 8, "p": 1, "dklen": 32, "salt": "0x…" },
 *                 "cipher": "xchacha20-poly1305", "nonce": "0x…", "ciphertext": "0x…" } }
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes } from 'node:crypto';
import { aeadOpen, aeadSeal, fromHex, toHex, utf8, NamedError, type Address, toAddress, SCHEMES, type SchemeName, signerFromSeed, type Signer } from '../chain/index.js';

export interface KeystoreFile {
  version: 1;
  scheme: SchemeName;
  address: Address;
  crypto: {
    kdf: 'scrypt';
    kdfparams: { n: number; r: number; p: number; dklen: 32; salt: string };
    cipher: 'xchacha20-poly1305';
    nonce: string;
    ciphertext: string;
  };
}

export interface KdfOptions {
  /** scrypt cost (power of two). The default, 2^17, takes about a second; tests use less. */
  n?: number;
  r?: number;
  p?: number;
}

export class KeystoreError extends NamedError {
  constructor(name: 'WrongPassphrase' | 'InvalidKeystore', message: string) {
    super(name, message);
  }
}

export async function encryptKeystore(seed: Uint8Array, scheme: SchemeName, passphrase: string, kdf: KdfOptions = {}): Promise<KeystoreFile> {
  const signer = signerFromSeed(seed, scheme);
  const n = kdf.n ?? 1 << 17;
  const r = kdf.r ?? 8;
  const p = kdf.p ?? 1;
  const salt = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(24));
  const key = await scryptAsync(utf8(passphrase), salt, { N: n, r, p, dkLen: 32 });
  const ciphertext = aeadSeal(key, nonce, seed, utf8(`${scheme}:${signer.address}`));
  return {
    version: 1,
    scheme,
    address: signer.address,
    crypto: { kdf: 'scrypt', kdfparams: { n, r, p, dklen: 32, salt: toHex(salt) }, cipher: 'xchacha20-poly1305', nonce: toHex(nonce), ciphertext: toHex(ciphertext) },
  };
}

/** Parses and checks the shape of a keystore file (throws `InvalidKeystore`). */
export function parseKeystore(json: unknown): KeystoreFile {
  const bad = (why: string): never => {
    throw new KeystoreError('InvalidKeystore', `not a sessionchain keystore file: ${why}`);
  };
  if (!json || typeof json !== 'object') bad('expected a JSON object');
  const k = json as Record<string, any>;
  if (k.version !== 1) bad('unsupported version');
  if (!SCHEMES.includes(k.scheme)) bad(`unknown scheme ${String(k.scheme)}`);
  let address: Address;
  try {
    address = toAddress(k.address);
  } catch {
    return bad('bad address');
  }
  const c = k.crypto;
  if (!c || c.kdf !== 'scrypt' || c.cipher !== 'xchacha20-poly1305') bad('unsupported kdf or cipher');
  const kp = c.kdfparams;
  if (!kp || !Number.isInteger(kp.n) || kp.n < 2 || (kp.n & (kp.n - 1)) !== 0 || kp.n > 1 << 22 || !Number.isInteger(kp.r) || !Number.isInteger(kp.p) || kp.r < 1 || kp.p < 1 || kp.r * kp.p > 64) {
    bad('bad scrypt parameters');
  }
  for (const f of ['nonce', 'ciphertext']) if (typeof c[f] !== 'string') bad(`missing ${f}`);
  if (typeof kp.salt !== 'string') bad('missing salt');
  return { ...(k as KeystoreFile), address };
}

export async function decryptKeystore(file: KeystoreFile, passphrase: string): Promise<{ seed: Uint8Array; signer: Signer }> {
  const kp = file.crypto.kdfparams;
  const key = await scryptAsync(utf8(passphrase), fromHex(kp.salt), { N: kp.n, r: kp.r, p: kp.p, dkLen: 32 });
  let seed: Uint8Array;
  try {
    seed = aeadOpen(key, fromHex(file.crypto.nonce), fromHex(file.crypto.ciphertext), utf8(`${file.scheme}:${file.address}`));
  } catch {
    throw new KeystoreError('WrongPassphrase', 'wrong passphrase (or the key file was modified)');
  }
  const signer = signerFromSeed(seed, file.scheme);
  if (signer.address !== file.address) throw new KeystoreError('InvalidKeystore', 'decrypted key does not match the address in the file');
  return { seed, signer };
}

/**
 * Hash functions. Keccak-256 (legacy 0x01 padding) is the chain's hash; hot paths (tx hashes, trie
 * nodes, addresses) use hash-wasm's WebAssembly keccak, which is about ten times faster than the
 * pure-JS one here. `@noble/hashes` stays the reference: test/chain/hash.test.ts checks the two agree
 * on random inputs, and SHA-256 / BLAKE2b come from noble directly.
 */
import { createKeccak } from 'hash-wasm';
import { keccak_256 as nobleKeccak } from '@noble/hashes/sha3.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { concat, utf8 } from './bytes.js';

type WasmKeccak = Awaited<ReturnType<typeof createKeccak>>;
let wasm: WasmKeccak | undefined;
/**
 * The WebAssembly instance is created asynchronously; until it is ready (the first milliseconds
 * after start-up) hashes come from noble. Both are the same function, so results never differ. No
 * top-level await: this file sits under every import cycle of the project.
 */
export const keccakReady: Promise<void> = createKeccak(256).then(
  (k) => void (wasm = k),
  () => undefined, // no WebAssembly: stay on noble, which is correct but slower
);

/** Keccak-256 with legacy padding (what Ethereum calls keccak256). */
export function keccak256(data: Uint8Array): Uint8Array {
  if (wasm === undefined) return nobleKeccak(data);
  wasm.init();
  wasm.update(data);
  return wasm.digest('binary');
}

/** The pure-JS reference implementation, for cross-checks. */
export const keccak256Reference = nobleKeccak;

/** Keccak-256 over the concatenation of the parts. */
export function keccakConcat(...parts: Uint8Array[]): Uint8Array {
  return keccak256(concat(...parts));
}

/** Keccak-256 of a UTF-8 string. */
export function keccakUtf8(s: string): Uint8Array {
  return keccak256(utf8(s));
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-256 over the plain concatenation of the parts (no length prefixes), as Lux's HashMulti. */
export function sha256Concat(...parts: Uint8Array[]): Uint8Array {
  return nobleSha256(concat(...parts));
}

export function blake2b256(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 });
}

/** Deterministic tiny-classifier model files and inputs for AIVM chain tests. */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { encodeModelFile } from '../../sdk/aivm/index.js';

const byte = (seed: string, i: number) => keccak_256(new TextEncoder().encode(`${seed}/${i}`))[0]!;

export function modelFile(seed: string, shift1 = 5, shift2 = 5): Uint8Array {
  return encodeModelFile({
    w1: Int8Array.from({ length: 512 }, (_, i) => (byte(seed, i) % 65) - 32),
    b1: Int32Array.from({ length: 16 }, (_, i) => (byte(seed, 1000 + i) % 256) - 128),
    w2: Int8Array.from({ length: 16 }, (_, i) => (byte(seed, 2000 + i) % 65) - 32),
    b2: Int32Array.from({ length: 1 }, () => (byte(seed, 3000) % 256) - 128),
    shift1,
    shift2,
  });
}

/** A 32-byte int8 input row. */
export function input(seed: string): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => byte(`in/${seed}`, i));
}

export const keccak = (b: Uint8Array) => keccak_256(b);

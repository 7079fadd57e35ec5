/**
 * The open-addressing arenas (attestations keyed by tee_quote_digest, models by model_root): a
 * power-of-two slot count, home slot from an FNV-1a-style hash of the key's first 8 bytes (LE),
 * linear probing by +1. Slot indices enter the leaf hashes, so this arithmetic is consensus.
 */
import { NO_SLOT } from './layouts.js';
import { equalRange } from './hash.js';

/**
 * `low32((0xcbf29ce484222325 XOR key) * 0x100000001b3 mod 2^64) & mask`, where key is a u64.
 *
 * Only the low 32 bits of the product are kept, and 0x100000001b3 = 2^40 + 0x1b3: the 2^40 term
 * cannot reach the low 32 bits, so the result is `low32((0x84222325 XOR low32(key)) * 0x1b3)`.
 * That is exact in 32-bit integer math (`Math.imul`); the tests check it against the 64-bit BigInt
 * formula.
 */
export function hashIndex(keyLow32: number, mask: number): number {
  return (Math.imul((0x84222325 ^ keyLow32) >>> 0, 0x1b3) & mask) >>> 0;
}

/** The home slot of a 32-byte digest in an arena of `slots` (a power of two) entries. */
export function homeSlot(digest: Uint8Array, digestAt: number, slots: number): number {
  const keyLow32 = (digest[digestAt]! | (digest[digestAt + 1]! << 8) | (digest[digestAt + 2]! << 16) | (digest[digestAt + 3]! << 24)) >>> 0;
  return hashIndex(keyLow32, slots - 1);
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 0x80000000;
}

/** Where an arena keeps its key (32 bytes) and its `occupied` u32, inside each slot. */
export interface ArenaShape {
  readonly slotSize: number;
  readonly keyOffset: number;
  readonly occupiedOffset: number;
}

/**
 * Finds the slot holding the 32-byte key `key[keyAt..keyAt+32)`. With `insert`, the first empty
 * slot on the probe path is claimed: zeroed, key written, occupied = 1. Returns NO_SLOT when the
 * key is missing (without insert) or the table is full.
 */
export function locate(table: Uint8Array, shape: ArenaShape, key: Uint8Array, keyAt: number, insert: boolean): number {
  const slots = table.length / shape.slotSize;
  if (slots === 0) return NO_SLOT;
  const mask = slots - 1;
  let idx = homeSlot(key, keyAt, slots);
  for (let probe = 0; probe < slots; probe++) {
    const base = idx * shape.slotSize;
    if (readU32(table, base + shape.occupiedOffset) === 0) {
      if (!insert) return NO_SLOT;
      table.fill(0, base, base + shape.slotSize);
      table.set(key.subarray(keyAt, keyAt + 32), base + shape.keyOffset);
      writeU32(table, base + shape.occupiedOffset, 1);
      return idx;
    }
    if (equalRange(table, base + shape.keyOffset, key, keyAt, 32)) return idx;
    idx = (idx + 1) & mask;
  }
  return NO_SLOT;
}

export function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

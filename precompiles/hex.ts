/**
 * 32-byte words as lowercase `0x` hex strings: the form descriptors, channel ids and digests take in
 * the precompiles' public API. `word32` is the codec type that carries them through transaction
 * arguments (RLP: exactly 32 bytes), so a descriptor has one JS shape on and off chain.
 */
import { CodecError, fromHex, isHex, toHex, asBytes, type Type } from '../chain/index.js';

export type Hex32 = `0x${string}` & { readonly __brand: 'Hex32' };
export type Hex = `0x${string}`;

const HEX32_RE = /^0x[0-9a-fA-F]{64}$/;

/** Parses a 32-byte value given as `0x` hex (any case) or bytes; throws CodecError naming `path`. */
export function toHex32(v: unknown, path = 'value'): Hex32 {
  if (v instanceof Uint8Array) {
    if (v.length !== 32) throw new CodecError(`must be exactly 32 bytes, got ${v.length}`, path);
    return toHex(v) as Hex32;
  }
  if (typeof v !== 'string' || !HEX32_RE.test(v)) throw new CodecError('must be 32 bytes as 0x-prefixed hex (64 hex digits)', path);
  return v.toLowerCase() as Hex32;
}

export function hex32Bytes(v: Hex32): Uint8Array {
  return fromHex(v);
}

/** Bytes given as `0x` hex or a Uint8Array (signatures, encodings). */
export function toBytes(v: unknown, path = 'value'): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string' && v.startsWith('0x') && isHex(v)) return fromHex(v);
  throw new CodecError('must be bytes or 0x-prefixed hex', path);
}

export const ZERO_WORD = ('0x' + '00'.repeat(32)) as Hex32;

/**
 * Codec type for a 32-byte word held as hex. Named `bytes32` because that is its wire type; use
 * `t.bytes32` (Uint8Array values) for indexed event fields, whose topic encoding expects bytes.
 */
export const word32: Type<Hex32> = {
  name: 'bytes32',
  encode: (v) => hex32Bytes(toHex32(v)),
  decode(item, path = '') {
    const b = asBytes(item, path);
    if (b.length !== 32) throw new CodecError(`bytes32 must be exactly 32 bytes, got ${b.length}`, path);
    return toHex(b) as Hex32;
  },
  fromJson: (v, path = '') => toHex32(v, path),
  toJson: (v) => v,
};

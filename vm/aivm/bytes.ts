/**
 * Fixed-width argument normalisation for the AIVM wire formats. The public API takes byte fields
 * as `Uint8Array` (addresses may also be `0x` strings) and integers as `bigint` or `number`; each
 * helper checks the width and range and throws a `RangeError` naming the field.
 */
import { addressBytes, bigToBytes, fromHex, isAddress, toAddress, type Address } from '../../chain/index.js';

export type AddressLike = Uint8Array | string;
export type IntLike = bigint | number;

export function bytesN(v: Uint8Array | string, n: number, field: string): Uint8Array {
  let b: Uint8Array;
  if (typeof v === 'string') {
    try {
      b = fromHex(v);
    } catch {
      throw new RangeError(`${field} must be ${n} bytes (0x hex or Uint8Array)`);
    }
  } else b = v;
  if (!(b instanceof Uint8Array) || b.length !== n) throw new RangeError(`${field} must be exactly ${n} bytes, got ${b?.length ?? typeof v}`);
  return b;
}

export function addr20(v: AddressLike, field: string): Uint8Array {
  if (typeof v === 'string') {
    if (!isAddress(v)) throw new RangeError(`${field} must be a 20-byte address`);
    return addressBytes(toAddress(v));
  }
  return bytesN(v, 20, field);
}

export function asAddress(v: AddressLike, field: string): Address {
  return toAddress(addr20(v, field));
}

export function uintN(v: IntLike, bits: number, field: string): bigint {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`${field} must be an integer`);
  const x = BigInt(v);
  if (x < 0n || x >= 1n << BigInt(bits)) throw new RangeError(`${field} is out of range for uint${bits}`);
  return x;
}

/** Big-endian fixed-width encoding of an unsigned integer field. */
export function be(v: IntLike, bytes: number, field: string): Uint8Array {
  return bigToBytes(uintN(v, bytes * 8, field), bytes);
}

/** A 32-byte word: `Uint8Array(32)` as is, or an integer as uint256 big-endian. */
export function word32(v: Uint8Array | IntLike, field: string): Uint8Array {
  return v instanceof Uint8Array ? bytesN(v, 32, field) : be(v, 32, field);
}

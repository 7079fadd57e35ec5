/**
 * 20-byte addresses, shown as lowercase `0x` hex. EIP-55 checksummed input is accepted (and checked
 * when it is mixed-case). Keeping addresses as branded strings makes them cheap to compare and use as
 * map keys; `addressBytes` converts for hashing and encoding.
 */
import { fromHex, toHex } from './bytes.js';
import { keccakUtf8 } from './hash.js';

export type Address = `0x${string}` & { readonly __brand: 'Address' };

const ADDR_RE = /^0x[0-9a-fA-F]{40}$/;

export const ZERO_ADDRESS = ('0x' + '00'.repeat(20)) as Address;

export function isAddress(v: unknown): v is string {
  return typeof v === 'string' && ADDR_RE.test(v);
}

/** Parses a hex address; mixed-case input must carry a valid EIP-55 checksum. */
export function toAddress(v: string | Uint8Array): Address {
  if (v instanceof Uint8Array) {
    if (v.length !== 20) throw new TypeError(`an address is 20 bytes, got ${v.length}`);
    return toHex(v) as Address;
  }
  if (!isAddress(v)) throw new TypeError(`not a 20-byte 0x address: ${String(v).slice(0, 50)}`);
  const lower = v.toLowerCase();
  const body = v.slice(2);
  if (body !== body.toLowerCase() && body !== body.toUpperCase() && checksumAddress(lower as Address) !== v) {
    throw new TypeError(`bad EIP-55 checksum in ${v}`);
  }
  return lower as Address;
}

export function addressBytes(a: Address): Uint8Array {
  return fromHex(a);
}

/** EIP-55 mixed-case rendering. */
export function checksumAddress(a: Address): string {
  const body = a.slice(2);
  const h = keccakUtf8(body);
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = (h[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? body[i]!.toUpperCase() : body[i];
  }
  return out;
}

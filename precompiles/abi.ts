/**
 * A static Solidity ABI encoder for the only shapes TIP-1034 hashes: 32-byte words built from
 * addresses, unsigned integers and bytes32 values (`abi.encode` of static types is their
 * concatenation, each left-padded to 32 bytes).
 */
import { addressBytes, bigToBytes, concat, type Address } from '../chain/index.js';
import { hex32Bytes, type Hex32 } from './hex.js';

export type AbiWord = { address: Address } | { uint: bigint; bits: number } | { bytes32: Hex32 | Uint8Array };

function word(w: AbiWord): Uint8Array {
  if ('address' in w) {
    const out = new Uint8Array(32);
    out.set(addressBytes(w.address), 12);
    return out;
  }
  if ('uint' in w) {
    if (w.uint < 0n || w.uint >= 1n << BigInt(w.bits)) throw new RangeError(`${w.uint} does not fit uint${w.bits}`);
    return bigToBytes(w.uint, 32);
  }
  const b = typeof w.bytes32 === 'string' ? hex32Bytes(w.bytes32) : w.bytes32;
  if (b.length !== 32) throw new RangeError('bytes32 must be 32 bytes');
  return b;
}

/** `abi.encode(...)` of static values. */
export function abiEncode(...words: AbiWord[]): Uint8Array {
  return concat(...words.map(word));
}

/**
 * TIP-20 addresses. Every token lives at `0x20c000000000000000000000 ‖ id(8 bytes)`; ids below
 * 1024 are reserved for tokens created in genesis (the dev stablecoin is id 0), the factory derives
 * the rest from the creator and a salt:
 *
 *   id = keccak256("SESSIONCHAIN:TIP20:v1" ‖ creator ‖ salt)[0..8]
 */
import { addressBytes, bytesToBig, bigToBytes, concat, fromHex, keccak256, toAddress, utf8, type Address } from '../../chain/index.js';
import { hex32Bytes, type Hex32 } from '../hex.js';

export const TIP20_PREFIX = fromHex('0x20c000000000000000000000');
/** The dev stablecoin created by the default genesis (TIP-20 id 0, Tempo's pathUSD slot). */
export const DEV_STABLECOIN_ADDRESS = toAddress('0x20c0000000000000000000000000000000000000');
/** The token factory (outside the token prefix, so it is never mistaken for a token). */
export const TIP20_FACTORY_ADDRESS = toAddress('0x20fc000000000000000000000000000000000000');
export const TIP20_DECIMALS = 6;
/** Token ids below this are reserved for genesis. */
export const RESERVED_TOKEN_IDS = 1024n;

const TOKEN_ADDRESS_DOMAIN = utf8('SESSIONCHAIN:TIP20:v1');

export function hasTip20Prefix(a: Address): boolean {
  const b = addressBytes(a);
  for (let i = 0; i < TIP20_PREFIX.length; i++) if (b[i] !== TIP20_PREFIX[i]) return false;
  return true;
}

/** The address of TIP-20 token `id` (a uint64). */
export function tip20Address(id: bigint): Address {
  return toAddress(concat(TIP20_PREFIX, bigToBytes(id, 8)));
}

/** The token id of a TIP-20-prefixed address. */
export function tip20Id(a: Address): bigint {
  if (!hasTip20Prefix(a)) throw new RangeError(`${a} is not a TIP-20 address`);
  return bytesToBig(addressBytes(a).subarray(12));
}

/** Where the factory puts the token `creator` makes with `salt`. */
export function computeTokenAddress(creator: Address, salt: Hex32): Address {
  const h = keccak256(concat(TOKEN_ADDRESS_DOMAIN, addressBytes(creator), hex32Bytes(salt)));
  return toAddress(concat(TIP20_PREFIX, h.subarray(0, 8)));
}

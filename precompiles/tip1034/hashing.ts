/**
 * channelId, the EIP-712 domain separator and voucher digests, bit-exact with Tempo (§1.2, §1.5):
 *
 *   channelId = keccak256(abi.encode(payer, payee, operator, token, salt, authorizedSigner,
 *                                    expiringNonceHash, escrow, uint256 chainId))
 *   digest    = keccak256(0x1901 ‖ domainSeparator ‖ keccak256(abi.encode(VOUCHER_TYPEHASH,
 *                                                               channelId, uint96 cumulative)))
 *
 * The byte-level functions serve the precompile; the public API wraps them with hex in and out.
 */
import { concat, keccak256, parseUint, toAddress, toHex, utf8, type Address } from '../../chain/index.js';
import { abiEncode } from '../abi.js';
import { hex32Bytes, type Hex32 } from '../hex.js';
import { EIP712_DOMAIN_NAME, EIP712_DOMAIN_TYPE, EIP712_DOMAIN_VERSION, ESCROW_ADDRESS, VOUCHER_TYPEHASH } from './constants.js';
import type { ChannelDescriptor } from './descriptor.js';

const MAX_UINT256 = (1n << 256n) - 1n;
const EIP191_PREFIX = new Uint8Array([0x19, 0x01]);
const DOMAIN_TYPEHASH = keccak256(utf8(EIP712_DOMAIN_TYPE));
const NAME_HASH = keccak256(utf8(EIP712_DOMAIN_NAME));
const VERSION_HASH = keccak256(utf8(EIP712_DOMAIN_VERSION));

/** A chain id as a bigint (accepts safe JS integers and decimal or 0x strings). */
export function toChainId(v: bigint | number | string): bigint {
  const id = parseUint(v, 'chainId');
  if (id > MAX_UINT256) throw new RangeError('chainId does not fit uint256');
  return id;
}

const domainCache = new Map<string, Uint8Array>();

export function domainSeparatorBytes(chainId: bigint, escrow: Address = ESCROW_ADDRESS): Uint8Array {
  const key = `${chainId}:${escrow}`;
  let d = domainCache.get(key);
  if (!d) {
    d = keccak256(concat(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, abiEncode({ uint: chainId, bits: 256 }, { address: escrow })));
    if (domainCache.size > 64) domainCache.clear();
    domainCache.set(key, d);
  }
  return d;
}

export function channelIdBytes(d: ChannelDescriptor, chainId: bigint, escrow: Address = ESCROW_ADDRESS): Uint8Array {
  return keccak256(
    abiEncode(
      { address: d.payer },
      { address: d.payee },
      { address: d.operator },
      { address: d.token },
      { bytes32: d.salt },
      { address: d.authorizedSigner },
      { bytes32: d.expiringNonceHash },
      { address: escrow },
      { uint: chainId, bits: 256 },
    ),
  );
}

export function voucherDigestBytes(channelId: Hex32 | Uint8Array, cumulativeAmount: bigint, chainId: bigint, escrow: Address = ESCROW_ADDRESS): Uint8Array {
  const id = typeof channelId === 'string' ? hex32Bytes(channelId) : channelId;
  const structHash = keccak256(abiEncode({ bytes32: VOUCHER_TYPEHASH }, { bytes32: id }, { uint: cumulativeAmount, bits: 96 }));
  return keccak256(concat(EIP191_PREFIX, domainSeparatorBytes(chainId, escrow), structHash));
}

export const channelIdHex = (d: ChannelDescriptor, chainId: bigint, escrow: Address = ESCROW_ADDRESS): Hex32 => toHex(channelIdBytes(d, chainId, escrow)) as Hex32;

export function toEscrow(escrow: string | undefined): Address {
  return escrow === undefined ? ESCROW_ADDRESS : toAddress(escrow);
}

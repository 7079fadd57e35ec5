/**
 * The pure TIP-1034 functions of the public API, hex in and hex out (the shapes ox and mppx use):
 * every result is a lowercase `0x` string. `escrow` defaults to the canonical precompile address.
 */
import { toAddress, toHex, type Address, type Signer } from '../../chain/index.js';
import { toHex32, type Hex, type Hex32, toDescriptor, type ChannelDescriptor, type DescriptorInput, channelIdHex, domainSeparatorBytes, toChainId, voucherDigestBytes } from '../../precompiles/index.js';
import { recoverVoucher, signVoucherBytes, toUint96, type Amount } from './voucher.js';

type ChainIdInput = bigint | number | string;
const escrowOf = (escrow?: string) => (escrow === undefined ? undefined : toAddress(escrow));

/** keccak256(abi.encode(EIP712Domain typehash, "TIP20 Channel Reserve", "1", chainId, escrow)). */
export function domainSeparator(chainId: ChainIdInput, escrow?: string): Hex32 {
  return toHex(domainSeparatorBytes(toChainId(chainId), escrowOf(escrow))) as Hex32;
}

/** keccak256(abi.encode(payer, payee, operator, token, salt, authorizedSigner, expiringNonceHash, escrow, chainId)). */
export function computeChannelId(descriptor: DescriptorInput | ChannelDescriptor, chainId: ChainIdInput, escrow?: string): Hex32 {
  return channelIdHex(toDescriptor(descriptor), toChainId(chainId), escrowOf(escrow));
}

/** The EIP-712 digest of `Voucher(bytes32 channelId, uint96 cumulativeAmount)`. */
export function voucherDigest(channelId: string | Uint8Array, cumulativeAmount: Amount, chainId: ChainIdInput, escrow?: string): Hex32 {
  return toHex(voucherDigestBytes(toHex32(channelId, 'channelId'), toUint96(cumulativeAmount), toChainId(chainId), escrowOf(escrow))) as Hex32;
}

/**
 * The address that signed a voucher digest: secp256k1 by recovery (65-byte r ‖ s ‖ v, low-s,
 * v ∈ {27,28,0,1}), ML-DSA-65 by verifying `0x07 ‖ pk ‖ sig` and deriving the key's address.
 * Null for anything else or an invalid signature.
 */
export function recoverVoucherSigner(digest: string | Uint8Array, signature: string | Uint8Array): Address | null {
  return recoverVoucher(digest, signature)?.address ?? null;
}

/** Signs a voucher with a chain signer (either scheme); returns the encoded signature as hex. */
export function signVoucher(signer: Signer, channelId: string | Uint8Array, cumulativeAmount: Amount, chainId: ChainIdInput, escrow?: string): Hex {
  return toHex(signVoucherBytes(signer, channelId, cumulativeAmount, chainId, escrowOf(escrow))) as Hex;
}

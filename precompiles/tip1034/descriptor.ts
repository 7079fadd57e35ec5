/**
 * The channel descriptor (§1.2): immutable, never stored, passed in full to every post-open call.
 * One shape on and off chain: addresses are lowercase `0x` strings, salts and hashes `Hex32`.
 */
import { t, ZERO_ADDRESS, type Address, type Infer } from '../../chain/index.js';
import { word32 } from '../hex.js';

export const descriptorType = t.struct({
  payer: t.address,
  payee: t.address,
  operator: t.address,
  token: t.address,
  salt: word32,
  authorizedSigner: t.address,
  expiringNonceHash: word32,
});

export type ChannelDescriptor = Infer<typeof descriptorType>;

/** A descriptor as users write it: `0x` hex strings (any case, EIP-55 accepted) or bytes for the words. */
export type DescriptorInput = { [K in keyof ChannelDescriptor]: string | Uint8Array };

/** Validates and normalizes a descriptor; throws `InvalidEncoding` naming the bad field. */
export function toDescriptor(input: DescriptorInput | ChannelDescriptor, path = 'descriptor'): ChannelDescriptor {
  return descriptorType.fromJson(input, path);
}

/** Who must sign vouchers: the authorized signer when set, else the payer. */
export function voucherSigner(d: ChannelDescriptor): Address {
  return d.authorizedSigner !== ZERO_ADDRESS ? d.authorizedSigner : d.payer;
}

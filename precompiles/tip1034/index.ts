/** TIP-1034: the escrow channel precompile (the client helpers are in `sdk/precompiles/`). */
export { ESCROW_ADDRESS, CLOSE_GRACE_PERIOD, VOUCHER_TYPEHASH, VOUCHER_TYPE, EIP712_DOMAIN_NAME, EIP712_DOMAIN_VERSION, MAX_UINT96 } from './constants.js';
export { descriptorType, toDescriptor, voucherSigner, type ChannelDescriptor, type DescriptorInput } from './descriptor.js';
export { channelIdBytes, channelIdHex, voucherDigestBytes, domainSeparatorBytes, toChainId } from './hashing.js';
export { packSlot, unpackSlot, channelStateType, type ChannelState } from './slot.js';
export { ESCROW_ERRORS, errorSelector, type EscrowErrorName } from './errors.js';
export { escrowEvents, channelOpenedData, type EscrowEventName } from './events.js';
export { openArgs, settleArgs, settleBatchArgs, MAX_SETTLE_BATCH, topUpArgs, closeArgs, descriptorArgs, channelType } from './args.js';
export { escrowModule } from './escrow.js';

/** TIP-1034: the escrow channel precompile, vouchers and the client helpers. */
export { ESCROW_ADDRESS, CLOSE_GRACE_PERIOD, VOUCHER_TYPEHASH, VOUCHER_TYPE, EIP712_DOMAIN_NAME, EIP712_DOMAIN_VERSION, MAX_UINT96 } from './constants.js';
export { descriptorType, toDescriptor, voucherSigner, type ChannelDescriptor, type DescriptorInput } from './descriptor.js';
export { domainSeparator, computeChannelId, voucherDigest, recoverVoucherSigner, signVoucher } from './api.js';
export { channelIdBytes, voucherDigestBytes, domainSeparatorBytes, toChainId } from './hashing.js';
export { VoucherVerifier, recoverVoucher, signVoucherBytes, type VoucherInput, type VoucherVerdict, type VoucherVerifierOptions, type Amount } from './voucher.js';
export { expiringNonceHash, buildOpenTx, type OpenRequest, type OpenPlan } from './open.js';
export { packSlot, unpackSlot, channelStateType, type ChannelState } from './slot.js';
export { ESCROW_ERRORS, errorSelector, type EscrowErrorName } from './errors.js';
export { escrowEvents, type EscrowEventName } from './events.js';
export { decodeChannelOpened, type OpenedChannel } from './indexer.js';
export { openArgs, settleArgs, topUpArgs, closeArgs, descriptorArgs, channelType } from './args.js';
export { escrowModule } from './escrow.js';
export { EscrowRpcClient, ESCROW_GAS_LIMIT, type EscrowTxOptions, type OpenParams } from './rpc-client.js';

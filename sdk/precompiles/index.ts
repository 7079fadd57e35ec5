/**
 * `sessionchain/precompiles`: TIP-20 and the TIP-1034 escrow (consensus code, in `precompiles/`)
 * with the client side of channels: voucher signing and verification, building the `open`
 * transaction, reading `ChannelOpened` events, and `EscrowRpcClient`.
 */
export * from '../../precompiles/index.js';
export { domainSeparator, computeChannelId, voucherDigest, recoverVoucherSigner, signVoucher } from './api.js';
export { VoucherVerifier, recoverVoucher, signVoucherBytes, toUint96, type VoucherInput, type VoucherVerdict, type VoucherVerifierOptions, type Amount } from './voucher.js';
export { expiringNonceHash, buildOpenTx, type OpenRequest, type OpenPlan } from './open.js';
export { decodeChannelOpened, type OpenedChannel } from './indexer.js';
export { EscrowRpcClient, ESCROW_GAS_LIMIT, type EscrowTxOptions, type OpenParams } from './escrow-client.js';

/** TIP-1034 constants (spec tip1034.md §1.1). */
import { keccak256, toAddress, toHex, utf8 } from '../../chain/index.js';
import type { Hex32 } from '../hex.js';

/** The escrow precompile; the bytes spell "MPP". No admin, no proxy. */
export const ESCROW_ADDRESS = toAddress('0x4d50500000000000000000000000000000000000');
/** Seconds between `requestClose` and the earliest `withdraw`, measured in block time. */
export const CLOSE_GRACE_PERIOD = 900n;
export const MAX_UINT96 = (1n << 96n) - 1n;
export const MAX_UINT32 = (1n << 32n) - 1n;

export const EIP712_DOMAIN_TYPE = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';
export const EIP712_DOMAIN_NAME = 'TIP20 Channel Reserve';
export const EIP712_DOMAIN_VERSION = '1';
export const VOUCHER_TYPE = 'Voucher(bytes32 channelId,uint96 cumulativeAmount)';

export const VOUCHER_TYPEHASH = toHex(keccak256(utf8(VOUCHER_TYPE))) as Hex32;

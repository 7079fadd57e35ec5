/**
 * The escrow's named errors (§1.7). All are zero-argument custom errors upstream; the 4-byte
 * Solidity selector travels in the error data so EVM-minded tooling can match them.
 */
import { keccak256, ModuleError, toHex, utf8 } from '../../chain/index.js';

export const ESCROW_ERRORS = [
  'ChannelAlreadyExists',
  'ChannelNotFound',
  'NotPayer',
  'NotPayeeOrOperator',
  'InvalidPayee',
  'InvalidToken',
  'ZeroDeposit',
  'ExpiringNonceHashNotSet',
  'InvalidSignature',
  'AmountExceedsDeposit',
  'AmountNotIncreasing',
  'CaptureAmountInvalid',
  'CloseNotReady',
  'DepositOverflow',
] as const;

export type EscrowErrorName = (typeof ESCROW_ERRORS)[number];

/** `bytes4(keccak256("Name()"))` as `0x` hex. */
export function errorSelector(name: string): string {
  return toHex(keccak256(utf8(`${name}()`)).subarray(0, 4));
}

export function escrowError(name: EscrowErrorName, message: string): ModuleError {
  return new ModuleError(name, message, { selector: errorSelector(name) });
}

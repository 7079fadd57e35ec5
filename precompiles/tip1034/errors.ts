/**
 * The escrow's named errors (§1.7). All are zero-argument custom errors upstream; the 4-byte
 * Solidity selector travels in the error data so EVM-minded tooling can match them.
 */
import { keccak256, moduleErrors, toHex, utf8, type ModuleError } from '../../chain/index.js';

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

/** The spec's errors plus ours: the token's TIP-403 policy refuses the payer or payee (upstream reverts inside the token). */
export type EscrowErrorName = (typeof ESCROW_ERRORS)[number] | 'PolicyForbids';

/** `bytes4(keccak256("Name()"))` as `0x` hex. */
export function errorSelector(name: string): string {
  return toHex(keccak256(utf8(`${name}()`)).subarray(0, 4));
}

/** The escrow's error table; every error carries its Solidity selector in `data.selector`. */
export const escrowErrors = moduleErrors<EscrowErrorName>([...ESCROW_ERRORS, 'PolicyForbids'], (name) => ({ selector: errorSelector(name) }));

export function escrowError(name: EscrowErrorName, message: string, data?: Record<string, unknown>): ModuleError {
  return escrowErrors.error(name, message, data);
}

/** Every error name of the TIP-20 token and factory precompiles. */
import { moduleErrors } from '../../chain/index.js';

export const tip20Errors = moduleErrors([
  'InsufficientAllowance',
  'InsufficientBalance',
  'InvalidIssuer',
  'InvalidRecipient',
  'InvalidTokenMetadata',
  'PolicyForbids',
  'SupplyCapExceeded',
  'TokenAddressReserved',
  'TokenAlreadyExists',
  'Unauthorized',
  'UnknownToken',
]);
export type Tip20ErrorName = (typeof tip20Errors.names)[number];

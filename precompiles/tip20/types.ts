/** Schemas shared by the token module, the factory, the RPC handlers and the SDK. */
import { t, type Infer } from '../../chain/index.js';
import { policyModeType } from './policy.js';
import { MAX_NAME_BYTES, MAX_SYMBOL_BYTES } from './state.js';

export const tokenInfoType = t.struct({
  address: t.address,
  name: t.string(MAX_NAME_BYTES),
  symbol: t.string(MAX_SYMBOL_BYTES),
  decimals: t.uint8,
  totalSupply: t.uint256,
  issuer: t.address,
  policy: policyModeType,
});

export const initialBalanceType = t.struct({ account: t.address, amount: t.uint256 });
export const initializeArgs = t.struct({
  name: t.string(MAX_NAME_BYTES),
  symbol: t.string(MAX_SYMBOL_BYTES),
  issuer: t.address,
  balances: t.list(initialBalanceType, 4096),
});

export type TokenInfo = Infer<typeof tokenInfoType>;

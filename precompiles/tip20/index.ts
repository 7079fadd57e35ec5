/** TIP-20 tokens, the factory and TIP-403 policies. */
export {
  TIP20_PREFIX,
  DEV_STABLECOIN_ADDRESS,
  TIP20_FACTORY_ADDRESS,
  TIP20_DECIMALS,
  RESERVED_TOKEN_IDS,
  hasTip20Prefix,
  tip20Address,
  tip20Id,
  computeTokenAddress,
} from './addresses.js';
export { POLICY_MODES, policyModeType, policyAllows, type PolicyMode } from './policy.js';
export { SUPPLY_CAP } from './state.js';
export { tokenInfoType, initializeArgs, type TokenInfo } from './types.js';
export { tip20Module, checkTokenMetadata } from './token.js';
export { tip20FactoryModule, parseFactoryParams, type FactoryParams, type GenesisToken } from './factory.js';
export { DEV_STABLECOIN_BALANCE, DEV_STABLECOIN_NAME, DEV_STABLECOIN_SYMBOL, devStablecoinParams } from './dev.js';

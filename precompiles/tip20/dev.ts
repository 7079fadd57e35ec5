/** The dev stablecoin of the default devnet genesis. */
import { DEV_STABLECOIN_ADDRESS, TIP20_DECIMALS } from './addresses.js';

/** Each funded dev account starts with one million units of the dev stablecoin. */
export const DEV_STABLECOIN_BALANCE = 1_000_000n * 10n ** BigInt(TIP20_DECIMALS);
export const DEV_STABLECOIN_NAME = 'Dev USD';
export const DEV_STABLECOIN_SYMBOL = 'DUSD';

/** `tip20Factory` genesis parameters creating the dev stablecoin, issued by `issuer`, funding `accounts`. */
export function devStablecoinParams(issuer: string, accounts: readonly string[]): { tokens: unknown[] } {
  const balances: Record<string, string> = {};
  for (const a of accounts) balances[a] = DEV_STABLECOIN_BALANCE.toString();
  return { tokens: [{ address: DEV_STABLECOIN_ADDRESS, name: DEV_STABLECOIN_NAME, symbol: DEV_STABLECOIN_SYMBOL, issuer, balances }] };
}

/**
 * The account records the engine itself reads and writes: nonce and LUX balance for fees, and the
 * public key an account first signed with. They live in the namespace of the native LUX module
 * (`vm/lux.ts`, which owns the token's methods), keyed
 *
 *   'a' ‖ address → rlp([nonce, balance])      'k' ‖ address → public key
 *
 * so a transfer touches two trie keys. The executor charges fees and bumps nonces through these
 * functions directly; modules move LUX only through the LUX module's methods.
 */
import { type Address, addressBytes, toAddress } from '../address.js';
import { concat, utf8 } from '../bytes.js';
import { decodeValue, encodeValue, t } from '../codec.js';
import type { StateOverlay, StateSource } from './overlay.js';

/** The native LUX module's address: the namespace of every account record. */
export const LUX_ADDRESS = toAddress('0x4c55580000000000000000000000000000000000');
export const LUX_DECIMALS = 18;
export const ONE_LUX = 10n ** 18n;

export const accountType = t.struct({ nonce: t.uint64, balance: t.uint256 });
export type Account = { nonce: bigint; balance: bigint };
export const EMPTY_ACCOUNT: Readonly<Account> = Object.freeze({ nonce: 0n, balance: 0n });

const ACCOUNT = utf8('a');
const ACCOUNT_KEY = utf8('k');
const LUX_NAMESPACE = addressBytes(LUX_ADDRESS);

/** Keys inside the LUX namespace (what the LUX module reads through `ctx.state`). */
export const accountSubkey = (a: Address) => concat(ACCOUNT, addressBytes(a));
export const accountKeySubkey = (a: Address) => concat(ACCOUNT_KEY, addressBytes(a));

/** Full state keys (namespace ‖ subkey), for the engine's direct access. */
export const accountStateKey = (a: Address) => concat(LUX_NAMESPACE, ACCOUNT, addressBytes(a));
export const accountKeyStateKey = (a: Address) => concat(LUX_NAMESPACE, ACCOUNT_KEY, addressBytes(a));

export async function readAccount(state: StateSource, a: Address): Promise<Account> {
  const raw = await state.get(accountStateKey(a));
  return raw ? decodeValue(accountType, raw, 'account') : { ...EMPTY_ACCOUNT };
}

export function writeAccount(state: StateOverlay, a: Address, acc: Account): void {
  state.set(accountStateKey(a), encodeValue(accountType, acc));
}

export async function readAccountKey(state: StateSource, a: Address): Promise<Uint8Array | undefined> {
  return state.get(accountKeyStateKey(a));
}

export function writeAccountKey(state: StateOverlay, a: Address, publicKey: Uint8Array): void {
  state.set(accountKeyStateKey(a), publicKey);
}

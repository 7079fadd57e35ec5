/**
 * Storage of one TIP-20 token, in the token's own namespace (state is keyed by the exact token
 * address, so tokens never see each other's keys):
 *
 *   'm'                    → rlp(name, symbol, issuer)      present iff the token exists
 *   's'                    → totalSupply
 *   'b' ‖ account          → balance
 *   'a' ‖ owner ‖ spender  → allowance
 *   'p'                    → policy mode (absent = open)
 *   'l' ‖ account          → 0x01 when the account is on the policy list
 */
import { addressBytes, concat, t, utf8, type Address, type Infer } from '../../chain/index.js';
import type { ReadContext, StateReader, StateWriter } from '../../chain/index.js';
import { policyAllows, policyModeType, type PolicyMode } from './policy.js';
import { tip20Errors } from './errors.js';

const META = utf8('m');
const SUPPLY = utf8('s');
const BALANCE = utf8('b');
const ALLOWANCE = utf8('a');
const POLICY = utf8('p');
const MEMBER = utf8('l');
const LISTED = new Uint8Array([1]);

export const MAX_NAME_BYTES = 64;
export const MAX_SYMBOL_BYTES = 16;
/** Total supply never exceeds uint128 (balances are uint256 words, like ERC-20). */
export const SUPPLY_CAP = (1n << 128n) - 1n;

export const tokenMetaType = t.struct({ name: t.string(MAX_NAME_BYTES), symbol: t.string(MAX_SYMBOL_BYTES), issuer: t.address });
export type TokenMeta = Infer<typeof tokenMetaType>;

export const readMeta = (s: StateReader) => s.getValue(tokenMetaType, META);
export const writeMeta = (s: StateWriter, m: TokenMeta) => s.setValue(tokenMetaType, META, m);

/** The token's metadata, or `UnknownToken` when nothing was created at this address. */
export async function requireToken(ctx: Pick<ReadContext, 'self' | 'state'>): Promise<TokenMeta> {
  const meta = await readMeta(ctx.state);
  if (!meta) throw tip20Errors.error('UnknownToken', `no TIP-20 token was created at ${ctx.self}; create it with tip20Factory.createToken`);
  return meta;
}

export async function readSupply(s: StateReader): Promise<bigint> {
  return (await s.getValue(t.uint256, SUPPLY)) ?? 0n;
}
export const writeSupply = (s: StateWriter, v: bigint) => s.setValue(t.uint256, SUPPLY, v);

const balanceKey = (a: Address) => concat(BALANCE, addressBytes(a));
export async function readBalance(s: StateReader, a: Address): Promise<bigint> {
  return (await s.getValue(t.uint256, balanceKey(a))) ?? 0n;
}
export function writeBalance(s: StateWriter, a: Address, v: bigint): void {
  if (v === 0n) s.delete(balanceKey(a));
  else s.setValue(t.uint256, balanceKey(a), v);
}

const allowanceKey = (owner: Address, spender: Address) => concat(ALLOWANCE, addressBytes(owner), addressBytes(spender));
export async function readAllowance(s: StateReader, owner: Address, spender: Address): Promise<bigint> {
  return (await s.getValue(t.uint256, allowanceKey(owner, spender))) ?? 0n;
}
export function writeAllowance(s: StateWriter, owner: Address, spender: Address, v: bigint): void {
  if (v === 0n) s.delete(allowanceKey(owner, spender));
  else s.setValue(t.uint256, allowanceKey(owner, spender), v);
}

export async function readPolicyMode(s: StateReader): Promise<PolicyMode> {
  return (await s.getValue(policyModeType, POLICY)) ?? 'open';
}
export function writePolicyMode(s: StateWriter, mode: PolicyMode): void {
  if (mode === 'open') s.delete(POLICY);
  else s.setValue(policyModeType, POLICY, mode);
}

const memberKey = (a: Address) => concat(MEMBER, addressBytes(a));
export const isPolicyMember = (s: StateReader, a: Address) => s.has(memberKey(a));
export function writePolicyMember(s: StateWriter, a: Address, member: boolean): void {
  if (member) s.set(memberKey(a), LISTED);
  else s.delete(memberKey(a));
}

/** TIP-403: whether the token's policy lets `a` send or receive. */
export async function isAuthorized(s: StateReader, a: Address): Promise<boolean> {
  const mode = await readPolicyMode(s);
  if (mode === 'open') return true;
  return policyAllows(mode, await isPolicyMember(s, a));
}

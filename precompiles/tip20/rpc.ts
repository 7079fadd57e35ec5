/**
 * The `tip20.*` JSON-RPC family: token metadata, balances, allowances, TIP-403 answers and the
 * factory's address derivation, all read at the head. Every param is by name or by position.
 */
import {  t, type Address, type Json } from '../../chain/index.js';
import type { NodeApi, RpcMethodDef } from '../../chain/index.js';
import { word32 } from '../hex.js';
import { hasTip20Prefix, TIP20_FACTORY_ADDRESS } from './addresses.js';
import { policyModeType } from './policy.js';
import { tokenInfoType, type TokenInfo } from './types.js';
import { tip20Errors } from './errors.js';

async function tokenQuery<R>(node: NodeApi, token: Address, name: string, args: unknown): Promise<R> {
  if (!hasTip20Prefix(token)) throw tip20Errors.error('UnknownToken', `${token} is not a TIP-20 address (they start with 0x20c000000000000000000000)`);
  return node.query<R>(token, name, args);
}

const token = t.address;

export const tip20Rpc: Record<string, RpcMethodDef> = {
  'tip20.GetToken': {
    params: t.struct({ token }),
    description: 'Name, symbol, decimals, total supply, issuer and policy mode of a token.',
    handler: async (node, p: { token: Address }) => tokenInfoType.toJson(await tokenQuery<TokenInfo>(node, p.token, 'tokenInfo', {})),
  },
  'tip20.BalanceOf': {
    params: t.struct({ token, account: t.address }),
    description: 'Raw balance (6 decimals) as a decimal string.',
    handler: async (node, p: { token: Address; account: Address }) => (await tokenQuery<bigint>(node, p.token, 'balanceOf', { account: p.account })).toString(),
  },
  'tip20.Allowance': {
    params: t.struct({ token, owner: t.address, spender: t.address }),
    handler: async (node, p: { token: Address; owner: Address; spender: Address }) =>
      (await tokenQuery<bigint>(node, p.token, 'allowance', { owner: p.owner, spender: p.spender })).toString(),
  },
  'tip20.GetPolicy': {
    params: t.struct({ token }),
    description: 'The TIP-403 mode: open, allowlist or blocklist.',
    handler: async (node, p: { token: Address }) => policyModeType.toJson(await tokenQuery(node, p.token, 'transferPolicy', {})),
  },
  'tip20.IsAuthorized': {
    params: t.struct({ token, account: t.address }),
    description: 'Whether the token\'s TIP-403 policy lets `account` send and receive.',
    handler: async (node, p: { token: Address; account: Address }): Promise<Json> => tokenQuery<boolean>(node, p.token, 'isAuthorized', { account: p.account }),
  },
};

export const tip20FactoryRpc: Record<string, RpcMethodDef> = {
  'tip20.ComputeTokenAddress': {
    params: t.struct({ creator: t.address, salt: word32 }),
    description: 'Where tip20Factory.createToken from `creator` with `salt` puts the token.',
    handler: (node, p) => node.query<Address>(TIP20_FACTORY_ADDRESS, 'computeTokenAddress', p),
  },
  'tip20.IsTip20': {
    params: t.struct({ token: t.address }),
    handler: (node, p) => node.query<boolean>(TIP20_FACTORY_ADDRESS, 'isTip20', p),
  },
};

/**
 * The TIP-20 token precompile: one module serves every address under the `0x20c0…` prefix; each
 * token keeps its state in its own namespace (`ctx.self`). Tokens come into existence only through
 * the factory (`initialize` is internal and factory-only); an address nobody created answers
 * `UnknownToken`.
 *
 * Amounts are raw units (6 decimals). TIP-403 policy applies to user transfers and mints; the
 * internal `systemTransferFrom` used by other precompiles (the escrow) skips it, because those
 * callers apply the policy along their own logical payer → payee path.
 */
import { t, ZERO_ADDRESS, type Address, defineModule, method, query, type CallContext, type ReadContext } from '../../chain/index.js';
import { DEV_STABLECOIN_ADDRESS, hasTip20Prefix, TIP20_DECIMALS, TIP20_FACTORY_ADDRESS, TIP20_PREFIX } from './addresses.js';
import { policyModeType } from './policy.js';
import { initializeArgs, tokenInfoType } from './types.js';
import { tip20Rpc } from './rpc.js';
import {
  isAuthorized,
  isPolicyMember,
  readAllowance,
  readBalance,
  readMeta,
  readPolicyMode,
  readSupply,
  requireToken,
  SUPPLY_CAP,
  writeAllowance,
  writeBalance,
  writeMeta,
  writePolicyMember,
  writePolicyMode,
  writeSupply,
  MAX_NAME_BYTES,
  MAX_SYMBOL_BYTES,
  type TokenMeta,
} from './state.js';
import { tip20Errors } from './errors.js';

const MAX_UINT256 = (1n << 256n) - 1n;

/** Names and symbols are non-empty printable text without control characters. */
export function checkTokenMetadata(name: string, symbol: string): void {
  const bad = (s: string) => s.length === 0 || s.trim() !== s || /[\u0000-\u001f\u007f]/.test(s);
  if (bad(name)) throw tip20Errors.error('InvalidTokenMetadata', 'the token name must be non-empty text without leading/trailing spaces or control characters');
  if (bad(symbol)) throw tip20Errors.error('InvalidTokenMetadata', 'the token symbol must be non-empty text without spaces at the ends or control characters');
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw tip20Errors.error('InvalidTokenMetadata', `the token name is at most ${MAX_NAME_BYTES} bytes`);
  if (Buffer.byteLength(symbol) > MAX_SYMBOL_BYTES) throw tip20Errors.error('InvalidTokenMetadata', `the token symbol is at most ${MAX_SYMBOL_BYTES} bytes`);
}

function requireRecipient(to: Address): void {
  if (to === ZERO_ADDRESS || hasTip20Prefix(to)) {
    throw tip20Errors.error('InvalidRecipient', `cannot send tokens to ${to} (the zero address and TIP-20 token addresses cannot hold balances); check the recipient`);
  }
}

async function requireIssuer(ctx: CallContext): Promise<TokenMeta> {
  const meta = await requireToken(ctx);
  if (ctx.caller !== meta.issuer) throw tip20Errors.error('Unauthorized', `only the issuer ${meta.issuer} of ${meta.symbol} may do this; send the transaction from the issuer account`);
  return meta;
}

async function requirePolicy(ctx: ReadContext, account: Address, role: 'send' | 'receive'): Promise<void> {
  if (!(await isAuthorized(ctx.state, account))) {
    throw tip20Errors.error('PolicyForbids', `the transfer policy of token ${ctx.self} forbids ${account} to ${role}; ask the issuer to update the policy`, { account, role });
  }
}

/** Moves `amount` and emits Transfer; the only place balances change hands. */
async function move(ctx: CallContext, from: Address, to: Address, amount: bigint): Promise<void> {
  const fromBal = await readBalance(ctx.state, from);
  if (fromBal < amount) {
    throw tip20Errors.error('InsufficientBalance', `${from} holds ${fromBal} units of ${ctx.self}, needs ${amount}`, { balance: fromBal.toString(), needed: amount.toString() });
  }
  if (from !== to) {
    writeBalance(ctx.state, from, fromBal - amount);
    writeBalance(ctx.state, to, (await readBalance(ctx.state, to)) + amount);
  }
  ctx.emit('Transfer', { from, to, amount });
}

async function credit(ctx: CallContext, to: Address, amount: bigint): Promise<void> {
  const supply = await readSupply(ctx.state);
  if (supply + amount > SUPPLY_CAP) throw tip20Errors.error('SupplyCapExceeded', `minting ${amount} would take the supply of ${ctx.self} past 2^128-1`);
  writeSupply(ctx.state, supply + amount);
  writeBalance(ctx.state, to, (await readBalance(ctx.state, to)) + amount);
  ctx.emit('Transfer', { from: ZERO_ADDRESS, to, amount });
  ctx.emit('Mint', { to, amount });
}

const accountArg = t.struct({ account: t.address });

export const tip20Module = defineModule({
  name: 'tip20',
  errors: tip20Errors.names,
  address: DEV_STABLECOIN_ADDRESS,
  addressPrefix: TIP20_PREFIX,
  events: {
    Transfer: { fields: t.struct({ from: t.address, to: t.address, amount: t.uint256 }), indexed: ['from', 'to'], signature: 'Transfer(address,address,uint256)' },
    Approval: { fields: t.struct({ owner: t.address, spender: t.address, amount: t.uint256 }), indexed: ['owner', 'spender'], signature: 'Approval(address,address,uint256)' },
    Mint: { fields: t.struct({ to: t.address, amount: t.uint256 }), indexed: ['to'], signature: 'Mint(address,uint256)' },
    Burn: { fields: t.struct({ from: t.address, amount: t.uint256 }), indexed: ['from'], signature: 'Burn(address,uint256)' },
    IssuerChanged: { fields: t.struct({ previousIssuer: t.address, newIssuer: t.address }), indexed: ['previousIssuer', 'newIssuer'] },
    TransferPolicyUpdated: { fields: t.struct({ updater: t.address, mode: policyModeType }), indexed: ['updater'] },
    PolicyMemberUpdated: { fields: t.struct({ account: t.address, member: t.bool }), indexed: ['account'] },
  },
  methods: {
    transfer: method({
      args: t.struct({ to: t.address, amount: t.uint256 }),
      description: 'Send `amount` raw units (6 decimals) from the sender to `to`.',
      async handler(ctx, { to, amount }) {
        await requireToken(ctx);
        requireRecipient(to);
        await requirePolicy(ctx, ctx.caller, 'send');
        await requirePolicy(ctx, to, 'receive');
        await move(ctx, ctx.caller, to, amount);
      },
    }),
    approve: method({
      args: t.struct({ spender: t.address, amount: t.uint256 }),
      description: 'Let `spender` move up to `amount` of the sender\'s tokens (2^256-1 = unlimited).',
      async handler(ctx, { spender, amount }) {
        await requireToken(ctx);
        writeAllowance(ctx.state, ctx.caller, spender, amount);
        ctx.emit('Approval', { owner: ctx.caller, spender, amount });
      },
    }),
    transferFrom: method({
      args: t.struct({ from: t.address, to: t.address, amount: t.uint256 }),
      description: 'Move `amount` from `from` to `to`, spending the sender\'s allowance.',
      async handler(ctx, { from, to, amount }) {
        await requireToken(ctx);
        requireRecipient(to);
        await requirePolicy(ctx, from, 'send');
        await requirePolicy(ctx, to, 'receive');
        const allowance = await readAllowance(ctx.state, from, ctx.caller);
        if (allowance < amount) {
          throw tip20Errors.error('InsufficientAllowance', `${from} allows ${ctx.caller} to move ${allowance} units, needs ${amount}; approve more first`, { allowance: allowance.toString(), needed: amount.toString() });
        }
        if (allowance !== MAX_UINT256) writeAllowance(ctx.state, from, ctx.caller, allowance - amount);
        await move(ctx, from, to, amount);
      },
    }),
    mint: method({
      args: t.struct({ to: t.address, amount: t.uint256 }),
      description: 'Issuer only: create `amount` new units for `to`.',
      async handler(ctx, { to, amount }) {
        await requireIssuer(ctx);
        requireRecipient(to);
        await requirePolicy(ctx, to, 'receive');
        await credit(ctx, to, amount);
      },
    }),
    burn: method({
      args: t.struct({ amount: t.uint256 }),
      description: 'Issuer only: destroy `amount` units of the issuer\'s own balance.',
      async handler(ctx, { amount }) {
        await requireIssuer(ctx);
        const bal = await readBalance(ctx.state, ctx.caller);
        if (bal < amount) throw tip20Errors.error('InsufficientBalance', `${ctx.caller} holds ${bal} units, cannot burn ${amount}`, { balance: bal.toString(), needed: amount.toString() });
        writeBalance(ctx.state, ctx.caller, bal - amount);
        writeSupply(ctx.state, (await readSupply(ctx.state)) - amount);
        ctx.emit('Transfer', { from: ctx.caller, to: ZERO_ADDRESS, amount });
        ctx.emit('Burn', { from: ctx.caller, amount });
      },
    }),
    setIssuer: method({
      args: t.struct({ issuer: t.address }),
      description: 'Issuer only: hand the issuer role (mint, burn, policy) to another account.',
      async handler(ctx, { issuer }) {
        const meta = await requireIssuer(ctx);
        if (issuer === ZERO_ADDRESS) throw tip20Errors.error('InvalidIssuer', 'the issuer cannot be the zero address');
        writeMeta(ctx.state, { ...meta, issuer });
        ctx.emit('IssuerChanged', { previousIssuer: meta.issuer, newIssuer: issuer });
      },
    }),
    setTransferPolicy: method({
      args: t.struct({ mode: policyModeType }),
      description: 'Issuer only: TIP-403 mode — open, allowlist (only listed accounts) or blocklist (all but listed).',
      async handler(ctx, { mode }) {
        await requireIssuer(ctx);
        writePolicyMode(ctx.state, mode);
        ctx.emit('TransferPolicyUpdated', { updater: ctx.caller, mode });
      },
    }),
    setPolicyMember: method({
      args: t.struct({ account: t.address, member: t.bool }),
      description: 'Issuer only: put `account` on (member = true) or off the policy list.',
      async handler(ctx, { account, member }) {
        await requireIssuer(ctx);
        writePolicyMember(ctx.state, account, member);
        ctx.emit('PolicyMemberUpdated', { account, member });
      },
    }),
    initialize: method({
      args: initializeArgs,
      visibility: 'internal',
      description: 'Factory only: create the token at this address with its initial balances.',
      async handler(ctx, { name, symbol, issuer, balances }) {
        if (ctx.caller !== TIP20_FACTORY_ADDRESS) throw tip20Errors.error('Unauthorized', 'tokens are created only by the TIP-20 factory');
        if (await readMeta(ctx.state)) throw tip20Errors.error('TokenAlreadyExists', `a token already exists at ${ctx.self}`);
        checkTokenMetadata(name, symbol);
        if (issuer === ZERO_ADDRESS) throw tip20Errors.error('InvalidIssuer', 'the issuer cannot be the zero address');
        writeMeta(ctx.state, { name, symbol, issuer });
        for (const { account, amount } of balances) {
          requireRecipient(account);
          await credit(ctx, account, amount);
        }
      },
    }),
    systemTransferFrom: method({
      args: t.struct({ from: t.address, to: t.address, amount: t.uint256 }),
      visibility: 'internal',
      description: 'Precompile custody (escrow): move tokens without an allowance or policy check.',
      async handler(ctx, { from, to, amount }) {
        await requireToken(ctx);
        await move(ctx, from, to, amount);
      },
    }),
  },
  queries: {
    exists: query({ args: t.none, returns: t.bool, handler: async (ctx) => (await readMeta(ctx.state)) !== undefined }),
    name: query({ args: t.none, returns: t.string(MAX_NAME_BYTES), handler: async (ctx) => (await requireToken(ctx)).name }),
    symbol: query({ args: t.none, returns: t.string(MAX_SYMBOL_BYTES), handler: async (ctx) => (await requireToken(ctx)).symbol }),
    decimals: query({ args: t.none, returns: t.uint8, handler: async (ctx) => (await requireToken(ctx), TIP20_DECIMALS) }),
    issuer: query({ args: t.none, returns: t.address, handler: async (ctx) => (await requireToken(ctx)).issuer }),
    totalSupply: query({ args: t.none, returns: t.uint256, handler: async (ctx) => (await requireToken(ctx), readSupply(ctx.state)) }),
    balanceOf: query({ args: accountArg, returns: t.uint256, handler: async (ctx, { account }) => (await requireToken(ctx), readBalance(ctx.state, account)) }),
    allowance: query({
      args: t.struct({ owner: t.address, spender: t.address }),
      returns: t.uint256,
      handler: async (ctx, { owner, spender }) => (await requireToken(ctx), readAllowance(ctx.state, owner, spender)),
    }),
    transferPolicy: query({ args: t.none, returns: policyModeType, handler: async (ctx) => (await requireToken(ctx), readPolicyMode(ctx.state)) }),
    isPolicyMember: query({ args: accountArg, returns: t.bool, handler: async (ctx, { account }) => (await requireToken(ctx), isPolicyMember(ctx.state, account)) }),
    isAuthorized: query({
      args: accountArg,
      returns: t.bool,
      description: 'TIP-403: whether the policy lets `account` send and receive this token.',
      handler: async (ctx, { account }) => (await requireToken(ctx), isAuthorized(ctx.state, account)),
    }),
    tokenInfo: query({
      args: t.none,
      returns: tokenInfoType,
      async handler(ctx) {
        const meta = await requireToken(ctx);
        return { address: ctx.self, ...meta, decimals: TIP20_DECIMALS, totalSupply: await readSupply(ctx.state), policy: await readPolicyMode(ctx.state) };
      },
    }),
  },
  rpc: tip20Rpc,
});


/**
 * The native LUX module: accounts (nonce, balance) and the 18-decimal native token that pays gas.
 * The account records (`'a'`, `'k'`) are laid out in `chain/state/accounts.ts`, since the engine
 * charges fees and bumps nonces on them directly; this module adds `'S'`, the total supply, and
 * the methods other modules use to move LUX (`systemTransfer`, `mint`, `burn`).
 */
import {
  accountKeySubkey,
  accountSubkey,
  accountType,
  EMPTY_ACCOUNT,
  LUX_ADDRESS,
  parseUint,
  t,
  toAddress,
  utf8,
  defineModule,
  method,
  moduleErrors,
  query,
  type Account,
  type Address,
  type CallContext,
} from '../chain/index.js';


const MAX_BALANCE = (1n << 256n) - 1n;

export const luxErrors = moduleErrors(['InsufficientBalance', 'SupplyOverflow']);
const SUPPLY = utf8('S');

async function getAccount(ctx: CallContext, a: Address): Promise<Account> {
  return (await ctx.state.getValue(accountType, accountSubkey(a))) ?? { ...EMPTY_ACCOUNT };
}

function putAccount(ctx: CallContext, a: Address, acc: Account): void {
  ctx.state.setValue(accountType, accountSubkey(a), acc);
}

async function adjustSupply(ctx: CallContext, delta: bigint): Promise<void> {
  const s = (await ctx.state.getValue(t.uint256, SUPPLY)) ?? 0n;
  // Balances sum to the supply, so bounding the supply also bounds every balance.
  if (s + delta > MAX_BALANCE) throw luxErrors.error('SupplyOverflow', `minting ${delta} would take the LUX supply past 2^256 - 1`);
  ctx.state.setValue(t.uint256, SUPPLY, s + delta);
}

async function move(ctx: CallContext, from: Address, to: Address, amount: bigint): Promise<void> {
  const src = await getAccount(ctx, from);
  if (src.balance < amount) {
    throw luxErrors.error('InsufficientBalance', `${from} has ${src.balance} wei of LUX, needs ${amount}`, { balance: src.balance.toString(), needed: amount.toString() });
  }
  if (from === to) return;
  const dst = await getAccount(ctx, to); // no overflow check needed: balances sum to the (bounded) supply
  putAccount(ctx, from, { ...src, balance: src.balance - amount });
  putAccount(ctx, to, { ...dst, balance: dst.balance + amount });
  ctx.emit('Transfer', { from, to, amount });
}

const transferArgs = t.struct({ to: t.address, amount: t.uint256 });
const systemTransferArgs = t.struct({ from: t.address, to: t.address, amount: t.uint256 });
const mintArgs = t.struct({ to: t.address, amount: t.uint256 });
const burnArgs = t.struct({ from: t.address, amount: t.uint256 });
const addressArg = t.struct({ address: t.address });

export interface LuxParams {
  /** Prefunded accounts, sorted by address. */
  alloc: { address: Address; balance: bigint }[];
}

function parseLuxParams(json: unknown): LuxParams {
  const alloc = (json as { alloc?: unknown })?.alloc ?? {};
  if (typeof alloc !== 'object' || alloc === null || Array.isArray(alloc)) throw new Error('alloc must be an object mapping addresses to balances');
  const out = Object.entries(alloc).map(([a, v]) => {
    const bal = (v as { balance?: unknown })?.balance ?? v;
    return { address: toAddress(a), balance: parseUint(bal, `alloc.${a}`) };
  });
  out.sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
  for (let i = 1; i < out.length; i++) if (out[i]!.address === out[i - 1]!.address) throw new Error(`alloc lists ${out[i]!.address} twice`);
  return { alloc: out };
}

export const luxModule = defineModule<LuxParams>({
  name: 'lux',
  errors: luxErrors.names,
  address: LUX_ADDRESS,
  parseParams: parseLuxParams,
  async genesis(ctx) {
    let supply = 0n;
    for (const { address, balance } of ctx.params.alloc) {
      putAccount(ctx, address, { nonce: 0n, balance });
      supply += balance;
    }
    ctx.state.setValue(t.uint256, SUPPLY, supply);
  },
  events: {
    Transfer: { fields: t.struct({ from: t.address, to: t.address, amount: t.uint256 }), indexed: ['from', 'to'] },
  },
  methods: {
    transfer: method({
      args: transferArgs,
      description: 'Send `amount` wei of LUX from the sender to `to`.',
      handler: (ctx, { to, amount }) => move(ctx, ctx.caller, to, amount),
    }),
    systemTransfer: method({
      args: systemTransferArgs,
      visibility: 'internal',
      description: 'Module custody: move LUX between any two accounts (bonds, stakes, escrow).',
      handler: (ctx, { from, to, amount }) => move(ctx, from, to, amount),
    }),
    mint: method({
      args: mintArgs,
      visibility: 'internal',
      handler: async (ctx, { to, amount }) => {
        await adjustSupply(ctx, amount);
        const acc = await getAccount(ctx, to);
        putAccount(ctx, to, { ...acc, balance: acc.balance + amount });
      },
    }),
    burn: method({
      args: burnArgs,
      visibility: 'internal',
      handler: async (ctx, { from, amount }) => {
        const acc = await getAccount(ctx, from);
        if (acc.balance < amount) throw luxErrors.error('InsufficientBalance', `${from} has ${acc.balance}, cannot burn ${amount}`);
        putAccount(ctx, from, { ...acc, balance: acc.balance - amount });
        await adjustSupply(ctx, -amount);
      },
    }),
  },
  queries: {
    balanceOf: query({
      args: addressArg,
      returns: t.uint256,
      description: 'LUX balance in wei.',
      handler: async (ctx, { address }) => ((await ctx.state.getValue(accountType, accountSubkey(address))) ?? EMPTY_ACCOUNT).balance,
    }),
    getAccount: query({
      args: addressArg,
      returns: t.struct({ nonce: t.uint64, balance: t.uint256, publicKey: t.optional(t.bytes()) }),
      handler: async (ctx, { address }) => {
        const acc = (await ctx.state.getValue(accountType, accountSubkey(address))) ?? EMPTY_ACCOUNT;
        return { ...acc, publicKey: (await ctx.state.get(accountKeySubkey(address))) ?? null };
      },
    }),
    totalSupply: query({
      args: t.none,
      returns: t.uint256,
      handler: async (ctx) => (await ctx.state.getValue(t.uint256, SUPPLY)) ?? 0n,
    }),
  },
});

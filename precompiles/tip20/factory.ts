/**
 * The TIP-20 factory: creates tokens at deterministic addresses (`computeTokenAddress(creator,
 * salt)`), and in genesis at reserved addresses (ids below 1024) given in its parameters:
 *
 *   "tip20Factory": { "tokens": [{ "address": "0x20c0…0000", "name": "Dev USD", "symbol": "DUSD",
 *                                  "issuer": "0x…", "balances": { "0x…": "1000000000000" } }] }
 */
import { parseUint, t, toAddress, ZERO_ADDRESS, type Address, defineModule, method, query } from '../../chain/index.js';
import { hex32Bytes, word32 } from '../hex.js';
import { computeTokenAddress, hasTip20Prefix, RESERVED_TOKEN_IDS, TIP20_FACTORY_ADDRESS, tip20Id } from './addresses.js';
import { checkTokenMetadata } from './token.js';
import { MAX_NAME_BYTES, MAX_SYMBOL_BYTES } from './state.js';
import { tip20FactoryRpc } from './rpc.js';
import { tip20Errors } from './errors.js';

export interface GenesisToken {
  address: Address;
  name: string;
  symbol: string;
  issuer: Address;
  /** Sorted by account. */
  balances: { account: Address; amount: bigint }[];
}

export interface FactoryParams {
  tokens: GenesisToken[];
}

function parseGenesisToken(raw: unknown, i: number): GenesisToken {
  const at = `tokens[${i}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${at} must be an object with address, name, symbol, issuer, balances`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!['address', 'name', 'symbol', 'issuer', 'balances'].includes(k)) throw new Error(`${at}: unknown field "${k}"`);
  let address: Address;
  let issuer: Address;
  try {
    address = toAddress(r.address as string);
    issuer = toAddress(r.issuer as string);
  } catch (e) {
    throw new Error(`${at}: ${(e as Error).message}`);
  }
  if (!hasTip20Prefix(address) || tip20Id(address) >= RESERVED_TOKEN_IDS) {
    throw new Error(`${at}.address must be a reserved TIP-20 address (0x20c000000000000000000000 followed by an id below ${RESERVED_TOKEN_IDS})`);
  }
  if (issuer === ZERO_ADDRESS) throw new Error(`${at}.issuer cannot be the zero address`);
  const name = r.name;
  const symbol = r.symbol;
  if (typeof name !== 'string' || typeof symbol !== 'string') throw new Error(`${at}: name and symbol must be strings`);
  try {
    checkTokenMetadata(name, symbol);
  } catch (e) {
    throw new Error(`${at}: ${(e as Error).message}`);
  }
  const rawBalances = r.balances ?? {};
  if (rawBalances === null || typeof rawBalances !== 'object' || Array.isArray(rawBalances)) throw new Error(`${at}.balances must map addresses to amounts`);
  const balances = Object.entries(rawBalances as Record<string, unknown>).map(([a, v]) => {
    let account: Address;
    try {
      account = toAddress(a);
    } catch (e) {
      throw new Error(`${at}.balances: ${(e as Error).message}`);
    }
    return { account, amount: parseUint(v, `${at}.balances.${a}`) };
  });
  balances.sort((x, y) => (x.account < y.account ? -1 : x.account > y.account ? 1 : 0));
  for (let j = 1; j < balances.length; j++) if (balances[j]!.account === balances[j - 1]!.account) throw new Error(`${at}.balances lists ${balances[j]!.account} twice`);
  return { address, name, symbol, issuer, balances };
}

export function parseFactoryParams(json: unknown): FactoryParams {
  const tokensRaw = (json as { tokens?: unknown } | undefined)?.tokens ?? [];
  if (!Array.isArray(tokensRaw)) throw new Error('tokens must be a list');
  for (const k of Object.keys((json as object) ?? {})) if (k !== 'tokens') throw new Error(`unknown field "${k}" (fields: tokens)`);
  const tokens = tokensRaw.map(parseGenesisToken);
  const seen = new Set<string>();
  for (const tk of tokens) {
    if (seen.has(tk.address)) throw new Error(`token ${tk.address} is listed twice`);
    seen.add(tk.address);
  }
  return { tokens };
}

export const tip20FactoryModule = defineModule<FactoryParams>({
  name: 'tip20Factory',
  errors: tip20Errors.names,
  address: TIP20_FACTORY_ADDRESS,
  parseParams: parseFactoryParams,
  async genesis(ctx) {
    for (const tk of ctx.params.tokens) {
      await ctx.call(tk.address, 'initialize', { name: tk.name, symbol: tk.symbol, issuer: tk.issuer, balances: tk.balances });
      ctx.emit('TokenCreated', { token: tk.address, creator: ZERO_ADDRESS, name: tk.name, symbol: tk.symbol, issuer: tk.issuer, salt: new Uint8Array(32) });
    }
  },
  events: {
    TokenCreated: {
      fields: t.struct({ token: t.address, creator: t.address, name: t.string(MAX_NAME_BYTES), symbol: t.string(MAX_SYMBOL_BYTES), issuer: t.address, salt: t.bytes32 }),
      indexed: ['token', 'creator'],
    },
  },
  methods: {
    createToken: method({
      args: t.struct({ name: t.string(MAX_NAME_BYTES), symbol: t.string(MAX_SYMBOL_BYTES), issuer: t.address, salt: word32 }),
      returns: t.address,
      description: 'Create a TIP-20 token (6 decimals) at computeTokenAddress(sender, salt); `issuer` may mint, burn and set its policy.',
      async handler(ctx, { name, symbol, issuer, salt }) {
        checkTokenMetadata(name, symbol);
        if (issuer === ZERO_ADDRESS) throw tip20Errors.error('InvalidIssuer', 'the issuer cannot be the zero address');
        const token = computeTokenAddress(ctx.caller, salt);
        if (tip20Id(token) < RESERVED_TOKEN_IDS) throw tip20Errors.error('TokenAddressReserved', `salt ${salt} maps to a reserved token id; pick another salt`);
        if (await ctx.query<boolean>(token, 'exists', {})) throw tip20Errors.error('TokenAlreadyExists', `${ctx.caller} already created a token with salt ${salt} (at ${token}); pick another salt`);
        await ctx.call(token, 'initialize', { name, symbol, issuer, balances: [] });
        ctx.emit('TokenCreated', { token, creator: ctx.caller, name, symbol, issuer, salt: hex32Bytes(salt) });
        return token;
      },
    }),
  },
  queries: {
    computeTokenAddress: query({
      args: t.struct({ creator: t.address, salt: word32 }),
      returns: t.address,
      handler: (_ctx, { creator, salt }) => computeTokenAddress(creator, salt),
    }),
    isTip20: query({
      args: t.struct({ token: t.address }),
      returns: t.bool,
      description: 'Whether a token was created at `token` (the prefix alone proves nothing).',
      handler: async (ctx, { token }) => hasTip20Prefix(token) && (await ctx.query<boolean>(token, 'exists', {})),
    }),
  },
  rpc: tip20FactoryRpc,
});

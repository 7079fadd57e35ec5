/**
 * Dev-only state helpers as real transactions, so that replay reproduces them. `dev.SetBalance`
 * over RPC becomes a `setBalance` transaction signed by the producer key; it is refused unless the
 * genesis enables `devMode` and the sender is the block producer.
 */
import { toAddress, t, defineModule, method, moduleErrors, query, LUX_ADDRESS } from '../chain/index.js';

/** `unauthorized` is lower-case for compatibility: receipts of existing chains record it. */
export const devErrors = moduleErrors(['DevModeDisabled', 'unauthorized']);

export const DEV_ADDRESS = toAddress('0x4445560000000000000000000000000000000000');

export interface DevParams {
  enabled: boolean;
}

export const devModule = defineModule<DevParams>({
  name: 'dev',
  errors: devErrors.names,
  address: DEV_ADDRESS,
  parseParams: (json) => {
    const enabled = (json as { enabled?: unknown })?.enabled ?? false;
    if (typeof enabled !== 'boolean') throw new Error('dev.enabled must be true or false');
    return { enabled };
  },
  events: {
    BalanceSet: { fields: t.struct({ account: t.address, previous: t.uint256, balance: t.uint256 }), indexed: ['account'] },
  },
  methods: {
    setBalance: method({
      args: t.struct({ address: t.address, balance: t.uint256 }),
      description: 'Producer-only, devMode genesis only: set an account\'s LUX balance.',
      handler: async (ctx, { address, balance }) => {
        if (!ctx.params.enabled) throw devErrors.error('DevModeDisabled', 'this chain\'s genesis does not enable dev helpers');
        if (ctx.caller !== ctx.block.producer) throw devErrors.error('unauthorized', 'only the block producer may call dev.setBalance');
        const previous = await ctx.query<bigint>(LUX_ADDRESS, 'balanceOf', { address });
        if (balance > previous) await ctx.call(LUX_ADDRESS, 'mint', { to: address, amount: balance - previous });
        else if (balance < previous) await ctx.call(LUX_ADDRESS, 'burn', { from: address, amount: previous - balance });
        ctx.emit('BalanceSet', { account: address, previous, balance });
      },
    }),
  },
  queries: {
    enabled: query({ args: t.none, returns: t.bool, handler: (ctx) => ctx.params.enabled }),
  },
});

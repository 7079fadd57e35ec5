/**
 * A test-only module that makes several escrow calls inside one transaction, standing in for the
 * batched calls of a Tempo AA transaction: the only way to exercise same-transaction rules
 * (`opened_this_tx`, several opens sharing one context hash). The batcher itself is the payer of
 * what it opens, and may be the operator of those channels. A descriptor whose expiringNonceHash
 * is zero means "the channel this transaction opens": the batcher fills in the transaction's
 * context hash, which a client cannot embed in the very transaction it hashes.
 */
import { t, toAddress, type RlpItem } from '../../sdk/chain.js';
import { defineModule, method, ModuleError } from '../../chain/module/contract.js';
import { escrowModule, ESCROW_ADDRESS, expiringNonceHash, ZERO_WORD, type ChannelDescriptor } from '../../sdk/precompiles/index.js';

export const BATCHER_ADDRESS = toAddress('0x4241544348000000000000000000000000000000');

export const batchCall = t.struct({ method: t.string(32), args: t.rlp });

export const batcherModule = defineModule({
  name: 'batcher',
  address: BATCHER_ADDRESS,
  methods: {
    run: method({
      args: t.struct({ calls: t.list(batchCall, 16) }),
      async handler(ctx, { calls }) {
        for (const c of calls) {
          const def = escrowModule.methods[c.method];
          if (!def) throw new ModuleError('UnknownMethod', `escrow has no method ${c.method}`);
          const args = def.args.decode(c.args as RlpItem, c.method) as { descriptor?: ChannelDescriptor };
          if (args.descriptor?.expiringNonceHash === ZERO_WORD) {
            args.descriptor = { ...args.descriptor, expiringNonceHash: expiringNonceHash(ctx.tx.unsignedEncoding, ctx.tx.from) };
          }
          await ctx.call(ESCROW_ADDRESS, c.method, args);
        }
      },
    }),
  },
});

/** One batched escrow call, its arguments given as JS values. */
export function escrowCall(method: string, args: Record<string, unknown>): { method: string; args: RlpItem } {
  return { method, args: escrowModule.methods[method]!.args.encode(args) };
}

/** The escrow's read-only views (§1.4), answered at any state without a transaction. */
import { t, toHex, type Address, query, type ReadContext } from '../../chain/index.js';
import { hex32Bytes, word32, type Hex32 } from '../hex.js';
import { channelIdArgs, channelIdsArgs, channelType, computeChannelIdArgs, descriptorArgs, voucherDigestArgs } from './args.js';
import { CLOSE_GRACE_PERIOD, VOUCHER_TYPEHASH } from './constants.js';
import { channelIdBytes, domainSeparatorBytes, voucherDigestBytes } from './hashing.js';
import { channelStateType, EMPTY_STATE, unpackSlot, type ChannelState } from './slot.js';

async function stateOf(ctx: ReadContext, id: Uint8Array): Promise<ChannelState> {
  const raw = await ctx.state.get(id);
  return raw === undefined ? { ...EMPTY_STATE } : unpackSlot(raw);
}

const hex = (b: Uint8Array) => toHex(b) as Hex32;

export const escrowQueries = {
  getChannel: query({
    args: descriptorArgs,
    returns: channelType,
    description: 'The descriptor with its state (zeros when no such channel is open).',
    handler: async (ctx, { descriptor }) => ({ descriptor, state: await stateOf(ctx, channelIdBytes(descriptor, ctx.block.chainId, ctx.self)) }),
  }),
  getChannelState: query({
    args: channelIdArgs,
    returns: channelStateType,
    description: 'settled, deposit and closeRequestedAt (unix seconds) of a channel; zeros when unknown or closed.',
    handler: (ctx, { channelId }) => stateOf(ctx, hex32Bytes(channelId)),
  }),
  getChannelStatesBatch: query({
    args: channelIdsArgs,
    returns: t.list(channelStateType, 1024),
    handler: async (ctx, { channelIds }) => {
      const out: ChannelState[] = [];
      for (const id of channelIds) out.push(await stateOf(ctx, hex32Bytes(id)));
      return out;
    },
  }),
  computeChannelId: query({
    args: computeChannelIdArgs,
    returns: word32,
    description: 'channelId of a descriptor on this chain and escrow.',
    handler: (ctx, d) => hex(channelIdBytes(d, ctx.block.chainId, ctx.self)),
  }),
  getVoucherDigest: query({
    args: voucherDigestArgs,
    returns: word32,
    description: 'The EIP-712 digest a voucher signature covers.',
    handler: (ctx, { channelId, cumulativeAmount }) => hex(voucherDigestBytes(channelId, cumulativeAmount, ctx.block.chainId, ctx.self)),
  }),
  domainSeparator: query({ args: t.none, returns: word32, handler: (ctx) => hex(domainSeparatorBytes(ctx.block.chainId, ctx.self as Address)) }),
  CLOSE_GRACE_PERIOD: query({ args: t.none, returns: t.uint64, handler: () => CLOSE_GRACE_PERIOD }),
  VOUCHER_TYPEHASH: query({ args: t.none, returns: word32, handler: () => VOUCHER_TYPEHASH }),
};

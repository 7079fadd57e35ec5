/**
 * The `escrow.*` JSON-RPC family (SPEC §5): each method answers one of the escrow's views at the
 * head state, with the view's own argument schema (by name or by position) and JSON form.
 */
import type { NodeApi, QueryDef, RpcMethodDef } from '../../chain/index.js';
import { ESCROW_ADDRESS } from './constants.js';
import { escrowQueries } from './views.js';

function viewRpc(name: keyof typeof escrowQueries, description?: string): RpcMethodDef {
  const q = escrowQueries[name] as QueryDef;
  return {
    params: q.args,
    description: description ?? q.description,
    handler: async (node: NodeApi, params: unknown) => q.returns.toJson(await node.query(ESCROW_ADDRESS, name, params)),
  };
}

export const escrowRpc: Record<string, RpcMethodDef> = {
  'escrow.GetChannel': viewRpc('getChannel'),
  'escrow.GetChannelState': viewRpc('getChannelState'),
  'escrow.GetChannelStatesBatch': viewRpc('getChannelStatesBatch', 'States of up to 1024 channel ids, in order.'),
  'escrow.ComputeChannelId': viewRpc('computeChannelId'),
  'escrow.GetVoucherDigest': viewRpc('getVoucherDigest'),
  'escrow.DomainSeparator': viewRpc('domainSeparator', 'The EIP-712 domain separator ("TIP20 Channel Reserve", version 1, this chain, the escrow).'),
  'escrow.CloseGracePeriod': viewRpc('CLOSE_GRACE_PERIOD', 'Seconds between requestClose and withdraw (900).'),
  'escrow.VoucherTypehash': viewRpc('VOUCHER_TYPEHASH'),
};

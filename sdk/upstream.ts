/**
 * A follower's view of the node it follows, over JSON-RPC (`sessionchain devnet --follow URL`):
 * the engine's `Upstream` contract, implemented with `RpcClient`.
 */
import { loadGenesis, type Genesis, type ModuleDefinition, type RawBlockJson, type Upstream } from '../chain/index.js';
import { RpcClient, RpcError, type HeaderJson } from './rpc-client.js';

/** Follows the node at `client` (or a URL). */
export function rpcUpstream(client: RpcClient | string): Upstream {
  const rpc = typeof client === 'string' ? new RpcClient(client) : client;
  return {
    async genesisHash() {
      return (await rpc.call<HeaderJson>('chain.GetBlock', { block: 0 })).hash;
    },
    head: () => rpc.head(),
    async rawBlocks(from, count) {
      const results = await rpc.batch(Array.from({ length: count }, (_, i) => ({ method: 'chain.GetRawBlock', params: { block: from + i } })));
      return results.map((r) => {
        if (r instanceof RpcError) throw r;
        return r as RawBlockJson;
      });
    },
    subscribeHeads: (onHead) => rpc.subscribe('newHeads', (h) => onHead(h.height)),
  };
}

/** Fetches the upstream's genesis document and validates it against `modules`. */
export async function fetchUpstreamGenesis(client: RpcClient, modules: readonly ModuleDefinition[]): Promise<Genesis> {
  return loadGenesis(await client.call('chain.Genesis'), modules);
}

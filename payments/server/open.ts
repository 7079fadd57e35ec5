/**
 * Starting a payment server: the channel store (classic-level in a directory, or memory), the
 * challenge secret (kept in the store so challenges outlive a restart), the chain id, and the
 * settlement scheduler.
 */
import { randomBytes } from 'node:crypto';
import { fromHex, toHex, type Signer } from '../../chain/index.js';
import { RpcClient } from '../../sdk/index.js';
import { ChannelStore } from '../store/channel-store.js';
import { PaymentServer, type PaymentServerOptions } from './payment-server.js';
import { Settlement, type SettlementSchedule } from './settlement.js';

export interface StartPaymentsOptions extends Omit<PaymentServerOptions, 'rpc' | 'store' | 'secret' | 'chainId'> {
  rpc: RpcClient | string;
  payee: Signer;
  /** A directory for the classic-level store; omitted = memory (nothing survives). */
  storeDir?: string;
  store?: ChannelStore;
  secret?: Uint8Array;
  settlement?: SettlementSchedule;
}

export interface Payments {
  server: PaymentServer;
  settlement: Settlement;
  store: ChannelStore;
  close(): Promise<void>;
}

export async function startPayments(o: StartPaymentsOptions): Promise<Payments> {
  const rpc = typeof o.rpc === 'string' ? new RpcClient(o.rpc) : o.rpc;
  const store = o.store ?? (o.storeDir ? await ChannelStore.open(o.storeDir) : await ChannelStore.memory());
  try {
    let secret = o.secret;
    if (!secret) {
      const kept = await store.getMeta('secret');
      secret = kept ? fromHex(kept) : new Uint8Array(randomBytes(32));
      if (!kept) await store.putMeta('secret', toHex(secret));
    }
    const chainId = await rpc.chainId();
    const server = new PaymentServer({ ...o, rpc, store, secret, chainId });
    const settlement = new Settlement(server, o.settlement);
    settlement.start();
    return {
      server,
      settlement,
      store,
      async close() {
        await settlement.stop();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

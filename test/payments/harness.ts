/**
 * An in-process paid-inference stack for tests: a memory node with its JSON-RPC server, a payment
 * server (memory store unless a directory is given) with the inference routes, and clients.
 */
import type { Server } from 'node:http';
import { devSigner, RpcServer, startNode, type Node, type Signer } from '../../sdk/chain.js';
import { RpcClient } from '../../sdk/index.js';
import { DEV_STABLECOIN_ADDRESS } from '../../sdk/precompiles/index.js';
import { InferenceService, SessionManager, startPayments, type Payments, type SessionManagerOptions, type SettlementSchedule } from '../../payments/index.js';
import { input, modelFile } from '../aivm/models-fixture.js';

export const MODEL = modelFile('payments');
export const row = (i: number): string => '0x' + Buffer.from(input(`row ${i}`)).toString('hex');

export interface Stack {
  node: Node;
  rpcUrl: string;
  rpc: RpcClient;
  payments: Payments;
  url: string;
  http: Server;
  payee: Signer;
  client(o?: Partial<SessionManagerOptions> & { signer?: Signer }): SessionManager;
  balance(address: string): Promise<bigint>;
  stop(): Promise<void>;
}

export async function startStack(o: { price?: bigint; suggestedDeposit?: bigint; minVoucherDelta?: bigint; settlement?: SettlementSchedule; storeDir?: string; payee?: Signer; secret?: Uint8Array } = {}): Promise<Stack> {
  const node = await startNode({ memory: true, verifier: { threads: 0 } });
  const rpcServer = new RpcServer(node, { port: 0 });
  const rpcUrl = (await rpcServer.listen()).url;
  const rpc = new RpcClient(rpcUrl);
  const payee = o.payee ?? devSigner(9, 'secp256k1');
  const payments = await startPayments({ rpc, payee, price: o.price ?? 10n, suggestedDeposit: o.suggestedDeposit ?? 1000n, minVoucherDelta: o.minVoucherDelta, unitType: 'inference', storeDir: o.storeDir, secret: o.secret, settlement: { pollMs: 0, ...o.settlement } });
  const svc = new InferenceService(MODEL);
  const { server: http, url } = await svc.listen(payments);
  const clients: SessionManager[] = [];
  return {
    node,
    rpcUrl,
    rpc,
    payments,
    url,
    http,
    payee,
    client(c = {}) {
      const m = new SessionManager({ signer: c.signer ?? devSigner(1, 'secp256k1'), rpc: new RpcClient(rpcUrl), ...c });
      clients.push(m);
      return m;
    },
    async balance(address) {
      return BigInt(await rpc.call<string>('tip20.BalanceOf', { token: DEV_STABLECOIN_ADDRESS, account: address }));
    },
    async stop() {
      for (const c of clients) c.closeConnections();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await payments.close();
      rpc.close();
      await rpcServer.close();
      await node.stop();
    },
  };
}

/** Fresh funded payers, one per call: dev accounts 0..8 as secp256k1, then as ML-DSA-65 (distinct addresses). */
export function payers(): () => Signer {
  let next = 0;
  return () => {
    const i = next++;
    return devSigner(i % 9, i < 9 ? 'secp256k1' : 'ml-dsa-65');
  };
}

/**
 * Acceptance 1, end to end on a devnet PROCESS: a client opens a channel, buys 1,000 inferences
 * over SSE with automatic need-voucher vouchers and deposit top-ups, then closes; on chain the payee
 * got exactly delivered units × price and the payer the rest, and the server's store agrees with
 * the chain. The same over WebSocket (with the close handshake), 100 plain HTTP requests, and an
 * ML-DSA-65-signed channel with fewer units. Vouchers are secp256k1 unless said otherwise.
 */
import { expect } from 'chai';
import type { Server } from 'node:http';
import { devSigner, type Signer } from '../../sdk/chain.js';
import { RpcClient } from '../../sdk/index.js';
import { DEV_STABLECOIN_ADDRESS } from '../../sdk/precompiles/index.js';
import { InferenceService, SessionManager, startPayments, type Payments } from '../../payments/index.js';
import { startDevnet, type DevnetProcess } from '../helpers/processes.js';
import { MODEL, row } from './harness.js';

const PRICE = 7n;

describe('payments end to end on a devnet process (acceptance 1)', function () {
  this.timeout(600_000);
  let devnet: DevnetProcess;
  let rpc: RpcClient;
  let payments: Payments;
  let http: Server;
  let url: string;
  const payee = devSigner(8, 'secp256k1');
  const managers: SessionManager[] = [];

  before(async () => {
    devnet = await startDevnet({ memory: true });
    rpc = new RpcClient(devnet.url);
    payments = await startPayments({ rpc, payee, price: PRICE, unitType: 'inference', suggestedDeposit: PRICE * 100n, settlement: { units: 300, pollMs: 0 } });
    ({ server: http, url } = await new InferenceService(MODEL).listen(payments));
  });
  after(async () => {
    for (const m of managers) m.closeConnections();
    http?.closeAllConnections();
    await new Promise((r) => http?.close(r));
    await payments?.close();
    rpc?.close();
    await devnet?.stop();
  });

  const balance = async (a: string) => BigInt(await rpc.call<string>('tip20.BalanceOf', { token: DEV_STABLECOIN_ADDRESS, account: a }));
  const manager = (signer: Signer) => {
    // A small deposit and top-ups of 100 units force several top-ups over 1,000 units.
    const m = new SessionManager({ signer, rpc: devnet.url, deposit: PRICE * 100n, topUpAmount: PRICE * 100n, maxDeposit: PRICE * 2000n });
    managers.push(m);
    return m;
  };

  /** Closes, then checks the chain and the store against the units the client received. */
  async function settleAndCheck(m: SessionManager, channelId: string, delivered: number, before: { payer: bigint; payee: bigint }, closeReceipt?: { txHash?: string; spent: string }) {
    const closed = closeReceipt ?? (await m.close(`${url}/v1/infer`)).receipt;
    const due = BigInt(delivered) * PRICE;
    expect(closed.spent).to.equal(due.toString());
    expect(closed.txHash).to.match(/^0x[0-9a-f]{64}$/);
    const chainReceipt = await rpc.getReceipt(closed.txHash!);
    const ev = chainReceipt!.events.find((e) => e.name === 'ChannelClosed')!;
    expect(ev.args).to.deep.include({ settledToPayee: due.toString() });
    const record = (await payments.store.get(channelId as never))!;
    expect(record).to.deep.include({ finalized: true, spent: due, settledOnChain: due, units: delivered });
    expect(await rpc.call('escrow.GetChannelState', { channelId })).to.deep.equal({ settled: '0', deposit: '0', closeRequestedAt: 0 });
    expect((await balance(payee.address)) - before.payee).to.equal(due);
    expect(before.payer - (await balance(m.signer.address))).to.equal(due);
    return record;
  }

  it('SSE: open, 1,000 paid inferences with need-voucher vouchers and top-ups, close', async () => {
    const m = manager(devSigner(1, 'secp256k1'));
    const before = { payer: await balance(m.signer.address), payee: await balance(payee.address) };
    const inputs = Array.from({ length: 1000 }, (_, i) => row(i));
    const r = await m.sse(`${url}/v1/infer/stream`, JSON.stringify({ inputs }));
    expect(r.messages).to.have.length(1000);
    expect(JSON.parse(r.messages[999]!)).to.deep.include({ input: inputs[999] });
    expect(r.receipt).to.deep.include({ spent: (1000n * PRICE).toString(), units: 1000 });
    const entry = m.store.all().find((e) => e.channelId === r.channelId)!;
    expect(entry.deposit > PRICE * 100n, 'the deposit was topped up').to.equal(true);
    await payments.settlement.idle();
    expect((await payments.store.get(r.channelId))!.settledOnChain > 0n, 'the scheduler settled during the stream').to.equal(true);
    await settleAndCheck(m, r.channelId, 1000, before);
  });

  it('WebSocket: 1,000 paid messages, top-ups, and the close handshake', async () => {
    const m = manager(devSigner(2, 'secp256k1'));
    const before = { payer: await balance(m.signer.address), payee: await balance(payee.address) };
    const r = await m.ws(`${url}/v1/infer/ws`, Array.from({ length: 1000 }, (_, i) => row(5000 + i)), { close: true });
    expect(r.messages).to.have.length(1000);
    await settleAndCheck(m, r.channelId, 1000, before, r.closeReceipt);
  });

  it('HTTP: 100 paid requests, then close', async () => {
    const m = manager(devSigner(3, 'secp256k1'));
    const before = { payer: await balance(m.signer.address), payee: await balance(payee.address) };
    let channelId = '';
    for (let i = 0; i < 100; i++) {
      const r = await m.fetch(`${url}/v1/infer`, { body: JSON.stringify({ input: row(9000 + i) }) });
      expect(r.status).to.equal(200);
      expect(r.receipt.spent).to.equal((BigInt(i + 1) * PRICE).toString());
      channelId = r.channelId;
    }
    await settleAndCheck(m, channelId, 100, before);
  });

  it('ML-DSA-65 vouchers: 40 streamed inferences, then close', async () => {
    const m = manager(devSigner(4, 'ml-dsa-65'));
    const before = { payer: await balance(m.signer.address), payee: await balance(payee.address) };
    const r = await m.sse(`${url}/v1/infer/stream`, JSON.stringify({ inputs: Array.from({ length: 40 }, (_, i) => row(20_000 + i)) }));
    expect(r.messages).to.have.length(40);
    const record = (await payments.store.get(r.channelId))!;
    expect(record.highestVoucher!.signature.startsWith('0x07')).to.equal(true);
    await settleAndCheck(m, r.channelId, 40, before);
  });
});

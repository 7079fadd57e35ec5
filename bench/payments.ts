/**
 * Session payments (issue 9, acceptance 5), measured in one run:
 *  (a) paid HTTP inferences/s vs the same route unpaid (ratio), with secp256k1 and ML-DSA-65
 *      vouchers: several clients, one channel each, one request in flight per client;
 *  (b) paid SSE chunks/s vs the same stream unpaid (one voucher per chunk, need-voucher driven);
 *  (c) settlement: N channels settled by one `settleBatch` (one transaction, one block) vs N
 *      separate `settle` transactions (N blocks): wall time, blocks and gas.
 * The node, the payment server and the clients share this process (and the machine's cores).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { devSigner, RpcServer, startNode, type SchemeName } from '../sdk/chain.js';
import { RpcClient } from '../sdk/index.js';
import { InferenceService, SessionManager, startPayments, sseMessage, SSE_HEADERS } from '../payments/index.js';
import { keccakReady } from '../chain/hash.js';
import { encodeModelFile } from '../sdk/aivm/index.js';
import type { BenchContext, BenchSuite } from './harness.js';

const w = (n: number) => Int8Array.from({ length: n }, (_, i) => ((i * 37) % 61) - 30);
const MODEL = encodeModelFile({ w1: w(512), b1: new Int32Array(16), w2: w(16), b2: new Int32Array(1), shift1: 5, shift2: 5 });
const row = (i: number) => '0x' + i.toString(16).padStart(64, '0');

/** The same inference routes without payment, for the ratios. */
function unpaidServer(svc: InferenceService): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      if (req.url === '/v1/infer') {
        const out = JSON.stringify(svc.infer(Buffer.from(body.input.slice(2), 'hex')));
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) });
        res.end(out);
      } else {
        res.writeHead(200, SSE_HEADERS);
        for (const r of body.inputs as string[]) res.write(sseMessage(JSON.stringify(svc.infer(Buffer.from(r.slice(2), 'hex')))));
        res.end();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function post(url: string, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  return res.text();
}

async function timed(total: number, clients: number, one: (client: number, i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (next < total) await one(c, next++);
    }),
  );
  return (total * 1000) / (performance.now() - start);
}

export const paymentsSuite: BenchSuite = {
  name: 'payments',
  async run(ctx: BenchContext) {
    await keccakReady;
    const node = await startNode({ memory: true, verifier: { threads: 0 } });
    const rpcServer = new RpcServer(node, { port: 0 });
    const rpcUrl = (await rpcServer.listen()).url;
    const rpc = new RpcClient(rpcUrl);
    const payments = await startPayments({ rpc, payee: devSigner(9, 'secp256k1'), price: 1n, unitType: 'inference', suggestedDeposit: 1_000_000n, settlement: { pollMs: 0 } });
    const svc = new InferenceService(MODEL);
    const paid = await svc.listen(payments);
    const unpaid = await unpaidServer(svc);
    const managers: SessionManager[] = [];
    try {
      const clients = 4;
      const n = ctx.quick ? 200 : 1500;
      // (a) HTTP
      await timed(100, clients, (_c, i) => post(`${unpaid.url}/v1/infer`, JSON.stringify({ input: row(i) }))); // warm-up
      const bare = await timed(n, clients, (_c, i) => post(`${unpaid.url}/v1/infer`, JSON.stringify({ input: row(i) })));
      ctx.record('payments.http.unpaid', bare, 'req/s', `unpaid HTTP inference, ${clients} clients`);
      for (const scheme of ['secp256k1', 'ml-dsa-65'] as SchemeName[]) {
        const ms = Array.from({ length: clients }, (_, c) => new SessionManager({ signer: devSigner(c + (scheme === 'secp256k1' ? 0 : 4), scheme), rpc: rpcUrl }));
        managers.push(...ms);
        for (const m of ms) for (let w = 0; w < 10; w++) await m.fetch(`${paid.url}/v1/infer`, { body: JSON.stringify({ input: row(w) }) }); // open the channels, warm up
        const key = scheme === 'secp256k1' ? 'secp256k1' : 'mldsa';
        const rate = await timed(ctx.quick ? n / 2 : n, clients, (c, i) => ms[c]!.fetch(`${paid.url}/v1/infer`, { body: JSON.stringify({ input: row(i) }) }));
        ctx.record(`payments.http.${key}`, rate, 'req/s', `paid HTTP inference, ${scheme} vouchers, ${clients} clients`);
        ctx.record(`payments.http.${key}.vs_unpaid`, rate / bare, 'ratio', `paid ÷ unpaid HTTP (${scheme}; goal ≥ ${scheme === 'secp256k1' ? '0.5' : '0.3'})`);
      }
      // (b) SSE
      const rows = ctx.quick ? 200 : 1000;
      const inputs = JSON.stringify({ inputs: Array.from({ length: rows }, (_, i) => row(i)) });
      let t = performance.now();
      await post(`${unpaid.url}/v1/infer/stream`, inputs);
      const bareSse = (rows * 1000) / (performance.now() - t);
      ctx.record('payments.sse.unpaid', bareSse, 'chunk/s', `unpaid SSE inference stream, ${rows} chunks`);
      for (const scheme of ['secp256k1', 'ml-dsa-65'] as SchemeName[]) {
        const m = new SessionManager({ signer: devSigner(scheme === 'secp256k1' ? 8 : 7, scheme), rpc: rpcUrl });
        managers.push(m);
        await m.fetch(`${paid.url}/v1/infer`, { body: JSON.stringify({ input: row(0) }) });
        const count = scheme === 'secp256k1' ? rows : Math.max(50, rows / 4);
        const body = JSON.stringify({ inputs: Array.from({ length: count }, (_, i) => row(i)) });
        t = performance.now();
        const r = await m.sse(`${paid.url}/v1/infer/stream`, body);
        const rate = (r.messages.length * 1000) / (performance.now() - t);
        const key = scheme === 'secp256k1' ? 'secp256k1' : 'mldsa';
        ctx.record(`payments.sse.${key}`, rate, 'chunk/s', `paid SSE chunks, ${scheme} vouchers (one voucher per chunk)`);
        ctx.record(`payments.sse.${key}.vs_unpaid`, rate / bareSse, 'ratio', `paid ÷ unpaid SSE (${scheme})`);
      }
      // (c) settlement: N channels in one block vs N blocks
      // One channel per funded dev payer (0..8 under each scheme; 9 is the payee).
      const N = ctx.quick ? 8 : 16;
      const open = async (offset: number) => {
        const ids = [];
        for (let k = 0; k < N; k++) {
          const m = new SessionManager({ signer: devSigner(k % 8, k < 8 ? 'secp256k1' : 'ml-dsa-65'), rpc: rpcUrl, deposit: 100n });
          managers.push(m);
          // A fresh channel per k: a new manager with a fresh store opens one (bootstrap finds the old one otherwise).
          const before = await payments.store.list();
          await m.fetch(`${paid.url}/v1/infer`, { body: JSON.stringify({ input: row(offset + k) }) });
          const after = await payments.store.list();
          ids.push(after.find((r) => !before.some((b) => b.channelId === r.channelId))?.channelId ?? m.store.all()[0]!.channelId);
        }
        return [...new Set(ids)];
      };
      const batchIds = await open(0);
      let h0 = node.head().height;
      t = performance.now();
      const [batch] = await payments.settlement.settleBatch(batchIds as never);
      const batchMs = performance.now() - t;
      const batchBlocks = Number(node.head().height - h0);
      const batchGas = BigInt((await rpc.getReceipt(batch!.txHash))!.gasUsed);
      for (const id of batchIds) await payments.store.update(id as never, (r) => r && { ...r, settleVoucher: undefined }); // nothing left to settle
      const singleIds = await open(1000);
      h0 = node.head().height;
      let singleGas = 0n;
      t = performance.now();
      for (const id of singleIds) {
        const r = await payments.settlement.settle(id as never);
        if (r) singleGas += BigInt((await rpc.getReceipt(r.txHash))!.gasUsed);
      }
      const singleMs = performance.now() - t;
      const singleBlocks = Number(node.head().height - h0);
      ctx.record('payments.settle.batch.ms', batchMs, 'ms', `settleBatch of ${batchIds.length} channels (${batchBlocks} block)`);
      ctx.record('payments.settle.single.ms', singleMs, 'ms', `${singleIds.length} separate settles (${singleBlocks} blocks)`);
      ctx.record('payments.settle.speedup', singleMs / batchMs, 'ratio', 'N separate settles ÷ one settleBatch (wall time)');
      ctx.record('payments.settle.gas_ratio', Number(singleGas) / Number(batchGas), 'ratio', 'gas of N settles ÷ gas of one settleBatch');
    } finally {
      for (const m of managers) m.closeConnections();
      paid.server.closeAllConnections();
      unpaid.server.closeAllConnections();
      await new Promise((r) => paid.server.close(r));
      await new Promise((r) => unpaid.server.close(r));
      await payments.close();
      rpc.close();
      await rpcServer.close();
      await node.stop();
    }
  },
};

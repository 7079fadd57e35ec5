/** The binary submission path: codec, HTTP and WebSocket, and the SDK's use of it. */
import { expect } from 'chai';
import fc from 'fast-check';
import http from 'node:http';
import WebSocket from 'ws';
import {
  InvalidTxBatch,
  MAX_TX_BATCH,
  RpcClient,
  RpcError,
  RpcServer,
  decodeTxBatch,
  decodeWsTxBatch,
  devSigner,
  encodeTxBatch,
  encodeWsTxBatch,
  isWsTxBatch,
  signTx,
  toHex,
  type Node,
} from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';
import { luxModule } from '../../vm/lux.js';
import { startNode } from '../../genesis/index.js';

const transferArgs = (to: string, amount: bigint) => luxModule.methods.transfer!.args.encode({ to, amount }) as never;

function post(url: string, body: Uint8Array, contentType: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length }, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('transaction batches: codec', () => {
  it('decode(encode(raws)) gives the raws back, as views (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean(), (raws, id, wait) => {
        const bytes = encodeTxBatch(raws);
        const back = decodeTxBatch(bytes);
        expect(back.map((b) => toHex(b))).to.deep.equal(raws.map((b) => toHex(b)));
        expect(back.every((b) => b.buffer === bytes.buffer)).to.equal(true);
        const frame = encodeWsTxBatch(id, raws, wait);
        expect(isWsTxBatch(frame)).to.equal(true);
        const ws = decodeWsTxBatch(frame);
        expect([ws.id, ws.wait, ws.raws.map((b) => toHex(b))]).to.deep.equal([id, wait, raws.map((b) => toHex(b))]);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('a malformed batch is InvalidTxBatch, saying what was expected', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /empty/],
      [Uint8Array.of(0, 0, 1), /cut off: expected a 4-byte length/],
      [Uint8Array.of(0, 0, 0, 0), /declares 0 bytes/],
      [Uint8Array.of(0, 0, 0, 9, 1, 2), /declares 9 bytes at offset 0; 2 follow/],
      [encodeWsTxBatch(1, [Uint8Array.of(1)]).subarray(0, 8), /12 header bytes/],
    ];
    for (const [bytes, msg] of cases) {
      const decode = bytes.length > 4 && isWsTxBatch(bytes) ? () => decodeWsTxBatch(bytes) : () => decodeTxBatch(bytes);
      expect(decode).to.throw(InvalidTxBatch, msg);
    }
    const flags = encodeWsTxBatch(1, [Uint8Array.of(1)]);
    flags[11] = 2;
    expect(() => decodeWsTxBatch(flags)).to.throw(InvalidTxBatch, /unknown batch flags 2/);
    const tooMany = new Uint8Array((MAX_TX_BATCH + 1) * 5);
    for (let i = 0; i <= MAX_TX_BATCH; i++) tooMany.set([0, 0, 0, 1, 7], i * 5);
    expect(() => decodeTxBatch(tooMany)).to.throw(InvalidTxBatch, /at most 1000/);
    expect(isWsTxBatch(new TextEncoder().encode('{"jsonrpc":"2.0"}'))).to.equal(false);
  });
});

describe('transaction batches over HTTP and WebSocket', function () {
  let node: Node;
  let server: RpcServer;
  let url: string;
  let wsUrl: string;
  let nonce = 0n;
  const alice = devSigner(2, 'secp256k1');
  const bob = devSigner(3, 'secp256k1');
  const transfer = (amount: bigint, n = nonce++) =>
    signTx({ chainId: node.chainId, nonce: n, from: alice.address, to: LUX_ADDRESS, method: 'transfer', args: transferArgs(bob.address, amount), gasLimit: 200_000n, gasPrice: 1_000_000_000n }, alice);

  before(async () => {
    node = await startNode({ memory: true, verifier: { threads: 0 } });
    server = new RpcServer(node, { port: 0 });
    ({ url, wsUrl } = await server.listen());
  });
  after(async () => {
    await server.close();
    await node.stop();
  });

  it('POST application/octet-stream admits each transaction like chain.SendTransaction, in order', async () => {
    const a = transfer(1n);
    const b = transfer(2n);
    const bad = Uint8Array.of(1, 2, 3);
    const res = await post(url, encodeTxBatch([a.raw, bad, b.raw]), 'application/octet-stream');
    expect(res.status).to.equal(200);
    expect(res.json[0]).to.deep.equal({ result: { hash: toHex(a.hash) } });
    expect(res.json[1].error.data.name).to.equal('MalformedTransaction');
    expect(res.json[2]).to.deep.equal({ result: { hash: toHex(b.hash) } });
    const again = await post(url + '/?wait=true', encodeTxBatch([transfer(3n).raw]), 'application/octet-stream');
    expect(again.json[0].result.status).to.equal(1);
    expect(again.json[0].result.height).to.be.a('number');
  });

  it('a malformed HTTP batch gets an InvalidTxBatch error envelope and admits nothing', async () => {
    const before = node.mempool.size;
    const res = await post(url, Uint8Array.of(0, 0, 0, 50, 1), 'application/octet-stream');
    expect(res.json.error.data.name).to.equal('InvalidTxBatch');
    expect(node.mempool.size).to.equal(before);
  });

  it('a WebSocket binary frame carries a batch; JSON in a binary frame still works', async () => {
    const ws = new WebSocket(wsUrl);
    await new Promise((r) => ws.once('open', r));
    const replies: any[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    const next = () => new Promise<void>((r) => ws.once('message', () => setImmediate(r)));
    const tx = transfer(4n);
    ws.send(encodeWsTxBatch(77, [tx.raw], true));
    await next();
    expect(replies[0].id).to.equal(77);
    expect(replies[0].result[0].result.txHash).to.equal(toHex(tx.hash));
    expect(replies[0].result[0].result.status).to.equal(1);
    ws.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'chain.ChainId' })), { binary: true });
    await next();
    expect(replies[1]).to.deep.equal({ jsonrpc: '2.0', id: 5, result: Number(node.chainId) });
    ws.close();
  });

  it('the SDK sends bytes on the binary path, batches several, and names each failure', async () => {
    const rpc = new RpcClient(url);
    try {
      const one = transfer(5n);
      expect(await rpc.sendTransaction(one.raw)).to.deep.equal({ hash: toHex(one.hash) });
      const [ok, dup] = await rpc.sendTransactions([transfer(6n).raw, one.raw]);
      expect(ok).to.have.property('hash');
      expect(dup).to.be.instanceOf(RpcError);
      expect((dup as RpcError).name).to.equal('AlreadyKnown');
      const waited = await rpc.sendTransaction(transfer(7n).raw, { wait: true });
      expect(waited.receipt?.status).to.equal(1);
    } finally {
      rpc.close();
    }
  });

  it('the SDK sends what is sent in the same tick as one batch request', async () => {
    const rpc = new RpcClient(url);
    let requests = 0;
    const count = () => requests++;
    server.http.on('request', count);
    try {
      const txs = Array.from({ length: 12 }, (_, i) => transfer(100n + BigInt(i)));
      const sent = await Promise.all(txs.map((t, i) => rpc.sendTransaction(t.raw, { wait: i === 11 })));
      expect(sent.map((r) => r.hash)).to.deep.equal(txs.map((t) => toHex(t.hash)));
      expect(sent[11]!.receipt?.status).to.equal(1);
      expect(requests, 'one batch without wait, one with').to.equal(2);
    } finally {
      server.http.off('request', count);
      rpc.close();
    }
  });

  it('the SDK falls back to JSON-RPC hex on a node without the binary path (HTTP 415)', async () => {
    const seen: string[] = [];
    const older = http.createServer((req, res) => {
      seen.push(String(req.headers['content-type']));
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (req.headers['content-type'] !== 'application/json') {
          res.writeHead(415, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'unsupported media type' } }));
          return;
        }
        const parsed = JSON.parse(body) as { id: number; params: { raw: string } } | { id: number; params: { raw: string } }[];
        const answer = (c: { id: number; params: { raw: string } }) => ({ jsonrpc: '2.0', id: c.id, result: { hash: c.params.raw.slice(0, 10) } });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)));
      });
    });
    await new Promise<void>((r) => older.listen(0, '127.0.0.1', () => r()));
    const rpc = new RpcClient(`http://127.0.0.1:${(older.address() as { port: number }).port}`);
    try {
      const raw = Uint8Array.of(0xab, 0xcd, 0xef, 0x01);
      expect(await rpc.sendTransaction(raw)).to.deep.equal({ hash: '0xabcdef01' });
      expect(await rpc.sendTransaction(raw)).to.deep.equal({ hash: '0xabcdef01' });
      expect(seen).to.deep.equal(['application/octet-stream', 'application/json', 'application/json']);
    } finally {
      rpc.close();
      older.close();
    }
  });
});

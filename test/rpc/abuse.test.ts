import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { Node, RpcServer } from '../../sdk/chain.js';
import { startNode } from '../../genesis/index.js';

function post(url: string, body: string, localAddress?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('JSON-RPC under abuse (reliability scenarios 21–22)', function () {
  this.timeout(60_000);
  let node: Node;
  before(async () => (node = await startNode({ memory: true, verifier: { threads: 0 } })));
  after(() => node.stop());

  it('slow clients are cut off by the header and request timeouts while others are served', async () => {
    const server = new RpcServer(node, { port: 0, headersTimeoutMs: 800, requestTimeoutMs: 1500 });
    const { url, port } = await server.listen();
    try {
      const started = Date.now();
      const closedAfter = (send: (s: net.Socket) => void) =>
        new Promise<number>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => send(s));
          s.on('error', () => {});
          s.on('close', () => resolve(Date.now() - started));
        });
      const slowHeaders = Array.from({ length: 20 }, () =>
        closedAfter((s) => {
          s.write('POST / HTTP/1.1\r\nHost: x\r\n');
          const timer = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 200);
          s.on('close', () => clearInterval(timer));
        }),
      );
      const slowBodies = Array.from({ length: 20 }, () =>
        closedAfter((s) => {
          s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
          const timer = setInterval(() => s.writable && s.write(' '), 200);
          s.on('close', () => clearInterval(timer));
        }),
      );
      // A normal client still gets answers during the attack.
      const normal = await post(url, '{"jsonrpc":"2.0","id":1,"method":"chain.ChainId"}');
      expect(JSON.parse(normal.body).result).to.equal(1337);
      const times = await Promise.all([...slowHeaders, ...slowBodies]);
      for (const ms of times) expect(ms).to.be.below(5_000); // headers 0.8 s, request 1.5 s, checked every 0.4 s
    } finally {
      await server.close();
    }
  });

  it('a flooding address gets 429 / -32005 while another address and block production are unaffected', async () => {
    const server = new RpcServer(node, { port: 0, rateLimit: 50, host: '0.0.0.0' });
    const { port } = await server.listen();
    try {
      const body = '{"jsonrpc":"2.0","id":1,"method":"chain.ChainId"}';
      const flood = await Promise.all(Array.from({ length: 300 }, () => post(`http://127.0.0.2:${port}`, body, '127.0.0.2')));
      const limited = flood.filter((r) => r.status === 429);
      expect(limited.length).to.be.greaterThan(150);
      const err = JSON.parse(limited[0]!.body);
      expect(err.error.code).to.equal(-32005);
      expect(err.id).to.equal(null);
      const other = await post(`http://127.0.0.3:${port}`, body, '127.0.0.3');
      expect(other.status).to.equal(200);
      const before = node.chain.head.height;
      await node.mine(1);
      expect(node.chain.head.height).to.equal(before + 1n);
    } finally {
      await server.close();
    }
  });
});

describe('JSON-RPC method deadline', () => {
  it('a call that outlives the deadline is answered -32002, and the server stays responsive', async () => {
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    const server = new RpcServer(node, { port: 0, methodTimeoutMs: 300 });
    const { url } = await server.listen();
    try {
      const { DevChain, RpcClient, RpcError } = await import('../../sdk/chain.js');
      const c = new DevChain(node);
      // In manual mode nothing mines: a waiting SendTransaction runs into the deadline.
      const tx = await c.buildTx(c.signer(0, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 1n });
      const rpc = new RpcClient(url);
      let err: unknown;
      await rpc.sendTransaction(tx.raw, { wait: true }).catch((e) => (err = e));
      expect(err).to.be.instanceOf(RpcError);
      expect((err as InstanceType<typeof RpcError>).code).to.equal(-32002);
      expect((err as Error).message).to.match(/may still be mined/);
      expect(await rpc.chainId()).to.equal(1337);
      await node.mine(1);
      expect((await rpc.getReceipt(tx.hash))!.status).to.equal(1); // it was admitted and now mined
      rpc.close();
    } finally {
      await server.close();
      await node.stop();
    }
  });
});

/**
 * RpcClient and kept-alive sockets: a node may close an idle socket just as the client sends a
 * request on it. That request never reached the node, so the client sends it once more on a fresh
 * socket; any other reset is a TransportError, and nothing is retried twice.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { RpcClient, TransportError } from '../../sdk/index.js';

/** A JSON-RPC stub that resets the sockets `reset` picks (by request number, from 1) instead of answering. */
async function stub(reset: (n: number, reused: boolean) => boolean): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const perSocket = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    const i = ++n;
    const onSocket = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, onSocket);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (reset(i, onSocket > 1)) return req.socket.destroy();
      const { id } = JSON.parse(body) as { id: number };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result: i }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('RpcClient on kept-alive sockets', () => {
  it('a request reset on a reused socket is sent once more on a new one', async () => {
    const s = await stub((_, reused) => reused); // every request on a reused socket is reset
    try {
      const c = new RpcClient(s.url);
      expect(await c.call('chain.ChainId')).to.equal(1);
      expect(await c.call('chain.ChainId')).to.equal(3); // #2 went out on the kept-alive socket and was reset
      expect(s.requests()).to.equal(3);
    } finally {
      await s.close();
    }
  });

  it('a reset on a fresh socket is a TransportError, not retried', async () => {
    const s = await stub(() => true);
    try {
      const c = new RpcClient(s.url);
      const e = await c.call('chain.ChainId').then(() => null, (x: unknown) => x);
      expect(e).to.be.instanceOf(TransportError);
      expect(s.requests()).to.equal(1);
    } finally {
      await s.close();
    }
  });

  it('a retried request that is reset again is a TransportError (one retry only)', async () => {
    const s = await stub((n) => n > 1);
    try {
      const c = new RpcClient(s.url);
      expect(await c.call('chain.ChainId')).to.equal(1);
      const e = await c.call('chain.ChainId').then(() => null, (x: unknown) => x);
      expect(e).to.be.instanceOf(TransportError);
      expect(s.requests()).to.equal(3);
    } finally {
      await s.close();
    }
  });
});

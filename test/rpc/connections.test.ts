/**
 * Connection limits (issue 12, in process; the 1,024-socket and memory scenarios run against a devnet
 * process in connections-process.test.ts): per-IP socket and WebSocket caps, WebSockets kept below
 * the total, the idle timeout, and slow consumers dropped with close code 1008.
 */
import { expect } from 'chai';
import net from 'node:net';
import type WebSocket from 'ws';
import { Node, RpcServer, startNode, WsClose } from '../../sdk/chain.js';
import { rawRequest, rpcCall } from '../helpers/jsonrpc.js';
import { closed, openWs, wsCall } from '../helpers/ws.js';
import { until } from '../helpers/until.js';

async function openMany(url: string, n: number, localAddress?: string) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await openWs(url, { localAddress }));
  return out;
}

const closeAll = (list: { ok: boolean; ws?: WebSocket }[]) => list.forEach((u) => u.ok && u.ws!.terminate());

describe('connection limits (issue 12)', function () {
  this.timeout(60_000);
  let node: Node;
  before(async () => (node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } })));
  after(() => node.stop());

  it('WebSockets per IP: over the cap an upgrade is answered 429 LimitExceeded; another address still connects', async () => {
    const server = new RpcServer(node, { port: 0, host: '0.0.0.0', maxWsPerIp: 5 });
    const { port } = await server.listen();
    const ws = `ws://127.0.0.1:${port}`;
    const mine = await openMany(ws, 7, '127.0.0.1');
    try {
      expect(mine.filter((u) => u.ok)).to.have.length(5);
      const refused = mine.filter((u) => !u.ok) as { status: number; body: string }[];
      expect(refused.map((r) => r.status)).to.deep.equal([429, 429]);
      expect(JSON.parse(refused[0]!.body).error).to.deep.include({ code: -32005 });
      expect(JSON.parse(refused[0]!.body).error.data.name).to.equal('LimitExceeded');
      const other = await openWs(ws, { localAddress: '127.0.0.2' });
      expect(other.ok).to.equal(true);
      if (other.ok) other.ws.terminate();
      // Closing one frees its place.
      const first = mine[0]!;
      if (first.ok) {
        const done = closed(first.ws);
        first.ws.close();
        await done;
      }
      const again = await waitFor(() => openWs(ws, { localAddress: '127.0.0.1' }), (u) => u.ok);
      if (again.ok) again.ws.terminate();
    } finally {
      closeAll(mine);
      await server.close();
    }
  });

  it('WebSockets in all stay below the connection total (503 past maxWsConnections), so HTTP keeps its share', async () => {
    const server = new RpcServer(node, { port: 0, host: '0.0.0.0', maxWsConnections: 6, maxWsPerIp: 4 });
    const { port } = await server.listen();
    const a = await openMany(`ws://127.0.0.1:${port}`, 4, '127.0.0.1');
    const b = await openMany(`ws://127.0.0.1:${port}`, 4, '127.0.0.3');
    try {
      expect(a.filter((u) => u.ok)).to.have.length(4);
      expect(b.filter((u) => u.ok)).to.have.length(2);
      expect(b.filter((u) => !u.ok).map((u) => (u as { status: number }).status)).to.deep.equal([503, 503]);
      expect((await rpcCall(`http://127.0.0.1:${port}`, 'chain.ChainId')).result).to.equal(1337);
    } finally {
      closeAll([...a, ...b]);
      await server.close();
    }
  });

  it('sockets per IP: past maxConnectionsPerIp a new socket is closed unread; other addresses are served', async () => {
    const server = new RpcServer(node, { port: 0, host: '0.0.0.0', maxConnectionsPerIp: 3 });
    const { port } = await server.listen();
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await connect(port, '127.0.0.1'));
      const extra = await connect(port, '127.0.0.1');
      await new Promise((r) => (extra.closed ? r(null) : extra.once('close', r)));
      expect(extra.bytesRead).to.equal(0);
      const other = await rawRequest(`http://127.0.0.1:${port}`, { body: '{"jsonrpc":"2.0","id":1,"method":"chain.ChainId"}', localAddress: '127.0.0.4' });
      expect(JSON.parse(other.body).result).to.equal(1337);
    } finally {
      held.forEach((s) => s.destroy());
      await server.close();
    }
  });

  it('an idle WebSocket (no message, no subscription) is closed with 1001; a subscriber is kept', async () => {
    const server = new RpcServer(node, { port: 0, wsIdleTimeoutMs: 300 });
    const { url } = await server.listen();
    const wsUrl = url.replace('http', 'ws');
    const sub = await openWs(wsUrl);
    const idle = await openWs(wsUrl);
    if (!sub.ok || !idle.ok) throw new Error('upgrade refused');
    try {
      expect((await wsCall(sub.ws, 'subscribe', ['newHeads'])).result).to.match(/^0x/);
      const { code, reason } = await closed(idle.ws);
      expect(code).to.equal(WsClose.GoingAway);
      expect(reason).to.match(/idle/);
      // The subscriber's timer (armed first) has fired too; it is still open and notified.
      const head = new Promise((r) => sub.ws.once('message', (d) => r(JSON.parse(d.toString()))));
      await node.mine(1);
      expect(((await head) as any).params.result.height).to.equal(Number(node.chain.head.height));
    } finally {
      sub.ws.terminate();
      await server.close();
    }
  });

  it('a consumer that does not read is dropped with close code 1008 once its send buffer passes the bound', async () => {
    const server = new RpcServer(node, { port: 0, wsMaxBufferedBytes: 64 * 1024, wsCloseGraceMs: 30_000 });
    const { url } = await server.listen();
    const u = await openWs(url.replace('http', 'ws'));
    if (!u.ok) throw new Error('upgrade refused');
    try {
      for (let i = 0; i < 100; i++) await wsCall(u.ws, 'subscribe', ['newHeads']);
      const tcp = (u.ws as unknown as { _socket: net.Socket })._socket;
      tcp.pause(); // stop reading: the kernel buffers fill, then the server's
      const serverSide = [...server.ws.clients][0]!;
      let blocks = 0;
      while (serverSide.readyState === serverSide.OPEN && blocks < 2_000) {
        await node.mine(5);
        blocks += 5;
      }
      expect(serverSide.readyState).to.not.equal(serverSide.OPEN);
      const done = closed(u.ws);
      tcp.resume(); // reads what was queued, then the close frame
      const { code, reason } = await done;
      expect(code).to.equal(WsClose.PolicyViolation);
      expect(reason).to.match(/slow consumer/);
    } finally {
      u.ws.terminate();
      await server.close();
    }
  });
});

function connect(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      s.off('error', reject);
      s.on('error', () => {}); // a reset by the server shows up as 'close'
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Retries `probe` until `ok(result)`; the server frees a closed socket's place on its close event. */
async function waitFor<T>(probe: () => Promise<T>, ok: (r: T) => boolean): Promise<T> {
  return (await until('the probe to succeed', async () => {
    const r = await probe();
    return ok(r) ? { r } : undefined;
  })).r;
}

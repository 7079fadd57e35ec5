import { expect } from 'chai';
import http from 'node:http';
import { Node, RpcServer, RpcClient, RpcError, devSigner, signTx } from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';
import { luxModule } from '../../vm/lux.js';
import { startNode } from '../../genesis/index.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, opts: { method?: string; body?: string | Buffer; contentType?: string | null; chunked?: boolean; headers?: Record<string, string> } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
    if (opts.body !== undefined && !opts.chunked) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(url, { method: opts.method ?? 'POST', headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', (e) => {
      // The server may close the socket right after answering 413.
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE') resolve({ status: -1, headers: {}, body: '' });
      else reject(e);
    });
    if (opts.body !== undefined) {
      if (opts.chunked) {
        const buf = Buffer.from(opts.body);
        for (let i = 0; i < buf.length; i += 1 << 20) req.write(buf.subarray(i, i + (1 << 20)));
      } else req.write(opts.body);
    }
    req.end();
  });
}

describe('JSON-RPC over HTTP (reliability scenarios 19–20)', function () {
  let node: Node;
  let server: RpcServer;
  let url: string;

  before(async () => {
    node = await startNode({ memory: true, verifier: { threads: 0 } });
    server = new RpcServer(node, { port: 0, maxResponseBytes: 200_000 });
    url = (await server.listen()).url;
  });
  after(async () => {
    await server.close();
    await node.stop();
  });

  const post = async (body: string) => {
    const r = await request(url, { body });
    return { ...r, json: r.body ? JSON.parse(r.body) : undefined };
  };

  it('invalid JSON → -32700 with id null', async () => {
    for (const body of ['{', '', 'nul', '{"jsonrpc":"2.0",']) {
      const r = await post(body);
      expect(r.status).to.equal(200);
      expect(r.json).to.deep.include({ jsonrpc: '2.0', id: null });
      expect(r.json.error.code).to.equal(-32700);
    }
  });

  it('[] → a single -32600 object, not an array', async () => {
    const r = await post('[]');
    expect(Array.isArray(r.json)).to.equal(false);
    expect(r.json.error.code).to.equal(-32600);
    expect(r.json.id).to.equal(null);
  });

  it('[1,2,3] → three -32600 objects', async () => {
    const r = await post('[1,2,3]');
    expect(r.json).to.have.length(3);
    for (const e of r.json) {
      expect(e.error.code).to.equal(-32600);
      expect(e.id).to.equal(null);
    }
  });

  it('a batch of notifications only → no body', async () => {
    const r = await post('[{"jsonrpc":"2.0","method":"chain.Head"},{"jsonrpc":"2.0","method":"chain.ChainId"}]');
    expect(r.status).to.equal(204);
    expect(r.body).to.equal('');
    const single = await post('{"jsonrpc":"2.0","method":"chain.Head"}');
    expect(single.body).to.equal('');
  });

  it('a mixed batch answers each request (matched by id), skipping notifications', async () => {
    const r = await post('[{"jsonrpc":"2.0","id":"a","method":"chain.ChainId"},5,{"jsonrpc":"2.0","method":"chain.Head"},{"jsonrpc":"2.0","id":9,"method":"nope"}]');
    expect(r.json).to.have.length(3);
    const byId = new Map(r.json.map((x: { id: unknown }) => [x.id, x]));
    expect((byId.get('a') as { result: number }).result).to.equal(1337);
    expect((byId.get(9) as { error: { code: number } }).error.code).to.equal(-32601);
    expect((byId.get(null) as { error: { code: number } }).error.code).to.equal(-32600);
  });

  it('a missing or wrong "jsonrpc" → -32600 with the id echoed', async () => {
    for (const body of ['{"id":7,"method":"chain.Head"}', '{"jsonrpc":"1.0","id":7,"method":"chain.Head"}']) {
      const r = await post(body);
      expect(r.json.id).to.equal(7);
      expect(r.json.error.code).to.equal(-32600);
    }
    const badId = await post('{"jsonrpc":"2.0","id":{"x":1},"method":"chain.Head"}');
    expect(badId.json.id).to.equal(null);
    expect(badId.json.error.code).to.equal(-32600);
  });

  it('unknown method → -32601; wrong params → -32602 naming the parameter', async () => {
    expect((await post('{"jsonrpc":"2.0","id":1,"method":"chain.Nope"}')).json.error.code).to.equal(-32601);
    const wrong = await post('{"jsonrpc":"2.0","id":2,"method":"chain.GetBlock","params":{"block":"abc"}}');
    expect(wrong.json.error.code).to.equal(-32602);
    expect(wrong.json.error.message).to.match(/block/);
    const extra = await post('{"jsonrpc":"2.0","id":3,"method":"chain.GetAccount","params":["0x' + '11'.repeat(20) + '", 5]}');
    expect(extra.json.error.code).to.equal(-32602);
    const scalar = await post('{"jsonrpc":"2.0","id":4,"method":"chain.GetAccount","params":5}');
    expect(scalar.json.error.code).to.equal(-32600);
  });

  it('a body over 5 MiB → 413, with Content-Length and chunked', async () => {
    // Declared too large: answered from the headers alone, before any body byte is read.
    const declared = await new Promise<Raw>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(5 * 1024 * 1024 + 1) } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(declared.status).to.equal(413);
    expect(JSON.parse(declared.body).error.code).to.equal(-32600);
    // Chunked (no Content-Length): cut off while streaming; the client sees 413 or a closed socket.
    const big = '{"jsonrpc":"2.0","id":1,"method":"chain.Head","params":["' + 'a'.repeat(5 * 1024 * 1024) + '"]}';
    const chunked = await request(url, { body: big, chunked: true });
    expect([413, -1]).to.include(chunked.status);
    // Exactly at the limit is accepted.
    const head = '{"jsonrpc":"2.0","id":1,"method":"chain.ChainId","params":[]}';
    const atLimit = head + ' '.repeat(5 * 1024 * 1024 - Buffer.byteLength(head));
    const ok = await request(url, { body: atLimit });
    expect(ok.status).to.equal(200);
    expect(JSON.parse(ok.body).result).to.equal(1337);
  });

  it('a batch over the limit → one -32600 "batch too large" carrying the first id', async () => {
    const calls = Array.from({ length: 1001 }, (_, i) => ({ jsonrpc: '2.0', id: 100 + i, method: 'chain.ChainId' }));
    const r = await post(JSON.stringify(calls));
    expect(Array.isArray(r.json)).to.equal(false);
    expect(r.json.id).to.equal(100);
    expect(r.json.error.code).to.equal(-32600);
    expect(r.json.error.message).to.match(/batch too large/);
    const ok = await post(JSON.stringify(calls.slice(0, 1000)));
    expect(ok.json).to.have.length(1000);
  });

  it('an oversize response → -32003', async () => {
    const small = new RpcServer(node, { port: 0, maxResponseBytes: 500 });
    const u = (await small.listen()).url;
    try {
      const r = await request(u, { body: '{"jsonrpc":"2.0","id":5,"method":"chain.Genesis"}' });
      const j = JSON.parse(r.body);
      expect(j.id).to.equal(5);
      expect(j.error.code).to.equal(-32003);
      const fits = JSON.parse((await request(u, { body: '{"jsonrpc":"2.0","id":6,"method":"chain.ChainId"}' })).body);
      expect(fits.result).to.equal(1337);
    } finally {
      await small.close();
    }
  });

  it('wrong Content-Type → 415; GET / PUT → 405; unknown path → 404; GET /health → 200', async () => {
    expect((await request(url, { body: '{}', contentType: 'text/plain' })).status).to.equal(415);
    expect((await request(url, { body: '{}', contentType: null })).status).to.equal(415);
    const put = await request(url, { method: 'PUT', body: '{}' });
    expect(put.status).to.equal(405);
    expect(put.headers.allow).to.equal('POST');
    expect((await request(url, { method: 'GET' })).status).to.equal(405);
    expect((await request(url + '/nope', { body: '{}' })).status).to.equal(404);
    const health = await request(url + '/health', { method: 'GET' });
    expect(health.status).to.equal(200);
    expect(JSON.parse(health.body).ok).to.equal(true);
    expect((await request(url + '/rpc', { body: '{"jsonrpc":"2.0","id":1,"method":"chain.ChainId"}' })).status).to.equal(200);
  });

  it('named errors carry their name in error.data and never a stack', async () => {
    const c = new RpcClient(url);
    try {
      await c.sendTransaction(new Uint8Array([1, 2, 3]));
      expect.fail('accepted garbage');
    } catch (e) {
      expect(e).to.be.instanceOf(RpcError);
      expect((e as RpcError).code).to.equal(-32010);
      expect((e as RpcError).name).to.equal('MalformedTransaction');
      expect(JSON.stringify((e as RpcError).rpcData)).to.not.match(/at .*\.ts/);
    } finally {
      c.close();
    }
  });

  it('random bytes always get a valid envelope or an empty body, and never crash the server', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 }), fc.array(fc.json({ maxDepth: 2 }), { maxLength: 5 }).map((a) => JSON.stringify(a))), async (body) => {
        const r = await request(url, { body });
        expect([200, 204]).to.include(r.status);
        if (r.status === 204) return;
        const j = JSON.parse(r.body);
        for (const x of Array.isArray(j) ? j : [j]) {
          expect(x.jsonrpc).to.equal('2.0');
          expect('result' in x || 'error' in x).to.equal(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('WebSocket: calls, newHeads and events subscriptions', async () => {
    const c = new RpcClient(url);
    const heads: number[] = [];
    const events: string[] = [];
    const unsubHeads = await c.subscribe('newHeads', (h) => heads.push(h.height));
    const unsubEvents = await c.subscribe('events', { address: LUX_ADDRESS, name: 'Transfer' }, (e) => events.push(e.args.to));
    const a = devSigner(0, 'secp256k1');
    const to = devSigner(5).address;
    const tx = signTx({ chainId: node.chainId, nonce: 0n, from: a.address, to: LUX_ADDRESS, method: 'transfer', args: luxModule.methods.transfer!.args.encode({ to, amount: 3n }) as never, gasLimit: 200_000n, gasPrice: 1_000_000_000n }, a);
    const sent = await c.sendTransaction(tx.raw, { wait: true });
    expect(sent.receipt!.status).to.equal(1);
    for (let i = 0; i < 50 && (heads.length === 0 || events.length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    expect(heads).to.include(sent.receipt!.height);
    expect(events).to.deep.equal([to]);
    await unsubHeads();
    await unsubEvents();
    c.close();
  });
});

/**
 * Issue 12, "any web page can drive the devnet": WebSocket upgrades and HTTP requests with a foreign
 * `Origin`, and DNS-rebinding requests with a foreign `Host`, are refused by default and accepted
 * when configured; `dev.*` is off with `dev: false` and on any non-loopback bind.
 */
import { expect } from 'chai';
import { Node, RpcServer, startNode, checkOrigin, checkHost, isLoopbackName } from '../../sdk/chain.js';
import { rawRequest, rpcCall } from '../helpers/jsonrpc.js';
import { openWs, wsCall } from '../helpers/ws.js';

const HEAD = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain.Head' });

describe('browser safety: Origin and Host (issue 12)', function () {
  this.timeout(60_000);
  let node: Node;
  let strict: RpcServer;
  let open: RpcServer;
  let url: string;
  let port: number;
  let openUrl: string;

  before(async () => {
    node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    strict = new RpcServer(node, { port: 0 });
    ({ url, port } = await strict.listen());
    open = new RpcServer(node, { port: 0, allowOrigins: ['http://evil.example'], allowHosts: ['evil.example'] });
    openUrl = (await open.listen()).url;
  });
  after(async () => {
    await strict.close();
    await open.close();
    await node.stop();
  });

  it('a WebSocket upgrade from Origin http://evil.example is refused (403, OriginNotAllowed); loopback pages and non-browser clients connect', async () => {
    const refused = await openWs(url.replace('http', 'ws'), { origin: 'http://evil.example' });
    expect(refused.ok).to.equal(false);
    if (refused.ok) return;
    expect(refused.status).to.equal(403);
    const body = JSON.parse(refused.body);
    expect(body.error.data.name).to.equal('OriginNotAllowed');
    expect(body.error.message).to.match(/--allow-origin http:\/\/evil\.example/);
    for (const origin of [undefined, 'http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:5173', 'https://app.localhost']) {
      const ok = await openWs(url.replace('http', 'ws'), { origin });
      expect(ok.ok, String(origin)).to.equal(true);
      if (ok.ok) {
        expect((await wsCall(ok.ws, 'chain.ChainId')).result).to.equal(1337);
        ok.ws.close();
      }
    }
  });

  it('the same upgrade is accepted when the origin is allowed (allowOrigins / --allow-origin)', async () => {
    const ok = await openWs(openUrl.replace('http', 'ws'), { origin: 'http://evil.example' });
    expect(ok.ok).to.equal(true);
    if (ok.ok) {
      expect((await wsCall(ok.ws, 'chain.ChainId')).result).to.equal(1337);
      ok.ws.close();
    }
    const other = await openWs(openUrl.replace('http', 'ws'), { origin: 'http://other.example' });
    expect(other.ok).to.equal(false);
  });

  it('HTTP with a foreign Origin is refused; an allowed origin gets CORS headers and a preflight answer', async () => {
    const r = await rawRequest(url, { body: HEAD, headers: { origin: 'http://evil.example' } });
    expect(r.status).to.equal(403);
    expect(JSON.parse(r.body).error.data.name).to.equal('OriginNotAllowed');
    expect(r.headers['access-control-allow-origin']).to.equal(undefined);
    const pre = await rawRequest(url, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).to.equal(403);

    const ok = await rawRequest(openUrl, { body: HEAD, headers: { origin: 'http://evil.example' } });
    expect(ok.status).to.equal(200);
    expect(ok.headers['access-control-allow-origin']).to.equal('http://evil.example');
    expect(JSON.parse(ok.body).result.height).to.be.a('number');
    const preflight = await rawRequest(openUrl, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' } });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers['access-control-allow-origin']).to.equal('http://evil.example');
    expect(preflight.headers['access-control-allow-headers']).to.match(/content-type/);
    expect(preflight.headers['access-control-allow-private-network']).to.equal('true');
    // A loopback page (another port) is cross-origin too, and is answered with CORS headers.
    const local = await rawRequest(url, { body: HEAD, headers: { origin: 'http://localhost:3000' } });
    expect(local.status).to.equal(200);
    expect(local.headers['access-control-allow-origin']).to.equal('http://localhost:3000');
  });

  it('a request with Host: evil.example (DNS rebinding) is refused, over HTTP and WebSocket; accepted when the host is allowed', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, 'evil.example.', 'localhost.evil.example']) {
      const r = await rawRequest(url, { body: HEAD, headers: { host } });
      expect(r.status, host).to.equal(403);
      expect(JSON.parse(r.body).error.data.name, host).to.equal('HostNotAllowed');
    }
    // Even with a loopback Origin the Host decides (a rebinding page's own origin is its name).
    expect((await rawRequest(url, { body: HEAD, headers: { host: 'evil.example', origin: 'http://localhost' } })).status).to.equal(403);
    const ws = await openWs(url.replace('http', 'ws'), { headers: { host: `evil.example:${port}` } });
    expect(ws.ok).to.equal(false);
    if (!ws.ok) expect(JSON.parse(ws.body).error.data.name).to.equal('HostNotAllowed');
    // Loopback names and IP literals pass.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`, 'LOCALHOST.', `10.1.2.3:${port}`]) {
      expect((await rawRequest(url, { body: HEAD, headers: { host } })).status, host).to.equal(200);
    }
    const allowed = await rawRequest(openUrl, { body: HEAD, headers: { host: 'evil.example' } });
    expect(allowed.status).to.equal(200);
    const allowedWs = await openWs(openUrl.replace('http', 'ws'), { headers: { host: 'evil.example' } });
    expect(allowedWs.ok).to.equal(true);
    if (allowedWs.ok) allowedWs.ws.close();
  });

  it('refused requests change nothing and the chain keeps producing blocks', async () => {
    const before = node.chain.head.height;
    const r = await rawRequest(url, { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'dev.Mine', params: [5] }), headers: { origin: 'http://evil.example' } });
    expect(r.status).to.equal(403);
    const s = await rawRequest(url, { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'dev.SetBalance', params: ['0x77d3291ab8db63a6d280a543a588a4d350eb0beb', '1'] }), headers: { host: 'evil.example' } });
    expect(s.status).to.equal(403);
    expect(node.chain.head.height).to.equal(before);
    expect((await rpcCall(url, 'dev.Mine', [1])).result.head.height).to.equal(Number(before) + 1);
  });

  it('the policy functions: null and malformed origins are refused, * allows any', () => {
    const none = { allowOrigins: [], allowHosts: [] };
    expect(checkOrigin('null', none)?.name).to.equal('OriginNotAllowed');
    expect(checkOrigin('not a url', none)?.name).to.equal('OriginNotAllowed');
    expect(checkOrigin('file://', none)?.name).to.equal('OriginNotAllowed');
    expect(checkOrigin('chrome-extension://abc', none)?.name).to.equal('OriginNotAllowed');
    expect(checkOrigin('http://127.1.2.3:9', none)).to.equal(undefined);
    expect(checkOrigin('HTTP://EVIL.EXAMPLE:80', { allowOrigins: ['http://evil.example'], allowHosts: [] })).to.equal(undefined);
    expect(checkOrigin('http://anything.example', { allowOrigins: ['*'], allowHosts: [] })).to.equal(undefined);
    expect(checkOrigin('chrome-extension://abcdef', { allowOrigins: ['chrome-extension://abcdef'], allowHosts: [] })).to.equal(undefined);
    expect(checkHost('anything.example', { allowOrigins: [], allowHosts: ['*'] })).to.equal(undefined);
    expect(checkHost(undefined, none)).to.equal(undefined);
    expect(isLoopbackName('127.0.0.1')).to.equal(true);
    expect(isLoopbackName('128.0.0.1')).to.equal(false);
    expect(isLoopbackName('localhost.evil.example')).to.equal(false);
  });
});

describe('dev.* on and off (issue 12)', function () {
  this.timeout(60_000);
  let node: Node;
  before(async () => (node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } })));
  after(() => node.stop());

  it('dev: false (--no-dev) answers dev.* with -32004 DevMethodsDisabled; chain.* still works', async () => {
    const server = new RpcServer(node, { port: 0, dev: false });
    const { url } = await server.listen();
    try {
      for (const [method, params] of [['dev.Mine', []], ['dev.Accounts', []], ['dev.SetBalance', ['0x77d3291ab8db63a6d280a543a588a4d350eb0beb', '1']]] as const) {
        const r = await rpcCall(url, method, params);
        expect(r.error?.code, method).to.equal(-32004);
        expect(r.error?.data?.name, method).to.equal('DevMethodsDisabled');
        expect(r.error?.message).to.match(/--no-dev/);
      }
      expect((await rpcCall(url, 'chain.ChainId')).result).to.equal(1337);
    } finally {
      await server.close();
    }
  });

  it('a non-loopback bind never serves dev.*, even when asked to', async () => {
    const server = new RpcServer(node, { port: 0, host: '0.0.0.0', dev: true });
    const { port } = await server.listen();
    try {
      const r = await rpcCall(`http://127.0.0.1:${port}`, 'dev.Accounts');
      expect(r.error?.code).to.equal(-32004);
      expect(r.error?.data?.name).to.equal('DevMethodsDisabled');
      expect(r.error?.message).to.match(/0\.0\.0\.0, not on a loopback address/);
      expect(server.devOff).to.be.a('string');
    } finally {
      await server.close();
    }
  });
});

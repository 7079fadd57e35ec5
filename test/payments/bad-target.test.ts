/**
 * A request target that `new URL` cannot parse (`//x:99999/…`, an absolute URL with a bad port) is
 * answered 400; before, it threw inside the server's request or upgrade listener and took the
 * process down.
 */
import net from 'node:net';
import { expect } from 'chai';
import { startStack, type Stack } from './harness.js';

/** Sends raw HTTP/1.1 text and resolves with the status line of the answer. */
function rawStatus(url: string, text: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) {
        resolve(got.slice(0, got.indexOf('\r\n')));
        s.destroy();
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
  });
}

describe('payments and RPC servers: request targets that do not parse', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => (stack = await startStack()));
  after(async () => stack.stop());

  it('a paid HTTP route answers 400 BadRequest and keeps serving', async () => {
    const status = await rawStatus(stack.url, 'GET //x:99999/v1/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(status).to.match(/^HTTP\/1\.1 400 /);
    const again = await fetch(`${stack.url}/v1/infer`, { method: 'POST', body: '{}' });
    expect(again.status).to.equal(402); // alive: an unpaid request gets its challenge
  });

  it('a WebSocket upgrade answers 400 and the server keeps serving', async () => {
    const status = await rawStatus(stack.url, 'GET http://x:99999/v1/infer/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    expect(status).to.match(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${stack.url}/v1/infer`, { method: 'POST', body: '{}' })).status).to.equal(402);
  });

  it('the node’s binary batch path reads its query without throwing, and the node keeps serving', async () => {
    const status = await rawStatus(stack.rpcUrl, 'POST //x:99999/?wait=true HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 1\r\nConnection: close\r\n\r\n\x00');
    expect(status).to.match(/^HTTP\/1\.1 \d{3} /);
    expect(await stack.rpc.call('chain.ChainId')).to.be.a('number');
  });
});

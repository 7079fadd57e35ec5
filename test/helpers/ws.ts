/** WebSocket helpers for tests: open (or see the refusal of) an upgrade, and wait for close codes. */
import WebSocket from 'ws';

export type Upgrade = { ok: true; ws: WebSocket } | { ok: false; status: number; body: string };

/** Opens a WebSocket; resolves with it, or with the HTTP status and body of a refused upgrade. */
export function openWs(url: string, opts: { origin?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin: opts.origin, headers: opts.headers, localAddress: opts.localAddress });
    ws.once('open', () => resolve({ ok: true, ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (e) => reject(e));
  });
}

/** Resolves with the close code and reason once `ws` closes. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: -1, reason: 'already closed' });
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** One JSON-RPC call over an open WebSocket (ids are unique per socket). */
let nextId = 1;
export function wsCall(ws: WebSocket, method: string, params?: unknown): Promise<any> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString());
      if (msg.id !== id) return;
      ws.off('message', onMessage);
      resolve(msg);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (e) => e && reject(e));
  });
}

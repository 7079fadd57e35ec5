/**
 * Raw JSON-RPC over HTTP for tests that look at codes, names and HTTP statuses (the SDK client turns
 * those into exceptions): one call, or any body with any headers.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends `body` (POST by default) with `headers`; resolves with status, headers and body. */
export function rawRequest(url: string, opts: { method?: string; body?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(url, { method: opts.method ?? 'POST', headers, agent: false, localAddress: opts.localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface Envelope {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: any;
  error?: { code: number; message: string; data?: { name?: string; [k: string]: unknown } };
}

/** One JSON-RPC call; the parsed envelope (result or error), never thrown. */
export async function rpcCall(url: string, method: string, params?: unknown, headers?: Record<string, string>): Promise<Envelope> {
  const r = await rawRequest(url, { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) }), headers });
  try {
    return JSON.parse(r.body) as Envelope;
  } catch {
    throw new Error(`${method}: HTTP ${r.status} with a body that is not JSON: ${r.body.slice(0, 200)}`);
  }
}

/** The result of a call that must succeed. */
export async function rpcResult<T = any>(url: string, method: string, params?: unknown): Promise<T> {
  const e = await rpcCall(url, method, params);
  if (e.error) throw new Error(`${method} failed: ${e.error.code} ${e.error.data?.name ?? ''} ${e.error.message}`);
  return e.result as T;
}

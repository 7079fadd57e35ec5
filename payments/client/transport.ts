/**
 * HTTP for the client on `node:http(s)`: keep-alive, header limits large enough for ML-DSA-65
 * credentials and snapshots (128 KiB), and streamed bodies for SSE.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { problem } from '../wire/index.js';

export const MAX_RESPONSE_HEADER_BYTES = 128 * 1024;

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingMessage['headers'];
  header(name: string): string | undefined;
  /** The whole body (not for streams). */
  text(): Promise<string>;
  /** The live response, for streams. */
  stream: IncomingMessage;
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) };

export function httpRequest(url: string | URL, r: HttpRequest = {}): Promise<HttpResponse> {
  const u = typeof url === 'string' ? new URL(url) : url;
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    const req = lib.request(
      u,
      {
        method: r.method ?? (body ? 'POST' : 'GET'),
        agent: u.protocol === 'https:' ? agents.https : agents.http,
        maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
        headers: { ...(body ? { 'Content-Length': String(body.length) } : { 'Content-Length': '0' }), ...r.headers },
        signal: r.signal,
      },
      (res) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          },
          text: () =>
            new Promise((ok, bad) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
              res.on('error', bad);
            }),
          stream: res,
        }),
    );
    req.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      reject(code === 'ECONNREFUSED' ? problem('UnexpectedResponse', `cannot reach ${u.origin}; is the paid service running?`) : e);
    });
    req.end(body);
  });
}

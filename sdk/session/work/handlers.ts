/**
 * Oracle handlers: how a committee worker performs the I/O a request asks for. A handler gets the
 * request (kind and opaque input bytes) and returns what goes into the oracle record.
 *
 *  - `echoHandler`: deterministic; the body is the input. For tests and demos: every honest worker
 *    produces the same body.
 *  - `httpHandler`: the input is JSON `{ "method": "GET" | "POST", "url": "...", "headers"?: {...},
 *    "body"?: "..." }`; the body is the response body, streamed and cut at `maxBodyBytes` (the rest
 *    is never read: the connection is dropped), the result code the HTTP status. Only hosts in `allowHosts` are contacted unless `allowAnyHost` is set: a worker
 *    must not become an open proxy into its own network.
 */
import { fromUtf8, NamedError, utf8 } from '../../../chain/index.js';
import type { StepKindName } from '../../../vm/session/index.js';

export interface OracleTask {
  requestId: Uint8Array;
  sessionId: Uint8Array;
  stepIndex: number;
  kind: StepKindName;
  input: Uint8Array;
}

export interface OracleResult {
  /** What was contacted, e.g. "GET https://api.example/x" (no length limit in the leaf; ≤ 256 bytes on chain). */
  endpoint: string;
  body: Uint8Array;
  /** HTTP status, or 0 when the I/O itself failed. */
  resultCode: number;
  /** An external reference (ETag, request id), ≤ 256 bytes. */
  externalRef?: string;
}

export type OracleHandler = (task: OracleTask) => Promise<OracleResult>;

export function echoHandler(): OracleHandler {
  return async (task) => ({ endpoint: `echo:${task.kind}`, body: task.input, resultCode: 200, externalRef: '' });
}

export interface HttpHandlerOptions {
  /** Host names (or host:port) the worker may contact. */
  allowHosts?: string[];
  allowAnyHost?: boolean;
  timeoutMs?: number;
  /** Bodies longer than this are cut (the chain's maxBodyBytes; default 16384). */
  maxBodyBytes?: number;
}

interface HttpRequestSpec {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

function parseSpec(input: Uint8Array): HttpRequestSpec {
  let spec: unknown;
  try {
    spec = JSON.parse(fromUtf8(input));
  } catch {
    throw new NamedError('InvalidOracleInput', 'the request input is not JSON {"method","url",...}');
  }
  const s = spec as Partial<HttpRequestSpec>;
  if (s === null || typeof s !== 'object' || (s.method !== 'GET' && s.method !== 'POST') || typeof s.url !== 'string') {
    throw new NamedError('InvalidOracleInput', 'the request input needs "method" ("GET" or "POST") and "url"');
  }
  if (s.headers !== undefined && (typeof s.headers !== 'object' || s.headers === null || Object.values(s.headers).some((v) => typeof v !== 'string'))) {
    throw new NamedError('InvalidOracleInput', '"headers" must map names to strings');
  }
  if (s.body !== undefined && typeof s.body !== 'string') throw new NamedError('InvalidOracleInput', '"body" must be a string');
  return s as HttpRequestSpec;
}

/** Reads at most `max` bytes of a response body, then cancels the stream (the server may send forever). */
export async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const out = new Uint8Array(max);
  let n = 0;
  try {
    while (n < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, max - n);
      out.set(value.subarray(0, take), n);
      n += take;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out.slice(0, n);
}

export function httpHandler(opts: HttpHandlerOptions = {}): OracleHandler {
  const allow = new Set((opts.allowHosts ?? []).map((h) => h.toLowerCase()));
  const maxBody = opts.maxBodyBytes ?? 16_384;
  return async (task) => {
    let spec: HttpRequestSpec;
    let url: URL;
    try {
      spec = parseSpec(task.input);
      url = new URL(spec.url);
    } catch (e) {
      return { endpoint: 'invalid', body: utf8((e as Error).message), resultCode: 0, externalRef: '' };
    }
    const endpoint = `${spec.method} ${url.href}`.slice(0, 256);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { endpoint, body: utf8('only http and https URLs are fetched'), resultCode: 0 };
    if (!opts.allowAnyHost && !allow.has(url.hostname.toLowerCase()) && !allow.has(url.host.toLowerCase())) {
      return { endpoint, body: utf8(`host ${url.host} is not in this worker's allow list`), resultCode: 0 };
    }
    try {
      const res = await fetch(url, {
        method: spec.method,
        headers: spec.headers,
        body: spec.method === 'POST' ? (spec.body ?? '') : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const body = await readCapped(res, maxBody);
      return { endpoint, body, resultCode: res.status, externalRef: (res.headers.get('etag') ?? '').slice(0, 256) };
    } catch (e) {
      return { endpoint, body: utf8(`request failed: ${(e as Error).message}`.slice(0, maxBody)), resultCode: 0, externalRef: '' };
    }
  };
}

/**
 * JSON-RPC over HTTP (`POST /`, alias `/rpc`) and WebSocket on the same port (SPEC §5), hardened
 * per spec/reliability.md §4:
 *  - body ≤ 5 MiB, enforced while streaming (Content-Length or chunked) → 413;
 *  - POST only (405), `Content-Type: application/json` (415), unknown paths 404, `GET /health`;
 *  - batch ≤ 1000 calls, response ≤ 25 MB (-32003);
 *  - headersTimeout 10 s, requestTimeout 30 s, keepAliveTimeout 5 s, at most 1024 connections;
 *  - per-IP token bucket → HTTP 429 with a -32005 envelope;
 *  - WebSocket: same methods plus `subscribe` / `unsubscribe` for `newHeads` and `events`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { toHex } from '../bytes.js';
import { NamedError, RpcCode } from '../errors.js';
import { t } from '../codec.js';
import type { Node } from '../node.js';
import type { CommittedBlock } from '../chain.js';
import { blockHash } from '../block.js';
import { errorResponse, handleBody, InvalidParams, type CallContext, type Dispatcher, type EnvelopeLimits, type MethodHandler } from './jsonrpc.js';
import { buildMethods, parseParams, type MethodDef } from './methods.js';
import { RateLimiter } from './ratelimit.js';
import { failPoint } from '../failpoints.js';
import { eventJson, headerJson } from './views.js';

export interface RpcServerOptions {
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  maxBatch?: number;
  maxResponseBytes?: number;
  /** Requests per second per IP (0 disables); burst is twice that. */
  rateLimit?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxConnections?: number;
  /** Longest a method may run before the call is answered -32002 (the work itself is not undone). */
  methodTimeoutMs?: number;
  /**
   * Serves GET / HEAD requests other than `/health` and WebSocket upgrades (the devnet mounts its
   * web explorer here); returns true when it answered. JSON-RPC stays on POST.
   */
  httpGet?: (path: string, req: IncomingMessage, res: ServerResponse) => boolean;
  /** Called after every JSON-RPC call with its method, transport and duration (the devnet's log). */
  onCall?: (call: RpcCallRecord) => void;
}

export interface RpcCallRecord {
  method: string;
  transport: 'http' | 'ws';
  ms: number;
  /** The error name when the call failed. */
  error?: string;
}

export const RPC_DEFAULTS = {
  port: 9651,
  host: '127.0.0.1',
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatch: 1000,
  maxResponseBytes: 25_000_000,
  rateLimit: 20_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
  methodTimeoutMs: 60_000,
};

interface Subscription {
  kind: 'newHeads' | 'events';
  filter?: { address?: string; name?: string };
}

const MAX_SUBSCRIPTIONS_PER_SOCKET = 100;

/** Answers -32002 if `work` is still running after `ms`. */
async function withDeadline<T>(work: Promise<T> | T, ms: number, method: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NamedError('Timeout', `${method} did not finish within ${ms} ms${method === 'chain.SendTransaction' ? '; the transaction may still be mined: poll chain.GetReceipt' : ''}`, { rpcCode: RpcCode.Timeout })),
      ms,
    );
  });
  try {
    return await Promise.race([Promise.resolve(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
const MAX_WS_BUFFERED = 16 * 1024 * 1024;

export class RpcServer {
  readonly http: Server;
  readonly ws: WebSocketServer;
  readonly #methods: Map<string, MethodDef>;
  readonly #limits: EnvelopeLimits;
  readonly #opts: typeof RPC_DEFAULTS;
  readonly #httpGet: RpcServerOptions['httpGet'];
  readonly #onCall: RpcServerOptions['onCall'];
  readonly #rate: RateLimiter;
  readonly #subs = new Map<WebSocket, Map<string, Subscription>>();
  readonly #unsubscribeChain: () => void;
  #nextSub = 1;

  constructor(
    readonly node: Node,
    opts: RpcServerOptions = {},
  ) {
    const { httpGet, onCall, ...limits } = opts;
    this.#opts = { ...RPC_DEFAULTS, ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) };
    this.#httpGet = httpGet;
    this.#onCall = onCall;
    this.#methods = buildMethods(node);
    this.#limits = { maxBatch: this.#opts.maxBatch, maxResponseBytes: this.#opts.maxResponseBytes };
    this.#rate = new RateLimiter(this.#opts.rateLimit, this.#opts.rateLimit * 2);
    // Node enforces the two timeouts only every connectionsCheckingInterval (30 s by default).
    const checkEvery = Math.max(100, Math.min(1_000, Math.floor(this.#opts.headersTimeoutMs / 2)));
    this.http = createServer({ headersTimeout: this.#opts.headersTimeoutMs, requestTimeout: this.#opts.requestTimeoutMs, keepAliveTimeout: 5_000, connectionsCheckingInterval: checkEvery }, (req, res) => {
      this.#onHttp(req, res).catch((e) => {
        console.error('[rpc] request handling failed:', e);
        if (!res.headersSent) this.#send(res, 500, JSON.stringify(errorResponse(null, RpcCode.InternalError, 'internal error')));
      });
    });
    this.http.maxConnections = this.#opts.maxConnections;
    this.ws = new WebSocketServer({ server: this.http, maxPayload: this.#opts.maxBodyBytes });
    this.ws.on('connection', (socket, req) => this.#onSocket(socket, req));
    // The WebSocket server re-emits the HTTP server's errors; listen() reports those (EADDRINUSE …).
    this.ws.on('error', () => {});
    this.#unsubscribeChain = node.chain.onBlock((b) => this.#publish(b));
  }

  async listen(): Promise<{ url: string; wsUrl: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.http.once('error', onError);
      this.http.listen(this.#opts.port, this.#opts.host, () => {
        this.http.off('error', onError);
        resolve();
      });
    });
    const port = (this.http.address() as AddressInfo).port;
    const host = this.#opts.host.includes(':') ? `[${this.#opts.host}]` : this.#opts.host;
    return { url: `http://${host}:${port}`, wsUrl: `ws://${host}:${port}`, port };
  }

  async close(): Promise<void> {
    this.#unsubscribeChain();
    for (const c of this.ws.clients) c.terminate();
    await new Promise<void>((r) => this.ws.close(() => r()));
    this.http.closeAllConnections?.();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  // ---- dispatch -----------------------------------------------------------------------------

  readonly dispatcher: Dispatcher = {
    lookup: (method: string, ctx: CallContext): MethodHandler | undefined => {
      if (ctx.transport === 'ws' && (method === 'subscribe' || method === 'unsubscribe')) return undefined; // handled per socket
      const def = this.#methods.get(method);
      if (!def) return undefined;
      if (def.wsOnly && ctx.transport !== 'ws') return undefined;
      const run = async (params: unknown) => {
        if (def.producerOnly && !this.node.producer) {
          throw new NamedError('MethodNotSupported', `${method} is not available on a node that does not produce blocks`, { rpcCode: RpcCode.MethodNotSupported });
        }
        return withDeadline(def.handler(parseParams(def, params), ctx), this.#opts.methodTimeoutMs, method);
      };
      const onCall = this.#onCall;
      if (!onCall) return run;
      return async (params) => {
        const start = performance.now();
        try {
          const result = await run(params);
          onCall({ method, transport: ctx.transport, ms: performance.now() - start });
          return result;
        } catch (e) {
          onCall({ method, transport: ctx.transport, ms: performance.now() - start, error: e instanceof NamedError ? e.name : 'InternalError' });
          throw e;
        }
      };
    },
  };

  #ip(req: IncomingMessage): string {
    return req.socket.remoteAddress ?? 'unknown';
  }

  #send(res: ServerResponse, status: number, body: string | null, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    if (body === null) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  }

  async #onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      const h = this.node.chain.headHeader;
      this.#send(res, 200, JSON.stringify({ ok: true, chainId: Number(this.node.chainId), height: Number(h.height) }));
      return;
    }
    const upgrade = req.headers.upgrade !== undefined;
    if ((req.method === 'GET' || req.method === 'HEAD') && !upgrade && this.#httpGet) {
      if (!this.#rate.take(this.#ip(req))) {
        this.#send(res, 429, JSON.stringify(errorResponse(null, RpcCode.LimitExceeded, 'rate limit exceeded; slow down')), { 'Retry-After': '1' });
        return;
      }
      if (this.#httpGet(path!, req, res)) return;
    }
    if (path !== '/' && path !== '/rpc') {
      this.#send(res, 404, JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, `not found: POST JSON-RPC to / or /rpc`)));
      return;
    }
    if (req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket') return; // ws handles it
    if (req.method !== 'POST') {
      this.#send(res, 405, JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, 'method not allowed: use POST')), { Allow: 'POST' });
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      this.#send(res, 415, JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, 'unsupported media type: send Content-Type: application/json')));
      req.resume();
      return;
    }
    if (!this.#rate.take(this.#ip(req))) {
      this.#send(res, 429, JSON.stringify(errorResponse(null, RpcCode.LimitExceeded, 'rate limit exceeded; slow down')), { 'Retry-After': '1' });
      req.resume();
      return;
    }
    const limit = this.#opts.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      this.#tooLarge(req, res, limit);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    await new Promise<void>((resolve) => {
      req.on('data', (c: Buffer) => {
        if (aborted) return;
        size += c.length;
        if (size > limit) {
          aborted = true;
          this.#tooLarge(req, res, limit);
          resolve();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve());
      req.on('error', () => {
        aborted = true;
        resolve();
      });
      req.on('aborted', () => {
        aborted = true;
        resolve();
      });
    });
    if (aborted) return;
    const body = Buffer.concat(chunks).toString('utf8');
    const out = await handleBody(body, this.dispatcher, { transport: 'http', ip: this.#ip(req) }, this.#limits);
    failPoint('before-response');
    if (out === null) this.#send(res, 204, null);
    else this.#send(res, 200, out);
  }

  #tooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
    this.#send(res, 413, JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, `request body too large (limit ${limit} bytes)`)), { Connection: 'close' });
    req.unpipe();
    req.resume();
    res.on('finish', () => req.socket.destroySoon?.());
  }

  // ---- WebSocket ----------------------------------------------------------------------------

  #onSocket(socket: WebSocket, req: IncomingMessage): void {
    const ip = this.#ip(req);
    const subs = new Map<string, Subscription>();
    this.#subs.set(socket, subs);
    socket.on('close', () => this.#subs.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.on('message', async (data, isBinary) => {
      if (!this.#rate.take(ip)) {
        this.#wsSend(socket, JSON.stringify(errorResponse(null, RpcCode.LimitExceeded, 'rate limit exceeded; slow down')));
        return;
      }
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      const dispatcher: Dispatcher = {
        lookup: (method, ctx) => {
          if (method === 'subscribe') return async (p) => this.#subscribe(subs, p);
          if (method === 'unsubscribe') return async (p) => this.#unsubscribe(subs, p);
          return this.dispatcher.lookup(method, ctx);
        },
      };
      try {
        const out = await handleBody(text, dispatcher, { transport: 'ws', ip }, this.#limits);
        if (out !== null) this.#wsSend(socket, out);
      } catch (e) {
        console.error('[rpc] ws message failed:', e);
      }
    });
  }

  #wsSend(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_WS_BUFFERED) {
      socket.close(1008, 'client too slow');
      return;
    }
    socket.send(text);
  }

  #subscribe(subs: Map<string, Subscription>, params: unknown): string {
    const p = t
      .struct({ kind: t.string(16), filter: t.optional(t.struct({ address: t.optional(t.address), name: t.optional(t.string(128)) })) })
      .fromJson(params ?? [], 'params');
    if (p.kind !== 'newHeads' && p.kind !== 'events') throw new InvalidParams('invalid params: subscribe to "newHeads" or "events"');
    if (subs.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) throw new InvalidParams(`invalid params: at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`);
    const id = '0x' + (this.#nextSub++).toString(16);
    subs.set(id, { kind: p.kind, filter: p.filter ? { address: p.filter.address ?? undefined, name: p.filter.name ?? undefined } : undefined });
    return id;
  }

  #unsubscribe(subs: Map<string, Subscription>, params: unknown): boolean {
    const { id } = t.struct({ id: t.string(32) }).fromJson(params ?? [], 'params');
    return subs.delete(id);
  }

  #publish(b: CommittedBlock): void {
    if (this.#subs.size === 0) return;
    const registry = this.node.chain.registry;
    const head = headerJson(b.block.header);
    const events = b.receipts.flatMap((r, i) => r.events.map((e) => ({ e, txHash: toHex(r.txHash), txIndex: i as number | null }))).concat(b.systemEvents.map((e) => ({ e, txHash: null as unknown as string, txIndex: null })));
    const hash = toHex(blockHash(b.block.header));
    for (const [socket, subs] of this.#subs) {
      for (const [id, sub] of subs) {
        if (sub.kind === 'newHeads') {
          this.#wsSend(socket, JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { subscription: id, result: head } }));
          continue;
        }
        for (const { e, txHash, txIndex } of events) {
          if (sub.filter?.address && sub.filter.address !== e.address) continue;
          if (sub.filter?.name && sub.filter.name !== e.name) continue;
          const result = { ...eventJson(e, registry), height: head.height, blockHash: hash, txHash, txIndex };
          this.#wsSend(socket, JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { subscription: id, result } }));
        }
      }
    }
  }
}


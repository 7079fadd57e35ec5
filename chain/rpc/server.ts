/**
 * JSON-RPC over HTTP (`POST /`, alias `/rpc`) and WebSocket on the same port (SPEC §5), hardened
 * per spec/reliability.md §4:
 *  - body ≤ 5 MiB, enforced while streaming (Content-Length or chunked) → 413;
 *  - POST only (405), `Content-Type: application/json` or `application/octet-stream` (a transaction batch, txbatch.ts) (415), unknown paths 404, `GET /health`;
 *  - batch ≤ 1000 calls, response ≤ 25 MB (-32003);
 *  - headersTimeout 10 s, requestTimeout 30 s, keepAliveTimeout 5 s, at most 1024 connections;
 *  - per-IP token bucket → HTTP 429 with a -32005 envelope;
 *  - WebSocket: same methods plus `subscribe` / `unsubscribe` for `newHeads` and `events`;
 *  - browser safety (origin.ts): loopback `Origin` and `Host` only unless allowed; `dev.*` only on a
 *    loopback bind and without `dev: false`;
 *  - connection limits (limits.ts): per-IP caps, WebSockets kept below the total so HTTP always has
 *    room, idle WebSockets closed, slow consumers dropped.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { toHex } from '../bytes.js';
import { NamedError, RpcCode } from '../errors.js';
import { t } from '../codec.js';
import type { Node } from '../node.js';
import type { CommittedBlock } from '../chain.js';
import { blockHash } from '../block.js';
import { errorResponse, handleBody, InvalidParams, toRpcError, type CallContext, type Dispatcher, type EnvelopeLimits, type MethodHandler } from './jsonrpc.js';
import { decodeTxBatch, decodeWsTxBatch, isWsTxBatch, TX_BATCH_CONTENT_TYPE } from './txbatch.js';
import { sendBatch, type BatchEntry } from './send.js';
import { buildMethods, parseParams, type MethodDef } from './methods.js';
import { RateLimiter } from './ratelimit.js';
import { failPoint } from '../failpoints.js';
import { eventJson, headerJson } from './views.js';
import { checkHost, checkOrigin, corsHeaders, isLoopbackName, preflightHeaders, type BrowserPolicy, type Refusal } from './origin.js';
import { watchFullCollections } from './memory.js';
import { requestTarget } from './target.js';
import { CONNECTION_DEFAULTS, Counter, WsClose, wsAdmission, wsBufferShare, type ConnectionLimits } from './limits.js';

export interface RpcServerOptions extends Partial<ConnectionLimits> {
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  maxBatch?: number;
  maxResponseBytes?: number;
  /** Requests per second per IP (0 disables); burst is twice that. */
  rateLimit?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Serve `dev.*` (default true); always off when `host` is not a loopback address. */
  dev?: boolean;
  /** Origins besides loopback ones that browsers may call from (`*`: any). */
  allowOrigins?: string[];
  /** `Host` names besides loopback names and IP literals (`*`: any); `host` itself is added. */
  allowHosts?: string[];
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
  methodTimeoutMs: 60_000,
  ...CONNECTION_DEFAULTS,
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
  readonly #browser: BrowserPolicy;
  /** Why `dev.*` is off, or undefined when it is served. */
  readonly devOff: string | undefined;
  readonly #sockets = new Counter();
  readonly #wsSockets = new Counter();
  #nextSub = 1;

  constructor(
    readonly node: Node,
    opts: RpcServerOptions = {},
  ) {
    this.#opts = { ...RPC_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k in RPC_DEFAULTS)) };
    this.#httpGet = opts.httpGet;
    this.#onCall = opts.onCall;
    const host = this.#opts.host;
    this.#browser = { allowOrigins: opts.allowOrigins ?? [], allowHosts: [...(opts.allowHosts ?? []), ...(isLoopbackName(host) ? [] : [host])] };
    this.devOff = opts.dev === false ? 'dev.* methods are off on this node (started with --no-dev)' : isLoopbackName(host) ? undefined : `dev.* methods are off: the node listens on ${host}, not on a loopback address`;
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
    this.http.on('connection', (socket: Socket) => this.#onConnection(socket));
    this.ws = new WebSocketServer({ noServer: true, maxPayload: this.#opts.maxBodyBytes });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
    this.ws.on('connection', (socket, req) => this.#onSocket(socket, req));
    // The WebSocket server re-emits the HTTP server's errors; listen() reports those (EADDRINUSE …).
    this.ws.on('error', () => {});
    this.#unsubscribeChain = node.chain.onBlock((b) => this.#publish(b));
    watchFullCollections();
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
      const devOff = def.dev ? this.devOff : undefined;
      const run = async (params: unknown) => {
        if (devOff) throw new NamedError('DevMethodsDisabled', devOff, { rpcCode: RpcCode.MethodNotSupported });
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

  /** A request a browser policy refuses (Host first: a rebinding request carries no foreign Origin). */
  #browserRefusal(req: IncomingMessage): Refusal | undefined {
    return checkHost(req.headers.host, this.#browser) ?? checkOrigin(req.headers.origin, this.#browser);
  }

  /** Per-IP socket cap: a socket over it is closed before it is read. */
  #onConnection(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    if (this.#sockets.get(ip) >= this.#opts.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    this.#sockets.add(ip);
    socket.once('close', () => this.#sockets.remove(ip));
  }

  async #onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = this.#browserRefusal(req);
    if (refusal) {
      req.resume();
      this.#send(res, 403, JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, refusal.message, { name: refusal.name })));
      return;
    }
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS' && origin !== undefined) {
      this.#send(res, 204, null, preflightHeaders(origin, req.headers));
      return;
    }
    for (const [k, v] of Object.entries(corsHeaders(origin))) res.setHeader(k, v);
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
    const txBatch = type === TX_BATCH_CONTENT_TYPE;
    if (type !== 'application/json' && !txBatch) {
      this.#send(res, 415, JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, `unsupported media type: send Content-Type: application/json (JSON-RPC) or ${TX_BATCH_CONTENT_TYPE} (a transaction batch)`)));
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
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const out = txBatch ? await this.#txBatch(bytes, requestTarget(req.url)?.searchParams.get('wait') === 'true') : await handleBody(bytes.toString('utf8'), this.dispatcher, { transport: 'http', ip: this.#ip(req) }, this.#limits);
    failPoint('before-response');
    if (out === null) this.#send(res, 204, null);
    else this.#send(res, 200, out);
  }

  /** A binary transaction batch (txbatch.ts): one JSON entry per transaction, or an error envelope. */
  async #txBatch(bytes: Uint8Array, wait: boolean): Promise<string> {
    let raws: Uint8Array[];
    try {
      raws = decodeTxBatch(bytes);
    } catch (e) {
      const err = toRpcError(e);
      return JSON.stringify(errorResponse(null, err.code, err.message, err.data));
    }
    return JSON.stringify(await this.#submitBatch(raws, wait, 'http'));
  }

  /** Each transaction of a binary batch is a chain.SendTransaction call to `onCall` (the log). */
  #submitBatch(raws: readonly Uint8Array[], wait: boolean, transport: RpcCallRecord['transport']): Promise<BatchEntry[]> {
    const onCall = this.#onCall;
    const method = 'chain.SendTransaction';
    return sendBatch(this.node, raws, wait, (p) => {
      const guarded = withDeadline(p, this.#opts.methodTimeoutMs, method);
      if (!onCall) return guarded;
      const start = performance.now();
      return guarded.then(
        (result) => (onCall({ method, transport, ms: performance.now() - start }), result),
        (e: unknown) => {
          onCall({ method, transport, ms: performance.now() - start, error: e instanceof NamedError ? e.name : 'InternalError' });
          throw e;
        },
      );
    });
  }

  #tooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
    this.#send(res, 413, JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, `request body too large (limit ${limit} bytes)`)), { Connection: 'close' });
    req.unpipe();
    req.resume();
    res.on('finish', () => req.socket.destroySoon?.());
  }

  // ---- WebSocket ----------------------------------------------------------------------------

  /** Browser policy and WebSocket caps, checked before the handshake; a refusal is plain HTTP. */
  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') return refuseUpgrade(socket, 400, 'only WebSocket upgrades are served', 'InvalidRequest');
    const refusal = this.#browserRefusal(req);
    if (refusal) return refuseUpgrade(socket, 403, refusal.message, refusal.name);
    const full = wsAdmission(this.#opts, this.#wsSockets, this.#ip(req));
    if (full) return refuseUpgrade(socket, full.status, full.message, 'LimitExceeded');
    this.ws.handleUpgrade(req, socket, head, (ws) => this.ws.emit('connection', ws, req));
  }

  #onSocket(socket: WebSocket, req: IncomingMessage): void {
    const ip = this.#ip(req);
    const subs = new Map<string, Subscription>();
    this.#subs.set(socket, subs);
    this.#wsSockets.add(ip);
    // Idle: no message for wsIdleTimeoutMs and nothing subscribed.
    const idleMs = this.#opts.wsIdleTimeoutMs;
    const idle: NodeJS.Timeout = setTimeout(() => {
      if (subs.size > 0) idle.refresh();
      else socket.close(WsClose.GoingAway, `idle for ${idleMs} ms`);
    }, idleMs);
    idle.unref();
    socket.on('close', () => {
      clearTimeout(idle);
      this.#subs.delete(socket);
      this.#wsSockets.remove(ip);
    });
    socket.on('error', () => socket.terminate());
    socket.on('message', async (data, isBinary) => {
      idle.refresh();
      if (!this.#rate.take(ip)) {
        this.#wsSend(socket, JSON.stringify(errorResponse(null, RpcCode.LimitExceeded, 'rate limit exceeded; slow down')));
        return;
      }
      if (isBinary && isWsTxBatch(data as Buffer)) {
        this.#wsTxBatch(socket, data as Buffer).catch((e) => console.error('[rpc] ws batch failed:', e));
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

  async #wsTxBatch(socket: WebSocket, frame: Uint8Array): Promise<void> {
    let batch;
    try {
      batch = decodeWsTxBatch(frame);
    } catch (e) {
      const err = toRpcError(e);
      this.#wsSend(socket, JSON.stringify(errorResponse(null, err.code, err.message, err.data)));
      return;
    }
    this.#wsSend(socket, JSON.stringify({ jsonrpc: '2.0', id: batch.id, result: await this.#submitBatch(batch.raws, batch.wait, 'ws') }));
  }

  #wsSend(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    const share = wsBufferShare(this.#opts, this.#wsSockets.total);
    if (socket.bufferedAmount > share) {
      // A consumer that does not read: stop queuing, say why, and cut it off if it never reads that.
      this.#subs.delete(socket);
      socket.close(WsClose.PolicyViolation, `slow consumer: over ${share} bytes unsent`);
      const cut = setTimeout(() => socket.terminate(), this.#opts.wsCloseGraceMs);
      cut.unref();
      socket.once('close', () => clearTimeout(cut));
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
    const headText = JSON.stringify(head);
    const hash = toHex(blockHash(b.block.header));
    // Each result is rendered once per block, not once per subscription.
    let events: { address: string; name: string; text: string }[] | undefined;
    const renderEvents = () =>
      (events ??= b.receipts
        .flatMap((r, i) => r.events.map((e) => ({ e, txHash: toHex(r.txHash) as string | null, txIndex: i as number | null })))
        .concat(b.systemEvents.map((e) => ({ e, txHash: null, txIndex: null })))
        .map(({ e, txHash, txIndex }) => ({ address: e.address, name: e.name, text: JSON.stringify({ ...eventJson(e, registry), height: head.height, blockHash: hash, txHash, txIndex }) })));
    const notification = (id: string, result: string) => `{"jsonrpc":"2.0","method":"subscription","params":{"subscription":${JSON.stringify(id)},"result":${result}}}`;
    for (const [socket, subs] of this.#subs) {
      for (const [id, sub] of subs) {
        if (sub.kind === 'newHeads') {
          this.#wsSend(socket, notification(id, headText));
          continue;
        }
        for (const e of renderEvents()) {
          if (sub.filter?.address && sub.filter.address !== e.address) continue;
          if (sub.filter?.name && sub.filter.name !== e.name) continue;
          this.#wsSend(socket, notification(id, e.text));
        }
      }
    }
  }
}

/** Answers a refused upgrade with a plain HTTP response carrying a JSON-RPC error, then closes. */
function refuseUpgrade(socket: Duplex, status: number, message: string, name: string): void {
  const body = JSON.stringify(errorResponse(null, status === 403 || status === 400 ? RpcCode.InvalidRequest : RpcCode.LimitExceeded, message, { name }));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  socket.once('finish', () => socket.destroy());
}

/**
 * A typed JSON-RPC client for sessionchain nodes (part of the SDK). HTTP with keep-alive for calls;
 * a WebSocket, opened on first use, for subscriptions.
 *
 *   const client = new RpcClient('http://127.0.0.1:9651');
 *   const { hash } = await client.sendTransaction(tx.raw);
 *   const receipt = await client.waitForReceipt(hash);
 */
import http from 'node:http';
import https from 'node:https';
import WebSocket from 'ws';
import { toHex, NamedError, encodeTxBatch, MAX_TX_BATCH, TX_BATCH_CONTENT_TYPE } from '../chain/index.js';

export interface RpcErrorData {
  name?: string;
  [k: string]: unknown;
}

/** An error answered by the node (`code`, message and `data.name` as sent). */
export class RpcError extends NamedError {
  constructor(
    readonly code: number,
    message: string,
    readonly rpcData?: RpcErrorData,
  ) {
    super(rpcData?.name ?? 'RpcError', message, { rpcCode: code, data: rpcData });
  }
}

/** The node could not be reached or answered something that is not JSON-RPC. */
export class TransportError extends NamedError {
  constructor(message: string) {
    super('TransportError', message);
  }
}

/**
 * A subscription ended without `unsubscribe`: its WebSocket closed (the node stopped or restarted,
 * or dropped this client as a slow reader: code 1008). `code` is the WebSocket close code (1006:
 * the connection was cut without one). Subscribe again to resume; blocks mined meanwhile are not
 * replayed.
 */
export class SubscriptionEnded extends NamedError {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super('SubscriptionEnded', `the subscription's WebSocket closed (code ${code}${reason ? `: ${reason}` : ''}); subscribe again to resume`);
  }
}

export interface SubscriptionOptions {
  /** Called once if the subscription ends other than by its unsubscribe function. */
  onEnd?: (why: SubscriptionEnded) => void;
}

export interface ReceiptJson {
  txHash: string;
  status: 0 | 1;
  gasUsed: string;
  error: string | null;
  errorMessage: string | null;
  returnData: string;
  result: unknown;
  events: { address: string; name: string; topics: string[]; data: string; args: Record<string, unknown> | null }[];
  height?: number;
  index?: number;
  blockHash?: string;
}

export interface HeaderJson {
  height: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  producer: string;
  txRoot: string;
  receiptsRoot: string;
  stateRoot: string;
  extraRoots: Record<string, string>;
  gasUsed: string;
  txCount: number;
}

export interface RpcClientOptions {
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
}

interface Listener {
  onResult: (result: any) => void;
  onEnd?: (why: SubscriptionEnded) => void;
}

interface PendingSend {
  raw: Uint8Array;
  resolve: (r: { hash: string; receipt?: ReceiptJson } | RpcError) => void;
  reject: (e: Error) => void;
}

/** Internal: the request went out on a reused keep-alive socket that was already closing. */
class StaleSocket extends Error {}

export class RpcClient {
  readonly url: URL;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;
  /** Whether the node takes binary transaction batches (unknown until the first send). */
  #binary: boolean | undefined;
  readonly #toSend: Record<'wait' | 'noWait', PendingSend[]> = { wait: [], noWait: [] };
  #flushScheduled = false;
  #nextId = 1;
  #ws: WebSocket | undefined;
  #wsReady: Promise<WebSocket> | undefined;
  readonly #wsPending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Map<string, Listener>();

  constructor(url: string, opts: RpcClientOptions = {}) {
    try {
      this.url = new URL(url);
    } catch {
      throw new TransportError(`not a URL: ${url} (expected e.g. http://127.0.0.1:9651)`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new TransportError(`use an http(s):// URL, got ${url}`);
    this.#agent = new (this.url.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 64 });
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** Calls a method; params may be a positional array or a by-name object. */
  async call<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
    const id = this.#nextId++;
    const text = await this.#post(JSON.stringify({ jsonrpc: '2.0', id, method, params }, jsonReplacer));
    const res = this.#json(text) as { result?: T; error?: { code: number; message: string; data?: RpcErrorData } };
    if (res.error) throw new RpcError(res.error.code, res.error.message, res.error.data);
    return res.result as T;
  }

  /** Sends several calls in one batch; results in order (errors as RpcError values). */
  async batch(calls: { method: string; params?: unknown }[]): Promise<(unknown | RpcError)[]> {
    const base = this.#nextId;
    this.#nextId += calls.length;
    const body = JSON.stringify(
      calls.map((c, i) => ({ jsonrpc: '2.0', id: base + i, method: c.method, params: c.params ?? [] })),
      jsonReplacer,
    );
    const text = await this.#post(body);
    const arr = JSON.parse(text) as { id: number; result?: unknown; error?: { code: number; message: string; data?: RpcErrorData } }[];
    if (!Array.isArray(arr)) {
      const e = arr as { error?: { code: number; message: string; data?: RpcErrorData } };
      throw new RpcError(e.error?.code ?? -32603, e.error?.message ?? 'batch failed', e.error?.data);
    }
    const byId = new Map(arr.map((r) => [r.id, r]));
    return calls.map((_, i) => {
      const r = byId.get(base + i);
      if (!r) return new RpcError(-32603, 'missing batch response');
      return r.error ? new RpcError(r.error.code, r.error.message, r.error.data) : r.result;
    });
  }

  async #post(body: string): Promise<string> {
    return (await this.#request(body, 'application/json')).text;
  }

  async #request(body: string | Uint8Array, contentType: string, query = ''): Promise<{ status: number; text: string }> {
    try {
      return await this.#attempt(body, contentType, query);
    } catch (e) {
      // A kept-alive socket the node closed as idle just as this request went out on it: the
      // request never reached the node (no response began), so it is sent once more on a new socket.
      if (e instanceof StaleSocket) return this.#attempt(body, contentType, query, false);
      throw e;
    }
  }

  #attempt(body: string | Uint8Array, contentType: string, query: string, mayRetry = true): Promise<{ status: number; text: string }> {
    const lib = this.url.protocol === 'https:' ? https : http;
    const url = query ? new URL(query, this.url) : this.url;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        { method: 'POST', agent: this.#agent, headers: { 'Content-Type': contentType, 'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length }, timeout: this.#timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status === 204) resolve({ status, text: 'null' });
            else if (status >= 400 && !text.startsWith('{') && !text.startsWith('[')) reject(new TransportError(`HTTP ${status} from ${this.url.href}`));
            else resolve({ status, text });
          });
          res.on('error', (e) => reject(new TransportError(e.message)));
        },
      );
      req.on('timeout', () => req.destroy(new TransportError(`no answer from ${this.url.href} within ${this.#timeoutMs} ms`)));
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', (e) => {
        const code = (e as NodeJS.ErrnoException).code;
        if (mayRetry && !answered && req.reusedSocket && code === 'ECONNRESET') return reject(new StaleSocket());
        reject(e instanceof TransportError ? e : new TransportError(code === 'ECONNREFUSED' ? `cannot reach a node at ${this.url.href}; start one with \`sessionchain devnet\` or pass --rpc URL` : e.message));
      });
      req.end(body);
    });
  }

  // ---- conveniences -------------------------------------------------------------------------

  chainId(): Promise<number> {
    return this.call('chain.ChainId');
  }

  head(): Promise<HeaderJson> {
    return this.call('chain.Head');
  }

  /**
   * Submits a signed transaction. With `wait`, resolves with the receipt once committed. Bytes go
   * as a binary batch of one (half the size of hex, no JSON to parse) to a node that takes them,
   * else through chain.SendTransaction.
   */
  async sendTransaction(raw: Uint8Array | string, opts: { wait?: boolean } = {}): Promise<{ hash: string; receipt?: ReceiptJson }> {
    if (typeof raw !== 'string' && this.#binary !== false) {
      const one = await this.#coalesce(raw, opts.wait === true);
      if (one instanceof RpcError) throw one;
      return one;
    }
    const hex = typeof raw === 'string' ? raw : toHex(raw);
    if (opts.wait) {
      const receipt = await this.call<ReceiptJson>('chain.SendTransaction', { raw: hex, wait: true });
      return { hash: receipt.txHash, receipt };
    }
    return this.call<{ hash: string }>('chain.SendTransaction', { raw: hex });
  }

  /**
   * Submits several signed transactions in one request (the binary path; JSON-RPC batch to a node
   * without it). Results in order: `{ hash, receipt? }` or the RpcError that transaction met.
   */
  async sendTransactions(raws: readonly Uint8Array[], opts: { wait?: boolean } = {}): Promise<({ hash: string; receipt?: ReceiptJson } | RpcError)[]> {
    const wait = opts.wait === true;
    const asResult = (r: unknown): { hash: string; receipt?: ReceiptJson } => (wait ? { hash: (r as ReceiptJson).txHash, receipt: r as ReceiptJson } : (r as { hash: string }));
    if (this.#binary !== false) {
      const { status, text } = await this.#request(encodeTxBatch(raws), TX_BATCH_CONTENT_TYPE, wait ? '?wait=true' : '');
      if (status !== 415) {
        this.#binary = true;
        const parsed = this.#json(text) as unknown[] | { error?: { code: number; message: string; data?: RpcErrorData } };
        if (!Array.isArray(parsed)) throw new RpcError(parsed.error?.code ?? -32603, parsed.error?.message ?? 'batch refused', parsed.error?.data);
        return parsed.map((e) => {
          const entry = e as { result?: unknown; error?: { code: number; message: string; data?: RpcErrorData } };
          return entry.error ? new RpcError(entry.error.code, entry.error.message, entry.error.data) : asResult(entry.result);
        });
      }
      this.#binary = false; // an older node: JSON from now on
    }
    const out = await this.batch(raws.map((raw) => ({ method: 'chain.SendTransaction', params: wait ? { raw: toHex(raw), wait: true } : { raw: toHex(raw) } })));
    return out.map((r) => (r instanceof RpcError ? r : asResult(r)));
  }

  /**
   * Sends made in the same tick travel as one batch (a caller firing many transactions at once
   * pays for one request, not one each).
   */
  #coalesce(raw: Uint8Array, wait: boolean): Promise<{ hash: string; receipt?: ReceiptJson } | RpcError> {
    return new Promise((resolve, reject) => {
      const queue = wait ? this.#toSend.wait : this.#toSend.noWait;
      queue.push({ raw, resolve, reject });
      if (this.#flushScheduled) return;
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        for (const w of [false, true]) {
          const all = w ? this.#toSend.wait.splice(0) : this.#toSend.noWait.splice(0);
          for (let i = 0; i < all.length; i += MAX_TX_BATCH) {
            const part = all.slice(i, i + MAX_TX_BATCH);
            this.sendTransactions(
              part.map((p) => p.raw),
              { wait: w },
            ).then(
              (results) => part.forEach((p, k) => p.resolve(results[k]!)),
              (e: Error) => part.forEach((p) => p.reject(e)),
            );
          }
        }
      });
    });
  }

  #json(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new TransportError(`${this.url.href} answered something that is not JSON: ${text.slice(0, 80)}`);
    }
  }

  getReceipt(hash: string | Uint8Array): Promise<ReceiptJson | null> {
    return this.call('chain.GetReceipt', { hash: typeof hash === 'string' ? hash : toHex(hash) });
  }

  /** Polls until the transaction is committed (default: up to 2 minutes). */
  async waitForReceipt(hash: string | Uint8Array, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<ReceiptJson> {
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    const h = typeof hash === 'string' ? hash : toHex(hash);
    for (;;) {
      const r = await this.getReceipt(h);
      if (r) return r;
      if (Date.now() > deadline) throw new NamedError('Timeout', `transaction ${h} was not committed in time; check chain.GetTransaction (is the node mining?)`);
      await new Promise((res) => setTimeout(res, opts.pollMs ?? 100));
    }
  }

  /** Read-only query (or method simulation) of a module. */
  async query<T = unknown>(to: string, method: string, args: unknown = {}): Promise<T> {
    const r = await this.call<{ result: T }>('chain.Call', { to, method, args });
    return r.result;
  }

  async getAccount(address: string): Promise<{ address: string; balance: string; nonce: string; pendingNonce: string; publicKey: string | null; scheme: string | null }> {
    return this.call('chain.GetAccount', { address });
  }

  // ---- subscriptions ------------------------------------------------------------------------

  #socket(): Promise<WebSocket> {
    if (this.#wsReady) return this.#wsReady;
    const wsUrl = new URL(this.url.href);
    wsUrl.protocol = this.url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#wsReady = new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.on('open', () => {
        this.#ws = ws;
        resolve(ws);
      });
      ws.on('error', (e) => reject(new TransportError(`WebSocket ${wsUrl.href}: ${e.message}`)));
      ws.on('close', (code, reason) => {
        this.#ws = undefined;
        this.#wsReady = undefined;
        for (const p of this.#wsPending.values()) p.reject(new TransportError('WebSocket closed'));
        this.#wsPending.clear();
        const ended = [...this.#listeners.values()];
        this.#listeners.clear(); // the node forgot them with the socket
        for (const l of ended) l.onEnd?.(new SubscriptionEnded(code, reason.toString()));
      });
      ws.on('message', (data) => {
        let msg: any;
        try {
          msg = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (msg.method === 'subscription') {
          this.#listeners.get(msg.params?.subscription)?.onResult(msg.params?.result);
          return;
        }
        const p = this.#wsPending.get(msg.id);
        if (!p) return;
        this.#wsPending.delete(msg.id);
        if (msg.error) p.reject(new RpcError(msg.error.code, msg.error.message, msg.error.data));
        else p.resolve(msg.result);
      });
    });
    return this.#wsReady;
  }

  async #wsCall<T>(method: string, params: unknown): Promise<T> {
    const ws = await this.#socket();
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#wsPending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /**
   * Subscribes to new block headers or events; returns an unsubscribe function. `opts.onEnd` hears
   * of a subscription that ends otherwise (its WebSocket closed).
   */
  async subscribe(kind: 'newHeads', cb: (h: HeaderJson) => void, opts?: SubscriptionOptions): Promise<() => Promise<void>>;
  async subscribe(kind: 'events', filter: { address?: string; name?: string }, cb: (e: any) => void, opts?: SubscriptionOptions): Promise<() => Promise<void>>;
  async subscribe(kind: 'newHeads' | 'events', a: any, b?: any, c?: any): Promise<() => Promise<void>> {
    const headsOnly = typeof a === 'function';
    const onResult: (result: any) => void = headsOnly ? a : b;
    const filter = headsOnly ? undefined : a;
    const opts: SubscriptionOptions = (headsOnly ? b : c) ?? {};
    const id = await this.#wsCall<string>('subscribe', filter ? { kind, filter } : { kind });
    this.#listeners.set(id, { onResult, onEnd: opts.onEnd });
    return async () => {
      this.#listeners.delete(id);
      if (this.#ws) await this.#wsCall('unsubscribe', { id }).catch(() => {});
    };
  }

  close(): void {
    this.#ws?.close();
    this.#agent.destroy();
  }
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return toHex(v);
  return v;
}


/**
 * Paid WebSockets (spec tip1034.md §8). The client gets a challenge from the route's HTTP URL, opens
 * the socket and sends `{"mpp":"authorization"}` frames; each is verified exactly like a management
 * POST carrying only that Authorization header. Every `{"mpp":"message"}` the client sends is one
 * unit: reserved (one `payment-need-voucher` when short, then a wait), computed, charged, answered.
 * Close: `payment-close-request` → `payment-close-ready` with the final spent → the client's close
 * voucher as an authorization frame → on-chain close → receipt with txHash → close code 1000.
 *
 * Limits: more than 32 queued payment frames → 429 and close 1008; a refused authorization before
 * any channel → close 1008; a failed unit → 500 and close 1011; a malformed frame → close 3008.
 */
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { requestTarget } from '../../chain/index.js';
import type { Hex32 } from '../../precompiles/index.js';
import { parseChannelId, parseCredentialHeader, parseWsFrame, problem, WS_CLOSE, WS_MAX_QUEUED_PAYMENT_FRAMES, wsFrame, type WsFrame } from '../wire/index.js';
import type { PaymentServer } from './payment-server.js';
import { asProblem } from './respond.js';
import { MAX_CREDENTIAL_BYTES } from './http.js';
import { reserveOrWait } from './sse.js';

export type WsUnitHandler = (data: string) => Promise<string> | string;

export interface PaidWsOptions {
  needVoucherTimeoutMs?: number;
}

class Connection {
  #channel: Hex32 | undefined;
  #challengeId = '';
  #paymentFrames = 0;
  #payments: Promise<void> = Promise.resolve();
  #units: Promise<void> = Promise.resolve();
  #closing = false;
  readonly #abort = new AbortController();

  constructor(
    readonly ws: WebSocket,
    readonly server: PaymentServer,
    readonly handler: WsUnitHandler,
    readonly o: PaidWsOptions,
  ) {
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? '' : data.toString()));
    ws.on('close', () => this.#abort.abort());
    ws.on('error', () => this.#abort.abort());
  }

  #send(f: WsFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(wsFrame(f));
  }

  #error(status: number, name: string, message: string, close?: number): void {
    this.#send({ mpp: 'payment-error', status, name, message });
    if (close !== undefined) this.ws.close(close, name.slice(0, 100));
  }

  #onMessage(raw: string): void {
    const f = parseWsFrame(raw);
    if (!f) return this.#error(400, 'MalformedFrame', 'expected a JSON frame {"mpp": …}', WS_CLOSE.protocol);
    switch (f.mpp) {
      case 'authorization':
        if (++this.#paymentFrames > WS_MAX_QUEUED_PAYMENT_FRAMES) return this.#error(429, 'TooManyPaymentFrames', `more than ${WS_MAX_QUEUED_PAYMENT_FRAMES} payment frames are waiting`, WS_CLOSE.policy);
        this.#payments = this.#payments.then(() => this.#authorize(f.authorization)).finally(() => this.#paymentFrames--);
        return;
      case 'message':
        if (!this.#channel) return this.#error(402, 'PaymentRequired', 'send an authorization frame before messages', WS_CLOSE.policy);
        if (this.#closing) return this.#error(409, 'CloseInProgress', 'the session is closing');
        this.#units = this.#units.then(() => this.#unit(f.data));
        return;
      case 'payment-close-request':
        this.#closing = true;
        this.#units = this.#units.then(() => this.#closeReady());
        return;
      default:
        return this.#error(400, 'UnexpectedFrame', `a client does not send ${f.mpp} frames`, WS_CLOSE.protocol);
    }
  }

  async #authorize(authorization: string): Promise<void> {
    try {
      if (authorization.length > MAX_CREDENTIAL_BYTES) throw problem('HeaderTooLarge', `the authorization has ${authorization.length} bytes; at most ${MAX_CREDENTIAL_BYTES} are taken`);
      const credential = parseCredentialHeader(authorization);
      // Before anything is processed (an open broadcast, a voucher stored): one channel per connection.
      if (this.#channel && parseChannelId(credential.payload.channelId, 'payload.channelId') !== this.#channel) {
        return this.#error(409, 'ChannelMismatch', 'this connection pays with another channel', WS_CLOSE.policy);
      }
      const v = await this.server.process(credential);
      this.#channel = v.record.channelId;
      this.#challengeId = v.challenge.id;
      const receipt = this.server.receipt(v.challenge.id, v.record, v.txHash ? { txHash: v.txHash } : {});
      this.#send({ mpp: 'payment-receipt', data: receipt });
      if (v.action === 'close') this.ws.close(WS_CLOSE.normal, 'closed');
    } catch (e) {
      const p = asProblem(e);
      this.#error(p.status, p.name, p.message, this.#channel ? undefined : WS_CLOSE.policy);
    }
  }

  async #unit(data: string): Promise<void> {
    const id = this.#channel!;
    const price = this.server.terms.price;
    try {
      const paid = await reserveOrWait(
        this.server,
        id,
        price,
        (required, accepted, deposit) => this.#send({ mpp: 'payment-need-voucher', data: { channelId: id, requiredCumulative: required.toString(), acceptedCumulative: accepted.toString(), deposit: deposit.toString() } }),
        this.o.needVoucherTimeoutMs ?? 60_000,
        this.#abort.signal,
      );
      if (!paid) {
        if (!this.#abort.signal.aborted) this.#error(402, 'InsufficientBalance', 'no voucher arrived for the next unit', WS_CLOSE.policy);
        return;
      }
      let out: string;
      try {
        out = await this.handler(data);
      } catch (e) {
        this.server.release(id, price);
        const p = asProblem(e);
        // Bad input is the client's: say so and carry on; anything else ends the stream.
        if (p.status === 400) return this.#error(400, p.name, p.message);
        throw e;
      }
      this.#send({ mpp: 'message', data: out });
      await this.server.commit(id, price);
    } catch (e) {
      const p = asProblem(e);
      this.#error(p.status === 402 || p.status === 410 ? p.status : 500, p.name, p.message, p.status === 410 ? WS_CLOSE.policy : WS_CLOSE.internal);
    }
  }

  async #closeReady(): Promise<void> {
    const r = this.#channel ? await this.server.store.get(this.#channel) : undefined;
    if (!r) return this.#error(402, 'PaymentRequired', 'no channel on this connection', WS_CLOSE.policy);
    this.#send({ mpp: 'payment-close-ready', data: this.server.receipt(this.#challengeId, r) });
  }
}

/** Serves paid WebSockets on `path` of an HTTP server (other upgrade paths are left alone). */
export function attachPaidWebSocket(http: Server, path: string, server: PaymentServer, handler: WsUnitHandler, o: PaidWsOptions = {}): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const target = requestTarget(req.url);
    if (target === undefined) return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); // no route can take it
    if (target.pathname !== path) return;
    wss.handleUpgrade(req, socket, head, (ws) => new Connection(ws, server, handler, o));
  });
  return wss;
}

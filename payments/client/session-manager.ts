/**
 * The paying client (spec tip1034.md §7–§8): `fetch`, `sse`, `ws`, `topUp`, `close`.
 *
 *   const pay = new SessionManager({ signer, rpc: 'http://127.0.0.1:9651', maxDeposit: 1_000_000n });
 *   const { body } = await pay.fetch('http://127.0.0.1:8402/v1/infer', { body: '{"input":"0x…"}' });
 *   await pay.close('http://127.0.0.1:8402/v1/infer');
 *
 * Planning per challenge: a local open channel → voucher; none, but the server's snapshot shows one
 * of ours → recover it; else open one (deposit sized from the challenge, capped by `maxDeposit`).
 * A 402 retry signs max(local, required) once and rolls back if the retry fails; a 410 drops the
 * dead channel and opens a new one; receipts are checked and never raise the signing boundary;
 * and the price guard refuses any `requiredCumulative` above delivered value + one unit.
 */
import WebSocket from 'ws';
import { NamedError, ZERO_ADDRESS, type Signer } from '../../chain/index.js';
import { ESCROW_ADDRESS, VoucherVerifier, type Hex32 } from '../../sdk/precompiles/index.js';
import { RpcClient } from '../../sdk/index.js';
import {
  decodeSnapshotHeader,
  isPaymentErrorName,
  parseChallenge,
  parseReceipt,
  parseReceiptHeader,
  parseSessionRequest,
  parseWsFrame,
  plainReceipt,
  PAYMENT_METHOD,
  PaymentProblem,
  problem,
  SESSION_INTENT,
  serializeCredential,
  signProof,
  sourceDid,
  sseDecoder,
  wsFrame,
  type Challenge,
  type NeedVoucher,
  type SessionReceipt,
  type SessionRequest,
  type SessionSnapshot,
  type SseEvent,
  type WsFrame,
} from '../wire/index.js';
import { channelKey, MemoryClientStore, type ClientChannel, type ClientChannelStore } from './channel-store.js';
import { credential, voucherPayload, withOpen, withTopUp } from './credentials.js';
import { checkReceipt, guardRequired, openingDeposit, topUpAmount } from './policy.js';
import { httpRequest, type HttpResponse } from './transport.js';

export interface SessionManagerOptions {
  /** The payer: it signs the open/topUp transactions and the vouchers. */
  signer: Signer;
  /** The chain's JSON-RPC (nonces, chain id, channel state). */
  rpc: RpcClient | string;
  store?: ClientChannelStore;
  /** Never lock more than this in one channel. */
  maxDeposit?: bigint;
  /** The opening deposit (default: the challenge's suggestedDeposit, at least one unit). */
  deposit?: bigint;
  topUpAmount?: bigint;
  /** Accept a challenge naming an escrow other than the canonical precompile (default false). */
  allowCustomEscrow?: boolean;
}

export interface PaidResponse {
  status: number;
  body: string;
  receipt: SessionReceipt;
  channelId: Hex32;
}

export interface StreamResult {
  messages: string[];
  receipt: SessionReceipt | undefined;
  channelId: Hex32;
}

const HINT = 'Payment-Session';

/** What a 402/410 said: its problem name, and the fresh challenge. */
interface Refusal {
  status: number;
  name: string;
  detail: string;
  challenge: Challenge | undefined;
}

async function refusalOf(res: HttpResponse): Promise<Refusal> {
  const text = await res.text();
  let name = 'UnexpectedResponse';
  let detail = text.slice(0, 200);
  try {
    const p = JSON.parse(text) as { name?: string; detail?: string };
    if (typeof p.name === 'string') name = p.name;
    if (typeof p.detail === 'string') detail = p.detail;
  } catch {
    /* not problem+json */
  }
  const www = res.header('www-authenticate');
  let challenge: Challenge | undefined;
  try {
    challenge = www ? parseChallenge(www) : undefined;
  } catch {
    challenge = undefined;
  }
  return { status: res.status, name, detail, challenge };
}

function refusalError(r: Refusal): PaymentProblem | NamedError {
  return isPaymentErrorName(r.name) ? problem(r.name, `the server refused (${r.status}): ${r.detail}`) : new NamedError(r.name, `the server refused (${r.status}): ${r.detail}`);
}

export class SessionManager {
  readonly signer: Signer;
  readonly rpc: RpcClient;
  readonly store: ClientChannelStore;
  readonly #o: SessionManagerOptions;
  readonly #challenges = new Map<string, Challenge>();
  readonly #locks = new Map<string, Promise<unknown>>();
  #chainId: number | undefined;

  constructor(o: SessionManagerOptions) {
    this.#o = o;
    this.signer = o.signer;
    this.rpc = typeof o.rpc === 'string' ? new RpcClient(o.rpc) : o.rpc;
    this.store = o.store ?? new MemoryClientStore();
  }

  async chainId(): Promise<number> {
    return (this.#chainId ??= await this.rpc.chainId());
  }

  // ---- challenges and planning -------------------------------------------------------------------

  /** The channel this client holds for a service (by its challenge terms), if any. */
  channelFor(terms: SessionRequest): ClientChannel | undefined {
    const e = this.store.get(channelKey(terms.recipient, terms.currency, terms.escrowContract, terms.chainId));
    return e && !e.closed ? e : undefined;
  }

  /** A fresh challenge from the URL: a bodyless POST without credential answers 402. */
  async probe(url: string, hint?: Hex32): Promise<Challenge> {
    const res = await httpRequest(url, { method: 'POST', headers: hint ? { [HINT]: hint } : {} });
    const r = await refusalOf(res);
    if (res.status !== 402 || !r.challenge) throw problem('UnexpectedResponse', `expected 402 with a Payment challenge from ${url}, got ${res.status}`);
    this.#challenges.set(url, r.challenge);
    return r.challenge;
  }

  async #challenge(url: string): Promise<Challenge> {
    const c = this.#challenges.get(url);
    if (c && (!c.expires || Date.parse(c.expires) - Date.now() > 5000)) return c;
    return this.probe(url);
  }

  /** The terms of a session challenge, checked against this client's chain and escrow policy. */
  async terms(c: Challenge): Promise<SessionRequest> {
    if (c.method !== PAYMENT_METHOD || c.intent !== SESSION_INTENT) throw problem('UnsupportedChallenge', `expected a ${PAYMENT_METHOD}/${SESSION_INTENT} challenge, got ${c.method}/${c.intent}`);
    const t = parseSessionRequest(c.request);
    if (t.escrowContract !== ESCROW_ADDRESS && !this.#o.allowCustomEscrow) throw problem('ForeignEscrow', `the challenge names escrow ${t.escrowContract}; only the canonical ${ESCROW_ADDRESS} is accepted (set allowCustomEscrow to trust another)`);
    const chainId = await this.chainId();
    if (t.chainId !== chainId) throw problem('WrongChain', `the service is on chain ${t.chainId}, this client's RPC on ${chainId}`);
    if (t.operator !== undefined && t.operator !== ZERO_ADDRESS) throw problem('WrongOperator', `the service asks for operator ${t.operator}; this client opens channels without an operator`);
    return t;
  }

  #lock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.#locks.set(key, tail);
    return run;
  }

  /**
   * Hydrates a channel from a server snapshot (spec §7 checks): our payer and signer, a voucher we
   * signed for exactly the accepted amount, sane amounts, and live chain state.
   */
  async #recover(t: SessionRequest, s: SessionSnapshot, origin: string): Promise<ClientChannel | undefined> {
    const me = this.signer.address;
    const d = s.descriptor;
    if (d.payer !== me || (d.authorizedSigner !== me && d.authorizedSigner !== ZERO_ADDRESS)) return undefined;
    if (d.payee !== t.recipient || d.token !== t.currency || s.chainId !== t.chainId || s.escrow !== t.escrowContract) return undefined;
    const hv = s.highestVoucher;
    if (!hv || hv.channelId !== s.channelId || hv.cumulativeAmount !== s.acceptedCumulative || s.spent > s.acceptedCumulative || s.settled > s.deposit) return undefined;
    const v = new VoucherVerifier({ chainId: t.chainId, escrow: t.escrowContract }).verify({ descriptor: d, cumulativeAmount: hv.cumulativeAmount, signature: hv.signature, channelId: s.channelId });
    if (!v.ok) return undefined;
    const state = await this.rpc.call<{ deposit: string; closeRequestedAt: number }>('escrow.GetChannelState', { channelId: s.channelId });
    if (BigInt(state.deposit) === 0n || state.closeRequestedAt !== 0 || s.acceptedCumulative > BigInt(state.deposit)) return undefined;
    if (this.#o.maxDeposit !== undefined && s.acceptedCumulative > this.#o.maxDeposit) return undefined;
    const entry: ClientChannel = {
      key: channelKey(t.recipient, t.currency, t.escrowContract, t.chainId),
      origin,
      channelId: s.channelId,
      descriptor: d,
      chainId: t.chainId,
      escrow: t.escrowContract,
      deposit: BigInt(state.deposit),
      cumulative: s.acceptedCumulative,
      signature: hv.signature,
      accepted: s.acceptedCumulative,
      spent: s.spent,
      units: s.units,
      // What we signed before is what we count as received: the guard starts from our own voucher.
      deliveredValue: s.acceptedCumulative,
      deliveredUnits: s.units,
      closed: false,
    };
    this.store.put(entry);
    return entry;
  }

  /**
   * Bootstrap (spec §6): prove this account to the service with its zero-amount challenge and get
   * the snapshot of a live channel of ours there, if it has one (a client that lost its state).
   */
  async #bootstrap(url: string): Promise<SessionSnapshot | undefined> {
    try {
      const head = await httpRequest(url, { method: 'HEAD' });
      const www = head.header('www-authenticate');
      if (head.status !== 402 || !www) return undefined;
      const c = parseChallenge(www);
      if (c.intent !== 'charge') return undefined;
      const proof = serializeCredential({ challenge: c, source: sourceDid(await this.chainId(), this.signer.address), payload: { type: 'proof', signature: signProof(this.signer, c.id) } });
      const res = await httpRequest(url, { method: 'HEAD', headers: { Authorization: proof } });
      const snap = res.header('payment-session-snapshot');
      return res.status === 204 && snap ? decodeSnapshotHeader(snap) : undefined;
    } catch {
      return undefined; // no bootstrap here: open a channel instead
    }
  }

  /** Signs a voucher for `amount` (raising the boundary) and remembers it. */
  #sign(e: ClientChannel, amount: bigint, action: 'voucher' | 'close' = 'voucher') {
    const payload = voucherPayload(this.signer, e.chainId, e.channelId, e.descriptor, amount, action);
    if (action === 'voucher' && amount > e.cumulative) {
      e.cumulative = amount;
      e.signature = (payload as { signature: string }).signature;
      this.store.put(e);
    }
    return payload;
  }

  /** Adds deposit so that `required` is covered (payer's topUp, broadcast by the server). */
  async #ensureDeposit(url: string, c: Challenge, t: SessionRequest, e: ClientChannel, required: bigint): Promise<void> {
    if (required <= e.deposit) return;
    const add = topUpAmount(this.#o, e.deposit, required, t.suggestedDeposit);
    if (add <= 0n) throw problem('DepositLimitExceeded', `covering ${required} needs more deposit than maxDeposit ${this.#o.maxDeposit} allows`);
    await this.#topUpWith(url, c, e, add);
  }

  async #topUpWith(url: string, c: Challenge, e: ClientChannel, add: bigint): Promise<void> {
    await withTopUp(this.rpc, this.signer, e.channelId, e.descriptor, add, async (payload) => {
      let res = await httpRequest(url, { method: 'POST', headers: { Authorization: credential(c, this.signer, e.chainId, payload) } });
      if (res.status === 402) {
        const r = await refusalOf(res);
        if (r.challenge && (r.name === 'PaymentExpired' || r.name === 'InvalidChallenge')) {
          this.#challenges.set(url, r.challenge);
          res = await httpRequest(url, { method: 'POST', headers: { Authorization: credential(r.challenge, this.signer, e.chainId, payload) } });
        } else throw refusalError(r);
      }
      if (res.status !== 204) throw refusalError(await refusalOf(res));
      this.#absorb(e, res.header('payment-receipt'));
    });
    e.deposit += add;
    this.store.put(e);
  }

  /** Checks and records a receipt header (if any). */
  #absorb(e: ClientChannel, header: string | undefined): SessionReceipt | undefined {
    if (!header) return undefined;
    return this.#absorbReceipt(e, parseReceiptHeader(header));
  }

  #absorbReceipt(e: ClientChannel, r: ReturnType<typeof parseReceipt>): SessionReceipt {
    checkReceipt(e, r, this.#o.maxDeposit);
    if (r.accepted > e.accepted) e.accepted = r.accepted;
    if (r.spentAmount > e.spent) e.spent = r.spentAmount;
    if (r.units !== undefined && r.units > e.units) e.units = r.units;
    return plainReceipt(r);
  }

  /** The voucher this client pays the next unit with: max(signed, delivered + one unit). */
  #nextAmount(e: ClientChannel, price: bigint): bigint {
    const want = e.deliveredValue + price;
    return want > e.cumulative ? want : e.cumulative;
  }

  /**
   * Sends `send(authorization)` with a credential for one more unit on this client's channel for
   * the challenge's terms: a voucher on an open channel, else recover, else open. Returns the
   * response and the channel.
   */
  async #pay(url: string, c: Challenge, send: (authorization: string, e: ClientChannel | undefined) => Promise<HttpResponse>): Promise<{ res: HttpResponse; e: ClientChannel }> {
    const t = await this.terms(c);
    const origin = new URL(url).origin;
    let e = this.channelFor(t);
    const snapshot = t.sessionSnapshot ?? (e ? undefined : await this.#bootstrap(url));
    if (!e && snapshot) e = await this.#recover(t, snapshot, origin);
    if (e) {
      const amount = this.#nextAmount(e, t.amount);
      await this.#ensureDeposit(url, c, t, e, amount);
      const res = await send(credential(c, this.signer, e.chainId, this.#sign(e, amount)), e);
      return { res, e };
    }
    const deposit = openingDeposit(this.#o, t.amount, t.suggestedDeposit);
    return withOpen(this.rpc, this.signer, { payee: t.recipient, token: t.currency, deposit, firstVoucher: t.amount }, async (draft) => {
      const opened: ClientChannel = {
        key: channelKey(t.recipient, t.currency, t.escrowContract, t.chainId),
        origin,
        channelId: draft.channelId,
        descriptor: draft.descriptor,
        chainId: t.chainId,
        escrow: t.escrowContract,
        deposit,
        cumulative: t.amount,
        signature: (draft.payload as { signature: string }).signature,
        accepted: 0n,
        spent: 0n,
        units: 0,
        deliveredValue: 0n,
        deliveredUnits: 0,
        closed: false,
      };
      const res = await send(credential(c, this.signer, t.chainId, draft.payload), undefined);
      // Only a 2xx means the server broadcast the open; otherwise the nonce was not used.
      if (res.status >= 300) throw refusalError(await refusalOf(res));
      this.store.put(opened);
      return { res, e: opened };
    });
  }

  /**
   * One paid exchange with the 402 / 410 handling of §7: refresh an expired challenge, sign the
   * server's required cumulative (guarded, topping up if needed) and roll back if that retry fails,
   * or drop a dead channel and open a new one. At most two retries.
   */
  async #exchange(url: string, send: (authorization: string, e: ClientChannel | undefined) => Promise<HttpResponse>): Promise<{ res: HttpResponse; e: ClientChannel }> {
    let c = await this.#challenge(url);
    const terms = await this.terms(c);
    return this.#lock(channelKey(terms.recipient, terms.currency, terms.escrowContract, terms.chainId), async () => {
      let last: Refusal | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        let out: { res: HttpResponse; e: ClientChannel };
        try {
          out = await this.#pay(url, c, send);
        } catch (err) {
          const retryable = ['ChannelNotFound', 'ChannelFinalized', 'PaymentExpired', 'InvalidChallenge'];
          if (err instanceof PaymentProblem && retryable.includes(err.name) && attempt < 2) {
            c = await this.probe(url);
            continue;
          }
          throw err;
        }
        const { res, e } = out;
        if (res.status < 300) return out;
        const r = await refusalOf(res);
        last = r;
        if (r.challenge) {
          c = r.challenge;
          this.#challenges.set(url, c);
        }
        if (r.status === 410) {
          e.closed = true;
          this.store.put(e);
          continue;
        }
        if (r.name === 'PaymentExpired' || r.name === 'InvalidChallenge' || r.name === 'ChallengeMismatch') continue;
        if ((r.name === 'InsufficientBalance' || r.name === 'AmountExceedsDeposit') && r.challenge) {
          const t = await this.terms(r.challenge);
          const snap = t.sessionSnapshot;
          if (!snap || snap.channelId !== e.channelId) throw refusalError(r);
          const required = snap.requiredCumulative;
          guardRequired(e, required, t.amount);
          await this.#ensureDeposit(url, r.challenge, t, e, required);
          const before = { cumulative: e.cumulative, signature: e.signature };
          const amount = required > e.cumulative ? required : e.cumulative;
          const retry = await send(credential(r.challenge, this.signer, e.chainId, this.#sign(e, amount)), e);
          if (retry.status < 300) return { res: retry, e };
          // The server did not take it: the boundary goes back to what was accepted before.
          Object.assign(e, before);
          this.store.put(e);
          throw refusalError(await refusalOf(retry));
        }
        throw refusalError(r);
      }
      throw last ? refusalError(last) : problem('UnexpectedResponse', `no paid answer from ${url}`);
    });
  }

  // ---- HTTP ----------------------------------------------------------------------------------------

  /** A paid request: one unit. `body` makes it a content POST. */
  async fetch(url: string, init: { method?: string; body?: string; headers?: Record<string, string>; idempotencyKey?: string } = {}): Promise<PaidResponse> {
    const key = init.idempotencyKey ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const { res, e } = await this.#exchange(url, (authorization) =>
      httpRequest(url, { method: init.method ?? 'POST', body: init.body, headers: { 'Content-Type': 'application/json', ...init.headers, Authorization: authorization, 'Idempotency-Key': key } }),
    );
    const body = await res.text();
    const receipt = this.#absorb(e, res.header('payment-receipt'));
    if (!receipt) throw problem('InvalidReceipt', `a paid ${res.status} answer came without Payment-Receipt`);
    e.deliveredValue += (await this.terms(this.#challenges.get(url)!)).amount;
    e.deliveredUnits += 1;
    this.store.put(e);
    return { status: res.status, body, receipt, channelId: e.channelId };
  }

  /** Adds `amount` to the deposit of the channel held for this service. */
  async topUp(url: string, amount: bigint): Promise<ClientChannel> {
    const c = await this.probe(url);
    const t = await this.terms(c);
    const e = this.channelFor(t);
    if (!e) throw problem('ChannelNotFound', `this client holds no open channel for ${url}`);
    if (this.#o.maxDeposit !== undefined && e.deposit + amount > this.#o.maxDeposit) throw problem('DepositLimitExceeded', `a deposit of ${e.deposit + amount} would exceed maxDeposit ${this.#o.maxDeposit}`);
    await this.#topUpWith(url, c, e, amount);
    return e;
  }

  /**
   * Closes the channel held for this service over HTTP: signs the server's accepted amount (never
   * above the local boundary), posts it bodyless, retries once on an expired challenge, and checks
   * the receipt (a 32-byte txHash, same channel, accepted = signed, spent ≤ signed).
   */
  async close(url: string): Promise<{ receipt: SessionReceipt; channel: ClientChannel }> {
    let c = await this.probe(url);
    const t0 = await this.terms(c);
    const e = this.channelFor(t0);
    if (!e) throw problem('ChannelNotFound', `this client holds no open channel for ${url}`);
    c = await this.probe(url, e.channelId);
    for (let attempt = 0; attempt < 2; attempt++) {
      const t = await this.terms(c);
      const snap = t.sessionSnapshot && t.sessionSnapshot.channelId === e.channelId ? t.sessionSnapshot : undefined;
      const amount = snap ? snap.acceptedCumulative : e.cumulative;
      if (amount > e.cumulative) throw problem('PriceGuardRefused', `the server says ${amount} was accepted, but this client signed only ${e.cumulative}`);
      if (snap) guardRequired({ cumulative: 0n, deliveredValue: e.deliveredValue }, snap.spent, t.amount);
      const res = await httpRequest(url, { method: 'POST', headers: { Authorization: credential(c, this.signer, e.chainId, this.#sign(e, amount, 'close')) } });
      if (res.status === 204) {
        const header = res.header('payment-receipt');
        if (!header) throw problem('InvalidReceipt', 'the close answer has no Payment-Receipt');
        const r = parseReceiptHeader(header);
        if (!r.txHash || r.challengeId !== c.id || r.channelId !== e.channelId || r.accepted !== amount || r.spentAmount > amount) {
          throw problem('InvalidReceipt', 'the close receipt does not match the close voucher (txHash, challenge, channel, accepted or spent)');
        }
        e.spent = r.spentAmount;
        e.closed = true;
        e.closeTxHash = r.txHash;
        this.store.put(e);
        return { receipt: plainReceipt(r), channel: e };
      }
      const r = await refusalOf(res);
      if (res.status === 402 && r.challenge && attempt === 0) {
        c = r.challenge;
        continue;
      }
      if (res.status === 410) {
        e.closed = true;
        this.store.put(e);
      }
      throw refusalError(r);
    }
    throw problem('UnexpectedResponse', 'the close was not accepted');
  }

  // ---- SSE -----------------------------------------------------------------------------------------

  /**
   * A paid SSE stream (POST `body`): each `message` event is one unit. A `payment-need-voucher`
   * is answered while the stream stays open: guard, top up if the deposit is short, then a bodyless
   * voucher POST to the same URL.
   */
  async sse(url: string, body: string, o: { onMessage?: (data: string) => void; signal?: AbortSignal } = {}): Promise<StreamResult> {
    const { res, e } = await this.#exchange(url, (authorization) => httpRequest(url, { method: 'POST', body, signal: o.signal, headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', Authorization: authorization } }));
    const t = await this.terms(this.#challenges.get(url)!);
    this.#absorb(e, res.header('payment-receipt'));
    const messages: string[] = [];
    let receipt: SessionReceipt | undefined;
    let failure: Error | undefined;
    let pending: Promise<void> = Promise.resolve();
    const decoder = sseDecoder((ev: SseEvent) => {
      switch (ev.type) {
        case 'message':
          e.deliveredValue += t.amount;
          e.deliveredUnits += 1;
          messages.push(ev.data);
          o.onMessage?.(ev.data);
          return;
        case 'payment-need-voucher':
          pending = pending.then(() => this.#answerNeed(url, e, t, ev.data)).catch((err) => {
            failure ??= err as Error;
            res.stream.destroy();
          });
          return;
        case 'payment-receipt':
          receipt = this.#absorbReceipt(e, parseReceipt(ev.data));
          return;
        case 'payment-error':
          failure ??= isPaymentErrorName(ev.data.name) ? problem(ev.data.name, ev.data.message) : new NamedError(ev.data.name, ev.data.message);
      }
    });
    res.stream.setEncoding('utf8');
    await new Promise<void>((resolve) => {
      res.stream.on('data', (chunk: string) => decoder.feed(chunk));
      res.stream.on('end', resolve);
      res.stream.on('close', resolve);
      res.stream.on('error', (err) => {
        failure ??= err;
        resolve();
      });
    });
    await pending;
    this.store.put(e);
    if (failure) throw failure;
    return { messages, receipt, channelId: e.channelId };
  }

  async #answerNeed(url: string, e: ClientChannel, t: SessionRequest, n: NeedVoucher): Promise<void> {
    if (n.channelId !== e.channelId) return;
    const required = BigInt(n.requiredCumulative);
    guardRequired(e, required, t.amount);
    if (this.#o.maxDeposit !== undefined && required > this.#o.maxDeposit) throw problem('DepositLimitExceeded', `the stream needs ${required}, above maxDeposit ${this.#o.maxDeposit}`);
    const deposit = BigInt(n.deposit) > e.deposit ? BigInt(n.deposit) : e.deposit;
    e.deposit = deposit;
    const c = await this.#challenge(url);
    await this.#ensureDeposit(url, c, t, e, required);
    const amount = required > e.cumulative ? required : e.cumulative;
    const post = (ch: Challenge) => httpRequest(url, { method: 'POST', headers: { Authorization: credential(ch, this.signer, e.chainId, this.#sign(e, amount)) } });
    let res = await post(c);
    if (res.status === 402) {
      const r = await refusalOf(res);
      if (!r.challenge || (r.name !== 'PaymentExpired' && r.name !== 'InvalidChallenge')) throw refusalError(r);
      this.#challenges.set(url, r.challenge);
      res = await post(r.challenge);
    }
    if (res.status !== 204) throw refusalError(await refusalOf(res));
    this.#absorb(e, res.header('payment-receipt'));
  }

  // ---- WebSocket -----------------------------------------------------------------------------------

  /**
   * Sends each input as one paid WebSocket message and collects the answers; with `close`, ends
   * with the close handshake (close-ready → a close voucher for exactly the final spent → the
   * on-chain close's receipt). The challenge comes from the same URL over HTTP.
   */
  async ws(url: string, inputs: string[], o: { close?: boolean; onMessage?: (data: string) => void } = {}): Promise<StreamResult & { closeReceipt?: SessionReceipt }> {
    const httpUrl = url.replace(/^ws(s?):/, 'http$1:');
    const wsUrl = httpUrl.replace(/^http(s?):/, 'ws$1:');
    const c = await this.#challenge(httpUrl);
    const t = await this.terms(c);
    const key = channelKey(t.recipient, t.currency, t.escrowContract, t.chainId);
    return this.#lock(key, async () => {
      const socket = new WebSocket(wsUrl, { maxPayload: 1 << 20 });
      const frames: WsFrame[] = [];
      let wake: (() => void) | undefined;
      let closed: { code: number; reason: string } | undefined;
      socket.on('message', (d) => {
        const f = parseWsFrame(d.toString());
        if (f) frames.push(f);
        wake?.();
      });
      socket.on('close', (code, reason) => {
        closed = { code, reason: reason.toString() };
        wake?.();
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const next = async (): Promise<WsFrame> => {
        for (;;) {
          const f = frames.shift();
          if (f) return f;
          if (closed) throw problem('UnexpectedResponse', `the socket closed (${closed.code} ${closed.reason})`);
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      };
      const refuse = (f: WsFrame & { mpp: 'payment-error' }) => (f.name && isPaymentErrorName(f.name) ? problem(f.name, f.message) : new NamedError(f.name ?? 'PaymentError', `${f.status}: ${f.message}`));
      const authorize = async (amount: bigint, e: ClientChannel, action: 'voucher' | 'close' = 'voucher') => {
        const ch = await this.#challenge(httpUrl);
        socket.send(wsFrame({ mpp: 'authorization', authorization: credential(ch, this.signer, e.chainId, this.#sign(e, amount, action)) }));
      };
      try {
        // Authorize: an open channel pays by voucher; otherwise open (or recover) over HTTP first.
        let e = this.channelFor(t);
        if (!e) {
          await this.#pay(httpUrl, c, (authorization) => httpRequest(httpUrl, { method: 'POST', headers: { Authorization: authorization } }));
          e = this.channelFor(t)!;
        }
        await authorize(this.#nextAmount(e, t.amount), e);
        const first = await next();
        if (first.mpp === 'payment-error') throw refuse(first);
        if (first.mpp !== 'payment-receipt') throw problem('UnexpectedResponse', `expected a payment-receipt frame, got ${first.mpp}`);
        this.#absorbReceipt(e, parseReceipt(first.data));
        for (const input of inputs) socket.send(wsFrame({ mpp: 'message', data: input }));
        const messages: string[] = [];
        while (messages.length < inputs.length) {
          const f = await next();
          if (f.mpp === 'message') {
            e.deliveredValue += t.amount;
            e.deliveredUnits += 1;
            messages.push(f.data);
            o.onMessage?.(f.data);
          } else if (f.mpp === 'payment-need-voucher') {
            if (f.data.channelId !== e.channelId) continue;
            const required = BigInt(f.data.requiredCumulative);
            guardRequired(e, required, t.amount);
            await this.#ensureDeposit(httpUrl, await this.#challenge(httpUrl), t, e, required);
            await authorize(required > e.cumulative ? required : e.cumulative, e);
          } else if (f.mpp === 'payment-receipt') {
            this.#absorbReceipt(e, parseReceipt(f.data));
          } else if (f.mpp === 'payment-error') {
            throw refuse(f);
          }
        }
        this.store.put(e);
        if (!o.close) {
          socket.close(1000);
          return { messages, receipt: undefined, channelId: e.channelId };
        }
        socket.send(wsFrame({ mpp: 'payment-close-request' }));
        let ready: SessionReceipt | undefined;
        while (!ready) {
          const f = await next();
          if (f.mpp === 'payment-close-ready') ready = f.data;
          else if (f.mpp === 'payment-error') throw refuse(f);
          else if (f.mpp === 'payment-receipt') this.#absorbReceipt(e, parseReceipt(f.data));
        }
        const spent = parseReceipt(ready).spentAmount;
        // The close-ready must lie between what receipts confirmed and what was delivered + one unit.
        if (spent < e.spent || spent > (e.cumulative > spent ? e.cumulative : spent)) throw problem('InvalidReceipt', `close-ready says spent ${spent}; confirmed ${e.spent}, signed ${e.cumulative}`);
        guardRequired({ cumulative: 0n, deliveredValue: e.deliveredValue }, spent, t.amount);
        await authorize(spent, e, 'close');
        let closeReceipt: SessionReceipt | undefined;
        while (!closeReceipt) {
          const f = await next();
          if (f.mpp === 'payment-receipt' && f.data.txHash) closeReceipt = f.data;
          else if (f.mpp === 'payment-error') throw refuse(f);
        }
        e.spent = spent;
        e.closed = true;
        e.closeTxHash = closeReceipt.txHash;
        this.store.put(e);
        return { messages, receipt: closeReceipt, channelId: e.channelId, closeReceipt };
      } finally {
        if (socket.readyState === socket.OPEN) socket.close(1000);
      }
    });
  }

  closeConnections(): void {
    this.rpc.close();
  }
}

export { decodeSnapshotHeader };

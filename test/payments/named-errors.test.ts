/**
 * Negative tests for named payment errors that had none: each is provoked through a public entry
 * point (the HTTP route, the paid WebSocket, `SessionManager`, `Settlement`) and the test checks the
 * name the caller sees (the problem+json `name`, the `payment-error` frame's `name`, or the thrown
 * error's `name`) and that nothing observable changed (no broadcast, no charge, no new voucher).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type WebSocket from 'ws';
import { devSigner, type Signer } from '../../sdk/chain.js';
import { EscrowRpcClient } from '../../sdk/precompiles/index.js';
import {
  bootstrapChallenge,
  createChallenge,
  httpRequest,
  parseChallenge,
  parseCredentialHeader,
  PROBLEM_BASE,
  serializeChallenge,
  serializeCredential,
  signProof,
  sourceDid,
  startPayments,
  WS_CLOSE,
  WS_MAX_QUEUED_PAYMENT_FRAMES,
  type ChannelRecord,
  type Payments,
} from '../../payments/index.js';
import { verifyBootstrapProof } from '../../payments/server/bootstrap.js';
import { challengeOf, cred, openPayload, send, voucherFor, type Sent } from './kit.js';
import { payers, row, startStack, type Stack } from './harness.js';
import { closed, openWs } from '../helpers/ws.js';
import { until } from '../helpers/until.js';

const PRICE = 10n;
const body = (i: number) => JSON.stringify({ input: row(i) });

/** A named refusal over HTTP: status, problem name and type, no receipt, a fresh challenge. */
function refused(r: Sent, name: string, status = 402): void {
  expect(r.status, r.body).to.equal(status);
  expect(r.json?.name, r.body).to.equal(name);
  expect(r.json.type).to.match(new RegExp('^' + PROBLEM_BASE.replace(/[./]/g, '\\$&')));
  expect(r.receipt, 'error responses carry no Payment-Receipt').to.equal(undefined);
  expect(r.challenge, 'a fresh challenge rides along').to.not.equal(undefined);
}

async function rejects(p: Promise<unknown>, name: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).name, (e as Error).message).to.equal(name);
    return e as Error;
  }
  throw new Error(`expected ${name}, but it succeeded`);
}

/** The parts of a channel record a refusal must leave alone. */
const money = (r: ChannelRecord | undefined) => r && { spent: r.spent, units: r.units, highestVoucherAmount: r.highestVoucherAmount, deposit: r.deposit, settledOnChain: r.settledOnChain, finalized: r.finalized, closing: r.closing };

describe('payments: named errors without a negative test elsewhere', function () {
  this.timeout(300_000);
  let s: Stack;
  let infer: string;
  let wsUrl: string;
  const payer = payers();
  let salts = 0;

  before(async () => {
    s = await startStack({ price: PRICE, suggestedDeposit: 1000n });
    infer = `${s.url}/v1/infer`;
    wsUrl = `${s.url.replace(/^http/, 'ws')}/v1/infer/ws`;
  });
  after(async () => s?.stop());

  const nonceOf = async (p: Signer) => (await s.rpc.getAccount(p.address)).nonce;

  /** Opens a channel through a paid content request (one unit charged). */
  async function opened(p: Signer, deposit = 1000n) {
    const c = await challengeOf(infer);
    const o = await openPayload(s, p, { deposit, first: PRICE, salt: '0x' + (++salts).toString(16).padStart(64, 'a') });
    const r = await send(infer, cred(c, p, o.payload), body(1));
    expect(r.status, r.body).to.equal(200);
    return o;
  }

  /** A second payment server on the same node and secret, with other terms (another route or service). */
  async function sibling(o: { realm?: string; price?: bigint; payee?: Signer }): Promise<Payments> {
    return startPayments({ rpc: s.rpc, payee: o.payee ?? s.payee, price: o.price ?? PRICE, realm: o.realm, secret: s.payments.server.terms.secret, settlement: { pollMs: 0 } });
  }

  describe('server: ChallengeMismatch', () => {
    it('a challenge our secret signed for another realm, price or payee is refused by name; nothing is broadcast or stored', async () => {
      const elsewhere = await sibling({ realm: 'elsewhere' });
      const pricier = await sibling({ price: 2n * PRICE });
      const otherPayee = await sibling({ payee: devSigner(8, 'secp256k1') });
      try {
        const p = payer();
        const o = await openPayload(s, p);
        for (const other of [elsewhere, pricier, otherPayee]) {
          const c = other.server.challenge();
          refused(await send(infer, cred(c, p, o.payload), body(1)), 'ChallengeMismatch');
          refused(await send(infer, cred(c, p, o.payload)), 'ChallengeMismatch');
        }
        expect(await nonceOf(p), 'the open transaction was not broadcast').to.equal('0');
        expect(await s.payments.store.get(o.channelId)).to.equal(undefined);
        expect((await new EscrowRpcClient(s.rpc).state(o.channelId)).deposit).to.equal(0n);
      } finally {
        await Promise.all([elsewhere.close(), pricier.close(), otherPayee.close()]);
      }
    });

    it('a voucher on an open channel answering another route\'s challenge is refused and charges nothing', async () => {
      const pricier = await sibling({ price: 2n * PRICE });
      try {
        const p = payer();
        const o = await opened(p);
        const before = money(await s.payments.store.get(o.channelId));
        refused(await send(infer, cred(pricier.server.challenge(), p, voucherFor(p, o, 2n * PRICE)), body(2)), 'ChallengeMismatch');
        expect(money(await s.payments.store.get(o.channelId))).to.deep.equal(before);
      } finally {
        await pricier.close();
      }
    });

    it('bootstrap: a charge challenge of this secret for another payee gets no snapshot, and is ChallengeMismatch', async () => {
      const otherPayee = await sibling({ payee: devSigner(8, 'secp256k1') });
      try {
        const p = payer();
        await opened(p);
        const c = bootstrapChallenge(otherPayee.server);
        const proof = serializeCredential({ challenge: c, source: sourceDid(1337, p.address), payload: { type: 'proof', signature: signProof(p, c.id) } });
        const head = await httpRequest(infer, { method: 'HEAD', headers: { Authorization: proof } });
        expect(head.status).to.equal(402);
        expect(head.header('payment-session-snapshot')).to.equal(undefined);
        // A HEAD answer has no body, so the problem name is read from the verifier the route runs.
        await rejects(verifyBootstrapProof(s.payments.server, parseCredentialHeader(proof)), 'ChallengeMismatch');
        expect(await s.payments.store.getMeta(`proof:${c.id}`), 'the proof was not spent').to.equal(undefined);
      } finally {
        await otherPayee.close();
      }
    });
  });

  describe('server: ProofReplayed', () => {
    it('a bootstrap proof used once is refused the second time (402, no snapshot) as ProofReplayed', async () => {
      const p = payer();
      const o = await opened(p);
      const head = await httpRequest(infer, { method: 'HEAD' });
      const c = parseChallenge(head.header('www-authenticate')!);
      const proof = serializeCredential({ challenge: c, source: sourceDid(1337, p.address), payload: { type: 'proof', signature: signProof(p, c.id) } });
      const first = await httpRequest(infer, { method: 'HEAD', headers: { Authorization: proof } });
      expect(first.status).to.equal(204);
      expect(first.header('payment-session')).to.equal(o.channelId);
      const again = await httpRequest(infer, { method: 'HEAD', headers: { Authorization: proof } });
      expect(again.status).to.equal(402);
      expect(again.header('payment-session'), 'a replay learns nothing').to.equal(undefined);
      expect(again.header('payment-session-snapshot')).to.equal(undefined);
      // The HEAD answer has no body: the name comes from the verifier the route ran.
      const e = await rejects(verifyBootstrapProof(s.payments.server, parseCredentialHeader(proof)), 'ProofReplayed');
      expect((e as { status?: number }).status).to.equal(402);
      // A fresh proof from the same account still works.
      const c2 = parseChallenge((await httpRequest(infer, { method: 'HEAD' })).header('www-authenticate')!);
      const fresh = serializeCredential({ challenge: c2, source: sourceDid(1337, p.address), payload: { type: 'proof', signature: signProof(p, c2.id) } });
      expect((await httpRequest(infer, { method: 'HEAD', headers: { Authorization: fresh } })).status).to.equal(204);
    });
  });

  describe('server: TransactionFailed and SettlementFailed', () => {
    it('an open whose transaction reverts on chain is TransactionFailed; no channel is stored and no token moves', async () => {
      const p = payer();
      const c = await challengeOf(infer);
      const tokens = await s.balance(p.address);
      const deposit = tokens + 1n; // more than the payer holds: the escrow's transferFrom fails
      const o = await openPayload(s, p, { deposit, first: PRICE });
      refused(await send(infer, cred(c, p, o.payload), body(1)), 'TransactionFailed');
      expect(await s.payments.store.get(o.channelId)).to.equal(undefined);
      expect((await new EscrowRpcClient(s.rpc).state(o.channelId)).deposit).to.equal(0n);
      expect(await s.balance(p.address)).to.equal(tokens);
    });

    it('an open whose transaction the node refuses (nonce already used) is TransactionFailed; nothing is stored', async () => {
      const p = payer();
      const c = await challengeOf(infer);
      const stale = await openPayload(s, p, { salt: '0x' + 'c1'.repeat(32) });
      await opened(p); // uses the same nonce first
      const spentBefore = (await s.payments.store.list()).filter((r) => r.descriptor.payer === p.address).map(money);
      refused(await send(infer, cred(c, p, stale.payload), body(2)), 'TransactionFailed');
      expect(await s.payments.store.get(stale.channelId)).to.equal(undefined);
      expect((await s.payments.store.list()).filter((r) => r.descriptor.payer === p.address).map(money)).to.deep.equal(spentBefore);
    });

    it('settling a channel the payer already withdrew is SettlementFailed; the record and the payee\'s balance stay', async () => {
      const escrow = new EscrowRpcClient(s.rpc);
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      expect((await send(infer, cred(c, p, voucherFor(p, o, 2n * PRICE)), body(2))).status).to.equal(200);
      // The payer leaves through the chain: close request, grace period, withdrawal.
      await escrow.requestClose(p, o.descriptor);
      await s.rpc.call('dev.IncreaseTime', [901]);
      expect((await escrow.withdraw(p, o.descriptor)).status).to.equal(1);
      const before = money(await s.payments.store.get(o.channelId));
      const payeeBefore = await s.balance(s.payee.address);
      const e = await rejects(s.payments.settlement.settle(o.channelId), 'SettlementFailed');
      expect(e.message).to.match(/settleBatch/);
      expect(money(await s.payments.store.get(o.channelId))).to.deep.equal(before);
      expect(await s.balance(s.payee.address)).to.equal(payeeBefore);
    });
  });

  describe('server: WebSocket frames', function () {
    this.timeout(60_000); // a server that never closes the socket fails instead of hanging
    interface Session {
      ws: WebSocket;
      frames: Record<string, any>[];
      end: Promise<{ code: number; reason: string }>;
    }

    async function socket(): Promise<Session> {
      const u = await openWs(wsUrl);
      if (!u.ok) throw new Error(`upgrade refused: ${u.status} ${u.body}`);
      const frames: Record<string, any>[] = [];
      u.ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
      return { ws: u.ws, frames, end: closed(u.ws) };
    }

    /** A socket paying with a voucher at the channel's accepted amount (an exact replay: changes nothing). */
    async function authorized(p: Signer) {
      const o = await opened(p);
      const sess = await socket();
      const authorization = cred(await challengeOf(`${s.url}/v1/infer/ws`), p, voucherFor(p, o, PRICE));
      sess.ws.send(JSON.stringify({ mpp: 'authorization', authorization }));
      await until('the receipt frame', async () => sess.frames.find((f) => f.mpp === 'payment-receipt'));
      return { o, sess, authorization };
    }

    function errorFrame(sess: Session, name: string, status: number): void {
      const errors = sess.frames.filter((f) => f.mpp === 'payment-error');
      expect(errors, JSON.stringify(sess.frames)).to.have.length(1);
      expect(errors[0]).to.include({ name, status });
      expect(sess.frames.filter((f) => f.mpp === 'message'), 'no unit was delivered').to.have.length(0);
    }

    it('a frame that is not JSON (or binary) is MalformedFrame: 400, close 3008, nothing charged', async () => {
      const p = payer();
      const { o, sess } = await authorized(p);
      const before = money(await s.payments.store.get(o.channelId));
      sess.ws.send('{"mpp":');
      expect((await sess.end).code).to.equal(WS_CLOSE.protocol);
      errorFrame(sess, 'MalformedFrame', 400);
      expect(money(await s.payments.store.get(o.channelId))).to.deep.equal(before);

      const bin = await socket();
      bin.ws.send(Buffer.from(JSON.stringify({ mpp: 'message', data: row(1) })), { binary: true });
      expect((await bin.end).code).to.equal(WS_CLOSE.protocol);
      errorFrame(bin, 'MalformedFrame', 400);
    });

    it('a server-to-client frame sent by the client is UnexpectedFrame: 400, close 3008, nothing charged', async () => {
      const p = payer();
      const { o, sess } = await authorized(p);
      const before = money(await s.payments.store.get(o.channelId));
      sess.ws.send(JSON.stringify({ mpp: 'payment-need-voucher', data: { channelId: o.channelId, requiredCumulative: '20', acceptedCumulative: '10', deposit: '1000' } }));
      expect((await sess.end).code).to.equal(WS_CLOSE.protocol);
      errorFrame(sess, 'UnexpectedFrame', 400);
      expect(money(await s.payments.store.get(o.channelId))).to.deep.equal(before);
    });

    it(`more than ${WS_MAX_QUEUED_PAYMENT_FRAMES} queued authorization frames are TooManyPaymentFrames: 429, close 1008, nothing charged`, async () => {
      const p = payer();
      const o = await opened(p);
      const before = money(await s.payments.store.get(o.channelId));
      const authorization = cred(await challengeOf(`${s.url}/v1/infer/ws`), p, voucherFor(p, o, PRICE));
      // Hold verification so that the frames pile up (the server takes them one at a time).
      const server = s.payments.server;
      const real = server.process.bind(server);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let done = 0;
      server.process = async (raw) => {
        try {
          await gate;
          return await real(raw);
        } finally {
          done++;
        }
      };
      const sess = await socket();
      try {
        for (let i = 0; i <= WS_MAX_QUEUED_PAYMENT_FRAMES; i++) sess.ws.send(JSON.stringify({ mpp: 'authorization', authorization }));
        // (Bounded, so that a server that never refuses fails here instead of hanging the suite.)
        await until('a payment-error frame', async () => sess.frames.some((f) => f.mpp === 'payment-error'), 20_000);
        expect((await sess.end).code).to.equal(WS_CLOSE.policy);
        errorFrame(sess, 'TooManyPaymentFrames', 429);
        expect(sess.frames.filter((f) => f.mpp === 'payment-receipt'), 'the refusal came before any frame was verified').to.have.length(0);
        release();
        await until('the queued frames are done', async () => done === WS_MAX_QUEUED_PAYMENT_FRAMES);
      } finally {
        release();
        server.process = real;
        sess.ws.terminate();
      }
      expect(money(await s.payments.store.get(o.channelId))).to.deep.equal(before);
    });
  });

  describe('client: SessionManager', () => {
    let foreign: Server | undefined;
    afterEach(async () => {
      if (foreign) {
        foreign.closeAllConnections();
        await new Promise((r) => foreign!.close(r));
        foreign = undefined;
      }
    });

    /** A service of another payment method (mppx's "tempo") or intent: 402 with its challenge. */
    async function otherMethodService(method: string, intent: string): Promise<string> {
      const c = createChallenge(new Uint8Array(32).fill(7), {
        realm: 'tempo.example',
        method,
        intent,
        expires: new Date(Date.now() + 300_000).toISOString(),
        request: { amount: '10', currency: '0x20c0000000000000000000000000000000000000', recipient: s.payee.address, methodDetails: { chainId: 1337, escrowContract: '0x4d50500000000000000000000000000000000000' } },
      });
      foreign = createServer((_req, res) => {
        res.writeHead(402, { 'Content-Type': 'application/problem+json', 'WWW-Authenticate': serializeChallenge(c) });
        res.end(JSON.stringify({ type: PROBLEM_BASE + 'payment-required', title: 'Payment Required', status: 402, detail: 'pay', name: 'PaymentRequired' }));
      });
      await new Promise<void>((r) => foreign!.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/v1/infer`;
    }

    it('UnsupportedChallenge: a 402 for another payment method or intent is refused before anything is signed or sent', async () => {
      const p = payer();
      const m = s.client({ signer: p });
      await rejects(m.fetch(await otherMethodService('tempo', 'session'), { body: body(1) }), 'UnsupportedChallenge');
      await rejects(m.terms(bootstrapChallenge(s.payments.server)), 'UnsupportedChallenge'); // our own zero-amount charge challenge
      expect(m.store.all()).to.have.length(0);
      expect(await nonceOf(p), 'no open was broadcast').to.equal('0');
    });

    it('UnsupportedChallenge: a charge-intent 402 from the service is refused by fetch and ws', async () => {
      const p = payer();
      const m = s.client({ signer: p });
      const url = await otherMethodService('sessionchain', 'charge');
      await rejects(m.fetch(url, { body: body(1) }), 'UnsupportedChallenge');
      await rejects(m.ws(url.replace(/^http/, 'ws'), [row(1)]), 'UnsupportedChallenge');
      expect(m.store.all()).to.have.length(0);
      expect(await nonceOf(p)).to.equal('0');
    });

    it('UnexpectedResponse: a URL that answers without a Payment challenge, or nobody listening', async () => {
      const p = payer();
      const m = s.client({ signer: p });
      const e = await rejects(m.fetch(`${s.url}/v1/not-a-route`, { body: body(1) }), 'UnexpectedResponse');
      expect(e.message).to.match(/got 400/);
      const idle = createServer();
      await new Promise<void>((r) => idle.listen(0, '127.0.0.1', r));
      const port = (idle.address() as AddressInfo).port;
      await new Promise((r) => idle.close(r));
      await rejects(m.fetch(`http://127.0.0.1:${port}/v1/infer`, { body: body(1) }), 'UnexpectedResponse');
      await rejects(m.close(`http://127.0.0.1:${port}/v1/infer`), 'UnexpectedResponse');
      expect(m.store.all()).to.have.length(0);
      expect(await nonceOf(p)).to.equal('0');
    });

    it('DepositLimitExceeded: a maxDeposit below one unit, or an explicit deposit outside the bounds, opens nothing', async () => {
      const p = payer();
      await rejects(s.client({ signer: p, maxDeposit: PRICE - 1n }).fetch(infer, { body: body(1) }), 'DepositLimitExceeded');
      await rejects(s.client({ signer: p, deposit: 500n, maxDeposit: 100n }).fetch(infer, { body: body(1) }), 'DepositLimitExceeded');
      await rejects(s.client({ signer: p, deposit: PRICE - 1n }).fetch(infer, { body: body(1) }), 'DepositLimitExceeded');
      expect(await nonceOf(p), 'no open was broadcast').to.equal('0');
      expect((await s.payments.store.list()).filter((r) => r.descriptor.payer === p.address)).to.have.length(0);
    });

    it('DepositLimitExceeded: a request that needs more deposit than maxDeposit signs and tops up nothing', async () => {
      const p = payer();
      const m = s.client({ signer: p, maxDeposit: 2n * PRICE });
      await m.fetch(infer, { body: body(1) });
      const r = await m.fetch(infer, { body: body(2) });
      const e0 = { ...m.store.all()[0]! };
      expect(e0).to.deep.include({ deposit: 2n * PRICE, cumulative: 2n * PRICE });
      const server = money(await s.payments.store.get(r.channelId));
      const nonce = await nonceOf(p);
      await rejects(m.fetch(infer, { body: body(3) }), 'DepositLimitExceeded');
      await rejects(m.topUp(infer, 1n), 'DepositLimitExceeded');
      expect(m.store.all()[0]).to.deep.include({ deposit: e0.deposit, cumulative: e0.cumulative, signature: e0.signature });
      expect(money(await s.payments.store.get(r.channelId))).to.deep.equal(server);
      expect(await nonceOf(p), 'no top-up was broadcast').to.equal(nonce);
      expect((await new EscrowRpcClient(s.rpc).state(r.channelId)).deposit).to.equal(2n * PRICE);
    });
  });
});

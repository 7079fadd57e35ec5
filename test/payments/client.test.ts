/**
 * The client (`SessionManager`), mirroring mppx's client tests (spec tip1034.md §10) and the
 * client-side security notes of §9. A misbehaving server is our own server with one function
 * replaced, so each test shows exactly which lie the client catches.
 */
import { expect } from 'chai';
import { devSigner } from '../../sdk/chain.js';
import { EscrowRpcClient } from '../../sdk/precompiles/index.js';
import { createChallenge, guardRequired, openingDeposit, topUpAmount, type SessionSnapshot } from '../../payments/index.js';
import { payers, row, startStack, type Stack } from './harness.js';

const PRICE = 10n;
const body = (i: number) => JSON.stringify({ input: row(i) });

async function rejects(p: Promise<unknown>, name: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).name, (e as Error).message).to.equal(name);
    return e as Error;
  }
  throw new Error(`expected ${name}, but it succeeded`);
}

describe('payments client: SessionManager (spec §7–§8, §9, §10 client tests)', function () {
  this.timeout(300_000);
  let s: Stack;
  let infer: string;
  const payer = payers();

  before(async () => {
    s = await startStack({ price: PRICE, suggestedDeposit: 1000n });
    infer = `${s.url}/v1/infer`;
  });
  after(async () => s?.stop());

  describe('policy functions', () => {
    it('deposit sizing: explicit, else max(suggested, price), capped by maxDeposit; top-ups cover the shortfall within the cap', () => {
      expect(openingDeposit({}, 10n, 1000n)).to.equal(1000n);
      expect(openingDeposit({ maxDeposit: 500n }, 10n, 1000n)).to.equal(500n);
      expect(openingDeposit({ deposit: 70n }, 10n, 1000n)).to.equal(70n);
      expect(() => openingDeposit({ maxDeposit: 5n }, 10n, undefined)).to.throw(/maxDeposit/);
      expect(() => openingDeposit({ deposit: 5n }, 10n, undefined)).to.throw(/does not cover/);
      expect(topUpAmount({}, 100n, 130n, undefined)).to.equal(30n);
      expect(topUpAmount({ topUpAmount: 200n }, 100n, 130n, undefined)).to.equal(200n);
      expect(topUpAmount({ topUpAmount: 200n, maxDeposit: 250n }, 100n, 130n, undefined)).to.equal(150n);
      expect(() => topUpAmount({ maxDeposit: 120n }, 100n, 130n, undefined)).to.throw(/maxDeposit/);
    });

    it('the price guard allows delivered + one unit and refuses more', () => {
      const e = { deliveredValue: 50n, cumulative: 40n };
      expect(() => guardRequired(e, 60n, 10n)).to.not.throw();
      expect(() => guardRequired(e, 61n, 10n)).to.throw(/only 50 was delivered/);
      expect(() => guardRequired({ deliveredValue: 0n, cumulative: 100n }, 100n, 10n), 'nothing new to sign').to.not.throw();
    });
  });

  describe('HTTP', () => {
    it('opens once, then pays each request with the next voucher; deposit capped by maxDeposit', async () => {
      const m = s.client({ signer: payer(), maxDeposit: 500n });
      const a = await m.fetch(infer, { body: body(1) });
      const b = await m.fetch(infer, { body: body(2) });
      expect(a.channelId).to.equal(b.channelId);
      expect(b.receipt).to.include({ spent: '20', acceptedCumulative: '20' });
      const e = m.store.all()[0]!;
      expect(e).to.deep.include({ deposit: 500n, cumulative: 20n, deliveredValue: 20n, deliveredUnits: 2 });
    });

    it('tops up before an HTTP voucher that the deposit does not cover', async () => {
      const m = s.client({ signer: payer(), deposit: 20n, topUpAmount: 50n });
      for (let i = 0; i < 3; i++) await m.fetch(infer, { body: body(i) });
      const e = m.store.all()[0]!;
      expect(e.deposit).to.equal(70n);
      expect((await s.payments.store.get(e.channelId))!.deposit).to.equal(70n);
    });

    it('a 402 with a snapshot of this channel is answered by signing max(local, required) and retrying once', async () => {
      const m = s.client({ signer: payer() });
      const first = await m.fetch(infer, { body: body(1) });
      const server = s.payments.server;
      const real = server.reserve.bind(server);
      let calls = 0;
      server.reserve = async (id, amount) => {
        if (calls++ > 0) return real(id, amount);
        const record = (await s.payments.store.get(id))!;
        return { ok: false, required: record.spent + amount, record };
      };
      try {
        const r = await m.fetch(infer, { body: body(2) });
        expect(r.channelId).to.equal(first.channelId);
        expect(r.receipt).to.include({ spent: '20', acceptedCumulative: '20' });
        expect(calls, 'refused once, then retried').to.equal(2);
      } finally {
        server.reserve = real;
      }
    });

    it('a failed retry leaves no signing boundary above what the server accepted', async () => {
      const m = s.client({ signer: payer() });
      const first = await m.fetch(infer, { body: body(1) });
      const server = s.payments.server;
      const realReserve = server.reserve.bind(server);
      const realProcess = server.process.bind(server);
      let calls = 0;
      server.reserve = async (id, amount) => {
        const record = (await s.payments.store.get(id))!;
        return { ok: false, required: record.spent + amount, record };
      };
      server.process = async (raw) => {
        if (calls++ === 1) throw new (await import('../../payments/index.js')).PaymentProblem('VerificationFailed', 'refused on retry');
        return realProcess(raw);
      };
      try {
        await rejects(m.fetch(infer, { body: body(2) }), 'VerificationFailed');
      } finally {
        server.reserve = realReserve;
        server.process = realProcess;
      }
      const accepted = (await s.payments.store.get(first.channelId))!.highestVoucherAmount;
      expect(m.store.all()[0]!.cumulative).to.equal(accepted);
    });

    it('the price guard refuses an inflated requiredCumulative in a 402 and signs nothing', async () => {
      const p = payer();
      const m = s.client({ signer: p });
      const first = await m.fetch(infer, { body: body(1) });
      const server = s.payments.server;
      const realSnapshot = server.snapshot.bind(server);
      const realReserve = server.reserve.bind(server);
      server.snapshot = (r, a) => {
        const snap = realSnapshot(r, a);
        return snap && ({ ...snap, requiredCumulative: snap.requiredCumulative + 5n * PRICE } as SessionSnapshot);
      };
      server.reserve = async (id, amount) => {
        const r = await realReserve(id, amount);
        if (r.ok) server.release(id, amount);
        const record = (await s.payments.store.get(id))!;
        return { ok: false, required: record.spent + 6n * PRICE, record };
      };
      try {
        const before = m.store.all()[0]!.cumulative;
        await rejects(m.fetch(infer, { body: body(2) }), 'PriceGuardRefused');
        expect(m.store.all()[0]!.cumulative <= before + PRICE, 'nothing above the guard was signed').to.equal(true);
        expect((await s.payments.store.get(first.channelId))!.highestVoucherAmount <= before + PRICE).to.equal(true);
      } finally {
        server.snapshot = realSnapshot;
        server.reserve = realReserve;
      }
    });

    it('a receipt beyond what the client signed is refused and never raises the boundary', async () => {
      const m = s.client({ signer: payer() });
      await m.fetch(infer, { body: body(1) });
      const server = s.payments.server;
      const real = server.receipt.bind(server);
      server.receipt = (cid, r, extra) => real(cid, { ...r, highestVoucherAmount: r.highestVoucherAmount + 1000n }, extra);
      try {
        await rejects(m.fetch(infer, { body: body(2) }), 'InvalidReceipt');
      } finally {
        server.receipt = real;
      }
      expect(m.store.all()[0]!.accepted).to.equal(10n);
    });

    it('a dead channel (410) is dropped and the request retried on a new channel (mppx #467)', async () => {
      const p = payer();
      const m = s.client({ signer: p });
      const a = await m.fetch(infer, { body: body(1) });
      await new EscrowRpcClient(s.rpc).requestClose(p, m.store.all()[0]!.descriptor);
      s.payments.server.chain.forget(a.channelId);
      const b = await m.fetch(infer, { body: body(2) });
      expect(b.channelId).to.not.equal(a.channelId);
      const held = m.store.all();
      expect(held.map((e) => [e.channelId, e.closed])).to.deep.equal([[b.channelId, false]]);
    });

    it('a client that lost its state recovers its channel from the server (bootstrap + snapshot), never below the accepted amount', async () => {
      const p = payer();
      const m1 = s.client({ signer: p });
      await m1.fetch(infer, { body: body(1) });
      const id = (await m1.fetch(infer, { body: body(2) })).channelId;
      const m2 = s.client({ signer: p }); // fresh memory store
      const r = await m2.fetch(infer, { body: body(3) });
      expect(r.channelId, 'the same channel, no new open').to.equal(id);
      const e = m2.store.all()[0]!;
      expect(e.cumulative).to.equal(30n);
      expect(e.deliveredValue).to.equal(30n);
    });

    it('a snapshot with a bad voucher signature is not trusted: the client opens a new channel', async () => {
      const p = payer();
      const m1 = s.client({ signer: p });
      const id = (await m1.fetch(infer, { body: body(1) })).channelId;
      const server = s.payments.server;
      const real = server.snapshot.bind(server);
      server.snapshot = (r, a) => {
        const snap = real(r, a);
        return snap && { ...snap, highestVoucher: { ...snap.highestVoucher!, signature: '0x' + '11'.repeat(65) } };
      };
      try {
        const r = await s.client({ signer: p }).fetch(infer, { body: body(2) });
        expect(r.channelId).to.not.equal(id);
      } finally {
        server.snapshot = real;
      }
    });

    it('refuses a challenge naming a foreign escrow, another chain or an operator', async () => {
      const m = s.client({ signer: payer() });
      const base = s.payments.server.challenge();
      const md = base.request.methodDetails as Record<string, unknown>;
      const mk = (methodDetails: Record<string, unknown>) => createChallenge(new Uint8Array(32), { ...base, request: { ...base.request, methodDetails: { ...md, ...methodDetails } } });
      await rejects(m.terms(mk({ escrowContract: '0x4d50500000000000000000000000000000000001' })), 'ForeignEscrow');
      await rejects(m.terms(mk({ chainId: 4217 })), 'WrongChain');
      await rejects(m.terms(mk({ operator: '0x1111111111111111111111111111111111111111' })), 'WrongOperator');
      await rejects(m.terms(mk({ sessionProtocol: 'v1' })), 'InvalidChallenge');
    });
  });

  describe('close', () => {
    it('closes with the accepted amount; retries once after a 402 for an expired challenge', async () => {
      const p = payer();
      const m = s.client({ signer: p });
      await m.fetch(infer, { body: body(1) });
      const server = s.payments.server;
      const real = server.challenge.bind(server);
      let stale = 1;
      server.challenge = (o) => {
        const c = real(o);
        if (stale-- <= 0 || !o?.record) return c;
        return createChallenge(server.terms.secret, { ...c, expires: new Date(Date.now() - 1000).toISOString() });
      };
      try {
        const { receipt } = await m.close(infer);
        expect(receipt.txHash).to.match(/^0x[0-9a-f]{64}$/);
        expect(receipt).to.include({ acceptedCumulative: '10', spent: '10' });
      } finally {
        server.challenge = real;
      }
    });

    it('a close receipt without a valid txHash is rejected', async () => {
      const m = s.client({ signer: payer() });
      await m.fetch(infer, { body: body(1) });
      const server = s.payments.server;
      const real = server.receipt.bind(server);
      server.receipt = (cid, r) => real(cid, r, {});
      try {
        await rejects(m.close(infer), 'InvalidReceipt');
      } finally {
        server.receipt = real;
      }
    });
  });

  describe('streams', () => {
    it('SSE: the price guard refuses an inflated need-voucher and the stream stops', async () => {
      const m = s.client({ signer: payer() });
      await m.fetch(infer, { body: body(1) });
      const server = s.payments.server;
      const real = server.reserve.bind(server);
      server.reserve = async (id, amount) => {
        const r = await real(id, amount);
        if (!r.ok) return { ...r, required: r.required + 10n * PRICE };
        return r;
      };
      try {
        await rejects(m.sse(`${s.url}/v1/infer/stream`, JSON.stringify({ inputs: [row(1), row(2), row(3)] })), 'PriceGuardRefused');
      } finally {
        server.reserve = real;
      }
    });

    it('WS: a close-ready beyond what was delivered is refused', async () => {
      const m = s.client({ signer: payer() });
      const server = s.payments.server;
      const real = server.receipt.bind(server);
      try {
        const promise = m.ws(`${s.url}/v1/infer/ws`, [row(1), row(2)], { close: true });
        server.receipt = (cid, r, extra) => (r.units >= 2 && !extra?.txHash ? real(cid, { ...r, spent: r.spent + 5n * PRICE, highestVoucherAmount: r.highestVoucherAmount + 5n * PRICE }, extra) : real(cid, r, extra));
        const err = (await promise.catch((e) => e)) as Error;
        expect(['InvalidReceipt', 'PriceGuardRefused']).to.include(err.name);
      } finally {
        server.receipt = real;
      }
    });

    it('WS: a challenge near expiry is refreshed before a later voucher', async () => {
      const short = await startStack({ price: PRICE, suggestedDeposit: 1000n });
      try {
        const server = short.payments.server;
        const real = server.challenge.bind(server);
        let issued = 0;
        server.challenge = (o) => {
          issued++;
          const c = real(o);
          return createChallenge(server.terms.secret, { ...c, expires: new Date(Date.now() + 4000).toISOString() }); // inside the 5 s refresh margin
        };
        const m = short.client({ signer: devSigner(0, 'secp256k1') });
        const r = await m.ws(`${short.url}/v1/infer/ws`, Array.from({ length: 5 }, (_, i) => row(i)));
        expect(r.messages).to.have.length(5);
        expect(issued, 'fresh challenges were fetched for later vouchers').to.be.at.least(3);
      } finally {
        await short.stop();
      }
    });
  });
});

/**
 * The server's behaviour, mirroring mppx's `server/Session.test.ts` titles (spec tip1034.md §10)
 * and the security notes of §9, against an in-process node: every refusal is a named problem with
 * the spec's type and status, carries a fresh challenge and no Payment-Receipt, and changes nothing.
 */
import { expect } from 'chai';
import { devSigner, type Signer } from '../../sdk/chain.js';
import { EscrowRpcClient } from '../../sdk/precompiles/index.js';
import { PROBLEM_BASE, serializeChallenge, sourceDid, type VoucherPayload } from '../../payments/index.js';
import { challengeOf, cred, openPayload, send, voucherFor, type Sent } from './kit.js';
import { payers, row, startStack, type Stack } from './harness.js';

const PRICE = 10n;
const body = (i: number) => JSON.stringify({ input: row(i) });

function refused(r: Sent, name: string, status = 402): void {
  expect(r.status, r.body).to.equal(status);
  expect(r.json.name, r.body).to.equal(name);
  expect(r.json.type).to.match(new RegExp('^' + PROBLEM_BASE.replace(/[./]/g, '\\$&')));
  expect(r.receipt, 'error responses carry no Payment-Receipt').to.equal(undefined);
  expect(r.challenge, 'a fresh challenge rides along').to.not.equal(undefined);
}

describe('payments server (spec §5–§6, §9, §10 server tests)', function () {
  this.timeout(300_000);
  let s: Stack;
  let infer: string;
  const payer = payers();
  let salts = 0;

  before(async () => {
    s = await startStack({ price: PRICE, minVoucherDelta: 5n });
    infer = `${s.url}/v1/infer`;
  });
  after(async () => s?.stop());

  /** Opens a channel through a paid content request; returns it with the challenge used. */
  async function opened(p: Signer, deposit = 1000n, first = PRICE) {
    const c = await challengeOf(infer);
    const o = await openPayload(s, p, { deposit, first, salt: '0x' + (++salts).toString(16).padStart(64, '0') });
    const r = await send(infer, cred(c, p, o.payload), body(1));
    expect(r.status, r.body).to.equal(200);
    return { ...o, c };
  }

  describe('challenges and credentials', () => {
    it('a request without a credential gets 402, a challenge with our escrow, chain and v2, and Cache-Control: no-store', async () => {
      const res = await send(infer, undefined, body(1));
      refused(res, 'PaymentRequired');
      const md = res.challenge!.request.methodDetails as Record<string, unknown>;
      expect(md).to.deep.include({ escrowContract: '0x4d50500000000000000000000000000000000000', chainId: 1337, sessionProtocol: 'v2', minVoucherDelta: '5' });
      expect(res.challenge!.request).to.deep.include({ amount: '10', currency: '0x20c0000000000000000000000000000000000000', recipient: s.payee.address });
    });

    it('malformed base64 or JSON, a wrong challenge id, an expired or foreign challenge: named refusals', async () => {
      refused(await send(infer, 'Payment !!!not-base64!!!', body(1)), 'MalformedCredential');
      refused(await send(infer, 'Payment ' + Buffer.from('{not json').toString('base64url'), body(1)), 'MalformedCredential');
      refused(await send(infer, 'Bearer abc', body(1)), 'MalformedCredential');
      const p = payer();
      const c = await challengeOf(infer);
      const o = await openPayload(s, p);
      refused(await send(infer, cred({ ...c, id: c.id.slice(0, -2) + 'AA' }, p, o.payload), body(1)), 'InvalidChallenge');
      refused(await send(infer, cred({ ...c, expires: new Date(Date.now() - 1000).toISOString() }, p, o.payload), body(1)), 'InvalidChallenge'); // changing a bound field breaks the HMAC
      const requestB64 = Buffer.from(JSON.stringify({ ...c.request, amount: '1' })).toString('base64url');
      refused(await send(infer, cred({ ...c, requestB64 }, p, o.payload), body(1)), 'InvalidChallenge');
      expect((await s.rpc.getAccount(p.address)).nonce, 'nothing was broadcast').to.equal('0');
    });

    it('an expired challenge (issued by us) is refused as PaymentExpired with a fresh challenge', async () => {
      const short = await startStack({ price: PRICE });
      try {
        const p = payer();
        const url = `${short.url}/v1/infer`;
        const c = await challengeOf(url);
        const o = await openPayload(short, p);
        // The same fields with a past expiry, under the server's own secret.
        const { createChallenge } = await import('../../payments/index.js');
        const past = createChallenge(short.payments.server.terms.secret, { ...short.payments.server.challenge(), expires: new Date(Date.now() - 1).toISOString() });
        const r = await send(url, cred(past, p, o.payload), body(1));
        refused(r, 'PaymentExpired');
        expect(r.challenge!.id).to.not.equal(c.id);
      } finally {
        await short.stop();
      }
    });

    it('oversize Authorization headers are refused with 431 HeaderTooLarge', async () => {
      refused(await send(infer, 'Payment ' + 'A'.repeat(70_000), body(1)), 'HeaderTooLarge', 431);
    });
  });

  describe('open', () => {
    it('opens, charges the first unit, returns 200 with a receipt', async () => {
      const p = payer();
      const o = await opened(p);
      const r = (await s.payments.store.get(o.channelId))!;
      expect(r).to.deep.include({ spent: PRICE, units: 1, highestVoucherAmount: PRICE, deposit: 1000n, finalized: false });
    });

    it('rejects the wrong target, smuggled calls, a descriptor/id mismatch, a bad initial voucher and uint96 overflow', async () => {
      const p = payer();
      const c = await challengeOf(infer);
      const o = await openPayload(s, p);
      // Another channel's descriptor under this id.
      refused(await send(infer, cred(c, p, { ...o.payload, descriptor: { ...o.descriptor, salt: ('0x' + '22'.repeat(32)) as never } }), body(1)), 'ChannelMismatch');
      // A transaction for another method of the escrow (a smuggled call instead of open).
      const { toHex, signTx } = await import('../../sdk/chain.js');
      const nonce = BigInt((await s.rpc.getAccount(p.address)).pendingNonce);
      const requestClose = signTx({ chainId: 1337n, nonce, from: p.address, to: '0x4d50500000000000000000000000000000000000' as never, method: 'requestClose', args: [], gasLimit: 1_000_000n, gasPrice: 1_000_000_000n }, p);
      refused(await send(infer, cred(c, p, { ...o.payload, transaction: toHex(requestClose.raw) }), body(1)), 'InvalidTransaction');
      // The same open sent to another address (wrong target).
      const lux = signTx({ chainId: 1337n, nonce, from: p.address, to: '0x4c55580000000000000000000000000000000000' as never, method: 'open', args: [], gasLimit: 1_000_000n, gasPrice: 1_000_000_000n }, p);
      refused(await send(infer, cred(c, p, { ...o.payload, transaction: toHex(lux.raw) }), body(1)), 'ForeignEscrow');
      // A voucher signed by someone else.
      refused(await send(infer, cred(c, p, { ...o.payload, signature: (voucherFor(devSigner(8, 'secp256k1'), o, PRICE) as { signature: string }).signature }), body(1)), 'InvalidSignature');
      // uint96 overflow in an amount.
      const raw = JSON.parse(Buffer.from(cred(c, p, o.payload).slice(8), 'base64url').toString());
      raw.payload.cumulativeAmount = (1n << 96n).toString();
      refused(await send(infer, 'Payment ' + Buffer.from(JSON.stringify(raw)).toString('base64url'), body(1)), 'MalformedCredential');
      // An open voucher below one unit, or above the deposit.
      refused(await send(infer, cred(c, p, (await openPayload(s, p, { first: 5n })).payload), body(1)), 'InsufficientBalance');
      refused(await send(infer, cred(c, p, (await openPayload(s, p, { deposit: 100n, first: 200n })).payload), body(1)), 'AmountExceedsDeposit');
      expect((await s.rpc.getAccount(p.address)).nonce, 'nothing was broadcast').to.equal('0');
      expect(await s.payments.store.get(o.channelId)).to.equal(undefined);
    });

    it('refuses a channel for another payee or token, or with an operator outside the trust model', async () => {
      const p = payer();
      const c = await challengeOf(infer);
      refused(await send(infer, cred(c, p, (await openPayload(s, p, { payee: devSigner(8, 'secp256k1').address })).payload), body(1)), 'WrongPayee');
      refused(await send(infer, cred(c, p, (await openPayload(s, p, { token: '0x20c0000000000000000000000000000000000099' })).payload), body(1)), 'WrongToken');
      refused(await send(infer, cred(c, p, (await openPayload(s, p, { operator: devSigner(8, 'secp256k1').address })).payload), body(1)), 'WrongOperator');
    });

    it('respond: an empty open POST answers 204 with a receipt and charges nothing', async () => {
      const p = payer();
      const c = await challengeOf(infer);
      const o = await openPayload(s, p);
      const r = await send(infer, cred(c, p, o.payload));
      expect(r.status).to.equal(204);
      expect(r.receipt).to.be.a('string');
      expect((await s.payments.store.get(o.channelId))!.spent).to.equal(0n);
    });
  });

  describe('vouchers', () => {
    it('an exact replay is idempotent; lower, sub-delta and over-deposit vouchers are refused; content is charged once per unit', async () => {
      const p = payer();
      const o = await opened(p, 100n);
      const c = await challengeOf(infer);
      const v20 = cred(c, p, voucherFor(p, o, 20n));
      expect((await send(infer, v20)).status).to.equal(204);
      const replay = await send(infer, v20);
      expect(replay.status, 'an exact replay changes nothing').to.equal(204);
      expect((await s.payments.store.get(o.channelId))!.highestVoucherAmount).to.equal(20n);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 15n))), 'VoucherNotIncreasing');
      refused(await send(infer, cred(c, p, voucherFor(p, o, 22n))), 'DeltaTooSmall');
      refused(await send(infer, cred(c, p, voucherFor(p, o, 110n))), 'AmountExceedsDeposit');
      // Content with the accepted voucher: one unit charged; the same voucher again has no balance left.
      expect((await send(infer, v20, body(2))).status).to.equal(200);
      refused(await send(infer, v20, body(3)), 'InsufficientBalance');
      expect((await s.payments.store.get(o.channelId))!).to.deep.include({ spent: 20n, units: 2, highestVoucherAmount: 20n });
    });

    it('source binding: a voucher whose source is another account is refused (mppx #628)', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 30n), sourceDid(1337, devSigner(8, 'secp256k1').address))), 'SourceMismatch');
      refused(await send(infer, cred(c, p, voucherFor(p, o, 30n), sourceDid(1, p.address))), 'SourceMismatch');
      refused(await send(infer, cred(c, p, voucherFor(p, o, 30n), '')), 'SourceMismatch');
    });

    it('a voucher for another channel or chain is refused', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      const other = { ...voucherFor(p, o, 30n), channelId: ('0x' + 'ab'.repeat(32)) as never };
      refused(await send(infer, cred(c, p, other)), 'ChannelMismatch');
      const { signVoucher } = await import('../../sdk/precompiles/index.js');
      refused(await send(infer, cred(c, p, { ...(voucherFor(p, o, 30n) as VoucherPayload), signature: signVoucher(p, o.channelId, 30n, 1) })), 'InvalidSignature');
    });

    it('a replay after on-chain settlement catches up is refused (≤ settled), even at the accepted amount', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      expect((await send(infer, cred(c, p, voucherFor(p, o, 40n)), body(2))).status).to.equal(200);
      // The payee settles 40 on chain behind the server's back.
      await new EscrowRpcClient(s.rpc).settle(s.payee, o.descriptor, 40n, (voucherFor(p, o, 40n) as { signature: string }).signature);
      s.payments.server.chain.forget(o.channelId);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 40n))), 'VoucherNotIncreasing');
    });

    it('a payer close request seen on chain stops the channel (ChannelFinalized, 410); so does a withdrawn (zero-deposit) one', async () => {
      const escrow = new EscrowRpcClient(s.rpc);
      const p = payer();
      const o = await opened(p);
      const q = payer();
      const g = await opened(q);
      await escrow.requestClose(p, o.descriptor);
      await escrow.requestClose(q, g.descriptor);
      s.payments.server.chain.forget(o.channelId);
      const c = await challengeOf(infer);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 30n))), 'ChannelFinalized', 410);
      expect((await s.payments.store.get(o.channelId))!.closeRequestedAt).to.be.above(0);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 30n)), body(2)), 'ChannelFinalized', 410);
      // After the grace period the payer withdraws: the slot is deleted (deposit 0 on chain).
      await s.rpc.call('dev.IncreaseTime', [901]);
      expect((await escrow.withdraw(q, g.descriptor)).status).to.equal(1);
      s.payments.server.chain.forget(g.channelId);
      refused(await send(infer, cred(c, q, voucherFor(q, g, 30n))), 'ChannelFinalized', 410);
    });

    it('concurrent vouchers max-merge: a racing lower voucher never regresses the accepted amount', async () => {
      const p = payer();
      const o = await opened(p, 10_000n);
      const c = await challengeOf(infer);
      const amounts = [100n, 60n, 200n, 150n, 180n, 30n];
      await Promise.all(amounts.map((a) => send(infer, cred(c, p, voucherFor(p, o, a)))));
      expect((await s.payments.store.get(o.channelId))!.highestVoucherAmount).to.equal(200n);
    });

    it('Idempotency-Key: a retried content request is answered from memory and charged once', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      const v = cred(c, p, voucherFor(p, o, 20n));
      const a = await send(infer, v, body(7), { 'Idempotency-Key': 'k-1' });
      const b = await send(infer, v, body(7), { 'Idempotency-Key': 'k-1' });
      expect(a.status).to.equal(200);
      expect(b.status).to.equal(200);
      expect(b.body).to.equal(a.body);
      expect((await s.payments.store.get(o.channelId))!.spent).to.equal(20n);
    });

    it('bad input to the handler is a 400 and charges nothing', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 20n)), JSON.stringify({ input: '0x1234' })), 'BadRequest', 400);
      expect((await s.payments.store.get(o.channelId))!.spent).to.equal(PRICE);
    });
  });

  describe('top-up and close', () => {
    it('a top-up of an unknown channel is refused; a top-up answers 204 and raises the deposit', async () => {
      const p = payer();
      const c = await challengeOf(infer);
      const o = await openPayload(s, p);
      const { withTopUp } = await import('../../payments/client/credentials.js');
      const unknown = await withTopUp(s.rpc, p, o.channelId, o.descriptor, 50n, async (payload) => send(infer, cred(c, p, payload)));
      refused(unknown, 'ChannelNotFound', 410);
      const got = await send(infer, cred(c, p, (await openPayload(s, p, { salt: '0x' + '99'.repeat(32) })).payload), body(1));
      expect(got.status).to.equal(200);
      const ch = (await s.payments.store.list()).find((r) => r.descriptor.payer === p.address)!;
      const r = await withTopUp(s.rpc, p, ch.channelId, ch.descriptor, 500n, async (payload) => {
        const res = await send(infer, cred(c, p, payload));
        if (res.status !== 204) throw new Error(res.body);
        return res;
      });
      expect(r.status).to.equal(204);
      expect((await s.payments.store.get(ch.channelId))!.deposit).to.equal(1500n);
    });

    it('close refuses amounts below spent or settled; captures max(spent, settled); 204 with a txHash receipt', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      expect((await send(infer, cred(c, p, voucherFor(p, o, 50n)), body(2))).status).to.equal(200); // spent 20, accepted 50
      refused(await send(infer, cred(c, p, voucherFor(p, o, 15n, 'close'))), 'VoucherNotIncreasing');
      const before = await s.balance(s.payee.address);
      const r = await send(infer, cred(c, p, voucherFor(p, o, 50n, 'close')));
      expect(r.status).to.equal(204);
      const receipt = JSON.parse(Buffer.from(r.receipt!, 'base64url').toString());
      expect(receipt).to.include({ acceptedCumulative: '50', spent: '20' });
      expect(receipt.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect((await s.balance(s.payee.address)) - before, 'the payee captures what was spent, not what was authorized').to.equal(20n);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 60n)), body(3)), 'ChannelFinalized', 410);
    });

    it('pending close is marked before broadcast, blocks charges meanwhile, and is restored when the broadcast fails', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      const escrow = s.payments.server.chain.escrow;
      const real = escrow.close.bind(escrow);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let sawClosing = false;
      escrow.close = (async () => {
        sawClosing = (await s.payments.store.get(o.channelId))!.closing;
        await gate;
        throw new Error('broadcast failed');
      }) as typeof real;
      try {
        const closing = send(infer, cred(c, p, voucherFor(p, o, 10n, 'close')));
        while (!(await s.payments.store.get(o.channelId))!.closing) await new Promise((r) => setImmediate(r));
        refused(await send(infer, cred(c, p, voucherFor(p, o, 20n)), body(2)), 'CloseInProgress', 410);
        release();
        refused(await closing, 'InternalPaymentError', 500);
      } finally {
        escrow.close = real;
      }
      expect(sawClosing).to.equal(true);
      expect((await s.payments.store.get(o.channelId))!.closing, 'the mark is restored').to.equal(false);
      expect((await send(infer, cred(c, p, voucherFor(p, o, 20n)), body(3))).status).to.equal(200);
    });

    it('close of an unknown channel is refused by name', async () => {
      const p = payer();
      const c = await challengeOf(infer);
      const o = await openPayload(s, p);
      refused(await send(infer, cred(c, p, voucherFor(p, o, 10n, 'close'))), 'ChannelNotFound', 410);
    });
  });

  describe('bootstrap and snapshots', () => {
    it('HEAD: a zero-amount charge challenge; a proof answers 204 with Payment-Session and a snapshot; a replayed proof is refused', async () => {
      const p = payer();
      const o = await opened(p);
      const { httpRequest, parseChallenge, signProof, serializeCredential, decodeSnapshotHeader } = await import('../../payments/index.js');
      const head = await httpRequest(infer, { method: 'HEAD' });
      expect(head.status).to.equal(402);
      const c = parseChallenge(head.header('www-authenticate')!);
      expect(c.intent).to.equal('charge');
      expect(c.request).to.deep.include({ amount: '0' });
      const proof = serializeCredential({ challenge: c, source: sourceDid(1337, p.address), payload: { type: 'proof', signature: signProof(p, c.id) } });
      const ok = await httpRequest(infer, { method: 'HEAD', headers: { Authorization: proof } });
      expect(ok.status).to.equal(204);
      expect(ok.header('payment-session')).to.equal(o.channelId);
      const snap = decodeSnapshotHeader(ok.header('payment-session-snapshot')!);
      expect(snap).to.deep.include({ channelId: o.channelId, acceptedCumulative: PRICE, spent: PRICE });
      const again = await httpRequest(infer, { method: 'HEAD', headers: { Authorization: proof } });
      expect(again.status).to.equal(402);
      // A proof signed by someone else for this source is refused.
      const c2 = parseChallenge((await httpRequest(infer, { method: 'HEAD' })).header('www-authenticate')!);
      const forged = serializeCredential({ challenge: c2, source: sourceDid(1337, p.address), payload: { type: 'proof', signature: signProof(devSigner(8, 'secp256k1'), c2.id) } });
      expect((await httpRequest(infer, { method: 'HEAD', headers: { Authorization: forged } })).status).to.equal(402);
    });

    it('a Payment-Session hint gets a snapshot with requiredCumulative = spent + price; none for a closed channel', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer, { 'Payment-Session': o.channelId });
      const snap = (c.request.methodDetails as { sessionSnapshot?: Record<string, unknown> }).sessionSnapshot!;
      expect(snap).to.deep.include({ channelId: o.channelId, requiredCumulative: '20', acceptedCumulative: '10', spent: '10' });
      expect(serializeChallenge(c)).to.contain('method="sessionchain"');
      const closeC = await challengeOf(infer);
      expect((await send(infer, cred(closeC, p, voucherFor(p, o, 10n, 'close')))).status).to.equal(204);
      const after = await challengeOf(infer, { 'Payment-Session': o.channelId });
      expect((after.request.methodDetails as { sessionSnapshot?: unknown }).sessionSnapshot).to.equal(undefined);
    });
  });

  describe('channel store and settlement', () => {
    it('concurrent deductions never overspend', async () => {
      const p = payer();
      const o = await opened(p, 1000n);
      const c = await challengeOf(infer);
      expect((await send(infer, cred(c, p, voucherFor(p, o, 60n)))).status).to.equal(204); // 50 available
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => s.payments.server.charge(o.channelId)));
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(5);
      expect((await s.payments.store.get(o.channelId))!.spent).to.equal(60n);
    });

    it('settles only what was delivered, once; a second settle finds nothing to do', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      expect((await send(infer, cred(c, p, voucherFor(p, o, 20n)), body(2))).status).to.equal(200); // spent 20 = accepted 20
      expect((await send(infer, cred(c, p, voucherFor(p, o, 30n)))).status).to.equal(204); // accepted 30, not consumed
      const first = await s.payments.settlement.settle(o.channelId);
      expect(first!.channels).to.deep.equal([{ channelId: o.channelId, amount: 20n }]);
      expect((await s.payments.server.chain.escrow.state(o.channelId)).settled).to.equal(20n);
      expect(await s.payments.settlement.settle(o.channelId), 'nothing more to settle').to.equal(undefined);
    });

    it('the scheduler settles due channels in the background; settleBatch puts N channels in ONE transaction and block', async () => {
      const sched = await startStack({ price: PRICE, settlement: { units: 2 } });
      try {
        const url = `${sched.url}/v1/infer`;
        const clients = [0, 1, 2, 3].map((i) => sched.client({ signer: devSigner(i, 'secp256k1') }));
        const settledTx: string[] = [];
        sched.payments.settlement.onSettled = (r) => settledTx.push(r.txHash);
        for (const m of clients.slice(0, 3)) for (let k = 0; k < 2; k++) await m.fetch(url, { body: body(k) });
        await sched.payments.settlement.idle();
        const ids = (await sched.payments.store.list()).map((r) => r.channelId);
        for (const id of ids) expect((await sched.payments.server.chain.escrow.state(id)).settled, 'due after 2 units, settled in the background').to.equal(20n);
        // Now three more units each, below the threshold, then one explicit batch.
        sched.payments.settlement.onSettled = undefined;
        for (const m of clients.slice(0, 3)) await m.fetch(url, { body: body(9) });
        const [batch, ...more] = await sched.payments.settlement.settleBatch(ids);
        expect(more).to.have.length(0);
        expect(batch!.channels.map((c) => c.amount)).to.deep.equal([30n, 30n, 30n]);
        const receipt = (await sched.rpc.getReceipt(batch!.txHash))!;
        expect(receipt.events.filter((e) => e.name === 'Settled')).to.have.length(3);
        expect(receipt.height).to.equal(batch!.height);
        for (const id of ids) expect((await sched.payments.server.chain.escrow.state(id)).settled).to.equal(30n);
      } finally {
        await sched.stop();
      }
    });

    it('a close request seen by the poll is settled at once (before the grace period ends)', async () => {
      const p = payer();
      const o = await opened(p);
      const c = await challengeOf(infer);
      expect((await send(infer, cred(c, p, voucherFor(p, o, 20n)), body(2))).status).to.equal(200);
      await new EscrowRpcClient(s.rpc).requestClose(p, o.descriptor);
      await s.payments.settlement.tick();
      expect((await s.payments.server.chain.escrow.state(o.channelId)).settled).to.equal(20n);
      expect((await s.payments.store.get(o.channelId))!.closeRequestedAt).to.be.above(0);
    });
  });

  // Last: it takes a payer, and the tests above rely on which dev account each payer() call gives.
  describe('a channel this server has no record of', () => {
    it('a forged voucher for an open channel this server has no record of is refused and stores nothing; the payer\'s own voucher recovers it', async () => {
      const p = payer();
      const o = await openPayload(s, p, { salt: '0x' + 'ee'.repeat(32) });
      await s.rpc.sendTransaction(o.payload.transaction, { wait: true }); // opened on chain, not through this server
      const c = await challengeOf(infer);
      refused(await send(infer, cred(c, p, voucherFor(devSigner(8, 'secp256k1'), o, 50n)), body(1)), 'InvalidSignature');
      expect(await s.payments.store.get(o.channelId), 'no record for an unsigned voucher').to.equal(undefined);
      const ok = await send(infer, cred(await challengeOf(infer), p, voucherFor(p, o, 50n)), body(1));
      expect(ok.status, ok.body).to.equal(200);
      expect((await s.payments.store.get(o.channelId))!.highestVoucherAmount).to.equal(50n);
    });
  });
});

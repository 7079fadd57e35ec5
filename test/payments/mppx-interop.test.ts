/**
 * Acceptance 3: wire compatibility with the real `mppx` package. Its `Challenge.fromResponse`
 * parses our 402s (and its HMAC `Challenge.verify` agrees with our id), its `Credential.serialize`
 * output is accepted by our server (a content request is answered and charged), and its
 * `Receipt.fromResponse` parses our receipts; its `Errors` type URIs are ours.
 */
import { expect } from 'chai';
import { Challenge, Credential, Errors, Receipt } from 'mppx';
import { devSigner } from '../../sdk/chain.js';
import { signVoucher } from '../../sdk/precompiles/index.js';
import { httpRequest, PROBLEM_BASE, PROBLEM_KINDS, sourceDid } from '../../payments/index.js';
import { row, startStack, type Stack } from './harness.js';

async function asFetchResponse(res: Awaited<ReturnType<typeof httpRequest>>): Promise<Response> {
  const body = res.status === 204 ? null : await res.text();
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
  return new Response(body, { status: res.status, headers });
}

describe('payments: mppx interop (the real npm package)', function () {
  this.timeout(120_000);
  let s: Stack;
  before(async () => {
    s = await startStack({ price: 10n, secret: new TextEncoder().encode('interop secret') });
  });
  after(async () => s?.stop());

  it('mppx Challenge.fromResponse parses our 402 and its HMAC check agrees with our id', async () => {
    const res = await asFetchResponse(await httpRequest(`${s.url}/v1/infer`, { method: 'POST', body: JSON.stringify({ input: row(1) }) }));
    expect(res.status).to.equal(402);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const c = Challenge.fromResponse(res);
    expect(c).to.include({ method: 'sessionchain', intent: 'session', realm: 'sessionchain' });
    expect(c.request).to.deep.include({ amount: '10', recipient: s.payee.address, unitType: 'inference' });
    expect((c.request as { methodDetails: Record<string, unknown> }).methodDetails).to.deep.include({ sessionProtocol: 'v2', chainId: 1337, escrowContract: '0x4d50500000000000000000000000000000000000' });
    // mppx recomputes the 7-slot HMAC id (over its own JCS re-serialization of the request) and agrees.
    expect(Challenge.verify(c, { secretKey: 'interop secret' })).to.equal(true);
    expect(Challenge.verify(c, { secretKey: 'another secret' })).to.equal(false);
    const problem = (await res.json()) as { type: string; status: number };
    expect(problem.type).to.equal(new Errors.PaymentRequiredError().type);
  });

  it('mppx Credential.serialize output is accepted by our server, and mppx Receipt.fromResponse parses the receipt', async () => {
    const payer = devSigner(3, 'secp256k1');
    const client = s.client({ signer: payer });
    // Open a channel with our client, then pay the next request with a credential mppx serialized.
    await client.fetch(`${s.url}/v1/infer`, { body: JSON.stringify({ input: row(2) }) });
    const entry = client.store.all()[0]!;
    const probe = await asFetchResponse(await httpRequest(`${s.url}/v1/infer`, { method: 'POST' }));
    const challenge = Challenge.fromResponse(probe);
    const amount = entry.cumulative + 10n;
    const header = Credential.serialize(
      Credential.from({
        challenge,
        source: sourceDid(1337, payer.address),
        payload: { action: 'voucher', channelId: entry.channelId, descriptor: entry.descriptor, cumulativeAmount: amount.toString(), signature: signVoucher(payer, entry.channelId, amount, 1337) },
      }),
    );
    // mppx's own parser reads it back, as a server of theirs would.
    expect(Credential.deserialize(header).payload).to.deep.include({ action: 'voucher', channelId: entry.channelId });
    const res = await asFetchResponse(await httpRequest(`${s.url}/v1/infer`, { method: 'POST', body: JSON.stringify({ input: row(3) }), headers: { Authorization: header, 'Content-Type': 'application/json' } }));
    expect(res.status, await res.clone().text()).to.equal(200);
    const receipt = Receipt.fromResponse(res) as ReturnType<typeof Receipt.fromResponse> & { channelId: string; spent: string; acceptedCumulative: string; challengeId: string };
    expect(receipt).to.include({ method: 'sessionchain', status: 'success', reference: entry.channelId, channelId: entry.channelId, challengeId: challenge.id, acceptedCumulative: amount.toString(), spent: '20' });
    const record = await s.payments.store.get(entry.channelId);
    expect(record!.spent).to.equal(20n);
    expect(record!.highestVoucherAmount).to.equal(amount);
  });

  it('problem type URIs and statuses equal mppx Errors', () => {
    const pairs: [string, { type: string; status: number }][] = [
      ['session/invalid-signature', new Errors.InvalidSignatureError()],
      ['session/amount-exceeds-deposit', new Errors.AmountExceedsDepositError()],
      ['session/insufficient-balance', new Errors.InsufficientBalanceError()],
      ['session/delta-too-small', new Errors.DeltaTooSmallError()],
      ['session/channel-not-found', new Errors.ChannelNotFoundError()],
      ['session/channel-finalized', new Errors.ChannelClosedError()],
      ['malformed-credential', new Errors.MalformedCredentialError()],
      ['invalid-challenge', new Errors.InvalidChallengeError()],
      ['payment-expired', new Errors.PaymentExpiredError()],
      ['bad-request', new Errors.BadRequestError()],
    ];
    for (const [kind, e] of pairs) {
      expect(PROBLEM_BASE + kind).to.equal(e.type);
      expect(PROBLEM_KINDS[kind as keyof typeof PROBLEM_KINDS].status).to.equal(e.status);
    }
  });
});

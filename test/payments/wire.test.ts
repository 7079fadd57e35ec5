/**
 * The Payment scheme's wire format: challenge ids bind all seven slots, challenges and credentials
 * round-trip (property tests, fixed seeds), amounts are strict uint96 decimal strings, the SSE
 * decoder accepts LF and CRLF framing, WS frames parse strictly, and every problem name maps to
 * the spec's type and status.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import {
  challengeIdValid,
  createChallenge,
  parseAmount,
  parseChallenge,
  parseCredentialHeader,
  parseSessionPayload,
  parseWsFrame,
  PAYMENT_ERRORS,
  PaymentProblem,
  serializeChallenge,
  serializeCredential,
  sseDecoder,
  sseMessage,
  type SseEvent,
} from '../../payments/index.js';

const SECRET = new TextEncoder().encode('wire test secret');
const printable = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));

describe('payments wire format', () => {
  it('a challenge round-trips through WWW-Authenticate and its id binds every slot (property)', () => {
    fc.assert(
      fc.property(printable, printable, fc.option(printable, { nil: undefined }), fc.bigInt({ min: 0n, max: (1n << 96n) - 1n }), (realm, description, opaque, amount) => {
        const c = createChallenge(SECRET, { realm, method: 'sessionchain', intent: 'session', request: { amount: amount.toString(), nested: { z: 1, a: 'x' } }, expires: '2030-01-01T00:00:00.000Z', description, ...(opaque !== undefined ? { opaque } : {}) });
        const back = parseChallenge(serializeChallenge(c));
        expect(back).to.deep.equal(c);
        expect(challengeIdValid(SECRET, back)).to.equal(true);
        for (const k of ['realm', 'method', 'intent', 'expires'] as const) expect(challengeIdValid(SECRET, { ...back, [k]: back[k] + 'x' })).to.equal(false);
        expect(challengeIdValid(SECRET, { ...back, opaque: (back.opaque ?? '') + 'x' })).to.equal(false);
        expect(challengeIdValid(new TextEncoder().encode('other'), back)).to.equal(false);
      }),
      { seed: 9, numRuns: 60 },
    );
  });

  it('the request is JCS: keys sorted, no whitespace, whatever the input order', () => {
    const a = createChallenge(SECRET, { realm: 'r', method: 'm', intent: 'i', request: { b: '1', a: { d: 2, c: 3 } } });
    const b = createChallenge(SECRET, { realm: 'r', method: 'm', intent: 'i', request: { a: { c: 3, d: 2 }, b: '1' } });
    expect(a.requestB64).to.equal(b.requestB64);
    expect(Buffer.from(a.requestB64, 'base64url').toString()).to.equal('{"a":{"c":3,"d":2},"b":"1"}');
    expect(a.id).to.equal(b.id);
  });

  it('a credential round-trips and its payload shape is checked by name', () => {
    const c = createChallenge(SECRET, { realm: 'r', method: 'sessionchain', intent: 'session', request: { amount: '1' } });
    const descriptor = { payer: '0x' + '11'.repeat(20), payee: '0x' + '22'.repeat(20), operator: '0x' + '00'.repeat(20), token: '0x20c0000000000000000000000000000000000000', salt: '0x' + '01'.repeat(32), authorizedSigner: '0x' + '33'.repeat(20), expiringNonceHash: '0x' + '02'.repeat(32) };
    const payload = { action: 'voucher' as const, channelId: ('0x' + 'aa'.repeat(32)) as never, descriptor: descriptor as never, cumulativeAmount: 42n, signature: '0x' + '0b'.repeat(65) };
    const raw = parseCredentialHeader(serializeCredential({ challenge: c, source: 'did:pkh:eip155:1337:0x' + '11'.repeat(20), payload }));
    expect(raw.challenge).to.deep.equal(c);
    expect(parseSessionPayload(raw.payload)).to.deep.include({ action: 'voucher', cumulativeAmount: 42n });
    const bad = (p: Record<string, unknown>, name: string) => {
      let err: unknown;
      try {
        parseSessionPayload(p);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(p).slice(0, 80)).to.be.instanceOf(PaymentProblem);
      expect((err as PaymentProblem).name).to.equal(name);
    };
    const json = { ...payload, cumulativeAmount: '42' } as Record<string, unknown>;
    bad({ ...json, action: 'steal' }, 'MalformedCredential');
    bad({ ...json, cumulativeAmount: 42 }, 'MalformedCredential');
    bad({ ...json, signature: '0x' + '0B'.repeat(65) }, 'InvalidSignature'); // not the canonical lowercase bytes
    bad({ ...json, descriptor: { ...descriptor, salt: '0x01' } }, 'MalformedCredential');
    bad({ ...json, channelId: '0x12' }, 'MalformedCredential');
    const open = { ...json, action: 'open', type: 'transaction', transaction: '0x' + 'f8'.repeat(40) };
    bad({ ...open, authorizedSigner: 'zz' }, 'MalformedCredential'); // was a plain TypeError (an unnamed 500)
    bad({ ...open, authorizedSigner: 7 }, 'MalformedCredential');
  });

  it('amounts are decimal uint96 strings: no sign, exponent, fraction, spaces, leading zeros or overflow', () => {
    expect(parseAmount('0', 'a')).to.equal(0n);
    expect(parseAmount(((1n << 96n) - 1n).toString(), 'a')).to.equal((1n << 96n) - 1n);
    for (const v of ['-1', '+1', '1e3', '1.5', ' 1', '01', '', (1n << 96n).toString(), '1'.repeat(30), 5, null]) expect(() => parseAmount(v, 'a'), String(v)).to.throw(PaymentProblem);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 96n) - 1n }), (n) => parseAmount(n.toString(), 'a') === n), { seed: 3, numRuns: 200 });
  });

  it('SSE: messages split per line, and the decoder reads LF and CRLF framing alike', () => {
    const events: SseEvent[] = [];
    const d = sseDecoder((e) => events.push(e));
    const text = sseMessage('line one\nline two', '0') + 'event: payment-need-voucher\r\ndata: {"channelId":"0x1","requiredCumulative":"2","acceptedCumulative":"1","deposit":"5"}\r\n\r\n' + 'event: something-else\ndata: x\n\n';
    for (const ch of text.match(/[\s\S]{1,7}/g)!) d.feed(ch); // arbitrary chunking
    expect(events).to.deep.equal([
      { type: 'message', data: 'line one\nline two', id: '0' },
      { type: 'payment-need-voucher', data: { channelId: '0x1', requiredCumulative: '2', acceptedCumulative: '1', deposit: '5' } },
      { type: 'message', data: 'x' },
    ]);
  });

  it('WS frames parse strictly', () => {
    expect(parseWsFrame('{"mpp":"message","data":"x"}')).to.deep.equal({ mpp: 'message', data: 'x' });
    expect(parseWsFrame('{"mpp":"payment-close-request"}')).to.deep.equal({ mpp: 'payment-close-request' });
    for (const bad of ['', 'null', '[]', '{"mpp":"message","data":1}', '{"mpp":"nope"}', '{"mpp":"payment-receipt","data":{}}']) expect(parseWsFrame(bad), bad).to.equal(null);
  });

  it('every error name maps to a spec problem type and status', () => {
    for (const name of Object.keys(PAYMENT_ERRORS) as (keyof typeof PAYMENT_ERRORS)[]) {
      const p = new PaymentProblem(name, 'x').toProblem('cid');
      expect(p.type).to.match(/^https:\/\/paymentauth\.org\/problems\/[a-z/-]+$/);
      expect([400, 402, 410, 431, 500]).to.include(p.status);
      expect(p).to.include({ name, challengeId: 'cid' });
    }
  });
});

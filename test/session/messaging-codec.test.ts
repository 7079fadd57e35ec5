import { expect } from 'chai';
import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, decodeValue, encodeValue, rlpEncode, toAddress, u32be, u64be, utf8 } from '../../sdk/chain.js';
import {
  computeMessagingSessionId,
  decodeBundle,
  DEFAULT_MESSAGING_PARAMS,
  encodeBundle,
  messageId,
  messageSigningPayload,
  closeSigningPayload,
  parseMessagingParams,
} from '../../sdk/session/index.js';
import { sendMessageArgs, createSessionArgs } from '../../vm/session/messaging/schemas.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const participantArb = fc.record({ id: bytes(32), kemKey: bytes(1184) });
const addressArb = bytes(20).map((b) => toAddress(b));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const cmp = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('messaging SessionVM identifiers and codecs', function () {
  describe('session_id (spec §1.9 [P])', () => {
    it('matches the formula written out byte by byte', () => {
      fc.assert(
        fc.property(addressArb, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.array(participantArb, { minLength: 1, maxLength: 4 }), (creator, nonce, ps) => {
          const sorted = [...ps].sort((a, b) => cmp(a.id, b.id));
          const pre = concat(
            utf8('LUX:SessionVM:v1'),
            new Uint8Array(12),
            Buffer.from(creator.slice(2), 'hex'),
            u64be(nonce),
            u32be(ps.length),
            ...sorted.map((p) => p.id),
            sha256(concat(...sorted.map((p) => p.kemKey))),
          );
          expect(hex(computeMessagingSessionId(creator, nonce, ps))).to.equal(hex(sha256(pre)));
        }),
        { numRuns: 30 },
      );
    });

    it('does not depend on the order participants are listed in', () => {
      fc.assert(
        fc.property(addressArb, fc.bigInt({ min: 0n, max: 1000n }), fc.array(participantArb, { minLength: 2, maxLength: 5 }), fc.nat(), (creator, nonce, ps, seed) => {
          const shuffled = [...ps].sort((a, b) => ((a.id[0]! ^ seed) & 0xff) - ((b.id[0]! ^ seed) & 0xff));
          expect(hex(computeMessagingSessionId(creator, nonce, shuffled))).to.equal(hex(computeMessagingSessionId(creator, nonce, ps)));
        }),
        { numRuns: 30 },
      );
    });

    it('changes with the creator, the nonce, a participant or a key', () => {
      fc.assert(
        fc.property(addressArb, addressArb, fc.array(participantArb, { minLength: 1, maxLength: 3 }), bytes(32), (c1, c2, ps, other) => {
          fc.pre(c1 !== c2 && !ps.some((p) => hex(p.id) === hex(other)));
          const base = hex(computeMessagingSessionId(c1, 5n, ps));
          expect(hex(computeMessagingSessionId(c2, 5n, ps))).to.not.equal(base);
          expect(hex(computeMessagingSessionId(c1, 6n, ps))).to.not.equal(base);
          expect(hex(computeMessagingSessionId(c1, 5n, [{ ...ps[0]!, id: other }, ...ps.slice(1)]))).to.not.equal(base);
          const key = ps[0]!.kemKey.slice();
          key[0]! ^= 1;
          expect(hex(computeMessagingSessionId(c1, 5n, [{ ...ps[0]!, kemKey: key }, ...ps.slice(1)]))).to.not.equal(base);
        }),
        { numRuns: 20 },
      );
    });
  });

  it('message ID and signed payloads follow the spec preimages', () => {
    fc.assert(
      fc.property(bytes(32), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ maxLength: 300 }), (sid, seq, ct) => {
        expect(hex(messageId(sid, seq, ct))).to.equal(hex(sha256(concat(utf8('LUX:SessionMsg:v1'), sid, u64be(seq), sha256(ct)))));
        expect(hex(messageSigningPayload(sid, seq, ct))).to.equal(hex(concat(utf8('LUX:SessionMsg:v1'), sid, u64be(seq), ct)));
        expect(hex(closeSigningPayload(sid))).to.equal(hex(concat(utf8('LUX:SessionClose:v1'), sid)));
      }),
      { numRuns: 50 },
    );
  });

  describe('message bundle', () => {
    const entryArb = fc.record({ recipient: fc.integer({ min: 0, max: 31 }), envelope: fc.uint8Array({ maxLength: 64 }) });

    it('round-trips, in recipient order, whatever order it was given', () => {
      fc.assert(
        fc.property(fc.uniqueArray(entryArb, { selector: (e) => e.recipient, maxLength: 8 }), (entries) => {
          const decoded = decodeBundle(encodeBundle(entries));
          const sorted = [...entries].sort((a, b) => a.recipient - b.recipient);
          expect(decoded.map((e) => [e.recipient, hex(e.envelope)])).to.deep.equal(sorted.map((e) => [e.recipient, hex(e.envelope)]));
        }),
        { numRuns: 50 },
      );
    });

    it('rejects duplicates, disorder, unknown formats and non-canonical bytes (InvalidBundle)', () => {
      const env = new Uint8Array([1, 2, 3]);
      const throwsBundle = (f: () => unknown) => expect(f).to.throw().with.property('name', 'InvalidBundle');
      throwsBundle(() => encodeBundle([{ recipient: 1, envelope: env }, { recipient: 1, envelope: env }]));
      throwsBundle(() => encodeBundle([{ recipient: 32, envelope: env }]));
      const unordered = rlpEncode([new Uint8Array([1]), [[new Uint8Array([2]), env], [new Uint8Array([1]), env]]]);
      throwsBundle(() => decodeBundle(unordered));
      const format2 = rlpEncode([new Uint8Array([2]), [[new Uint8Array([1]), env]]]);
      throwsBundle(() => decodeBundle(format2));
      throwsBundle(() => decodeBundle(concat(encodeBundle([{ recipient: 0, envelope: env }]), new Uint8Array([0]))));
      throwsBundle(() => decodeBundle(new Uint8Array([0xff])));
    });
  });

  it('method arguments are canonical RLP: decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ maxLength: 200 }), bytes(1952), bytes(3309), (sessionId, sender, seq, ciphertext, senderKey, signature) => {
        const v = { sessionId, sender, seq, ciphertext, senderKey, signature };
        const enc = encodeValue(sendMessageArgs, v);
        const back = decodeValue(sendMessageArgs, enc);
        expect(hex(encodeValue(sendMessageArgs, back))).to.equal(hex(enc));
        expect(back.seq).to.equal(seq);
      }),
      { numRuns: 20 },
    );
    const good = { participants: [], ttlBlocks: 0n, envelopeVersion: 2 };
    const enc = encodeValue(createSessionArgs, good);
    expect(decodeValue(createSessionArgs, enc)).to.deep.equal(good);
    expect(() => decodeValue(createSessionArgs, concat(enc, new Uint8Array([0])))).to.throw();
  });

  describe('genesis parameters', () => {
    it('default to upstream config values', () => {
      expect(parseMessagingParams({})).to.deep.equal(DEFAULT_MESSAGING_PARAMS);
      expect(parseMessagingParams(undefined)).to.deep.equal(DEFAULT_MESSAGING_PARAMS);
      expect(DEFAULT_MESSAGING_PARAMS).to.deep.include({ maxMessages: 10_000n, maxChannels: 1_000n, retentionDays: 30n, maxParticipants: 32, maxCiphertextBytes: 65536 });
      expect(parseMessagingParams({ maxMessages: '5', retentionDays: 2 })).to.deep.include({ maxMessages: 5n, retentionDays: 2n });
    });

    it('reject unknown keys, out-of-range values and an inconsistent TTL', () => {
      expect(() => parseMessagingParams({ maxMesages: 5 })).to.throw(/unknown sessionvm parameter "maxMesages"/);
      expect(() => parseMessagingParams({ maxParticipants: 33 })).to.throw(/maxParticipants must be between 1 and 32/);
      expect(() => parseMessagingParams({ maxCiphertextBytes: 65537 })).to.throw(/maxCiphertextBytes/);
      expect(() => parseMessagingParams({ retentionDays: 0 })).to.throw(/retentionDays/);
      expect(() => parseMessagingParams({ maxMessages: -1 })).to.throw();
      expect(() => parseMessagingParams({ sessionTtlBlocks: 10, maxTtlBlocks: 5 })).to.throw(/must not exceed maxTtlBlocks/);
      expect(() => parseMessagingParams([])).to.throw(/must be an object/);
    });
  });
});

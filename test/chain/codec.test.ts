import { expect } from 'chai';
import { rlpDecodeViews, type RlpItem } from '../../chain/codec.js';
import fc from 'fast-check';
import {
  Transaction,
  CodecError,
  rlpEncode,
  rlpDecode,
  t,
  encodeValue,
  decodeValue,
  toAddress,
  concat,
  encodeBlock,
  decodeBlock,
  type BlockHeader,
} from '../../sdk/chain.js';

const arbAddress = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toAddress(b));
const arbU64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const arbMethod = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/);
const arbRlp: fc.Arbitrary<any> = fc.letrec((tie) => ({
  item: fc.oneof({ depthSize: 'small' }, fc.uint8Array({ maxLength: 70 }), fc.array(tie('item'), { maxLength: 4 })),
})).item;

const arbTx = fc.record({
  chainId: arbU64,
  nonce: arbU64,
  from: arbAddress,
  to: arbAddress,
  method: arbMethod,
  args: fc.array(arbRlp, { maxLength: 5 }),
  gasLimit: arbU64,
  gasPrice: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
  signature: fc.uint8Array({ maxLength: 300 }),
});

describe('canonical codec', () => {
  it('transactions round-trip: decode(encode(x)) = x and encode(decode(b)) = b', () => {
    fc.assert(
      fc.property(arbTx, (f) => {
        const tx = Transaction.fromFields(f);
        const back = Transaction.decode(tx.raw);
        expect(back.raw).to.deep.equal(tx.raw);
        expect(back.chainId).to.equal(f.chainId);
        expect(back.nonce).to.equal(f.nonce);
        expect(back.from).to.equal(f.from);
        expect(back.method).to.equal(f.method);
        expect(back.args).to.deep.equal(f.args);
        expect(back.gasPrice).to.equal(f.gasPrice);
        expect(back.signature).to.deep.equal(f.signature);
        expect(back.hash).to.deep.equal(tx.hash);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects integers with leading zero bytes', () => {
    fc.assert(
      fc.property(arbTx, fc.integer({ min: 0, max: 1 }), (f, field) => {
        const tx = Transaction.fromFields(f);
        const items = rlpDecode(tx.raw) as any[];
        items[field] = concat(new Uint8Array([0]), items[field]); // chainId or nonce
        const bad = rlpEncode(items);
        expect(() => Transaction.decode(bad)).to.throw(CodecError, /leading zero|longer than/);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects non-minimal RLP lengths, trailing bytes and truncation', () => {
    const tx = Transaction.fromFields({ chainId: 1n, nonce: 0n, from: toAddress(new Uint8Array(20)), to: toAddress(new Uint8Array(20).fill(1)), method: 'transfer', args: [], gasLimit: 1n, gasPrice: 1n, signature: new Uint8Array(65) });
    // Trailing garbage.
    expect(() => Transaction.decode(concat(tx.raw, new Uint8Array([0])))).to.throw(CodecError);
    // Truncated.
    expect(() => Transaction.decode(tx.raw.subarray(0, tx.raw.length - 1))).to.throw(CodecError);
    // A single byte < 0x80 wrapped as a one-byte string (0x81 0x05) is not canonical.
    expect(() => rlpDecode(new Uint8Array([0x81, 0x05]))).to.throw(CodecError);
    // A short string written with a long length prefix.
    expect(() => rlpDecode(new Uint8Array([0xb8, 0x01, 0x80]))).to.throw(CodecError);
  });

  it('any mutation of a canonical encoding either fails to decode or re-encodes to itself', () => {
    fc.assert(
      fc.property(arbTx, fc.nat(), fc.integer({ min: 1, max: 255 }), (f, pos, xor) => {
        const tx = Transaction.fromFields(f);
        const bytes = tx.raw.slice();
        bytes[pos % bytes.length]! ^= xor;
        let decoded: Transaction | undefined;
        try {
          decoded = Transaction.decode(bytes);
        } catch (e) {
          expect(e).to.be.instanceOf(Error);
          return;
        }
        expect(Transaction.fromFields(decoded).raw).to.deep.equal(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects fields of the wrong shape or size', () => {
    const good = Transaction.fromFields({ chainId: 1n, nonce: 0n, from: toAddress(new Uint8Array(20)), to: toAddress(new Uint8Array(20)), method: 'transfer', args: [], gasLimit: 1n, gasPrice: 1n, signature: new Uint8Array(65) });
    const items = rlpDecode(good.raw) as any[];
    const mutate = (i: number, v: any) => rlpEncode(items.map((x, j) => (j === i ? v : x)));
    expect(() => Transaction.decode(mutate(2, new Uint8Array(19)))).to.throw(/from/);
    expect(() => Transaction.decode(mutate(4, new TextEncoder().encode('not an id')))).to.throw(/method/);
    expect(() => Transaction.decode(mutate(5, new Uint8Array([1])))).to.throw(/args/);
    expect(() => Transaction.decode(rlpEncode(items.slice(0, 8)))).to.throw(/9 items/);
  });

  it('blocks round-trip', () => {
    fc.assert(
      fc.property(fc.array(arbTx, { maxLength: 4 }), arbU64, (txs, height) => {
        const header: BlockHeader = {
          chainId: 7n,
          height,
          parentHash: new Uint8Array(32).fill(1),
          timestamp: 123n,
          producer: toAddress(new Uint8Array(20).fill(2)),
          txRoot: new Uint8Array(32),
          receiptsRoot: new Uint8Array(32),
          stateRoot: new Uint8Array(32).fill(3),
          extraRoots: [['a', new Uint8Array(32)], ['b', new Uint8Array(32).fill(9)]],
          gasUsed: 5n,
          txCount: txs.length,
          signature: new Uint8Array(10),
        };
        const b = { header, txs: txs.map((f) => Transaction.fromFields(f)) };
        const bytes = encodeBlock(b);
        const back = decodeBlock(bytes);
        expect(encodeBlock(back)).to.deep.equal(bytes);
        expect(back.header.extraRoots.map(([n]) => n)).to.deep.equal(['a', 'b']);
      }),
      { numRuns: 50 },
    );
  });

  describe('typed values', () => {
    const schema = t.struct({ to: t.address, amount: t.uint96, memo: t.string(16), tags: t.list(t.bytes32, 3), ok: t.bool, note: t.optional(t.uint32) });
    const arbValue = fc.record({
      to: arbAddress,
      amount: fc.bigInt({ min: 0n, max: (1n << 96n) - 1n }),
      memo: fc.string({ maxLength: 16 }).filter((s) => new TextEncoder().encode(s).length <= 16),
      tags: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 3 }),
      ok: fc.boolean(),
      note: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { nil: null }),
    });

    it('round-trip through RLP and JSON', () => {
      fc.assert(
        fc.property(arbValue, (v) => {
          expect(decodeValue(schema, encodeValue(schema, v))).to.deep.equal(v);
          expect(schema.fromJson(JSON.parse(JSON.stringify(schema.toJson(v))))).to.deep.equal(v);
        }),
        { numRuns: 200 },
      );
    });

    it('accepts positional arrays and by-name objects, trailing optionals may be left out', () => {
      const a = toAddress(new Uint8Array(20).fill(5));
      const byName = schema.fromJson({ to: a, amount: '7', memo: 'x', tags: [], ok: true });
      const positional = schema.fromJson([a, 7, 'x', [], true]);
      expect(byName).to.deep.equal(positional);
      expect(byName.note).to.equal(null);
    });

    it('is strict about amounts: no floats, no unsafe numbers, no signs, no padding', () => {
      const u = t.uint96;
      for (const bad of [-1, 1.5, 2 ** 53, '-1', '+1', ' 1', '1 ', '01', '1e3', '', '0x', 'abc', null, true, {}]) {
        expect(() => u.fromJson(bad as never), String(bad)).to.throw(CodecError);
      }
      expect(() => u.fromJson((1n << 96n).toString())).to.throw(/out of range/);
      expect(u.fromJson('79228162514264337593543950335')).to.equal((1n << 96n) - 1n);
      expect(u.fromJson('0x10')).to.equal(16n);
      expect(u.fromJson(Number.MAX_SAFE_INTEGER)).to.equal(BigInt(Number.MAX_SAFE_INTEGER));
    });

    it('rejects unknown and missing fields by name', () => {
      expect(() => schema.fromJson({ to: '0x' + '00'.repeat(20), amount: '1', memo: '', tags: [], ok: false, extra: 1 })).to.throw(/extra: unknown field/);
      expect(() => schema.fromJson({ to: '0x' + '00'.repeat(20) })).to.throw(/amount: missing/);
    });

    it('checks EIP-55 checksums of mixed-case addresses', () => {
      expect(toAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).to.equal('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');
      expect(() => toAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).to.throw(/checksum/);
      expect(() => t.address.fromJson('0x1234')).to.throw(CodecError);
    });
  });
});


describe('canonical length check', () => {
  it('agrees with re-encoding on random mutations of valid encodings', async () => {
    const { RLP } = await import('@ethereumjs/rlp');
    const { canonicalLength } = await import('../../chain/codec.js');
    fc.assert(
      fc.property(arbRlp, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (item, pos, byte, grow) => {
        const good = RLP.encode(item);
        const bytes = good.slice();
        if (grow) bytes[pos % bytes.length] = byte;
        let decoded: unknown;
        try {
          decoded = RLP.decode(bytes);
        } catch {
          return;
        }
        const byReencoding = Buffer.compare(Buffer.from(RLP.encode(decoded as never)), Buffer.from(bytes)) === 0;
        expect(canonicalLength(decoded as never) === bytes.length).to.equal(byReencoding);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('rlpDecodeViews', () => {
  const item: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
    item: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.uint8Array({ maxLength: 80 }), fc.array(tie('item'), { maxLength: 5 })),
  })).item;

  it('decodes like rlpDecode, into plain Uint8Array views of the input (no copies)', () => {
    fc.assert(
      fc.property(item, (x) => {
        const bytes = rlpEncode(x);
        const views = rlpDecodeViews(bytes);
        expect(views).to.deep.equal(rlpDecode(bytes));
        const walk = (v: RlpItem): void => {
          if (Array.isArray(v)) return v.forEach(walk);
          expect(Object.getPrototypeOf(v)).to.equal(Uint8Array.prototype);
          if (v.length > 1 || (v.length === 1 && v[0]! >= 0x80)) expect(v.buffer).to.equal(bytes.buffer);
        };
        walk(views);
      }),
      { seed: 99, numRuns: 300 },
    );
  });

  it('refuses what rlpDecode refuses, with the same error', () => {
    for (const bad of [Uint8Array.of(0x81, 0x05), Uint8Array.of(0xc2, 0x01), Uint8Array.of(0xb8, 0x01, 0x00)]) {
      expect(() => rlpDecodeViews(bad)).to.throw(CodecError);
      expect(() => rlpDecode(bad)).to.throw(CodecError);
    }
  });
});

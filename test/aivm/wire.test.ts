import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { chainIdFromString, commitHash, decodeReceipt, encodeReceipt, intentId, receiptHash, RECEIPT_LENGTH, taskId, intentPreimage } from '../../vm/aivm/wire.js';

// Reference preimages are built with Buffer writes and hashed with noble's keccak directly, a
// separate path from the module's concat/bytesN helpers.
const K = (b: Buffer | Uint8Array) => Buffer.from(keccak_256(b));
const word = (byte: number) => {
  const b = Buffer.alloc(32);
  b[31] = byte;
  return b;
};
const addr = (byte: number) => {
  const b = Buffer.alloc(20);
  b[19] = byte;
  return b;
};
const u = (v: bigint, n: number) => {
  const b = Buffer.alloc(n);
  let x = v;
  for (let i = n - 1; i >= 0; i--) {
    b[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return b;
};

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const bytes20 = fc.uint8Array({ minLength: 20, maxLength: 20 });

describe('aivm wire formats', () => {
  it('keccak is the legacy-padded variant', () => {
    expect(K(Buffer.alloc(0)).toString('hex')).to.equal('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(K(Buffer.from('abc')).toString('hex')).to.equal('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('chainIdFromString hashes "av/chainid/" + name', () => {
    expect(Buffer.from(chainIdFromString('a-chain'))).to.deep.equal(K(Buffer.from('av/chainid/a-chain')));
    expect(Buffer.from(chainIdFromString(''))).to.deep.equal(K(Buffer.from('av/chainid/')));
  });

  it('intent id: 244-byte preimage in the fixed order', () => {
    fc.assert(
      fc.property(bytes32, bytes32, bytes32, fc.integer({ min: 0, max: 0xffffffff }), bytes20, bytes32, bytes32, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (c, a, tx, ci, caller, spec, prompt, n, thr, fee) => {
        const f = { cChain: c, aChain: a, cTx: tx, callIndex: ci, caller, spec, prompt, n, threshold: thr, fee };
        const pre = Buffer.concat([Buffer.from('lux/aivmbridge/intent/v1'), c, a, tx, u(BigInt(ci), 4), caller, spec, prompt, u(BigInt(n), 2), u(BigInt(thr), 2), u(fee, 32)]);
        expect(pre.length).to.equal(244);
        expect(Buffer.from(intentPreimage(f))).to.deep.equal(pre);
        expect(Buffer.from(intentId(f))).to.deep.equal(K(pre));
      }),
      { numRuns: 200 },
    );
  });

  it('intent id changes with every field (forgery shows as a different id)', () => {
    const base = { cChain: chainIdFromString('c-chain'), aChain: chainIdFromString('a-chain'), cTx: word(0x11), callIndex: 7, caller: addr(0xf0), spec: word(0xab), prompt: word(0xcd), n: 5, threshold: 3, fee: 1n };
    const id = Buffer.from(intentId(base)).toString('hex');
    const variants = [
      { n: 6 },
      { threshold: 5 },
      { caller: addr(0xbe) },
      { aChain: chainIdFromString('other-a-chain') },
      { cChain: chainIdFromString('other') },
      { cTx: word(0x12) },
      { callIndex: 8 },
      { spec: word(0xac) },
      { prompt: word(0xce) },
      { fee: 2n },
    ];
    for (const v of variants) expect(Buffer.from(intentId({ ...base, ...v })).toString('hex'), JSON.stringify(Object.keys(v))).to.not.equal(id);
  });

  it('accepts a 0x address string for the caller and rejects wrong widths', () => {
    const base = { cChain: word(1), aChain: word(2), cTx: word(3), callIndex: 0, caller: addr(9), spec: word(4), prompt: word(5), n: 3, threshold: 2, fee: 10n };
    expect(intentId({ ...base, caller: '0x' + addr(9).toString('hex') })).to.deep.equal(intentId(base));
    expect(() => intentId({ ...base, caller: addr(9).subarray(1) })).to.throw(RangeError, /caller/);
    expect(() => intentId({ ...base, spec: new Uint8Array(31) })).to.throw(RangeError, /spec/);
    expect(() => intentId({ ...base, n: 0x10000 })).to.throw(RangeError, /n is out of range/);
    expect(() => intentId({ ...base, fee: -1n })).to.throw(RangeError, /fee/);
    expect(() => intentId({ ...base, fee: 1n << 256n })).to.throw(RangeError, /fee/);
  });

  it('task id: "av/task" ‖ requester ‖ nonce32 ‖ spec ‖ prompt ‖ u64 height ‖ u32 N ‖ u32 thr', () => {
    fc.assert(
      fc.property(bytes20, fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), bytes32, bytes32, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (req, nonce, spec, prompt, h, n, thr) => {
        const pre = Buffer.concat([Buffer.from('av/task'), req, u(nonce, 32), spec, prompt, u(h, 8), u(BigInt(n), 4), u(BigInt(thr), 4)]);
        const got = taskId({ requester: req, nonce, spec, prompt, height: h, n, threshold: thr });
        expect(Buffer.from(got)).to.deep.equal(K(pre));
        // a nonce given as its 32-byte word gives the same id
        expect(taskId({ requester: req, nonce: new Uint8Array(u(nonce, 32)), spec, prompt, height: h, n, threshold: thr })).to.deep.equal(got);
      }),
      { numRuns: 200 },
    );
  });

  it('commit hash binds the operator address', () => {
    fc.assert(
      fc.property(bytes32, bytes32, bytes32, bytes32, bytes32, bytes20, bytes20, bytes32, (tid, spec, prompt, out, emb, op, other, nonce) => {
        const pre = Buffer.concat([tid, spec, prompt, out, emb, op, nonce]);
        expect(pre.length).to.equal(212);
        const c = commitHash({ taskId: tid, spec, prompt, outputHash: out, embeddingHash: emb, operator: op, nonce });
        expect(Buffer.from(c)).to.deep.equal(K(pre));
        if (!Buffer.from(op).equals(Buffer.from(other))) {
          expect(commitHash({ taskId: tid, spec, prompt, outputHash: out, embeddingHash: emb, operator: other, nonce })).to.not.deep.equal(c);
        }
      }),
      { numRuns: 100 },
    );
  });

  const receiptArb = fc.record({
    intentId: bytes32,
    taskId: bytes32,
    cChain: bytes32,
    aChain: bytes32,
    requester: bytes20,
    spec: bytes32,
    prompt: bytes32,
    canonical: bytes32,
    status: fc.integer({ min: 0, max: 4 }),
    n: fc.integer({ min: 0, max: 0xffff }),
    threshold: fc.integer({ min: 0, max: 0xffff }),
    winnersRoot: bytes32,
    operatorsRoot: bytes32,
    feePaid: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
    settledHeight: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  });

  it('receipt: exactly 355 bytes with every field at its offset', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const enc = encodeReceipt(r);
        expect(enc.length).to.equal(RECEIPT_LENGTH);
        const ref = Buffer.concat([
          u(1n, 2),
          r.intentId,
          r.taskId,
          r.cChain,
          r.aChain,
          r.requester,
          r.spec,
          r.prompt,
          r.canonical,
          u(BigInt(r.status), 1),
          u(BigInt(r.n), 2),
          u(BigInt(r.threshold), 2),
          r.winnersRoot,
          r.operatorsRoot,
          u(r.feePaid, 32),
          u(r.settledHeight, 8),
        ]);
        expect(Buffer.from(enc)).to.deep.equal(ref);
        expect(Buffer.from(receiptHash(enc))).to.deep.equal(K(Buffer.concat([Buffer.from('lux/aivmbridge/receipt/v1'), ref])));
      }),
      { numRuns: 200 },
    );
  });

  it('receipt decode is the inverse of encode', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const d = decodeReceipt(encodeReceipt(r));
        expect(encodeReceipt(d)).to.deep.equal(encodeReceipt(r));
        expect(d.feePaid).to.equal(r.feePaid);
        expect(d.settledHeight).to.equal(r.settledHeight);
        expect(d.status).to.equal(r.status);
      }),
      { numRuns: 100 },
    );
  });

  it('receipt decode and hash reject other lengths and versions', () => {
    expect(() => decodeReceipt(new Uint8Array(354))).to.throw(RangeError);
    expect(() => receiptHash(new Uint8Array(356))).to.throw(RangeError);
    const bad = new Uint8Array(355);
    bad[1] = 2;
    expect(() => decodeReceipt(bad)).to.throw(RangeError, /version/);
  });
});

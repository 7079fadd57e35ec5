import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { addressRoot, receiptProof, receiptRoot, verifyReceiptProof, ZERO_ROOT } from '../../vm/aivm/merkle.js';
import { requiredMargin, selectOperators } from '../../vm/aivm/selection.js';

const K = (...parts: Uint8Array[]) => Buffer.from(keccak_256(Buffer.concat(parts)));
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** The spec's fold written recursively: pair up, duplicating an odd tail, until one node is left. */
function refRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return Buffer.alloc(32);
  if (leaves.length === 1) return leaves[0]!;
  const up: Buffer[] = [];
  for (let i = 0; i < leaves.length; i += 2) up.push(K(leaves[i]!, leaves[i + 1] ?? leaves[i]!));
  return refRoot(up);
}

describe('aivm merkle (receipt root, address root, proofs)', () => {
  it('empty is the zero hash; one leaf is its leaf hash', () => {
    expect(receiptRoot([])).to.deep.equal(ZERO_ROOT);
    expect(addressRoot([])).to.deep.equal(ZERO_ROOT);
    const h = new Uint8Array(32).fill(7);
    expect(Buffer.from(receiptRoot([h]))).to.deep.equal(K(h));
    const a = new Uint8Array(20).fill(9);
    expect(Buffer.from(addressRoot([a]))).to.deep.equal(K(a));
  });

  it('three leaves duplicate the odd tail', () => {
    const hs = [1, 2, 3].map((b) => new Uint8Array(32).fill(b));
    const [l0, l1, l2] = hs.map((h) => K(h));
    expect(Buffer.from(receiptRoot(hs))).to.deep.equal(K(K(l0!, l1!), K(l2!, l2!)));
  });

  it('roots match the reference fold and every proof verifies (only) at its index', () => {
    fc.assert(
      fc.property(fc.array(bytes32, { minLength: 1, maxLength: 19 }), (hs) => {
        const root = receiptRoot(hs);
        expect(Buffer.from(root)).to.deep.equal(refRoot(hs.map((h) => K(h))));
        const levels = Math.ceil(Math.log2(hs.length));
        for (let i = 0; i < hs.length; i++) {
          const p = receiptProof(hs, i);
          expect(p.siblings.length).to.equal(levels);
          expect(verifyReceiptProof(hs[i]!, p, root)).to.equal(true);
          if (hs.length > 1) {
            const j = (i + 1) % hs.length;
            if (!Buffer.from(hs[j]!).equals(Buffer.from(hs[i]!))) expect(verifyReceiptProof(hs[j]!, p, root)).to.equal(false);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a tampered proof, index or root fails', () => {
    const hs = [1, 2, 3, 4, 5].map((b) => new Uint8Array(32).fill(b));
    const root = receiptRoot(hs);
    const p = receiptProof(hs, 2);
    const flipped = { index: 2, siblings: p.siblings.map((s, k) => (k === 1 ? s.map((x, i) => (i === 0 ? x ^ 1 : x)) : s)) };
    expect(verifyReceiptProof(hs[2]!, flipped, root)).to.equal(false);
    expect(verifyReceiptProof(hs[2]!, { ...p, index: 3 }, root)).to.equal(false);
    expect(verifyReceiptProof(hs[2]!, { ...p, index: 2 + 8 }, root)).to.equal(false);
    expect(verifyReceiptProof(hs[2]!, { ...p, siblings: p.siblings.slice(1) }, root)).to.equal(false);
    expect(verifyReceiptProof(hs[2]!, p, new Uint8Array(32))).to.equal(false);
    expect(() => receiptProof(hs, 5)).to.throw(RangeError);
  });
});

describe('aivm operator selection', () => {
  const ops = Array.from({ length: 8 }, (_, i) => {
    const a = new Uint8Array(20);
    a[19] = 0x10 + i;
    return a;
  });

  it('follows the partial Fisher–Yates with uint256 modulo', () => {
    fc.assert(
      fc.property(bytes32, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 12 }), (tid, size, n0) => {
        const eligible = Array.from({ length: size }, (_, i) => `op${i}`);
        const n = Math.min(n0, size);
        // reference: same draw, written with an explicit index array
        const idx = eligible.map((_, i) => i);
        for (let i = 0; i < n; i++) {
          const draw = BigInt('0x' + K(tid, Buffer.from([i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255])).toString('hex'));
          const j = i + Number(draw % BigInt(size - i));
          [idx[i], idx[j]] = [idx[j]!, idx[i]!];
        }
        const want = idx.slice(0, n).map((i) => eligible[i]);
        const got = selectOperators(tid, eligible, n);
        expect(got).to.deep.equal(want);
        expect(new Set(got).size).to.equal(n);
        expect(eligible).to.deep.equal(Array.from({ length: size }, (_, i) => `op${i}`)); // input untouched
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic and keeps the element type (TestBeaconDeterministic)', () => {
    const tid = new Uint8Array(32).fill(0x5a);
    const a = selectOperators(tid, ops, 5);
    const b = selectOperators(tid, ops, 5);
    expect(a).to.deep.equal(b);
    expect(a[0]).to.be.instanceOf(Uint8Array);
    expect(() => selectOperators(tid, ops, 9)).to.throw(RangeError);
    expect(() => selectOperators(new Uint8Array(31), ops, 1)).to.throw(RangeError);
  });

  it('margin(N) = max(2, N*5000/10000)', () => {
    expect(requiredMargin(1)).to.equal(2);
    expect(requiredMargin(5)).to.equal(2);
    expect(requiredMargin(6)).to.equal(3);
    expect(requiredMargin(256)).to.equal(128);
  });
});

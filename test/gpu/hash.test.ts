/** Keccak-256 (legacy padding) as the kernels use it, and the LE preimage builder. */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { fold, keccak256, Preimage } from '../../gpu/hash.js';
import { hex } from './fixtures.js';

describe('gpu hashing', () => {
  it('Keccak-256 sanity vectors of the spec (legacy 0x01 padding, not SHA3)', () => {
    expect(hex(keccak256(new Uint8Array(0)))).to.equal('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256(new TextEncoder().encode('abc')))).to.equal('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('agrees with the pure-JS reference across the 136-byte rate boundary (leaves are 116..148 bytes)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 100, maxLength: 300 }), (b) => {
        expect(hex(keccak256(b))).to.equal(hex(keccak_256(b)));
      }),
      { numRuns: 100 },
    );
  });

  it('Preimage writes bytes and little-endian integers in order and refuses a short fill', () => {
    const p = new Preimage(15).put(Uint8Array.of(0xaa, 0xbb, 0xcc)).u32(0x01020304).u64(0x1112131415161718n);
    expect(hex(p.bytes)).to.equal('aabbcc' + '04030201' + '1817161514131211');
    expect(hex(p.hash())).to.equal(hex(keccak_256(p.bytes)));
    expect(() => new Preimage(8).u32(1).hash()).to.throw(/filled 4 of 8/);
  });

  it('fold(acc, h) = keccak(acc ‖ h)', () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    expect(hex(fold(a, b))).to.equal(hex(keccak_256(Uint8Array.from([...a, ...b]))));
  });
});

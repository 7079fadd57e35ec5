import { expect } from 'chai';
import fc from 'fast-check';
import { keccak256, keccak256Reference, toHex, utf8, sha256, blake2b256 } from '../../sdk/chain.js';

describe('hashing', () => {
  it('keccak256 matches the legacy-padding vectors', () => {
    expect(toHex(keccak256(utf8('')))).to.equal('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(toHex(keccak256(utf8('abc')))).to.equal('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('the WebAssembly keccak agrees with the noble reference on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6000 }), (data) => {
        expect(toHex(keccak256(data))).to.equal(toHex(keccak256Reference(data)));
      }),
      { numRuns: 300 },
    );
  });

  it('returns fresh arrays (a later hash does not overwrite an earlier result)', () => {
    const a = keccak256(utf8('a'));
    const copy = toHex(a);
    keccak256(utf8('b'));
    expect(toHex(a)).to.equal(copy);
  });

  it('sha256 and blake2b-256 are the standard functions', () => {
    expect(toHex(sha256(utf8('abc')))).to.equal('0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(blake2b256(utf8('')))).to.equal('0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  });
});

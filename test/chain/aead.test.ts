/** The project's AEAD (chain/keys/aead.ts): round trip, and every named refusal. */
import { expect } from 'chai';
import fc from 'fast-check';
import { aeadOpen, aeadSeal } from '../../sdk/chain.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const nameOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).name;
  }
  return undefined;
};

describe('XChaCha20-Poly1305 (aeadSeal / aeadOpen)', () => {
  it('opens what it sealed; any flipped bit of the sealed bytes, the aad or the nonce is AeadAuthenticationFailed', () => {
    fc.assert(
      fc.property(bytes(32), bytes(24), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), fc.nat(), (key, nonce, msg, aad, at) => {
        const sealed = aeadSeal(key, nonce, msg, aad);
        expect(sealed.length).to.equal(msg.length + 16);
        expect(aeadOpen(key, nonce, sealed, aad)).to.deep.equal(msg);
        const bad = sealed.slice();
        bad[at % bad.length]! ^= 1 << at % 8;
        expect(nameOf(() => aeadOpen(key, nonce, bad, aad))).to.equal('AeadAuthenticationFailed');
        const otherNonce = nonce.slice();
        otherNonce[at % 24]! ^= 1;
        expect(nameOf(() => aeadOpen(key, otherNonce, sealed, aad))).to.equal('AeadAuthenticationFailed');
        expect(nameOf(() => aeadOpen(key, nonce, sealed, new Uint8Array([...aad, 0])))).to.equal('AeadAuthenticationFailed');
      }),
      { seed: 12, numRuns: 200 },
    );
  });

  it('InvalidAeadKey, InvalidAeadNonce, and a sealed message shorter than a tag', () => {
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(24);
    expect(nameOf(() => aeadSeal(new Uint8Array(31), nonce, new Uint8Array(1)))).to.equal('InvalidAeadKey');
    expect(nameOf(() => aeadOpen(new Uint8Array(33), nonce, new Uint8Array(16)))).to.equal('InvalidAeadKey');
    expect(nameOf(() => aeadSeal(key, new Uint8Array(12), new Uint8Array(1)))).to.equal('InvalidAeadNonce');
    expect(nameOf(() => aeadOpen(key, new Uint8Array(25), new Uint8Array(16)))).to.equal('InvalidAeadNonce');
    expect(nameOf(() => aeadOpen(key, nonce, new Uint8Array(15)))).to.equal('AeadAuthenticationFailed');
  });
});

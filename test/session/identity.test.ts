import { expect } from 'chai';
import fc from 'fast-check';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, mldsaAddress, utf8 } from '../../sdk/chain.js';
import {
  decryptFrom,
  deriveSessionId,
  encryptTo,
  generateIdentity,
  Identity,
  parseSessionId,
  publicIdentity,
  signMessage,
  verifyMessage,
  type IdentityErrorName,
} from '../../vm/session/identity.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const seed = (label: string) => sha256(utf8(label));

function expectNamed(fn: () => unknown, name: IdentityErrorName): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${name}`).to.be.instanceOf(Error);
  expect((thrown as Error).name).to.equal(name);
}

/** A deterministic byte source for reproducible envelopes. */
function counterRandom(start = 1): (n: number) => Uint8Array {
  let c = start;
  return (n) => Uint8Array.from({ length: n }, () => c++ & 0xff);
}

describe('session identity (ML-KEM-768 + ML-DSA-65)', function () {
  const alice = Identity.fromSeed(seed('alice'));
  const bob = Identity.fromSeed(seed('bob'));

  describe('keys and session IDs', () => {
    it('has the FIPS 203 / FIPS 204 key sizes', () => {
      const id = generateIdentity();
      expect(id.kemPublicKey.length).to.equal(1184);
      expect(id.kemSecretKey.length).to.equal(2400);
      expect(id.dsaPublicKey.length).to.equal(1952);
      expect(id.dsaSecretKey.length).to.equal(4032);
    });

    it('session ID is "07" + hex(BLAKE2b-256(kem_pk ‖ dsa_pk)), 66 characters', () => {
      const expected = '07' + hex(blake2b(concat(alice.kemPublicKey, alice.dsaPublicKey), { dkLen: 32 }));
      expect(alice.sessionId).to.equal(expected);
      expect(alice.sessionId).to.have.length(66);
      expect(alice.sessionId.startsWith('07')).to.equal(true);
      expect(deriveSessionId(alice.kemPublicKey, alice.dsaPublicKey)).to.equal(expected);
      expect(hex(parseSessionId(alice.sessionId))).to.equal(expected.slice(2));
    });

    it('generateIdentity without a seed gives distinct identities', () => {
      expect(generateIdentity().sessionId).to.not.equal(generateIdentity().sessionId);
    });

    it('the same seed gives the same identity, another seed another one', () => {
      const again = generateIdentity(seed('alice'));
      expect(again.sessionId).to.equal(alice.sessionId);
      expect(hex(again.kemSecretKey)).to.equal(hex(alice.kemSecretKey));
      expect(bob.sessionId).to.not.equal(alice.sessionId);
    });

    it('rebuilds from raw secret keys (keys made elsewhere)', () => {
      const kem = ml_kem768.keygen();
      const dsa = ml_dsa65.keygen();
      const id = Identity.fromSecretKeys(kem.secretKey, dsa.secretKey);
      expect(hex(id.kemPublicKey)).to.equal(hex(kem.publicKey));
      expect(hex(id.dsaPublicKey)).to.equal(hex(dsa.publicKey));
      expect(Identity.fromSecretKeys(alice.kemSecretKey, alice.dsaSecretKey).sessionId).to.equal(alice.sessionId);
    });

    it('wrong key sizes are ErrInvalidPublicKey / ErrInvalidSecretKey', () => {
      expectNamed(() => deriveSessionId(alice.kemPublicKey.subarray(1), alice.dsaPublicKey), 'ErrInvalidPublicKey');
      expectNamed(() => deriveSessionId(alice.kemPublicKey, concat(alice.dsaPublicKey, new Uint8Array(1))), 'ErrInvalidPublicKey');
      expectNamed(() => publicIdentity(new Uint8Array(0), alice.dsaPublicKey), 'ErrInvalidPublicKey');
      expectNamed(() => Identity.fromSecretKeys(alice.kemSecretKey.subarray(1), alice.dsaSecretKey), 'ErrInvalidSecretKey');
      expectNamed(() => Identity.fromSecretKeys(alice.kemSecretKey, alice.dsaSecretKey.subarray(1)), 'ErrInvalidSecretKey');
      expectNamed(() => generateIdentity(new Uint8Array(31)), 'ErrInvalidSeed');
    });

    it('malformed session ID strings are ErrInvalidSessionId', () => {
      for (const bad of ['05' + alice.sessionId.slice(2), alice.sessionId.slice(0, 65), alice.sessionId.toUpperCase(), '0x' + alice.sessionId.slice(2)]) {
        if (bad === alice.sessionId) continue;
        expectNamed(() => parseSessionId(bad), 'ErrInvalidSessionId');
      }
    });

    it("the identity's ML-DSA key works as a chain account", () => {
      const signer = alice.accountSigner();
      expect(signer.address).to.equal(mldsaAddress(alice.dsaPublicKey));
      expectNamed(() => Identity.fromSecretKeys(alice.kemSecretKey, alice.dsaSecretKey).accountSigner(), 'ErrInvalidSeed');
    });
  });

  describe('encryptTo / decryptFrom', () => {
    const pt = utf8('hello from alice');

    it('v1 is ct_kem(1088) ‖ nonce(24) ‖ aead, and decrypts', () => {
      const env = alice.encryptTo(bob, pt, { version: 1 });
      expect(env.length).to.equal(1088 + 24 + pt.length + 16);
      expect(hex(bob.decryptFrom(env, { version: 1 }))).to.equal(hex(pt));
    });

    it('v2 (the default) adds a version byte 0x02 and decrypts', () => {
      const env = alice.encryptTo(bob, pt);
      expect(env.length).to.equal(1 + 1088 + 24 + pt.length + 16);
      expect(env[0]).to.equal(2);
      expect(hex(bob.decryptFrom(env))).to.equal(hex(pt));
    });

    it('v1 interoperates with upstream: raw shared secret as the key, empty AAD', () => {
      // Upstream's EncryptToRecipient, written out with the primitives.
      const { cipherText, sharedSecret } = ml_kem768.encapsulate(bob.kemPublicKey);
      const nonce = new Uint8Array(24).fill(7);
      const upstream = concat(cipherText, nonce, xchacha20poly1305(sharedSecret, nonce).encrypt(pt));
      expect(hex(decryptFrom(bob.kemSecretKey, upstream, { version: 1 }))).to.equal(hex(pt));
      // And upstream's DecryptFromSender opens ours.
      const ours = encryptTo(bob.kemPublicKey, pt, { version: 1 });
      const ss = ml_kem768.decapsulate(ours.subarray(0, 1088), bob.kemSecretKey);
      expect(hex(xchacha20poly1305(ss, ours.subarray(1088, 1112)).decrypt(ours.subarray(1112)))).to.equal(hex(pt));
    });

    it('v2 keys the AEAD with HKDF-SHA256(ss, info="LUX:SessionKEM:v1") and authenticates the header', () => {
      const env = encryptTo(bob.kemPublicKey, pt, { version: 2 });
      const ss = ml_kem768.decapsulate(env.subarray(1, 1089), bob.kemSecretKey);
      const key = hkdf(sha256, ss, undefined, utf8('LUX:SessionKEM:v1'), 32);
      const opened = xchacha20poly1305(key, env.subarray(1089, 1113), new Uint8Array([2])).decrypt(env.subarray(1113));
      expect(hex(opened)).to.equal(hex(pt));
      expect(() => xchacha20poly1305(ss, env.subarray(1089, 1113), new Uint8Array([2])).decrypt(env.subarray(1113))).to.throw();
    });

    it('is deterministic given the randomness, and fresh randomness gives fresh envelopes', () => {
      const a = encryptTo(bob.kemPublicKey, pt, { random: counterRandom() });
      const b = encryptTo(bob.kemPublicKey, pt, { random: counterRandom() });
      expect(hex(a)).to.equal(hex(b));
      expect(hex(encryptTo(bob.kemPublicKey, pt))).to.not.equal(hex(encryptTo(bob.kemPublicKey, pt)));
    });

    it('a flipped tag, nonce or KEM ciphertext byte is ErrDecryptionFailed (implicit rejection)', () => {
      for (const version of [1, 2] as const) {
        const env = alice.encryptTo(bob, pt, { version });
        const off = version === 2 ? 1 : 0;
        for (const pos of [env.length - 1, off + 1088 + 3, off + 10]) {
          const bad = env.slice();
          bad[pos]! ^= 0x01;
          expectNamed(() => bob.decryptFrom(bad, { version }), 'ErrDecryptionFailed');
        }
      }
    });

    it('only the recipient can decrypt', () => {
      const env = alice.encryptTo(bob, pt);
      expectNamed(() => alice.decryptFrom(env), 'ErrDecryptionFailed');
    });

    it('one version cannot be read as the other', () => {
      const v2 = alice.encryptTo(bob, pt, { version: 2 });
      expectNamed(() => bob.decryptFrom(v2, { version: 1 }), 'ErrDecryptionFailed');
      const v1 = alice.encryptTo(bob, pt, { version: 1 });
      const asV2 = concat(new Uint8Array([2]), v1);
      expectNamed(() => bob.decryptFrom(asV2, { version: 2 }), 'ErrDecryptionFailed');
      const wrongHeader = v2.slice();
      wrongHeader[0] = 1;
      expectNamed(() => bob.decryptFrom(wrongHeader), 'ErrInvalidCiphertext');
    });

    it('wrong sizes are ErrInvalidPublicKey / ErrInvalidSecretKey / ErrInvalidCiphertext', () => {
      expectNamed(() => encryptTo(bob.kemPublicKey.subarray(1), pt), 'ErrInvalidPublicKey');
      expectNamed(() => encryptTo(new Uint8Array(1184).fill(0xff), pt), 'ErrInvalidPublicKey');
      const env = alice.encryptTo(bob, pt);
      expectNamed(() => decryptFrom(bob.kemSecretKey.subarray(1), env), 'ErrInvalidSecretKey');
      expectNamed(() => decryptFrom(bob.kemSecretKey, env.subarray(0, 1 + 1088 + 24 + 15)), 'ErrInvalidCiphertext');
      expectNamed(() => decryptFrom(bob.kemSecretKey, new Uint8Array(1088 + 24 + 15), { version: 1 }), 'ErrInvalidCiphertext');
      expectNamed(() => encryptTo(bob.kemPublicKey, pt, { version: 3 as 2 }), 'ErrInvalidCiphertext');
    });

    it('round-trips any plaintext and rejects any single-byte change (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(1 as const, 2 as const), fc.nat(), fc.integer({ min: 1, max: 255 }), (msg, version, at, flip) => {
          const env = encryptTo(bob.kemPublicKey, msg, { version });
          expect(hex(decryptFrom(bob.kemSecretKey, env, { version }))).to.equal(hex(msg));
          const bad = env.slice();
          bad[at % bad.length]! ^= flip;
          expect(() => decryptFrom(bob.kemSecretKey, bad, { version })).to.throw(/./);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('signMessage / verifyMessage', () => {
    const msg = utf8('attack at dawn');

    it('is sig(3309) ‖ msg and verifies with the signer key', () => {
      const signed = alice.signMessage(msg);
      expect(signed.length).to.equal(3309 + msg.length);
      expect(hex(signed.subarray(3309))).to.equal(hex(msg));
      expect(ml_dsa65.verify(signed.subarray(0, 3309), msg, alice.dsaPublicKey)).to.equal(true);
      expect(hex(verifyMessage(alice.dsaPublicKey, signed)!)).to.equal(hex(msg));
      expect(hex(alice.publicIdentity().dsaPublicKey)).to.equal(hex(alice.dsaPublicKey));
    });

    it('fails on a changed message, another key, or a short input', () => {
      const signed = alice.signMessage(msg);
      const changed = signed.slice();
      changed[signed.length - 1]! ^= 1;
      expect(verifyMessage(alice.dsaPublicKey, changed)).to.equal(null);
      expect(verifyMessage(bob.dsaPublicKey, signed)).to.equal(null);
      expect(verifyMessage(alice.dsaPublicKey, signed.subarray(0, 3308))).to.equal(null);
    });

    it('wrong key sizes are named errors', () => {
      expectNamed(() => signMessage(alice.dsaSecretKey.subarray(1), msg), 'ErrInvalidSecretKey');
      expectNamed(() => verifyMessage(alice.dsaPublicKey.subarray(1), alice.signMessage(msg)), 'ErrInvalidPublicKey');
    });
  });
});

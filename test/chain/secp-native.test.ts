/**
 * The native secp256k1 path (libsecp256k1, optional) against @noble/curves: the same signatures
 * and the same recovered signers for random keys and digests, and the same refusals for malformed
 * signatures. Without the native binding installed the suite says so and checks noble alone.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { loadNativeSecp256k1 } from '../../chain/keys/secp-native.js';
import { recoverSecp256k1, secpAddress, Secp256k1Signer } from '../../sdk/chain.js';

const native = loadNativeSecp256k1();
const N = secp256k1.Point.CURVE().n;
const validKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => secp256k1.utils.isValidSecretKey(k));
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** noble's answer, for comparison. */
function nobleRecover(sig: Uint8Array, d: Uint8Array): string | null {
  const v = sig[64]!;
  const rec = v === 27 || v === 28 ? v - 27 : v === 0 || v === 1 ? v : -1;
  if (rec < 0) return null;
  try {
    const s = secp256k1.Signature.fromBytes(sig.subarray(0, 64), 'compact');
    if (s.r === 0n || s.s === 0n || s.s > N >> 1n) return null;
    return secpAddress(s.addRecoveryBit(rec).recoverPublicKey(d).toBytes(false));
  } catch {
    return null;
  }
}

describe('secp256k1: native (libsecp256k1) and noble agree', function () {
  before(function () {
    if (!native) console.log('      (the native secp256k1 binding is not installed: only noble runs)');
  });

  it('the native binding is installed here (it ships prebuilt for linux-x64)', function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    expect(native, 'npm ci installs the optional secp256k1 package').to.not.equal(undefined);
  });

  it('signs exactly like noble (RFC 6979, low-s) and recovers the signer (property)', function () {
    if (!native) this.skip(); // without the binding both sides would be noble
    fc.assert(
      fc.property(validKey, digest, (key, d) => {
        const sig = new Secp256k1Signer(key).sign(d);
        const ref = secp256k1.sign(d, key, { prehash: false, lowS: true, format: 'recovered' });
        expect(Buffer.from(sig.subarray(0, 64)).equals(Buffer.from(ref.subarray(1, 65)))).to.equal(true);
        expect(sig[64]).to.equal(27 + ref[0]!);
        const who = recoverSecp256k1(sig, d);
        expect(who?.address).to.equal(new Secp256k1Signer(key).address);
        expect(Buffer.from(who!.publicKey).equals(Buffer.from(secp256k1.getPublicKey(key, true)))).to.equal(true);
      }),
      { seed: 1034, numRuns: 200 },
    );
  });

  it('recovers the same signer as noble for arbitrary (mostly malformed) signatures (property)', function () {
    if (!native) this.skip(); // without the binding both sides would be noble
    const n32 = (x: bigint) => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
    const edge = fc.constantFrom(0n, 1n, N - 1n, N, N + 1n, N >> 1n, (N >> 1n) + 1n, (1n << 256n) - 1n).map(n32);
    const word = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), edge);
    const v = fc.constantFrom(0, 1, 2, 26, 27, 28, 29, 255);
    fc.assert(
      fc.property(word, word, v, digest, (r, s, vv, d) => {
        const sig = new Uint8Array([...r, ...s, vv]);
        expect(recoverSecp256k1(sig, d)?.address ?? null).to.equal(nobleRecover(sig, d));
      }),
      { seed: 2026, numRuns: 400 },
    );
  });

  it('a valid signature with the wrong recovery bit recovers someone else (both ways)', () => {
    const key = new Uint8Array(32).fill(9);
    const d = new Uint8Array(32).fill(3);
    const sig = new Secp256k1Signer(key).sign(d);
    sig[64] = sig[64] === 27 ? 28 : 27;
    const who = recoverSecp256k1(sig, d);
    expect(who?.address ?? null).to.equal(nobleRecover(sig, d));
    expect(who?.address).to.not.equal(new Secp256k1Signer(key).address);
  });
});

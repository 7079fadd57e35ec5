import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { ROOT } from '../helpers/processes.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  MLDSA65_ENCODED_LEN,
  concat,
  decryptKeystore,
  devSeed,
  devSigner,
  encryptKeystore,
  keccak256,
  loadPqcleanVerify,
  nobleMlDsaVerify,
  parseKeystore,
  recoverSigner,
  signerFromSeed,
  utf8,
  KeystoreError,
  MlDsaSigner,
  setMlDsaBackend,
  mlDsaBackend,
} from '../../sdk/chain.js';

const digest = keccak256(utf8('message'));

describe('keys and signatures', () => {
  it('derive addresses per SPEC §3 for both schemes', () => {
    const ml = signerFromSeed(devSeed(0), 'ml-dsa-65');
    expect(ml.address).to.equal('0x' + Buffer.from(keccak256(concat(new Uint8Array([7]), ml.publicKey)).subarray(12)).toString('hex'));
    const ec = signerFromSeed(devSeed(0), 'secp256k1');
    const uncompressed = secp256k1.getPublicKey(devSeed(0), false);
    expect(ec.address).to.equal('0x' + Buffer.from(keccak256(uncompressed.subarray(1)).subarray(12)).toString('hex'));
  });

  it('ML-DSA-65 signatures verify and recover the signer; tampering, truncation and padding fail', () => {
    const s = devSigner(1);
    const sig = s.sign(digest);
    expect(sig.length).to.equal(MLDSA65_ENCODED_LEN);
    expect(recoverSigner(sig, digest)?.address).to.equal(s.address);
    const flipped = sig.slice();
    flipped[2000]! ^= 1;
    expect(recoverSigner(flipped, digest)).to.equal(null);
    expect(recoverSigner(sig.subarray(0, sig.length - 1), digest)).to.equal(null);
    expect(recoverSigner(concat(sig, new Uint8Array(1)), digest)).to.equal(null);
    expect(recoverSigner(new Uint8Array(0), digest)).to.equal(null);
    const wrongTag = sig.slice();
    wrongTag[0] = 0x06;
    expect(recoverSigner(wrongTag, digest)).to.equal(null);
    expect(recoverSigner(sig, keccak256(utf8('other')))).to.equal(null);
  });

  it('an ML-DSA signature made with another key does not pass for the embedded key', () => {
    const a = devSigner(2);
    const b = new MlDsaSigner(devSeed(3));
    const sigB = b.signRaw(digest);
    const forged = concat(new Uint8Array([7]), a.publicKey, sigB);
    expect(recoverSigner(forged, digest)).to.equal(null);
  });

  it('secp256k1: 65-byte r‖s‖v, v ∈ {27,28} or {0,1}, low-s only', () => {
    const s = signerFromSeed(devSeed(4), 'secp256k1');
    const sig = s.sign(digest);
    expect(sig.length).to.equal(65);
    expect([27, 28]).to.include(sig[64]);
    expect(recoverSigner(sig, digest)?.address).to.equal(s.address);
    const v01 = sig.slice();
    v01[64] = sig[64]! - 27;
    expect(recoverSigner(v01, digest)?.address).to.equal(s.address);
    for (const v of [2, 26, 29, 35]) {
      const bad = sig.slice();
      bad[64] = v;
      expect(recoverSigner(bad, digest), `v=${v}`).to.equal(null);
    }
    // High-s twin of a valid signature: (r, n - s) with the other recovery bit.
    const n = secp256k1.Point.CURVE().n;
    const r = sig.subarray(0, 32);
    const sVal = BigInt('0x' + Buffer.from(sig.subarray(32, 64)).toString('hex'));
    const highS = Buffer.from((n - sVal).toString(16).padStart(64, '0'), 'hex');
    const twin = concat(r, highS, new Uint8Array([sig[64] === 27 ? 28 : 27]));
    expect(recoverSigner(twin, digest)).to.equal(null);
  });

  it('pqclean (when installed) and noble agree on valid and invalid ML-DSA-65 signatures', function () {
    const native = loadPqcleanVerify();
    if (!native) this.skip();
    const s = new MlDsaSigner(devSeed(5));
    for (let i = 0; i < 5; i++) {
      const msg = keccak256(utf8(`m${i}`));
      const sig = s.signRaw(msg);
      expect(native!(s.publicKey, msg, sig)).to.equal(true);
      expect(nobleMlDsaVerify(s.publicKey, msg, sig)).to.equal(true);
      const bad = sig.slice();
      bad[i * 100]! ^= 0x10;
      expect(native!(s.publicKey, msg, bad)).to.equal(nobleMlDsaVerify(s.publicKey, msg, bad));
      expect(native!(s.publicKey, msg, sig.subarray(1))).to.equal(false);
    }
  });

  it('a process that never chooses a backend verifies with auto: the native verifier when it is installed', function () {
    this.timeout(60_000);
    const script = `import('./chain/keys/schemes.ts').then((m) => console.log(m.mlDsaBackend()))`;
    const out = execFileSync(process.execPath, ['--loader', 'ts-node/esm', '--no-warnings', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
      encoding: 'utf8',
    });
    expect(out.trim()).to.equal(loadPqcleanVerify() ? 'pqclean' : 'noble');
  });

  it('backend selection: noble always works, auto picks a working backend', () => {
    expect(setMlDsaBackend('noble')).to.equal('noble');
    expect(mlDsaBackend()).to.equal('noble');
    const chosen = setMlDsaBackend('auto');
    expect(['noble', 'pqclean']).to.include(chosen);
    const s = devSigner(6);
    expect(recoverSigner(s.sign(digest), digest)?.address).to.equal(s.address);
    setMlDsaBackend('noble');
  });

  describe('keystore', () => {
    it('encrypts a seed under a passphrase and decrypts it back', async () => {
      const ks = await encryptKeystore(devSeed(7), 'ml-dsa-65', 'correct horse', { n: 1024 });
      expect(ks.address).to.equal(devSigner(7).address);
      const parsed = parseKeystore(JSON.parse(JSON.stringify(ks)));
      const { seed, signer } = await decryptKeystore(parsed, 'correct horse');
      expect(seed).to.deep.equal(devSeed(7));
      expect(signer.address).to.equal(ks.address);
    });

    it('a wrong passphrase is WrongPassphrase', async () => {
      const ks = await encryptKeystore(devSeed(8), 'secp256k1', 'pw', { n: 1024 });
      try {
        await decryptKeystore(ks, 'nope');
        expect.fail('decrypted with a wrong passphrase');
      } catch (e) {
        expect(e).to.be.instanceOf(KeystoreError);
        expect((e as Error).name).to.equal('WrongPassphrase');
      }
    });

    it('a modified file (address swapped) does not decrypt', async () => {
      const ks = await encryptKeystore(devSeed(8), 'secp256k1', 'pw', { n: 1024 });
      const tampered = { ...ks, address: signerFromSeed(devSeed(9), 'secp256k1').address };
      try {
        await decryptKeystore(tampered, 'pw');
        expect.fail('accepted a tampered file');
      } catch (e) {
        expect((e as Error).name).to.equal('WrongPassphrase');
      }
    });

    it('malformed files are InvalidKeystore', () => {
      for (const bad of [null, 1, {}, { version: 2 }, { version: 1, scheme: 'rsa' }, { version: 1, scheme: 'secp256k1', address: '0x12' }]) {
        expect(() => parseKeystore(bad), JSON.stringify(bad)).to.throw(KeystoreError, /not a sessionchain keystore/);
      }
    });
  });
});

import { expect } from 'chai';
import { VerifierPool, Transaction, devSigner, signTx, toHex, MlDsaSigner, devSeed, keccak256, utf8, concat } from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';
import { luxModule } from '../../vm/lux.js';

describe('verifier pool (worker threads)', function () {
  this.timeout(120_000);
  let pool: VerifierPool;
  before(async () => {
    pool = new VerifierPool({ threads: 2, backend: 'auto' });
    await pool.ready();
  });
  after(() => pool.close());

  it('verifies bursts of valid and invalid transactions with the same verdicts as the inline verifier', async () => {
    const inline = new VerifierPool({ threads: 0 });
    const raws: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      const s = devSigner(i % 10, i % 3 === 0 ? 'ml-dsa-65' : 'secp256k1');
      const tx = signTx({ chainId: 1n, nonce: BigInt(i), from: s.address, to: LUX_ADDRESS, method: 'transfer', args: luxModule.methods.transfer!.args.encode({ to: s.address, amount: BigInt(i) }) as never, gasLimit: 1n, gasPrice: 1n }, s);
      let raw = tx.raw;
      if (i % 4 === 1) {
        const sig = tx.signature.slice();
        sig[7]! ^= 1;
        raw = Transaction.fromFields({ ...tx, signature: sig }).raw;
      }
      if (i % 7 === 2) raw = raw.subarray(0, raw.length - 3);
      raws.push(raw);
    }
    const [fromPool, fromInline] = await Promise.all([Promise.all(raws.map((r) => pool.verifyTx(r))), Promise.all(raws.map((r) => inline.verifyTx(r)))]);
    fromPool.forEach((v, i) => {
      const w = fromInline[i]!;
      expect(v.ok, `tx ${i}`).to.equal(w.ok);
      if (v.ok && w.ok) {
        expect(toHex(v.hash)).to.equal(toHex(w.hash));
        expect(toHex(v.hash)).to.equal(toHex(Transaction.decode(raws[i]!).hash));
      } else if (!v.ok && !w.ok) expect(v.reason).to.equal(w.reason);
    });
    expect(fromPool.filter((v) => v.ok).length).to.be.greaterThan(20);
    expect(fromPool.filter((v) => !v.ok).length).to.be.greaterThan(10);
    await inline.close();
  });

  it('runs module signature checks (raw ML-DSA-65 and encoded signatures)', async () => {
    const s = new MlDsaSigner(devSeed(3));
    const msg = utf8('attestation payload');
    const sig = s.signRaw(msg);
    const digest = keccak256(msg);
    const enc = devSigner(4, 'secp256k1').sign(digest);
    const results = await Promise.all([
      pool.check({ kind: 'ml-dsa', publicKey: s.publicKey, message: msg, signature: sig }),
      pool.check({ kind: 'ml-dsa', publicKey: s.publicKey, message: concat(msg, utf8('!')), signature: sig }),
      pool.check({ kind: 'ml-dsa', publicKey: s.publicKey.subarray(1), message: msg, signature: sig }),
      pool.check({ kind: 'encoded', signature: enc, digest }),
      pool.check({ kind: 'encoded', signature: enc.subarray(1), digest }),
    ]);
    expect(results.slice(0, 3)).to.deep.equal([true, false, false]);
    expect((results[3] as { address: string }).address).to.equal(devSigner(4, 'secp256k1').address);
    expect(results[4]).to.equal(null);
  });
});

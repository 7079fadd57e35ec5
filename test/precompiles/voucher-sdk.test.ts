/**
 * Client helpers off chain: voucher signing and recovery under both schemes, the accepted
 * encodings (and everything else rejected), the caching verifier, expiringNonceHash and open-tx
 * building.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { concat, encodeUnsignedTx, fromHex, addressBytes, toHex, ZERO_ADDRESS, signerFromSeed, devSigner, type Signer } from '../../sdk/chain.js';
import {
  buildOpenTx,
  computeChannelId,
  DEV_STABLECOIN_ADDRESS,
  expiringNonceHash,
  recoverVoucherSigner,
  signVoucher,
  voucherDigest,
  VoucherVerifier,
  ZERO_WORD,
  type ChannelDescriptor,
} from '../../sdk/precompiles/index.js';
import { keyFromByte, salt } from './helpers.js';

const CHAIN = 1337n;
const SECP_N = secp256k1.Point.CURVE().n;

const payer = devSigner(1, 'secp256k1');
const payee = devSigner(2, 'secp256k1');
const pqPayer = keyFromByte(0x51, 'ml-dsa-65');

function descriptorFor(p: Signer, authorizedSigner = ZERO_ADDRESS): ChannelDescriptor {
  return { payer: p.address, payee: payee.address, operator: ZERO_ADDRESS, token: DEV_STABLECOIN_ADDRESS, salt: salt(7), authorizedSigner, expiringNonceHash: salt(99) };
}

describe('voucher signing and recovery', () => {
  const id = computeChannelId(descriptorFor(payer), CHAIN);

  it('secp256k1: 65-byte r‖s‖v with low s and v ∈ {27,28}, recovered to the signer', () => {
    const sig = fromHex(signVoucher(payer, id, 123n, CHAIN));
    expect(sig.length).to.equal(65);
    expect(sig[64]).to.be.oneOf([27, 28]);
    const s = BigInt(toHex(sig.subarray(32, 64)));
    expect(s <= SECP_N / 2n).to.equal(true);
    expect(recoverVoucherSigner(voucherDigest(id, 123n, CHAIN), sig)).to.equal(payer.address);
  });

  it('secp256k1 signature equals an independent noble signature over the EIP-712 digest', () => {
    const seed = fromHex('0x' + '07'.repeat(32));
    const signer = signerFromSeed(seed, 'secp256k1');
    const digest = fromHex(voucherDigest(id, 5n, CHAIN));
    const rec = secp256k1.sign(digest, seed, { prehash: false, lowS: true, format: 'recovered' });
    const expected = concat(rec.subarray(1), new Uint8Array([27 + rec[0]!]));
    expect(signVoucher(signer, id, 5n, CHAIN)).to.equal(toHex(expected));
  });

  it('accepts v ∈ {0,1} as well as {27,28}', () => {
    const sig = fromHex(signVoucher(payer, id, 9n, CHAIN));
    const alt = sig.slice();
    alt[64] = sig[64]! - 27;
    expect(recoverVoucherSigner(voucherDigest(id, 9n, CHAIN), alt)).to.equal(payer.address);
  });

  it('ML-DSA-65: 0x07 ‖ pk ‖ sig, recovered to the key\'s address', () => {
    const sig = fromHex(signVoucher(pqPayer, id, 42n, CHAIN));
    expect(sig.length).to.equal(1 + 1952 + 3309);
    expect(sig[0]).to.equal(0x07);
    expect(recoverVoucherSigner(voucherDigest(id, 42n, CHAIN), sig)).to.equal(pqPayer.address);
    expect(recoverVoucherSigner(voucherDigest(id, 43n, CHAIN), sig)).to.equal(null);
  });

  it('rejects every other encoding: high s, bad v, compact 64-byte, keychain wrappers, raw ML-DSA, garbage', () => {
    const digest = voucherDigest(id, 77n, CHAIN);
    const sig = fromHex(signVoucher(payer, id, 77n, CHAIN));
    const highS = sig.slice();
    const s = BigInt(toHex(sig.subarray(32, 64)));
    highS.set(fromHex('0x' + (SECP_N - s).toString(16).padStart(64, '0')), 32);
    highS[64] = sig[64] === 27 ? 28 : 27;
    const badV = sig.slice();
    badV[64] = 29;
    const pq = fromHex(signVoucher(pqPayer, id, 77n, CHAIN));
    const cases: Record<string, Uint8Array> = {
      highS,
      badV,
      compact64: sig.subarray(0, 64),
      keychain03: concat(new Uint8Array([0x03]), addressBytes(payer.address), sig),
      keychain04: concat(new Uint8Array([0x04]), addressBytes(payer.address), sig),
      rawMlDsa: pq.subarray(1 + 1952),
      mlDsaWrongTag: concat(new Uint8Array([0x08]), pq.subarray(1)),
      mlDsaTampered: (() => {
        const x = pq.slice();
        x[x.length - 100]! ^= 1;
        return x;
      })(),
      empty: new Uint8Array(0),
      zeros65: new Uint8Array(65),
    };
    for (const [name, bad] of Object.entries(cases)) expect(recoverVoucherSigner(digest, bad), name).to.equal(null);
    expect(recoverVoucherSigner(digest, sig)).to.equal(payer.address);
  });

  it('property: sign then recover gives the signer, for any channel id and amount (secp256k1)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.bigInt({ min: 0n, max: (1n << 96n) - 1n }), (idBytes, amount) => {
        const cid = toHex(idBytes);
        const sig = signVoucher(payer, cid, amount, CHAIN);
        expect(recoverVoucherSigner(voucherDigest(cid, amount, CHAIN), sig)).to.equal(payer.address);
      }),
      { numRuns: 50 },
    );
  });
});

describe('VoucherVerifier (off chain, cached)', () => {
  it('accepts a voucher from the payer, rejects others, and binds the channel id', () => {
    const v = new VoucherVerifier({ chainId: CHAIN });
    const d = descriptorFor(payer);
    const id = computeChannelId(d, CHAIN);
    const ok = v.verify({ descriptor: d, cumulativeAmount: 10n, signature: signVoucher(payer, id, 10n, CHAIN), channelId: id });
    expect(ok).to.deep.include({ ok: true, signer: payer.address, scheme: 'secp256k1', channelId: id, cumulativeAmount: 10n });
    const wrong = v.verify({ descriptor: d, cumulativeAmount: 10n, signature: signVoucher(payee, id, 10n, CHAIN) });
    expect(wrong).to.deep.include({ ok: false, error: 'InvalidSignature' });
    const otherAmount = v.verify({ descriptor: d, cumulativeAmount: 11n, signature: signVoucher(payer, id, 10n, CHAIN) });
    expect(otherAmount.ok).to.equal(false);
    const mismatch = v.verify({ descriptor: d, cumulativeAmount: 10n, signature: signVoucher(payer, id, 10n, CHAIN), channelId: salt(1) });
    expect(mismatch).to.deep.include({ ok: false, error: 'ChannelIdMismatch' });
    expect(() => v.assertValid({ descriptor: d, cumulativeAmount: 10n, signature: signVoucher(payee, id, 10n, CHAIN) })).to.throw().with.property('name', 'InvalidSignature');
  });

  it('a delegated signer replaces the payer', () => {
    const delegate = keyFromByte(0x61);
    const d = descriptorFor(payer, delegate.address);
    const id = computeChannelId(d, CHAIN);
    const v = new VoucherVerifier({ chainId: CHAIN });
    expect(v.verify({ descriptor: d, cumulativeAmount: 5n, signature: signVoucher(delegate, id, 5n, CHAIN) }).ok).to.equal(true);
    expect(v.verify({ descriptor: d, cumulativeAmount: 5n, signature: signVoucher(payer, id, 5n, CHAIN) }).ok).to.equal(false);
  });

  it('verifies ML-DSA-65 vouchers and answers repeats from the cache', () => {
    const d = descriptorFor(pqPayer);
    const id = computeChannelId(d, CHAIN);
    const v = new VoucherVerifier({ chainId: CHAIN });
    const sig = signVoucher(pqPayer, id, 1000n, CHAIN);
    expect(v.verify({ descriptor: d, cumulativeAmount: 1000n, signature: sig }).ok).to.equal(true);
    expect([v.hits, v.misses]).to.deep.equal([0, 1]);
    expect(v.verify({ descriptor: d, cumulativeAmount: 1000n, signature: sig }).ok).to.equal(true);
    expect([v.hits, v.misses]).to.deep.equal([1, 1]);
    // A failed check is cached as a failure, not as a success.
    const bad = fromHex(sig);
    bad[bad.length - 1]! ^= 1;
    expect(v.verify({ descriptor: d, cumulativeAmount: 1000n, signature: bad }).ok).to.equal(false);
    expect(v.verify({ descriptor: d, cumulativeAmount: 1000n, signature: bad }).ok).to.equal(false);
    expect([v.hits, v.misses]).to.deep.equal([2, 2]);
  });

  it('the cache is bounded (oldest entries are evicted)', () => {
    const d = descriptorFor(payer);
    const id = computeChannelId(d, CHAIN);
    const v = new VoucherVerifier({ chainId: CHAIN, cacheSize: 2 });
    const sigs = [1n, 2n, 3n].map((a) => signVoucher(payer, id, a, CHAIN));
    sigs.forEach((s, i) => v.verify({ descriptor: d, cumulativeAmount: BigInt(i + 1), signature: s }));
    v.verify({ descriptor: d, cumulativeAmount: 1n, signature: sigs[0]! });
    expect(v.misses).to.equal(4);
    v.verify({ descriptor: d, cumulativeAmount: 3n, signature: sigs[2]! });
    expect(v.hits).to.equal(1);
  });

  it('a verifier for another chain or escrow rejects the voucher', () => {
    const d = descriptorFor(payer);
    const id = computeChannelId(d, CHAIN);
    const sig = signVoucher(payer, id, 10n, CHAIN);
    expect(new VoucherVerifier({ chainId: CHAIN + 1n }).verify({ descriptor: d, cumulativeAmount: 10n, signature: sig }).ok).to.equal(false);
    expect(new VoucherVerifier({ chainId: CHAIN, escrow: ('0x' + '55'.repeat(20)) as never }).verify({ descriptor: d, cumulativeAmount: 10n, signature: sig }).ok).to.equal(false);
  });
});

describe('expiringNonceHash and buildOpenTx', () => {
  it('expiringNonceHash = keccak256(rlp(unsigned tx) ‖ sender), computed before signing', () => {
    const plan = buildOpenTx({ chainId: CHAIN, nonce: 3n, from: payer.address, payee: payee.address, token: DEV_STABLECOIN_ADDRESS, deposit: 10n, gasLimit: 1_000_000n, gasPrice: 1n });
    const enc = encodeUnsignedTx(plan.tx);
    const independent = toHex(keccak_256(concat(enc, addressBytes(payer.address))));
    expect(plan.descriptor.expiringNonceHash).to.equal(independent);
    expect(expiringNonceHash(plan.tx)).to.equal(independent);
    expect(expiringNonceHash(enc, payer.address)).to.equal(independent);
    expect(plan.channelId).to.equal(computeChannelId(plan.descriptor, CHAIN));
    expect(plan.descriptor).to.deep.include({ payer: payer.address, operator: ZERO_ADDRESS, authorizedSigner: ZERO_ADDRESS, salt: ZERO_WORD });
  });

  it('differs for every nonce, so the same parameters never reuse an id', () => {
    const ids = new Set<string>();
    for (let n = 0n; n < 5n; n++) {
      ids.add(buildOpenTx({ chainId: CHAIN, nonce: n, from: payer.address, payee: payee.address, token: DEV_STABLECOIN_ADDRESS, deposit: 10n, gasLimit: 1_000_000n, gasPrice: 1n }).channelId);
    }
    expect(ids.size).to.equal(5);
  });

  it('rejects bad inputs with the field name', () => {
    const base = { chainId: CHAIN, nonce: 0n, from: payer.address, payee: payee.address, token: DEV_STABLECOIN_ADDRESS, deposit: 10n, gasLimit: 1n, gasPrice: 1n };
    expect(() => buildOpenTx({ ...base, deposit: 1n << 96n })).to.throw(/deposit/);
    expect(() => buildOpenTx({ ...base, salt: '0x12' })).to.throw(/salt/);
    expect(() => buildOpenTx({ ...base, payee: 'nope' })).to.throw();
    expect(() => expiringNonceHash(new Uint8Array(3))).to.throw(/sender/);
  });
});

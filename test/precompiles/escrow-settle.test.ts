/** Spec §10 "Settle", voucher replay across channels, chains and escrows, and both signature schemes. */
import { expect } from 'chai';
import { addressBytes, concat, fromHex, toHex, type DevChain } from '../../sdk/chain.js';
import { ESCROW_ADDRESS, signVoucher, CLOSE_GRACE_PERIOD } from '../../sdk/precompiles/index.js';
import {
  balances,
  channelState,
  DEPOSIT,
  eventData,
  eventNames,
  expectError,
  expectOk,
  keyFromByte,
  nextWholeSecond,
  openChannel,
  salt,
  settle,
  startChain,
  voucher,
} from './helpers.js';

describe('escrow: settle', function () {
  let chain: DevChain;
  const payer = () => chain.signer(1, 'secp256k1');
  const payee = () => chain.signer(2, 'secp256k1');
  const operator = () => chain.signer(3, 'secp256k1');
  const stranger = () => chain.signer(4, 'secp256k1');
  let n = 100;
  const open = (o: Partial<Parameters<typeof openChannel>[2]> = {}) => openChannel(chain, payer(), { payee: payee().address, salt: salt(n++), ...o });

  before(async () => {
    chain = await startChain();
  });
  after(() => chain.stop());

  it('a 500 000 voucher pays the payee 500 000 and records it', async () => {
    const { descriptor, channelId } = await open();
    const who = [payer().address, payee().address, ESCROW_ADDRESS];
    const before = await balances(chain, who);
    const { receipt } = await settle(chain, payee(), descriptor, 500_000n, voucher(chain, payer(), channelId, 500_000n));
    expectOk(receipt);
    expect(await balances(chain, who)).to.deep.equal([before[0], before[1]! + 500_000n, before[2]! - 500_000n]);
    expect(await channelState(chain, channelId)).to.deep.equal({ settled: 500_000n, deposit: DEPOSIT, closeRequestedAt: 0 });
    expect(eventNames(receipt)).to.deep.equal(['Transfer', 'Settled']);
    const ev = receipt.events[1]!;
    expect(toHex(ev.topics[1]!)).to.equal(channelId);
    expect(eventData(ev)).to.deep.equal({ cumulativeAmount: 500_000n, deltaPaid: 500_000n, newSettled: 500_000n });
  });

  it('a later voucher pays only the increase; the same or a lower one fails with AmountNotIncreasing', async () => {
    const { descriptor, channelId } = await open();
    expectOk((await settle(chain, payee(), descriptor, 300_000n, voucher(chain, payer(), channelId, 300_000n))).receipt);
    const before = await balances(chain, [payee().address]);
    const { receipt } = await settle(chain, payee(), descriptor, 450_000n, voucher(chain, payer(), channelId, 450_000n));
    expect(eventData(receipt.events.at(-1)!)).to.deep.equal({ cumulativeAmount: 450_000n, deltaPaid: 150_000n, newSettled: 450_000n });
    expect(await balances(chain, [payee().address])).to.deep.equal([before[0]! + 150_000n]);
    expectError((await settle(chain, payee(), descriptor, 450_000n, voucher(chain, payer(), channelId, 450_000n))).receipt, 'AmountNotIncreasing');
    expectError((await settle(chain, payee(), descriptor, 300_000n, voucher(chain, payer(), channelId, 300_000n))).receipt, 'AmountNotIncreasing');
    expect((await channelState(chain, channelId)).settled).to.equal(450_000n);
  });

  it('more than the deposit fails with AmountExceedsDeposit (checked before the signature)', async () => {
    const { descriptor, channelId } = await open();
    expectError((await settle(chain, payee(), descriptor, DEPOSIT + 1n, voucher(chain, payer(), channelId, DEPOSIT + 1n))).receipt, 'AmountExceedsDeposit');
    expectError((await settle(chain, payee(), descriptor, DEPOSIT + 1n, new Uint8Array(65))).receipt, 'AmountExceedsDeposit');
    expectOk((await settle(chain, payee(), descriptor, DEPOSIT, voucher(chain, payer(), channelId, DEPOSIT))).receipt);
  });

  it('a voucher from the wrong signer fails with InvalidSignature', async () => {
    const { descriptor, channelId } = await open();
    expectError((await settle(chain, payee(), descriptor, 10n, voucher(chain, payee(), channelId, 10n))).receipt, 'InvalidSignature');
    expectError((await settle(chain, payee(), descriptor, 10n, voucher(chain, payer(), channelId, 11n))).receipt, 'InvalidSignature');
  });

  it('garbage or malformed signatures fail with InvalidSignature, even at a low amount', async () => {
    const { descriptor, channelId } = await open();
    const good = voucher(chain, payer(), channelId, 1n);
    for (const bad of [new Uint8Array(0), new Uint8Array(65), good.subarray(0, 64), concat(good, new Uint8Array([0])), fromHex('0x' + 'ab'.repeat(200))]) {
      expectError((await settle(chain, payee(), descriptor, 1n, bad)).receipt, 'InvalidSignature');
    }
    expect((await channelState(chain, channelId)).settled).to.equal(0n);
  });

  it('keychain-wrapped signatures (0x03 / 0x04) are rejected', async () => {
    const { descriptor, channelId } = await open();
    const inner = voucher(chain, payer(), channelId, 5n);
    for (const tag of [0x03, 0x04]) {
      const wrapped = concat(new Uint8Array([tag]), addressBytes(payer().address), inner);
      expectError((await settle(chain, payee(), descriptor, 5n, wrapped)).receipt, 'InvalidSignature');
    }
    expectOk((await settle(chain, payee(), descriptor, 5n, inner)).receipt);
  });

  it('a wrong descriptor field lands on an empty slot: ChannelNotFound', async () => {
    const { descriptor, channelId } = await open();
    const sig = voucher(chain, payer(), channelId, 10n);
    for (const wrong of [{ salt: salt(999_999) }, { payee: stranger().address }, { token: '0x20c0000000000000000000000000000000000009' }]) {
      expectError((await settle(chain, payee(), { ...descriptor, ...wrong } as typeof descriptor, 10n, sig)).receipt, 'ChannelNotFound');
    }
  });

  it('a delegated signer works, and then the payer\'s own voucher does not', async () => {
    const delegate = keyFromByte(0x71);
    const { descriptor, channelId } = await open({ authorizedSigner: delegate.address });
    expectError((await settle(chain, payee(), descriptor, 10n, voucher(chain, payer(), channelId, 10n))).receipt, 'InvalidSignature');
    expectOk((await settle(chain, payee(), descriptor, 10n, voucher(chain, delegate, channelId, 10n))).receipt);
  });

  it('an operator can settle, and the payee receives the funds', async () => {
    const { descriptor, channelId } = await open({ operator: operator().address });
    const who = [payee().address, operator().address];
    const before = await balances(chain, who);
    expectOk((await settle(chain, operator(), descriptor, 70_000n, voucher(chain, payer(), channelId, 70_000n))).receipt);
    expect(await balances(chain, who)).to.deep.equal([before[0]! + 70_000n, before[1]]);
  });

  it('anyone else fails with NotPayeeOrOperator (a zero operator authorizes nobody; the payer cannot settle)', async () => {
    const { descriptor, channelId } = await open();
    const sig = voucher(chain, payer(), channelId, 10n);
    expectError((await settle(chain, stranger(), descriptor, 10n, sig)).receipt, 'NotPayeeOrOperator');
    expectError((await settle(chain, payer(), descriptor, 10n, sig)).receipt, 'NotPayeeOrOperator');
    const withOp = await open({ operator: operator().address });
    expectError((await settle(chain, stranger(), withOp.descriptor, 10n, voucher(chain, payer(), withOp.channelId, 10n))).receipt, 'NotPayeeOrOperator');
  });

  it('ML-DSA-65 vouchers: a PQ payer, and a PQ delegated signer', async () => {
    const pqPayer = chain.signer(6, 'ml-dsa-65');
    const a = await openChannel(chain, pqPayer, { payee: payee().address, salt: salt(n++) });
    expectError((await settle(chain, payee(), a.descriptor, 20n, voucher(chain, keyFromByte(0x72, 'ml-dsa-65'), a.channelId, 20n))).receipt, 'InvalidSignature');
    expectOk((await settle(chain, payee(), a.descriptor, 20n, voucher(chain, pqPayer, a.channelId, 20n))).receipt);
    const pqDelegate = keyFromByte(0x73, 'ml-dsa-65');
    const b = await open({ authorizedSigner: pqDelegate.address });
    const sig = voucher(chain, pqDelegate, b.channelId, 30n);
    const tampered = sig.slice();
    tampered[2000]! ^= 0x40;
    expectError((await settle(chain, payee(), b.descriptor, 30n, tampered)).receipt, 'InvalidSignature');
    expectError((await settle(chain, payee(), b.descriptor, 30n, sig.subarray(1 + 1952))).receipt, 'InvalidSignature');
    expectOk((await settle(chain, payee(), b.descriptor, 30n, sig)).receipt);
  });

  it('the mempool pre-verifies voucher signatures (execution finds them in the cache)', async () => {
    const { descriptor, channelId } = await open();
    const cache = chain.node.chain.executor.sigCache;
    const hits = cache.hits;
    expectOk((await settle(chain, payee(), descriptor, 40n, voucher(chain, payer(), channelId, 40n))).receipt);
    expect(cache.hits).to.equal(hits + 1);
  });

  describe('replay protection', () => {
    it('a voucher for channel A does not pay on channel B between the same parties', async () => {
      const a = await open();
      const b = await open();
      expectError((await settle(chain, payee(), b.descriptor, 50n, voucher(chain, payer(), a.channelId, 50n))).receipt, 'InvalidSignature');
    });

    it('a voucher signed for another chain id does not pay', async () => {
      const { descriptor, channelId } = await open();
      const sig = fromHex(signVoucher(payer(), channelId, 50n, chain.chainId + 1n));
      expectError((await settle(chain, payee(), descriptor, 50n, sig)).receipt, 'InvalidSignature');
    });

    it('a voucher signed for another escrow address does not pay', async () => {
      const { descriptor, channelId } = await open();
      const sig = fromHex(signVoucher(payer(), channelId, 50n, chain.chainId, '0x' + '4d'.repeat(20)));
      expectError((await settle(chain, payee(), descriptor, 50n, sig)).receipt, 'InvalidSignature');
    });

    it('after settlement the same voucher cannot be collected again', async () => {
      const { descriptor, channelId } = await open();
      const sig = voucher(chain, payer(), channelId, 60n);
      expectOk((await settle(chain, payee(), descriptor, 60n, sig)).receipt);
      const before = await balances(chain, [payee().address]);
      expectError((await settle(chain, payee(), descriptor, 60n, sig)).receipt, 'AmountNotIncreasing');
      // A malleated (high-s) copy of the same signature is not a second voucher either.
      const s = BigInt(toHex(sig.subarray(32, 64)));
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const mall = sig.slice();
      mall.set(fromHex('0x' + (n - s).toString(16).padStart(64, '0')), 32);
      mall[64] = sig[64] === 27 ? 28 : 27;
      expectError((await settle(chain, payee(), descriptor, 60n, mall)).receipt, 'AmountNotIncreasing');
      expect(await balances(chain, [payee().address])).to.deep.equal(before);
    });
  });

  it('settle still works during the close grace period', async () => {
    const { descriptor, channelId } = await open();
    const t0 = nextWholeSecond(chain);
    chain.setNextBlockTimestamp(t0);
    expectOk((await chain.send(payer(), 'escrow', 'requestClose', { descriptor })).receipt);
    chain.setNextBlockTimestamp(t0 + (CLOSE_GRACE_PERIOD - 1n) * 1000n);
    expectOk((await settle(chain, payee(), descriptor, 80n, voucher(chain, payer(), channelId, 80n))).receipt);
    expect(await channelState(chain, channelId)).to.deep.equal({ settled: 80n, deposit: DEPOSIT, closeRequestedAt: Number(t0 / 1000n) });
  });
});

/** Spec §10 "Top-up and close request", "Close" and "Withdraw", through real signed transactions. */
import { expect } from 'chai';
import { bytesToBig, type Address, type DevChain } from '../../sdk/chain.js';
import { CLOSE_GRACE_PERIOD, ESCROW_ADDRESS, MAX_UINT96 } from '../../sdk/precompiles/index.js';
import {
  balances,
  channelState,
  close,
  DEPOSIT,
  eventData,
  eventNames,
  expectError,
  expectOk,
  nextWholeSecond,
  openChannel,
  rawSlot,
  salt,
  settle,
  startChain,
  voucher,
} from './helpers.js';

describe('escrow: top-up, close request, close, withdraw', function () {
  let chain: DevChain;
  const payer = () => chain.signer(1, 'secp256k1');
  const payee = () => chain.signer(2, 'secp256k1');
  const stranger = () => chain.signer(4, 'secp256k1');
  let n = 1000;
  const open = (o: Partial<Parameters<typeof openChannel>[2]> = {}) => openChannel(chain, payer(), { payee: payee().address, salt: salt(n++), ...o });
  const who = () => [payer().address, payee().address, ESCROW_ADDRESS];

  before(async () => {
    chain = await startChain();
  });
  after(() => chain.stop());

  describe('topUp and requestClose', () => {
    it('topUp 250 000 makes the deposit 1 250 000', async () => {
      const { descriptor, channelId } = await open();
      const before = await balances(chain, who());
      const { receipt } = await chain.send(payer(), 'escrow', 'topUp', { descriptor, additionalDeposit: 250_000n });
      expectOk(receipt);
      expect((await channelState(chain, channelId)).deposit).to.equal(1_250_000n);
      expect(await balances(chain, who())).to.deep.equal([before[0]! - 250_000n, before[1], before[2]! + 250_000n]);
      expect(eventNames(receipt)).to.deep.equal(['Transfer', 'TopUp']);
      expect(eventData(receipt.events[1]!)).to.deep.equal({ additionalDeposit: 250_000n, newDeposit: 1_250_000n });
    });

    it('a zero topUp without a close request changes nothing and emits nothing', async () => {
      const { descriptor, channelId } = await open();
      const slot = await rawSlot(chain, channelId);
      const { receipt } = await chain.send(payer(), 'escrow', 'topUp', { descriptor, additionalDeposit: 0n });
      expectOk(receipt);
      expect(receipt.events).to.deep.equal([]);
      expect(await rawSlot(chain, channelId)).to.deep.equal(slot);
    });

    it('requestClose stores the block time in seconds in bits 192..223, once', async () => {
      const { descriptor, channelId } = await open();
      expectOk((await settle(chain, payee(), descriptor, 7n, voucher(chain, payer(), channelId, 7n))).receipt);
      const t0 = nextWholeSecond(chain) + 250n; // a block time with milliseconds: seconds are floored
      chain.setNextBlockTimestamp(t0);
      const { receipt } = await chain.send(payer(), 'escrow', 'requestClose', { descriptor });
      expectOk(receipt);
      const seconds = t0 / 1000n;
      const word = bytesToBig((await rawSlot(chain, channelId))!);
      expect(word >> 192n).to.equal(seconds);
      expect((word >> 96n) & MAX_UINT96).to.equal(DEPOSIT);
      expect(word & MAX_UINT96).to.equal(7n);
      expect(eventNames(receipt)).to.deep.equal(['CloseRequested']);
      expect(eventData(receipt.events[0]!)).to.deep.equal({ closeGraceEnd: seconds + CLOSE_GRACE_PERIOD });
      // A second request is a silent no-op that keeps the first timestamp.
      chain.increaseTime(30);
      const again = await chain.send(payer(), 'escrow', 'requestClose', { descriptor });
      expectOk(again.receipt);
      expect(again.receipt.events).to.deep.equal([]);
      expect((await channelState(chain, channelId)).closeRequestedAt).to.equal(Number(seconds));
    });

    it('a topUp cancels a pending close request (a zero one too)', async () => {
      for (const amount of [0n, 5n]) {
        const { descriptor, channelId } = await open();
        expectOk((await chain.send(payer(), 'escrow', 'requestClose', { descriptor })).receipt);
        const { receipt } = await chain.send(payer(), 'escrow', 'topUp', { descriptor, additionalDeposit: amount });
        expectOk(receipt);
        expect(eventNames(receipt)).to.deep.equal(amount > 0n ? ['Transfer', 'CloseRequestCancelled', 'TopUp'] : ['CloseRequestCancelled', 'TopUp']);
        expect(await channelState(chain, channelId)).to.deep.equal({ settled: 0n, deposit: DEPOSIT + amount, closeRequestedAt: 0 });
      }
    });

    it('only the payer may top up, request a close or withdraw: NotPayer', async () => {
      const { descriptor } = await open();
      for (const s of [payee(), stranger()]) {
        expectError((await chain.send(s, 'escrow', 'topUp', { descriptor, additionalDeposit: 1n })).receipt, 'NotPayer');
        expectError((await chain.send(s, 'escrow', 'requestClose', { descriptor })).receipt, 'NotPayer');
        expectError((await chain.send(s, 'escrow', 'withdraw', { descriptor })).receipt, 'NotPayer');
      }
    });

    it('a wrong descriptor fails every call with ChannelNotFound', async () => {
      const { descriptor } = await open();
      const wrong = { ...descriptor, salt: salt(123_456_789) };
      expectError((await chain.send(payer(), 'escrow', 'topUp', { descriptor: wrong, additionalDeposit: 1n })).receipt, 'ChannelNotFound');
      expectError((await chain.send(payer(), 'escrow', 'requestClose', { descriptor: wrong })).receipt, 'ChannelNotFound');
      expectError((await chain.send(payer(), 'escrow', 'withdraw', { descriptor: wrong })).receipt, 'ChannelNotFound');
      expectError((await close(chain, payee(), wrong, 0n, 0n, '0x')).receipt, 'ChannelNotFound');
    });

    it('a deposit can reach exactly 2^96-1; one more unit fails with DepositOverflow', async () => {
      const rich = chain.signer(7, 'secp256k1');
      const { result: token } = await chain.send<Address>(rich, 'tip20Factory', 'createToken', { name: 'Big', symbol: 'BIG', issuer: rich.address, salt: salt(1) });
      expectOk((await chain.send(rich, token, 'mint', { to: rich.address, amount: MAX_UINT96 + 10n })).receipt);
      const { descriptor, channelId } = await openChannel(chain, rich, { payee: payee().address, token, deposit: MAX_UINT96 - 10n });
      expectOk((await chain.send(rich, 'escrow', 'topUp', { descriptor, additionalDeposit: 10n })).receipt);
      expect((await channelState(chain, channelId)).deposit).to.equal(MAX_UINT96);
      const before = await balances(chain, [rich.address, ESCROW_ADDRESS], token);
      expectError((await chain.send(rich, 'escrow', 'topUp', { descriptor, additionalDeposit: 1n })).receipt, 'DepositOverflow');
      expect(await balances(chain, [rich.address, ESCROW_ADDRESS], token)).to.deep.equal(before);
    });
  });

  describe('close', () => {
    it('voucher 900k, capture 600k: payee +600k, payer +400k, slot deleted', async () => {
      const { descriptor, channelId } = await open();
      const before = await balances(chain, who());
      const { receipt } = await close(chain, payee(), descriptor, 900_000n, 600_000n, voucher(chain, payer(), channelId, 900_000n));
      expectOk(receipt);
      expect(await balances(chain, who())).to.deep.equal([before[0]! + 400_000n, before[1]! + 600_000n, before[2]! - DEPOSIT]);
      expect(await rawSlot(chain, channelId)).to.equal(undefined);
      expect(await channelState(chain, channelId)).to.deep.equal({ settled: 0n, deposit: 0n, closeRequestedAt: 0 });
      expect(eventData(receipt.events.at(-1)!)).to.deep.equal({ settledToPayee: 600_000n, refundedToPayer: 400_000n });
    });

    it('settle 300k, then voucher 800k / capture 500k: the payee gets only 200k more', async () => {
      const { descriptor, channelId } = await open();
      expectOk((await settle(chain, payee(), descriptor, 300_000n, voucher(chain, payer(), channelId, 300_000n))).receipt);
      const before = await balances(chain, who());
      const { receipt } = await close(chain, payee(), descriptor, 800_000n, 500_000n, voucher(chain, payer(), channelId, 800_000n));
      expectOk(receipt);
      expect(await balances(chain, who())).to.deep.equal([before[0]! + 500_000n, before[1]! + 200_000n, before[2]! - 700_000n]);
      // settledToPayee is the channel's lifetime total, not this call's delta.
      expect(eventData(receipt.events.at(-1)!)).to.deep.equal({ settledToPayee: 500_000n, refundedToPayer: 500_000n });
    });

    it('a voucher above the deposit may close with capture = deposit', async () => {
      const { descriptor, channelId } = await open();
      const before = await balances(chain, who());
      expectOk((await close(chain, payee(), descriptor, DEPOSIT + 250_000n, DEPOSIT, voucher(chain, payer(), channelId, DEPOSIT + 250_000n))).receipt);
      expect(await balances(chain, who())).to.deep.equal([before[0], before[1]! + DEPOSIT, before[2]! - DEPOSIT]);
    });

    it('capture below settled or above the voucher fails with CaptureAmountInvalid; above the deposit with AmountExceedsDeposit', async () => {
      const { descriptor, channelId } = await open();
      expectOk((await settle(chain, payee(), descriptor, 300_000n, voucher(chain, payer(), channelId, 300_000n))).receipt);
      const sig = voucher(chain, payer(), channelId, 800_000n);
      expectError((await close(chain, payee(), descriptor, 800_000n, 200_000n, sig)).receipt, 'CaptureAmountInvalid');
      expectError((await close(chain, payee(), descriptor, 800_000n, 800_001n, sig)).receipt, 'CaptureAmountInvalid');
      const big = voucher(chain, payer(), channelId, DEPOSIT + 5n);
      expectError((await close(chain, payee(), descriptor, DEPOSIT + 5n, DEPOSIT + 1n, big)).receipt, 'AmountExceedsDeposit');
      expect((await channelState(chain, channelId)).deposit).to.equal(DEPOSIT);
    });

    it('closing at the settled amount needs no signature; above it, an empty one fails', async () => {
      const { descriptor, channelId } = await open();
      expectOk((await settle(chain, payee(), descriptor, 100_000n, voucher(chain, payer(), channelId, 100_000n))).receipt);
      expectError((await close(chain, payee(), descriptor, 100_001n, 100_001n, '0x')).receipt, 'InvalidSignature');
      expectError((await close(chain, payee(), descriptor, 100_001n, 100_001n, voucher(chain, payee(), channelId, 100_001n))).receipt, 'InvalidSignature');
      const before = await balances(chain, who());
      expectOk((await close(chain, payee(), descriptor, 100_000n, 100_000n, '0x')).receipt);
      expect(await balances(chain, who())).to.deep.equal([before[0]! + 900_000n, before[1], before[2]! - 900_000n]);
      expect(await rawSlot(chain, channelId)).to.equal(undefined);
    });

    it('close works while a close request is pending; only the payee or operator may close', async () => {
      const op = chain.signer(3, 'secp256k1');
      const { descriptor, channelId } = await open({ operator: op.address });
      expectOk((await chain.send(payer(), 'escrow', 'requestClose', { descriptor })).receipt);
      const sig = voucher(chain, payer(), channelId, 10n);
      expectError((await close(chain, payer(), descriptor, 10n, 10n, sig)).receipt, 'NotPayeeOrOperator');
      expectError((await close(chain, stranger(), descriptor, 10n, 10n, sig)).receipt, 'NotPayeeOrOperator');
      expectOk((await close(chain, op, descriptor, 10n, 10n, sig)).receipt);
    });

    it('after close nothing can be collected again, and a new open gets a new id', async () => {
      const { descriptor, channelId } = await open({ salt: salt(77) });
      const sig = voucher(chain, payer(), channelId, 50n);
      expectOk((await close(chain, payee(), descriptor, 50n, 40n, sig)).receipt);
      expectError((await settle(chain, payee(), descriptor, 50n, sig)).receipt, 'ChannelNotFound');
      expectError((await close(chain, payee(), descriptor, 50n, 50n, sig)).receipt, 'ChannelNotFound');
      expectError((await chain.send(payer(), 'escrow', 'withdraw', { descriptor })).receipt, 'ChannelNotFound');
      const again = await open({ salt: salt(77) });
      expect(again.channelId).to.not.equal(channelId);
      expectError((await settle(chain, payee(), again.descriptor, 50n, sig)).receipt, 'InvalidSignature');
    });
  });

  describe('withdraw', () => {
    it('without a close request fails with CloseNotReady', async () => {
      const { descriptor } = await open();
      expectError((await chain.send(payer(), 'escrow', 'withdraw', { descriptor })).receipt, 'CloseNotReady');
    });

    it('at grace−1 s fails with CloseNotReady, at grace refunds deposit − settled and deletes the slot', async () => {
      const { descriptor, channelId } = await open();
      expectOk((await settle(chain, payee(), descriptor, 123_000n, voucher(chain, payer(), channelId, 123_000n))).receipt);
      const t0 = nextWholeSecond(chain);
      chain.setNextBlockTimestamp(t0);
      expectOk((await chain.send(payer(), 'escrow', 'requestClose', { descriptor })).receipt);
      chain.setNextBlockTimestamp(t0 + (CLOSE_GRACE_PERIOD - 1n) * 1000n);
      expectError((await chain.send(payer(), 'escrow', 'withdraw', { descriptor })).receipt, 'CloseNotReady');
      chain.setNextBlockTimestamp(t0 + (CLOSE_GRACE_PERIOD - 1n) * 1000n + 999n);
      expectError((await chain.send(payer(), 'escrow', 'withdraw', { descriptor })).receipt, 'CloseNotReady');
      const before = await balances(chain, who());
      chain.setNextBlockTimestamp(t0 + CLOSE_GRACE_PERIOD * 1000n);
      const { receipt } = await chain.send(payer(), 'escrow', 'withdraw', { descriptor });
      expectOk(receipt);
      expect(await balances(chain, who())).to.deep.equal([before[0]! + DEPOSIT - 123_000n, before[1], before[2]! - (DEPOSIT - 123_000n)]);
      expect(eventData(receipt.events.at(-1)!)).to.deep.equal({ settledToPayee: 123_000n, refundedToPayer: DEPOSIT - 123_000n });
      expect(await rawSlot(chain, channelId)).to.equal(undefined);
      expectError((await chain.send(payer(), 'escrow', 'withdraw', { descriptor })).receipt, 'ChannelNotFound');
    });

    it('after grace + 1 s an untouched channel refunds everything', async () => {
      const { descriptor } = await open();
      const t0 = nextWholeSecond(chain);
      chain.setNextBlockTimestamp(t0);
      expectOk((await chain.send(payer(), 'escrow', 'requestClose', { descriptor })).receipt);
      const before = await balances(chain, who());
      chain.setNextBlockTimestamp(t0 + (CLOSE_GRACE_PERIOD + 1n) * 1000n);
      expectOk((await chain.send(payer(), 'escrow', 'withdraw', { descriptor })).receipt);
      expect(await balances(chain, who())).to.deep.equal([before[0]! + DEPOSIT, before[1], before[2]! - DEPOSIT]);
    });

    it('withdraw and close in the same block at the grace boundary: exactly one finalizes, by transaction order', async () => {
      const manual = await startChain({ mining: 'manual' });
      try {
        const p = manual.signer(1, 'secp256k1');
        const q = manual.signer(2, 'secp256k1');
        // In manual mode `send` mines one block per transaction.
        const { descriptor, channelId } = await openChannel(manual, p, { payee: q.address });
        const t0 = nextWholeSecond(manual);
        manual.setNextBlockTimestamp(t0);
        expectOk((await manual.send(p, 'escrow', 'requestClose', { descriptor })).receipt);
        const accounts = [p.address, q.address, ESCROW_ADDRESS];
        const total = (await balances(manual, accounts)).reduce((a, b) => a + b, 0n);
        const w = await manual.submit(p, 'escrow', 'withdraw', { descriptor });
        const c = await manual.submit(q, 'escrow', 'close', { descriptor, cumulativeAmount: 300n, captureAmount: 300n, signature: voucher(manual, p, channelId, 300n) });
        manual.setNextBlockTimestamp(t0 + CLOSE_GRACE_PERIOD * 1000n);
        const [block] = await manual.mine(1);
        expect(block!.block.txs).to.have.length(2);
        const order = block!.block.txs.map((tx) => tx.method);
        const byMethod = { withdraw: (await w.receipt).receipt, close: (await c.receipt).receipt };
        const [first, second] = order as ('withdraw' | 'close')[];
        expectOk(byMethod[first!]);
        expectError(byMethod[second!], 'ChannelNotFound');
        expect((await balances(manual, accounts)).reduce((a, b) => a + b, 0n)).to.equal(total);
        expect(await rawSlot(manual, channelId)).to.equal(undefined);
      } finally {
        await manual.stop();
      }
    });
  });
});

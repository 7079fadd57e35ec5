/**
 * Acceptance 3: random sequences of channel operations, sent as real signed transactions to an
 * in-process chain, checked step by step against a reference model written from the spec
 * (tip1034.md §1.4). After every step:
 *  - the receipt matches the model (success, or the named error the spec predicts);
 *  - each channel's on-chain state equals the model's; `settled` never decreases and never
 *    exceeds `deposit`; a closed or withdrawn channel has no slot left;
 *  - funds are conserved across payer, payee and escrow, and the escrow holds exactly the
 *    unsettled deposits of the live channels.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { ZERO_ADDRESS, type Address, type DevChain, type Receipt, type Signer } from '../../sdk/chain.js';
import { CLOSE_GRACE_PERIOD, ESCROW_ADDRESS, type ChannelDescriptor, type Hex32 } from '../../sdk/precompiles/index.js';
import { balances, channelState, close, keyFromByte, openChannel, rawSlot, salt, settle, startChain, voucher } from './helpers.js';

type Slot = 0 | 1;
/** Amounts are chosen by intent relative to the live state; the model judges the exact values. */
type SettleAim = 'next' | 'same' | 'lower' | 'over';
type CaptureAim = 'settled' | 'between' | 'below' | 'over';
type CumulativeAim = 'equal' | 'above' | 'below';
type Op =
  | { kind: 'open'; slot: Slot; deposit: bigint; withOperator: boolean }
  | { kind: 'settle'; slot: Slot; aim: SettleAim; frac: number; by: 'payee' | 'operator' | 'payer'; forged: boolean }
  | { kind: 'topUp'; slot: Slot; amount: bigint }
  | { kind: 'requestClose'; slot: Slot }
  | { kind: 'withdraw'; slot: Slot }
  | { kind: 'close'; slot: Slot; capture: CaptureAim; cumulative: CumulativeAim; frac: number; signed: boolean; by: 'payee' | 'operator' }
  | { kind: 'advance'; seconds: number };

const slot = fc.constantFrom<Slot>(0, 0, 1);
const frac = fc.integer({ min: 1, max: 1000 });
const openArb = fc.record({ kind: fc.constant('open' as const), slot, deposit: fc.bigInt({ min: 1n, max: 2_000_000n }), withOperator: fc.boolean() });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: openArb, weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      slot,
      aim: fc.constantFrom<SettleAim>('next', 'next', 'next', 'same', 'lower', 'over'),
      frac,
      by: fc.constantFrom<'payee' | 'operator' | 'payer'>('payee', 'payee', 'payee', 'operator', 'payer'),
      forged: fc.constantFrom(false, false, false, true),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('topUp' as const), slot, amount: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 500_000n })) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('requestClose' as const), slot }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('withdraw' as const), slot }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('close' as const),
      slot,
      capture: fc.constantFrom<CaptureAim>('settled', 'between', 'between', 'below', 'over'),
      cumulative: fc.constantFrom<CumulativeAim>('equal', 'above', 'above', 'below'),
      frac,
      signed: fc.constantFrom(true, true, false),
      by: fc.constantFrom<'payee' | 'operator'>('payee', 'payee', 'operator'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.constantFrom(1, 450, 898, 899, 900, 1000) }), weight: 3 },
);

const part = (x: bigint, f: number) => (x * BigInt(f)) / 1000n;

function settleAmount(op: Extract<Op, { kind: 'settle' }>, settled: bigint, deposit: bigint): bigint {
  switch (op.aim) {
    case 'next':
      return settled + 1n + part(deposit - settled - 1n > 0n ? deposit - settled - 1n : 0n, op.frac);
    case 'same':
      return settled;
    case 'lower':
      return part(settled, op.frac) < settled ? part(settled, op.frac) : 0n;
    case 'over':
      return deposit + 1n + BigInt(op.frac);
  }
}

function closeAmounts(op: Extract<Op, { kind: 'close' }>, settled: bigint, deposit: bigint): { capture: bigint; cumulative: bigint } {
  const capture =
    op.capture === 'settled' ? settled : op.capture === 'between' ? settled + part(deposit - settled, op.frac) : op.capture === 'below' ? (settled > 0n ? settled - 1n : 0n) : deposit + BigInt(op.frac);
  const cumulative = op.cumulative === 'equal' ? capture : op.cumulative === 'above' ? capture + BigInt(op.frac) * 1000n : capture > 0n ? capture - 1n : 0n;
  return { capture, cumulative };
}

interface ModelChannel {
  descriptor: ChannelDescriptor;
  channelId: Hex32;
  settled: bigint;
  deposit: bigint;
  closeRequestedAt: number;
  closed: boolean;
}

describe('escrow properties over random operation sequences', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let payer: Signer, payee: Signer, operator: Signer;
  let saltCounter = 0;

  before(async () => {
    chain = await startChain();
    payer = chain.signer(1, 'secp256k1');
    payee = chain.signer(2, 'secp256k1');
    operator = chain.signer(3, 'secp256k1');
  });
  after(() => chain.stop());

  /** The spec's outcome for `op` on the model, and the model after it (null: the op is not sent). */
  function expected(op: Exclude<Op, { kind: 'open' | 'advance' }>, ch: ModelChannel, nowSec: bigint, amounts: { amount: bigint; capture: bigint }): string {
    if (ch.closed) return 'ChannelNotFound';
    const d = ch.descriptor;
    const hasOperator = d.operator !== ZERO_ADDRESS;
    switch (op.kind) {
      case 'settle': {
        if (!(op.by === 'payee' || (op.by === 'operator' && hasOperator))) return 'NotPayeeOrOperator';
        if (amounts.amount > ch.deposit) return 'AmountExceedsDeposit';
        if (amounts.amount <= ch.settled) return 'AmountNotIncreasing';
        if (op.forged) return 'InvalidSignature';
        ch.settled = amounts.amount;
        return '';
      }
      case 'topUp':
        if (op.amount === 0n && ch.closeRequestedAt === 0) return '';
        ch.deposit += op.amount;
        ch.closeRequestedAt = 0;
        return '';
      case 'requestClose':
        if (ch.closeRequestedAt === 0) ch.closeRequestedAt = Number(nowSec);
        return '';
      case 'withdraw':
        if (ch.closeRequestedAt === 0 || nowSec < BigInt(ch.closeRequestedAt) + CLOSE_GRACE_PERIOD) return 'CloseNotReady';
        ch.closed = true;
        return '';
      case 'close': {
        if (!(op.by === 'payee' || (op.by === 'operator' && hasOperator))) return 'NotPayeeOrOperator';
        const cumulative = amounts.amount;
        if (amounts.capture < ch.settled || amounts.capture > cumulative) return 'CaptureAmountInvalid';
        if (amounts.capture > ch.deposit) return 'AmountExceedsDeposit';
        if (amounts.capture > ch.settled && !op.signed) return 'InvalidSignature';
        ch.settled = amounts.capture;
        ch.closed = true;
        return '';
      }
    }
  }

  /** Every (op kind, outcome) pair the runs produced: the runs must cover every spec outcome. */
  const seen = new Set<string>();

  async function run(ops: Op[]): Promise<void> {
    const accounts: Address[] = [payer.address, payee.address, ESCROW_ADDRESS];
    const start = await balances(chain, accounts);
    const total = start.reduce((a, b) => a + b, 0n);
    const channels: (ModelChannel | null)[] = [null, null];
    const all: ModelChannel[] = [];
    let now = (chain.node.head().timestamp / 1000n + 5n) * 1000n;
    let paidToPayee = 0n;
    const tick = () => {
      chain.setNextBlockTimestamp(now);
      const sec = now / 1000n;
      now += 1000n;
      return sec;
    };

    for (const op of ops) {
      if (op.kind === 'advance') {
        now += BigInt(op.seconds) * 1000n;
        continue;
      }
      let receipt: Receipt;
      let want: string;
      if (op.kind === 'open') {
        if (channels[op.slot] && !channels[op.slot]!.closed) continue;
        tick();
        const o = await openChannel(chain, payer, { payee: payee.address, deposit: op.deposit, salt: salt(++saltCounter), operator: op.withOperator ? operator.address : undefined });
        const ch: ModelChannel = { descriptor: o.descriptor, channelId: o.channelId, settled: 0n, deposit: op.deposit, closeRequestedAt: 0, closed: false };
        channels[op.slot] = ch;
        all.push(ch);
        receipt = o.result.receipt;
        want = '';
      } else {
        const ch = channels[op.slot];
        if (!ch) continue;
        const nowSec = tick();
        const settledBefore = ch.settled;
        if (op.kind === 'settle') {
          const amount = settleAmount(op, ch.settled, ch.deposit);
          const signer = op.forged ? keyFromByte(0x99) : payer;
          const caller = op.by === 'payee' ? payee : op.by === 'operator' ? operator : payer;
          want = expected(op, ch, nowSec, { amount, capture: 0n });
          receipt = (await settle(chain, caller, ch.descriptor, amount, voucher(chain, signer, ch.channelId, amount))).receipt;
        } else if (op.kind === 'close') {
          const { capture, cumulative } = closeAmounts(op, ch.settled, ch.deposit);
          want = expected(op, ch, nowSec, { amount: cumulative, capture });
          const sig = op.signed ? voucher(chain, payer, ch.channelId, cumulative) : new Uint8Array(0);
          receipt = (await close(chain, op.by === 'payee' ? payee : operator, ch.descriptor, cumulative, capture, sig)).receipt;
        } else {
          want = expected(op, ch, nowSec, { amount: 0n, capture: 0n });
          const args = op.kind === 'topUp' ? { descriptor: ch.descriptor, additionalDeposit: op.amount } : { descriptor: ch.descriptor };
          receipt = (await chain.send(payer, 'escrow', op.kind, args)).receipt;
        }
        if (want === '') paidToPayee += ch.settled - settledBefore;
      }
      seen.add(`${op.kind}:${receipt.error || 'ok'}`);
      expect(receipt.error, `${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}: ${receipt.errorMessage}`).to.equal(want);

      // Invariants, read from the chain.
      let escrowOwed = 0n;
      for (const ch of all) {
        const s = await channelState(chain, ch.channelId);
        if (ch.closed) {
          expect(s).to.deep.equal({ settled: 0n, deposit: 0n, closeRequestedAt: 0 });
          expect(await rawSlot(chain, ch.channelId), 'no slot survives close').to.equal(undefined);
        } else {
          expect(s).to.deep.equal({ settled: ch.settled, deposit: ch.deposit, closeRequestedAt: ch.closeRequestedAt });
          expect(s.settled <= s.deposit).to.equal(true);
          escrowOwed += ch.deposit - ch.settled;
        }
      }
      const now_ = await balances(chain, accounts);
      expect(now_.reduce((a, b) => a + b, 0n), 'funds are conserved').to.equal(total);
      expect(now_[2]! - start[2]!, 'the escrow holds exactly the unsettled deposits').to.equal(escrowOwed);
      expect(now_[1]! - start[1]!, 'the payee received exactly what was settled').to.equal(paidToPayee);
    }
  }

  it('conserve funds, keep settled monotone and within the deposit, and leave no slot after close', async () => {
    // Every sequence starts by opening a channel; FC_SEED=n explores other sequences. Unbiased
    // generation: fast-check's default bias favours the first constants, starving some outcomes.
    const sequences = fc.tuple(openArb.map((o) => ({ ...o, slot: 0 as Slot })), fc.array(opArb, { minLength: 4, maxLength: 20 })).map(([o, rest]) => [o, ...rest]);
    const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 1034;
    await fc.assert(fc.asyncProperty(sequences, run), { numRuns: 50, seed, plugins: [fc.unbiased()] });
    const outcomes = [
      'open:ok', 'settle:ok', 'topUp:ok', 'requestClose:ok', 'withdraw:ok', 'close:ok',
      'settle:AmountExceedsDeposit', 'settle:AmountNotIncreasing', 'settle:InvalidSignature', 'settle:NotPayeeOrOperator', 'settle:ChannelNotFound',
      'withdraw:CloseNotReady', 'close:CaptureAmountInvalid', 'close:AmountExceedsDeposit', 'close:InvalidSignature',
    ];
    expect(outcomes.filter((o) => !seen.has(o)), `outcomes seen: ${[...seen].sort().join(', ')}`).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import fc from 'fast-check';
import { Mempool, Transaction, TxRejected, toAddress, toHex, type Address, type MempoolOptions } from '../../sdk/chain.js';

const senders = [1, 2, 3].map((i) => toAddress(new Uint8Array(20).fill(i)));
const TO = toAddress(new Uint8Array(20).fill(9));

function tx(from: Address, nonce: bigint, gasPrice: bigint, salt: number, argBytes = 2): Transaction {
  const arg = new Uint8Array(argBytes);
  arg[0] = salt & 255;
  arg[1] = (salt >> 8) & 255;
  return Transaction.fromFields({ chainId: 1n, nonce, from, to: TO, method: 'transfer', args: [arg], gasLimit: 100n, gasPrice, signature: new Uint8Array(65) });
}

const RICH = { nonce: 0n, balance: 10n ** 30n };
const seeded = { seed: 1134, numRuns: 200 };

type Op =
  | { kind: 'add'; sender: number; offset: number; price: number }
  | { kind: 'mine'; count: number }
  | { kind: 'dropAt'; sender: number; index: number }
  | { kind: 'wait'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), sender: fc.integer({ min: 0, max: 2 }), offset: fc.oneof(fc.constant(0), fc.integer({ min: -1, max: 6 })), price: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mine' as const), count: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dropAt' as const), sender: fc.integer({ min: 0, max: 2 }), index: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 600 }) }) },
);

describe('mempool invariants (property)', () => {
  it('pending runs stay gapless, queued nonces wait past them within every limit, indexes agree, whatever happens', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }), fc.integer({ min: 200, max: 20_000 }), (ops, balance) => {
        let clock = 0;
        const opts: MempoolOptions = { maxTxs: 12, maxPerSender: 4, maxQueued: 5, maxQueuedPerSender: 3, maxQueuedBytesPerSender: 600, maxQueuedAgeMs: 1000, now: () => clock };
        const pool = new Mempool(opts);
        const dropped = new Set<string>();
        pool.onDrop((p, why) => {
          expect(why).to.be.instanceOf(TxRejected);
          dropped.add(toHex(p.tx.hash));
        });
        const nonces = new Map<Address, bigint>(senders.map((s) => [s, 0n]));
        let salt = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const s = senders[o.sender]!;
            const base = nonces.get(s)!;
            const nonce = base + BigInt(pool.pendingCount(s)) + BigInt(o.offset);
            if (nonce < 0n) continue;
            const t = tx(s, nonce, BigInt(o.price), salt++, 2 + (salt % 3) * 100);
            const account = { nonce: base, balance: BigInt(balance) };
            let checked: unknown;
            try {
              pool.check(t, account);
            } catch (e) {
              checked = e;
            }
            try {
              pool.add(t, new Uint8Array(0), null, account);
              expect(checked, 'check() refused what add() took').to.equal(undefined);
            } catch (e) {
              expect(e).to.be.instanceOf(TxRejected);
              expect((e as Error).name, 'check() and add() agree').to.equal((checked as Error | undefined)?.name);
            }
          } else if (o.kind === 'mine') {
            const picked = pool.select(o.count);
            pool.removeIncluded(picked.map((p) => p.tx));
            for (const p of picked) nonces.set(p.tx.from, nonces.get(p.tx.from)! > p.tx.nonce ? nonces.get(p.tx.from)! : p.tx.nonce + 1n);
            pool.revalidate(senders, (a) => nonces.get(a)!);
          } else if (o.kind === 'dropAt') {
            // The producer found a pending transaction not executable.
            const q = pool.pendingOf(senders[o.sender]!);
            if (q.length > o.index) {
              pool.drop(q[o.index]!.tx.hash, new TxRejected('Dropped', 'test'));
              pool.revalidate(senders, (a) => nonces.get(a)!);
            }
          } else {
            clock += o.ms;
            pool.expireQueued();
          }
          // Invariants.
          let total = 0;
          let queuedTotal = 0;
          for (const s of senders) {
            const q = pool.pendingOf(s);
            const queued = pool.queuedOf(s);
            total += q.length + queued.length;
            queuedTotal += queued.length;
            expect(q.length).to.be.at.most(4);
            q.forEach((p, i) => expect(p.tx.nonce).to.equal(nonces.get(s)! + BigInt(i)));
            const next = nonces.get(s)! + BigInt(q.length);
            expect(queued.length).to.be.at.most(3);
            expect(queued.reduce((n, p) => n + p.tx.raw.length, 0)).to.be.at.most(600);
            for (const p of queued) {
              // A queued transaction waits for a gap, or for room in a full pending run.
              expect(p.tx.nonce > next || q.length === 4).to.equal(true);
              expect(pool.isQueued(p.tx.hash)).to.equal(true);
              expect(clock - p.arrivedAt).to.be.at.most(1000);
            }
            const cost = [...q, ...queued].reduce((c, p) => c + p.tx.gasLimit * p.tx.gasPrice, 0n);
            expect(cost <= BigInt(balance)).to.equal(true);
            for (const p of [...q, ...queued]) {
              expect(pool.has(p.tx.hash)).to.equal(true);
              expect(dropped.has(toHex(p.tx.hash))).to.equal(false);
            }
          }
          expect(pool.size).to.equal(total);
          expect(pool.queuedSize).to.equal(queuedTotal);
          expect(pool.pendingSize).to.equal(total - queuedTotal);
          expect(total).to.be.at.most(12);
          expect(queuedTotal).to.be.at.most(5);
          // Selection holds exactly the pending transactions, each sender's in nonce order.
          const sel = pool.select(100);
          expect(sel.length).to.equal(pool.pendingSize);
          for (const s of senders) {
            const mine = sel.filter((p) => p.tx.from === s).map((p) => p.tx.nonce);
            expect(mine).to.deep.equal(pool.pendingOf(s).map((p) => p.tx.nonce));
          }
        }
      }),
      seeded,
    );
  });

  it('any permutation of a sender\'s nonces, added in any order, ends up pending in nonce order with nothing queued', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })), (order) => {
        const pool = new Mempool();
        const s = senders[0]!;
        for (const i of order) pool.add(tx(s, BigInt(i), 1n, i), new Uint8Array(0), null, RICH);
        expect(pool.queuedSize).to.equal(0);
        expect(pool.select(1000).map((p) => Number(p.tx.nonce))).to.deep.equal([...order].sort((a, b) => a - b));
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('mempool queue: limits and eviction', () => {
  const s = senders[0]!;
  const other = senders[1]!;
  const third = senders[2]!;
  const add = (pool: Mempool, from: Address, nonce: bigint, price = 1n, salt = 0) => pool.add(tx(from, nonce, price, salt), new Uint8Array(0), null, RICH);
  const refuses = (fn: () => unknown, name: string): TxRejected => {
    try {
      fn();
    } catch (e) {
      expect(e).to.be.instanceOf(TxRejected);
      expect((e as Error).name).to.equal(name);
      return e as TxRejected;
    }
    return expect.fail(`expected ${name}`);
  };

  it('a gap fills: the queued run is promoted behind it, in nonce order', () => {
    const pool = new Mempool();
    add(pool, s, 2n);
    add(pool, s, 3n);
    expect(pool.pendingSize).to.equal(0);
    expect(pool.queuedSize).to.equal(2);
    add(pool, s, 0n);
    expect(pool.queuedSize).to.equal(2);
    add(pool, s, 1n);
    expect(pool.queuedSize).to.equal(0);
    expect(pool.select(10).map((p) => p.tx.nonce)).to.deep.equal([0n, 1n, 2n, 3n]);
  });

  it('a block that moves the account nonce promotes what follows it', () => {
    const pool = new Mempool();
    add(pool, s, 1n);
    add(pool, s, 2n);
    expect(pool.pendingSize).to.equal(0);
    // nonce 0 was mined elsewhere (another node, or a transaction this pool never saw)
    pool.revalidate([s], () => 1n);
    expect(pool.select(10).map((p) => p.tx.nonce)).to.deep.equal([1n, 2n]);
  });

  it('NonceTooHigh past the window (which bounds the count), SenderQueueFull past the bytes limit, ReplacementUnderpriced in the queue', () => {
    const pool = new Mempool({ maxQueuedPerSender: 2 });
    expect(refuses(() => add(pool, s, 3n), 'NonceTooHigh').message).to.match(/at most 2 may wait for a gap: send nonce 0 first/);
    add(pool, s, 1n);
    add(pool, s, 2n);
    expect(pool.queuedSize).to.equal(2);
    expect(refuses(() => add(pool, s, 2n, 1n, 7), 'ReplacementUnderpriced').message).to.match(/gasPrice ≥ 2/);
    add(pool, s, 2n, 2n, 7); // a 10 % higher price replaces the queued one
    expect(pool.queuedOf(s).map((p) => p.tx.gasPrice)).to.deep.equal([1n, 2n]);
    const bytes = new Mempool({ maxQueuedBytesPerSender: 400 });
    bytes.add(tx(s, 1n, 1n, 0, 200), new Uint8Array(0), null, RICH);
    const full = refuses(() => bytes.add(tx(s, 2n, 1n, 1, 200), new Uint8Array(0), null, RICH), 'SenderQueueFull');
    expect(full.message).to.match(/limit of 400 bytes: send nonce 0/);
    expect(bytes.queuedSize).to.equal(1);
  });

  it('a full global queue evicts the furthest transaction of the sender holding the most (Evicted), else QueueFull', () => {
    const pool = new Mempool({ maxQueued: 3 });
    const drops: [bigint, string][] = [];
    pool.onDrop((p, why) => drops.push([p.tx.nonce, why.name]));
    add(pool, s, 1n);
    add(pool, s, 2n);
    add(pool, s, 3n);
    add(pool, other, 5n);
    expect(drops).to.deep.equal([[3n, 'Evicted']]);
    expect(pool.queuedSize).to.equal(3);
    add(pool, third, 1n);
    expect(drops).to.deep.equal([
      [3n, 'Evicted'],
      [2n, 'Evicted'],
    ]);
    // Now every sender holds one: nobody holds more than the newcomer would.
    refuses(() => add(pool, third, 2n), 'QueueFull');
    expect(pool.queuedSize).to.equal(3);
  });

  it('a queued transaction that waits too long is dropped as QueuedTooLong; pending ones never age out', () => {
    let clock = 0;
    const pool = new Mempool({ maxQueuedAgeMs: 1000, now: () => clock });
    const drops: string[] = [];
    pool.onDrop((_p, why) => drops.push(why.name));
    add(pool, s, 0n);
    add(pool, s, 5n);
    clock = 999;
    pool.expireQueued();
    expect(drops).to.deep.equal([]);
    clock = 1001;
    pool.expireQueued();
    expect(drops).to.deep.equal(['QueuedTooLong']);
    expect(pool.size).to.equal(1);
    expect(pool.pendingSize).to.equal(1);
  });

  it('a pending transaction the producer drops sends the ones after it to the queue, and they come back when the gap fills', () => {
    const pool = new Mempool();
    for (let i = 0n; i < 4n; i++) add(pool, s, i);
    const second = pool.pendingOf(s)[1]!;
    pool.drop(second.tx.hash, new TxRejected('Dropped', 'not executable'));
    pool.revalidate([s], () => 0n);
    expect(pool.pendingOf(s).map((p) => p.tx.nonce)).to.deep.equal([0n]);
    expect(pool.queuedOf(s).map((p) => p.tx.nonce)).to.deep.equal([2n, 3n]);
    add(pool, s, 1n, 1n, 42);
    expect(pool.select(10).map((p) => p.tx.nonce)).to.deep.equal([0n, 1n, 2n, 3n]);
  });
});

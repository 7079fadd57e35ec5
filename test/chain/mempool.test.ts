import { expect } from 'chai';
import fc from 'fast-check';
import { Mempool, Transaction, TxRejected, toAddress, toHex, type Address } from '../../sdk/chain.js';

const senders = [1, 2, 3].map((i) => toAddress(new Uint8Array(20).fill(i)));
const TO = toAddress(new Uint8Array(20).fill(9));

function tx(from: Address, nonce: bigint, gasPrice: bigint, salt: number): Transaction {
  return Transaction.fromFields({ chainId: 1n, nonce, from, to: TO, method: 'transfer', args: [new Uint8Array([salt & 255, salt >> 8])], gasLimit: 100n, gasPrice, signature: new Uint8Array(65) });
}

type Op =
  | { kind: 'add'; sender: number; offset: number; price: number }
  | { kind: 'mine'; count: number }
  | { kind: 'dropFirst'; sender: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), sender: fc.integer({ min: 0, max: 2 }), offset: fc.integer({ min: -1, max: 3 }), price: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('mine' as const), count: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('dropFirst' as const), sender: fc.integer({ min: 0, max: 2 }) }),
);

describe('mempool invariants (property)', () => {
  it('keeps gapless per-sender nonces, consistent indexes and an affordable total, whatever happens', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 200, max: 4000 }), (ops, balance) => {
        const pool = new Mempool({ maxTxs: 8, maxPerSender: 4 });
        const dropped = new Set<string>();
        pool.onDrop((p) => dropped.add(toHex(p.tx.hash)));
        const nonces = new Map<Address, bigint>(senders.map((s) => [s, 0n]));
        let salt = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const s = senders[o.sender]!;
            const base = nonces.get(s)!;
            const nonce = base + BigInt(pool.pendingCount(s)) + BigInt(o.offset);
            if (nonce < 0n) continue;
            try {
              pool.add(tx(s, nonce, BigInt(o.price), salt++), new Uint8Array(0), null, { nonce: base, balance: BigInt(balance) });
            } catch (e) {
              expect(e).to.be.instanceOf(TxRejected);
            }
          } else if (o.kind === 'mine') {
            const picked = pool.select(o.count);
            pool.removeIncluded(picked.map((p) => p.tx));
            for (const p of picked) nonces.set(p.tx.from, (nonces.get(p.tx.from)! > p.tx.nonce ? nonces.get(p.tx.from)! : p.tx.nonce + 1n));
            pool.revalidate(senders, (a) => nonces.get(a)!);
          } else {
            const q = pool.pendingOf(senders[o.sender]!);
            if (q.length) {
              pool.drop(q[0]!.tx.hash, new TxRejected('Dropped', 'test'));
              pool.revalidate(senders, (a) => nonces.get(a)!);
            }
          }
          // Invariants.
          let total = 0;
          for (const s of senders) {
            const q = pool.pendingOf(s);
            total += q.length;
            expect(q.length).to.be.at.most(4);
            q.forEach((p, i) => expect(p.tx.nonce).to.equal(nonces.get(s)! + BigInt(i)));
            const cost = q.reduce((c, p) => c + p.tx.gasLimit * p.tx.gasPrice, 0n);
            expect(cost <= BigInt(balance)).to.equal(true);
            for (const p of q) {
              expect(pool.has(p.tx.hash)).to.equal(true);
              expect(dropped.has(toHex(p.tx.hash))).to.equal(false);
            }
          }
          expect(pool.size).to.equal(total);
          expect(total).to.be.at.most(8);
          // Selection respects per-sender nonce order.
          const sel = pool.select(100);
          for (const s of senders) {
            const mine = sel.filter((p) => p.tx.from === s).map((p) => p.tx.nonce);
            expect(mine).to.deep.equal([...mine].sort((a, b) => (a < b ? -1 : 1)));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

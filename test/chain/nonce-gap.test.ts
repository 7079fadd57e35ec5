/**
 * NonceGap (chain/mempool.ts `revalidate`): when the producer drops a pending transaction, the ones
 * after it leave the pending run and must wait in the queue; those that do not fit there (the
 * sender's nonce window, its queued bytes, or the global queue) are dropped as NonceGap, naming the
 * nonce to resubmit from. Everything else in the pool stays as it was.
 */
import { expect } from 'chai';
import { Mempool, Transaction, TxRejected, toAddress, toHex, type Address, type MempoolOptions } from '../../sdk/chain.js';

const S = toAddress(new Uint8Array(20).fill(1));
const OTHER = toAddress(new Uint8Array(20).fill(2));
const TO = toAddress(new Uint8Array(20).fill(9));
const RICH = { nonce: 0n, balance: 10n ** 30n };

function tx(from: Address, nonce: bigint, salt = 0): Transaction {
  const arg = new Uint8Array(2);
  arg[0] = salt & 255;
  arg[1] = (salt >> 8) & 255;
  return Transaction.fromFields({ chainId: 1n, nonce, from, to: TO, method: 'transfer', args: [arg], gasLimit: 100n, gasPrice: 1n, signature: new Uint8Array(65) });
}

interface Drop {
  nonce: bigint;
  from: Address;
  name: string;
  message: string;
}

function pool(o: MempoolOptions): { pool: Mempool; drops: Drop[] } {
  const p = new Mempool(o);
  const drops: Drop[] = [];
  p.onDrop((ptx, why) => {
    expect(why).to.be.instanceOf(TxRejected);
    drops.push({ nonce: ptx.tx.nonce, from: ptx.tx.from, name: why.name, message: why.message });
  });
  return { pool: p, drops };
}

const add = (p: Mempool, from: Address, nonce: bigint, salt = 0) => p.add(tx(from, nonce, salt), new Uint8Array(0), null, RICH);
const nonces = (ptxs: readonly { tx: Transaction }[]) => ptxs.map((p) => p.tx.nonce);

/** The producer's step: drop a pending transaction it found not executable, then revalidate the sender. */
function producerDrops(p: Mempool, from: Address, nonce: bigint, accountNonce = 0n): void {
  const victim = p.pendingOf(from).find((x) => x.tx.nonce === nonce)!;
  expect(victim, `nonce ${nonce} is pending`).to.not.equal(undefined);
  p.drop(victim.tx.hash, new TxRejected('Dropped', 'not executable'));
  p.revalidate([from], () => accountNonce);
}

describe('mempool: NonceGap when a dropped pending transaction\'s successors do not fit the queue', () => {
  it('the global queue is full: the successors are dropped as NonceGap; the other sender\'s queued transaction stays', () => {
    const { pool: p, drops } = pool({ maxQueued: 1 });
    const theirs = add(p, OTHER, 1n); // fills the queue
    for (let n = 0n; n < 4n; n++) add(p, S, n);
    expect(nonces(p.pendingOf(S))).to.deep.equal([0n, 1n, 2n, 3n]);
    const gapped = p.pendingOf(S).slice(2).map((x) => x.tx.hash);

    producerDrops(p, S, 1n);

    expect(drops.map((d) => [d.nonce, d.name])).to.deep.equal([
      [1n, 'Dropped'],
      [2n, 'NonceGap'],
      [3n, 'NonceGap'],
    ]);
    for (const d of drops.slice(1)) expect(d.message).to.equal(`an earlier transaction of ${S} was dropped; resubmit from nonce 1`);
    for (const h of gapped) expect(p.has(h), toHex(h)).to.equal(false);
    // What stays is untouched: S's run up to the gap, and the other sender's queued transaction.
    expect(nonces(p.pendingOf(S))).to.deep.equal([0n]);
    expect(p.queuedOf(S)).to.deep.equal([]);
    expect(p.queuedOf(OTHER)).to.deep.equal([theirs]);
    expect(p.isQueued(theirs.tx.hash)).to.equal(true);
    expect([p.size, p.pendingSize, p.queuedSize]).to.deep.equal([2, 1, 1]);
    expect(nonces(p.select(10))).to.deep.equal([0n]);
    // Resubmitting from the named nonce is accepted again.
    add(p, S, 1n, 7);
    expect(nonces(p.pendingOf(S))).to.deep.equal([0n, 1n]);
  });

  it('past the sender\'s nonce window: the successors within it are queued, those beyond it are NonceGap', () => {
    const { pool: p, drops } = pool({ maxQueuedPerSender: 1 });
    for (let n = 0n; n < 4n; n++) add(p, S, n);

    producerDrops(p, S, 0n);

    expect(drops.map((d) => [d.nonce, d.name])).to.deep.equal([
      [0n, 'Dropped'],
      [2n, 'NonceGap'],
      [3n, 'NonceGap'],
    ]);
    expect(drops[1]!.message).to.match(/resubmit from nonce 0$/);
    expect(nonces(p.pendingOf(S))).to.deep.equal([]);
    expect(nonces(p.queuedOf(S)), 'nonce 1 waits for nonce 0').to.deep.equal([1n]);
    expect([p.size, p.pendingSize, p.queuedSize]).to.deep.equal([1, 0, 1]);
    expect(p.select(10)).to.deep.equal([]);
  });

  it('past the sender\'s queued-bytes limit: the first successor is queued, the next is NonceGap', () => {
    const size = tx(S, 0n).raw.length;
    const { pool: p, drops } = pool({ maxQueuedBytesPerSender: size + Math.floor(size / 2) });
    for (let n = 0n; n < 4n; n++) add(p, S, n);

    producerDrops(p, S, 1n);

    expect(drops.map((d) => [d.nonce, d.name])).to.deep.equal([
      [1n, 'Dropped'],
      [3n, 'NonceGap'],
    ]);
    expect(drops[1]!.message).to.match(/resubmit from nonce 1$/);
    expect(nonces(p.pendingOf(S))).to.deep.equal([0n]);
    expect(nonces(p.queuedOf(S))).to.deep.equal([2n]);
    expect([p.size, p.pendingSize, p.queuedSize]).to.deep.equal([2, 1, 1]);
  });

  it('an already queued transaction that the shorter run leaves beyond the window is NonceGap too', () => {
    const { pool: p, drops } = pool({ maxQueuedPerSender: 2 });
    for (let n = 0n; n < 3n; n++) add(p, S, n);
    add(p, S, 4n); // queued: one past the run 0..2, inside the window
    expect(nonces(p.queuedOf(S))).to.deep.equal([4n]);

    producerDrops(p, S, 0n);

    expect(drops.map((d) => [d.nonce, d.name])).to.deep.equal([
      [0n, 'Dropped'],
      [4n, 'NonceGap'],
    ]);
    expect(nonces(p.pendingOf(S))).to.deep.equal([]);
    expect(nonces(p.queuedOf(S))).to.deep.equal([1n, 2n]);
    expect([p.size, p.pendingSize, p.queuedSize]).to.deep.equal([2, 0, 2]);
  });
});

/**
 * The mempool. Per sender, pending transactions form a gapless nonce sequence starting at the
 * account's committed nonce, so every pooled transaction is executable in order. Blocks take
 * transactions in arrival order (a replacement keeps the position of what it replaced).
 *
 * Limits: `maxTxs` in total and `maxPerSender` per account. When the pool is full, a new transaction
 * may evict the last transaction of the sender whose tail pays the lowest gas price, if it pays more.
 */
import type { Address } from './address.js';
import { toHex } from './bytes.js';
import { TxRejected } from './errors.js';
import type { Transaction } from './tx.js';

export interface PoolTx {
  tx: Transaction;
  /** The verified signer's public key. */
  publicKey: Uint8Array;
  /** Decoded call arguments. */
  args: unknown;
  /** Arrival order. */
  seq: number;
}

export interface MempoolOptions {
  maxTxs?: number;
  maxPerSender?: number;
  /** A replacement must raise the gas price by at least this many percent. */
  replaceBumpPercent?: number;
}

const upfrontOf = (p: PoolTx): bigint => p.tx.gasLimit * p.tx.gasPrice;

export type DropListener = (ptx: PoolTx, error: TxRejected) => void;

export class Mempool {
  readonly maxTxs: number;
  readonly maxPerSender: number;
  readonly replaceBump: bigint;
  readonly #bySender = new Map<Address, PoolTx[]>();
  readonly #byHash = new Map<string, PoolTx>();
  /** Σ gasLimit × gasPrice of each sender's pending transactions (what they may cost at most). */
  readonly #cost = new Map<Address, bigint>();
  #seq = 0;
  #onDrop: DropListener = () => {};

  constructor(opts: MempoolOptions = {}) {
    this.maxTxs = opts.maxTxs ?? 20_000;
    this.maxPerSender = opts.maxPerSender ?? 2_048;
    this.replaceBump = BigInt(opts.replaceBumpPercent ?? 10);
  }

  onDrop(fn: DropListener): void {
    this.#onDrop = fn;
  }

  get size(): number {
    return this.#byHash.size;
  }

  has(hash: Uint8Array): boolean {
    return this.#byHash.has(toHex(hash));
  }

  get(hash: Uint8Array): PoolTx | undefined {
    return this.#byHash.get(toHex(hash));
  }

  /** Pending count of a sender (its next nonce is accountNonce + this). */
  pendingCount(sender: Address): number {
    return this.#bySender.get(sender)?.length ?? 0;
  }

  pendingOf(sender: Address): readonly PoolTx[] {
    return this.#bySender.get(sender) ?? [];
  }

  /**
   * Admits a verified transaction given the sender's committed account. Synchronous, so the caller
   * can hold a consistent view of the account while deciding. Throws TxRejected.
   */
  add(tx: Transaction, publicKey: Uint8Array, args: unknown, account: { nonce: bigint; balance: bigint }): PoolTx {
    const key = toHex(tx.hash);
    if (this.#byHash.has(key)) throw new TxRejected('AlreadyKnown', 'this transaction is already in the mempool');
    const queue = this.#bySender.get(tx.from) ?? [];
    const next = account.nonce + BigInt(queue.length);
    if (tx.nonce < account.nonce) throw new TxRejected('NonceTooLow', `nonce ${tx.nonce} was already used; the account's next nonce is ${account.nonce}`);
    if (tx.nonce > next) throw new TxRejected('NonceGap', `nonce ${tx.nonce} leaves a gap; the next nonce for ${tx.from} is ${next}`);
    const upfront = tx.gasLimit * tx.gasPrice;
    if (tx.nonce < next) {
      // Replacement of a pending transaction.
      const i = Number(tx.nonce - account.nonce);
      const old = queue[i]!;
      const minPrice = old.tx.gasPrice + (old.tx.gasPrice * this.replaceBump + 99n) / 100n;
      if (tx.gasPrice < minPrice) {
        throw new TxRejected('ReplacementUnderpriced', `nonce ${tx.nonce} is taken by a pending transaction; a replacement needs gasPrice ≥ ${minPrice}`);
      }
      const others = this.#costOf(tx.from) - upfrontOf(old);
      if (account.balance < others + upfront) throw this.#funds(tx, account.balance, others + upfront);
      const ptx: PoolTx = { tx, publicKey, args, seq: old.seq };
      queue[i] = ptx;
      this.#cost.set(tx.from, others + upfront);
      this.#byHash.delete(toHex(old.tx.hash));
      this.#byHash.set(key, ptx);
      this.#onDrop(old, new TxRejected('Dropped', `replaced by ${key} (higher gas price)`, { replacedBy: key }));
      return ptx;
    }
    if (queue.length >= this.maxPerSender) throw new TxRejected('SenderLimitReached', `${tx.from} already has ${queue.length} pending transactions; wait for some to be mined`);
    const pendingCost = this.#costOf(tx.from);
    if (account.balance < pendingCost + upfront) throw this.#funds(tx, account.balance, pendingCost + upfront);
    if (this.#byHash.size >= this.maxTxs) this.#evictFor(tx);
    const ptx: PoolTx = { tx, publicKey, args, seq: this.#seq++ };
    queue.push(ptx);
    this.#cost.set(tx.from, this.#costOf(tx.from) + upfront);
    this.#bySender.set(tx.from, queue);
    this.#byHash.set(key, ptx);
    return ptx;
  }

  #funds(tx: Transaction, balance: bigint, needed: bigint): TxRejected {
    return new TxRejected('InsufficientFunds', `${tx.from} has ${balance} wei; its pending transactions and this one may cost up to ${needed} (gasLimit × gasPrice)`);
  }

  #evictFor(tx: Transaction): void {
    let victim: PoolTx | undefined;
    for (const [sender, q] of this.#bySender) {
      if (sender === tx.from || q.length === 0) continue;
      const tail = q[q.length - 1]!;
      if (!victim || tail.tx.gasPrice < victim.tx.gasPrice) victim = tail;
    }
    if (!victim || victim.tx.gasPrice >= tx.gasPrice) {
      throw new TxRejected('MempoolFull', `the mempool holds ${this.#byHash.size} transactions; raise the gas price or retry after the next block`);
    }
    this.#drop(victim, new TxRejected('Dropped', 'evicted from a full mempool by a transaction paying more'));
  }

  #drop(ptx: PoolTx, why: TxRejected): void {
    this.#remove(ptx);
    this.#onDrop(ptx, why);
  }

  #remove(ptx: PoolTx): void {
    const sender = ptx.tx.from;
    const q = this.#bySender.get(sender);
    if (q) {
      const i = q.indexOf(ptx);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) this.#bySender.delete(sender);
    }
    this.#byHash.delete(toHex(ptx.tx.hash));
    const left = this.#costOf(sender) - upfrontOf(ptx);
    if (this.#bySender.has(sender)) this.#cost.set(sender, left);
    else this.#cost.delete(sender);
  }

  #costOf(sender: Address): bigint {
    return this.#cost.get(sender) ?? 0n;
  }

  /** Up to `max` transactions in arrival order, each sender's in nonce order. */
  select(max: number): PoolTx[] {
    const all: PoolTx[] = [];
    for (const q of this.#bySender.values()) all.push(...q);
    all.sort((a, b) => a.seq - b.seq);
    // Arrival order respects per-sender nonce order except after a replacement, which keeps its
    // predecessor's slot; either way a sender's transactions stay sorted by nonce.
    return all.slice(0, max);
  }

  /** Removes transactions that made it into a block. */
  removeIncluded(txs: readonly Transaction[]): void {
    for (const tx of txs) {
      const ptx = this.#byHash.get(toHex(tx.hash));
      if (ptx) this.#remove(ptx);
    }
  }

  /** Drops one transaction (the producer found it not executable). */
  drop(hash: Uint8Array, why: TxRejected): void {
    const ptx = this.#byHash.get(toHex(hash));
    if (ptx) this.#drop(ptx, why);
  }

  /**
   * Re-establishes the invariant for `senders` against their committed accounts: keeps the longest
   * prefix that starts at the account nonce without gaps, drops the rest.
   */
  revalidate(senders: Iterable<Address>, accountNonce: (a: Address) => bigint): void {
    for (const sender of [...senders]) {
      const q = this.#bySender.get(sender);
      if (!q) continue;
      const nonce = accountNonce(sender);
      const keep: PoolTx[] = [];
      const dropped: [PoolTx, TxRejected][] = [];
      for (const p of q) {
        if (p.tx.nonce === nonce + BigInt(keep.length)) keep.push(p);
        else if (p.tx.nonce < nonce) dropped.push([p, new TxRejected('NonceTooLow', `nonce ${p.tx.nonce} was used by another transaction`)]);
        else dropped.push([p, new TxRejected('NonceGap', `an earlier transaction of ${sender} was dropped; resubmit from nonce ${nonce + BigInt(keep.length)}`)]);
      }
      for (const [p, why] of dropped) this.#drop(p, why);
    }
  }

  senders(): Address[] {
    return [...this.#bySender.keys()];
  }

  clear(why: TxRejected): void {
    const all = [...this.#byHash.values()];
    this.#bySender.clear();
    this.#byHash.clear();
    this.#cost.clear();
    for (const p of all) this.#onDrop(p, why);
  }
}

/**
 * The mempool, shaped like geth's: per sender, **pending** transactions form a gapless nonce run
 * starting at the account's committed nonce (every one executable in order), and **queued**
 * transactions wait beyond a gap for the missing nonces. When a gap fills (a transaction arrives, or
 * a block moves the account's nonce) the queued ones that now follow on are promoted. Blocks take
 * pending transactions in the order they became pending (a replacement keeps the slot of what it
 * replaced), so each sender's stay in nonce order.
 *
 * Limits, each refused or evicted with a named reason (TxRejected):
 *  - all transactions: `maxTxs` (MempoolFull, or a cheaper sender's last transaction is `Dropped`);
 *  - pending per sender: `maxPerSender` (SenderLimitReached);
 *  - queued: a nonce at most `maxQueuedPerSender` past the pending run (NonceTooHigh, which also
 *    bounds the count), at most `maxQueuedBytesPerSender` bytes per sender (SenderQueueFull), `maxQueued` in all (the furthest-ahead transaction of the sender holding the
 *    most is `Evicted`, or QueueFull), and `maxQueuedAgeMs` of waiting (QueuedTooLong);
 *  - funds: a sender's balance covers gasLimit × gasPrice of all its pooled transactions.
 *
 * `check` runs every refusal of `add` without changing anything, so admission can refuse a
 * transaction before paying for its signature.
 */
import { bytesKey, toHex } from './bytes.js';
import type { Address } from './address.js';
import { TxRejected } from './errors.js';
import type { Transaction } from './tx.js';

export interface PoolTx {
  tx: Transaction;
  /** The verified signer's public key. */
  publicKey: Uint8Array;
  /** Decoded call arguments. */
  args: unknown;
  /** Block order among pending transactions (assigned when the transaction becomes pending). */
  seq: number;
  /** When it entered the pool, on the pool's clock (queued transactions age out). */
  arrivedAt: number;
}

export interface MempoolOptions {
  /** Pending and queued transactions together. */
  maxTxs?: number;
  /** Pending transactions of one sender. */
  maxPerSender?: number;
  /** A replacement must raise the gas price by at least this many percent. */
  replaceBumpPercent?: number;
  /** Queued transactions in all. */
  maxQueued?: number;
  /** Queued transactions of one sender; also how far past its pending run a nonce may be. */
  maxQueuedPerSender?: number;
  /** Encoded bytes of one sender's queued transactions. */
  maxQueuedBytesPerSender?: number;
  /** How long a transaction may wait in the queue for its gap to fill. */
  maxQueuedAgeMs?: number;
  /** The pool's clock in milliseconds (default `performance.now`); only ages are taken from it. */
  now?: () => number;
}

export const MEMPOOL_DEFAULTS = {
  maxTxs: 20_000,
  maxPerSender: 2_048,
  replaceBumpPercent: 10,
  maxQueued: 4_096,
  maxQueuedPerSender: 256,
  maxQueuedBytesPerSender: 2 * 1024 * 1024,
  maxQueuedAgeMs: 120_000,
} as const;

export type DropListener = (ptx: PoolTx, error: TxRejected) => void;

/** The account a transaction is checked against: its committed nonce and balance. */
export interface AccountView {
  nonce: bigint;
  balance: bigint;
}

interface SenderPool {
  /** Nonces account.nonce, account.nonce + 1, … without gaps. */
  pending: PoolTx[];
  /** Nonces past the pending run, each waiting for the ones before it. */
  queued: Map<bigint, PoolTx>;
  queuedBytes: number;
  /** Σ gasLimit × gasPrice over pending and queued: what they may cost at most. */
  cost: bigint;
}

/** Where `add` puts a transaction (decided by `#place`, which refuses without side effects). */
type Placement =
  | { kind: 'append'; evict?: PoolTx }
  | { kind: 'replacePending'; index: number; old: PoolTx }
  | { kind: 'queue'; evict?: PoolTx; evictQueued?: PoolTx }
  | { kind: 'replaceQueued'; old: PoolTx };

const upfrontOf = (tx: Transaction): bigint => tx.gasLimit * tx.gasPrice;

export class Mempool {
  readonly maxTxs: number;
  readonly maxPerSender: number;
  readonly replaceBump: bigint;
  readonly maxQueued: number;
  readonly maxQueuedPerSender: number;
  readonly maxQueuedBytesPerSender: number;
  readonly maxQueuedAgeMs: number;
  readonly #now: () => number;
  readonly #senders = new Map<Address, SenderPool>();
  readonly #byHash = new Map<string, PoolTx>();
  /** Pending transactions in block order (seq); a replacement takes over its predecessor's key. */
  readonly #ordered = new Map<number, PoolTx>();
  /** Queued transactions, oldest first (for ageing out). */
  readonly #queuedByAge = new Map<string, PoolTx>();
  #seq = 0;
  #onDrop: DropListener = () => {};

  constructor(opts: MempoolOptions = {}) {
    const o = { ...MEMPOOL_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
    this.maxTxs = o.maxTxs;
    this.maxPerSender = o.maxPerSender;
    this.replaceBump = BigInt(o.replaceBumpPercent);
    this.maxQueued = o.maxQueued;
    this.maxQueuedPerSender = o.maxQueuedPerSender;
    this.maxQueuedBytesPerSender = o.maxQueuedBytesPerSender;
    this.maxQueuedAgeMs = o.maxQueuedAgeMs;
    this.#now = opts.now ?? (() => performance.now());
  }

  onDrop(fn: DropListener): void {
    this.#onDrop = fn;
  }

  /** Pending and queued transactions. */
  get size(): number {
    return this.#byHash.size;
  }

  /** Transactions a block could take now. */
  get pendingSize(): number {
    return this.#ordered.size;
  }

  get queuedSize(): number {
    return this.#queuedByAge.size;
  }

  has(hash: Uint8Array): boolean {
    return this.#byHash.has(bytesKey(hash));
  }

  get(hash: Uint8Array): PoolTx | undefined {
    return this.#byHash.get(bytesKey(hash));
  }

  /** Whether a pooled transaction waits in the queue (false when pending or unknown). */
  isQueued(hash: Uint8Array): boolean {
    return this.#queuedByAge.has(bytesKey(hash));
  }

  /** Pending count of a sender (its next nonce is accountNonce + this). */
  pendingCount(sender: Address): number {
    return this.#senders.get(sender)?.pending.length ?? 0;
  }

  pendingOf(sender: Address): readonly PoolTx[] {
    return this.#senders.get(sender)?.pending ?? [];
  }

  /** A sender's queued transactions in nonce order. */
  queuedOf(sender: Address): PoolTx[] {
    const q = this.#senders.get(sender)?.queued;
    return q ? [...q.values()].sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : 1)) : [];
  }

  /**
   * Runs every check of `add` without changing anything: throws the TxRejected that `add` would
   * throw now. (Cheap: admission calls it before verifying the signature.)
   */
  check(tx: Transaction, account: AccountView): void {
    this.#place(tx, account);
  }

  /**
   * Admits a verified transaction given the sender's committed account. Synchronous, so the caller
   * can hold a consistent view of the account while deciding. Throws TxRejected.
   */
  add(tx: Transaction, publicKey: Uint8Array, args: unknown, account: AccountView): PoolTx {
    this.#expire();
    const place = this.#place(tx, account);
    const sp = this.#sender(tx.from);
    const ptx: PoolTx = { tx, publicKey, args, seq: -1, arrivedAt: this.#now() };
    const key = bytesKey(tx.hash);
    switch (place.kind) {
      case 'replacePending': {
        ptx.seq = place.old.seq;
        sp.pending[place.index] = ptx;
        sp.cost += upfrontOf(tx) - upfrontOf(place.old.tx);
        this.#byHash.delete(bytesKey(place.old.tx.hash));
        this.#byHash.set(key, ptx);
        this.#ordered.set(ptx.seq, ptx);
        this.#onDrop(place.old, new TxRejected('Dropped', `replaced by ${toHex(tx.hash)} (higher gas price)`, { replacedBy: toHex(tx.hash) }));
        return ptx;
      }
      case 'replaceQueued': {
        this.#unqueue(sp, place.old);
        this.#byHash.delete(bytesKey(place.old.tx.hash));
        this.#enqueue(sp, ptx, key);
        this.#onDrop(place.old, new TxRejected('Dropped', `replaced by ${toHex(tx.hash)} (higher gas price)`, { replacedBy: toHex(tx.hash) }));
        return ptx;
      }
      case 'append': {
        if (place.evict) this.#drop(place.evict, new TxRejected('Dropped', 'evicted from a full mempool by a transaction paying more'));
        this.#makePending(sp, ptx);
        this.#byHash.set(key, ptx);
        sp.cost += upfrontOf(tx);
        this.#promote(tx.from, sp);
        return ptx;
      }
      case 'queue': {
        if (place.evict) this.#drop(place.evict, new TxRejected('Dropped', 'evicted from a full mempool by a transaction paying more'));
        if (place.evictQueued) this.#drop(place.evictQueued, new TxRejected('Evicted', `the queue of future-nonce transactions is full (${this.maxQueued}); ${place.evictQueued.tx.from} holds the most`, { reason: 'QueueFull' }));
        this.#enqueue(sp, ptx, key);
        return ptx;
      }
    }
  }

  #place(tx: Transaction, account: AccountView): Placement {
    if (this.#byHash.has(bytesKey(tx.hash))) throw new TxRejected('AlreadyKnown', `transaction ${toHex(tx.hash)} is already in the mempool`);
    if (tx.nonce < account.nonce) throw new TxRejected('NonceTooLow', `nonce ${tx.nonce} was already used; the account's next nonce is ${account.nonce}`);
    const sp = this.#senders.get(tx.from);
    const pending = sp?.pending ?? [];
    const next = account.nonce + BigInt(pending.length);
    const cost = sp?.cost ?? 0n;
    const upfront = upfrontOf(tx);
    if (tx.nonce < next) {
      const index = Number(tx.nonce - account.nonce);
      const old = pending[index]!;
      this.#checkBump(tx, old);
      this.#checkFunds(tx, account.balance, cost - upfrontOf(old.tx) + upfront);
      return { kind: 'replacePending', index, old };
    }
    const queuedOld = sp?.queued.get(tx.nonce);
    if (queuedOld) {
      this.#checkBump(tx, queuedOld);
      this.#checkQueueBytes(tx, sp, next, queuedOld.tx.raw.length);
      this.#checkFunds(tx, account.balance, cost - upfrontOf(queuedOld.tx) + upfront);
      return { kind: 'replaceQueued', old: queuedOld };
    }
    if (tx.nonce === next) {
      if (pending.length >= this.maxPerSender) throw new TxRejected('SenderLimitReached', `${tx.from} already has ${pending.length} pending transactions; wait for some to be mined`);
      this.#checkFunds(tx, account.balance, cost + upfront);
      return { kind: 'append', evict: this.#victimForRoom(tx) };
    }
    // A future nonce: it waits in the queue.
    const ahead = tx.nonce - next;
    if (ahead > BigInt(this.maxQueuedPerSender)) {
      throw new TxRejected('NonceTooHigh', `nonce ${tx.nonce} is ${ahead} past the next nonce ${next} of ${tx.from}; at most ${this.maxQueuedPerSender} may wait for a gap: send nonce ${next} first`, { next: next.toString() });
    }
    // (The window also bounds the count: queued nonces are distinct and within it.)
    this.#checkQueueBytes(tx, sp, next, 0);
    this.#checkFunds(tx, account.balance, cost + upfront);
    let evictQueued: PoolTx | undefined;
    if (this.#queuedByAge.size >= this.maxQueued) {
      evictQueued = this.#queuedVictim(tx.from);
      if (!evictQueued) throw new TxRejected('QueueFull', `the mempool holds ${this.#queuedByAge.size} transactions waiting for earlier nonces, the most of them from ${tx.from}; send nonce ${next} first`);
    }
    return { kind: 'queue', evict: evictQueued ? undefined : this.#victimForRoom(tx), evictQueued };
  }

  #checkBump(tx: Transaction, old: PoolTx): void {
    const minPrice = old.tx.gasPrice + (old.tx.gasPrice * this.replaceBump + 99n) / 100n;
    if (tx.gasPrice < minPrice) {
      throw new TxRejected('ReplacementUnderpriced', `nonce ${tx.nonce} is taken by a pooled transaction; a replacement needs gasPrice ≥ ${minPrice}`);
    }
  }

  /** `replacing`: the size of the queued transaction this one would replace (0 for none). */
  #checkQueueBytes(tx: Transaction, sp: SenderPool | undefined, next: bigint, replacing: number): void {
    const held = sp?.queuedBytes ?? 0;
    if (held - replacing + tx.raw.length > this.maxQueuedBytesPerSender) {
      throw new TxRejected('SenderQueueFull', `${tx.from} has ${sp?.queued.size ?? 0} transactions (${held} bytes) waiting for nonce ${next}; this one (${tx.raw.length} bytes) would pass the limit of ${this.maxQueuedBytesPerSender} bytes: send nonce ${next}`, { next: next.toString() });
    }
  }

  #checkFunds(tx: Transaction, balance: bigint, needed: bigint): void {
    if (balance < needed) throw new TxRejected('InsufficientFunds', `${tx.from} has ${balance} wei; its pooled transactions and this one may cost up to ${needed} (gasLimit × gasPrice)`);
  }

  /** When the pool is full: the cheapest other sender's last transaction, if it pays less (else MempoolFull). */
  #victimForRoom(tx: Transaction): PoolTx | undefined {
    if (this.#byHash.size < this.maxTxs) return undefined;
    let victim: PoolTx | undefined;
    for (const [sender, sp] of this.#senders) {
      if (sender === tx.from) continue;
      const last = this.#last(sp);
      if (last && (!victim || last.tx.gasPrice < victim.tx.gasPrice)) victim = last;
    }
    if (!victim || victim.tx.gasPrice >= tx.gasPrice) {
      throw new TxRejected('MempoolFull', `the mempool holds ${this.#byHash.size} transactions; raise the gas price or retry after the next block`);
    }
    return victim;
  }

  /** The transaction a sender would lose first: its furthest queued one, else its last pending one. */
  #last(sp: SenderPool): PoolTx | undefined {
    let best: PoolTx | undefined;
    for (const p of sp.queued.values()) if (!best || p.tx.nonce > best.tx.nonce) best = p;
    return best ?? sp.pending[sp.pending.length - 1];
  }

  /** The furthest-ahead queued transaction of the sender holding the most, unless that is `from`. */
  #queuedVictim(from: Address): PoolTx | undefined {
    let top: SenderPool | undefined;
    let topSender: Address | undefined;
    for (const [sender, sp] of this.#senders) {
      if (!top || sp.queued.size > top.queued.size) {
        top = sp;
        topSender = sender;
      }
    }
    if (!top || topSender === from || top.queued.size <= (this.#senders.get(from)?.queued.size ?? 0) + 1) return undefined;
    let victim: PoolTx | undefined;
    for (const p of top.queued.values()) if (!victim || p.tx.nonce > victim.tx.nonce) victim = p;
    return victim;
  }

  #sender(a: Address): SenderPool {
    let sp = this.#senders.get(a);
    if (!sp) this.#senders.set(a, (sp = { pending: [], queued: new Map(), queuedBytes: 0, cost: 0n }));
    return sp;
  }

  #makePending(sp: SenderPool, ptx: PoolTx): void {
    ptx.seq = this.#seq++;
    sp.pending.push(ptx);
    this.#ordered.set(ptx.seq, ptx);
  }

  #enqueue(sp: SenderPool, ptx: PoolTx, key: string): void {
    sp.queued.set(ptx.tx.nonce, ptx);
    sp.queuedBytes += ptx.tx.raw.length;
    sp.cost += upfrontOf(ptx.tx);
    this.#byHash.set(key, ptx);
    this.#queuedByAge.set(key, ptx);
  }

  /** Takes a transaction out of its sender's queue (the caller fixes byHash and cost). */
  #unqueue(sp: SenderPool, ptx: PoolTx): void {
    sp.queued.delete(ptx.tx.nonce);
    sp.queuedBytes -= ptx.tx.raw.length;
    sp.cost -= upfrontOf(ptx.tx);
    this.#queuedByAge.delete(bytesKey(ptx.tx.hash));
  }

  /** Moves queued transactions that now follow the pending run into it. */
  #promote(_from: Address, sp: SenderPool): void {
    if (sp.queued.size === 0 || sp.pending.length === 0) return;
    let next = sp.pending[sp.pending.length - 1]!.tx.nonce + 1n;
    for (let p = sp.queued.get(next); p && sp.pending.length < this.maxPerSender; p = sp.queued.get(++next)) {
      this.#unqueue(sp, p);
      sp.cost += upfrontOf(p.tx);
      this.#makePending(sp, p);
    }
  }

  #drop(ptx: PoolTx, why: TxRejected): void {
    this.#remove(ptx);
    this.#onDrop(ptx, why);
  }

  #remove(ptx: PoolTx): void {
    const sender = ptx.tx.from;
    const sp = this.#senders.get(sender);
    const key = bytesKey(ptx.tx.hash);
    if (!sp || this.#byHash.get(key) !== ptx) return;
    this.#byHash.delete(key);
    if (sp.queued.get(ptx.tx.nonce) === ptx) this.#unqueue(sp, ptx);
    else {
      const i = sp.pending.indexOf(ptx);
      if (i >= 0) sp.pending.splice(i, 1);
      this.#ordered.delete(ptx.seq);
      sp.cost -= upfrontOf(ptx.tx);
    }
    if (sp.pending.length === 0 && sp.queued.size === 0) this.#senders.delete(sender);
  }

  /** Drops queued transactions that waited longer than `maxQueuedAgeMs` (QueuedTooLong). */
  expireQueued(): void {
    this.#expire();
  }

  #expire(): void {
    if (this.#queuedByAge.size === 0) return;
    const cutoff = this.#now() - this.maxQueuedAgeMs;
    for (const ptx of this.#queuedByAge.values()) {
      if (ptx.arrivedAt > cutoff) break;
      const next = this.#nextNonceHint(ptx.tx.from);
      this.#drop(ptx, new TxRejected('QueuedTooLong', `nonce ${ptx.tx.nonce} waited ${this.maxQueuedAgeMs} ms for the earlier nonces of ${ptx.tx.from}${next === undefined ? '' : ` (next: ${next})`}; send them, then this one again`));
    }
  }

  #nextNonceHint(sender: Address): bigint | undefined {
    const p = this.#senders.get(sender)?.pending;
    return p && p.length > 0 ? p[p.length - 1]!.tx.nonce + 1n : undefined;
  }

  /** Up to `max` pending transactions in block order, each sender's in nonce order. */
  select(max: number): PoolTx[] {
    const out: PoolTx[] = [];
    for (const p of this.#ordered.values()) {
      if (out.length >= max) break;
      out.push(p);
    }
    return out;
  }

  /** Removes transactions that made it into a block. */
  removeIncluded(txs: readonly Transaction[]): void {
    for (const tx of txs) {
      const ptx = this.#byHash.get(bytesKey(tx.hash));
      if (!ptx) continue;
      const sp = this.#senders.get(tx.from);
      if (sp && sp.pending[0] === ptx) {
        // The usual case: a block takes each sender's run from its start.
        sp.pending.shift();
        this.#byHash.delete(bytesKey(tx.hash));
        this.#ordered.delete(ptx.seq);
        sp.cost -= upfrontOf(tx);
        if (sp.pending.length === 0 && sp.queued.size === 0) this.#senders.delete(tx.from);
      } else this.#remove(ptx);
    }
  }

  /** Drops one transaction (the producer found it not executable). */
  drop(hash: Uint8Array, why: TxRejected): void {
    const ptx = this.#byHash.get(bytesKey(hash));
    if (ptx) this.#drop(ptx, why);
  }

  /**
   * Re-establishes the invariants for `senders` against their committed account nonces: what is
   * below the nonce goes (NonceTooLow), the gapless run from the nonce is pending, the rest waits in
   * the queue while it fits (else NonceGap).
   */
  revalidate(senders: Iterable<Address>, accountNonce: (a: Address) => bigint): void {
    for (const sender of [...senders]) {
      const sp = this.#senders.get(sender);
      if (!sp) continue;
      const nonce = accountNonce(sender);
      // Fast path after a block: the pending run already starts at the account nonce.
      const n = sp.pending.length;
      const gapless = n === 0 || (sp.pending[0]!.tx.nonce === nonce && sp.pending[n - 1]!.tx.nonce === nonce + BigInt(n - 1));
      if (gapless && this.#queueBeyond(sp, nonce)) {
        if (sp.pending.length === 0) this.#promoteFrom(sp, nonce);
        else this.#promote(sender, sp);
        continue;
      }
      const all = [...sp.pending, ...sp.queued.values()].sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : 1));
      const keepPending: PoolTx[] = [];
      for (const p of all) {
        if (p.tx.nonce < nonce) {
          this.#drop(p, new TxRejected('NonceTooLow', `nonce ${p.tx.nonce} was used by another transaction`));
        } else if (p.tx.nonce === nonce + BigInt(keepPending.length) && keepPending.length < this.maxPerSender) {
          keepPending.push(p);
        }
      }
      const next = nonce + BigInt(keepPending.length);
      const live = this.#senders.get(sender);
      if (!live) continue;
      for (const p of all) {
        if (p.tx.nonce < nonce || keepPending.includes(p)) continue;
        // Beyond the run: it waits in the queue, if it may.
        const isQueued = live.queued.get(p.tx.nonce) === p;
        if (isQueued) {
          if (p.tx.nonce - next > BigInt(this.maxQueuedPerSender)) this.#drop(p, this.#gap(sender, next));
        } else if (p.tx.nonce - next > BigInt(this.maxQueuedPerSender) || live.queuedBytes + p.tx.raw.length > this.maxQueuedBytesPerSender || this.#queuedByAge.size >= this.maxQueued) {
          this.#drop(p, this.#gap(sender, next));
        } else {
          // Pending → queued.
          const i = live.pending.indexOf(p);
          if (i >= 0) live.pending.splice(i, 1);
          this.#ordered.delete(p.seq);
          live.cost -= upfrontOf(p.tx);
          p.arrivedAt = this.#now();
          this.#enqueue(live, p, bytesKey(p.tx.hash));
        }
      }
      // Queued → pending, in nonce order (they get fresh block-order slots).
      for (const p of keepPending) {
        if (live.queued.get(p.tx.nonce) === p) {
          this.#unqueue(live, p);
          live.cost += upfrontOf(p.tx);
          this.#makePending(live, p);
        }
      }
      live.pending.sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : 1));
      if (live.pending.length === 0 && live.queued.size === 0) this.#senders.delete(sender);
    }
    this.#expire();
  }

  #gap(sender: Address, next: bigint): TxRejected {
    return new TxRejected('NonceGap', `an earlier transaction of ${sender} was dropped; resubmit from nonce ${next}`);
  }

  /** True when every queued transaction of `sp` is past the pending run that starts at `nonce`. */
  #queueBeyond(sp: SenderPool, nonce: bigint): boolean {
    const next = nonce + BigInt(sp.pending.length);
    for (const p of sp.queued.values()) if (p.tx.nonce < next) return false;
    return true;
  }

  /** With nothing pending: promotes the queued run starting at the account nonce, if any. */
  #promoteFrom(sp: SenderPool, nonce: bigint): void {
    for (let n = nonce, p = sp.queued.get(n); p && sp.pending.length < this.maxPerSender; p = sp.queued.get(++n)) {
      this.#unqueue(sp, p);
      sp.cost += upfrontOf(p.tx);
      this.#makePending(sp, p);
    }
  }

  senders(): Address[] {
    return [...this.#senders.keys()];
  }

  clear(why: TxRejected): void {
    const all = [...this.#byHash.values()];
    this.#senders.clear();
    this.#byHash.clear();
    this.#ordered.clear();
    this.#queuedByAge.clear();
    for (const p of all) this.#onDrop(p, why);
  }
}

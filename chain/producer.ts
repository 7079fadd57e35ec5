/**
 * The proof-of-authority block producer. Modes:
 *  - `auto` (default): a block as soon as transactions wait. An idle chain mines a lone
 *    transaction at once; while blocks follow each other back to back (load), each block gathers
 *    arrivals for up to `gatherMs` first, so the per-block cost (header signature, roots, commit)
 *    is spread over more transactions;
 *  - `interval`: a block every `blockTimeMs`, empty or not;
 *  - `manual`: only `mine(n)`.
 *
 * The producer is the only component that reads the wall clock: it chooses each block's timestamp
 * (unix ms, strictly increasing, shifted by `dev.IncreaseTime`, overridable once by
 * `dev.SetNextBlockTimestamp`). Execution only ever sees the header's timestamp.
 */
import { type Address } from './address.js';
import { NamedError, RpcCode, TxRejected } from './errors.js';
import { signHeader } from './block.js';
import type { Chain, CommittedBlock } from './chain.js';
import type { Mempool, PoolTx } from './mempool.js';
import type { Signer } from './keys/signer.js';
import type { BlockExecution } from './executor.js';
import type { BlockInfo } from './module/contract.js';
import { readAccount } from './state/accounts.js';
import { Pacer } from './pacer.js';
import { checkDevTimestamp, MAX_BLOCK_TIMESTAMP_MS } from './time.js';

export type MiningMode = 'auto' | 'interval' | 'manual';

/** Back-to-back automine stops gathering once no transaction has arrived for this long. */
export const GATHER_QUIET_MS = 2;
/** The longest automine gathers for one block (`SESSIONCHAIN_GATHER_MS` overrides it). */
export const DEFAULT_GATHER_MS = 40;


export interface ProducerHooks {
  /** Called (inside the commit lock) once a block is durable. */
  committed(block: CommittedBlock): void;
  /** A pooled transaction turned out not executable and was removed. */
  dropped(ptx: PoolTx, why: TxRejected): void;
  /** How many transactions are in admission (signature being checked) right now. */
  admitting(): number;
}

export class Producer {
  mode: MiningMode;
  blockTimeMs: number;
  /**
   * Automine: the longest a block waits for more transactions. The first block after a pause waits
   * only for transactions already in admission; a block that follows another back to back also
   * waits while new ones keep arriving (until `GATHER_QUIET_MS` pass without one, or it is full).
   */
  gatherMs: number;
  #offsetMs = 0n;
  #nextTimestamp: bigint | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Last production failure (storage errors stop automatic production until the next request). */
  lastError: Error | undefined;
  /**
   * Set while a block's end-block work and roots are computed; resolves when they are. Admission
   * waits for it: that phase reads trie nodes from LevelDB one after another, and each read would
   * otherwise resolve only after every admission queued on the event loop (a flood of transactions
   * could hold one block for a second and more).
   */
  sealing: Promise<void> | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly mempool: Mempool,
    readonly signer: Signer,
    private readonly hooks: ProducerHooks,
    opts: { mode?: MiningMode; blockTimeMs?: number; gatherMs?: number } = {},
  ) {
    if (signer.address !== chain.genesis.producer) {
      throw new Error(`the producer key (${signer.address}) is not the genesis producer ${chain.genesis.producer}; pass the right --producer-key`);
    }
    this.mode = opts.mode ?? 'auto';
    this.blockTimeMs = opts.blockTimeMs ?? 1000;
    const fromEnv = Number(process.env.SESSIONCHAIN_GATHER_MS);
    this.gatherMs = opts.gatherMs ?? (process.env.SESSIONCHAIN_GATHER_MS && Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : DEFAULT_GATHER_MS);
    if (this.mode === 'interval') this.#arm();
  }

  /** New transactions are waiting. */
  notify(): void {
    if (this.mode !== 'auto' || this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#enqueue(async () => {
        for (let backToBack = false; !this.#stopped && this.mode === 'auto' && this.mempool.pendingSize > 0; backToBack = true) {
          await this.#gather(backToBack);
          if (this.#stopped || this.mode !== 'auto') break; // stopped or switched while gathering
          const b = await this.#produce();
          if (b.block.txs.length === 0) break; // nothing executable: do not spin
        }
      }).catch(() => {});
    });
  }

  /**
   * Lets more transactions join the next block, for at most `gatherMs`: fewer, larger blocks spread
   * the per-block cost. Always: those whose signatures are being checked right now. Back to back
   * (under load): also those still arriving, until none has come for `GATHER_QUIET_MS`. A lone
   * transaction on an idle chain is mined at once. (Scheduling only: it decides where blocks are
   * cut, never what a block's transactions do.)
   */
  async #gather(backToBack: boolean): Promise<void> {
    const start = performance.now();
    const full = this.chain.genesis.params.maxBlockTxs;
    let seen = this.mempool.pendingSize;
    let lastArrival = start;
    for (;;) {
      const now = performance.now();
      const pending = this.mempool.pendingSize;
      if (this.#stopped || this.mode !== 'auto' || pending >= full || now - start >= this.gatherMs) return;
      if (this.hooks.admitting() > 0 || pending !== seen) {
        seen = pending;
        lastArrival = now;
      } else if (!backToBack || now - lastArrival >= GATHER_QUIET_MS) {
        return;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Mines `n` blocks now (the first takes pending transactions). */
  async mine(n = 1): Promise<CommittedBlock[]> {
    const out: CommittedBlock[] = [];
    await this.#enqueue(async () => {
      for (let i = 0; i < n; i++) out.push(await this.#produce());
    });
    return out;
  }

  setMode(mode: MiningMode, blockTimeMs?: number): void {
    this.mode = mode;
    if (blockTimeMs !== undefined) this.blockTimeMs = blockTimeMs;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (mode === 'interval') this.#arm();
    if (mode === 'auto') this.notify();
  }

  increaseTime(ms: bigint): bigint {
    if (ms < 0n) throw new RangeError('time only moves forward');
    checkDevTimestamp(BigInt(Date.now()) + this.#offsetMs + ms, `moving block time forward by ${ms} ms`);
    this.#offsetMs += ms;
    return this.#offsetMs;
  }

  setNextBlockTimestamp(ms: bigint): void {
    if (ms <= this.chain.headHeader.timestamp) throw new RangeError(`the next timestamp must be after the head's (${this.chain.headHeader.timestamp})`);
    checkDevTimestamp(ms, 'the next block timestamp');
    this.#nextTimestamp = ms;
  }

  stop(): Promise<unknown> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    return this.#tail.catch(() => {});
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.#enqueue(() => this.#produce())
        .catch(() => {})
        .finally(() => {
          if (this.mode === 'interval') this.#arm();
        });
    }, this.blockTimeMs);
    this.#timer.unref?.();
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => {});
    return run;
  }

  /** The timestamp a block produced now would get (simulations run at it); nothing is consumed. */
  peekTimestamp(): bigint {
    const parent = this.chain.headHeader.timestamp;
    const ts = this.#nextTimestamp ?? BigInt(Date.now()) + this.#offsetMs;
    return ts <= parent ? parent + 1n : ts;
  }

  #timestamp(): bigint {
    const ts = this.peekTimestamp();
    this.#nextTimestamp = undefined;
    if (ts > MAX_BLOCK_TIMESTAMP_MS) throw new NamedError('TimestampLimitReached', `block time ${ts} is past the last the chain can represent (${MAX_BLOCK_TIMESTAMP_MS} ms)`, { rpcCode: RpcCode.NodeUnavailable });
    return ts;
  }

  async #produce(): Promise<CommittedBlock> {
    const chain = this.chain;
    const parent = chain.headHeader;
    const info = { chainId: parent.chainId, height: parent.height + 1n, timestamp: this.#timestamp(), producer: this.signer.address };
    const exec = chain.begin(info);
    const dropped: [PoolTx, TxRejected][] = [];
    const pace = new Pacer();
    for (const ptx of this.mempool.select(chain.genesis.params.maxBlockTxs)) {
      await pace.breathe();
      try {
        await exec.applyTx(ptx.tx, ptx.publicKey, ptx.args);
      } catch (e) {
        if (e instanceof TxRejected && e.data?.retry) break; // block full: the rest waits for the next block
        dropped.push([ptx, e instanceof TxRejected ? e : new TxRejected('Dropped', `not executable: ${(e as Error).message}`)]);
      }
    }
    let open!: () => void;
    this.sealing = new Promise<void>((r) => (open = r));
    const release = () => {
      this.sealing = undefined;
      open();
    };
    try {
      return await this.#seal(exec, info, dropped, release);
    } finally {
      release();
    }
  }

  /**
   * endBlock, roots, header signature and the durable commit of a block whose transactions ran.
   * `release` lets admission go on once the state reads are done (the commit is one batched write).
   */
  async #seal(exec: BlockExecution, info: BlockInfo, dropped: [PoolTx, TxRejected][], release: () => void): Promise<CommittedBlock> {
    const chain = this.chain;
    await exec.endBlock();
    // Account nonces after this block, for the mempool's bookkeeping at commit time.
    const affected = new Set<Address>([...exec.txs.map((t) => t.from), ...dropped.map(([p]) => p.tx.from)]);
    const nonces = new Map<Address, bigint>();
    for (const a of affected) nonces.set(a, (await readAccount(exec.overlay, a)).nonce);
    let prepared;
    try {
      prepared = await chain.prepare(exec);
    } catch (e) {
      chain.abort();
      throw e;
    }
    release();
    const header = signHeader(
      {
        chainId: info.chainId,
        height: info.height,
        parentHash: chain.head.hash,
        timestamp: info.timestamp,
        producer: info.producer,
        txRoot: prepared.txRoot,
        receiptsRoot: prepared.receiptsRoot,
        stateRoot: prepared.stateRoot,
        extraRoots: prepared.extraRoots,
        gasUsed: prepared.gasUsed,
        txCount: exec.txs.length,
      },
      this.signer,
    );
    try {
      const committed = await chain.commit(prepared, header, (block) => {
        this.mempool.removeIncluded(exec.txs);
        for (const [ptx, why] of dropped) {
          this.mempool.drop(ptx.tx.hash, why);
        }
        this.mempool.revalidate(affected, (a) => nonces.get(a)!);
        this.hooks.committed(block);
      });
      this.lastError = undefined;
      return committed;
    } catch (e) {
      this.lastError = e as Error;
      console.error(`[producer] block ${info.height} was not committed: ${(e as Error).message}`);
      throw e;
    }
  }
}

/**
 * A node: one chain plus the machinery around it. Data flows one way:
 *
 *   RPC → admit (decode → stateless checks → signature in a worker → per-sender ordered nonce and
 *   balance checks) → mempool → producer → executor → modules → state → one synced batch per block
 *
 * `submit(raw, {wait: true})` resolves with the receipt only after the block holding the
 * transaction is durable: an acknowledged transaction survives a crash.
 */
import { type Address, ZERO_ADDRESS } from './address.js';
import { toHex, utf8 } from './bytes.js';
import { CodecError, NamedError, RpcCode, TxRejected } from './errors.js';
import { encodeValue } from './codec.js';
import { Transaction, signTx } from './tx.js';
import type { Receipt, ChainEvent } from './receipt.js';
import { Chain, type CommittedBlock, type MinedTx } from './chain.js';
import { intrinsicGas } from './executor.js';
import { Mempool, type MempoolOptions, type PoolTx } from './mempool.js';
import { Producer, type MiningMode } from './producer.js';
import { VerifierPool, type VerifierOptions } from './verifier.js';
import { Store, type StoreOptions } from './state/store.js';
import { StateOverlay } from './state/overlay.js';
import { type Signer } from './keys/signer.js';
import { devProducerSigner } from './keys/dev.js';
import { GAS, Meter } from './module/gas.js';
import { callModule, NO_TX, type ExecEnv } from './module/context.js';
import type { ModuleDefinition, NodeApi } from './module/contract.js';
import { type Account, readAccount, readAccountKey } from './state/accounts.js';
import type { Genesis } from './genesis.js';
import { MLDSA65_ENCODED_LEN } from './keys/schemes.js';
import { keccakReady } from './hash.js';
import { availableParallelism } from 'node:os';

/**
 * The transaction context of a simulation (chain.Call on a method, chain.EstimateGas): a fixed
 * stand-in for the unsigned encoding, as Tempo seeds for RPC simulations, so that calls deriving
 * values from it (TIP-1034's expiringNonceHash) run, with results that differ from the real ones.
 */
const SIMULATION_CONTEXT = utf8('SESSIONCHAIN:SIMULATION:v1');

export interface NodeOptions {
  /** classic-level directory; ignored with `memory`. */
  dataDir?: string;
  memory?: boolean;
  genesis: Genesis;
  /** The genesis was given explicitly (a mismatch with the store is an error, not a resume). */
  explicitGenesis?: boolean;
  /** The modules to execute, in order (`genesis/` has the built-in list). */
  modules: readonly ModuleDefinition[];
  /** Producer key; defaults to the dev producer. Not used by followers. */
  producer?: Signer;
  /** `false` for a node that never produces (follower, replay target). */
  produce?: boolean;
  mining?: { mode?: MiningMode; blockTimeMs?: number; gatherMs?: number };
  verifier?: VerifierOptions;
  mempool?: MempoolOptions;
  store?: StoreOptions;
}

export interface SubmitResult {
  hash: Uint8Array;
  /** With `wait`: the receipt and where the transaction was mined. */
  receipt?: Receipt;
  height?: bigint;
  mined?: MinedTx;
}

export interface SimulationResult {
  status: 0 | 1;
  gasUsed: bigint;
  error: string;
  errorMessage: string;
  returnData: Uint8Array;
  result: unknown;
  events: ChainEvent[];
}

interface Waiter {
  resolve: (r: MinedTx) => void;
  reject: (e: Error) => void;
}

export class Node implements NodeApi {
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly verifier: VerifierPool;
  readonly producer: Producer | undefined;
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #snapshots = new Map<number, bigint>();
  /** Transactions between arrival and mempool entry (the producer's automine waits for them briefly). */
  #admitting = 0;
  /** Hashes of the transactions between decoding and the mempool (a duplicate is refused at once). */
  readonly #inAdmission = new Set<string>();
  readonly #expiry: NodeJS.Timeout;
  #nextSnapshot = 1;
  #closed = false;

  private constructor(chain: Chain, verifier: VerifierPool, opts: NodeOptions) {
    this.chain = chain;
    this.verifier = verifier;
    this.mempool = new Mempool(opts.mempool);
    this.mempool.onDrop((ptx, why) => this.#rejectWaiters(ptx.tx.hash, why));
    // Queued transactions also age out while nothing arrives (their waiters learn QueuedTooLong).
    this.#expiry = setInterval(() => this.mempool.expireQueued(), Math.max(250, Math.min(10_000, this.mempool.maxQueuedAgeMs / 4)));
    this.#expiry.unref();
    if (opts.produce !== false) {
      const signer = opts.producer ?? devProducerSigner();
      this.producer = new Producer(chain, this.mempool, signer, { committed: (b) => this.#onCommitted(b), dropped: () => {}, admitting: () => this.#admitting }, opts.mining);
    }
  }

  static async start(opts: NodeOptions): Promise<Node> {
    await keccakReady;
    const { modules, genesis } = opts;
    const store = await Store.open({ ...(opts.store ?? {}), path: opts.memory ? undefined : (opts.dataDir ?? '.sessionchain') });
    let chain: Chain;
    try {
      chain = await Chain.open({ store, genesis, modules, explicitGenesis: opts.explicitGenesis });
    } catch (e) {
      await store.close().catch(() => {});
      throw e;
    }
    // A node that only imports blocks verifies them on every core while it executes.
    const verifier = new VerifierPool({ ...opts.verifier, threads: opts.verifier?.threads ?? (opts.produce === false ? availableParallelism() : undefined) });
    try {
      await verifier.ready();
      return new Node(chain, verifier, opts);
    } catch (e) {
      await verifier.close();
      await chain.close();
      throw e;
    }
  }

  get chainId(): bigint {
    return this.chain.genesis.chainId;
  }

  head() {
    const h = this.chain.headHeader;
    return { height: h.height, hash: this.chain.head.hash, stateRoot: h.stateRoot, timestamp: h.timestamp };
  }

  moduleAddress(name: string): Address {
    return this.chain.registry.addressOf(name);
  }

  // ---- admission ----------------------------------------------------------------------------

  /** Admits a signed transaction. With `wait`, resolves once its block is committed. */
  async submit(raw: Uint8Array, opts: { wait?: boolean } = {}): Promise<SubmitResult> {
    if (!this.producer) throw new NamedError('NotProducing', 'this node does not produce blocks (follower or replay); send transactions to the producer', { rpcCode: RpcCode.MethodNotSupported });
    const ptx = await this.#admit(raw);
    const hash = ptx.tx.hash;
    const receiptPromise = opts.wait ? this.waitForReceipt(hash) : undefined;
    this.producer.notify();
    if (!receiptPromise) return { hash };
    const mined = await receiptPromise;
    return { hash, receipt: mined.receipt, height: mined.height, mined };
  }

  async #admit(raw: Uint8Array): Promise<PoolTx> {
    this.#admitting++;
    try {
      // A block being sealed goes first (see Producer.sealing); arrivals keep their order.
      while (this.producer?.sealing) await this.producer.sealing;
      return await this.#admitChecked(raw);
    } finally {
      this.#admitting--;
    }
  }

  /**
   * Cheap checks first, so that a bad or duplicate transaction costs microseconds: size, decoding,
   * known hash, chain id, fees and gas, target and arguments, then the account (nonce window,
   * funds, pool limits). Only then the signature, verified once; then the same account checks
   * again, atomically with entering the pool (the head may have moved meanwhile).
   */
  async #admitChecked(raw: Uint8Array): Promise<PoolTx> {
    const exec = this.chain.executor;
    if (raw.length > exec.params.maxTxBytes) throw new TxRejected('OversizeTransaction', `transaction is ${raw.length} bytes; the limit is ${exec.params.maxTxBytes}`);
    let tx: Transaction;
    try {
      tx = Transaction.decode(raw);
    } catch (e) {
      const nonCanonical = e instanceof CodecError && e.nonCanonical;
      throw new TxRejected(nonCanonical ? 'NonCanonicalEncoding' : 'MalformedTransaction', `cannot decode the transaction: ${(e as Error).message}`);
    }
    if (this.mempool.has(tx.hash)) throw new TxRejected('AlreadyKnown', `transaction ${toHex(tx.hash)} is already in the mempool`);
    const key = toHex(tx.hash);
    if (this.#inAdmission.has(key)) throw new TxRejected('AlreadyKnown', `transaction ${key} is being admitted (sent twice at once)`);
    this.#inAdmission.add(key);
    try {
      return await this.#admitVerified(tx);
    } finally {
      this.#inAdmission.delete(key);
    }
  }

  async #admitVerified(tx: Transaction): Promise<PoolTx> {
    const exec = this.chain.executor;
    const args = exec.checkStateless(tx);
    await this.chain.lock.read(() => this.#checkAccount(tx));

    const checks = exec.signatureChecks(tx, args);
    const [verdict, checkResults] = await Promise.all([this.verifier.verifyDecoded(tx), checks.length === 0 ? [] : Promise.all(checks.map((c) => this.verifier.check(c)))]);
    if (!verdict.ok) {
      if (verdict.reason === 'malformed') throw new TxRejected('MalformedTransaction', verdict.message);
      throw new TxRejected('InvalidSignature', `${verdict.message}; sign the transaction's digest with the key of ${tx.from}`);
    }
    checks.forEach((c, i) => exec.sigCache.put(c, checkResults[i]!));
    return this.chain.lock.read(async () => this.mempool.add(tx, verdict.publicKey, args, await this.#checkAccount(tx)));
  }

  /** The account checks of admission (call under the chain's read lock); returns the account. */
  async #checkAccount(tx: Transaction): Promise<Account> {
    const account = await readAccount(this.chain.committed, tx.from);
    // A mined transaction cannot come back: its nonce is used. Only then look it up, to name it.
    if (tx.nonce < account.nonce && (await this.chain.txLocation(tx.hash))) {
      throw new TxRejected('AlreadyKnown', `transaction ${toHex(tx.hash)} is already in a block`);
    }
    if (tx.gasLimit < intrinsicGas(tx) + GAS.accountKeyRecord && !(await readAccountKey(this.chain.committed, tx.from))) {
      throw new TxRejected('IntrinsicGasTooLow', `the first transaction of an account also records its key: gasLimit must be at least ${intrinsicGas(tx) + GAS.accountKeyRecord}`);
    }
    this.mempool.check(tx, account);
    return account;
  }

  /** Resolves when the transaction is in a committed block; rejects if it is dropped. */
  waitForReceipt(hash: Uint8Array): Promise<MinedTx> {
    const key = toHex(hash);
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(key) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(key, list);
      // Already mined before we started waiting?
      void this.chain.getMined(hash).then((m) => {
        if (m) this.#resolveWaiters(key, m);
      });
    });
  }

  #resolveWaiters(key: string, mined: MinedTx): void {
    const list = this.#waiters.get(key);
    if (!list) return;
    this.#waiters.delete(key);
    for (const w of list) w.resolve(mined);
  }

  #rejectWaiters(hash: Uint8Array, why: Error): void {
    const key = toHex(hash);
    const list = this.#waiters.get(key);
    if (!list) return;
    this.#waiters.delete(key);
    for (const w of list) w.reject(why);
  }

  #onCommitted(b: CommittedBlock): void {
    const height = b.block.header.height;
    b.block.txs.forEach((tx, index) => this.#resolveWaiters(toHex(tx.hash), { tx, receipt: b.receipts[index]!, height, index, blockHash: b.hash }));
  }

  // ---- reads and simulation -----------------------------------------------------------------

  async query<R = unknown>(address: Address, name: string, args: unknown): Promise<R> {
    return this.chain.withHeadState((source, info) => this.chain.executor.query(source, info, address, name, args) as Promise<R>);
  }

  readState(address: Address, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.chain.readState(address, key);
  }

  /**
   * Runs a method call against the head state without committing anything (chain.Call on a
   * method, chain.EstimateGas). `from` defaults to the zero address.
   */
  async simulate(call: { from?: Address; to: Address; method: string; args: unknown; gasLimit?: bigint }): Promise<SimulationResult> {
    const exec = this.chain.executor;
    return this.chain.withHeadState(async (source, head) => {
      const overlay = new StateOverlay(source);
      // As the next block would run: at the producer's next timestamp (dev.IncreaseTime included).
      const block = { ...head, height: head.height + 1n, timestamp: this.producer?.peekTimestamp() ?? head.timestamp + 1n };
      const events: ChainEvent[] = [];
      const meter = new Meter(call.gasLimit ?? exec.params.blockGasLimit);
      const from = call.from ?? ZERO_ADDRESS;
      const env: ExecEnv = {
        registry: exec.registry,
        state: overlay,
        block,
        tx: { ...NO_TX, from, unsignedEncoding: SIMULATION_CONTEXT },
        meter,
        events,
        transient: new Map(),
        sigCache: exec.sigCache,
        accountKey: (a) => readAccountKey(overlay, a),
      };
      try {
        const result = await callModule(env, from, call.to, call.method, call.args, false);
        const def = exec.registry.resolve(call.to)!.def.methods[call.method]!;
        const returnData = def.returns ? encodeValue(def.returns, result) : new Uint8Array(0);
        return { status: 1, gasUsed: meter.used, error: '', errorMessage: '', returnData, result, events };
      } catch (e) {
        const name = e instanceof NamedError ? e.name : 'InternalError';
        return { status: 0, gasUsed: meter.used, error: name, errorMessage: (e as Error).message, returnData: new Uint8Array(0), result: undefined, events: [] };
      }
    });
  }

  /**
   * Gas a transaction will need: intrinsic (size estimated for the signing scheme) + key record on
   * an account's first transaction + what the call uses in simulation.
   */
  async estimateGas(call: { from: Address; to: Address; method: string; args: unknown; argsEncoded: number; scheme: 'ml-dsa-65' | 'secp256k1' }): Promise<{ gas: bigint; simulation: SimulationResult }> {
    const simulation = await this.simulate(call);
    const sigLen = call.scheme === 'secp256k1' ? 65 : MLDSA65_ENCODED_LEN;
    const approxBytes = BigInt(call.argsEncoded + sigLen + 160);
    const sigGas = call.scheme === 'secp256k1' ? GAS.txSigSecp256k1 : GAS.txSigMlDsa;
    const known = await this.chain.withHeadState((s) => readAccountKey(s, call.from));
    const gas = GAS.txBase + GAS.txByte * approxBytes + sigGas + (known ? 0n : GAS.accountKeyRecord) + simulation.gasUsed;
    return { gas, simulation };
  }

  // ---- dev helpers --------------------------------------------------------------------------

  #requireProducer(): Producer {
    if (!this.producer) throw new NamedError('NotProducing', 'dev helpers need a producing node', { rpcCode: RpcCode.MethodNotSupported });
    return this.producer;
  }

  async mine(n = 1): Promise<CommittedBlock[]> {
    if (!Number.isSafeInteger(n) || n < 1 || n > 10_000) throw new RangeError('mine between 1 and 10000 blocks at a time');
    return this.#requireProducer().mine(n);
  }

  snapshot(): number {
    const id = this.#nextSnapshot++;
    this.#snapshots.set(id, this.chain.head.height);
    return id;
  }

  /** Rolls back to a snapshot; it and later snapshots are consumed. False if unknown. */
  async revert(id: number): Promise<boolean> {
    const height = this.#snapshots.get(id);
    if (height === undefined) return false;
    for (const k of [...this.#snapshots.keys()]) if (k >= id) this.#snapshots.delete(k);
    const producer = this.#requireProducer();
    await producer.mine(0); // wait for any block in progress
    await this.chain.revertTo(height, async () => {
      const senders = this.mempool.senders();
      const nonces = new Map<Address, bigint>();
      for (const s of senders) nonces.set(s, (await readAccount(this.chain.committed, s)).nonce);
      this.mempool.revalidate(senders, (a) => nonces.get(a)!);
    });
    return true;
  }

  /** The `dev` module's address; dev helpers need a chain that runs it. */
  #devModuleAddress(): Address {
    const dev = this.chain.registry.byName('dev');
    if (!dev) throw new NamedError('DevModeDisabled', 'this chain runs no dev module; dev.SetBalance needs one', { rpcCode: RpcCode.MethodNotSupported });
    return dev.def.address;
  }

  /** dev.SetBalance: a producer-signed transaction to the dev module, mined right away. */
  async setBalance(address: Address, balance: bigint): Promise<Receipt> {
    const producer = this.#requireProducer();
    const producerKey = producer.signer;
    const acct = await this.chain.withHeadState((s) => readAccount(s, producerKey.address));
    const nonce = acct.nonce + BigInt(this.mempool.pendingCount(producerKey.address));
    const devAddress = this.#devModuleAddress();
    const tx = signTx(
      {
        chainId: this.chainId,
        nonce,
        from: producerKey.address,
        to: devAddress,
        method: 'setBalance',
        args: this.chain.registry.resolve(devAddress)!.def.methods.setBalance!.args.encode({ address, balance }) as never,
        gasLimit: 1_000_000n,
        gasPrice: this.chain.genesis.params.minGasPrice,
      },
      producerKey,
    );
    await this.submit(tx.raw); // admitted once this resolves
    const waiting = this.waitForReceipt(tx.hash);
    if (producer.mode !== 'auto') await producer.mine(1);
    const { receipt } = await waiting;
    if (!receipt || receipt.status !== 1) throw new NamedError(receipt?.error || 'SetBalanceFailed', receipt?.errorMessage || 'dev.setBalance failed', { rpcCode: RpcCode.ExecutionFailed });
    return receipt;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#expiry);
    await this.producer?.stop();
    this.mempool.clear(new TxRejected('Dropped', 'the node is shutting down'));
    await this.verifier.close();
    await this.chain.close();
  }
}


/**
 * An in-process dev chain for tests and scripts (like Hardhat's in-process network): a memory-store
 * node with the dev genesis, dev signers, and one-line helpers to send transactions and run
 * queries with plain JS values.
 *
 *   const chain = await createDevChain();
 *   const { receipt } = await chain.send(chain.signer(0), 'lux', 'transfer', { to, amount: 10n });
 */
import { type Address, isAddress, toAddress, decodeValue, NamedError, signTx, type Transaction, Node, type NodeOptions, devSigner, readAccount } from '../chain/index.js';
import type { Receipt, CommittedBlock, SchemeName, Signer, ModuleDefinition } from '../chain/index.js';
import { devGenesis, type DevGenesisOptions } from './dev.js';
import { builtinModules } from './modules.js';

export interface DevChainOptions {
  modules?: ModuleDefinition[];
  genesis?: DevGenesisOptions;
  /** `auto` mines a block per send; `manual` only on `mine()` (default: auto). */
  mining?: 'auto' | 'manual';
  /** Verifier threads (default 0: verify inline). */
  threads?: number;
  dataDir?: string;
}

export interface SendOptions {
  gasLimit?: bigint;
  gasPrice?: bigint;
  nonce?: bigint;
}

export interface SendResult<R = unknown> {
  hash: Uint8Array;
  receipt: Receipt;
  height: bigint;
  /** The method's return value, decoded (undefined on failure or for methods without one). */
  result: R;
  tx: Transaction;
}

export class DevChain {
  readonly #nonces = new Map<Address, bigint>();
  constructor(readonly node: Node) {}

  get chainId(): bigint {
    return this.node.chainId;
  }

  /** Dev signer `i` (0..9 are funded under both schemes). */
  signer(i: number, scheme: SchemeName = 'ml-dsa-65'): Signer {
    return devSigner(i, scheme);
  }

  /** A module name (`lux`) or an address. */
  address(target: string): Address {
    if (isAddress(target)) return toAddress(target);
    return this.node.moduleAddress(target);
  }

  async nextNonce(a: Address): Promise<bigint> {
    const committed = (await this.node.chain.withHeadState((s) => readAccount(s, a))).nonce + BigInt(this.node.mempool.pendingCount(a));
    const local = this.#nonces.get(a) ?? 0n;
    return committed > local ? committed : local;
  }

  /** Takes the next nonce; reading and reserving happen in one step, so concurrent builds differ. */
  async #reserveNonce(a: Address): Promise<bigint> {
    const committed = (await this.node.chain.withHeadState((s) => readAccount(s, a))).nonce + BigInt(this.node.mempool.pendingCount(a));
    const local = this.#nonces.get(a) ?? 0n;
    const nonce = committed > local ? committed : local;
    this.#nonces.set(a, nonce + 1n);
    return nonce;
  }

  /** Builds and signs a transaction with JS argument values. */
  async buildTx(signer: Signer, target: string, method: string, args: Record<string, unknown> = {}, opts: SendOptions = {}): Promise<Transaction> {
    const to = this.address(target);
    const def = this.node.chain.registry.resolve(to)?.def.methods[method];
    if (!def) throw new NamedError('UnknownMethod', `no method ${method} at ${target}`);
    const nonce = opts.nonce ?? (await this.#reserveNonce(signer.address));
    return signTx(
      {
        chainId: this.chainId,
        nonce,
        from: signer.address,
        to,
        method,
        args: def.args.encode(args) as never,
        gasLimit: opts.gasLimit ?? 50_000_000n,
        gasPrice: opts.gasPrice ?? this.node.chain.genesis.params.minGasPrice,
      },
      signer,
    );
  }

  /** Sends a transaction and waits for its receipt (mining a block in manual mode). */
  async send<R = unknown>(signer: Signer, target: string, method: string, args: Record<string, unknown> = {}, opts: SendOptions = {}): Promise<SendResult<R>> {
    const tx = await this.buildTx(signer, target, method, args, opts);
    return this.sendTx<R>(tx);
  }

  /** Gives back the nonce reserved by `buildTx` when the node refuses the transaction. */
  #release(tx: Transaction): void {
    if (this.#nonces.get(tx.from) === tx.nonce + 1n) this.#nonces.set(tx.from, tx.nonce);
  }

  async #admit(tx: Transaction, wait: boolean) {
    try {
      return await this.node.submit(tx.raw, { wait });
    } catch (e) {
      this.#release(tx);
      throw e;
    }
  }

  async sendTx<R = unknown>(tx: Transaction): Promise<SendResult<R>> {
    let receipt: Receipt;
    let height: bigint;
    if (this.node.producer?.mode === 'manual') {
      await this.#admit(tx, false);
      const waiting = this.node.waitForReceipt(tx.hash);
      await this.node.mine(1);
      ({ receipt, height } = await waiting);
    } else {
      const r = await this.#admit(tx, true);
      receipt = r.receipt!;
      height = r.height!;
    }
    return { hash: tx.hash, receipt, height, result: this.decodeResult(tx, receipt) as R, tx };
  }

  /** Admits a transaction without waiting; `receipt` resolves when a block includes it. */
  async submit(signer: Signer, target: string, method: string, args: Record<string, unknown> = {}, opts: SendOptions = {}): Promise<{ tx: Transaction; receipt: Promise<SendResult> }> {
    const tx = await this.buildTx(signer, target, method, args, opts);
    await this.#admit(tx, false);
    const receipt = this.node.waitForReceipt(tx.hash).then(({ receipt, height }) => ({ hash: tx.hash, receipt, height, result: this.decodeResult(tx, receipt), tx }));
    receipt.catch(() => {});
    return { tx, receipt };
  }

  decodeResult(tx: Transaction, receipt: Receipt): unknown {
    if (receipt.status !== 1) return undefined;
    const def = this.node.chain.registry.resolve(tx.to)?.def.methods[tx.method];
    return def?.returns ? decodeValue(def.returns, receipt.returnData, 'returnData') : undefined;
  }

  /** Runs a read-only query at the head. */
  call<R = unknown>(target: string, query: string, args: Record<string, unknown> = {}): Promise<R> {
    return this.node.query<R>(this.address(target), query, args);
  }

  mine(n = 1): Promise<CommittedBlock[]> {
    return this.node.mine(n);
  }

  /** Moves the clock of the next blocks forward. */
  increaseTime(seconds: number | bigint): void {
    this.node.producer!.increaseTime(BigInt(seconds) * 1000n);
  }

  setNextBlockTimestamp(ms: bigint): void {
    this.node.producer!.setNextBlockTimestamp(ms);
  }

  async balance(a: Address): Promise<bigint> {
    return this.call<bigint>('lux', 'balanceOf', { address: a });
  }

  stop(): Promise<void> {
    return this.node.stop();
  }
}

export async function createDevChain(opts: DevChainOptions = {}): Promise<DevChain> {
  const modules = opts.modules ?? builtinModules();
  const nodeOpts: NodeOptions = {
    memory: opts.dataDir === undefined,
    dataDir: opts.dataDir,
    modules,
    genesis: devGenesis(opts.genesis ?? {}, modules),
    mining: { mode: opts.mining === 'manual' ? 'manual' : 'auto' },
    verifier: { threads: opts.threads ?? 0 },
  };
  return new DevChain(await Node.start(nodeOpts));
}

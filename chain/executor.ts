/**
 * Deterministic execution (SPEC §4). Shaped like ABCI so that a BFT engine could drive it later:
 * `checkStateless` (CheckTx without state), `beginBlock` → `applyTx`* → `endBlock` → `finish`
 * (FinalizeBlock), and the caller commits the result (Commit).
 *
 * A transaction's fee and nonce are applied outside the call's revert scope: a failed call leaves
 * only those. A transaction that cannot pay, has the wrong nonce or does not fit in the block is not
 * executable at all; `applyTx` throws `TxRejected` and leaves no trace, and a block containing one
 * is invalid.
 */
import { type Address, ZERO_ADDRESS } from './address.js';
import { compareBytes, utf8 } from './bytes.js';
import { encodeValue } from './codec.js';
import { CodecError, errorMessage, errorName, ModuleError, TxRejected } from './errors.js';
import { type ChainEvent, type Receipt } from './receipt.js';
import { type Transaction } from './tx.js';
import { MLDSA65_ENCODED_LEN } from './keys/schemes.js';
import type { StateOverlay, StateSource } from './state/overlay.js';
import { StateOverlay as Overlay } from './state/overlay.js';
import { GAS, Meter } from './module/gas.js';
import { callModule, makeCallContext, makeReadContext, NO_TX, type ExecEnv } from './module/context.js';
import type { BlockInfo, SignatureCheck, TxInfo } from './module/contract.js';
import type { ModuleRegistry } from './module/registry.js';
import { SignatureCache } from './module/sigcache.js';
import { readAccount, readAccountKey, writeAccount, writeAccountKey } from './state/accounts.js';
import { engineErrors } from './module/contract.js';

export interface ChainParams {
  chainId: bigint;
  /** Smallest accepted gas price, in wei of LUX. */
  minGasPrice: bigint;
  blockGasLimit: bigint;
  /** Largest accepted transaction encoding, in bytes. */
  maxTxBytes: number;
  /** Most transactions in one block. */
  maxBlockTxs: number;
}

/** Gas for a system step (genesis, endBlock): effectively unbounded but finite. */
const SYSTEM_GAS = 1n << 62n;

export function intrinsicGas(tx: Transaction): bigint {
  const sig = tx.signature.length === MLDSA65_ENCODED_LEN ? GAS.txSigMlDsa : GAS.txSigSecp256k1;
  return GAS.txBase + GAS.txByte * BigInt(tx.raw.length) + sig;
}

export interface TxOutcome {
  receipt: Receipt;
  /** Decoded JS return value (for RPC replies), when the call succeeded. */
  result?: unknown;
}

export class Executor {
  readonly sigCache: SignatureCache;

  constructor(
    readonly registry: ModuleRegistry,
    readonly params: ChainParams,
    sigCache?: SignatureCache,
  ) {
    this.sigCache = sigCache ?? new SignatureCache();
  }

  /** Checks that need no state. Returns the decoded call arguments. Throws TxRejected. */
  checkStateless(tx: Transaction): unknown {
    const p = this.params;
    if (tx.raw.length > p.maxTxBytes) throw new TxRejected('OversizeTransaction', `transaction is ${tx.raw.length} bytes; the limit is ${p.maxTxBytes}`);
    if (tx.chainId !== p.chainId) throw new TxRejected('WrongChainId', `transaction is for chain ${tx.chainId}, this chain is ${p.chainId}; rebuild it with chainId ${p.chainId}`);
    if (tx.gasPrice < p.minGasPrice) throw new TxRejected('GasPriceTooLow', `gasPrice ${tx.gasPrice} is below the minimum ${p.minGasPrice}; raise the fee`);
    const intrinsic = intrinsicGas(tx);
    if (tx.gasLimit < intrinsic) throw new TxRejected('IntrinsicGasTooLow', `gasLimit ${tx.gasLimit} is below the intrinsic cost ${intrinsic}; use chain.EstimateGas`);
    if (tx.gasLimit > p.blockGasLimit) throw new TxRejected('GasLimitTooHigh', `gasLimit ${tx.gasLimit} exceeds the block gas limit ${p.blockGasLimit}`);
    return this.decodeCall(tx);
  }

  /** Resolves the target method and decodes the arguments (TxRejected on failure). */
  decodeCall(tx: Transaction): unknown {
    const mod = this.registry.resolve(tx.to);
    if (!mod) throw new TxRejected('UnknownTarget', `no module or precompile at ${tx.to}`);
    const def = mod.def.methods[tx.method];
    if (!def || def.visibility === 'internal') {
      const names = Object.entries(mod.def.methods).filter(([, m]) => m.visibility !== 'internal').map(([n]) => n);
      throw new TxRejected('UnknownMethod', `${mod.def.name} has no method "${tx.method}" (methods: ${names.join(', ')})`);
    }
    try {
      return def.args.decode(tx.args, 'args');
    } catch (e) {
      throw new TxRejected('InvalidArguments', `${mod.def.name}.${tx.method}: ${errorMessage(e)} (expected ${def.args.name})`);
    }
  }

  /** Module-level signatures a transaction will check (for parallel pre-verification). */
  signatureChecks(tx: Transaction, args: unknown): SignatureCheck[] {
    const def = this.registry.resolve(tx.to)?.def.methods[tx.method];
    if (!def?.signatures) return [];
    try {
      return def.signatures(args, { from: tx.from, chainId: tx.chainId });
    } catch {
      return [];
    }
  }

  beginBlock(base: StateSource, block: BlockInfo): BlockExecution {
    return new BlockExecution(this, new Overlay(base), block);
  }

  /** Runs every module's genesis hook on `overlay`. */
  async runGenesis(overlay: StateOverlay, block: BlockInfo): Promise<void> {
    for (const mod of this.registry.modules) {
      if (!mod.def.genesis) continue;
      const env = this.#systemEnv(overlay, block, []);
      await mod.def.genesis(makeCallContext(env, mod, mod.def.address, ZERO_ADDRESS));
    }
  }

  #systemEnv(overlay: StateOverlay, block: BlockInfo, events: ChainEvent[]): ExecEnv {
    return {
      registry: this.registry,
      state: overlay,
      block,
      tx: NO_TX,
      meter: new Meter(SYSTEM_GAS),
      events,
      transient: new Map(),
      sigCache: this.sigCache,
      accountKey: (a) => readAccountKey(overlay, a),
    };
  }

  /** Read-only query against a state view (RPC `chain.Call` on a query). */
  async query(source: StateSource, block: BlockInfo, address: Address, name: string, args: unknown): Promise<unknown> {
    const mod = this.registry.resolve(address);
    if (!mod) throw engineErrors.error('UnknownTarget', `no module or precompile at ${address}`);
    const q = mod.def.queries?.[name];
    if (!q) throw engineErrors.error('UnknownQuery', `${mod.def.name} has no query "${name}"`);
    return q.handler(makeReadContext(this.registry, source, block, mod, address), args);
  }

  /** Module roots for the header's extra roots. */
  async blockRoots(source: StateSource, block: BlockInfo): Promise<[string, Uint8Array][]> {
    const roots: [string, Uint8Array][] = [];
    for (const mod of this.registry.modules) {
      if (!mod.def.blockRoots) continue;
      const r = await mod.def.blockRoots(makeReadContext(this.registry, source, block, mod, mod.def.address));
      for (const [name, root] of Object.entries(r)) {
        if (root.length !== 32) throw new Error(`module ${mod.def.name} returned a ${root.length}-byte root ${name}`);
        roots.push([name, root]);
      }
    }
    roots.sort((a, b) => compareBytes(utf8(a[0]), utf8(b[0])));
    for (let i = 1; i < roots.length; i++) if (roots[i]![0] === roots[i - 1]![0]) throw new Error(`two modules publish the root ${roots[i]![0]}`);
    return roots;
  }

  systemEnv(overlay: StateOverlay, block: BlockInfo, events: ChainEvent[]): ExecEnv {
    return this.#systemEnv(overlay, block, events);
  }
}

export class BlockExecution {
  readonly receipts: Receipt[] = [];
  readonly txs: Transaction[] = [];
  readonly systemEvents: ChainEvent[] = [];
  gasUsed = 0n;

  constructor(
    readonly executor: Executor,
    readonly overlay: StateOverlay,
    readonly block: BlockInfo,
  ) {}

  /**
   * Applies one transaction whose signature was verified (`publicKey` is the signer's key).
   * Throws TxRejected if the transaction is not executable here; state is then unchanged.
   */
  async applyTx(tx: Transaction, publicKey: Uint8Array, decodedArgs?: unknown): Promise<TxOutcome> {
    const ex = this.executor;
    const { params } = ex;
    if (this.txs.length >= params.maxBlockTxs) throw new TxRejected('Dropped', 'block is full (transaction count)', { retry: true });
    if (this.gasUsed + tx.gasLimit > params.blockGasLimit) throw new TxRejected('Dropped', 'block is full (gas)', { retry: true });
    const overlay = this.overlay;
    const acc = await readAccount(overlay, tx.from);
    if (tx.nonce < acc.nonce) throw new TxRejected('NonceTooLow', `nonce ${tx.nonce} was already used; the account's next nonce is ${acc.nonce}`);
    if (tx.nonce > acc.nonce) throw new TxRejected('NonceGap', `nonce ${tx.nonce} leaves a gap; the account's next nonce is ${acc.nonce}`);
    const upfront = tx.gasLimit * tx.gasPrice;
    if (acc.balance < upfront) throw new TxRejected('InsufficientFunds', `${tx.from} has ${acc.balance} wei, gasLimit × gasPrice is ${upfront}`);
    const knownKey = await readAccountKey(overlay, tx.from);
    const required = intrinsicGas(tx) + (knownKey ? 0n : GAS.accountKeyRecord);
    if (tx.gasLimit < required) throw new TxRejected('IntrinsicGasTooLow', `gasLimit ${tx.gasLimit} is below the ${required} this transaction needs before running`);

    // From here on the transaction is in the block, whatever the call does.
    writeAccount(overlay, tx.from, { nonce: acc.nonce + 1n, balance: acc.balance - upfront });
    if (!knownKey) writeAccountKey(overlay, tx.from, publicKey);

    const meter = new Meter(tx.gasLimit, required);
    const events: ChainEvent[] = [];
    const info: TxInfo = {
      hash: tx.hash,
      from: tx.from,
      nonce: tx.nonce,
      gasPrice: tx.gasPrice,
      get unsignedEncoding() {
        return tx.unsignedEncoding; // encoded on demand (few modules need it)
      },
    };
    const env: ExecEnv = {
      registry: ex.registry,
      state: overlay,
      block: this.block,
      tx: info,
      meter,
      events,
      transient: new Map(),
      sigCache: ex.sigCache,
      accountKey: (a) => readAccountKey(overlay, a),
    };
    const checkpoint = overlay.checkpoint();
    let status: 0 | 1 = 1;
    let error = '';
    let message = '';
    let returnData: Uint8Array = new Uint8Array(0);
    let result: unknown;
    try {
      const args = decodedArgs !== undefined ? decodedArgs : ex.decodeCall(tx);
      result = await callModule(env, tx.from, tx.to, tx.method, args, false);
      const def = ex.registry.resolve(tx.to)!.def.methods[tx.method]!;
      if (def.returns) returnData = encodeValue(def.returns, result);
    } catch (e) {
      overlay.revert(checkpoint);
      events.length = 0;
      status = 0;
      error = e instanceof TxRejected || e instanceof CodecError ? 'InvalidArguments' : errorName(e);
      message = errorMessage(e);
      result = undefined;
      if (!(e instanceof ModuleError) && !(e instanceof TxRejected) && !(e instanceof CodecError)) {
        // A bug in module code: deterministic, but worth a loud log line for the operator.
        console.error(`[executor] internal error in ${tx.to}.${tx.method}: ${(e as Error)?.stack ?? String(e)}`);
      }
    }
    const gasUsed = error === 'OutOfGas' ? tx.gasLimit : meter.used; // out of gas charges the whole limit
    // Refund unused gas to the sender, pay the fee to the producer.
    const after = await readAccount(overlay, tx.from);
    writeAccount(overlay, tx.from, { ...after, balance: after.balance + (tx.gasLimit - gasUsed) * tx.gasPrice });
    const fee = gasUsed * tx.gasPrice;
    if (fee > 0n) {
      const prod = await readAccount(overlay, this.block.producer);
      writeAccount(overlay, this.block.producer, { ...prod, balance: prod.balance + fee });
    }
    overlay.settle();
    const receipt: Receipt = { txHash: tx.hash, status, gasUsed, error, errorMessage: message, returnData, events };
    this.txs.push(tx);
    this.receipts.push(receipt);
    this.gasUsed += gasUsed;
    return { receipt, result };
  }

  /** Runs the modules' endBlock hooks. A failing hook is rolled back (and logged); the block goes on. */
  async endBlock(): Promise<void> {
    const ex = this.executor;
    for (const mod of ex.registry.modules) {
      if (!mod.def.endBlock) continue;
      const events: ChainEvent[] = [];
      const env = ex.systemEnv(this.overlay, this.block, events);
      const cp = this.overlay.checkpoint();
      try {
        await mod.def.endBlock(makeCallContext(env, mod, mod.def.address, ZERO_ADDRESS));
        this.systemEvents.push(...events);
      } catch (e) {
        this.overlay.revert(cp);
        console.error(`[executor] endBlock of ${mod.def.name} failed at height ${this.block.height}: ${errorName(e)}: ${errorMessage(e)}`);
      }
    }
    this.overlay.settle();
  }

  extraRoots(): Promise<[string, Uint8Array][]> {
    return this.executor.blockRoots(this.overlay, this.block);
  }
}


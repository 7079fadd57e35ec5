/**
 * The one way the SDK sends a transaction: pick the nonce, estimate the gas (the simulation also
 * says whether the call would fail, before anything is signed), sign, submit, and wait for the
 * receipt. Every client in `sdk/` — the wallet, the module clients, the committee worker, the AIVM
 * provider — and the CLI go through a `TxSender`.
 *
 *   const sender = TxSender.for(rpc, signer);
 *   const { receipt } = await sender.send({ to, method: 'transfer', args: { to, amount } }, { def });
 *
 * One sender per (RPC endpoint, signer): `TxSender.for` hands out the same instance, and its sends
 * run one at a time, so clients that share a signer never race for a nonce. (For many transactions
 * in flight, sign them with explicit nonces and submit them with `wait: false`.)
 */
import { NamedError, signTx, type Address, type MethodDef, type Signer, type Transaction, type UnsignedTx } from '../chain/index.js';
import { RpcClient, RpcError, type ReceiptJson } from './rpc-client.js';

/** Gas limit = estimate × 5/4 + this, so a call whose cost depends on the block still fits. */
export const GAS_MARGIN_NUM = 5n;
export const GAS_MARGIN_DEN = 4n;
export const GAS_MARGIN_FIXED = 20_000n;

/** Adds the SDK's safety margin to a gas estimate (unused gas is refunded). */
export function withGasMargin(estimate: bigint): bigint {
  return (estimate * GAS_MARGIN_NUM) / GAS_MARGIN_DEN + GAS_MARGIN_FIXED;
}

export interface SendOptions {
  /** Skip the estimate and use this gas limit (a failing call then fails on chain, paying its fee). */
  gasLimit?: bigint;
  /** Default: the chain's minimum gas price. */
  gasPrice?: bigint;
  /** Default: the next nonce (the node's pending nonce, or this sender's own count when ahead). */
  nonce?: bigint;
  /** Wait for the receipt (default true). */
  wait?: boolean;
  /** Send even if the simulation says the call fails (the receipt then records the error). */
  force?: boolean;
}

/** A module call: where, which method, and its arguments as the method's schema values. */
export interface ModuleCall {
  to: Address;
  method: string;
  /** The method's definition (its argument schema encodes `args`). */
  def: Pick<MethodDef, 'args'>;
  args: unknown;
}

export interface SendResult {
  hash: string;
  /** Present when waiting (the default). */
  receipt?: ReceiptJson;
}

interface EstimateJson {
  gas: string;
  status: number;
  error: string | null;
  errorMessage: string | null;
}

/** The simulation says the call fails; nothing was signed or sent. `data.phase` is `'estimate'`. */
export class WouldFailError extends NamedError {
  constructor(name: string, message: string) {
    super(name, message, { data: { phase: 'estimate' } });
  }
}

const senders = new WeakMap<RpcClient, Map<Address, TxSender>>();

export class TxSender {
  #chainId: bigint | undefined;
  #minGasPrice: bigint | undefined;
  /** The next nonce this sender will use, once it has sent something; the node's count may lag. */
  #nextNonce: bigint | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly rpc: RpcClient,
    readonly signer: Signer,
  ) {}

  /** The shared sender of `signer` on `rpc`. */
  static for(rpc: RpcClient, signer: Signer): TxSender {
    let bySigner = senders.get(rpc);
    if (!bySigner) senders.set(rpc, (bySigner = new Map()));
    let s = bySigner.get(signer.address);
    if (!s || s.signer !== signer) bySigner.set(signer.address, (s = new TxSender(rpc, signer)));
    return s;
  }

  get address(): Address {
    return this.signer.address;
  }

  /** Chain id and minimum gas price (fetched once). */
  async chainParams(): Promise<{ chainId: bigint; minGasPrice: bigint }> {
    if (this.#chainId === undefined || this.#minGasPrice === undefined) {
      const [chainId, genesis] = await Promise.all([this.rpc.chainId(), this.rpc.call<{ params?: { minGasPrice?: string } }>('chain.Genesis')]);
      this.#chainId = BigInt(chainId);
      this.#minGasPrice = BigInt(genesis.params?.minGasPrice ?? '1000000000');
    }
    return { chainId: this.#chainId, minGasPrice: this.#minGasPrice };
  }

  /** Simulates the call and returns its gas with the margin; throws WouldFailError if it fails. */
  async estimate(call: ModuleCall, o: Pick<SendOptions, 'force'> = {}): Promise<bigint> {
    const est = await this.rpc.call<EstimateJson>('chain.EstimateGas', {
      from: this.address,
      to: call.to,
      method: call.method,
      args: call.def.args.toJson(call.args as never),
      scheme: this.signer.scheme,
    });
    if (est.status === 0 && !o.force) throw new WouldFailError(est.error ?? 'ExecutionFailed', `the call would fail: ${est.errorMessage ?? est.error} (nothing was sent)`);
    return withGasMargin(BigInt(est.gas));
  }

  /** The unsigned transaction of a call: nonce, gas (estimated unless given) and price filled in. */
  async unsigned(call: ModuleCall, o: SendOptions = {}): Promise<UnsignedTx> {
    const { chainId, minGasPrice } = await this.chainParams();
    const [nonce, gasLimit] = await Promise.all([o.nonce ?? this.#peekNonce(), o.gasLimit ?? this.estimate(call, o)]);
    return {
      chainId,
      nonce,
      from: this.address,
      to: call.to,
      method: call.method,
      args: call.def.args.encode(call.args as never) as never,
      gasLimit,
      gasPrice: o.gasPrice ?? minGasPrice,
    };
  }

  /** Builds and signs a call without sending it. */
  async sign(call: ModuleCall, o: SendOptions = {}): Promise<Transaction> {
    return signTx(await this.unsigned(call, o), this.signer);
  }

  /** Builds, signs and sends a call; with `wait` (the default) resolves with its receipt. */
  send(call: ModuleCall, o: SendOptions = {}): Promise<SendResult> {
    const wait = o.wait !== false;
    return this.sendWith(
      (nonce) => this.unsigned(call, { ...o, nonce: o.nonce ?? nonce }),
      (tx) => this.rpc.sendTransaction(tx.raw, { wait }),
    );
  }

  /**
   * Signs the transaction `build` makes from the next nonce and hands it to `submit`, in this
   * sender's turn. For callers that derive something from the unsigned transaction before signing
   * (an escrow channel id), or submit through a module's own RPC method.
   */
  sendWith<R>(build: (nonce: bigint) => Promise<UnsignedTx>, submit: (tx: Transaction) => Promise<R>): Promise<R> {
    const run = this.#queue.then(async () => {
      for (let attempt = 0; ; attempt++) {
        const tx = signTx(await build(await this.#peekNonce()), this.signer);
        try {
          const sent = await submit(tx);
          this.#nextNonce = tx.nonce + 1n;
          return sent;
        } catch (e) {
          this.#nextNonce = undefined;
          // Another client of this account may have used the nonce: re-read it once and retry.
          if (attempt === 0 && e instanceof RpcError && (e.name === 'NonceTooLow' || e.name === 'NonceGap' || e.name === 'AlreadyKnown')) continue;
          throw e;
        }
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #peekNonce(): Promise<bigint> {
    const pending = BigInt((await this.rpc.getAccount(this.address)).pendingNonce);
    return this.#nextNonce === undefined || pending > this.#nextNonce ? pending : this.#nextNonce;
  }
}

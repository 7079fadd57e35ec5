/**
 * Typed access to the sessionwork module over JSON-RPC (SDK side): queries decode into the same JS
 * values the module returns (bytes as Uint8Array, integers as bigint), and `send` signs and submits a
 * module call, waiting for its receipt. Nonces are tracked locally so one client can send
 * back-to-back transactions.
 */
import { decodeValue, fromHex, NamedError, RpcClient, RpcError, signTx, type Signer, type Type } from '../../../../chain/index.js';
import { SESSION_WORK_ADDRESS, sessionWorkModule } from '../module.js';
import { workQueries } from '../queries.js';

type Queries = typeof workQueries;
export type QueryName = keyof Queries;
export type QueryResult<Q extends QueryName> = Awaited<ReturnType<Queries[Q]['handler']>>;

export interface SendOutcome<R = unknown> {
  hash: string;
  status: 0 | 1;
  error: string | null;
  errorMessage: string | null;
  result: R;
  height?: number;
}

/** Gas limit of worker transactions: ample for a 21-member attestation; unused gas is refunded. */
const DEFAULT_GAS_LIMIT = 30_000_000n;

export class WorkClient {
  readonly #rpc: RpcClient;
  #chainId: bigint | undefined;
  #gasPrice: bigint | undefined;
  #nonce: bigint | undefined;

  constructor(rpc: RpcClient | string, readonly signer?: Signer) {
    this.#rpc = typeof rpc === 'string' ? new RpcClient(rpc) : rpc;
  }

  get rpc(): RpcClient {
    return this.#rpc;
  }

  async query<Q extends QueryName>(name: Q, args: Record<string, unknown> = {}): Promise<QueryResult<Q>> {
    const def = workQueries[name];
    const json = await this.#rpc.query<unknown>(SESSION_WORK_ADDRESS, name, def.args.toJson(args as never));
    return (def.returns as Type<unknown>).fromJson(json) as QueryResult<Q>;
  }

  async head(): Promise<{ height: bigint; timestamp: bigint }> {
    const h = await this.#rpc.head();
    return { height: BigInt(h.height), timestamp: BigInt(h.timestamp) };
  }

  /** Signs and sends a sessionwork method call; resolves with the receipt once committed. */
  async send<R = unknown>(method: string, args: Record<string, unknown>, opts: { gasLimit?: bigint } = {}): Promise<SendOutcome<R>> {
    const signer = this.signer;
    if (!signer) throw new NamedError('NoSigner', 'this WorkClient was created without a signer');
    const def = sessionWorkModule.methods[method];
    if (!def) throw new NamedError('UnknownMethod', `sessionwork has no method ${method}`);
    const encoded = def.args.encode(args as never);
    for (let attempt = 0; ; attempt++) {
      const nonce = await this.#nextNonce(signer.address);
      const tx = signTx(
        { chainId: await this.#chain(), nonce, from: signer.address, to: SESSION_WORK_ADDRESS, method, args: encoded as never, gasLimit: opts.gasLimit ?? DEFAULT_GAS_LIMIT, gasPrice: await this.#price() },
        signer,
      );
      try {
        const { receipt } = await this.#rpc.sendTransaction(tx.raw, { wait: true });
        this.#nonce = nonce + 1n;
        const r = receipt!;
        const result = r.status === 1 && def.returns ? decodeValue(def.returns, fromHex(r.returnData), 'returnData') : undefined;
        return { hash: r.txHash, status: r.status, error: r.error, errorMessage: r.errorMessage, result: result as R, height: r.height };
      } catch (e) {
        this.#nonce = undefined;
        if (attempt === 0 && e instanceof RpcError && (e.name === 'NonceTooLow' || e.name === 'NonceGap' || e.name === 'AlreadyKnown')) continue;
        throw e;
      }
    }
  }

  async #chain(): Promise<bigint> {
    return (this.#chainId ??= BigInt(await this.#rpc.chainId()));
  }

  async #price(): Promise<bigint> {
    if (this.#gasPrice === undefined) {
      const g = await this.#rpc.call<{ params?: { minGasPrice?: string } }>('chain.Genesis');
      this.#gasPrice = BigInt(g.params?.minGasPrice ?? '1000000000');
    }
    return this.#gasPrice;
  }

  async #nextNonce(address: string): Promise<bigint> {
    const pending = BigInt((await this.#rpc.getAccount(address)).pendingNonce);
    if (this.#nonce === undefined || pending > this.#nonce) this.#nonce = pending;
    return this.#nonce;
  }

  close(): void {
    this.#rpc.close();
  }
}

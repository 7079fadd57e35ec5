/**
 * Typed access to the sessionwork module over JSON-RPC (SDK side): queries decode into the same JS
 * values the module returns (bytes as Uint8Array, integers as bigint), and `send` signs and submits a
 * module call through the signer's `TxSender`, waiting for its receipt.
 */
import { decodeValue, fromHex, NamedError, type Signer, type Type } from '../../../chain/index.js';
import { RpcClient } from '../../rpc-client.js';
import { TxSender } from '../../sender.js';
import { toSchemaValue } from '../../wallet.js';
import { SESSION_WORK_ADDRESS, sessionWorkModule, workQueries } from '../../../vm/session/index.js';

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
  readonly #sender: TxSender | undefined;

  constructor(rpc: RpcClient | string, readonly signer?: Signer) {
    this.#rpc = typeof rpc === 'string' ? new RpcClient(rpc) : rpc;
    this.#sender = signer ? TxSender.for(this.#rpc, signer) : undefined;
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

  /**
   * Signs and sends a sessionwork method call; resolves with the receipt once committed. With
   * `simulate`, the call is estimated first and a doomed one throws WouldFailError (nothing is sent)
   * unless `force`.
   */
  async send<R = unknown>(method: string, args: Record<string, unknown>, opts: { gasLimit?: bigint; simulate?: boolean; force?: boolean } = {}): Promise<SendOutcome<R>> {
    const sender = this.#sender;
    if (!sender) throw new NamedError('NoSigner', 'this WorkClient was created without a signer');
    const def = sessionWorkModule.methods[method];
    if (!def) throw new NamedError('UnknownMethod', `sessionwork has no method ${method}`);
    // A fixed gas limit (unused gas is refunded) spares an estimate round trip per share.
    const gasLimit = opts.gasLimit ?? (opts.simulate ? undefined : DEFAULT_GAS_LIMIT);
    const { receipt } = await sender.send({ to: SESSION_WORK_ADDRESS, method, def, args: toSchemaValue(def, args) }, { gasLimit, force: opts.force });
    const r = receipt!;
    const result = r.status === 1 && def.returns ? decodeValue(def.returns, fromHex(r.returnData), 'returnData') : undefined;
    return { hash: r.txHash, status: r.status, error: r.error, errorMessage: r.errorMessage, result: result as R, height: r.height };
  }

  close(): void {
    this.#rpc.close();
  }
}

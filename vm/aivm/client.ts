/**
 * The AIVM module over JSON-RPC, for the reference provider, the CLI and SDK users: builds, signs
 * and sends its transactions (gas estimated first, so a call that would fail is reported without
 * being sent), and reads its state back into typed views.
 *
 *   const aivm = new AivmClient(new RpcClient(url));
 *   const receipt = await aivm.send(signer, 'registerProvider', { stake, spec, endpoint, gpuModel });
 *   const task = await aivm.task(taskId);
 */
import { RpcClient, type ReceiptJson } from '../../chain/rpc/client.js';
import { signTx } from '../../chain/tx.js';
import type { Signer } from '../../chain/keys/signer.js';
import { NamedError, toHex, type Address, type Json } from './chain.js';
import { AIVM_ADDRESS } from './constants.js';
import { aivmModule } from './module.js';
import { providerViewT, taskViewT, type ProviderView, type TaskView } from './views.js';

export interface EventJson {
  name: string;
  address: string;
  args: Record<string, any> | null;
  height: number;
  txHash: string | null;
}

export class AivmCallError extends NamedError {}

export class AivmClient {
  #queue: Promise<unknown> = Promise.resolve();
  #gasPrice: bigint | undefined;
  #chainId: bigint | undefined;

  constructor(readonly rpc: RpcClient) {}

  static connect(url: string): AivmClient {
    return new AivmClient(new RpcClient(url));
  }

  close(): void {
    this.rpc.close();
  }

  async head(): Promise<bigint> {
    return BigInt((await this.rpc.head()).height);
  }

  /**
   * Estimates, signs and sends an AIVM method call, waiting for its receipt. Calls are serialised
   * per client so one signer's nonces never race. Throws AivmCallError (named after the module
   * error) when the estimate says the call would fail; nothing is sent then.
   */
  send(signer: Signer, method: string, args: Record<string, unknown>): Promise<ReceiptJson> {
    const run = this.#queue.then(() => this.#send(signer, method, args));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #send(signer: Signer, method: string, args: Record<string, unknown>): Promise<ReceiptJson> {
    const def = aivmModule.methods[method];
    if (!def || def.visibility === 'internal') throw new AivmCallError('UnknownMethod', `aivm has no method ${method}`);
    this.#chainId ??= BigInt(await this.rpc.chainId());
    this.#gasPrice ??= BigInt((await this.rpc.call<{ params?: { minGasPrice?: string } }>('chain.Genesis')).params?.minGasPrice ?? '1000000000');
    const account = await this.rpc.getAccount(signer.address);
    const est = await this.rpc.call<{ gas: string; status: number; error: string | null; errorMessage: string | null }>('chain.EstimateGas', {
      from: signer.address,
      to: AIVM_ADDRESS,
      method,
      args: def.args.toJson(args as never),
      scheme: signer.scheme,
    });
    if (est.status === 0) throw new AivmCallError(est.error ?? 'ExecutionFailed', `${method}: ${est.errorMessage ?? 'the call would fail'} (not sent)`);
    const tx = signTx(
      {
        chainId: this.#chainId,
        nonce: BigInt(account.pendingNonce),
        from: signer.address,
        to: AIVM_ADDRESS,
        method,
        args: def.args.encode(args as never) as never,
        gasLimit: (BigInt(est.gas) * 125n) / 100n + 20_000n,
        gasPrice: this.#gasPrice,
      },
      signer,
    );
    const { receipt } = await this.rpc.sendTransaction(tx.raw, { wait: true });
    return receipt!;
  }

  /** AIVM events named `name` in [from, to]. */
  async events(name: string, fromHeight: bigint, toHeight: bigint): Promise<EventJson[]> {
    if (toHeight < fromHeight) return [];
    return this.rpc.call<EventJson[]>('chain.GetEvents', { address: AIVM_ADDRESS, name, fromBlock: fromHeight.toString(), toBlock: toHeight.toString() });
  }

  async task(id: Uint8Array | string): Promise<TaskView | null> {
    const j = await this.rpc.call<Json>('aivm.GetTask', { id: typeof id === 'string' ? id : toHex(id) });
    return j === null ? null : taskViewT.fromJson(j, 'task');
  }

  async provider(address: Address | string): Promise<ProviderView> {
    return providerViewT.fromJson(await this.rpc.call<Json>('aivm.GetProvider', { address }), 'provider');
  }

  /** Any AIVM query by name, decoded with its schema. */
  async query<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
    const q = aivmModule.queries![name];
    if (!q) throw new AivmCallError('UnknownQuery', `aivm has no query ${name}`);
    const json = await this.rpc.query<Json>(AIVM_ADDRESS, name, q.args.toJson(args as never));
    return q.returns.fromJson(json, name) as T;
  }

  /** The decoded result of a successful call's receipt (per the method's return schema). */
  static result<T>(method: string, receipt: ReceiptJson): T | undefined {
    const def = aivmModule.methods[method];
    if (receipt.status !== 1 || !def?.returns) return undefined;
    return def.returns.fromJson(receipt.result, 'result') as T;
  }
}


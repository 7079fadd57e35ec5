/**
 * The AIVM module over JSON-RPC, for the reference provider, the CLI and SDK users: builds, signs
 * and sends its transactions (gas estimated first, so a call that would fail is reported without
 * being sent), and reads its state back into typed views.
 *
 *   const aivm = new AivmClient(new RpcClient(url));
 *   const receipt = await aivm.send(signer, 'registerProvider', { stake, spec, endpoint, gpuModel });
 *   const task = await aivm.task(taskId);
 */
import { NamedError, toHex, type Address, type Json, type Signer } from '../../chain/index.js';
import { AIVM_ADDRESS, aivmModule, providerViewT, taskViewT, type ProviderView, type TaskView } from '../../vm/aivm/index.js';
import { RpcClient, type ReceiptJson, TxSender } from '../index.js';

export interface EventJson {
  name: string;
  address: string;
  args: Record<string, any> | null;
  height: number;
  txHash: string | null;
}

export class AivmCallError extends NamedError {}

export class AivmClient {
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
   * Estimates, signs and sends an AIVM method call through the signer's TxSender, waiting for its
   * receipt. Throws WouldFailError (named after the module error) when the estimate says the call
   * would fail; nothing is sent then.
   */
  async send(signer: Signer, method: string, args: Record<string, unknown>): Promise<ReceiptJson> {
    const def = aivmModule.methods[method];
    if (!def || def.visibility === 'internal') throw new AivmCallError('UnknownMethod', `aivm has no method ${method}`);
    const { receipt } = await TxSender.for(this.rpc, signer).send({ to: AIVM_ADDRESS, method, def, args });
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


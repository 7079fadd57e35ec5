/**
 * The server's window on the chain: channel state reads (cached for `ttlMs` on the voucher path,
 * fresh for close and top-up), broadcasting the payer's signed transactions, and read-backs pinned
 * to the block of a receipt (a read is retried until the node's head has reached that block).
 */
import { Lru, Transaction, fromHex } from '../../chain/index.js';
import { type ReceiptJson, type RpcClient, RpcError } from '../../sdk/index.js';
import { channelStateType, EscrowRpcClient, type ChannelState, type Hex32 } from '../../sdk/precompiles/index.js';
import { problem } from '../wire/index.js';

const READ_BACK_TRIES = 5;
const READ_BACK_PAUSE_MS = 250;

export class ChainView {
  readonly escrow: EscrowRpcClient;
  /** Recent reads (the most recently used channels; a full cache forgets the oldest, not everything). */
  readonly #cache = new Lru<string, { at: number; state: ChannelState }>(100_000);

  constructor(
    readonly rpc: RpcClient,
    readonly ttlMs = 5000,
  ) {
    this.escrow = new EscrowRpcClient(rpc);
  }

  /** Channel state; a cached read younger than `ttlMs` is reused unless `fresh`. */
  async state(channelId: Hex32, fresh = false): Promise<ChannelState> {
    const hit = this.#cache.get(channelId);
    if (!fresh && hit && Date.now() - hit.at < this.ttlMs) return hit.state;
    const state = await this.escrow.state(channelId);
    this.#cache.set(channelId, { at: Date.now(), state });
    return state;
  }

  forget(channelId: Hex32): void {
    this.#cache.delete(channelId);
  }

  /** The state once the head has reached `height` (retried: a lagging node answers older state). */
  async stateAt(channelId: Hex32, height: number): Promise<ChannelState> {
    for (let i = 0; ; i++) {
      const [head, state] = await this.rpc.batch([
        { method: 'chain.Head' },
        { method: 'escrow.GetChannelState', params: { channelId } },
      ]);
      if (head instanceof RpcError) throw head;
      if (state instanceof RpcError) throw state;
      if ((head as { height: number }).height >= height) {
        const s = channelStateType.fromJson(state as never, 'state');
        this.#cache.set(channelId, { at: Date.now(), state: s });
        return s;
      }
      if (i + 1 >= READ_BACK_TRIES) throw problem('TransactionFailed', `the node's head did not reach block ${height} after ${READ_BACK_TRIES} reads`);
      await new Promise((r) => setTimeout(r, READ_BACK_PAUSE_MS));
    }
  }

  /** Broadcasts a payer's signed transaction and waits for its receipt; a revert is `TransactionFailed`. */
  async broadcast(raw: string): Promise<ReceiptJson & { height: number }> {
    let receipt: ReceiptJson | undefined;
    try {
      receipt = (await this.rpc.sendTransaction(raw, { wait: true })).receipt;
    } catch (e) {
      if (e instanceof RpcError) throw problem('TransactionFailed', `the node refused the transaction: ${e.name}: ${e.message}`, { reason: e.name });
      throw e;
    }
    if (!receipt) throw problem('TransactionFailed', 'the node returned no receipt');
    if (receipt.status !== 1) throw problem('TransactionFailed', `the transaction reverted on chain: ${receipt.error}: ${receipt.errorMessage}`, { reason: receipt.error, txHash: receipt.txHash });
    return receipt as ReceiptJson & { height: number };
  }

  static decodeTx(raw: string): Transaction {
    try {
      return Transaction.decode(fromHex(raw));
    } catch (e) {
      throw problem('InvalidTransaction', `payload.transaction is not a signed sessionchain transaction: ${(e as Error).message}`);
    }
  }
}

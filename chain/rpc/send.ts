/**
 * Submitting transactions for the RPC: chain.SendTransaction (JSON, hex) and the binary batch path
 * (txbatch.ts) answer the same thing for the same transaction.
 */
import { toHex } from '../bytes.js';
import { NamedError } from '../errors.js';
import type { Node } from '../node.js';
import { toRpcError, type JsonRpcError } from './jsonrpc.js';
import { receiptJson } from './views.js';

/** `{ hash }`, or with `wait` the receipt once its block is committed. Throws what admission throws. */
export async function sendTransaction(node: Node, raw: Uint8Array, wait: boolean): Promise<unknown> {
  const { hash, mined } = await node.submit(raw, { wait });
  // The same receipt as chain.GetReceipt answers, from the committed block (no lookups).
  return mined ? receiptJson(mined.receipt, node.chain.registry, mined) : { hash: toHex(hash) };
}

/**
 * Each transaction of a batch, submitted concurrently; one entry per transaction, in order.
 * `guard` wraps each submission (the server's per-call deadline).
 */
export function sendBatch(node: Node, raws: readonly Uint8Array[], wait: boolean, guard: (p: Promise<unknown>) => Promise<unknown> = (p) => p): Promise<BatchEntry[]> {
  return Promise.all(
    raws.map((raw) =>
      guard(sendTransaction(node, raw, wait)).then(
        (result) => ({ result }),
        (e: unknown) => {
          if (!(e instanceof NamedError)) console.error('[rpc] a batched transaction failed:', e);
          return { error: toRpcError(e) };
        },
      ),
    ),
  );
}

/** What a batch answers per transaction: chain.SendTransaction's result, or its error. */
export type BatchEntry = { result: unknown } | { error: JsonRpcError };

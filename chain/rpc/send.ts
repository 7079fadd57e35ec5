/**
 * Submitting transactions for the RPC: chain.SendTransaction (JSON, hex) and the binary batch path
 * (txbatch.ts) answer the same thing for the same transaction.
 */
import { blockHash } from '../block.js';
import { toHex } from '../bytes.js';
import { NamedError } from '../errors.js';
import type { Node } from '../node.js';
import { toRpcError, type JsonRpcError } from './jsonrpc.js';
import { receiptJson } from './views.js';

/** `{ hash }`, or with `wait` the receipt once its block is committed. Throws what admission throws. */
export async function sendTransaction(node: Node, raw: Uint8Array, wait: boolean): Promise<unknown> {
  const r = await node.submit(raw, { wait });
  if (!r.receipt) return { hash: toHex(r.hash) };
  // The same receipt as chain.GetReceipt answers.
  const found = await node.chain.getTransaction(r.hash);
  const b = r.height !== undefined ? await node.chain.getBlock(r.height) : undefined;
  return receiptJson(r.receipt, node.chain.registry, { tx: found?.tx, height: r.height, index: found?.index, blockHash: b ? blockHash(b.header) : undefined });
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

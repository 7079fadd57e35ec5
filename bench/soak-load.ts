/**
 * The soak's load: signed LUX transfers from many senders at a fixed rate, plus paced reads, against a
 * node's JSON-RPC. Transactions are signed before the clock starts (explicit nonces, one gas estimate
 * per scheme, as sdk/sender.ts advises for many transactions in flight), so the generator's signing
 * does not compete with the node.
 *
 * Latency of a transaction is from its scheduled send time to the moment its block is seen (a
 * `newHeads` notification, then the block's hashes): a generator that falls behind schedule counts
 * the delay (no coordinated omission). Each sender submits in nonce order, one admission at a time;
 * commits are awaited concurrently.
 */
import { type Signer, type Transaction, RpcClient, TxSender, builtinSchemas, resolveMethod } from '../sdk/index.js';

export interface LoadOptions {
  url: string;
  seconds: number;
  /** Transactions per second, all senders together. */
  rate: number;
  /** Reads per second (chain.Head, chain.GetAccount, chain.GetBlock, a lux query, in turn). */
  readRate: number;
  senders: Signer[];
  /** Longest wait for the last commits after the load stops. */
  drainMs: number;
  log?: (line: string) => void;
}

export interface LoadResult {
  sent: number;
  committed: number;
  rejected: Map<string, number>;
  uncommitted: number;
  txLatencyMs: number[];
  readLatencyMs: number[];
  /** "Name (message)" → count. */
  readErrors: Map<string, number>;
  blocks: number;
  elapsedMs: number;
}

interface Pending {
  scheduled: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const log = o.log ?? (() => {});
  const rpc = new RpcClient(o.url);
  const transfer = resolveMethod(builtinSchemas, 'lux', 'transfer');
  const total = Math.round(o.seconds * o.rate);

  // Sign everything first: sender i sends transactions i, i + n, i + 2n, … in nonce order.
  log(`signing ${total} transfers from ${o.senders.length} senders…`);
  const queues: Transaction[][] = [];
  for (const [i, signer] of o.senders.entries()) {
    const sender = TxSender.for(rpc, signer);
    const call = { to: transfer.address, method: 'transfer', def: transfer.def, args: { to: o.senders[(i + 1) % o.senders.length]!.address, amount: 1n } };
    const gasLimit = await sender.estimate(call);
    const start = BigInt((await rpc.getAccount(signer.address)).pendingNonce);
    const count = Math.floor(total / o.senders.length) + (i < total % o.senders.length ? 1 : 0);
    const txs: Transaction[] = [];
    for (let k = 0; k < count; k++) txs.push(await sender.sign(call, { nonce: start + BigInt(k), gasLimit }));
    queues.push(txs);
  }

  const pending = new Map<string, Pending>();
  const txLatencyMs: number[] = [];
  const readLatencyMs: number[] = [];
  const rejected = new Map<string, number>();
  const readErrors = new Map<string, number>();
  let blocks = 0;
  let settled: (() => void) | undefined;
  const onBlock = async (height: number) => {
    blocks++;
    const seenAt = performance.now();
    const b = await rpc.call<{ transactions: string[] }>('chain.GetBlock', [height]);
    for (const h of b.transactions) {
      const p = pending.get(h);
      if (!p) continue;
      pending.delete(h);
      txLatencyMs.push(seenAt - p.scheduled);
    }
    if (pending.size === 0) settled?.();
  };
  let blockChain = Promise.resolve();
  const unsubscribe = await rpc.subscribe('newHeads', (h) => {
    blockChain = blockChain.then(() => onBlock(Number(h.height))).catch(() => {});
  });

  const t0 = performance.now();
  const at = (i: number, rate: number) => t0 + (i * 1000) / rate;
  const sleepUntil = (t: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, t - performance.now())));
  let sent = 0;

  // Each sender: its transactions in nonce order, each at its scheduled time (or as soon as the previous is admitted).
  const senderLoops = queues.map(async (txs, s) => {
    for (let k = 0; k < txs.length; k++) {
      const scheduled = at(k * queues.length + s, o.rate);
      await sleepUntil(scheduled);
      const tx = txs[k]!;
      const hash = `0x${Buffer.from(tx.hash).toString('hex')}`;
      pending.set(hash, { scheduled });
      try {
        await submit(rpc, tx.raw);
        sent++;
      } catch (e) {
        pending.delete(hash);
        const name = (e as Error).name;
        rejected.set(name, (rejected.get(name) ?? 0) + 1);
      }
    }
  });
  const reads = ['head', 'account', 'block', 'query'] as const;
  const readTotal = Math.round(o.seconds * o.readRate);
  const readerLoop = (async () => {
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < readTotal; i++) {
      const scheduled = at(i, o.readRate);
      await sleepUntil(scheduled);
      const who = o.senders[i % o.senders.length]!.address;
      const kind = reads[i % reads.length]!;
      const read =
        kind === 'head'
          ? rpc.call('chain.Head')
          : kind === 'account'
            ? rpc.getAccount(who)
            : kind === 'block'
              ? rpc.call('chain.GetBlock', ['latest'])
              : rpc.call('chain.Call', { to: 'lux', method: 'balanceOf', args: { address: who } });
      inflight.push(
        read.then(
          () => void readLatencyMs.push(performance.now() - scheduled),
          (e) => {
            const key = `${(e as Error).name} (${(e as Error).message.slice(0, 60)})`;
            readErrors.set(key, (readErrors.get(key) ?? 0) + 1);
          },
        ),
      );
    }
    await Promise.all(inflight);
  })();

  await Promise.all([...senderLoops, readerLoop]);
  const loadEnd = performance.now();
  log(`load done after ${((loadEnd - t0) / 1000).toFixed(1)} s; waiting for ${pending.size} commits…`);
  if (pending.size > 0) {
    await Promise.race([new Promise<void>((r) => (settled = r)), new Promise((r) => setTimeout(r, o.drainMs))]);
  }
  await blockChain;
  await unsubscribe();
  rpc.close();
  return { sent, committed: txLatencyMs.length, rejected, uncommitted: pending.size, txLatencyMs, readLatencyMs, readErrors, blocks, elapsedMs: performance.now() - t0 };
}

/**
 * Sends one signed transaction; a transport failure (a kept-alive socket the server just closed) is
 * retried, and AlreadyKnown on a retry means an earlier try got through.
 */
async function submit(rpc: RpcClient, raw: Uint8Array): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rpc.sendTransaction(raw, { wait: false });
      return;
    } catch (e) {
      const name = (e as Error).name;
      if (attempt > 0 && name === 'AlreadyKnown') return;
      if (name !== 'TransportError' || attempt >= 3) throw e;
    }
  }
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Follower mode (`sessionchain devnet --follow URL`): fetches a producer's blocks over RPC, verifies
 * each producer signature, re-executes, checks every root, commits, and serves read RPC. On a
 * mismatch it stops following and reports the divergence (the node keeps serving what it has).
 */
import { fromHex, toHex } from './bytes.js';
import type { Node } from './node.js';
import { RpcClient, RpcError, type HeaderJson } from './rpc/client.js';
import { decodeRecord } from './replay.js';
import { importBlock, verifyBlockSignatures, BlockImportError } from './importer.js';
import { blockHash } from './block.js';
import type { Genesis } from '../genesis/index.js';
import type { ModuleDefinition } from '../vm/module.js';

export interface FollowerStatus {
  following: boolean;
  height: number;
  upstreamHeight: number;
  error: string | null;
}

/** Fetches and validates the upstream's genesis document. */
export async function fetchUpstreamGenesis(client: RpcClient, modules?: readonly ModuleDefinition[]): Promise<Genesis> {
  const { loadGenesis } = await import('../genesis/index.js');
  return loadGenesis(await client.call('chain.Genesis'), modules);
}

export class Follower {
  readonly #node: Node;
  readonly #client: RpcClient;
  #running = false;
  #wake: (() => void) | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #loop: Promise<void> | undefined;
  upstreamHeight = 0;
  error: string | null = null;

  constructor(node: Node, upstream: RpcClient) {
    this.#node = node;
    this.#client = upstream;
  }

  status(): FollowerStatus {
    return { following: this.#running, height: Number(this.#node.chain.head.height), upstreamHeight: this.upstreamHeight, error: this.error };
  }

  /** Checks that both nodes share block 0, then syncs and keeps following. */
  async start(): Promise<void> {
    const theirs = await this.#client.call<HeaderJson>('chain.GetBlock', { block: 0 });
    const ours = await this.#node.chain.getBlock(0n);
    const ourHash = ours ? toHex(blockHash(ours.header)) : '(none)';
    if (ourHash !== theirs.hash) {
      throw new Error(`the upstream's genesis block ${theirs.hash} differs from ours ${ourHash}; follow with a fresh --data-dir`);
    }
    this.#running = true;
    try {
      this.#unsubscribe = await this.#client.subscribe('newHeads', (h) => {
        this.upstreamHeight = Math.max(this.upstreamHeight, h.height);
        this.#wake?.();
      });
    } catch {
      this.#unsubscribe = undefined; // polling still works
    }
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        const head = await this.#client.head();
        this.upstreamHeight = Math.max(this.upstreamHeight, head.height);
        await this.#syncTo(BigInt(this.upstreamHeight));
      } catch (e) {
        if (e instanceof BlockImportError) {
          this.error = e.message;
          console.error(`[follower] stopped: ${e.message}`, e.divergence);
          this.#running = false;
          return;
        }
        if (!(e instanceof RpcError)) console.error(`[follower] upstream unavailable: ${(e as Error).message}; retrying`);
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 500);
        this.#wake = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  }

  async #syncTo(target: bigint): Promise<void> {
    const chain = this.#node.chain;
    while (this.#running && chain.head.height < target) {
      const from = chain.head.height + 1n;
      const count = Number(target - from + 1n > 32n ? 32n : target - from + 1n);
      const results = await this.#client.batch(Array.from({ length: count }, (_, i) => ({ method: 'chain.GetRawBlock', params: { block: Number(from + BigInt(i)) } })));
      // Decode the batch and start every signature check, then import in order.
      const decoded = results.map((r) => {
        if (r instanceof RpcError) throw r;
        const raw = r as { block: string; receipts: string; diff: string };
        const d = decodeRecord({ block: fromHex(raw.block), receipts: fromHex(raw.receipts), diff: fromHex(raw.diff) });
        return { ...d, signatures: verifyBlockSignatures(this.#node.verifier, d.block) };
      });
      for (const { block, expected, signatures } of decoded) await importBlock(chain, this.#node.verifier, block, expected, signatures);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#unsubscribe?.().catch(() => {});
    await this.#loop?.catch(() => {});
  }
}

/**
 * Follower mode (`sessionchain devnet --follow URL`): fetches a producer's blocks over RPC, verifies
 * each producer signature, re-executes, checks every root, commits, and serves read RPC. On a
 * mismatch it stops following and reports the divergence (the node keeps serving what it has).
 */
import { fromHex, toHex } from './bytes.js';
import type { Node } from './node.js';
import { decodeRecord } from './replay.js';
import { importBlock, verifyBlockSignatures, BlockImportError } from './importer.js';
import { blockHash } from './block.js';

export interface FollowerStatus {
  following: boolean;
  height: number;
  upstreamHeight: number;
  error: string | null;
}

/** One block as `chain.GetRawBlock` serves it: block, receipts and state diff, each 0x hex. */
export interface RawBlockJson {
  block: string;
  receipts: string;
  diff: string;
}

/**
 * What a follower needs from the node it follows. The SDK's `rpcUpstream` implements it over
 * JSON-RPC; a test may implement it in memory.
 */
export interface Upstream {
  /** The hash (0x hex) of the upstream's block 0. */
  genesisHash(): Promise<string>;
  head(): Promise<{ height: number }>;
  /** `count` consecutive blocks from `from`, in order. */
  rawBlocks(from: number, count: number): Promise<RawBlockJson[]>;
  /** Calls `onHead` with each new head height; resolves to an unsubscribe function. */
  subscribeHeads(onHead: (height: number) => void): Promise<() => Promise<void>>;
}

export class Follower {
  readonly #node: Node;
  readonly #upstream: Upstream;
  #lastComplaint = '';
  #running = false;
  #wake: (() => void) | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #loop: Promise<void> | undefined;
  upstreamHeight = 0;
  error: string | null = null;

  constructor(node: Node, upstream: Upstream) {
    this.#node = node;
    this.#upstream = upstream;
  }

  status(): FollowerStatus {
    return { following: this.#running, height: Number(this.#node.chain.head.height), upstreamHeight: this.upstreamHeight, error: this.error };
  }

  /** Checks that both nodes share block 0, then syncs and keeps following. */
  async start(): Promise<void> {
    const theirs = await this.#upstream.genesisHash();
    const ours = await this.#node.chain.getBlock(0n);
    const ourHash = ours ? toHex(blockHash(ours.header)) : '(none)';
    if (ourHash !== theirs) {
      throw new Error(`the upstream's genesis block ${theirs} differs from ours ${ourHash}; follow with a fresh --data-dir`);
    }
    this.#running = true;
    try {
      this.#unsubscribe = await this.#upstream.subscribeHeads((height) => {
        this.upstreamHeight = Math.max(this.upstreamHeight, height);
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
        const head = await this.#upstream.head();
        this.upstreamHeight = Math.max(this.upstreamHeight, head.height);
        await this.#syncTo(BigInt(this.upstreamHeight));
        this.#lastComplaint = '';
      } catch (e) {
        if (e instanceof BlockImportError) {
          this.error = e.message;
          console.error(`[follower] stopped: ${e.message}`, e.divergence);
          this.#running = false;
          return;
        }
        // Say it once per distinct failure, not every half second.
        const complaint = (e as Error).message;
        if (complaint !== this.#lastComplaint) console.error(`[follower] upstream unavailable: ${complaint}; retrying`);
        this.#lastComplaint = complaint;
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
      const raws = await this.#upstream.rawBlocks(Number(from), count);
      // Decode the batch and start every signature check, then import in order.
      const decoded = raws.map((raw) => {
        const encoded = fromHex(raw.block);
        const d = decodeRecord({ block: encoded, receipts: fromHex(raw.receipts), diff: fromHex(raw.diff) });
        return { ...d, encoded, signatures: verifyBlockSignatures(this.#node.verifier, d.block) };
      });
      for (const { block, encoded, expected, signatures } of decoded) await importBlock(chain, this.#node.verifier, block, expected, signatures, encoded);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#unsubscribe?.().catch(() => {});
    await this.#loop?.catch(() => {});
  }
}

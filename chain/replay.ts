/**
 * Deterministic replay: re-executes blocks from a data dir or an exported block file on fresh state,
 * verifying every producer signature, transaction signature and root. On a mismatch the error names
 * the first divergent block, transaction and state key (BlockImportError.divergence).
 */
import { asList, rlpDecode } from './codec.js';
import { decodeBlock, type Block } from './block.js';
import { decodeReceiptItem, decodeEvent } from './receipt.js';
import { decodeDiff, type Chain } from './chain.js';
import { importBlock, verifyBlockSignatures, type BlockSignatures, type ExpectedOutcome } from './importer.js';
import { BlockFileReader, type BlockRecord } from './blockfile.js';
import type { VerifierPool } from './verifier.js';
import type { Store } from './state/store.js';
import { K } from './state/layout.js';

export interface ReplaySource {
  genesisJson: string;
  /** Highest height the source holds, when known up front (progress bars). */
  lastHeight?: bigint;
  records(from: bigint): AsyncIterable<{ height: bigint; record: BlockRecord }>;
  close(): Promise<void> | void;
}

/**
 * Decodes a stored block. The source's receipts and state diff are decoded only if asked for (to
 * name a divergence): a block that imports cleanly never needs them.
 */
export function decodeRecord(r: BlockRecord): { block: Block; expected: ExpectedOutcome } {
  const block = decodeBlock(r.block);
  type Decoded = Required<Omit<ExpectedOutcome, 'receiptsRecord'>>;
  let outcome: Decoded | undefined;
  const decoded = (): Decoded => {
    if (outcome) return outcome;
    const [rs, evs] = asList(rlpDecode(r.receipts, 'receipts'), 'receipts', 2);
    return (outcome = {
      receipts: asList(rs!, 'receipts').map((x, i) => decodeReceiptItem(x, `receipts[${i}]`)),
      systemEvents: asList(evs!, 'systemEvents').map((x, i) => decodeEvent(x, `systemEvents[${i}]`)),
      diff: decodeDiff(r.diff),
    });
  };
  return {
    block,
    expected: {
      receiptsRecord: r.receipts,
      get receipts() {
        return decoded().receipts;
      },
      get systemEvents() {
        return decoded().systemEvents;
      },
      get diff() {
        return decoded().diff;
      },
    },
  };
}

/** Blocks of another node's (stopped) data dir. */
export async function storeSource(store: Store): Promise<ReplaySource> {
  const genesisJson = await store.readGenesisJson();
  const head = await store.readHead();
  if (!genesisJson || !head) throw new Error(`${store.describe()} holds no chain`);
  return {
    genesisJson,
    lastHeight: head.height,
    async *records(from) {
      for (let h = from; h <= head.height; h++) {
        const [block, receipts, diff] = await store.getMany([K.block(h), K.receipts(h), K.diff(h)]);
        if (!block || !receipts || !diff) throw new Error(`${store.describe()} is missing block ${h}`);
        yield { height: h, record: { block, receipts, diff } };
      }
    },
    close: () => store.close(),
  };
}

/** Blocks of an exported block file. */
export function fileSource(path: string): ReplaySource {
  const reader = new BlockFileReader(path);
  return {
    genesisJson: reader.genesisJson,
    lastHeight: BigInt(reader.countBlocks()),
    async *records(from) {
      let h = 1n;
      for (let r = reader.next(); r; r = reader.next(), h++) {
        if (h >= from) yield { height: h, record: r };
      }
    },
    close: () => reader.close(),
  };
}

export interface ReplayProgress {
  height: bigint;
  txs: number;
  lastHeight?: bigint;
}

export interface ReplayResult {
  height: bigint;
  stateRoot: Uint8Array;
  blocks: number;
  txs: number;
  seconds: number;
}

/** How far ahead of execution signature checks run (in transactions). */
const VERIFY_AHEAD_TXS = 4096;

/**
 * Imports every block of `source` after the chain's head. Signatures of the next blocks are
 * verified in the worker pool while the current block executes on this thread.
 */
export async function replayInto(chain: Chain, verifier: VerifierPool, source: ReplaySource, onProgress?: (p: ReplayProgress) => void): Promise<ReplayResult> {
  const start = performance.now();
  let blocks = 0;
  let txs = 0;
  const ahead: { height: bigint; block: Block; encoded: Uint8Array; expected: ExpectedOutcome; signatures: BlockSignatures }[] = [];
  let aheadTxs = 0;
  const importOne = async () => {
    const { height, block, encoded, expected, signatures } = ahead.shift()!;
    aheadTxs -= block.txs.length;
    await importBlock(chain, verifier, block, expected, signatures, encoded);
    blocks++;
    txs += block.txs.length;
    onProgress?.({ height, txs, lastHeight: source.lastHeight });
  };
  for await (const { height, record } of source.records(chain.head.height + 1n)) {
    const { block, expected } = decodeRecord(record);
    if (block.header.height !== height) throw new Error(`the source holds height ${block.header.height} where ${height} was expected`);
    ahead.push({ height, block, encoded: record.block, expected, signatures: verifyBlockSignatures(verifier, block) });
    aheadTxs += block.txs.length;
    while (aheadTxs > VERIFY_AHEAD_TXS || ahead.length > 256) await importOne();
  }
  while (ahead.length > 0) await importOne();
  return { height: chain.head.height, stateRoot: chain.head.stateRoot, blocks, txs, seconds: (performance.now() - start) / 1000 };
}

/**
 * Importing a block produced elsewhere (followers, replay, `import`): check the header against the
 * head and the genesis producer, verify every signature (in parallel), re-execute, compare every
 * root, then commit. On a mismatch the error names the first divergent block, transaction and
 * state key when the source's receipts and state diff are at hand.
 */
import { equals, toHex } from './bytes.js';
import { NodeError, TxRejected } from './errors.js';
import { type Block, blockHash, headerSigningDigest } from './block.js';
import { encodeReceipt, type ChainEvent, type Receipt } from './receipt.js';
import { receiptsRecord, type Chain, type CommittedBlock, type DiffEntry } from './chain.js';
import type { VerifierPool } from './verifier.js';
import type { TxVerdict } from './verify-job.js';
import type { CheckResult } from './module/sigcache.js';

/** What the source recorded for the block, used to pinpoint a divergence. */
export interface ExpectedOutcome {
  /** The source's receipts record as stored (compared whole; decoded only to name a difference). */
  receiptsRecord?: Uint8Array;
  receipts?: Receipt[];
  systemEvents?: ChainEvent[];
  diff?: DiffEntry[];
}

export interface Divergence {
  height: string;
  field: string;
  expected?: string;
  actual?: string;
  txIndex?: number;
  txHash?: string;
  stateKey?: string;
  module?: string;
  detail?: string;
}

export class BlockImportError extends NodeError {
  constructor(readonly divergence: Divergence, message: string) {
    super('BlockMismatch', message, { ...divergence });
  }
}

function describeKey(chain: Chain, key: Uint8Array): { stateKey: string; module?: string } {
  const addr = toHex(key.subarray(0, 20));
  const mod = chain.registry.resolve(addr as never);
  return { stateKey: toHex(key), module: mod?.def.name };
}

/** Signature checks of a block, started ahead of execution so they overlap with other work. */
export interface BlockSignatures {
  header: Promise<CheckResult>;
  txs: Promise<TxVerdict[]>;
}

export function verifyBlockSignatures(verifier: VerifierPool, block: Block): BlockSignatures {
  const header = verifier.check({ kind: 'encoded', signature: block.header.signature, digest: headerSigningDigest(block.header) });
  const txs = Promise.all(block.txs.map((tx) => verifier.verifyTx(tx.raw)));
  header.catch(() => {});
  txs.catch(() => {});
  return { header, txs };
}

export async function importBlock(
  chain: Chain,
  verifier: VerifierPool,
  block: Block,
  expected: ExpectedOutcome = {},
  signatures: BlockSignatures = verifyBlockSignatures(verifier, block),
  /** The block's canonical bytes when at hand (replay, followers): stored as they are. */
  encoded?: Uint8Array,
): Promise<CommittedBlock> {
  const h = block.header;
  const parent = chain.headHeader;
  const height = h.height.toString();
  const fail = (d: Omit<Divergence, 'height'>, msg: string): never => {
    throw new BlockImportError({ height, ...d }, `block ${height}: ${msg}`);
  };
  if (h.chainId !== chain.genesis.chainId) fail({ field: 'chainId' }, `chain id ${h.chainId} is not ${chain.genesis.chainId}`);
  if (h.height !== parent.height + 1n) fail({ field: 'height' }, `expected height ${parent.height + 1n}`);
  if (!equals(h.parentHash, chain.head.hash)) fail({ field: 'parentHash', expected: toHex(chain.head.hash), actual: toHex(h.parentHash) }, 'does not extend the current head');
  if (h.timestamp <= parent.timestamp) fail({ field: 'timestamp' }, `timestamp ${h.timestamp} is not after the parent's ${parent.timestamp}`);
  if (h.producer !== chain.genesis.producer) fail({ field: 'producer', expected: chain.genesis.producer, actual: h.producer }, 'is not from the genesis producer');

  // Producer signature and all transaction signatures, checked in parallel (maybe started earlier).
  const verdicts = await signatures.txs;
  const who = await signatures.header;
  if (!who || typeof who === 'boolean' || who.address !== h.producer) fail({ field: 'signature' }, 'producer signature does not verify');
  const exec = chain.begin({ chainId: h.chainId, height: h.height, timestamp: h.timestamp, producer: h.producer });
  // The receipts are compared with the source's only when something disagrees (the receipts root
  // covers them all): then the first differing one is named.
  const checkReceipts = (upTo: number) => {
    for (let i = 0; i < upTo; i++) {
      const exp = expected.receipts?.[i];
      const got = exec.receipts[i]!;
      if (!exp || equals(encodeReceipt(exp), encodeReceipt(got))) continue;
      fail(
        {
          field: 'receipt',
          txIndex: i,
          txHash: toHex(block.txs[i]!.hash),
          expected: `status=${exp.status} gasUsed=${exp.gasUsed} error=${exp.error || '-'} events=${exp.events.length}`,
          actual: `status=${got.status} gasUsed=${got.gasUsed} error=${got.error || '-'} events=${got.events.length}`,
        },
        `transaction ${i} (${toHex(block.txs[i]!.hash)}) produced a different receipt`,
      );
    }
  };
  for (let i = 0; i < block.txs.length; i++) {
    const tx = block.txs[i]!;
    const v = verdicts[i]!;
    if (!v.ok) return fail({ field: 'transaction', txIndex: i, txHash: toHex(tx.hash), detail: v.message }, `transaction ${i} has an invalid signature: ${v.message}`);
    tx.setHash(v.hash); // hashed by the verifier already
    let args: unknown;
    try {
      args = chain.executor.checkStateless(tx);
    } catch (e) {
      fail({ field: 'transaction', txIndex: i, txHash: toHex(tx.hash), detail: (e as Error).message }, `transaction ${i} is not valid: ${(e as Error).message}`);
    }
    try {
      await exec.applyTx(tx, v.publicKey, args);
    } catch (e) {
      checkReceipts(i); // an earlier divergence is the cause
      const name = e instanceof TxRejected ? e.name : 'InternalError';
      fail({ field: 'transaction', txIndex: i, txHash: toHex(tx.hash), detail: `${name}: ${(e as Error).message}` }, `transaction ${i} is not executable: ${(e as Error).message}`);
    }
  }
  await exec.endBlock();
  const prepared = await chain.prepare(exec);
  let receipts: Uint8Array | undefined;
  try {
    const cmp = (field: string, want: Uint8Array, got: Uint8Array) => {
      if (!equals(want, got)) fail({ field, expected: toHex(want), actual: toHex(got), ...stateDivergence(chain, prepared.writes, expected.diff) }, `${field} mismatch`);
    };
    if (h.txCount !== block.txs.length) fail({ field: 'txCount' }, 'txCount does not match the body');
    cmp('txRoot', h.txRoot, prepared.txRoot);
    if (!equals(h.receiptsRoot, prepared.receiptsRoot) || h.gasUsed !== prepared.gasUsed) checkReceipts(block.txs.length);
    cmp('receiptsRoot', h.receiptsRoot, prepared.receiptsRoot);
    if (h.gasUsed !== prepared.gasUsed) fail({ field: 'gasUsed', expected: h.gasUsed.toString(), actual: prepared.gasUsed.toString() }, 'gasUsed mismatch');
    const roots = (r: [string, Uint8Array][]) => r.map(([n, v]) => `${n}=${toHex(v)}`).join(',');
    if (roots(h.extraRoots) !== roots(prepared.extraRoots)) fail({ field: 'extraRoots', expected: roots(h.extraRoots), actual: roots(prepared.extraRoots), ...stateDivergence(chain, prepared.writes, expected.diff) }, 'module roots mismatch');
    cmp('stateRoot', h.stateRoot, prepared.stateRoot);
    if (expected.receiptsRecord) {
      receipts = receiptsRecord(exec.receipts, exec.systemEvents);
      if (!equals(receipts, expected.receiptsRecord)) {
        checkReceipts(block.txs.length);
        fail({ field: 'receipts' }, 'the source\'s receipts record differs from the re-executed one (system events)');
      }
    }
  } catch (e) {
    chain.abort();
    throw e;
  }
  const committed = await chain.commit(prepared, h, undefined, { block: encoded, receipts });
  if (!equals(committed.hash, blockHash(h))) throw new Error('unreachable: committed hash differs');
  return committed;
}

/** The first state key whose new value differs from the source's diff. */
function stateDivergence(chain: Chain, writes: [Uint8Array, Uint8Array | undefined][], diff?: DiffEntry[]): Partial<Divergence> {
  if (!diff) return {};
  const mine = new Map(writes.map(([k, v]) => [toHex(k), v]));
  const theirs = new Map(diff.map((d) => [toHex(d.key), d.value]));
  const keys = [...new Set([...mine.keys(), ...theirs.keys()])].sort();
  for (const k of keys) {
    const a = mine.get(k);
    const b = theirs.get(k);
    const same = a === undefined ? b === undefined : b !== undefined && equals(a, b);
    if (!same || mine.has(k) !== theirs.has(k)) {
      const { stateKey, module } = describeKey(chain, new Uint8Array(Buffer.from(k.slice(2), 'hex')));
      return { stateKey, module, detail: `state key ${stateKey}${module ? ` (module ${module})` : ''}: expected ${b === undefined ? '(absent)' : toHex(b).slice(0, 66)}, got ${a === undefined ? '(absent)' : toHex(a).slice(0, 66)}` };
    }
  }
  return {};
}


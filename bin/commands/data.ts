/**
 * `sessionchain export` / `import` / `replay`: block files and deterministic re-execution.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import {
  BlockFileWriter,
  BlockImportError,
  Chain,
  Store,
  VerifierPool,
  fileSource,
  fromHex,
  replayInto,
  storeSource,
  toHex,
  type ReplaySource,
  type MlDsaBackend,
} from '../../chain/index.js';
import { builtinModules, loadGenesis } from '../../genesis/index.js';
import { client, emit, fail, int, outputOptions, rpcOption, type OutputOpts } from '../common.js';

export function register(program: Command): void {
  outputOptions(rpcOption(
    program
      .command('export')
      .description('write the chain\'s blocks (with receipts and state diffs) to a block file')
      .requiredOption('-o, --out <file>', 'output block file')
      .option('--data-dir <dir>', 'read a stopped node\'s data dir instead of asking a running node over RPC')
      .option('--to <height>', 'last height to export (default: the head)'),
  )).action(exportBlocks);

  outputOptions(program.command('import <file>'))
    .description('import a block file into a data dir (verifying everything), resuming after its head')
    .requiredOption('--data-dir <dir>', 'data dir to build (fresh, or one holding a prefix of the same chain)')
    .addOption(new Option('--verifier <backend>', 'ML-DSA-65 verifier').choices(['auto', 'noble', 'pqclean']).default('auto'))
    .option('--threads <n>', 'verifier threads')
    .action((file: string, o: ReplayOpts) => replay({ ...o, file, into: o.dataDir, dataDir: undefined, keep: true }));

  outputOptions(program.command('replay'))
    .description('re-execute blocks from a data dir or a block file on fresh state and check every root')
    .option('--file <file>', 'an exported block file')
    .option('--data-dir <dir>', 'a stopped node\'s data dir')
    .option('--into <dir>', 'build the replayed chain in this (new) data dir instead of in memory')
    .addOption(new Option('--verifier <backend>', 'ML-DSA-65 verifier').choices(['auto', 'noble', 'pqclean']).default('auto'))
    .option('--threads <n>', 'verifier threads (default: one per core)')
    .action((o: ReplayOpts) => replay(o));
}

interface ExportOpts extends OutputOpts {
  out: string;
  dataDir?: string;
  to?: string;
  rpc: string;
}

async function exportBlocks(o: ExportOpts): Promise<void> {
  if (o.dataDir) {
    const store = await Store.open({ path: resolve(o.dataDir) });
    try {
      const src = await storeSource(store);
      const last = o.to !== undefined ? BigInt(o.to) : src.lastHeight!;
      const w = new BlockFileWriter(o.out, src.genesisJson);
      for await (const { height, record } of src.records(1n)) {
        if (height > last) break;
        w.write(record);
      }
      w.close();
      emit({ file: o.out, blocks: w.blocks, to: Number(last) }, o);
    } finally {
      await store.close();
    }
    return;
  }
  const rpc = client(o);
  try {
    const genesis = loadGenesis(await rpc.call('chain.Genesis'));
    const head = await rpc.head();
    const last = o.to !== undefined ? Number(o.to) : head.height;
    const w = new BlockFileWriter(o.out, genesis.canonical);
    for (let h = 1; h <= last; h += 64) {
      const n = Math.min(64, last - h + 1);
      const raws = await rpc.batch(Array.from({ length: n }, (_, i) => ({ method: 'chain.GetRawBlock', params: { block: h + i } })));
      for (const r of raws) {
        if (r instanceof Error) throw r;
        const raw = r as { block: string; receipts: string; diff: string };
        w.write({ block: fromHex(raw.block), receipts: fromHex(raw.receipts), diff: fromHex(raw.diff) });
      }
    }
    w.close();
    emit({ file: o.out, blocks: w.blocks, to: last, headStateRoot: last === head.height ? head.stateRoot : undefined }, o);
  } finally {
    rpc.close();
  }
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

interface ReplayOpts extends OutputOpts {
  file?: string;
  dataDir?: string;
  into?: string;
  verifier: MlDsaBackend | 'auto';
  threads?: string;
  keep?: boolean;
}

async function replay(o: ReplayOpts): Promise<void> {
  const threads = int(o.threads, '--threads', 0, 64) ?? availableParallelism(); // 0: verify on this thread, as devnet --threads 0
  if ((o.file === undefined) === (o.dataDir === undefined)) fail('pass exactly one source: --file FILE or --data-dir DIR');
  if (o.into && !o.keep && existsSync(o.into) && readdirSync(o.into).length > 0) fail(`${o.into} is not empty`, 'replay --into a new directory (use `import` to extend an existing one)');
  let source: ReplaySource;
  if (o.file) source = fileSource(o.file);
  else source = await storeSource(await Store.open({ path: resolve(o.dataDir!) }));
  const genesis = loadGenesis(JSON.parse(source.genesisJson));
  const target = await Store.open({ path: o.into ? resolve(o.into) : undefined });
  // Every core verifies signatures ahead while this thread executes (even the native verifier: here
  // nothing else competes for the cores).
  const verifier = new VerifierPool({ threads, backend: o.verifier });
  let chain: Chain | undefined;
  const bar =
    !o.json && process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: 'replay |{bar}| {value}/{total} blocks · {txs} tx · {rate} tx/s', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
      : undefined;
  try {
    chain = await Chain.open({ store: target, genesis, modules: builtinModules(), explicitGenesis: true });
    const startHeight = chain.head.height;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    let lastLog = 0;
    bar?.start(Number(source.lastHeight ?? 0n), Number(startHeight), { txs: 0, rate: 0 });
    const result = await replayInto(chain, verifier, source, (p) => {
      const secs = (performance.now() - start) / 1000;
      const rate = Math.round(p.txs / Math.max(secs, 1e-3));
      if (bar) bar.update(Number(p.height), { txs: p.txs, rate });
      else if (!o.json && performance.now() - lastLog > 2000) {
        lastLog = performance.now();
        console.error(`replay: block ${p.height}${p.lastHeight ? `/${p.lastHeight}` : ''}, ${p.txs} tx, ${rate} tx/s`);
      }
    });
    bar?.stop();
    const out = {
      ok: true,
      height: Number(result.height),
      headHash: toHex(chain.head.hash),
      stateRoot: toHex(result.stateRoot),
      blocks: result.blocks,
      txs: result.txs,
      seconds: Number(result.seconds.toFixed(3)),
      txPerSecond: Math.round(result.txs / Math.max(result.seconds, 1e-6)),
      // CPU time of every thread (this one executing, the verifiers), per transaction: unlike
      // txPerSecond, it hardly depends on what else the machine is doing.
      cpuMsPerTx: result.txs > 0 ? Number(((cpuMs(process.cpuUsage(cpu0)) / result.txs)).toFixed(3)) : null,
      into: o.into ?? null,
    };
    emit(out, o);
  } catch (e) {
    bar?.stop();
    if (e instanceof BlockImportError) {
      emit({ ok: false, divergence: e.divergence }, o);
      fail(e.message, e.divergence.detail ?? (e.divergence.txHash ? `first divergent transaction: ${e.divergence.txHash}` : undefined));
    }
    throw e;
  } finally {
    await verifier.close();
    await chain?.close();
    if (!chain) await target.close();
    await source.close();
  }
}


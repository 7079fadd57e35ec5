/**
 * Chain engine figures (issue 2, acceptance 5), all measured in this run on this machine:
 *  (a) bare ML-DSA-65 verify rate using all cores, per backend;
 *  (b) end-to-end transfers/s: a devnet process on classic-level, 16 RPC requests in flight, until
 *      every transaction is committed, per backend; and (b)/(a);
 *  (c) block execution tx/s without RPC (execute, trie, sign, synced batch);
 *  (d) replay tx/s of the chain built in (b);
 *  (e) cost of one state write in a trie of 10k, 100k (and 1M) keys.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Chain,
  RpcClient,
  Store,
  Transaction,
  VerifierPool,
  concat,
  fromHex,
  keccak256,
  loadPqcleanVerify,
  randomSeed,
  replayInto,
  signHeader,
  signerFromSeed,
  storeSource,
  toHex,
  u32be,
  utf8,
  devProducerSeed,
  devSigner,
  type MlDsaBackend,
} from '../sdk/chain.js';
import { StateTrie } from '../chain/state/trie.js';
import { devGenesisDoc, loadGenesis, builtinModules } from '../genesis/index.js';
import { canonicalJson } from '../chain/index.js';
import { freePort, tempDir, removeDir, BIN, ROOT } from '../test/helpers/processes.js';
import type { BenchContext, BenchSuite } from './harness.js';
import { signTransfers } from './sign.js';

const IN_FLIGHT = 16;
const ACCOUNTS = 64;

const benchSeed = (i: number) => keccak256(concat(utf8('sessionchain/bench-account/v1'), u32be(i)));

function backends(): MlDsaBackend[] {
  return loadPqcleanVerify() ? ['noble', 'pqclean'] : ['noble'];
}

async function bareVerifyRate(backend: MlDsaBackend, threads: number, ms: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./verify-worker.ts', import.meta.url), { workerData: { backend, ms }, execArgv: process.execArgv }));
  await Promise.all(workers.map((w) => new Promise<void>((r) => w.once('message', () => r()))));
  const rates = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
          w.postMessage('go');
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  return rates.reduce((a, b) => a + b, 0);
}

/** Pre-signs `perAccount` transfers for each bench account, in parallel. Returns raw txs per account. */
function signAll(chainId: bigint, perAccount: number, threads: number): Promise<string[][]> {
  const seeds = Array.from({ length: ACCOUNTS }, (_, a) => benchSeed(a));
  return signTransfers(chainId, seeds, perAccount, (a) => devSigner(a % 10).address, threads);
}

function benchGenesisDoc() {
  const alloc: Record<string, string> = {};
  for (let a = 0; a < ACCOUNTS; a++) alloc[signerFromSeed(benchSeed(a), 'ml-dsa-65').address] = (10n ** 24n).toString();
  return devGenesisDoc({ alloc });
}

interface E2E {
  rate: number;
  dataDir: string;
  blocks: number;
}

/** (b): a devnet process, 16 clients each with one request in flight. */
async function endToEnd(ctx: BenchContext, backend: MlDsaBackend, txs: string[][], genesisFile: string): Promise<E2E> {
  const dataDir = tempDir('sessionchain-bench-');
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, 'devnet', '--genesis', genesisFile, '--data-dir', dataDir, '--port', String(port), '--quiet', '--verifier', backend, '--rate-limit', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Listening on')) resolve();
    });
    proc.once('exit', (c) => reject(new Error(`devnet exited ${c}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const clients = Array.from({ length: IN_FLIGHT }, () => new RpcClient(url));
  const total = txs.reduce((s, l) => s + l.length, 0);
  const start = performance.now();
  await Promise.all(
    clients.map(async (c, k) => {
      const mine = txs.filter((_, a) => a % IN_FLIGHT === k);
      const rounds = Math.max(...mine.map((l) => l.length));
      for (let n = 0; n < rounds; n++) for (const list of mine) if (list[n]) await c.sendTransaction(list[n]!);
    }),
  );
  // Committed: the last transaction of every account has a receipt.
  const lastHashes = txs.map((l) => toHex(Transaction.decode(fromHex(l[l.length - 1]!)).hash));
  for (const h of lastHashes) await clients[0]!.waitForReceipt(h, { pollMs: 5, timeoutMs: 600_000 });
  const seconds = (performance.now() - start) / 1000;
  const head = await clients[0]!.head();
  clients.forEach((c) => c.close());
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  ctx.log(`${backend}: ${total} transfers in ${seconds.toFixed(2)} s over ${head.height} blocks (${(total / head.height).toFixed(1)} tx/block)`);
  return { rate: total / seconds, dataDir, blocks: head.height };
}

/** (c): execute + commit blocks in-process, transactions verified beforehand. */
async function blockExecution(txs: string[][], blockSize: number): Promise<number> {
  const dir = tempDir('sessionchain-bench-exec-');
  try {
    const genesis = loadGenesis(benchGenesisDoc());
    const chain = await Chain.open({ store: await Store.open({ path: dir }), genesis, modules: builtinModules() });
    const producer = signerFromSeed(devProducerSeed(), 'ml-dsa-65');
    const verifier = new VerifierPool({ backend: 'auto' });
    const flat: Transaction[] = [];
    const rounds = txs[0]!.length;
    for (let n = 0; n < rounds; n++) for (const l of txs) flat.push(Transaction.decode(fromHex(l[n]!)));
    const verdicts = await Promise.all(flat.map((t) => verifier.verifyTx(t.raw)));
    await verifier.close();
    const start = performance.now();
    for (let i = 0; i < flat.length; i += blockSize) {
      const parent = chain.headHeader;
      const info = { chainId: parent.chainId, height: parent.height + 1n, timestamp: parent.timestamp + 1000n, producer: producer.address };
      const exec = chain.begin(info);
      for (let j = i; j < Math.min(i + blockSize, flat.length); j++) {
        const v = verdicts[j]!;
        if (!v.ok) throw new Error('bench tx did not verify');
        await exec.applyTx(flat[j]!, v.publicKey);
      }
      await exec.endBlock();
      const p = await chain.prepare(exec);
      const header = signHeader({ ...info, parentHash: chain.head.hash, txRoot: p.txRoot, receiptsRoot: p.receiptsRoot, stateRoot: p.stateRoot, extraRoots: p.extraRoots, gasUsed: p.gasUsed, txCount: exec.txs.length }, producer);
      await chain.commit(p, header);
    }
    const rate = flat.length / ((performance.now() - start) / 1000);
    await chain.close();
    return rate;
  } finally {
    removeDir(dir);
  }
}

/** (d): replay the chain of (b) from its data dir into memory, verifying everything. */
async function replayRate(dataDir: string, backend: MlDsaBackend): Promise<number> {
  const src = await storeSource(await Store.open({ path: dataDir }));
  const chain = await Chain.open({ store: await Store.open(), genesis: loadGenesis(JSON.parse(src.genesisJson)), modules: builtinModules(), explicitGenesis: true });
  const verifier = new VerifierPool({ backend, threads: availableParallelism() }); // as `sessionchain replay`
  await verifier.ready();
  const r = await replayInto(chain, verifier, src);
  await verifier.close();
  await chain.close();
  await src.close();
  return r.txs / r.seconds;
}

/**
 * (e): microseconds per state write, measured as block-sized batches of updates to existing keys of
 * a trie on classic-level (as in a node: caches in front, LevelDB behind).
 */
async function stateWriteCost(sizes: number[]): Promise<[number, number][]> {
  const dir = tempDir('sessionchain-bench-trie-');
  const store = await Store.open({ path: dir });
  const trie = new StateTrie(store);
  const key = (i: number) => keccak256(u32be(i)).subarray(0, 24); // spread like real keys (address ‖ subkey)
  const out: [number, number][] = [];
  let filled = 0;
  const CHUNK = 50_000;
  for (const size of sizes) {
    while (filled < size) {
      const n = Math.min(CHUNK, size - filled);
      const writes: [Uint8Array, Uint8Array][] = [];
      for (let i = filled; i < filled + n; i++) writes.push([key(i), randomSeed().subarray(0, 40)]);
      writes.sort((a, b) => Buffer.compare(a[0], b[0]));
      await trie.apply(writes);
      await store.write(trie.takeNodeOps());
      filled += n;
    }
    const UPDATES = 2_000;
    let total = 0;
    for (let b = 0; b < 10; b++) {
      const writes: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < UPDATES / 10; i++) writes.push([key((i * 7919 + b * 104_729) % size), randomSeed()]);
      writes.sort((a, c) => Buffer.compare(a[0], c[0]));
      const t0 = performance.now();
      await trie.apply(writes);
      total += performance.now() - t0;
      await store.write(trie.takeNodeOps());
    }
    out.push([size, (total * 1000) / UPDATES]);
  }
  await store.close();
  removeDir(dir);
  return out;
}

export const chainSuite: BenchSuite = {
  name: 'chain',
  async run(ctx) {
    const cores = ctx.cores;
    const perAccount = ctx.quick ? 6 : 40;
    const total = perAccount * ACCOUNTS;

    for (const b of backends()) {
      ctx.record(`chain.verify.${b}`, await bareVerifyRate(b, cores, ctx.quick ? 1000 : 3000), 'verifies/s', `(a) bare ML-DSA-65 verify, ${b}, ${cores} cores`);
    }

    const genesisDoc = benchGenesisDoc();
    const dir = tempDir('sessionchain-bench-genesis-');
    const genesisFile = join(dir, 'genesis.json');
    writeFileSync(genesisFile, canonicalJson(genesisDoc));
    ctx.log(`signing ${total} ML-DSA-65 transfers from ${ACCOUNTS} accounts…`);
    const txs = await signAll(BigInt(genesisDoc.chainId), perAccount, cores);

    let lastDataDir = '';
    for (const b of backends()) {
      const r = await endToEnd(ctx, b, txs, genesisFile);
      ctx.record(`chain.e2e.${b}`, r.rate, 'tx/s', `(b) end-to-end transfers, RPC ×${IN_FLIGHT} → classic-level, ${b}`);
      ctx.record(`chain.e2eRatio.${b}`, r.rate / ctx.get(`chain.verify.${b}`)!, 'ratio', `(b)/(a) for ${b}`);
      if (lastDataDir) removeDir(lastDataDir);
      lastDataDir = r.dataDir;
      ctx.record(`chain.replay.${b}`, await replayRate(r.dataDir, b), 'tx/s', `(d) replay from the data dir, verifying all, ${b}`);
    }
    removeDir(lastDataDir);

    ctx.record('chain.blockExec', await blockExecution(txs, 500), 'tx/s', '(c) block execution without RPC (500-tx blocks, commit incl.)');
    removeDir(dir);

    const sizes = ctx.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
    if (!ctx.quick) ctx.log('filling a 1M-key trie on classic-level for (e) takes several minutes…');
    const costs = await stateWriteCost(sizes);
    for (const [n, us] of costs) ctx.record(`chain.stateWrite.${n}`, us, 'µs/write', `(e) state write at ${n.toLocaleString('en-US')} keys`);
    const [first, last] = [costs[0]!, costs[costs.length - 1]!];
    ctx.record('chain.stateWriteGrowth', last[1] / first[1], 'ratio', `(e) cost at ${last[0].toLocaleString('en-US')} / cost at ${first[0].toLocaleString('en-US')} (log ratio ${(Math.log(last[0]) / Math.log(first[0])).toFixed(2)})`);
  },
};

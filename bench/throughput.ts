/**
 * Anvil's own workload (issue 11): 2,000 LUX transfers over HTTP JSON-RPC (`chain.SendTransaction`,
 * hex), 16 requests in flight on keep-alive sockets, to a `sessionchain devnet` process on
 * classic-level, timed from the first send to the last receipt, after 64 warm-up transfers:
 *
 *  (i)   one sender, as anvil's harness drives anvil: requests overtake each other on the way in
 *        and wait in the queue of future nonces (NonceGap refusals are counted; there should be none);
 *  (ii)  16 senders, one request in flight each;
 *  (iii) (ii) over the binary batch path (`RpcClient.sendTransactions`): each request carries one
 *        transaction of every sender, 4 requests in flight.
 *
 * Figures: tx/s, server CPU ms per transfer (every thread of the devnet, from /proc: far less
 * sensitive to other load than tx/s), tx per block, and ratios taken in this run. When anvil is
 * at hand (SC_MEASURE=DIR: a copy of the peer harness after its `npm ci`; or ANVIL_BIN), anvil runs
 * the same one-sender workload in the same run and the ratios against it are printed too; for the
 * acceptance figures use bench/compare-anvil.sh, which alternates the two several times. With the
 * harness and a build, the floor (bench/rpc-floor.mjs: JSON-RPC decode + verify and nothing else)
 * runs too: the bound no Node server of ML-DSA-65 transfers passes on this client.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RpcClient, RpcError, Transaction, concat, devSeed, fromHex, keccak256, signerFromSeed, toHex, u32be, utf8 } from '../sdk/chain.js';
import { devGenesisDoc } from '../genesis/index.js';
import { canonicalJson } from '../chain/index.js';
import { ROOT, removeDir, startDevnet, tempDir } from '../test/helpers/processes.js';
import type { BenchContext, BenchSuite } from './harness.js';
import { signTransfers } from './sign.js';

const IN_FLIGHT = 16;
const SENDERS = 16;
const WARMUP = 64;
const SINK = '0x000000000000000000000000000000000000beef';

const senderSeed = (i: number) => keccak256(concat(utf8('sessionchain/bench-throughput-sender/v1'), u32be(i)));

/** Signs `count` transfers of 1 unit to the sink from each seed, nonces from 0, on all cores. */
async function sign(chainId: bigint, seeds: Uint8Array[], count: number, cores: number): Promise<Uint8Array[][]> {
  return (await signTransfers(chainId, seeds, count, () => SINK, cores)).map((q) => q.map(fromHex));
}

/** CPU seconds (user + system, every thread) a process has used, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // CLK_TCK is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

type Send = (rpc: RpcClient, raw: Uint8Array) => Promise<string>;
const jsonHex: Send = async (rpc, raw) => (await rpc.call<{ hash: string }>('chain.SendTransaction', [toHex(raw)])).hash;

/** Binary batches: round r carries every sender's r-th transaction; BATCHES_IN_FLIGHT rounds at a time. */
const BATCHES_IN_FLIGHT = 4;
async function sendBatches(rpc: RpcClient, queues: Uint8Array[][]): Promise<number> {
  const rounds = Math.max(...queues.map((q) => q.length));
  await Promise.all(
    Array.from({ length: BATCHES_IN_FLIGHT }, async (_, k) => {
      for (let r = k; r < rounds; r += BATCHES_IN_FLIGHT) {
        const results = await rpc.sendTransactions(queues.filter((q) => r < q.length).map((q) => q[r]!));
        const failed = results.find((x) => x instanceof RpcError);
        if (failed) throw failed;
      }
    }),
  );
  return 0;
}

interface Run {
  txPerSec: number;
  serverCpuMsPerTx: number;
  txPerBlock: number;
  gapRetries: number;
}

/**
 * Sends every queue's transactions with IN_FLIGHT requests in flight (worker w serves queue
 * w mod queues: one shared queue means overtaking, one queue per worker means strict order).
 */
async function sendAll(rpc: RpcClient, queues: Uint8Array[][], send: Send): Promise<number> {
  const next = queues.map(() => 0);
  let gapRetries = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, w) => {
      const q = queues[w % queues.length]!;
      const i = w % queues.length;
      while (next[i]! < q.length) {
        const raw = q[next[i]!++]!;
        for (;;) {
          try {
            await send(rpc, raw);
            break;
          } catch (e) {
            if (!(e instanceof RpcError && e.name === 'NonceGap')) throw e;
            gapRetries++; // a node without a queue for future nonces
            await new Promise((r) => setTimeout(r, 2));
          }
        }
      }
    }),
  );
  return gapRetries;
}

async function waitAll(rpc: RpcClient, queues: Uint8Array[][]): Promise<void> {
  for (const q of queues) if (q.length) await rpc.waitForReceipt(Transaction.decode(q[q.length - 1]!).hash, { pollMs: 2, timeoutMs: 600_000 });
}

type Drive = (rpc: RpcClient, queues: Uint8Array[][]) => Promise<number>;
const oneByOne =
  (send: Send): Drive =>
  (rpc, queues) =>
    sendAll(rpc, queues, send);

async function runShape(genesisFile: string, plan: { warm: Uint8Array[][]; measured: Uint8Array[][] }, drive: Drive): Promise<Run> {
  const dev = await startDevnet({ dataDir: tempDir('sessionchain-bench-tp-'), args: ['--genesis', genesisFile] });
  const rpc = new RpcClient(dev.url);
  try {
    await drive(rpc, plan.warm);
    await waitAll(rpc, plan.warm);
    const startHead = (await rpc.head()).height;
    const n = plan.measured.reduce((s, q) => s + q.length, 0);
    const c0 = cpuSeconds(dev.proc.pid!);
    const t0 = performance.now();
    const gapRetries = await drive(rpc, plan.measured);
    await waitAll(rpc, plan.measured);
    const seconds = (performance.now() - t0) / 1000;
    const c1 = cpuSeconds(dev.proc.pid!);
    let blocks = 0;
    const head = (await rpc.head()).height;
    for (let h = startHead + 1; h <= head; h++) if ((await rpc.call<{ txCount: number }>('chain.GetBlock', { block: h })).txCount > 0) blocks++;
    return { txPerSec: n / seconds, serverCpuMsPerTx: ((c1 - c0) * 1000) / n, txPerBlock: n / Math.max(blocks, 1), gapRetries };
  } finally {
    rpc.close();
    await dev.stop();
    if (dev.dataDir) removeDir(dev.dataDir);
  }
}

/** The peer harness (SC_MEASURE=DIR, else ../shared/measure). */
const measureDir = () => resolve(process.env.SC_MEASURE ?? join(ROOT, '..', 'shared', 'measure'));

/**
 * bench/rpc-floor.mjs: a bare node:http JSON-RPC server that only decodes and verifies each
 * transfer (no chain), driven by the peer harness's client. Needs the harness and `npm run build`.
 */
function floorRun(n: number): { txPerSec: number; serverCpuMsPerTx: number } | undefined {
  const measure = measureDir();
  if (!existsSync(join(measure, 'lib', 'rpc.mjs')) || !existsSync(join(ROOT, 'dist', 'index.js'))) return undefined;
  const out = execFileSync(process.execPath, [join(ROOT, 'bench', 'rpc-floor.mjs'), '--measure', measure, '--n', String(n), '--warmup', String(WARMUP)], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { txPerSec: number; serverCpuMsPerTx: number };
}

/** The peer harness's anvil driver, when anvil is installed; undefined otherwise. */
async function anvilDriver(): Promise<((o: { n: number; senders: number; warmup: number }) => Promise<{ txPerSec: number; serverCpuMsPerTx: number; stalledAttempts: number }>) | undefined> {
  const measure = measureDir();
  const lib = join(measure, 'lib', 'anvil.mjs');
  const installed = process.env.ANVIL_BIN || existsSync(join(measure, 'node_modules', '@foundry-rs', 'anvil-linux-amd64'));
  if (!existsSync(lib) || !installed) return undefined;
  const mod = (await import(pathToFileURL(lib).href)) as { runAnvilBench: (o: object) => Promise<{ txPerSec: number; serverCpuMsPerTx: number; stalledAttempts: number }> };
  return (o) => mod.runAnvilBench({ ...o, concurrency: IN_FLIGHT });
}

export const throughputSuite: BenchSuite = {
  name: 'throughput',
  async run(ctx: BenchContext) {
    const n = ctx.quick ? 400 : 2000;
    const seeds = Array.from({ length: SENDERS }, (_, i) => senderSeed(i));
    const alloc: Record<string, string> = {};
    for (const s of seeds) alloc[signerFromSeed(s, 'ml-dsa-65').address] = (10n ** 22n).toString();
    const genesisDoc = devGenesisDoc({ alloc });
    const dir = tempDir('sessionchain-bench-tp-genesis-');
    const genesisFile = join(dir, 'genesis.json');
    writeFileSync(genesisFile, canonicalJson(genesisDoc));
    const chainId = BigInt(genesisDoc.chainId);
    ctx.log(`signing ${2 * (n + WARMUP)} ML-DSA-65 transfers…`);
    const [one] = await sign(chainId, [devSeed(0)], n + WARMUP, ctx.cores);
    const perSender = await sign(chainId, seeds, Math.ceil((n + WARMUP) / SENDERS), ctx.cores);
    const oneSender = { warm: [one!.slice(0, WARMUP)], measured: [one!.slice(WARMUP)] };
    const w = WARMUP / SENDERS;
    const many = { warm: perSender.map((q) => q.slice(0, w)), measured: perSender.map((q) => q.slice(w, w + n / SENDERS)) };

    const shapes: [string, string, { warm: Uint8Array[][]; measured: Uint8Array[][] }, Drive][] = [
      ['oneSender', 'one sender, JSON-RPC hex', oneSender, oneByOne(jsonHex)],
      ['senders16', '16 senders, JSON-RPC hex', many, oneByOne(jsonHex)],
      ['senders16Binary', `16 senders, binary batches of 16 ×${BATCHES_IN_FLIGHT}`, many, sendBatches],
    ];
    for (const [key, label, plan, drive] of shapes) {
      const r = await runShape(genesisFile, plan, drive);
      ctx.record(`throughput.${key}.txPerSec`, r.txPerSec, 'tx/s', `(${key}) ${label}: transfers/s to the last receipt`);
      ctx.record(`throughput.${key}.cpu`, r.serverCpuMsPerTx, 'ms/tx', `(${key}) ${label}: devnet CPU per transfer`);
      ctx.record(`throughput.${key}.txPerBlock`, r.txPerBlock, 'tx/block', `(${key}) ${label}: transfers per non-empty block`);
      if (key === 'oneSender') ctx.record('throughput.oneSender.gapRetries', r.gapRetries, 'retries', '(oneSender) NonceGap refusals (a queue for future nonces needs none)');
    }
    const get = (k: string) => ctx.get(k)!;
    ctx.record('throughput.ratio.senders16/oneSender', get('throughput.senders16.txPerSec') / get('throughput.oneSender.txPerSec'), 'ratio', '16 senders / one sender, tx/s');
    ctx.record('throughput.ratio.binary/json', get('throughput.senders16Binary.cpu') / get('throughput.senders16.cpu'), 'ratio', 'binary / JSON hex, devnet CPU per transfer (16 senders)');

    const anvil = await anvilDriver();
    if (!anvil) ctx.log('anvil not at hand (SC_MEASURE=DIR: a copy of shared/measure after `npm ci`; or ANVIL_BIN): no anvil figures in this run');
    else {
      const a = await anvil({ n, senders: 1, warmup: WARMUP });
      ctx.record('throughput.anvil.txPerSec', a.txPerSec, 'tx/s', `anvil, one sender (${a.stalledAttempts} stalled attempts discarded)`);
      ctx.record('throughput.anvil.cpu', a.serverCpuMsPerTx, 'ms/tx', 'anvil CPU per transfer');
      ctx.record('throughput.ratio.oneSender/anvil', get('throughput.oneSender.txPerSec') / a.txPerSec, 'ratio', 'sessionchain one sender / anvil, tx/s');
      ctx.record('throughput.ratio.senders16/anvil', get('throughput.senders16.txPerSec') / a.txPerSec, 'ratio', 'sessionchain 16 senders / anvil one sender, tx/s');
      ctx.record('throughput.ratio.cpu16/anvil', get('throughput.senders16.cpu') / a.serverCpuMsPerTx, 'ratio', 'sessionchain 16 senders / anvil, CPU per transfer');
    }
    const floor = floorRun(n);
    if (!floor) ctx.log('no floor figures: bench/rpc-floor.mjs needs the peer harness (SC_MEASURE=DIR) and `npm run build`');
    else {
      ctx.record('throughput.floor.txPerSec', floor.txPerSec, 'tx/s', 'floor: bare node:http JSON-RPC, decode + verify only (no chain)');
      ctx.record('throughput.floor.cpu', floor.serverCpuMsPerTx, 'ms/tx', 'floor: server CPU per transfer');
      ctx.record('throughput.ratio.oneSender/floor', get('throughput.oneSender.txPerSec') / floor.txPerSec, 'ratio', 'sessionchain one sender / floor, tx/s');
      if (ctx.get('throughput.anvil.txPerSec') !== undefined) {
        ctx.record('throughput.ratio.floor/anvil', floor.txPerSec / get('throughput.anvil.txPerSec'), 'ratio', 'floor / anvil, tx/s (what no chain work at all would reach)');
      }
    }
    removeDir(dir);
  },
};

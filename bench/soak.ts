/**
 * `npm run soak -- [--seconds 60] [--rate 200] [--read-rate 100] [--senders 20] [--scheme mixed|ml-dsa-65|secp256k1]
 *                  [--warmup 20] [--url URL] [--memory] [--json FILE]`
 *
 * Starts a devnet PROCESS (classic-level in a fresh directory, automine; or uses `--url`), warms it
 * up (by default for 20 s: long enough at 200 tx/s for the node's bounded caches to fill, so that the
 * heap baseline is its steady state and growth means a leak), then runs signed LUX transfers at `--rate` from the dev accounts plus paced reads, and prints
 * p50/p99 latency, what was committed, and the node's heap and RSS at start and end. The exit code
 * is 1 when anything sent was not committed. Latency and throughput depend on the machine: quote
 * figures from a quiet one, with its load average (printed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RpcClient, devSigner, type Signer } from '../sdk/index.js';
import { DEV_ACCOUNT_COUNT } from '../sdk/chain.js';
import { percentile, runLoad } from './soak-load.js';

const argv = process.argv.slice(2);
const value = (name: string, dflt?: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
if (argv.includes('--help') || argv.includes('-h')) {
  console.log('usage: npm run soak -- [--seconds 60] [--rate 200] [--read-rate 100] [--senders 20] [--scheme mixed|ml-dsa-65|secp256k1] [--warmup 20] [--url URL] [--memory] [--json FILE]');
  process.exit(0);
}
function num(name: string, dflt: string, min: number, max: number): number {
  const v = Number(value(name, dflt));
  if (!Number.isFinite(v) || v < min || v > max) {
    console.error(`${name} must be a number from ${min} to ${max}, got ${value(name)}`);
    process.exit(2);
  }
  return v;
}
const seconds = num('--seconds', '60', 1, 86_400);
const rate = num('--rate', '200', 1, 100_000);
const warmup = num('--warmup', '20', 0, 3_600);
const readRate = num('--read-rate', '100', 0, 100_000);
const scheme = value('--scheme', 'mixed')!;
const senderCount = num('--senders', '20', 1, scheme === 'mixed' ? 2 * DEV_ACCOUNT_COUNT : DEV_ACCOUNT_COUNT);
if (!['mixed', 'ml-dsa-65', 'secp256k1'].includes(scheme)) {
  console.error(`--scheme must be mixed, ml-dsa-65 or secp256k1, got ${scheme}`);
  process.exit(2);
}
const jsonFile = value('--json');

/** The dev accounts as senders; `mixed` alternates ML-DSA-65 and secp256k1. */
function senders(): Signer[] {
  return Array.from({ length: senderCount }, (_, i) =>
    scheme === 'mixed' ? devSigner(Math.floor(i / 2), i % 2 === 0 ? 'ml-dsa-65' : 'secp256k1') : devSigner(i, scheme as 'ml-dsa-65' | 'secp256k1'),
  );
}

async function startDevnet(): Promise<{ url: string; proc: ChildProcess; dir?: string }> {
  const dir = argv.includes('--memory') ? undefined : mkdtempSync(join(tmpdir(), 'sessionchain-soak-'));
  const bin = fileURLToPath(new URL('../bin/sessionchain', import.meta.url));
  const proc = spawn(process.execPath, [bin, 'devnet', '--port', '0', '--quiet', ...(dir ? ['--data-dir', dir] : ['--memory'])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const listening = /Listening on (http:\/\/\S+)/.exec(out);
      if (listening) resolve(listening[1]!);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the devnet exited with ${code}:\n${out}`)));
  });
  return { url, proc, dir };
}

interface Memory {
  rssBytes: number;
  heapUsedBytes: number;
  /** Heap just after the node's last full collection (what it really holds), null before one. */
  heapAfterFullGcBytes: number | null;
  fullGcs: number;
}
const memory = async (rpc: RpcClient) => (await rpc.call<{ memory: Memory }>('chain.Status')).memory;
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

const node = value('--url') ? { url: value('--url')!, proc: undefined, dir: undefined } : await startDevnet();
const rpc = new RpcClient(node.url);
let exitCode = 0;
try {
  const signers = senders();
  const schemes = `${signers.filter((s) => s.scheme === 'ml-dsa-65').length} ML-DSA-65, ${signers.filter((s) => s.scheme === 'secp256k1').length} secp256k1`;
  console.log(`soak: ${seconds} s at ${rate} tx/s from ${signers.length} senders (${schemes}) + ${readRate} reads/s against ${node.url}${node.proc ? ` (devnet process, ${node.dir ? 'classic-level' : 'memory'}, automine)` : ''}`);
  console.log(`machine: ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  if (warmup > 0) {
    console.log(`  warming up for ${warmup} s (the node's caches fill; the heap baseline is taken after it)…`);
    await runLoad({ url: node.url, seconds: warmup, rate, readRate, senders: signers, drainMs: 30_000 });
  }

  // The heap after a full collection is what the node holds; the first one in the run is the start.
  const start = await memory(rpc);
  const samples: Memory[] = [start];
  const sampler = setInterval(() => void memory(rpc).then((m) => samples.push(m), () => {}), 500);
  const r = await runLoad({ url: node.url, seconds, rate, readRate, senders: signers, drainMs: 30_000, log: (l) => console.log(`  ${l}`) });
  clearInterval(sampler);
  const end = await memory(rpc);
  samples.push(end);
  const afterGc = samples.filter((m, i) => m.heapAfterFullGcBytes !== null && (i === 0 || m.fullGcs !== samples[i - 1]!.fullGcs));
  const gcs = end.fullGcs - start.fullGcs;
  const heapStart = afterGc[0]?.heapAfterFullGcBytes ?? start.heapUsedBytes;
  const heapEnd = end.heapAfterFullGcBytes ?? end.heapUsedBytes;
  const heapGrowth = heapEnd / heapStart - 1;

  const p50 = percentile(r.txLatencyMs, 50);
  const p99 = percentile(r.txLatencyMs, 99);
  const rejected = [...r.rejected].map(([n, c]) => `${n} ${c}`).join(', ') || '0';
  console.log(`sent ${r.sent}, committed ${r.committed}, rejected ${rejected}, not committed ${r.uncommitted}`);
  console.log(`throughput ${(r.committed / (r.elapsedMs / 1000)).toFixed(1)} tx/s committed over ${(r.elapsedMs / 1000).toFixed(1)} s in ${r.blocks} blocks`);
  console.log(`tx latency (scheduled send → block seen): p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(Math.max(...r.txLatencyMs))}`);
  console.log(`read latency: p50 ${ms(percentile(r.readLatencyMs, 50))}, p99 ${ms(percentile(r.readLatencyMs, 99))} (${r.readLatencyMs.length} reads, errors: ${[...r.readErrors].map(([n, c]) => `${n} ${c}`).join(', ') || 'none'})`);
  console.log(`node heap in use: ${mb(start.heapUsedBytes)} at start, ${mb(end.heapUsedBytes)} at end; after full collections ${mb(heapStart)} → ${mb(heapEnd)} (${(heapGrowth * 100).toFixed(1)} %, ${gcs} full collections in the run)`);
  console.log(`node RSS: ${mb(start.rssBytes)} at start, ${mb(end.rssBytes)} at end`);
  console.log(`load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const everything = r.uncommitted === 0 && r.rejected.size === 0 && r.committed === r.sent && r.sent === Math.round(seconds * rate);
  const checks = [`everything committed: ${everything ? 'yes' : 'NO'}`, `p99 < 500 ms: ${p99 < 500 ? 'yes' : 'no'}`, `heap growth < 20 %: ${heapGrowth < 0.2 ? 'yes' : 'no'}`];
  console.log(`${checks.join('; ')} (timings hold only on a quiet machine)`);
  if (!everything) exitCode = 1;
  if (jsonFile) {
    writeFileSync(
      jsonFile,
      JSON.stringify({ seconds, rate, readRate, senders: signers.length, scheme, sent: r.sent, committed: r.committed, uncommitted: r.uncommitted, rejected: Object.fromEntries(r.rejected), blocks: r.blocks, txP50Ms: p50, txP99Ms: p99, readP50Ms: percentile(r.readLatencyMs, 50), readP99Ms: percentile(r.readLatencyMs, 99), heapStartBytes: start.heapUsedBytes, heapEndBytes: end.heapUsedBytes, heapAfterFullGcStartBytes: heapStart, heapAfterFullGcEndBytes: heapEnd, heapGrowth, fullGcs: gcs, rssStartBytes: start.rssBytes, rssEndBytes: end.rssBytes, loadavg: loadavg() }, null, 2) + '\n',
    );
  }
} catch (e) {
  console.error(`soak failed: ${(e as Error).message}`);
  exitCode = 1;
} finally {
  rpc.close();
  if (node.proc && node.proc.exitCode === null) {
    const exited = new Promise((r) => node.proc!.once('exit', r));
    node.proc.kill('SIGTERM');
    await exited;
  }
  if (node.dir) rmSync(node.dir, { recursive: true, force: true });
}
process.exit(exitCode);

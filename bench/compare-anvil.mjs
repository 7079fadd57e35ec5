#!/usr/bin/env node
// Issue 11's acceptance measurement: alternates anvil and sessionchain on anvil's own workload with
// the peer harness (a writable copy of shared/measure, `npm ci` done), several rounds, and prints
// medians and ratios. Run from the project root after `npm run build`, on a quiet machine:
//
//   node bench/compare-anvil.mjs --measure DIR [--rounds 5] [--n 2000]
//
// Each round: anvil (one sender) · sessionchain --senders 1 · sessionchain --senders 16 (its chain
// kept) · `sessionchain replay` of that chain · the bare all-core ML-DSA-65 verify rate · the floor
// (bench/rpc-floor.mjs: a bare node:http JSON-RPC server that only decodes and verifies each
// transfer, no chain: what no Node devnet sending ML-DSA-65 transfers over this client can beat).
// Every run is a fresh process; the JSON lines of each run go to stderr as they come.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const measure = resolve(opt('--measure', process.env.SC_MEASURE ?? ''));
const rounds = Number(opt('--rounds', 5));
const n = String(opt('--n', 2000));
if (!measure || measure === resolve('')) {
  console.error('usage: node bench/compare-anvil.mjs --measure DIR [--rounds 5] [--n 2000]  (DIR: a copy of shared/measure after `npm ci`)');
  process.exit(2);
}
const root = process.cwd();

function runJson(cmd, args, cwd) {
  const out = execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  try {
    return JSON.parse(out); // pretty-printed (sessionchain replay --json)
  } catch {
    const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop(); // one line after logs
    if (!line) throw new Error(`${cmd} ${args.join(' ')} printed no JSON:\n${out}`);
    return JSON.parse(line);
  }
}
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const rows = { anvil: [], sc1: [], sc16: [], replay: [], bare: [], floor: [] };
for (let r = 1; r <= rounds; r++) {
  const data = mkdtempSync(join(tmpdir(), 'compare-anvil-'));
  try {
    const anvil = runJson(process.execPath, ['anvil-bench.mjs', '--n', n], measure);
    const sc1 = runJson(process.execPath, [join(measure, 'sc-bench.mjs'), '--senders', '1', '--n', n], root);
    const sc16 = runJson(process.execPath, [join(measure, 'sc-bench.mjs'), '--senders', '16', '--n', n, '--keep-data', data], root);
    const replay = runJson(process.execPath, ['bin/sessionchain', 'replay', '--data-dir', data, '--json'], root);
    const bare = runJson(process.execPath, [join(measure, 'bare-verify.mjs'), 'pqclean', '3000'], root);
    const floor = runJson(process.execPath, ['bench/rpc-floor.mjs', '--measure', measure, '--n', n], root);
    for (const [k, v] of Object.entries({ anvil, sc1, sc16, replay, bare, floor })) {
      rows[k].push(v);
      console.error(JSON.stringify({ round: r, run: k, ...v }));
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

const m = (k, f) => median(rows[k].map(f));
const res = {
  machine: `${cpus()[0]?.model} × ${cpus().length}, node ${process.version}, load1 at the end ${loadavg()[0].toFixed(2)}`,
  rounds,
  anvilTxPerSec: m('anvil', (x) => x.txPerSec),
  anvilCpuMsPerTx: m('anvil', (x) => x.serverCpuMsPerTx),
  anvilStalledAttempts: rows.anvil.reduce((s, x) => s + (x.stalledAttempts ?? 0), 0),
  sc1TxPerSec: m('sc1', (x) => x.txPerSec),
  sc1GapRetries: Math.max(...rows.sc1.map((x) => x.gapRetries)),
  sc1CpuMsPerTx: m('sc1', (x) => x.serverCpuMsPerTx),
  sc16TxPerSec: m('sc16', (x) => x.txPerSec),
  sc16CpuMsPerTx: m('sc16', (x) => x.serverCpuMsPerTx),
  replayTxPerSec: m('replay', (x) => x.txPerSecond),
  replayCpuMsPerTx: m('replay', (x) => x.cpuMsPerTx),
  bareVerifiesPerSec: m('bare', (x) => x.verifiesPerSec),
  floorTxPerSec: m('floor', (x) => x.txPerSec),
  floorCpuMsPerTx: m('floor', (x) => x.serverCpuMsPerTx),
};
res.ratioSc1ToAnvil = res.sc1TxPerSec / res.anvilTxPerSec;
res.ratioSc16ToAnvil = res.sc16TxPerSec / res.anvilTxPerSec;
res.ratioCpu16ToAnvil = res.sc16CpuMsPerTx / res.anvilCpuMsPerTx;
res.ratioReplayToBareVerify = res.replayTxPerSec / res.bareVerifiesPerSec;
res.ratioFloorToAnvil = res.floorTxPerSec / res.anvilTxPerSec;
res.ratioFloorCpuToAnvil = res.floorCpuMsPerTx / res.anvilCpuMsPerTx;

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
console.log(`\n${res.machine}; medians of ${rounds} alternating rounds, n = ${n}\n`);
console.log(`| acceptance | sessionchain | anvil / reference | ratio | goal |`);
console.log(`| --- | --- | --- | --- | --- |`);
console.log(`| 1. one sender, tx/s (NonceGap retries: ${res.sc1GapRetries}) | ${f(res.sc1TxPerSec, 0)} | ${f(res.anvilTxPerSec, 0)} | ${f(res.ratioSc1ToAnvil)} | ≥ 1.2, 0 retries |`);
console.log(`| 2. 16 senders, tx/s | ${f(res.sc16TxPerSec, 0)} | ${f(res.anvilTxPerSec, 0)} | ${f(res.ratioSc16ToAnvil)} | ≥ 1.2 |`);
console.log(`| 2. server CPU per transfer, ms | ${f(res.sc16CpuMsPerTx, 3)} | ${f(res.anvilCpuMsPerTx, 3)} | ${f(res.ratioCpu16ToAnvil)} | ≤ 1 |`);
console.log(`| 3. replay of the 16-sender chain, tx/s | ${f(res.replayTxPerSec, 0)} | ${f(res.bareVerifiesPerSec, 0)} verifies/s | ${f(res.ratioReplayToBareVerify)} | ≥ 0.5 (0.9) |`);
console.log(`| floor: bare JSON-RPC decode + verify, no chain, tx/s | ${f(res.floorTxPerSec, 0)} | ${f(res.anvilTxPerSec, 0)} | ${f(res.ratioFloorToAnvil)} | (a bound, not a goal) |`);
console.log(`| floor: server CPU per transfer, ms | ${f(res.floorCpuMsPerTx, 3)} | ${f(res.anvilCpuMsPerTx, 3)} | ${f(res.ratioFloorCpuToAnvil)} | |`);
console.log(`\nanvil stalled attempts discarded by its harness: ${res.anvilStalledAttempts}`);
console.log(JSON.stringify(res));

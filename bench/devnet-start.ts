/**
 * Devnet start-up: from launching `sessionchain devnet` (the built CLI, as `npx sessionchain` or an
 * installed `sessionchain` runs it) to its first JSON-RPC answer, next to anvil's 0.15 s.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/sessionchain', import.meta.url));
/** anvil's launch → first answer on the same class of machine (issue 14). */
export const ANVIL_START_SECONDS = 0.15;

/** CPU seconds (user + system) a process has used so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/**
 * Seconds from spawn to the first chain.ChainId answer, and the CPU seconds the devnet used until
 * then (less sensitive to other load on the machine than the wall time). The devnet picks a free
 * port (`--port 0`) and names it in its banner, which it prints as it starts listening.
 */
export async function startToFirstAnswer(extraArgs: string[] = []): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const child = spawn(process.execPath, [BIN, 'devnet', '--memory', '--quiet', '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /Listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`devnet exited with ${code}`)));
    });
    const res = await fetch(`${url}/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain.ChainId' }) });
    if ((await res.json()).result === undefined) throw new Error('the devnet did not answer chain.ChainId');
    return { wall: (performance.now() - start) / 1000, cpu: cpuSeconds(child.pid!) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

export const devnetStartSuite: BenchSuite = {
  name: 'devnet-start',
  async run(ctx) {
    const runs = ctx.quick ? 3 : 7;
    const load = loadavg()[0]!;
    const samples: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < runs; i++) samples.push(await startToFirstAnswer());
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wall = median(samples.map((x) => x.wall));
    const cpu = median(samples.map((x) => x.cpu));
    ctx.record('devnet.start.seconds', wall, 's', `devnet launch → first JSON-RPC answer (median of ${runs})`);
    ctx.record('devnet.start.vsAnvil', wall / ANVIL_START_SECONDS, '×', `  ratio to anvil's ${ANVIL_START_SECONDS} s`);
    ctx.record('devnet.start.cpuSeconds', cpu, 's', '  CPU time of the devnet until that answer (user + system)');
    ctx.log(`runs: ${samples.map((x) => `${x.wall.toFixed(3)} s (cpu ${x.cpu.toFixed(2)})`).join(', ')}; load average ${load.toFixed(2)} on ${ctx.cores} cores at the start`);
  },
};

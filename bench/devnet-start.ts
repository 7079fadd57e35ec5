/**
 * Devnet start-up: from launching `sessionchain devnet` (the built CLI, as `npx sessionchain` or an
 * installed `sessionchain` runs it) to its first JSON-RPC answer, next to anvil's 0.15 s.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/sessionchain', import.meta.url));
/** anvil's launch → first answer on the same class of machine (issue 14). */
export const ANVIL_START_SECONDS = 0.15;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

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
 * Seconds from spawn to the first chain.ChainId answer (polling every 5 ms), and the CPU seconds
 * the devnet used until then (less sensitive to other load on the machine than the wall time).
 */
export async function startToFirstAnswer(extraArgs: string[] = []): Promise<{ wall: number; cpu: number }> {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(process.execPath, [BIN, 'devnet', '--memory', '--quiet', '--port', String(port), ...extraArgs], { stdio: 'ignore' });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain.ChainId' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`devnet exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        if ((await res.json()).result !== undefined) return { wall: (performance.now() - start) / 1000, cpu: cpuSeconds(child.pid!) };
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
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

/**
 * `npm run soak` works end to end (a devnet process, signed load, reads, the report), in a few seconds;
 * the 60-second run at 200 tx/s is for a quiet machine (README "Soak").
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes.js';

function soak(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--loader', 'ts-node/esm', '--no-warnings', join(ROOT, 'bench', 'soak.ts'), ...args], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('npm run soak', function () {
  this.timeout(180_000);

  it('drives a devnet process with signed transfers and reads, and reports commits, p50/p99, heap and RSS', async () => {
    const { code, out } = await soak(['--seconds', '3', '--warmup', '1', '--rate', '20', '--read-rate', '10', '--senders', '4']);
    expect(code, out).to.equal(0);
    expect(out).to.match(/devnet process, classic-level/);
    expect(out).to.match(/sent 60, committed 60, rejected 0, not committed 0/);
    expect(out).to.match(/tx latency \(scheduled send → block seen\): p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(out).to.match(/read latency: p50 [\d.]+ ms, p99 [\d.]+ ms \(30 reads, errors: none\)/);
    expect(out).to.match(/node heap in use: [\d.]+ MB at start, [\d.]+ MB at end/);
    expect(out).to.match(/node RSS: [\d.]+ MB at start, [\d.]+ MB at end/);
    expect(out).to.match(/everything committed: yes/);
  });
});

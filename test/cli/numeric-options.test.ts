/**
 * Numeric and JSON options are checked before anything starts: a bad value ends the process with
 * one line naming the option (no NaN slipping through to settlement, no verifier pool of NaN threads),
 * and nothing is listened on, written or opened. Every case fails at argument checking, so it is fast.
 */
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, int, optRawUnits } from '../../bin/common.js';
import { freePort, removeDir, runCli, tempDir, type CliResult } from '../helpers/processes.js';

/** Exit 1, one `error:` line (plus at most a hint line), no stack trace, nothing on stdout. */
function refused(r: CliResult, option: string): void {
  expect(r.code, r.stderr).to.equal(1);
  expect(r.stdout).to.equal('');
  expect(r.stderr, 'no stack trace').to.not.match(/\n\s+at /);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).to.match(/^error: /);
  expect(lines[0]).to.contain(option);
  expect(lines.slice(1).every((l) => l.startsWith('  hint: ')), r.stderr).to.equal(true);
}

describe('CLI numeric options are refused before anything starts', function () {
  this.timeout(180_000);
  let dir: string;
  let cli: (args: string[]) => Promise<CliResult>;
  // One at a time: each run is only a CLI start-up, and parallel ts-node start-ups starve each other.
  const sequentially = async (runs: readonly (readonly string[])[]): Promise<CliResult[]> => {
    const out: CliResult[] = [];
    for (const args of runs) out.push(await cli([...args]));
    return out;
  };

  before(() => {
    dir = tempDir('cli-numeric-');
    cli = (args) => runCli(args, { env: { HOME: dir, SESSIONCHAIN_HOME: join(dir, '.sessionchain') }, timeoutMs: 60_000 });
  });
  after(() => removeDir(dir));

  it('int() and optRawUnits() in bin/common.ts', () => {
    expect(int(undefined, '--n', 1, 9)).to.equal(undefined);
    expect(int('7', '--n', 1, 9)).to.equal(7);
    for (const bad of ['abc', '0', '10', '1.5', 'NaN']) expect(() => int(bad, '--n', 1, 9), bad).to.throw(CliError, `--n must be an integer between 1 and 9, got ${bad}`);
    expect(optRawUnits(undefined, '--price')).to.equal(undefined);
    expect(optRawUnits('1500000', '--price')).to.equal(1_500_000n);
    expect(() => optRawUnits('1.5', '--price')).to.throw(CliError, '--price must be a whole number of raw token units');
  });

  it('serve-inference: --settle-units, --settle-interval-ms, --port', async () => {
    const pidFile = join(dir, 'serve.pid');
    const model = join(dir, 'no-such-model.bin'); // never read: the options are checked first
    const base = ['serve-inference', '--model', model, '--price', '1', '--dev', '0', '--memory', '--pid-file', pidFile];
    const port = String(await freePort());
    const cases = [
      [['--port', port, '--settle-units', 'abc'], '--settle-units'],
      [['--port', port, '--settle-units', '0'], '--settle-units'],
      [['--port', port, '--settle-interval-ms', 'soon'], '--settle-interval-ms'],
      [['--port', '70000'], '--port'],
    ] as const;
    const results = await sequentially(cases.map(([extra]) => [...base, ...extra]));
    results.forEach((r, i) => {
      refused(r, cases[i]![1]);
      expect(r.stderr).to.not.contain('no-such-model');
    });
    expect(existsSync(pidFile), 'nothing listened').to.equal(false);
  });

  it('pay: --count, --deposit, and --ws --data (parsed as JSON)', async () => {
    const url = `http://127.0.0.1:${await freePort()}/v1/infer`; // nothing listens: no request is made
    const channels = join(dir, '.sessionchain', 'keystore', 'payment-channels');
    const cases = [
      [['--count', 'abc'], '--count'],
      [['--count', '0'], '--count'],
      [['--deposit', '-1'], '--deposit'],
      [['--ws', '--data', '{"inputs": [1'], '--data'],
      [['--ws', '--data', '{"inputs": [1]}'], '--data'],
    ] as const;
    const results = await sequentially(cases.map(([extra]) => ['pay', url, '--dev', '0', ...extra]));
    results.forEach((r, i) => refused(r, cases[i]![1]));
    expect(existsSync(channels), 'no channel store was opened').to.equal(false);
  });

  it('replay / import: --threads -1 or abc', async () => {
    const into = join(dir, 'imported');
    const file = join(dir, 'blocks.bin');
    writeFileSync(file, 'not a block file'); // never read: --threads is checked first
    const runs = [
      ['replay', '--file', file, '--threads', '-1'],
      ['replay', '--file', file, '--threads', 'abc'],
      ['import', file, '--data-dir', into, '--threads', '-1'],
      ['import', file, '--data-dir', into, '--threads', 'abc'],
    ];
    for (const r of await sequentially(runs)) refused(r, '--threads');
    expect(existsSync(into), 'no data dir was created').to.equal(false);
  });
});

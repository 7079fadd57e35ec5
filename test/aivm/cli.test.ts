/**
 * The AIVM CLI against a real devnet process: `aivm models --register`, two `sessionchain provider`
 * processes (one honest, one `--dishonest`), `aivm submit`, `aivm status`, `aivm export`,
 * `aivm rewards`, a late `aivm challenge`, and one-line errors for bad input.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, RpcClient } from '../../sdk/chain.js';
import { devGenesisDoc } from '../../genesis/index.js';
import { writeGenesisFile } from '../../sdk/chain.js';
import { runInference, verifyReceiptProof } from '../../sdk/aivm/index.js';
import { BIN, ROOT, removeDir, runCli, startDevnet, tempDir, type DevnetProcess } from '../helpers/processes.js';
import { input, keccak, modelFile } from './models-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('aivm CLI and provider processes against a devnet', function () {
  this.timeout(240_000);
  let dir: string;
  let devnet: DevnetProcess;
  let rpcArgs: string[];
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  const file = modelFile('cli');
  let modelPath: string;

  before(async () => {
    dir = tempDir('aivm-cli-');
    modelPath = join(dir, 'model.bin');
    writeFileSync(modelPath, file);
    const genesisPath = join(dir, 'genesis.json');
    writeGenesisFile(genesisPath, devGenesisDoc({ modules: { aivm: { marginFloor: 0, postBlocks: 40, challengeWindowBlocks: 20, minChallengeWindowBlocks: 2 } } }));
    devnet = await startDevnet({ memory: true, args: ['--genesis', genesisPath, '--block-time', '250'] });
    rpcArgs = ['--rpc', devnet.url];
  });
  after(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await sleep(200);
    await devnet?.stop();
    removeDir(dir);
  });

  const dev = (i: number) => ['--dev', String(i), '--scheme', 'secp256k1'];

  it('registers a model, runs two providers, and settles a submitted task correctly whoever got it', async () => {
    const reg = await runCli(['aivm', 'models', '--register', modelPath, ...dev(0), ...rpcArgs]);
    expect(reg.code, reg.stderr).to.equal(0);
    expect(reg.json().status).to.equal(1);
    const models = (await runCli(['aivm', 'models', ...rpcArgs])).json();
    expect(models.map((m: { modelRoot: string }) => m.modelRoot)).to.deep.equal(['0x' + Buffer.from(keccak(file)).toString('hex')]);

    for (const [i, dishonest] of [
      [1, false],
      [2, true],
    ] as const) {
      const p = spawn(process.execPath, [BIN, 'provider', '--model', modelPath, '--stake', '2', '--poll', '100', ...dev(i), ...rpcArgs, ...(dishonest ? ['--dishonest'] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout!.on('data', (d) => logs.push(`[${i}] ${d}`));
      p.stderr!.on('data', (d) => logs.push(`[${i}!] ${d}`));
      procs.push(p);
    }
    const rpc = new RpcClient(devnet.url);
    try {
      for (let t = 0; ; t++) {
        const stats = await rpc.call<{ providers: number }>('aivm.GetStats', {});
        if (stats.providers === 2) break;
        if (t > 300) throw new Error(`providers did not register:\n${logs.join('')}`);
        await sleep(100);
      }
      const x = input('cli');
      const sub = await runCli(['aivm', 'submit', '--model', modelPath, '--input', '0x' + Buffer.from(x).toString('hex'), '--reward', '0.5', ...dev(3), ...rpcArgs]);
      expect(sub.code, sub.stderr).to.equal(0);
      const taskId = sub.json().result as string;
      expect(taskId).to.match(/^0x[0-9a-f]{64}$/);
      const want = '0x' + Buffer.from(runInference(file, x, fromHex(taskId), 0n, 0n).outputCommitment).toString('hex');
      for (let t = 0; ; t++) {
        const task = await rpc.call<{ statusName: string }>('aivm.GetTask', { id: taskId });
        if (task.statusName === 'settled') break;
        if (t > 150) throw new Error(`task did not settle: ${task.statusName}\n${logs.join('')}`);
        await sleep(200);
      }
      const status = (await runCli(['aivm', 'status', taskId, ...rpcArgs])).json();
      expect(status.task.canonical).to.equal(want);
      expect(status.receipt.receipt).to.match(/^0x[0-9a-f]{710}$/);
      const ex = (await runCli(['aivm', 'export', taskId, ...rpcArgs])).json();
      expect(verifyReceiptProof(fromHex(ex.receiptHash), { index: ex.proof.index, siblings: ex.proof.siblings.map(fromHex) }, fromHex(ex.root))).to.equal(true);

      // The window is over: the CLI reports the named error in one line and exits 1, sending nothing.
      const late = await runCli(['aivm', 'challenge', taskId, '--claim', '0x' + '11'.repeat(32), ...dev(4), ...rpcArgs]);
      expect(late.code).to.equal(1);
      expect(late.stderr.trim().split('\n')[0]).to.match(/^error: ChallengeWindowClosed: /);

      const winner = status.task.post.challenger && status.task.canonical !== status.task.post.outputHash ? status.task.post.challenger : status.task.post.provider;
      const rewards = (await runCli(['aivm', 'rewards', '--address', winner, ...rpcArgs])).json();
      expect(BigInt(rewards.credit) > 0n).to.equal(true);
    } finally {
      rpc.close();
    }
  });

  it('bad input gets a one-line error and exit code 1', async () => {
    const cases = [
      ['aivm', 'submit', '--model', modelPath, '--input', '0x12', ...dev(3), ...rpcArgs],
      ['aivm', 'register', '--model', modelPath, '--stake', 'lots', ...dev(5), ...rpcArgs],
      ['aivm', 'register', '--model', modelPath, '--stake', '0.5', ...dev(5), ...rpcArgs],
      ['aivm', 'substantiate', '0x' + '11'.repeat(32), '--model', modelPath, ...dev(5), ...rpcArgs],
    ];
    const expected = [/--input must be 32 bytes/, /--stake must be an amount of LUX/, /StakeBelowMin/, /TaskUnknown/];
    for (const [i, args] of cases.entries()) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.stderr.split('\n')[0]).to.match(expected[i]!);
      expect(r.stderr).to.not.match(/\n\s+at /);
    }
  });
});

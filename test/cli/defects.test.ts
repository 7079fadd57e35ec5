/**
 * The CLI defects of issue 14, one test each (acceptance 3): one-line start-up errors, sends that
 * simulate first and name the fix (or --force), amounts with units, one receipt shape, vouchers in
 * files, secrets from files or the environment, --json on every read command, no silent rebuild,
 * signals through npx, the terminal log, and the replay progress total.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { devSigner, fileSource, RpcClient, sha256, signerFromSeed, toHex, utf8 } from '../../sdk/chain.js';
import { BIN, ROOT, freePort, removeDir, runCli, startDevnet, tempDir, type CliResult, type DevnetProcess } from '../helpers/processes.js';

const ONE = 10n ** 18n;
const oneLine = (r: CliResult) => {
  expect(r.stderr, 'no stack trace').to.not.match(/\n\s+at /);
  expect(r.stderr).to.match(/^error: /);
};

describe('CLI defects of the first hour (acceptance 3)', function () {
  this.timeout(300_000);
  let dir: string;
  let devnet: DevnetProcess;
  let cli: (args: string[], env?: Record<string, string>) => Promise<CliResult>;
  let rpc: RpcClient;

  before(async () => {
    dir = tempDir('cli-defects-');
    devnet = await startDevnet({ memory: true });
    rpc = new RpcClient(devnet.url);
    cli = (args, env = {}) => runCli([...args, '--rpc', devnet.url], { env: { HOME: dir, SESSIONCHAIN_OUTPUT: 'json', ...env } });
  });
  after(async () => {
    rpc?.close();
    await devnet?.stop();
    removeDir(dir);
  });

  it('start-up failures are one line: port in use, data dir locked, bad genesis', async () => {
    const taken = await runCli(['devnet', '--memory', '--port', String(devnet.port)]);
    expect(taken.code).to.equal(1);
    oneLine(taken);
    expect(taken.stderr).to.match(new RegExp(`^error: port ${devnet.port} is already in use\n  hint: stop the other process or pass --port N`));

    const data = join(dir, 'locked');
    const first = await startDevnet({ dataDir: data });
    try {
      const second = await runCli(['devnet', '--data-dir', data, '--port', String(await freePort())]);
      expect(second.code).to.equal(1);
      oneLine(second);
      expect(second.stderr).to.match(/StoreLocked/);
    } finally {
      await first.stop();
    }

    const bad = join(dir, 'bad-genesis.json');
    writeFileSync(bad, '{"chainId": "x"}');
    const badGenesis = await runCli(['devnet', '--memory', '--port', '0', '--genesis', bad]);
    expect(badGenesis.code).to.equal(1);
    oneLine(badGenesis);
    expect(badGenesis.stderr).to.contain(bad);
    expect(badGenesis.stderr).to.match(/hint: check it with `sessionchain genesis validate FILE`/);
    writeFileSync(bad, '{not json');
    const notJson = await runCli(['devnet', '--memory', '--port', '0', '--genesis', bad]);
    oneLine(notJson);
  });

  it('every sending command simulates first: a doomed call is refused with the fix and --force; --force sends it', async () => {
    const before = (await rpc.getAccount(devSigner(1).address)).nonce;
    const cases: [string[], RegExp, RegExp][] = [
      [['tx', 'lux', 'transfer', `to=${devSigner(2).address}`, 'amount=2000000LUX', '--dev', '1'], /^error: InsufficientBalance: /, /hint: fund the sender first/],
      [['work', 'node', 'register', '--dev', '1', '--endpoint', 'http://n1.example', '--stake', '10LUX'], /^error: InsufficientStake: /, /hint: stake at least the minimum \(service nodes: --stake 1000LUX/],
      [['worker', '--dev', '1', '--register', '--endpoint', 'http://n1.example', '--stake', '10', '--once'], /^error: InsufficientStake: /, /--stake 1000LUX/],
      [['work', 'create', '--service', 'weather', '--dev', '1'], /^error: NotEnoughNodes: /, /three `sessionchain worker --register/],
      [['escrow', 'open', '--payee', devSigner(2).address, '--deposit', '2000000000USD', '--dev', '1'], /^error: InsufficientBalance: /, /hint: /],
      [['aivm', 'register', '--spec', '0x' + '11'.repeat(32), '--stake', '0.5LUX', '--dev', '1'], /^error: StakeBelowMin: /, /hint: stake at least the minimum provider bond: --stake 1LUX/],
    ];
    for (const [args, error, hint] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).to.equal(1);
      oneLine(r);
      expect(r.stderr, args.join(' ')).to.match(error);
      expect(r.stderr, args.join(' ')).to.match(hint);
      expect(r.stderr, args.join(' ')).to.match(/pass --force to send it anyway/);
      expect(r.stdout, `${args.join(' ')}: nothing printed, nothing sent`).to.equal('');
    }
    expect((await rpc.getAccount(devSigner(1).address)).nonce, 'no transaction was sent').to.equal(before);

    // A task with fewer providers than its margin: the AIVM names the margin and how to add providers.
    const model = join(dir, 'model.bin');
    expect((await runCli(['aivm', 'model', 'new', '--out', model, '--seed', 'defects'])).code).to.equal(0);
    for (const args of [
      ['aivm', 'models', '--register', model, '--dev', '3'],
      ['aivm', 'register', '--model', model, '--stake', '1LUX', '--dev', '4'],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
    }
    const margin = await cli(['aivm', 'submit', '--model', model, '--input-text', 'x', '--dev', '3']);
    expect(margin.stderr).to.match(/^error: (EligibleBelowMargin|NotEnoughEligible): /);
    expect(margin.stderr).to.match(/optimistic: 3/);
    // The reference provider registers through a simulation too: a doomed registration stops it.
    const lowBond = await cli(['provider', '--model', model, '--stake', '0.5LUX', '--dev', '6']);
    expect(lowBond.code).to.equal(1);
    oneLine(lowBond);
    expect(lowBond.stderr).to.match(/^error: StakeBelowMin: .*\n {2}hint: stake at least the minimum provider bond: --stake 1LUX on the dev genesis\n$/);

    // --force sends it anyway: the receipt records the failure and the command exits 1.
    const forced = await cli(['tx', 'lux', 'transfer', `to=${devSigner(2).address}`, 'amount=2000000LUX', '--dev', '1', '--force']);
    expect(forced.code).to.equal(1);
    expect(forced.json()).to.include({ status: 0, error: 'InsufficientBalance' });
    expect(forced.stderr).to.match(/^error: transaction failed: InsufficientBalance/);
  });

  it('amounts are accepted with units (and raw integers) and shown with units', async () => {
    const to = signerFromSeed(sha256(utf8('defects/units')), 'ml-dsa-65').address;
    expect((await cli(['tx', 'lux', 'transfer', `to=${to}`, 'amount=1.5LUX', '--dev', '0'])).json().status).to.equal(1);
    expect((await cli(['tx', 'lux', 'transfer', JSON.stringify({ to, amount: '250wei' }), '--dev', '0'])).json().status).to.equal(1);
    expect((await cli(['tx', 'lux', 'transfer', JSON.stringify([to, '7']), '--dev', '0'])).json().status).to.equal(1);
    expect((await cli(['call', 'lux', 'balanceOf', to])).json()).to.equal(String(15n * ONE / 10n + 257n));
    const text = await cli(['call', 'lux', 'balanceOf', to], { SESSIONCHAIN_OUTPUT: 'text' });
    expect(text.stdout.trim()).to.equal(`1.500000000000000257 LUX  (${15n * ONE / 10n + 257n})`);

    const payee = devSigner(2, 'secp256k1').address;
    const opened = (await cli(['escrow', 'open', '--payee', payee, '--deposit', '2.5USD', '--dev', '0', '--out', join(dir, 'units-channel.json')])).json();
    const raw = (await cli(['escrow', 'topup', '--channel', join(dir, 'units-channel.json'), '--amount', '500000', '--dev', '0'])).json();
    expect([opened.status, raw.status]).to.deep.equal([1, 1]);
    const status = await cli(['escrow', 'status', '--channel', opened.result], { SESSIONCHAIN_OUTPUT: 'text' });
    expect(status.stdout).to.match(/deposit\s+3 DUSD\s+\(3000000\)/);
    const bad = await cli(['escrow', 'topup', '--channel', opened.result, '--amount', '2.5EUR', '--dev', '0']);
    oneLine(bad);
    expect(bad.stderr).to.match(/unknown unit "EUR" \(expected DUSD or USD\)/);
  });

  it('one receipt shape everywhere: tx, work, escrow, aivm and session commands print the node\'s receipt', async () => {
    const keysOf = (j: Record<string, unknown>) => Object.keys(j).sort();
    const viaRpc = keysOf(await rpc.call<Record<string, unknown>>('chain.GetReceipt', { hash: (await cli(['tx', 'lux', 'transfer', `to=${devSigner(3).address}`, 'amount=1wei', '--dev', '0'])).json().txHash }));
    const idFile = join(dir, 'id.json');
    expect((await runCli(['session', 'identity', '--out', idFile])).code).to.equal(0);
    const outputs = [
      await cli(['tx', 'lux', 'transfer', `to=${devSigner(3).address}`, 'amount=1wei', '--dev', '0']),
      await cli(['work', 'node', 'register', '--dev', '5', '--endpoint', 'http://n5.example', '--stake', '1000LUX']),
      await cli(['escrow', 'open', '--payee', devSigner(3).address, '--deposit', '1USD', '--dev', '5']),
      await cli(['aivm', 'rewards', '--claim', '--dev', '4', '--force']),
      await cli(['session', 'create', '--identity', idFile, '--with', idFile, '--dev', '5']),
    ];
    for (const r of outputs) {
      const j = r.json();
      expect(keysOf(j), r.stdout).to.deep.equal(keysOf({ ...j, ...Object.fromEntries(viaRpc.map((k) => [k, 1])) }));
      expect(keysOf(j).filter((k) => !viaRpc.includes(k)), 'no extra keys').to.deep.equal([]);
      expect(viaRpc.filter((k) => !keysOf(j).includes(k) && k !== 'index' && k !== 'blockHash'), 'no missing keys').to.deep.equal([]);
    }
  });

  it('vouchers go to a file (--out) and settle/close take it (--signature-file)', async () => {
    const payee = devSigner(6, 'secp256k1');
    const channel = join(dir, 'v-channel.json');
    const voucher = join(dir, 'voucher.json');
    expect((await cli(['escrow', 'open', '--payee', payee.address, '--deposit', '5USD', '--out', channel, '--dev', '7'])).code).to.equal(0);
    const signed = await cli(['escrow', 'voucher', '--channel', channel, '--amount', '1.25USD', '--out', voucher, '--dev', '7']);
    expect(signed.code, signed.stderr).to.equal(0);
    expect(signed.stdout).to.not.match(/0x07[0-9a-f]{100}/); // the 3,309-byte signature stays in the file
    expect(statSync(voucher).mode & 0o777).to.equal(0o600);
    const file = JSON.parse(readFileSync(voucher, 'utf8'));
    expect(file).to.include({ cumulativeAmount: '1250000', scheme: 'ml-dsa-65' });
    const settled = await cli(['escrow', 'settle', '--channel', channel, '--signature-file', voucher, '--dev', '6', '--scheme', 'secp256k1']);
    expect(settled.json().status, settled.stderr).to.equal(1);
    // A file holding only the signature works with --amount.
    const sigOnly = join(dir, 'sig.txt');
    const second = (await cli(['escrow', 'voucher', '--channel', channel, '--amount', '2USD', '--dev', '7'])).json();
    writeFileSync(sigOnly, second.signature + '\n');
    const closed = await cli(['escrow', 'close', '--channel', channel, '--signature-file', sigOnly, '--amount', '2USD', '--dev', '6', '--scheme', 'secp256k1']);
    expect(closed.json().events.map((e: { name: string }) => e.name)).to.include('ChannelClosed');
    const missing = await cli(['escrow', 'settle', '--channel', channel, '--signature-file', join(dir, 'nope.json'), '--dev', '6']);
    oneLine(missing);
  });

  it('secrets come from files or the environment, never only from the command line', async () => {
    const seed = toHex(sha256(utf8('defects/seed')));
    const address = signerFromSeed(sha256(utf8('defects/seed')), 'ml-dsa-65').address;
    await cli(['tx', 'lux', 'transfer', `to=${address}`, 'amount=1LUX', '--dev', '0']);
    const seedFile = join(dir, 'seed.hex');
    writeFileSync(seedFile, seed.slice(2) + '\n', { mode: 0o600 });
    const fromFile = await cli(['tx', 'lux', 'transfer', `to=${devSigner(0).address}`, 'amount=1wei', '--seed-file', seedFile]);
    expect(fromFile.json().status, fromFile.stderr).to.equal(1);
    const fromEnv = await cli(['tx', 'lux', 'transfer', `to=${devSigner(0).address}`, 'amount=1wei'], { SESSIONCHAIN_SEED: seed });
    expect(fromEnv.json().status, fromEnv.stderr).to.equal(1);
    expect((await rpc.getAccount(address)).nonce).to.equal('2');
    const nodeFile = await runCli(['work', 'node', 'id', '--node-seed-file', seedFile, '--json']);
    const nodeEnv = await runCli(['work', 'node', 'id', '--json'], { env: { SESSIONCHAIN_NODE_SEED: seed } });
    expect(nodeFile.json().nodeId).to.equal(nodeEnv.json().nodeId);
    // Passphrases: --password-file or SESSIONCHAIN_PASSWORD; keys import takes --seed-file.
    const home = { SESSIONCHAIN_HOME: join(dir, 'sc-home'), SESSIONCHAIN_PASSWORD: 'pw from env' };
    const imported = await runCli(['keys', 'import', '--name', 'k', '--seed-file', seedFile, '--scrypt-n', '4096', '--json'], { env: home });
    expect(imported.json().address, imported.stderr).to.equal(address);
    const none = await runCli(['keys', 'new', '--name', 'k2', '--json'], { env: { SESSIONCHAIN_HOME: join(dir, 'sc-home') } });
    oneLine(none);
    expect(none.stderr).to.match(/hint: pass --password-file FILE or set SESSIONCHAIN_PASSWORD/);
  });

  it('--json on every command that prints a result', async () => {
    const program = new Command('sessionchain');
    for (const m of ['devnet', 'keys', 'tx', 'data', 'genesis', 'session', 'work', 'worker', 'escrow', 'aivm', 'provider', 'serve-inference', 'pay']) (await import(`../../bin/commands/${m}.js`)).register(program);
    const leaves: Command[] = [];
    const walk = (c: Command) => (c.commands.length === 0 ? leaves.push(c) : c.commands.forEach(walk));
    program.commands.forEach(walk);
    const servers = ['devnet', 'provider', 'serve-inference']; // long-running; they log instead of printing a result
    const missing = leaves.filter((c) => !servers.includes(c.name()) && !c.options.some((o) => o.long === '--json')).map((c) => `${c.parent?.name()} ${c.name()}`);
    expect(missing).to.deep.equal([]);
    expect(leaves.length).to.be.greaterThan(50);
  });

  it('the wrapper never rebuilds silently: running from the sources says so first', async () => {
    const fake = join(dir, 'fake-install');
    mkdirSync(join(fake, 'bin'), { recursive: true });
    copyFileSync(BIN, join(fake, 'bin', 'sessionchain'));
    writeFileSync(join(fake, 'package.json'), JSON.stringify({ type: 'module' }));
    const r = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, [join(fake, 'bin', 'sessionchain'), '--version'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SESSIONCHAIN_FROM_SOURCE: '' } });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('close', () => resolve(err));
    });
    expect(r.split('\n')[0]).to.equal('sessionchain: dist/ is not built; running the TypeScript sources through ts-node (slow). Run `npm run build` once to start fast.');
    expect(existsSync(join(ROOT, 'dist', 'bin', 'cli.js')), 'npm ci builds dist/ (prepare)').to.equal(true);
  });

  it('signals reach the node: a devnet started through npx stops when npx is killed', async function () {
    this.timeout(90_000);
    const port = await freePort();
    // npm exec runs `sh -c 'sessionchain …'` with npm_command=exec and does not pass signals on. The
    // shell leads its own process group here, so the test can clean up whatever happens.
    const launcher = spawn(
      process.execPath,
      ['-e', `const c = require('child_process').spawn('sh', ['-c', process.argv[1]], { stdio: 'inherit', detached: true }); console.error('group ' + c.pid); setInterval(() => {}, 1000);`, `"${process.execPath}" "${BIN}" devnet --memory --quiet --port ${port}`],
      { env: { ...process.env, npm_command: 'exec' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let group = 0;
    launcher.stderr!.on('data', (d) => (group ||= Number(/group (\d+)/.exec(String(d))?.[1] ?? 0)));
    const closed = new Promise<void>((r) => launcher.stdout!.on('close', () => r()));
    try {
      await new Promise<void>((resolve, reject) => {
        launcher.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('Listening on')) resolve();
        });
        launcher.once('exit', () => reject(new Error(`launcher exited early:\n${out}`)));
      });
      launcher.removeAllListeners('exit');
      launcher.kill('SIGKILL');
      await closed; // the node held the pipe: it closes when the node has exited
      expect(out).to.match(/npx exited: shutting down/);
    } finally {
      try {
        if (group) process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const again = await startDevnet({ memory: true, args: ['--port', String(port)] });
    await again.stop(); // the port is free again
  });

  it('an anvil-like log: RPC calls with their time, transactions, blocks; --log-format json; --quiet', async () => {
    // startDevnet passes --quiet: these devnets are started here, with the log.
    const runLogged = async (extra: string[]) => {
      const port = await freePort();
      const p = spawn(process.execPath, [BIN, 'devnet', '--memory', '--port', String(port), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      await new Promise<void>((r) => p.stdout!.on('data', () => (/Listening on|"listening"/.test(out) ? r() : undefined)));
      const r = await runCli(['tx', 'lux', 'transfer', `to=${devSigner(1).address}`, 'amount=1LUX', '--dev', '0', '--rpc', `http://127.0.0.1:${port}`, '--json']);
      expect(r.code, r.stderr).to.equal(0);
      const hash = r.json().txHash as string;
      const exited = new Promise<void>((res) => p.on('exit', () => res()));
      p.kill('SIGTERM');
      await exited;
      return { out, hash };
    };
    const t = await runLogged([]);
    expect(t.out).to.match(/^rpc {4}chain\.EstimateGas +\d+\.\d\d ms$/m);
    expect(t.out).to.match(/^rpc {4}chain\.SendTransaction +\d+\.\d\d ms$/m);
    expect(t.out).to.match(new RegExp(`^tx {5}${t.hash} {2}lux\\.transfer {2}success {2}gas [\\d,]+$`, 'm'));
    expect(t.out).to.match(/^block {2}#1 {2}0x[0-9a-f]{64} {2}1 tx {2}gas [\d,]+$/m);
    const j = await runLogged(['--log-format', 'json']);
    const lines = j.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).to.include({ kind: 'info', message: 'listening' });
    expect(lines.find((l) => l.kind === 'tx')).to.include({ hash: j.hash, method: 'lux.transfer', status: 1 });
    expect(lines.find((l) => l.kind === 'block')).to.include({ height: 1, txs: 1 });
    expect(lines.filter((l) => l.kind === 'rpc').map((l) => l.method)).to.include('chain.SendTransaction');
    const q = await runLogged(['--quiet']);
    expect(q.out).to.not.match(/^(rpc|tx|block) /m);
  });

  it('replay --file knows how many blocks the file holds (the progress bar total)', async () => {
    const file = join(dir, 'blocks.scb');
    const head = await rpc.head();
    const exported = await cli(['export', '--out', file]);
    expect(exported.json().blocks).to.equal(head.height);
    const src = fileSource(file);
    try {
      expect(src.lastHeight).to.equal(BigInt(head.height));
      let n = 0;
      for await (const _ of src.records(1n)) n++;
      expect(n).to.equal(head.height); // counting did not move the reader
    } finally {
      await src.close();
    }
  });
});

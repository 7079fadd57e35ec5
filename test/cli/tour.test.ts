import { expect } from 'chai';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { runCli, startDevnet, tempDir, removeDir, type DevnetProcess } from '../helpers/processes.js';

describe('CLI tour: keys → tx → call → export → replay (acceptance 2)', function () {
  this.timeout(180_000);
  let dir: string;
  let devnet: DevnetProcess;
  let env: Record<string, string>;

  before(async () => {
    dir = tempDir();
    env = { SESSIONCHAIN_HOME: join(dir, 'home') };
    devnet = await startDevnet({ dataDir: join(dir, 'data') });
  });
  after(async () => {
    await devnet?.stop();
    removeDir(dir);
  });

  it('creates a key, funds it, queries it, exports the blocks and replays them to the same state root', async () => {
    const rpc = ['--rpc', devnet.url];
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'correct horse battery staple\n');

    const created = await runCli(['keys', 'new', '--name', 'alice', '--password-file', pw, '--scrypt-n', '4096'], { env });
    expect(created.code, created.stderr).to.equal(0);
    const alice = created.json().address as string;
    expect(alice).to.match(/^0x[0-9a-f]{40}$/);

    const listed = await runCli(['keys', 'list'], { env });
    expect(listed.json()).to.deep.equal([{ name: 'alice', address: alice, scheme: 'ml-dsa-65' }]);

    const funded = await runCli(['tx', 'lux', 'transfer', JSON.stringify({ to: alice, amount: '2500000000000000000' }), '--dev', '0', ...rpc], { env });
    expect(funded.code, funded.stderr).to.equal(0);
    expect(funded.json().status).to.equal(1);

    const bal = await runCli(['call', 'lux', 'balanceOf', alice, ...rpc], { env });
    expect(bal.json()).to.equal('2500000000000000000');

    // Alice spends from her encrypted key.
    const back = await runCli(['tx', 'lux', 'transfer', '["0x77d3291ab8db63a6d280a543a588a4d350eb0beb", "1000"]', '--key', 'alice', '--password-file', pw, ...rpc], { env });
    expect(back.code, back.stderr).to.equal(0);
    expect(back.json().status).to.equal(1);

    // A failing transaction prints its receipt and exits 1 with the named error.
    const tooMuch = await runCli(['tx', 'lux', 'transfer', JSON.stringify({ to: alice, amount: '1' + '0'.repeat(40) }), '--dev', '1', '--gas-limit', '300000', ...rpc], { env });
    expect(tooMuch.code).to.equal(1);
    expect(tooMuch.stderr).to.match(/InsufficientBalance/);

    const head = (await runCli(['rpc', 'chain.Head', ...rpc], { env })).json();
    const file = join(dir, 'blocks.scb');
    const exported = await runCli(['export', '--out', file, ...rpc], { env });
    expect(exported.code, exported.stderr).to.equal(0);
    expect(exported.json().blocks).to.equal(head.height);

    const replayed = await runCli(['replay', '--file', file, '--into', join(dir, 'replayed')], { env });
    expect(replayed.code, replayed.stderr).to.equal(0);
    expect(replayed.json().stateRoot).to.equal(head.stateRoot);
    expect(replayed.json().height).to.equal(head.height);

    // The replayed data dir is a working node with the same state.
    const again = await startDevnet({ dataDir: join(dir, 'replayed') });
    try {
      const b2 = await runCli(['call', 'lux', 'balanceOf', alice, '--rpc', again.url], { env });
      const fee = BigInt(back.json().gasUsed) * 1_000_000_000n; // the chain's minimum gas price
      expect(b2.json()).to.equal(String(2_500_000_000_000_000_000n - fee - 1000n));
    } finally {
      await again.stop();
    }
  });

  it('errors are one line with a hint, and every command has --help', async () => {
    const noSigner = await runCli(['tx', 'lux', 'transfer', '[]', '--rpc', devnet.url], { env });
    expect(noSigner.code).to.equal(1);
    expect(noSigner.stderr).to.match(/^error: no signer chosen\n {2}hint: pass --key NAME/);
    const unreachable = await runCli(['call', 'lux', 'totalSupply', '--rpc', 'http://127.0.0.1:1'], { env });
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.match(/cannot reach a node/);
    const badModule = await runCli(['call', 'nope', 'x'], { env });
    expect(badModule.stderr).to.match(/unknown module "nope"/);
    for (const cmd of [[], ['devnet'], ['keys'], ['keys', 'new'], ['tx'], ['call'], ['rpc'], ['export'], ['import'], ['replay'], ['genesis', 'write']]) {
      const h = await runCli([...cmd, '--help'], { env });
      expect(h.code, cmd.join(' ')).to.equal(0);
      expect(h.stdout).to.match(/Usage: sessionchain/);
    }
  });
});

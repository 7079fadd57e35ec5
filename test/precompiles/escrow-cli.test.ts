/**
 * Acceptance 4: a devnet tour with only the CLI. A `sessionchain devnet` process runs; every step
 * is a `sessionchain` command: open a channel in the dev stablecoin, sign three vouchers, settle
 * the second, close with the third, and watch the balances move. Then the payer's forced exit
 * (request-close → wait out the grace period → withdraw) and the CLI's refusals.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { devSigner } from '../../sdk/chain.js';
import { DEV_STABLECOIN_ADDRESS } from '../../sdk/precompiles/index.js';
import { removeDir, runCli, startDevnet, tempDir, type CliResult, type DevnetProcess } from '../helpers/processes.js';

describe('sessionchain escrow (CLI tour on a devnet process)', function () {
  this.timeout(240_000);
  let devnet: DevnetProcess;
  let dir: string;
  let cli: (args: string[]) => Promise<CliResult>;
  const ok = (r: CliResult) => {
    expect(r.code, `${r.stderr}\n${r.stdout}`).to.equal(0);
    return r.json();
  };
  const failed = (r: CliResult, name: string) => {
    expect(r.code, r.stdout).to.equal(1);
    expect(r.stderr).to.contain(name);
  };

  before(async () => {
    dir = tempDir('escrow-cli-');
    devnet = await startDevnet({ memory: true });
    cli = (args) => runCli([...args, '--rpc', devnet.url]);
  });
  after(async () => {
    await devnet?.stop();
    removeDir(dir);
  });

  it('open → three vouchers → settle the second → close with the third, balances move as expected', async () => {
    const payer = devSigner(1, 'ml-dsa-65').address;
    const payee = devSigner(2, 'ml-dsa-65').address;
    const balances = async () => {
      const b = await Promise.all([payer, payee].map((a) => cli(['call', DEV_STABLECOIN_ADDRESS, 'balanceOf', a])));
      return b.map((r) => BigInt(ok(r) as string));
    };
    const [payer0, payee0] = await balances();

    const opened = ok(await cli(['escrow', 'open', '--payee', payee, '--deposit', '1000000', '--dev', '1', '--out', join(dir, 'channel.json')]));
    // The node's receipt, as every sending command prints it: the result is the channel id.
    expect(opened.status).to.equal(1);
    const channelId = opened.result as string;
    const file = JSON.parse(readFileSync(join(dir, 'channel.json'), 'utf8'));
    expect(file.channelId).to.equal(channelId);
    expect(file.descriptor).to.include({ payer, payee, token: DEV_STABLECOIN_ADDRESS });

    // Three vouchers, signed by the payer (ML-DSA-65, the default scheme); nothing is sent.
    const vouchers = await Promise.all(['100000', '250000', '400000'].map(async (amount) => ok(await cli(['escrow', 'voucher', '--channel', channelId, '--amount', amount, '--dev', '1']))));
    for (const v of vouchers) expect(v).to.include({ channelId, signer: payer, scheme: 'ml-dsa-65' });
    expect(vouchers[1].signature).to.match(/^0x07[0-9a-f]+$/);

    const settled = ok(await cli(['escrow', 'settle', '--channel', channelId, '--amount', '250000', '--signature', vouchers[1].signature, '--dev', '2']));
    expect(settled.status).to.equal(1);
    const mid = ok(await cli(['escrow', 'status', '--channel', join(dir, 'channel.json')]));
    expect(mid).to.deep.include({ channelId, open: true, unsettled: '750000' });
    expect(mid.state).to.deep.equal({ settled: '250000', deposit: '1000000', closeRequestedAt: 0 });
    expect(await balances()).to.deep.equal([payer0! - 1_000_000n, payee0! + 250_000n]);

    // The first voucher is below what is settled: the chain refuses it by name.
    failed(await cli(['escrow', 'settle', '--channel', channelId, '--amount', '100000', '--signature', vouchers[0].signature, '--dev', '2']), 'AmountNotIncreasing');

    const closed = ok(await cli(['escrow', 'close', '--channel', channelId, '--amount', '400000', '--signature', vouchers[2].signature, '--dev', '2']));
    expect(closed.events.map((e: { name: string }) => e.name)).to.include('ChannelClosed');
    const end = ok(await cli(['escrow', 'status', '--channel', channelId]));
    expect(end).to.deep.include({ open: false });
    expect(end.state).to.deep.equal({ settled: '0', deposit: '0', closeRequestedAt: 0 });
    expect(end.balances).to.deep.include({ escrow: '0' });
    // The payee got 400 000 in all; the payer paid exactly that (gas is paid in LUX, not in the token).
    expect(await balances()).to.deep.equal([payer0! - 400_000n, payee0! + 400_000n]);
  });

  it('forced close: request-close, withdraw refused before the grace period, refunded after it', async () => {
    const payee = devSigner(4, 'secp256k1').address;
    const as3 = ['--dev', '3', '--scheme', 'secp256k1'];
    const opened = ok(await cli(['escrow', 'open', '--payee', payee, '--deposit', '500000', ...as3]));
    const channelId = opened.result as string;
    ok(await cli(['escrow', 'topup', '--channel', channelId, '--amount', '250000', ...as3]));
    // Only the payer may ask to close.
    failed(await cli(['escrow', 'request-close', '--channel', channelId, '--dev', '4', '--scheme', 'secp256k1']), 'NotPayer');
    ok(await cli(['escrow', 'request-close', '--channel', channelId, ...as3]));
    const pending = ok(await cli(['escrow', 'status', '--channel', channelId]));
    // The escrow.* RPC family answers over HTTP too.
    expect(ok(await cli(['rpc', 'escrow.ComputeChannelId', JSON.stringify(pending.descriptor)]))).to.equal(channelId);
    expect(pending.state.deposit).to.equal('750000');
    expect(pending.withdrawableAt).to.equal(pending.state.closeRequestedAt + 900);
    failed(await cli(['escrow', 'withdraw', '--channel', channelId, ...as3]), 'CloseNotReady');
    ok(await cli(['rpc', 'dev.IncreaseTime', '[900]']));
    const withdrawn = ok(await cli(['escrow', 'withdraw', '--channel', channelId, ...as3]));
    expect(withdrawn.status).to.equal(1);
    expect(ok(await cli(['escrow', 'status', '--channel', channelId])).open).to.equal(false);
  });

  it('refuses bad input with one line that says what to do, and sends nothing', async () => {
    const payee = devSigner(2, 'secp256k1').address;
    for (const deposit of ['1.5', '-1', '1e6', ' 10', String(1n << 96n)]) {
      const r = await cli(['escrow', 'open', '--payee', payee, '--deposit', deposit, '--dev', '1', '--scheme', 'secp256k1']);
      expect(r.code, deposit).to.equal(1);
      expect(r.stderr, deposit).to.match(/^error: --deposit/);
      expect(r.stderr).to.not.contain('    at ');
    }
    const unknown = await cli(['escrow', 'status', '--channel', '0x' + 'ab'.repeat(32)]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.contain('no ChannelOpened event');
    // A voucher from a key that is not the channel's signer is refused before anything is printed.
    const opened = ok(await cli(['escrow', 'open', '--payee', payee, '--deposit', '10', '--dev', '1', '--scheme', 'secp256k1']));
    const wrong = await cli(['escrow', 'voucher', '--channel', opened.result, '--amount', '5', '--dev', '2', '--scheme', 'secp256k1']);
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.contain('cannot sign vouchers');
  });
});

/**
 * Acceptance 4: the server is a `sessionchain serve-inference` PROCESS on a classic-level store.
 * SIGKILL it mid-stream and restart it on the same store: no accepted voucher is lost, no unit is
 * charged twice (what the payee finally collects is at most what was delivered), and the stream
 * resumes on the same channel. A second process on the same store is refused (LevelDB LOCK). After
 * the store is deleted, a fresh server recovers the channel from chain state and serves it again.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devSigner } from '../../sdk/chain.js';
import { RpcClient } from '../../sdk/index.js';
import { SessionManager, parseSessionRequest } from '../../payments/index.js';
import { BIN, freePort, removeDir, ROOT, runCli, startDevnet, tempDir, type DevnetProcess } from '../helpers/processes.js';
import { MODEL, row } from './harness.js';

const PRICE = 5n;

interface ServerProcess {
  proc: ChildProcess;
  output(): string;
  kill(): Promise<void>;
}

async function startServer(args: string[]): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve-inference', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve-inference did not start:\n${out}`)), 120_000);
    proc.stdout!.on('data', () => {
      if (out.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve-inference exited with ${code}:\n${out}`));
    });
  });
  return {
    proc,
    output: () => out,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

describe('payments: crash and recovery of the server process (acceptance 4)', function () {
  this.timeout(600_000);
  let devnet: DevnetProcess;
  let dir: string;
  let rpc: RpcClient;
  let server: ServerProcess | undefined;
  let pay: SessionManager;
  let port: number;
  let args: (store: string) => string[];

  before(async () => {
    dir = tempDir('payments-crash-');
    devnet = await startDevnet({ memory: true });
    rpc = new RpcClient(devnet.url);
    writeFileSync(join(dir, 'model.bin'), MODEL);
    port = await freePort();
    args = (store) => ['--model', join(dir, 'model.bin'), '--price', String(PRICE), '--port', String(port), '--rpc', devnet.url, '--store', store, '--settle-units', '40', '--dev', '7', '--scheme', 'secp256k1'];
    pay = new SessionManager({ signer: devSigner(6, 'secp256k1'), rpc: devnet.url, deposit: PRICE * 500n });
  });
  after(async () => {
    await server?.kill();
    pay?.closeConnections();
    rpc?.close();
    await devnet?.stop();
    removeDir(dir);
  });

  const url = () => `http://127.0.0.1:${port}/v1/infer`;
  /** The server's view of our channel, from the snapshot in a 402 (Payment-Session hint). */
  async function serverView(channelId: string) {
    const c = await pay.probe(url(), channelId as never);
    return parseSessionRequest(c.request).sessionSnapshot;
  }

  it('SIGKILL mid-stream, restart on the same store: nothing accepted is lost, nothing charged twice, the stream resumes', async () => {
    const store = join(dir, 'store');
    server = await startServer(args(store));
    // A second server on the same store is refused by the LevelDB lock, with a named message.
    const second = await runCli(['serve-inference', ...args(store).map((a) => (a === String(port) ? '0' : a))]);
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain('in use by another process');

    let received = 0;
    const victim = server;
    const inputs = Array.from({ length: 300 }, (_, i) => row(i));
    const first = await pay
      .sse(`${url()}/stream`, JSON.stringify({ inputs }), {
        onMessage: () => {
          if (++received === 100) void victim.kill();
        },
      })
      .catch((e: Error) => e);
    const entry = pay.store.all()[0]!;
    const channelId = entry.channelId;
    const acknowledged = entry.accepted; // the highest voucher a server receipt confirmed
    expect(received).to.be.at.least(100).and.below(300);
    if (!(first instanceof Error)) expect(first.receipt, 'a killed stream ends without its final receipt').to.equal(undefined);

    server = await startServer(args(store));
    const view = (await serverView(channelId))!;
    expect(view.channelId).to.equal(channelId);
    expect(view.acceptedCumulative >= acknowledged, `accepted ${view.acceptedCumulative} ≥ acknowledged ${acknowledged}`).to.equal(true);
    expect(view.spent <= BigInt(received) * PRICE, 'never charged beyond what was delivered').to.equal(true);
    expect(view.spent >= BigInt(received - 1) * PRICE, 'at most the unit in flight went uncharged').to.equal(true);

    // The stream resumes on the same channel with the rows not yet delivered.
    const rest = await pay.sse(`${url()}/stream`, JSON.stringify({ inputs: inputs.slice(received) }));
    expect(rest.channelId).to.equal(channelId);
    expect(rest.messages).to.have.length(300 - received);
    const { receipt } = await pay.close(url());
    const paid = BigInt(receipt.spent);
    expect(paid <= 300n * PRICE && paid >= 299n * PRICE, `payee collects ${paid} for 300 delivered units`).to.equal(true);
    const closed = (await rpc.getReceipt(receipt.txHash!))!.events.find((e) => e.name === 'ChannelClosed')!;
    expect(closed.args).to.deep.include({ settledToPayee: receipt.spent });
  });

  it('a server whose store was deleted recovers the channel from chain state', async () => {
    // A new channel, partly settled by the scheduler (every 40 units).
    const r = await pay.sse(`${url()}/stream`, JSON.stringify({ inputs: Array.from({ length: 60 }, (_, i) => row(1000 + i)) }));
    const channelId = r.channelId;
    await server!.kill();
    removeDir(join(dir, 'store'));
    server = await startServer(args(join(dir, 'store')));
    const settled = BigInt((await rpc.call<{ settled: string }>('escrow.GetChannelState', { channelId })).settled);
    expect(settled > 0n, 'the old server settled part of the channel').to.equal(true);
    // The client's next voucher is accepted again; the new server rebuilt the channel from chain.
    const again = await pay.fetch(url(), { body: JSON.stringify({ input: row(2000) }) });
    expect(again.channelId).to.equal(channelId);
    const view = (await serverView(channelId))!;
    expect(view.settled).to.equal(settled);
    const { receipt } = await pay.close(url());
    expect(receipt.channelId).to.equal(channelId);
    expect(BigInt(receipt.spent) >= settled).to.equal(true);
    expect(await rpc.call('escrow.GetChannelState', { channelId })).to.deep.equal({ settled: '0', deposit: '0', closeRequestedAt: 0 });
  });
});

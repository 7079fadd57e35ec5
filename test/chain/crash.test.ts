import { expect } from 'chai';
import {
  Chain,
  RpcClient,
  Store,
  VerifierPool,
  devSigner,
  replayInto,
  signTx,
  storeSource,
  toHex,
  type Signer,
} from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';
import { luxModule } from '../../vm/lux.js';
import { builtinModules, loadGenesis } from '../../genesis/index.js';
import { startDevnet, tempDir, removeDir, type DevnetProcess } from '../helpers/processes.js';

interface Ack {
  hash: string;
  height: number;
  status: number;
}

/** Keeps `signers` sending transfers (waiting for receipts) until the node goes away. */
function load(url: string, signers: Signer[], acks: Ack[]): { stop(): void; done: Promise<void> } {
  let running = true;
  const client = new RpcClient(url, { timeoutMs: 10_000 });
  const chainIdP = client.chainId();
  const worker = async (s: Signer) => {
    const chainId = BigInt(await chainIdP);
    let nonce = BigInt((await client.getAccount(s.address)).pendingNonce);
    while (running) {
      const tx = signTx(
        { chainId, nonce, from: s.address, to: LUX_ADDRESS, method: 'transfer', args: luxModule.methods.transfer!.args.encode({ to: devSigner(9).address, amount: 1n }) as never, gasLimit: 200_000n, gasPrice: 1_000_000_000n },
        s,
      );
      const r = await client.sendTransaction(tx.raw, { wait: true });
      acks.push({ hash: r.hash, height: r.receipt!.height!, status: r.receipt!.status });
      nonce++;
    }
  };
  const done = Promise.all(signers.map((s) => worker(s).catch(() => {}))).then(() => client.close());
  return { stop: () => (running = false), done };
}

async function replayRoot(dataDir: string): Promise<{ height: bigint; root: string }> {
  const src = await storeSource(await Store.open({ path: dataDir }));
  const chain = await Chain.open({ store: await Store.open(), genesis: loadGenesis(JSON.parse(src.genesisJson)), modules: builtinModules(), explicitGenesis: true });
  const verifier = new VerifierPool({ threads: 0 });
  try {
    const r = await replayInto(chain, verifier, src);
    return { height: r.height, root: toHex(r.stateRoot) };
  } finally {
    await verifier.close();
    await chain.close();
    await src.close();
  }
}

async function checkAcks(url: string, acks: Ack[]): Promise<void> {
  const c = new RpcClient(url);
  try {
    for (const a of acks) {
      const r = await c.getReceipt(a.hash);
      expect(r, `acknowledged transaction ${a.hash} is missing after the crash`).to.not.equal(null);
      expect(r!.height).to.equal(a.height);
      expect(r!.status).to.equal(a.status);
    }
  } finally {
    c.close();
  }
}

describe('crash recovery (classic-level, real processes)', function () {
  this.timeout(240_000);
  let dir: string;
  let proc: DevnetProcess | undefined;
  before(() => (dir = tempDir()));
  afterEach(async () => proc?.kill());
  after(() => removeDir(dir));

  it('SIGKILL during block production: restart at a consistent head equal to a replay, with every acknowledged tx', async () => {
    const signers = [0, 1, 2, 3].map((i) => devSigner(i, 'secp256k1'));
    const acks: Ack[] = [];
    for (let round = 0; round < 3; round++) {
      proc = await startDevnet({ dataDir: dir });
      const before = acks.length;
      const l = load(proc.url, signers, acks);
      while (acks.length < before + 4) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50 + round * 150)); // kill somewhere in the middle of production
      await proc.kill();
      l.stop();
      await l.done;
    }
    expect(acks.length).to.be.greaterThan(10);
    proc = await startDevnet({ dataDir: dir });
    await checkAcks(proc.url, acks);
    const head = await new RpcClient(proc.url).head();
    await proc.stop();
    proc = undefined;
    const replayed = await replayRoot(dir);
    expect(Number(replayed.height)).to.equal(head.height);
    expect(replayed.root).to.equal(head.stateRoot);
  });

  it('SIGKILL during start-up, three times in a row: the fourth start serves the same head (scenario 3)', async () => {
    const d = tempDir();
    try {
      proc = await startDevnet({ dataDir: d });
      const l = load(proc.url, [devSigner(7, 'secp256k1')], []);
      await new Promise((r) => setTimeout(r, 500));
      l.stop();
      await l.done;
      const head = await new RpcClient(proc.url).head();
      await proc.stop();
      for (let i = 0; i < 3; i++) {
        const { spawn } = await import('node:child_process');
        const { BIN, ROOT } = await import('../helpers/processes.js');
        const child = spawn(process.execPath, [BIN, 'devnet', '--data-dir', d, '--port', '0', '--quiet'], { cwd: ROOT, stdio: 'ignore' });
        await new Promise((r) => setTimeout(r, 150 + i * 250));
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
      proc = await startDevnet({ dataDir: d });
      const again = await new RpcClient(proc.url).head();
      expect(again.height).to.equal(head.height);
      expect(again.stateRoot).to.equal(head.stateRoot);
    } finally {
      await proc?.stop();
      proc = undefined;
      removeDir(d);
    }
  });

  it('a second process on the same data dir fails with the LOCK message and leaves the first serving (scenario 6)', async () => {
    const d = tempDir();
    try {
      proc = await startDevnet({ dataDir: d });
      const { runCli } = await import('../helpers/processes.js');
      const second = await runCli(['devnet', '--data-dir', d, '--port', '0', '--quiet']);
      expect(second.code).to.not.equal(0);
      expect(second.stderr).to.match(/error: StoreLocked: the data dir .* is in use by another process \(LevelDB lock held\)/);
      const c = new RpcClient(proc.url);
      expect(await c.chainId()).to.equal(1337);
      c.close();
    } finally {
      await proc?.stop();
      proc = undefined;
      removeDir(d);
    }
  });

  for (const point of ['before-batch:3', 'after-batch:3', 'after-commit:3', 'before-response:6']) {
    it(`crash at fail point ${point}: the head is the old or the new block, and equals a replay`, async () => {
      const d = tempDir();
      try {
        proc = await startDevnet({ dataDir: d, env: { SESSIONCHAIN_FAIL_POINT: point } });
        const acks: Ack[] = [];
        const l = load(proc.url, [devSigner(5, 'secp256k1'), devSigner(6, 'secp256k1')], acks);
        await new Promise<void>((r) => proc!.proc.once('exit', () => r()));
        l.stop();
        await l.done;
        expect(proc.output()).to.include(`[failpoint] crashing at ${point.split(':')[0]}`);
        proc = await startDevnet({ dataDir: d });
        await checkAcks(proc.url, acks);
        const head = await new RpcClient(proc.url).head();
        expect(head.height).to.be.at.least(1); // blocks written before the crash are kept
        await proc.stop();
        proc = undefined;
        const replayed = await replayRoot(d);
        expect(replayed.root).to.equal(head.stateRoot);
      } finally {
        removeDir(d);
      }
    });
  }
});

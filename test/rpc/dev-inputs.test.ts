/**
 * Issue 12, "a data dir can be bricked for good": every dev.* method driven with extreme values over
 * HTTP. Each is refused with -32602 and a named reason and changes nothing; then the chain mines,
 * restarts on the same classic-level directory and mines again, with every block time in range.
 */
import { expect } from 'chai';
import { Node, RpcServer, startNode, MAX_BLOCK_TIMESTAMP_MS, MAX_DEV_TIMESTAMP_MS, devSigner, createDevChain, builtinModules, devGenesis } from '../../sdk/chain.js';
import { removeDir, tempDir } from '../helpers/processes.js';
import { rpcCall, rpcResult } from '../helpers/jsonrpc.js';

const U64_MAX = ((1n << 64n) - 1n).toString();
const U256_MAX = (1n << 256n) - 1n;
const who = devSigner(3).address;

/** [method, params, the name the refusal must carry] */
const EXTREMES: [string, unknown[], string][] = [
  ['dev.SetNextBlockTimestamp', [U64_MAX], 'TimestampOutOfRange'],
  ['dev.SetNextBlockTimestamp', [(MAX_BLOCK_TIMESTAMP_MS + 1n).toString()], 'TimestampOutOfRange'],
  ['dev.SetNextBlockTimestamp', [(MAX_DEV_TIMESTAMP_MS + 1n).toString()], 'TimestampOutOfRange'],
  ['dev.SetNextBlockTimestamp', ['1'], 'TimestampOutOfRange'], // before the head
  ['dev.SetNextBlockTimestamp', [-1], 'TimestampOutOfRange'],
  ['dev.SetNextBlockTimestamp', [1.5], 'TimestampOutOfRange'],
  ['dev.SetNextBlockTimestamp', ['9'.repeat(1_000_000)], 'TimestampOutOfRange'],
  ['dev.IncreaseTime', [U64_MAX], 'TimestampOutOfRange'],
  ['dev.IncreaseTime', [Number.MAX_SAFE_INTEGER], 'TimestampOutOfRange'],
  ['dev.IncreaseTime', [(MAX_DEV_TIMESTAMP_MS / 1000n).toString()], 'TimestampOutOfRange'], // now + that is past 2500
  ['dev.IncreaseTime', ['-5'], 'TimestampOutOfRange'],
  ['dev.Mine', [0], 'BlockCountOutOfRange'],
  ['dev.Mine', [10_001], 'BlockCountOutOfRange'],
  ['dev.Mine', [U64_MAX], 'BlockCountOutOfRange'],
  ['dev.Mine', ['0x'], 'BlockCountOutOfRange'],
  ['dev.SetBlockTime', [4_294_967_295], 'BlockTimeOutOfRange'], // would overflow setTimeout into a 1 ms loop
  ['dev.SetBlockTime', [3_600_001], 'BlockTimeOutOfRange'],
  ['dev.Revert', ['4294967296'], 'SnapshotIdOutOfRange'],
  ['dev.Revert', [-1], 'SnapshotIdOutOfRange'],
  ['dev.SetBalance', [who, (U256_MAX + 1n).toString()], 'BalanceOutOfRange'],
  ['dev.SetBalance', [who, '-1'], 'BalanceOutOfRange'],
  ['dev.SetBalance', [who, U256_MAX.toString()], 'SupplyOverflow'], // fits uint256, but not the LUX supply
  ['dev.SetBalance', ['0x1234', '1'], 'InvalidParams'],
  ['dev.SetAutomine', ['yes'], 'InvalidParams'],
  ['dev.Snapshot', [1], 'InvalidParams'],
  ['dev.Accounts', [{}], 'InvalidParams'],
];

describe('dev.* inputs are range-checked (issue 12: no bricked data dir)', function () {
  this.timeout(120_000);
  let dir: string;
  let node: Node;
  let server: RpcServer;
  let url: string;

  const start = async () => {
    node = await startNode({ dataDir: dir, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    server = new RpcServer(node, { port: 0 });
    url = (await server.listen()).url;
  };
  const stop = async () => {
    await server.close();
    await node.stop();
  };
  before(async () => {
    dir = tempDir();
    await start();
    await rpcResult(url, 'dev.Mine', [2]);
  });
  after(async () => {
    await stop();
    removeDir(dir);
  });

  it('every dev.* method with extreme values answers -32602 with a named reason and changes nothing', async () => {
    const head = await rpcResult(url, 'chain.Head');
    const balance = (await rpcResult(url, 'chain.GetAccount', [who])).balance;
    for (const [method, params, name] of EXTREMES) {
      const r = await rpcCall(url, method, params);
      const label = `${method}(${JSON.stringify(params).slice(0, 80)})`;
      expect(r.error, `${label} answered ${JSON.stringify(r.result)}`).to.not.equal(undefined);
      expect(r.error!.code, `${label}: ${r.error!.message}`).to.equal(-32602);
      expect(r.error!.data?.name, label).to.equal(name);
      expect(r.error!.message.length, label).to.be.below(400); // a 1 MB input is not echoed back
    }
    expect(await rpcResult(url, 'chain.Head')).to.deep.equal(head); // nothing was mined (SupplyOverflow was simulated, not sent)
    expect((await rpcResult(url, 'chain.GetAccount', [who])).balance).to.equal(balance);
    expect((await rpcResult(url, 'chain.Status')).mempool).to.equal(0);
  });

  it('refusals say what was expected and what was given', async () => {
    const r = await rpcCall(url, 'dev.SetNextBlockTimestamp', [U64_MAX]);
    expect(r.error!.message).to.match(new RegExp(`expected .*${MAX_DEV_TIMESTAMP_MS}.* actual ${U64_MAX}`));
    expect(r.error!.data).to.include({ max: MAX_DEV_TIMESTAMP_MS.toString(), actual: U64_MAX });
    const s = await rpcCall(url, 'dev.SetBalance', [who, U256_MAX.toString()]);
    expect(s.error!.message).to.match(/would fail: .*supply past 2\^256 - 1/);
  });

  it('after the extremes the chain mines at the dev time limit, restarts and mines again; block time stays in range', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.map(String).join(' '));
    try {
      // The largest accepted values work and leave room for more blocks.
      expect((await rpcResult(url, 'dev.SetNextBlockTimestamp', [MAX_DEV_TIMESTAMP_MS.toString()])).timestamp).to.equal(Number(MAX_DEV_TIMESTAMP_MS));
      const mined = await rpcResult(url, 'dev.Mine', [3]);
      expect(mined.head.timestamp).to.equal(Number(MAX_DEV_TIMESTAMP_MS) + 2);
      await rpcResult(url, 'dev.SetBalance', [who, '123']); // mined by the producer, not timed out
      expect((await rpcResult(url, 'chain.GetAccount', [who])).balance).to.equal('123');
      // Now the head is past the dev limit: no further push is accepted, blocks still come.
      expect((await rpcCall(url, 'dev.SetNextBlockTimestamp', [(MAX_DEV_TIMESTAMP_MS + 100n).toString()])).error!.data!.name).to.equal('TimestampOutOfRange');
      const height = (await rpcResult(url, 'chain.Head')).height;

      await stop();
      await start();
      expect((await rpcResult(url, 'chain.Head')).height).to.equal(height);
      const after = await rpcResult(url, 'dev.Mine', [2]);
      expect(after.head.height).to.equal(height + 2);
      expect(BigInt(after.head.timestamp) <= MAX_BLOCK_TIMESTAMP_MS).to.equal(true);
      await rpcResult(url, 'dev.SetBalance', [who, '456']);
      expect((await rpcResult(url, 'chain.GetAccount', [who])).balance).to.equal('456');
    } finally {
      console.error = original;
    }
    // Past about 2554 AIVM's nanosecond clock overflowed and every block logged a failed AIVM step.
    expect(errors.filter((e) => /endBlock|failed/.test(e)), errors.join('\n')).to.deep.equal([]);
  });

  it('IncreaseTime by a year is accepted; by what would carry block time past 2500, refused by name', async () => {
    // The head is already past 2500 here, so measure from a fresh chain.
    const c = await createDevChain({ mining: 'manual' });
    try {
      const ok = 86_400n * 365n; // a year
      const [before] = await c.node.mine(1);
      c.increaseTime(ok);
      let err: Error | undefined;
      try {
        c.increaseTime(MAX_DEV_TIMESTAMP_MS / 1000n);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.name).to.equal('TimestampOutOfRange');
      const [b] = await c.node.mine(1);
      expect(b!.block.header.timestamp >= before!.block.header.timestamp + ok * 1000n).to.equal(true); // a year later than the block before
    } finally {
      await c.stop();
    }
  });

  it('TimestampLimitReached: a chain whose time is at the last representable millisecond refuses to build a block, by name', async () => {
    const modules = builtinModules();
    const n = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' }, modules, genesis: devGenesis({ timestamp: Number(MAX_BLOCK_TIMESTAMP_MS) }, modules) });
    try {
      let err: (Error & { rpcCode?: number }) | undefined;
      await n.mine(1).catch((e) => (err = e));
      expect(err?.name).to.equal('TimestampLimitReached');
      expect(err?.rpcCode).to.equal(-32012);
      expect(n.chain.head.height).to.equal(0n);
    } finally {
      await n.stop();
    }
  });
});

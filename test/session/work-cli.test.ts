/**
 * `sessionchain work ...` and `sessionchain worker` driven in-process (the same command objects as
 * the binary) against a devnet node serving JSON-RPC, plus one run of the real binary.
 */
import { expect } from 'chai';
import { Command } from 'commander';
import { createDevChain, RpcServer, sha256, toHex, utf8, type DevChain, MlDsaSigner } from '../../sdk/chain.js';
import { register as registerWork } from '../../bin/commands/work.js';
import { register as registerWorker } from '../../bin/commands/worker.js';
import { CliError } from '../../bin/common.js';
import { nodeIdFromPublicKey } from '../../sdk/session/index.js';
import { runCli } from '../helpers/processes.js';

/** Runs one CLI invocation in-process; returns what it printed and the exit code it set. */
async function cli(url: string, args: string[]): Promise<{ out: string; json: any; code: number; error?: CliError }> {
  const program = new Command('sessionchain').exitOverride();
  registerWork(program);
  registerWorker(program);
  const lines: string[] = [];
  const log = console.log;
  const err = console.error;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  console.error = () => {};
  process.exitCode = 0;
  let error: CliError | undefined;
  try {
    await program.parseAsync([...args, '--rpc', url], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    error = e;
  } finally {
    console.log = log;
    console.error = err;
  }
  const code = (process.exitCode as number) ?? 0;
  process.exitCode = 0;
  const out = lines.join('\n');
  let json: any;
  try {
    json = JSON.parse(out);
  } catch {
    json = undefined;
  }
  return { out, json, code, error };
}

describe('session work: CLI', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let server: RpcServer;
  let url: string;
  const seeds = [1, 2, 3, 4].map((i) => toHex(sha256(utf8(`cli-node-${i}`))));
  const nodeArgs = (i: number) => ['--dev', String(i + 1), '--scheme', 'secp256k1', '--node-seed', seeds[i]!];

  before(async () => {
    chain = await createDevChain({ genesis: { modules: { sessionwork: { committeeMin: 4, committeeMax: 4, minStake: (10n * 10n ** 18n).toString() } } } });
    server = new RpcServer(chain.node, { port: 0 });
    ({ url } = await server.listen());
  });
  after(async () => {
    await server?.close();
    await chain?.stop();
  });

  it('registers nodes, runs a session with `worker --once` passes, and finalizes it', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await cli(url, ['work', 'node', 'register', ...nodeArgs(i), '--endpoint', `https://cli-node${i}.example`, '--stake', '10.5', '--activate']);
      expect(r.code, r.out).to.equal(0);
    }
    const nodeId = toHex(nodeIdFromPublicKey(new MlDsaSigner(sha256(utf8('cli-node-1'))).publicKey));
    const shown = await cli(url, ['work', 'node', 'show', nodeId]);
    expect([shown.json.status, shown.json.stake]).to.deep.equal(['active', '10500000000000000000']);

    const created = await cli(url, ['work', 'create', '--service', 'weather', '--dev', '0']);
    expect(created.code, created.out).to.equal(0);
    const sessionId: string = created.json.result;
    expect((await cli(url, ['work', 'show', sessionId])).json.serviceId).to.equal(toHex(sha256(utf8('weather'))));
    expect((await cli(url, ['work', 'start', sessionId, '--dev', '0'])).code).to.equal(0);
    const req = await cli(url, ['work', 'request', sessionId, '--kind', 'read', '--input-json', '{"q":"temp"}', '--dev', '0']);
    expect(req.code, req.out).to.equal(0);
    expect((await cli(url, ['work', 'pending', '--session', sessionId])).json.map((p: any) => p.requestId)).to.deep.equal([req.json.result]);

    const passes = async () => {
      for (let i = 0; i < 4; i++) {
        const w = await cli(url, ['worker', ...nodeArgs(i), '--once', '-q']);
        expect(w.code, w.out).to.equal(0);
      }
    };
    for (let round = 0; round < 6; round++) {
      await passes();
      if ((await cli(url, ['work', 'step', sessionId, '0'])).json.state === 'completed') break;
    }
    const step = await cli(url, ['work', 'wait', sessionId, '--step', '0', '--state', 'completed', '--timeout', '5']);
    expect(step.json.state).to.equal('completed');
    expect(step.json.outputHash).to.equal(toHex(sha256(utf8('{"q":"temp"}'))));
    const records = await cli(url, ['work', 'records', req.json.result]);
    expect(records.json.length).to.be.at.least(3);

    // a made-up output is refused (rules 2); without --output the command proposes the attested one
    const madeUp = await cli(url, ['work', 'finalize', sessionId, '--output-text', 'done', '--dev', '0']);
    expect(madeUp.error?.message).to.match(/^OutputNotAttested/);
    expect((await cli(url, ['work', 'finalize', sessionId, '--dev', '0'])).code).to.equal(0);
    for (let round = 0; round < 4; round++) {
      await passes();
      if ((await cli(url, ['work', 'show', sessionId])).json.state === 'finalized') break;
    }
    const fin = await cli(url, ['work', 'wait', sessionId, '--state', 'finalized', '--timeout', '5']);
    expect(fin.json.outputHash).to.equal(toHex(sha256(utf8('{"q":"temp"}'))));
    expect((await cli(url, ['work', 'committee', sessionId])).json.quorum).to.equal(3);
  });

  it('fails with one clear line: bad IDs, non-owners, missing keys', async () => {
    const bad = await cli(url, ['work', 'start', '0x1234', '--dev', '0']);
    expect(bad.error?.message).to.match(/sessionId must be 32 bytes/);
    const created = await cli(url, ['work', 'create', '--service', 'other', '--dev', '0']);
    const notOwner = await cli(url, ['work', 'start', created.json.result, '--dev', '5']);
    expect(notOwner.error?.message).to.match(/NotSessionOwner/);
    const noKey = await cli(url, ['worker', '--dev', '7', '--scheme', 'secp256k1', '--once']);
    expect(noKey.error?.message).to.match(/node key must be ML-DSA-65/);
    const unregistered = await cli(url, ['worker', '--dev', '7', '--once']);
    expect(unregistered.error?.message).to.match(/is not registered/);
    const httpNoHosts = await cli(url, ['worker', '--dev', '7', '--handler', 'http', '--once']);
    expect(httpNoHosts.error?.message).to.match(/--allow-host/);
    const stake = await cli(url, ['work', 'node', 'register', '--dev', '7', '--endpoint', 'x', '--stake', 'lots']);
    expect(stake.error?.message).to.match(/--stake must be an amount of LUX/);
  });

  it('the real binary has the work and worker commands', async () => {
    const seed = toHex(sha256(utf8('binary-node')));
    const r = await runCli(['work', 'node', 'id', '--node-seed', seed]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json().nodeId).to.equal(toHex(nodeIdFromPublicKey(new MlDsaSigner(sha256(utf8('binary-node'))).publicKey)));
  });
});

/**
 * Acceptance 2 of issue 4 through the CLI against a devnet process: Alice and Bob create
 * identities, open a session, exchange messages only they can decrypt; Carol's key is refused
 * `unauthorized`; a replayed and a tampered message are refused; the session expires at its height.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devSigner, RpcClient, signTx, toHex } from '../../sdk/chain.js';
import { generateIdentity } from '../../vm/session/identity.js';
import { publicIdentityFromFile, secretIdentityFileJson, sendMessageArgs, SESSIONVM_ADDRESS } from '../../sdk/session/index.js';
import { removeDir, runCli, startDevnet, tempDir, type CliResult, type DevnetProcess } from '../helpers/processes.js';

const parsePublic = (path: string) => publicIdentityFromFile(JSON.parse(readFileSync(path, 'utf8')));

describe('sessionchain session (CLI, devnet process)', function () {
  this.timeout(240_000);
  let devnet: DevnetProcess | undefined;
  let dir: string;
  afterEach(async () => {
    await devnet?.stop();
    if (dir) removeDir(dir);
  });

  it('two-party encrypted chat: only Alice and Bob read it; Carol, replay, tampering and expiry are refused', async () => {
    dir = tempDir('session-cli-');
    devnet = await startDevnet({ memory: true });
    const rpcArgs = ['--rpc', devnet.url];
    const f = (name: string) => join(dir, name);
    const cli = (args: string[]) => runCli([...args, ...rpcArgs]);
    const ok = (r: CliResult) => {
      expect(r.code, r.stderr).to.equal(0);
      return r.json();
    };
    const failed = (r: CliResult, name: string) => {
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stderr).to.contain(name);
    };

    // Alice and Bob make their identities with the CLI; Carol's is made with the SDK.
    const [alice, bob] = await Promise.all(['alice', 'bob'].map(async (n) => ok(await runCli(['session', 'identity', '--out', f(`${n}.json`), '--public-out', f(`${n}.pub.json`)]))));
    writeFileSync(f('carol.json'), JSON.stringify(secretIdentityFileJson(generateIdentity())));
    expect(alice.sessionId).to.match(/^07[0-9a-f]{64}$/);
    expect(bob.sessionId).to.not.equal(alice.sessionId);
    expect(alice).to.not.have.property('seed');

    const created = ok(await cli(['session', 'create', '--identity', f('alice.json'), '--with', f('bob.pub.json'), '--ttl', '12', '--dev', '0', '--scheme', 'secp256k1']));
    // Every sending command prints the node's receipt; `result` is the method's return value.
    expect(created.status).to.equal(1);
    expect(created.result.sessionId).to.match(/^0x[0-9a-f]{64}$/);
    const sid = created.result.sessionId as string;
    created.expires = Number(created.result.expires);
    const members = ok(await cli(['session', 'show', '--session', sid])).session.participants.map((p: { identity: string }) => p.identity);
    expect(members).to.have.members([alice.sessionId, bob.sessionId]);

    expect(ok(await cli(['session', 'send', '--identity', f('alice.json'), '--session', sid, 'hi bob', '--dev', '0', '--scheme', 'secp256k1'])).result.sequence).to.equal('0');
    expect(ok(await cli(['session', 'send', '--identity', f('bob.json'), '--session', sid, 'hi alice', '--dev', '1', '--scheme', 'secp256k1'])).result.sequence).to.equal('1');

    const [bobReads, carolReads, carolSends] = await Promise.all([
      cli(['session', 'read', '--identity', f('bob.json'), '--session', sid]),
      cli(['session', 'read', '--identity', f('carol.json'), '--session', sid]),
      cli(['session', 'send', '--identity', f('carol.json'), '--session', sid, 'let me in', '--dev', '2', '--scheme', 'secp256k1', '--gas-limit', '5000000']),
    ]);
    const read = ok(bobReads) as { seq: number; sender: string; text: string }[];
    expect(read.map((m) => [m.seq, m.sender, m.text])).to.deep.equal([
      [0, alice.sessionId, 'hi bob'],
      [1, bob.sessionId, 'hi alice'],
    ]);
    failed(carolReads, 'NotAParticipant');
    failed(carolSends, 'unauthorized');

    const rpc = new RpcClient(devnet.url);
    try {
      // Replay Alice's stored message in a new transaction, and a tampered copy of it.
      const sessionvmTx = async (args: unknown, dev: number) => {
        const account = devSigner(dev, 'secp256k1');
        const { pendingNonce } = await rpc.getAccount(account.address);
        const tx = signTx(
          { chainId: BigInt(await rpc.chainId()), nonce: BigInt(pendingNonce), from: account.address, to: SESSIONVM_ADDRESS, method: 'sendMessage', args: sendMessageArgs.encode(args as never) as never, gasLimit: 5_000_000n, gasPrice: 1_000_000_000n },
          account,
        );
        return rpc.call('sessionvm.SendMessage', { tx: toHex(tx.raw) }).then(
          () => 'accepted',
          (e: Error) => e.name,
        );
      };
      const page = (await rpc.call('sessionvm.GetMessages', { sessionId: sid })) as { messages: Record<string, string>[] };
      const first = page.messages[0]!;
      const stored = { sessionId: sid, sender: first.sender, seq: first.seq, ciphertext: first.ciphertext, senderKey: toHex(parsePublic(f('alice.pub.json')).dsaPublicKey), signature: first.signature };
      expect(await sessionvmTx(sendMessageArgs.fromJson(stored), 3)).to.equal('SequenceMismatch');
      const flipped = stored.ciphertext.slice(0, -2) + (stored.ciphertext.endsWith('00') ? '01' : '00');
      expect(await sessionvmTx(sendMessageArgs.fromJson({ ...stored, seq: 2, ciphertext: flipped }), 4)).to.equal('unauthorized');

      // Expiry at its height: mine up to the block before it, then the next message lands at it.
      const head = await rpc.head();
      const toMine = created.expires - 1 - head.height;
      if (toMine > 0) await rpc.call('dev.Mine', [toMine]);
      const late = await cli(['session', 'send', '--identity', f('bob.json'), '--session', sid, 'still there?', '--dev', '1', '--scheme', 'secp256k1', '--gas-limit', '5000000']);
      failed(late, 'session expired');
      expect((await rpc.head()).height).to.equal(created.expires);
      const shown = (await rpc.call('sessionvm.GetSession', { sessionId: sid })) as { session: { status: string; nextSeq: number } };
      expect(shown.session).to.deep.include({ status: 'expired', nextSeq: 2 });
    } finally {
      rpc.close();
    }
  });
});

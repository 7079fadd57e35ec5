/**
 * Determinism of the AIVM module (acceptance 4, A1 TestVerifyRejectsBlockClaimingZeroReceiptRoot and
 * TestRegression_RejectedBlockRollsBackEngineState): a follower re-executing a mixed AIVM history
 * (quorum settlement with slashing, optimistic finality, on-chain re-execution, TEE attestation,
 * model updates, epoch boundaries, timeouts) reproduces every block's `aivm.state` and
 * `aivm.receipts` roots; a block whose header claims a zero receipt root is rejected and leaves
 * the follower's state where it was, and the genuine block then imports.
 */
import { expect } from 'chai';
import { BlockImportError, Chain, DevChain, devProducerSeed, importBlock, Node, replayInto, signerFromSeed, signHeader, Store, storeSource, toHex, VerifierPool, type Block, type Signer } from '../../sdk/chain.js';
import { builtinModules, loadGenesis, devGenesis, startNode } from '../../genesis/index.js';
import { removeDir, tempDir } from '../helpers/processes.js';
import { attestationMessage, commitHash, Mode, runInference, signAttestation } from '../../sdk/aivm/index.js';
import { aivmChain, at, fundedSigners, h32, head, mineTo, ok, ONE, task, type Call } from './harness.js';
import { input, keccak, modelFile } from './models-fixture.js';

const PARAMS = { commitBlocks: '2', revealBlocks: '2', postBlocks: '3', challengeWindowBlocks: '4', minChallengeWindowBlocks: '2', epochBlocks: '5', miningPool: (5n * ONE).toString() };

const rootOf = (b: Block, name: string) => toHex(b.header.extraRoots.find(([n]) => n === name)![1]);

describe('aivm replay determinism', function () {
  this.timeout(120_000);
  let chain: DevChain;
  const followers: Node[] = [];
  let settleHeight: bigint;

  before(async () => {
    chain = await aivmChain(PARAMS);
    const [owner, requester, challenger] = await fundedSigners(chain, 'rp-people', 3, 100n * ONE);
    const ops = await fundedSigners(chain, 'rp-ops', 7);
    const file = modelFile('replay');
    const spec = keccak(file);
    const setup: Call[] = [[owner!, 'registerModel', { modelRoot: spec, weightHash: spec, licenseRoot: h32(1), parameterCount: 1n, modality: 0, file }]];
    ops.forEach((o, i) => setup.push([o, 'registerProvider', { stake: 2n * ONE, spec, endpoint: h32(i), gpuModel: 'L40S' }]));
    (await at(chain, head(chain) + 1n, setup)).forEach(ok);

    // A TEE attestation for ops[0], and a model update.
    const sk = new Uint8Array(32).fill(7);
    const digest = h32(0xd1);
    const expiryNs = chain.node.chain.headHeader.timestamp * 1_000_000n + 10n ** 15n;
    const msg = attestationMessage({ chainId: chain.chainId, provider: ops[0]!.address, digest, measurement: h32(0x4d), expiryNs, kind: 1 });
    const { attestingKey, signature } = signAttestation(sk, msg);
    const x = [0, 1, 2].map((i) => input(`rp-${i}`));
    const sub = (mode: number, i: number): Call => [requester!, 'submitTask', { mode, spec, prompt: keccak(x[i]!), input: x[i]!, n: mode === Mode.MultiPartyRedundant ? 5 : 1, threshold: mode === Mode.MultiPartyRedundant ? 3 : 1, reward: ONE, fee: mode === Mode.MultiPartyRedundant ? 5n * 10n ** 16n : 10n ** 16n }];
    const created = await at(chain, head(chain) + 1n, [
      [ops[0]!, 'registerAttestation', { digest, measurement: h32(0x4d), attestingKey, signature, expiryNs, kind: 1 }],
      [owner!, 'updateModelLicense', { modelRoot: spec, licenseRoot: h32(2) }],
      sub(Mode.MultiPartyRedundant, 0),
      sub(Mode.Optimistic, 1),
      sub(Mode.Optimistic, 2),
      sub(Mode.Optimistic, 0),
    ]);
    created.forEach(ok);
    const [q, honest, liar] = created.slice(2).map((r) => r.result as Uint8Array);
    const signerOf = (a: string) => ops.find((o) => o.address === a)!;
    const qv = await task(chain, q!);
    const sel = qv.selected.map(signerOf);
    const out = h32(0x42);
    const commit = (o: Signer) => commitHash({ taskId: q!, spec, prompt: keccak(x[0]!), outputHash: out, embeddingHash: h32(0), operator: o.address, nonce: h32(9) });
    const post = async (id: Uint8Array, output: Uint8Array): Promise<Call> => [signerOf((await task(chain, id)).selected[0]!), 'submitResult', { taskId: id, outputHash: output, bond: ONE, computeMs: 300n, proof: new Uint8Array(64) }];
    const good = runInference(file, x[1]!, honest!, 0n, 0n).outputCommitment;
    const right = runInference(file, x[2]!, liar!, 0n, 0n).outputCommitment;
    (await at(chain, head(chain) + 1n, [...sel.map((o): Call => [o, 'commitResult', { taskId: q!, commit: commit(o) }]), await post(honest!, good), await post(liar!, h32(0xbad))])).forEach(ok);
    (await at(chain, qv.commitDeadline + 1n, [...sel.slice(0, 4).map((o): Call => [o, 'revealResult', { taskId: q!, output: out, embedding: h32(0), nonce: h32(9) }]), [challenger!, 'challenge', { taskId: liar!, claimedOutput: right, bond: ONE }]])).forEach(ok);
    settleHeight = qv.revealDeadline + 1n;
    await mineTo(chain, settleHeight + 8n); // auto-settle, optimistic finality, the unposted timeout, an epoch boundary
    await chain.mine(1);
    expect((await task(chain, q!)).settledHeight).to.equal(settleHeight);
  });

  after(async () => {
    await chain?.stop();
    for (const f of followers) await f.stop();
  });

  const follower = async () => {
    const f = await startNode({ memory: true, genesis: chain.node.chain.genesis, produce: false });
    followers.push(f);
    return f;
  };

  it('a follower reproduces every block, including every aivm.state and aivm.receipts root', async () => {
    const f = await follower();
    const top = head(chain);
    const states = new Set<string>();
    for (let h = 1n; h <= top; h++) {
      const block = (await chain.node.chain.getBlock(h))!;
      const committed = await importBlock(f.chain, f.verifier, block);
      const mine = (await f.chain.getBlock(h))!;
      expect(rootOf(mine, 'aivm.state')).to.equal(rootOf(block, 'aivm.state'));
      expect(rootOf(mine, 'aivm.receipts')).to.equal(rootOf(block, 'aivm.receipts'));
      expect(committed.block.header.height).to.equal(h);
      states.add(rootOf(block, 'aivm.state'));
    }
    expect(states.size).to.equal(Number(top)); // the root chains: a new one every block
    expect(toHex(f.head().stateRoot)).to.equal(toHex(chain.node.head().stateRoot));
    const aivm = chain.address('aivm');
    expect(await f.query(aivm, 'getStats', {})).to.deep.equal(await chain.node.query(aivm, 'getStats', {}));
  });

  it('a block claiming a zero receipt root is rejected and rolls back; the genuine block then imports', async () => {
    const f = await follower();
    for (let h = 1n; h < settleHeight; h++) await importBlock(f.chain, f.verifier, (await chain.node.chain.getBlock(h))!);
    const before = { head: f.head(), root: await f.query(chain.address('aivm'), 'receiptRoot', {}), state: await f.query(chain.address('aivm'), 'stateRoot', {}) };
    const genuine = (await chain.node.chain.getBlock(settleHeight))!;
    expect(rootOf(genuine, 'aivm.receipts')).to.not.equal(toHex(new Uint8Array(32)));
    const producer: Signer = signerFromSeed(devProducerSeed(), 'ml-dsa-65', { deterministic: true });
    const { signature: _s, ...unsigned } = genuine.header;
    const forged: Block = { ...genuine, header: signHeader({ ...unsigned, extraRoots: genuine.header.extraRoots.map(([n, r]) => [n, n === 'aivm.receipts' ? new Uint8Array(32) : r]) }, producer) };
    let err: unknown;
    await importBlock(f.chain, f.verifier, forged).catch((e) => (err = e));
    expect(err).to.be.instanceOf(BlockImportError);
    expect((err as BlockImportError).divergence.field).to.equal('extraRoots');
    expect(f.head().height).to.equal(before.head.height);
    expect(toHex(f.head().stateRoot)).to.equal(toHex(before.head.stateRoot));
    expect(await f.query(chain.address('aivm'), 'receiptRoot', {})).to.deep.equal(before.root);
    expect(await f.query(chain.address('aivm'), 'stateRoot', {})).to.deep.equal(before.state);
    for (let h = settleHeight; h <= head(chain); h++) await importBlock(f.chain, f.verifier, (await chain.node.chain.getBlock(h))!);
    expect(toHex(f.head().stateRoot)).to.equal(toHex(chain.node.head().stateRoot));
  });

  it('restarting a classic-level node between rounds stays deterministic (values read back from disk are never mutated)', async () => {
    const dir = tempDir('aivm-restart-');
    try {
      const genesis = devGenesis({ modules: { aivm: { version: 1, ...PARAMS } } });
      const file = modelFile('restart');
      for (let round = 0; round < 3; round++) {
        const node = await startNode({ dataDir: dir, genesis, mining: { mode: 'manual' }, verifier: { threads: 0 } });
        const dc = new DevChain(node);
        const owner = dc.signer(round, 'secp256k1');
        const root = keccak(new Uint8Array([...file, round]));
        const p = await dc.submit(owner, 'aivm', 'registerModel', { modelRoot: root, weightHash: keccak(file), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file });
        await dc.mine(2);
        ok(await p.receipt);
        await node.stop();
      }
      const src = await storeSource(await Store.open({ path: dir }));
      const replay = await Chain.open({ store: await Store.open(), genesis: loadGenesis(JSON.parse(src.genesisJson)), modules: builtinModules(), explicitGenesis: true });
      const verifier = new VerifierPool({ threads: 0 });
      const r = await replayInto(replay, verifier, src);
      expect(r.height).to.equal(6n);
      await verifier.close();
      await replay.close();
      await src.close();
    } finally {
      removeDir(dir);
    }
  });
});

import { expect } from 'chai';
import { commitHash, Mode, TaskStatus } from '../../vm/aivm/index.js';
import { aivmChain, at, checkConservation, accountsOf, fundedSigners, h32, ok, ONE, task, head, credit, stakeOf } from './harness.js';

describe('aivm smoke', function () {
  it('quorum round trip with short windows', async () => {
    const chain = await aivmChain({ commitBlocks: 2, revealBlocks: 2 });
    const ops = await fundedSigners(chain, 'smoke-op', 8);
    const [req] = await fundedSigners(chain, 'smoke-req', 1);
    const accounts = accountsOf(chain, [...ops, req!]);
    const supply = await checkConservation(chain, accounts);
    const spec = h32(0xab);
    await at(chain, head(chain) + 1n, ops.map((o, i) => [o, 'registerProvider', { stake: 2n * ONE, spec, endpoint: h32(0x80 + i), gpuModel: 'A100' }]));
    await checkConservation(chain, accounts, supply);
    const h0 = head(chain) + 1n;
    const [created] = await at(chain, h0, [[req!, 'submitTask', { mode: Mode.MultiPartyRedundant, spec, prompt: h32(0xcd), input: new Uint8Array(0), n: 5, threshold: 3, reward: ONE, fee: 5n * 10n ** 16n }]]);
    ok(created!);
    const id = created!.result as Uint8Array;
    const v = await task(chain, id);
    console.log(v.statusName, v.selected.length, v.commitDeadline, v.revealDeadline);
    const bySigner = new Map(ops.map((o) => [o.address, o]));
    const sel = v.selected.map((a) => bySigner.get(a)!);
    const out = h32(0x42), emb = h32(7), nonce = h32(0x99);
    const commits = sel.map((o, i) => [o, 'commitResult', { taskId: id, commit: commitHash({ taskId: id, spec, prompt: h32(0xcd), outputHash: i < 3 ? out : h32(0xe0 + i), embeddingHash: emb, operator: o.address, nonce }) }] as any);
    (await at(chain, h0 + 1n, commits)).forEach(ok);
    await checkConservation(chain, accounts, supply);
    (await at(chain, h0 + 3n, sel.slice(0, 3).map((o) => [o, 'revealResult', { taskId: id, output: out, embedding: emb, nonce }] as any))).forEach(ok);
    await chain.mine(2);
    const evs = await chain.node.chain.getEvents({ fromHeight: head(chain) - 1n, toHeight: head(chain) });
    console.log(evs.map((e) => e.name), head(chain));
    const after = await task(chain, id);
    expect(after.status).to.equal(TaskStatus.Settled);
    console.log(await credit(chain, sel[0]!.address), await stakeOf(chain, sel[4]!.address));
    await checkConservation(chain, accounts, supply);
    console.log(await chain.call('aivm', 'getStats'));
    await chain.stop();
  });
});

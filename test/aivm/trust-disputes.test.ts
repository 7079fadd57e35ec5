/**
 * Rules 2 (issue 13, acceptance 4): disputes always end. On a chain with only three providers per
 * spec, a challenged result can neither be re-executed at the challenge (the model file is not on
 * chain, the task carries no input) nor escalated (a quorum of 5 needs 7 other providers). The
 * dispute then waits `disputeWindowBlocks` for evidence: anyone may substantiate a claim with the
 * model file and input, which the chain re-executes; providers may join, and escalation is tried
 * again at the window's end; failing all that both bonds are burned. A dishonest result is punished
 * in every case; both bonds never come back. Conservation is checked after every block.
 */
import { expect } from 'chai';
import { type DevChain, type Signer } from '../../sdk/chain.js';
import { AIVM_RULES, commitHash, decodeReceipt, Mode, ReceiptStatus, runInference, TaskStatus } from '../../sdk/aivm/index.js';
import { accountsOf, aivmChain, at, checkConservation, credit, failed, fundedSigners, h32, head, mineTo, ok, ONE, task, type Call } from './harness.js';
import { input, keccak, modelFile } from './models-fixture.js';

const BOND = ONE;
const REWARD = 3n * ONE;
const WINDOW = 6n;

describe('aivm rules 2: disputes always end (3 providers per spec)', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let owner: Signer, requester: Signer, challenger: Signer;
  let few: Signer[]; // the 3 providers of the registered model's spec
  let bare: Signer[]; // the 3 providers of a spec that is not a registered model
  let joiners: Signer[];
  let accounts: string[];
  let supply: bigint;
  const check = async () => {
    supply = await checkConservation(chain, accounts as never, supply);
  };
  const file = modelFile('disputes');
  const spec = keccak(file); // registered with its weight hash, but without the file
  const bareSpec = h32(0xb5);
  const x = [0, 1, 2, 3].map((i) => input(`d-${i}`));
  const ids: Uint8Array[] = [];
  const assigned: Signer[] = [];
  let openHeight: bigint;
  let r: Awaited<ReturnType<typeof at>>;
  const burned = async () => (await chain.call<{ burned: bigint }>('aivm', 'accounting')).burned;
  const right = (i: number) => runInference(file, x[i]!, ids[i]!, 0n, 0n).outputCommitment;

  before(async () => {
    chain = await aivmChain({ version: AIVM_RULES.trust, postBlocks: '5', challengeWindowBlocks: '20', disputeWindowBlocks: WINDOW.toString(), commitBlocks: '2', revealBlocks: '2' });
    [owner, requester, challenger] = await fundedSigners(chain, 'd-people', 3, 1000n * ONE);
    few = await fundedSigners(chain, 'd-few', 3);
    bare = await fundedSigners(chain, 'd-bare', 3);
    joiners = await fundedSigners(chain, 'd-join', 7);
    accounts = accountsOf(chain, [owner!, requester!, challenger!, ...few, ...bare, ...joiners]);
    supply = await checkConservation(chain, accounts as never);
    const setup: Call[] = [[owner!, 'registerModel', { modelRoot: spec, weightHash: spec, licenseRoot: h32(1), parameterCount: 545n, modality: 0, file: new Uint8Array(0) }]];
    few.forEach((p, i) => setup.push([p, 'registerProvider', { stake: BOND, spec, endpoint: h32(i + 1), gpuModel: 'A100' }]));
    bare.forEach((p, i) => setup.push([p, 'registerProvider', { stake: BOND, spec: bareSpec, endpoint: h32(i + 11), gpuModel: 'A100' }]));
    (await at(chain, head(chain) + 1n, setup, check)).forEach(ok);
    // Four optimistic tasks without their input: nothing can be re-executed at the challenge.
    const submit = (s: Uint8Array, i: number): Call => [requester!, 'submitTask', { mode: Mode.Optimistic, spec: s, prompt: keccak(x[i]!), input: new Uint8Array(0), n: 1, threshold: 1, reward: REWARD, fee: 10n ** 16n }];
    const created = await at(chain, head(chain) + 1n, [submit(bareSpec, 0), submit(spec, 1), submit(spec, 2), submit(spec, 3)], check);
    created.forEach(ok);
    for (const c of created) {
      const id = c.result as Uint8Array;
      ids.push(id);
      const v = await task(chain, id);
      assigned.push([...few, ...bare].find((s) => s.address === v.selected[0])!);
    }
    const post = (i: number, output: Uint8Array): Call => [assigned[i]!, 'submitResult', { taskId: ids[i]!, outputHash: output, bond: BOND, computeMs: 10n, proof: new Uint8Array(32) }];
    // 0: dishonest (bare spec); 1: dishonest; 2: honest, challenged by a griefer; 3: dishonest.
    (await at(chain, head(chain) + 1n, [post(0, h32(0xb0)), post(1, h32(0xb1)), post(2, right(2)), post(3, h32(0xb3))], check)).forEach(ok);
    openHeight = head(chain) + 1n;
    r = await at(
      chain,
      openHeight,
      [0, 1, 2, 3].map((i): Call => [challenger!, 'challenge', { taskId: ids[i]!, claimedOutput: i === 2 ? h32(0xc2) : i === 0 ? h32(0xc0) : right(i), bond: BOND }]),
      check,
    );
  });
  after(async () => chain?.stop());

  it('with too few voters the dispute waits for evidence instead of returning both bonds', async () => {
    for (let i = 0; i < 4; i++) {
      ok(r[i]!);
      const names = r[i]!.receipt.events.map((e) => e.name);
      expect(names).to.include.members(['Challenged', 'EscalationImpossible', 'DisputeAwaitingEvidence']);
      expect(names).to.not.include('DisputeUndecided');
      expect((await task(chain, ids[i]!)).status).to.equal(TaskStatus.Challenged);
      expect((await chain.call<any>('aivm', 'getDispute', { taskId: ids[i]! })).deadline).to.equal(openHeight + WINDOW);
    }
  });

  it('substantiation is checked: model, weight hash, prompt and input size; a decided dispute takes none', async () => {
    const sub = (i: number, f: Uint8Array, inp: Uint8Array): Call => [challenger, 'substantiate', { taskId: ids[i]!, modelFile: f, input: inp }];
    const rs = await at(chain, head(chain) + 1n, [sub(0, file, x[0]!), sub(1, modelFile('other'), x[1]!), sub(1, file, x[2]!), sub(1, file, new Uint8Array(31)), sub(1, file, x[1]!)], check);
    ['ModelUnknown', 'WeightHashMismatch', 'PromptMismatch', 'InvalidArguments'].forEach((name, i) => failed(rs[i]!, name));
    ok(rs[4]!);
    const [again] = await at(chain, head(chain) + 1n, [sub(1, file, x[1]!)], check);
    failed(again!, 'NoOpenDispute');
  });

  it('acceptance 4: the honest challenger substantiates by on-chain re-execution; the dishonest provider loses its bond, half to the challenger', async () => {
    const v = await task(chain, ids[1]!);
    expect([v.status, v.canonical]).to.deep.equal([TaskStatus.Settled, right(1)]);
    expect(await credit(chain, assigned[1]!.address)).to.equal(0n);
    const p = await chain.call<any>('aivm', 'getProvider', { address: assigned[1]!.address });
    expect([p.stats.slashed, p.stats.disputesLost]).to.deep.equal([true, 1]);
    expect(await chain.call('aivm', 'getDispute', { taskId: ids[1]! })).to.equal(null);
  });

  it('the honest provider substantiates against a griefing challenger and keeps its reward, its bond and half the challenger\'s', async () => {
    const before = await credit(chain, assigned[2]!.address);
    const [s] = await at(chain, head(chain) + 1n, [[assigned[2]!, 'substantiate', { taskId: ids[2]!, modelFile: file, input: x[2]! }]], check);
    ok(s!);
    expect(s!.receipt.events.map((e) => e.name)).to.include.members(['Reexecuted', 'DisputeSubstantiated', 'DisputeResolved']);
    const v = await task(chain, ids[2]!);
    expect([v.status, v.canonical]).to.deep.equal([TaskStatus.Settled, right(2)]);
    expect((await credit(chain, assigned[2]!.address)) - before >= BOND + BOND / 2n + REWARD).to.equal(true);
  });

  it('providers that join during the window let the dispute escalate at its end, and the quorum decides it', async () => {
    (await at(chain, head(chain) + 1n, joiners.map((p, i): Call => [p, 'registerProvider', { stake: BOND, spec, endpoint: h32(i + 21), gpuModel: 'A100' }]), check)).forEach(ok);
    await mineTo(chain, openHeight + WINDOW, check);
    await chain.mine(1); // the window's end: escalation is tried again
    await check();
    const parent = await task(chain, ids[3]!);
    expect(parent.status).to.equal(TaskStatus.Challenged);
    const child = parent.post!.escalation;
    const q = await task(chain, child);
    expect([q.mode, q.n, q.threshold]).to.deep.equal([Mode.MultiPartyRedundant, 5, 3]);
    expect(q.selected).to.not.include(assigned[3]!.address);
    const voters = q.selected.map((a) => [...few, ...joiners].find((j) => j.address === a)!);
    expect(voters.filter((v) => joiners.includes(v)).length).to.be.at.least(3); // drawable only because they joined
    const claim = right(3);
    const commit = (o: Signer) => commitHash({ taskId: child, spec, prompt: q.prompt, outputHash: claim, embeddingHash: h32(0), operator: o.address, nonce: h32(7) });
    (await at(chain, head(chain) + 1n, voters.map((o): Call => [o, 'commitResult', { taskId: child, commit: commit(o) }]), check)).forEach(ok);
    (await at(chain, q.commitDeadline + 1n, voters.map((o): Call => [o, 'revealResult', { taskId: child, output: claim, embedding: h32(0), nonce: h32(7) }]), check)).forEach(ok);
    await mineTo(chain, q.revealDeadline + 2n, check);
    const decided = await task(chain, ids[3]!);
    expect([decided.status, decided.canonical]).to.deep.equal([TaskStatus.Settled, claim]);
    expect(await credit(chain, assigned[3]!.address)).to.equal(0n);
  });

  it('acceptance 4: with no evidence and no voters by the window\'s end, both bonds are burned; the provider loses, the requester is refunded', async () => {
    // the bare spec's dispute ended at the same deadline: nobody could substantiate (no model), no one joined
    const v = await task(chain, ids[0]!);
    expect(v.status).to.equal(TaskStatus.Failed);
    expect(v.settledHeight).to.equal(openHeight + WINDOW);
    const evs = await chain.node.chain.getEvents({ fromHeight: openHeight + WINDOW, toHeight: openHeight + WINDOW, name: 'DisputeUnsubstantiated' });
    expect(evs).to.have.length(1);
    expect(await credit(chain, assigned[0]!.address)).to.equal(0n); // its bond is gone
    const p = await chain.call<any>('aivm', 'getProvider', { address: assigned[0]!.address });
    expect(p.stats.disputesLost).to.equal(1);
    const rc = await chain.call<{ receipt: Uint8Array }>('aivm', 'getReceipt', { id: ids[0]! });
    expect(decodeReceipt(rc.receipt).status).to.equal(ReceiptStatus.Failed);
    // burned in that block: both bonds in full
    const atDeadline = (await chain.node.chain.getEvents({ fromHeight: openHeight + WINDOW, toHeight: openHeight + WINDOW, name: 'DisputeUnsubstantiated' }))[0]!;
    expect(atDeadline.height).to.equal(openHeight + WINDOW);
    expect((await burned()) >= 2n * BOND).to.equal(true);
  });
});

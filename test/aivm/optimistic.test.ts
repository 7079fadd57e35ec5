/**
 * Optimistic verification (spec §2.9 [P]) through transactions: posting with a bond, challenge
 * window in blocks, on-chain re-execution of registered int8 models, the 50 % / 50 % bond split,
 * finality exactly at the window end, a late challenge refused, escalation to a quorum task, the
 * undecidable dispute, the post timeout, and legacy mining rewards. Conservation after every block.
 */
import { expect } from 'chai';
import { concat, type DevChain, type SendResult, type Signer } from '../../sdk/chain.js';
import { computeReward, legacyMerkleRoot, legacyReceiptHash, Mode, ReceiptStatus, runInference, TaskStatus, decodeReceipt, commitHash } from '../../sdk/aivm/index.js';
import { accountsOf, aivmChain, at, checkConservation, credit, failed, fundedSigners, h32, head, mineTo, ok, ONE, task, type Call } from './harness.js';
import { input, keccak, modelFile } from './models-fixture.js';

const BOND = ONE;
const REWARD = 3n * ONE;
const FEE = 10n ** 16n;
const WINDOW = 20n;
const POST_BLOCKS = 5n;
const PARAMS = {
  postBlocks: POST_BLOCKS.toString(),
  challengeWindowBlocks: WINDOW.toString(),
  minChallengeWindowBlocks: '4',
  commitBlocks: '3',
  revealBlocks: '3',
  miningPool: (10n * ONE).toString(),
};

type Scn = { spec: Uint8Array; ops: Signer[]; input: Uint8Array; file?: Uint8Array; taskId?: Uint8Array; assigned?: Signer; correct?: Uint8Array };

describe('aivm optimistic verification', function () {
  this.timeout(180_000);
  let chain: DevChain;
  let accounts: string[];
  let supply: bigint;
  let owner: Signer, requester: Signer, challenger: Signer;
  const check = async () => {
    supply = await checkConservation(chain, accounts as never, supply);
  };
  const names = ['honest', 'dishonest', 'wrongChallenger', 'bothWrong', 'unposted', 'atDeadline'] as const;
  const sc: Record<string, Scn> = {};
  let esc: Scn; // off-chain model, enough providers to escalate
  let stuck: Scn; // off-chain model, too few providers to escalate
  const r: Record<string, SendResult[]> = {};
  let postHeight: bigint;
  let burnedBefore: bigint;

  const submit = (s: Scn, withInput = true): Call => [requester, 'submitTask', { mode: Mode.Optimistic, spec: s.spec, prompt: keccak(s.input), input: withInput ? s.input : new Uint8Array(0), n: 1, threshold: 1, reward: REWARD, fee: FEE }];

  before(async () => {
    chain = await aivmChain(PARAMS);
    [owner, requester, challenger] = await fundedSigners(chain, 'o-people', 3, 1000n * ONE);
    const all: Signer[] = [owner!, requester!, challenger!];
    for (const name of names) {
      const file = modelFile(`m-${name}`);
      sc[name] = { spec: keccak(concat(new TextEncoder().encode('root/'), file)), ops: await fundedSigners(chain, `o-${name}`, 3), input: input(name), file };
      all.push(...sc[name]!.ops);
    }
    esc = { spec: h32(0xe5), ops: await fundedSigners(chain, 'o-esc', 10), input: input('esc') };
    stuck = { spec: h32(0xe6), ops: await fundedSigners(chain, 'o-stuck', 3), input: input('stuck') };
    all.push(...esc.ops, ...stuck.ops);
    accounts = accountsOf(chain, all);
    supply = await checkConservation(chain, accounts as never);

    const setup: Call[] = [];
    for (const s of Object.values(sc)) {
      setup.push([owner!, 'registerModel', { modelRoot: s.spec, weightHash: keccak(s.file!), licenseRoot: h32(1), parameterCount: 545n, modality: 0, file: s.file! }]);
      s.ops.forEach((o, i) => setup.push([o, 'registerProvider', { stake: BOND, spec: s.spec, endpoint: h32(i + 1), gpuModel: 'NVIDIA H100' }]));
    }
    setup.push([owner!, 'registerModel', { modelRoot: esc.spec, weightHash: h32(0x77), licenseRoot: h32(1), parameterCount: 7_000_000_000n, modality: 0, file: new Uint8Array(0) }]);
    for (const s of [esc, stuck]) s.ops.forEach((o, i) => setup.push([o, 'registerProvider', { stake: BOND, spec: s.spec, endpoint: h32(i + 1), gpuModel: 'A100' }]));
    (await at(chain, head(chain) + 1n, setup, check)).forEach(ok);

    const created = await at(chain, head(chain) + 1n, [...Object.values(sc).map((s) => submit(s)), submit(esc, false), submit(stuck, false)], check);
    created.forEach(ok);
    [...Object.values(sc), esc, stuck].forEach((s, i) => (s.taskId = created[i]!.result as Uint8Array));
    for (const s of [...Object.values(sc), esc, stuck]) {
      const v = await task(chain, s.taskId!);
      s.assigned = s.ops.find((o) => o.address === v.selected[0])!;
      if (s.file) s.correct = runInference(s.file, s.input, s.taskId!, 0n, 0n).outputCommitment;
    }

    postHeight = head(chain) + 1n;
    const post = (s: Scn, output: Uint8Array): Call => [s.assigned!, 'submitResult', { taskId: s.taskId!, outputHash: output, bond: BOND, computeMs: 50n, proof: new Uint8Array(32).fill(9) }];
    r.post = await at(
      chain,
      postHeight,
      [post(sc.honest!, sc.honest!.correct!), post(sc.dishonest!, h32(0xbad)), post(sc.wrongChallenger!, sc.wrongChallenger!.correct!), post(sc.bothWrong!, h32(0xb1)), post(sc.atDeadline!, sc.atDeadline!.correct!), post(esc, h32(0xe1)), post(stuck, h32(0xe2))],
      check,
    );
    r.post.forEach(ok);
    burnedBefore = (await chain.call<{ burned: bigint }>('aivm', 'accounting')).burned;
    r.challenge = await at(
      chain,
      postHeight + 1n,
      [
        [challenger!, 'challenge', { taskId: sc.dishonest!.taskId!, claimedOutput: sc.dishonest!.correct!, bond: BOND }],
        [challenger!, 'challenge', { taskId: sc.wrongChallenger!.taskId!, claimedOutput: h32(0xc1), bond: 2n * BOND }],
        [challenger!, 'challenge', { taskId: sc.bothWrong!.taskId!, claimedOutput: h32(0xc2), bond: BOND }],
        [challenger!, 'challenge', { taskId: esc.taskId!, claimedOutput: h32(0xe3), bond: BOND }],
        [challenger!, 'challenge', { taskId: stuck.taskId!, claimedOutput: h32(0xe4), bond: BOND }],
      ],
      check,
    );
  });

  after(async () => chain?.stop());

  it('the int8 output hash is keccak(taskId ‖ y), what re-execution computes', () => {
    const s = sc.honest!;
    const out = runInference(s.file!, s.input, s.taskId!, 0n, 0n);
    expect(out.status).to.equal(0);
    expect(out.outputCommitment).to.deep.equal(keccak(concat(s.taskId!, Uint8Array.of(out.output & 0xff))));
  });

  it('posting sets the challenge deadline to post height + window and moves the bond into escrow', async () => {
    const v = await task(chain, sc.honest!.taskId!);
    expect(v.status).to.equal(TaskStatus.Posted);
    expect(v.post!.deadline).to.equal(postHeight + WINDOW);
    expect(v.post!.bond).to.equal(BOND);
    expect(r.post![0]!.result).to.equal(postHeight + WINDOW);
  });

  it('a false result is re-executed on chain: provider loses its bond, half to the challenger, half burned', async () => {
    ok(r.challenge![0]!);
    const s = sc.dishonest!;
    const names = r.challenge![0]!.receipt.events.map((e) => e.name);
    expect(names).to.include.members(['Challenged', 'Reexecuted', 'DisputeResolved', 'ReceiptAppended']);
    const v = await task(chain, s.taskId!);
    expect(v.status).to.equal(TaskStatus.Settled);
    expect(v.canonical).to.deep.equal(s.correct);
    expect(v.settledHeight).to.equal(postHeight + 1n);
    expect((await credit(chain, challenger.address)) >= BOND + BOND / 2n).to.equal(true);
    expect(await credit(chain, s.assigned!.address)).to.equal(0n);
    expect((await credit(chain, requester.address)) >= REWARD).to.equal(true);
    const p = await chain.call<{ stats: { slashed: boolean; disputesLost: number } }>('aivm', 'getProvider', { address: s.assigned!.address });
    expect(p.stats.slashed).to.equal(true);
    expect(p.stats.disputesLost).to.equal(1);
    const rc = await chain.call<{ receipt: Uint8Array }>('aivm', 'getReceipt', { id: s.taskId! });
    const dec = decodeReceipt(rc.receipt);
    expect(dec.status).to.equal(ReceiptStatus.Completed);
    expect(dec.canonical).to.deep.equal(s.correct);
    expect([dec.n, dec.threshold]).to.deep.equal([1, 1]);
  });

  it('a wrong challenger loses its bond: half to the provider, who also gets its bond back and the reward', async () => {
    ok(r.challenge![1]!);
    const s = sc.wrongChallenger!;
    const v = await task(chain, s.taskId!);
    expect(v.status).to.equal(TaskStatus.Settled);
    expect(v.canonical).to.deep.equal(s.correct);
    const mined = computeReward({ computeMs: 50n, gpuModel: 'NVIDIA H100', uptimePpm: 1_000_000n });
    expect(await credit(chain, s.assigned!.address)).to.equal(BOND + (2n * BOND) / 2n + REWARD + mined);
  });

  it('when both are wrong, both bonds are split between the requester and the burn address', async () => {
    ok(r.challenge![2]!);
    const s = sc.bothWrong!;
    const v = await task(chain, s.taskId!);
    expect(v.canonical).to.deep.equal(s.correct);
    const ev = r.challenge![2]!.receipt.events.find((e) => e.name === 'DisputeResolved');
    expect(ev).to.not.equal(undefined);
    expect(await credit(chain, s.assigned!.address)).to.equal(0n);
  });

  it('the challenge block burns exactly the forfeited halves', async () => {
    // dishonest: provider bond − half; wrongChallenger: 2·bond − half; bothWrong: both bonds − halves
    const burned = (await chain.call<{ burned: bigint }>('aivm', 'accounting')).burned;
    expect(burned - burnedBefore).to.equal(BOND - BOND / 2n + (2n * BOND - BOND) + 2n * (BOND - BOND / 2n));
  });

  it('the challenger credit adds up across its disputes (bond back + bounty on the one it won)', async () => {
    // won dishonest (bond back + half the provider bond), lost wrongChallenger and bothWrong,
    // escalation and stuck still pending or undecided (stuck returns its bond).
    const stuckView = await task(chain, stuck.taskId!);
    expect(stuckView.status).to.equal(TaskStatus.Failed);
    expect(await credit(chain, challenger.address)).to.equal(BOND + BOND / 2n + BOND);
  });

  it('requester is refunded the reward when the provider was wrong, and gets both halves when both were', async () => {
    // dishonest: reward back; bothWrong: reward back + half of each bond; stuck: reward back.
    expect(await credit(chain, requester.address)).to.equal(REWARD + (REWARD + BOND / 2n + BOND / 2n) + REWARD);
  });

  it('a dispute that cannot be escalated (too few other providers) returns both bonds and fails the task', async () => {
    ok(r.challenge![4]!);
    const names = r.challenge![4]!.receipt.events.map((e) => e.name);
    expect(names).to.include.members(['EscalationImpossible', 'DisputeUndecided']);
    expect(await credit(chain, stuck.assigned!.address)).to.equal(BOND);
    const rc = await chain.call<{ receipt: Uint8Array }>('aivm', 'getReceipt', { id: stuck.taskId! });
    expect(decodeReceipt(rc.receipt).status).to.equal(ReceiptStatus.Failed);
  });

  it('an off-chain model escalates to a 5-of-3 quorum that excludes both disputants and decides the dispute', async () => {
    ok(r.challenge![3]!);
    const v = await task(chain, esc.taskId!);
    expect(v.status).to.equal(TaskStatus.Challenged);
    expect(v.receiptStatus).to.equal(ReceiptStatus.Challenged);
    const child = v.post!.escalation;
    const q = await task(chain, child);
    expect([q.mode, q.n, q.threshold]).to.deep.equal([Mode.MultiPartyRedundant, 5, 3]);
    expect(q.parent).to.deep.equal(esc.taskId);
    expect(q.selected).to.not.include(esc.assigned!.address);
    expect(q.escrow).to.equal((REWARD / 5n) * 5n);
    expect(v.escrow).to.equal(REWARD - (REWARD / 5n) * 5n);
    // While the escalation runs, the result cannot be challenged again.
    const [again] = await at(chain, head(chain) + 1n, [[challenger, 'challenge', { taskId: esc.taskId!, claimedOutput: h32(0xe7), bond: BOND }]], check);
    failed(again!, 'AlreadyChallenged');
    // The quorum agrees with the challenger's claim.
    const byAddr = new Map(esc.ops.map((o) => [o.address as string, o]));
    const members = q.selected.map((a) => byAddr.get(a)!);
    const claim = h32(0xe3);
    const c0 = q.commitDeadline;
    (await at(chain, head(chain) + 1n, members.map((o): Call => [o, 'commitResult', { taskId: child, commit: commitHash({ taskId: child, spec: esc.spec, prompt: q.prompt, outputHash: claim, embeddingHash: h32(0), operator: o.address, nonce: h32(5) }) }]), check)).forEach(ok);
    (await at(chain, c0 + 1n, members.slice(0, 3).map((o): Call => [o, 'revealResult', { taskId: child, output: claim, embedding: h32(0), nonce: h32(5) }]), check)).forEach(ok);
    await mineTo(chain, q.revealDeadline + 2n, check);
    const settled = await task(chain, child);
    expect(settled.status).to.equal(TaskStatus.Settled);
    const parent = await task(chain, esc.taskId!);
    expect(parent.status).to.equal(TaskStatus.Settled);
    expect(parent.canonical).to.deep.equal(claim);
    expect(await credit(chain, esc.assigned!.address)).to.equal(0n);
    // two withholders among the quorum were slashed; each revealer earned its share
    for (const o of members.slice(0, 3)) expect(await credit(chain, o.address)).to.equal(REWARD / 5n + (2n * 10n ** 17n) / 3n);
  });

  it('an unposted task fails at its post deadline and refunds the requester', async () => {
    const v = await task(chain, sc.unposted!.taskId!);
    expect(v.status).to.equal(TaskStatus.Failed);
    expect(v.settledHeight).to.equal(v.commitDeadline);
    const p = await chain.call<{ stats: { missed: bigint }; uptimePpm: bigint }>('aivm', 'getProvider', { address: sc.unposted!.assigned!.address });
    expect(p.stats.missed).to.equal(1n);
    expect(p.uptimePpm).to.equal(0n);
  });

  it('an unchallenged result finalizes exactly at the end of its deadline block; a challenge one block late is rejected', async () => {
    const s = sc.honest!;
    const deadline = postHeight + WINDOW;
    await mineTo(chain, deadline, check); // head = deadline − 1
    expect((await task(chain, s.taskId!)).status).to.equal(TaskStatus.Posted);
    // A challenge in the deadline block itself is still accepted (atDeadline task, same deadline).
    const [inTime] = await at(chain, deadline, [[challenger, 'challenge', { taskId: sc.atDeadline!.taskId!, claimedOutput: h32(0xc3), bond: BOND }]], check);
    ok(inTime!);
    const v = await task(chain, s.taskId!);
    expect(v.status).to.equal(TaskStatus.Settled);
    expect(v.settledHeight).to.equal(deadline);
    expect(v.canonical).to.deep.equal(s.correct);
    const [late] = await at(chain, deadline + 1n, [[challenger, 'challenge', { taskId: s.taskId!, claimedOutput: h32(0xc4), bond: BOND }]], check);
    failed(late!, 'ChallengeWindowClosed');
    const mined = computeReward({ computeMs: 50n, gpuModel: 'NVIDIA H100', uptimePpm: 1_000_000n });
    expect(await credit(chain, s.assigned!.address)).to.equal(BOND + REWARD + mined);
  });

  it('legacy reward receipts: SHA-256 Merkle root over finalized results, reward stats', async () => {
    const jobs = [sc.honest!, sc.wrongChallenger!, sc.atDeadline!].map((s) => ({
      jobId: '0x' + Buffer.from(s.taskId!).toString('hex'),
      hash: legacyReceiptHash({ jobId: '0x' + Buffer.from(s.taskId!).toString('hex'), providerId: s.assigned!.address, modelHash: s.spec, inputHash: keccak(s.input), outputHash: s.correct! }),
    }));
    expect(await chain.call('aivm', 'getMerkleRoot')).to.deep.equal(legacyMerkleRoot(jobs));
    const stats = await chain.call<{ tasksCompleted: bigint; totalRewards: bigint; slashed: boolean }>('aivm', 'getRewardStats', { address: sc.honest!.assigned!.address });
    expect(stats.tasksCompleted).to.equal(1n);
    expect(stats.totalRewards).to.equal(computeReward({ computeMs: 50n, gpuModel: 'NVIDIA H100', uptimePpm: 1_000_000n }));
    expect(stats.slashed).to.equal(false);
  });
});

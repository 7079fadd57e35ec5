/**
 * Every named AIVM error through a real transaction (or query), and that a refused operation
 * changes nothing: the conservation invariants are checked after every block, and the failed
 * receipts carry no events.
 */
import { expect } from 'chai';
import { type DevChain, type SendResult, type Signer } from '../../sdk/chain.js';
import { Mode, runInference, TaskStatus, commitHash } from '../../sdk/aivm/index.js';
import { accountsOf, aivmChain, at, checkConservation, failed, fundedSigners, h32, head, mineTo, ok, ONE, task, type Call } from './harness.js';
import { input, keccak, modelFile } from './models-fixture.js';

const FEE = 10n ** 16n;

describe('aivm named errors (negative paths change nothing)', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let accounts: string[];
  let supply: bigint;
  let R: Signer[], O: Signer[], S: Signer[];
  let owner: Signer, requester: Signer, challenger: Signer, stranger: Signer;
  const check = async () => {
    supply = await checkConservation(chain, accounts as never, supply);
  };
  const specR = h32(0x21);
  const file = modelFile('errors');
  const specO = keccak(file);
  const specSmall = h32(0x23);
  const rs: Record<string, SendResult[]> = {};
  let TR: Uint8Array;
  let TO: Uint8Array[];
  const inputs = [0, 1, 2, 3, 4, 5].map((i) => input(`err-${i}`));
  const signer = (a: string) => [...R, ...O, ...S].find((s) => s.address === a)!;
  const expectAllFailed = (list: SendResult[], names: string[]) => {
    expect(list.length).to.equal(names.length);
    names.forEach((n, i) => {
      failed(list[i]!, n);
      expect(list[i]!.receipt.events, `${n} must emit nothing`).to.deep.equal([]);
    });
  };

  before(async () => {
    chain = await aivmChain({ commitBlocks: '2', revealBlocks: '2', postBlocks: '3', challengeWindowBlocks: '5', minChallengeWindowBlocks: '2', unbondCooldownBlocks: '0' });
    [owner, requester, challenger, stranger] = await fundedSigners(chain, 'e-people', 4, 1000n * ONE);
    R = await fundedSigners(chain, 'e-r', 7);
    O = await fundedSigners(chain, 'e-o', 3);
    S = await fundedSigners(chain, 'e-s', 2);
    accounts = accountsOf(chain, [owner!, requester!, challenger!, stranger!, ...R, ...O, ...S]);
    supply = await checkConservation(chain, accounts as never);
    const setup: Call[] = [[owner!, 'registerModel', { modelRoot: specO, weightHash: keccak(file), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file }]];
    R.forEach((p, i) => setup.push([p, 'registerProvider', { stake: 2n * ONE, spec: specR, endpoint: h32(i + 1), gpuModel: '' }]));
    O.forEach((p, i) => setup.push([p, 'registerProvider', { stake: ONE, spec: specO, endpoint: h32(i + 1), gpuModel: '' }]));
    S.forEach((p, i) => setup.push([p, 'registerProvider', { stake: ONE, spec: specSmall, endpoint: h32(i + 1), gpuModel: '' }]));
    setup.push([stranger!, 'registerProvider', { stake: ONE, spec: new Uint8Array(32), endpoint: h32(1), gpuModel: '' }]);
    setup.push([stranger!, 'deregisterProvider', {}]);
    rs.setup = await at(chain, head(chain) + 1n, setup, check);

    const sub = (a: Record<string, unknown>): Call => [requester!, 'submitTask', { mode: Mode.MultiPartyRedundant, spec: specR, prompt: h32(0x99), input: new Uint8Array(0), n: 5, threshold: 3, reward: ONE, fee: 5n * FEE, ...a }];
    rs.submit = await at(
      chain,
      head(chain) + 1n,
      [
        sub({ spec: new Uint8Array(32) }),
        sub({ prompt: new Uint8Array(32) }),
        sub({ n: 2, threshold: 2 }),
        sub({ mode: Mode.Optimistic, spec: specO, n: 2, threshold: 1, fee: 2n * FEE }),
        sub({ threshold: 2 }),
        sub({ threshold: 6 }),
        sub({ reward: 1n << 255n }),
        sub({ spec: specSmall, n: 3, threshold: 2, fee: 3n * FEE }),
        sub({ fee: 0n }),
        sub({ fee: 5n * FEE - 1n }),
        sub({ mode: 3 }),
        sub({ mode: Mode.Optimistic, spec: specO, n: 1, threshold: 1, fee: FEE, input: inputs[0]!, prompt: h32(1) }),
        sub({}),
      ],
      check,
    );
    TR = rs.submit[12]!.result as Uint8Array;
  });
  after(async () => chain?.stop());

  it('registration: EmptyModelSpec, OperatorUnknown', () => {
    rs.setup!.slice(0, -2).forEach(ok);
    expectAllFailed(rs.setup!.slice(-2), ['EmptyModelSpec', 'OperatorUnknown']);
  });

  it('task creation: EmptyModelSpec, EmptyPromptHash, BadN ×2, BadThreshold ×2, RewardOverflow, NotEnoughEligible, FeeTooLow ×2, UnknownMode, PromptMismatch', () => {
    expectAllFailed(rs.submit!.slice(0, 12), ['EmptyModelSpec', 'EmptyPromptHash', 'BadN', 'BadN', 'BadThreshold', 'BadThreshold', 'RewardOverflow', 'NotEnoughEligible', 'FeeTooLow', 'FeeTooLow', 'UnknownMode', 'PromptMismatch']);
    expect(rs.submit![8]!.receipt.errorMessage).to.match(/zero-fee tasks are refused/);
    ok(rs.submit![12]!);
  });

  it('quorum lifecycle errors, each at its stage', async () => {
    const v = await task(chain, TR);
    const sel = v.selected.map(signer);
    const [o] = await at(chain, head(chain) + 1n, [[requester, 'submitTask', { mode: Mode.Optimistic, spec: specO, prompt: keccak(inputs[0]!), input: inputs[0]!, n: 1, threshold: 1, reward: ONE, fee: FEE }]], check);
    const optTask = ok(o!).result as Uint8Array;
    const c = (op: Signer, out = h32(0x42)) => commitHash({ taskId: TR, spec: specR, prompt: h32(0x99), outputHash: out, embeddingHash: h32(0), operator: op.address, nonce: h32(3) });
    const b1 = await at(
      chain,
      head(chain) + 1n,
      [
        [sel[0]!, 'commitResult', { taskId: h32(0xee), commit: c(sel[0]!) }],
        [sel[0]!, 'commitResult', { taskId: optTask, commit: c(sel[0]!) }],
        [sel[0]!, 'submitResult', { taskId: TR, outputHash: h32(1), bond: ONE, computeMs: 1n, proof: new Uint8Array(32) }],
        [sel[0]!, 'commitResult', { taskId: TR, commit: new Uint8Array(32) }],
        [sel[0]!, 'commitResult', { taskId: TR, commit: c(sel[0]!) }],
        [sel[1]!, 'commitResult', { taskId: TR, commit: c(sel[1]!) }],
        [sel[2]!, 'commitResult', { taskId: TR, commit: c(sel[2]!) }],
        [sel[0]!, 'commitResult', { taskId: TR, commit: c(sel[0]!) }],
        // a selected operator cannot leave while its task is open
        [sel[3]!, 'deregisterProvider', {}],
        [sel[3]!, 'deregisterProvider', {}],
        [sel[3]!, 'withdrawStake', {}],
      ],
      check,
    );
    expectAllFailed(b1.slice(0, 4), ['TaskUnknown', 'WrongMode', 'WrongMode', 'EmptyCommit']);
    b1.slice(4, 7).forEach(ok);
    expectAllFailed([b1[7]!], ['AlreadyCommitted']);
    ok(b1[8]!);
    expectAllFailed(b1.slice(9), ['OperatorUnbonding', 'OperatorHasOpenTasks']);

    const revealH = v.commitDeadline + 1n;
    const b2 = await at(
      chain,
      revealH,
      [
        [sel[4]!, 'commitResult', { taskId: TR, commit: c(sel[4]!) }],
        [sel[0]!, 'revealResult', { taskId: TR, output: new Uint8Array(32), embedding: h32(0), nonce: h32(3) }],
        [sel[4]!, 'revealResult', { taskId: TR, output: h32(0x42), embedding: h32(0), nonce: h32(3) }],
        [sel[0]!, 'revealResult', { taskId: TR, output: h32(0x42), embedding: h32(0), nonce: h32(3) }],
        [sel[0]!, 'revealResult', { taskId: TR, output: h32(0x42), embedding: h32(0), nonce: h32(3) }],
      ],
      check,
    );
    expectAllFailed(b2.slice(0, 3), ['CommitClosed', 'EmptyOutputHash', 'NotCommitted']);
    ok(b2[3]!);
    expectAllFailed([b2[4]!], ['AlreadyRevealed']);
    await chain.call('aivm', 'getTask', { id: TR });
    let notFound: unknown;
    await chain.call('aivm', 'exportReceipt', { id: TR }).catch((e) => (notFound = e));
    expect((notFound as Error).name).to.equal('ReceiptNotFound');

    const b3 = await at(chain, v.revealDeadline + 1n, [[sel[1]!, 'revealResult', { taskId: TR, output: h32(0x42), embedding: h32(0), nonce: h32(3) }], [requester, 'settle', { taskId: TR }], [sel[1]!, 'commitResult', { taskId: TR, commit: c(sel[1]!) }], [sel[3]!, 'withdrawStake', {}]], check);
    expectAllFailed([b3[0]!], ['RevealClosed']);
    ok(b3[1]!);
    expectAllFailed([b3[2]!], ['TaskNotCommitting']);
    ok(b3[3]!); // released once the task settled
    expect((await task(chain, TR)).status).to.equal(TaskStatus.Failed); // 1 reveal < threshold 3
    let unknown: unknown;
    await chain.call('aivm', 'exportReceipt', { id: h32(0x5) }).catch((e) => (unknown = e));
    expect((unknown as Error).name).to.equal('ReceiptNotFound');
  });

  it('optimistic errors: posting (A3 TestSubmitReceipt_* : empty job id, duplicate, proof < 32 B), challenging, a slashed provider, and a missed window', async () => {
    const opt = (i: number): Call => [requester, 'submitTask', { mode: Mode.Optimistic, spec: specO, prompt: keccak(inputs[i]!), input: inputs[i]!, n: 1, threshold: 1, reward: ONE, fee: FEE }];
    const created = await at(chain, head(chain) + 1n, inputs.map((_, i) => opt(i)), check);
    created.forEach(ok);
    TO = created.map((r) => r.result as Uint8Array);
    const views = await Promise.all(TO.map((id) => task(chain, id)));
    const assigned = views.map((v) => v.selected[0]!);
    // pigeonhole: 6 tasks over 3 providers, someone has two
    const p = assigned.find((a, i) => assigned.indexOf(a, i + 1) !== -1)!;
    const [a, b] = assigned.map((x, i) => (x === p ? i : -1)).filter((i) => i >= 0);
    const others = assigned.map((_, i) => i).filter((i) => i !== a && i !== b);
    const P = signer(p);
    const correct = (i: number) => runInference(file, inputs[i]!, TO[i]!, 0n, 0n).outputCommitment;
    const post = (i: number, out: Uint8Array, extra: Record<string, unknown> = {}): Call => [signer(assigned[i]!), 'submitResult', { taskId: TO[i]!, outputHash: out, bond: ONE, computeMs: 1n, proof: new Uint8Array(32), ...extra }];
    const notAssigned = O.find((o) => o.address !== assigned[others[0]!])!;
    const b1 = await at(
      chain,
      head(chain) + 1n,
      [
        post(others[0]!, correct(others[0]!), { taskId: new Uint8Array(32) }),
        [notAssigned, 'submitResult', { taskId: TO[others[0]!]!, outputHash: h32(1), bond: ONE, computeMs: 1n, proof: new Uint8Array(32) }],
        post(others[0]!, correct(others[0]!), { proof: new Uint8Array(31) }),
        post(others[0]!, new Uint8Array(32)),
        post(others[0]!, correct(others[0]!)),
        post(others[0]!, correct(others[0]!)),
        post(a!, h32(0xbad)),
      ],
      check,
    );
    expectAllFailed(b1.slice(0, 4), ['InvalidReceipt', 'NotSelected', 'InsufficientProof', 'EmptyOutputHash']);
    ok(b1[4]!);
    expectAllFailed([b1[5]!], ['ReceiptExists']);
    ok(b1[6]!);

    const ch = (i: number, claim: Uint8Array, who: Signer = challenger, bond = ONE): Call => [who, 'challenge', { taskId: TO[i]!, claimedOutput: claim, bond }];
    const b2 = await at(chain, head(chain) + 1n, [ch(b!, h32(1)), ch(a!, correct(a!), P), ch(a!, h32(0xbad)), ch(a!, new Uint8Array(32)), ch(a!, correct(a!), challenger, ONE - 1n), ch(a!, correct(a!))], check);
    expectAllFailed(b2.slice(0, 5), ['NothingToChallenge', 'SelfChallenge', 'ClaimMatchesResult', 'EmptyOutputHash', 'BondTooLow']);
    ok(b2[5]!);
    const b3 = await at(chain, head(chain) + 1n, [post(b!, correct(b!))], check);
    expectAllFailed(b3, ['ProviderSlashed']);
    // A provider that lost a dispute is no longer drawn for new tasks.
    expect(await chain.call<string[]>('aivm', 'eligible', { spec: specO })).to.not.include(p);

    const late = others[1]!;
    await mineTo(chain, views[late]!.commitDeadline + 1n, check);
    expect((await task(chain, TO[late]!)).status).to.equal(TaskStatus.Failed);
    const b4 = await at(chain, head(chain) + 1n, [post(late, correct(late))], check);
    expectAllFailed(b4, ['PostWindowClosed']);
  });
});

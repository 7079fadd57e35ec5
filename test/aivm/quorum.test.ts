/**
 * Ports of the A1 quorum-engine tests (luxfi/chains aivm/quorum_test.go) through real transactions.
 * Harness as upstream: 8 operators per spec bonded 2 × bond, reward 1e18 per operator, N = 5,
 * threshold 3, intent imported at height 100, commits at 101, reveals at 131, settle at 161. One
 * chain carries every scenario (each on its own spec, operators and requester) so the climb to
 * height 161 happens once; the conservation invariants are checked after every block.
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type DevChain, type SendResult, type Signer } from '../../sdk/chain.js';
import {
  addressRoot,
  chainIdFromString,
  commitHash,
  decodeReceipt,
  intentId,
  ReceiptStatus,
  receiptHash,
  selectOperators,
  TaskStatus,
  verifyReceiptProof,
  type ReceiptProof,
  type IntentFields,
} from '../../sdk/aivm/index.js';
import { accountsOf, aivmChain, at, checkConservation, credit, failed, fundedSigners, h32, head, mineTo, ok, ONE, stakeOf, task, type Call } from './harness.js';

const BOND = ONE;
const REWARD = ONE;
const SLASH = 10n ** 17n;
const FEE_PER_OP = 10n ** 16n;
const N = 5;
const THR = 3;
const GAS_PRICE = 1_000_000_000n;

interface Scenario {
  name: string;
  spec: Uint8Array;
  ops: Signer[];
  requester: Signer;
  intent?: IntentFields & { intentId: Uint8Array };
  taskId?: Uint8Array;
  selected?: Signer[];
  eligibleAtCreation?: string[];
}

const prompt = h32(0xcd);
const cChain = chainIdFromString('c-chain');
const aChain = chainIdFromString('a-chain');

describe('aivm quorum engine (A1 ports, through transactions)', function () {
  this.timeout(180_000);
  let chain: DevChain;
  let accounts: string[];
  let supply: bigint;
  const check = async () => {
    supply = await checkConservation(chain, accounts as never, supply);
  };
  const names = ['lifecycle', 'noQuorum', 'revealMatch', 'nonSelected', 'slashWithhold', 'dissenters', 'beacon'] as const;
  const sc: Record<string, Scenario> = {};
  let marginSpec: Uint8Array;
  let marginReq: Signer;
  let cooldownOp: Signer;
  let relayer: Signer;
  let bondOp: Signer;
  const results: Record<string, SendResult[]> = {};
  const gasPaid = new Map<string, bigint>();
  const track = (rs: SendResult[], signers: Signer[]) => rs.forEach((r, i) => gasPaid.set(signers[i]!.address, (gasPaid.get(signers[i]!.address) ?? 0n) + r.receipt.gasUsed * GAS_PRICE));

  before(async () => {
    chain = await aivmChain();
    const all: Signer[] = [];
    for (const [i, name] of names.entries()) {
      const ops = await fundedSigners(chain, `q-${name}-op`, 8);
      const [requester] = await fundedSigners(chain, `q-${name}-req`, 1);
      sc[name] = { name, spec: h32(0x10 + i), ops, requester: requester! };
      all.push(...ops, requester!);
    }
    const marginOps = await fundedSigners(chain, 'q-margin-op', 5);
    [marginReq] = await fundedSigners(chain, 'q-margin-req', 1);
    [cooldownOp, relayer, bondOp] = await fundedSigners(chain, 'q-misc', 3, 10n * ONE);
    all.push(...marginOps, marginReq!, cooldownOp!, relayer!, bondOp!);
    accounts = accountsOf(chain, all);
    supply = await checkConservation(chain, accounts as never);
    marginSpec = h32(0x77);

    // TestBondEnforcement: bond − 1 is refused and nothing is pulled; exactly the bond is locked.
    const escrowAt = async () => chain.balance('0x' + 'a1'.repeat(20) as never);
    const balBefore = await chain.balance(bondOp!.address);
    results.bondLow = await at(chain, 20, [[bondOp!, 'registerProvider', { stake: BOND - 1n, spec: h32(0x98), endpoint: h32(1), gpuModel: '' }]], check);
    results.bondLowBalance = [{ balBefore, balAfter: await chain.balance(bondOp!.address) } as never];
    const escrow8 = await escrowAt();
    results.bondExact = await at(chain, 21, [[bondOp!, 'registerProvider', { stake: BOND, spec: h32(0x98), endpoint: h32(1), gpuModel: '' }]], check);
    results.bondEscrow = [{ before: escrow8, after: await escrowAt() } as never];

    // Registrations (height 22): 2 × bond each, spec per scenario; the margin spec gets only 5.
    const regs: Call[] = [];
    for (const s of Object.values(sc)) s.ops.forEach((o, i) => regs.push([o, 'registerProvider', { stake: 2n * BOND, spec: s.spec, endpoint: h32(0x80 + i), gpuModel: 'H100' }]));
    marginOps.forEach((o, i) => regs.push([o, 'registerProvider', { stake: 2n * BOND, spec: marginSpec, endpoint: h32(0x80 + i), gpuModel: 'H100' }]));
    regs.push([cooldownOp!, 'registerProvider', { stake: BOND, spec: h32(0x99), endpoint: h32(0x80), gpuModel: 'A100' }]);
    regs.push([bondOp!, 'registerProvider', { stake: BOND, spec: h32(0x98), endpoint: h32(1), gpuModel: '' }]);
    regs.push([cooldownOp!, 'withdrawStake', {}]);
    results.h10 = await at(chain, 22, regs, check);
    results.h10.slice(0, -2).forEach(ok);

    // Intents are committed on the "C side" (this chain) at 99 and imported at 100.
    const commits: Call[] = [];
    for (const s of Object.values(sc)) commits.push([s.requester, 'commitIntent', { callIndex: 7, spec: s.spec, prompt, n: N, threshold: THR, fee: s.name === 'lifecycle' ? 123456n : 1n, reward: REWARD }]);
    commits.push([marginReq!, 'commitIntent', { callIndex: 7, spec: marginSpec, prompt, n: N, threshold: THR, fee: 1n, reward: REWARD }]);
    const committed = await at(chain, 99, commits, check);
    committed.forEach(ok);
    track(committed, commits.map((c) => c[0]));
    const intentOf = (s: { requester: Signer; spec: Uint8Array }, r: SendResult, fee: bigint) => {
      const f = { cChain, aChain, cTx: r.hash, callIndex: 7, caller: s.requester.address, spec: s.spec, prompt, n: N, threshold: THR, fee };
      const id = intentId(f);
      expect(id).to.deep.equal(r.result);
      return { ...f, intentId: id };
    };
    Object.values(sc).forEach((s, i) => (s.intent = intentOf(s, committed[i]!, s.name === 'lifecycle' ? 123456n : 1n)));
    const marginIntent = intentOf({ requester: marginReq!, spec: marginSpec }, committed[committed.length - 1]!, 1n);

    // Height 100: the imports (by a relayer), the forged/uncommitted/cross-chain attempts, the
    // margin rejection, and the cooldown operator's deregistration.
    const lc = sc.lifecycle!.intent!;
    const other = chainIdFromString('other-a-chain');
    const crossFields = { ...lc, aChain: other };
    const uncommitted = { ...lc, cTx: h32(0x11) };
    const imports: Call[] = [
      ...Object.values(sc).map((s): Call => [relayer!, 'importIntent', s.intent!]),
      [relayer!, 'importIntent', { ...lc, n: N + 1 }],
      [relayer!, 'importIntent', { ...lc, threshold: N }],
      [relayer!, 'importIntent', { ...lc, caller: sc.noQuorum!.requester.address }],
      [relayer!, 'importIntent', { ...uncommitted, intentId: intentId(uncommitted) }],
      [relayer!, 'importIntent', { ...crossFields, intentId: intentId(crossFields) }],
      [relayer!, 'importIntent', marginIntent],
      [cooldownOp!, 'deregisterProvider', {}],
    ];
    // The eligible sets just before creation (selection runs over them in registration order).
    for (const s of Object.values(sc)) s.eligibleAtCreation = await chain.call<string[]>('aivm', 'eligible', { spec: s.spec });
    results.h100 = await at(chain, 100, imports, check);
    Object.values(sc).forEach((s, i) => {
      ok(results.h100![i]!);
      s.taskId = results.h100![i]!.result as Uint8Array;
    });
    for (const s of Object.values(sc)) {
      const v = await task(chain, s.taskId!);
      const bySigner = new Map(s.ops.map((o) => [o.address as string, o]));
      s.selected = v.selected.map((a) => bySigner.get(a)!);
    }
  });

  after(async () => chain?.stop());

  it('bond − 1 is rejected and pulls nothing; exactly the bond is locked; a second registration fails (TestBondEnforcement)', () => {
    const low = results.bondLow![0]!;
    failed(low, 'StakeBelowMin');
    const { balBefore, balAfter } = results.bondLowBalance![0] as unknown as { balBefore: bigint; balAfter: bigint };
    expect(balAfter).to.equal(balBefore - low.receipt.gasUsed * GAS_PRICE);
    ok(results.bondExact![0]!);
    const { before, after } = results.bondEscrow![0] as unknown as { before: bigint; after: bigint };
    expect(after - before).to.equal(BOND);
    failed(results.h10![results.h10!.length - 2]!, 'OperatorExists');
  });

  it('withdrawing before deregistering is refused (TestUnstakeCooldown: OperatorBonded)', () => {
    failed(results.h10![results.h10!.length - 1]!, 'OperatorBonded');
  });

  const commitOf = (s: Scenario, op: Signer, output: Uint8Array, embedding = h32(0x01), nonce = h32(0x02)) =>
    commitHash({ taskId: s.taskId!, spec: s.spec, prompt, outputHash: output, embeddingHash: embedding, operator: op.address, nonce });

  it('imports each committed intent into a Committing task with N selected (TestFullLifecycle, setup)', async () => {
    for (const s of Object.values(sc)) {
      const v = await task(chain, s.taskId!);
      expect(v.status).to.equal(TaskStatus.Open);
      expect([v.n, v.threshold]).to.deep.equal([N, THR]);
      expect(v.requestHeight).to.equal(100n);
      expect(v.commitDeadline).to.equal(130n);
      expect(v.revealDeadline).to.equal(160n);
      expect(v.intentId).to.deep.equal(s.intent!.intentId);
      expect(v.escrow).to.equal(REWARD * BigInt(N));
      expect(v.feePaid).to.equal(FEE_PER_OP * BigInt(N));
      expect(new Set(v.selected).size).to.equal(N);
    }
  });

  it('selection is the task-id beacon over the eligible set (TestBeaconDeterministic)', async () => {
    for (const s of Object.values(sc)) {
      const v = await task(chain, s.taskId!);
      expect(selectOperators(s.taskId!, s.eligibleAtCreation!, N)).to.deep.equal(v.selected);
      expect(selectOperators(s.taskId!, s.eligibleAtCreation!, N)).to.deep.equal(selectOperators(s.taskId!, s.eligibleAtCreation!, N));
    }
  });

  it('a tampered N, threshold or caller fails the id binding (TestForgedIntentRejected)', () => {
    const base = Object.keys(sc).length;
    for (const i of [0, 1, 2]) failed(results.h100![base + i]!, 'IDMismatch');
  });

  it('an uncommitted intent cannot create a task and is not marked seen (TestUncommittedIntentRejected)', async () => {
    const base = Object.keys(sc).length;
    failed(results.h100![base + 3]!, 'NotCommitted');
    const uncommitted = { ...sc.lifecycle!.intent!, cTx: h32(0x11) };
    const info = await chain.call<{ committed: unknown; task: unknown }>('aivm', 'getIntent', { id: intentId(uncommitted) });
    expect(info).to.deep.equal({ committed: null, task: null });
  });

  it('an intent for another A-chain is rejected (TestCrossChainReplayRejected)', () => {
    failed(results.h100![Object.keys(sc).length + 4]!, 'IDMismatch');
  });

  it('E = 5 for N = 5 is below the margin (TestEligibleSetMarginRejection)', async () => {
    const r = results.h100![Object.keys(sc).length + 5]!;
    failed(r, 'EligibleBelowMargin');
    expect(r.receipt.errorMessage).to.match(/needs at least 7 \(margin 2\)/);
  });

  it('the same intent cannot create a second task (TestIntentReplayRejected)', async () => {
    const [r] = await at(chain, 101, [[relayer, 'importIntent', sc.lifecycle!.intent!]], check);
    failed(r!, 'AlreadyUsed');
  });

  describe('commit window (height 101..130)', () => {
    before(async () => {
      await mineTo(chain, 102, check);
    });

    it('commits at 102 for every scenario', async () => {
      const calls: Call[] = [];
      const life = sc.lifecycle!;
      life.selected!.forEach((op, i) => calls.push([op, 'commitResult', { taskId: life.taskId!, commit: commitOf(life, op, i < THR ? h32(0x42) : h32(0xe0 + i), h32(0x07), h32(0x99)) }]));
      const nq = sc.noQuorum!;
      nq.selected!.forEach((op, i) => calls.push([op, 'commitResult', { taskId: nq.taskId!, commit: commitOf(nq, op, h32(0x50 + i)) }]));
      const rm = sc.revealMatch!;
      calls.push([rm.selected![0]!, 'commitResult', { taskId: rm.taskId!, commit: commitOf(rm, rm.selected![0]!, h32(0x42)) }]);
      const sw = sc.slashWithhold!;
      sw.selected!.forEach((op, i) => calls.push([op, 'commitResult', { taskId: sw.taskId!, commit: commitOf(sw, op, i < 4 ? h32(0x42) : h32(0xee)) }]));
      const ds = sc.dissenters!;
      ds.selected!.forEach((op, i) => calls.push([op, 'commitResult', { taskId: ds.taskId!, commit: commitOf(ds, op, i < 3 ? h32(0x42) : h32(0x43)) }]));
      // TestNonSelectedCannotCommit: an eligible operator that was not drawn.
      const ns = sc.nonSelected!;
      const outsider = ns.ops.find((o) => !ns.selected!.includes(o))!;
      calls.push([outsider, 'commitResult', { taskId: ns.taskId!, commit: commitOf(ns, outsider, h32(0x42)) }]);
      const rs = await at(chain, 102, calls, check);
      rs.slice(0, -1).forEach(ok);
      failed(rs[rs.length - 1]!, 'NotSelected');
    });

    it('a reveal before the commit window closes is refused (RevealNotOpen)', async () => {
      const rm = sc.revealMatch!;
      const [r] = await at(chain, 103, [[rm.selected![0]!, 'revealResult', { taskId: rm.taskId!, output: h32(0x42), embedding: h32(0x01), nonce: h32(0x02) }]], check);
      failed(r!, 'RevealNotOpen');
    });
  });

  describe('reveal window (height 131..160)', () => {
    before(async () => {
      const calls: Call[] = [];
      const life = sc.lifecycle!;
      for (const op of life.selected!.slice(0, THR)) calls.push([op, 'revealResult', { taskId: life.taskId!, output: h32(0x42), embedding: h32(0x07), nonce: h32(0x99) }]);
      const nq = sc.noQuorum!;
      nq.selected!.forEach((op, i) => calls.push([op, 'revealResult', { taskId: nq.taskId!, output: h32(0x50 + i), embedding: h32(0x01), nonce: h32(0x02) }]));
      const sw = sc.slashWithhold!;
      for (const op of sw.selected!.slice(0, 4)) calls.push([op, 'revealResult', { taskId: sw.taskId!, output: h32(0x42), embedding: h32(0x01), nonce: h32(0x02) }]);
      const ds = sc.dissenters!;
      ds.selected!.forEach((op, i) => calls.push([op, 'revealResult', { taskId: ds.taskId!, output: i < 3 ? h32(0x42) : h32(0x43), embedding: h32(0x01), nonce: h32(0x02) }]));
      const rm = sc.revealMatch!;
      calls.push([rm.selected![0]!, 'revealResult', { taskId: rm.taskId!, output: h32(0x43), embedding: h32(0x01), nonce: h32(0x02) }]);
      results.h131 = await at(chain, 131, calls, check);
    });

    it('every honest reveal lands at 131', () => {
      results.h131!.slice(0, -1).forEach(ok);
    });

    it('revealing an output other than the committed one fails, the right one succeeds (TestRevealMustMatchCommit)', async () => {
      failed(results.h131![results.h131!.length - 1]!, 'CommitMismatch');
      const rm = sc.revealMatch!;
      const [r] = await at(chain, 132, [[rm.selected![0]!, 'revealResult', { taskId: rm.taskId!, output: h32(0x42), embedding: h32(0x01), nonce: h32(0x02) }]], check);
      ok(r!);
      const v = await task(chain, rm.taskId!);
      expect(v.reveals).to.deep.equal([{ operator: rm.selected![0]!.address, output: h32(0x42) }]);
    });

    it('withdraw at 159 is rejected, at 160 it returns the bond (TestUnstakeCooldown)', async () => {
      const [early] = await at(chain, 159, [[cooldownOp, 'withdrawStake', {}]], check);
      failed(early!, 'CooldownActive');
      const before = await chain.balance(cooldownOp.address);
      const [r, settle] = await at(chain, 160, [[cooldownOp, 'withdrawStake', {}], [relayer, 'settle', { taskId: sc.lifecycle!.taskId! }]], check);
      ok(r!);
      expect(r!.result).to.equal(BOND);
      expect(await chain.balance(cooldownOp.address)).to.equal(before + BOND - r!.receipt.gasUsed * GAS_PRICE);
      expect((await chain.call<{ registered: boolean }>('aivm', 'getProvider', { address: cooldownOp.address })).registered).to.equal(false);
      // and in the same block: settling before the reveal window closes is refused
      failed(settle!, 'SettleTooEarly');
    });
  });

  describe('settlement at 161', () => {
    let settleResults: SendResult[];
    let settleSigners: Signer[];
    before(async () => {
      settleSigners = [relayer, sc.noQuorum!.requester, relayer, relayer];
      settleResults = await at(
        chain,
        161,
        [
          [relayer, 'settle', { taskId: sc.lifecycle!.taskId! }],
          [sc.noQuorum!.requester, 'settle', { taskId: sc.noQuorum!.taskId! }],
          [relayer, 'settle', { taskId: sc.slashWithhold!.taskId! }],
          [relayer, 'settle', { taskId: sc.dissenters!.taskId! }],
        ],
        check,
      );
      track(settleResults, settleSigners);
    });

    it('3 winners paid reward + floor(pool/3), 2 withholders slashed, requester gets the rest (TestFullLifecycle; A3 TestSettleQuorum_Reached)', async () => {
      ok(settleResults[0]!);
      const s = sc.lifecycle!;
      const v = await task(chain, s.taskId!);
      expect(v.status).to.equal(TaskStatus.Settled);
      expect(v.canonical).to.deep.equal(h32(0x42));
      expect(v.settledHeight).to.equal(161n);
      const pool = 2n * SLASH;
      for (const op of s.selected!.slice(0, THR)) expect(await credit(chain, op.address)).to.equal(REWARD + pool / 3n);
      for (const op of s.selected!.slice(THR)) expect(await stakeOf(chain, op.address)).to.equal(2n * BOND - SLASH);
      expect(await credit(chain, s.requester.address)).to.equal(REWARD * BigInt(N - THR) + (pool % 3n));
      const slashed = settleResults[0]!.receipt.events.filter((e) => e.name === 'Slashed');
      expect(slashed.length).to.equal(2);
    });

    it('re-settling is refused (TestFullLifecycle: AlreadySettled)', async () => {
      const [r] = await at(chain, 162, [[relayer, 'settle', { taskId: sc.lifecycle!.taskId! }]], check);
      failed(r!, 'AlreadySettled');
    });

    it('the exported receipt is 355 bytes, hashes with the domain, and its proof verifies under the header root (TestFullLifecycle: export)', async () => {
      const s = sc.lifecycle!;
      const ex = await chain.call<{ taskId: Uint8Array; receipt: Uint8Array; receiptHash: Uint8Array; proof: ReceiptProof; root: Uint8Array }>('aivm', 'exportReceipt', { id: s.intent!.intentId });
      expect(ex.receipt.length).to.equal(355);
      expect(Buffer.from(ex.receiptHash)).to.deep.equal(Buffer.from(keccak_256(Buffer.concat([Buffer.from('lux/aivmbridge/receipt/v1'), ex.receipt]))));
      expect(receiptHash(ex.receipt)).to.deep.equal(ex.receiptHash);
      expect(verifyReceiptProof(ex.receiptHash, ex.proof, ex.root)).to.equal(true);
      expect(verifyReceiptProof(ex.receiptHash, { ...ex.proof, index: ex.proof.index ^ 1 }, ex.root)).to.equal(false);
      const r = decodeReceipt(ex.receipt);
      expect(r.intentId).to.deep.equal(s.intent!.intentId);
      expect(r.taskId).to.deep.equal(s.taskId);
      expect(r.cChain).to.deep.equal(cChain);
      expect(r.aChain).to.deep.equal(aChain);
      expect(r.requester).to.equal(s.requester.address);
      expect(r.status).to.equal(ReceiptStatus.Completed);
      expect(r.canonical).to.deep.equal(h32(0x42));
      expect([r.n, r.threshold]).to.deep.equal([N, THR]);
      expect(r.winnersRoot).to.deep.equal(addressRoot(s.selected!.slice(0, THR).map((o) => o.address)));
      expect(r.operatorsRoot).to.deep.equal(addressRoot(s.selected!.map((o) => o.address)));
      expect(r.feePaid).to.equal(FEE_PER_OP * BigInt(N));
      expect(r.settledHeight).to.equal(161n);
      // The block header carries the same receipt root as of the block that settled it.
      const blk = await chain.node.chain.getBlock(161n);
      const headerRoot = blk!.header.extraRoots.find(([n]) => n === 'aivm.receipts')![1];
      const rootAt161 = await chain.call<Uint8Array>('aivm', 'receiptRoot');
      expect(headerRoot).to.deep.equal(rootAt161);
    });

    it('5 distinct outputs: Failed, full escrow refunded, only the burned fee lost (TestNoQuorumFailedRefund; A3 TestSettleQuorum_NoQuorum)', async () => {
      ok(settleResults[1]!);
      const s = sc.noQuorum!;
      const v = await task(chain, s.taskId!);
      expect(v.status).to.equal(TaskStatus.Failed);
      expect(v.canonical).to.deep.equal(new Uint8Array(32));
      expect(settleResults[1]!.receipt.events.filter((e) => e.name === 'Slashed')).to.have.length(0);
      expect(await credit(chain, s.requester.address)).to.equal(REWARD * BigInt(N));
      const [claim] = await at(chain, head(chain) + 1n, [[s.requester, 'claimRewards', {}]], check);
      ok(claim!);
      expect(claim!.result).to.equal(REWARD * BigInt(N));
      track([claim!], [s.requester]);
      const funded = 100n * ONE;
      expect(await chain.balance(s.requester.address)).to.equal(funded - FEE_PER_OP * BigInt(N) - gasPaid.get(s.requester.address)!);
      const ex = await chain.call<{ receipt: Uint8Array; receiptHash: Uint8Array; proof: ReceiptProof; root: Uint8Array }>('aivm', 'exportReceipt', { id: s.intent!.intentId });
      const r = decodeReceipt(ex.receipt);
      expect(r.status).to.equal(ReceiptStatus.Failed);
      expect(r.canonical).to.deep.equal(new Uint8Array(32));
      expect(r.winnersRoot).to.deep.equal(new Uint8Array(32));
      expect(verifyReceiptProof(ex.receiptHash, ex.proof, ex.root)).to.equal(true);
    });

    it('exactly one withholder slashed by SlashPerOperator (TestSlashFiresOnWithhold)', async () => {
      ok(settleResults[2]!);
      const s = sc.slashWithhold!;
      expect((await task(chain, s.taskId!)).status).to.equal(TaskStatus.Settled);
      const slashed = settleResults[2]!.receipt.events.filter((e) => e.name === 'Slashed');
      expect(slashed).to.have.length(1);
      expect(await stakeOf(chain, s.selected![4]!.address)).to.equal(2n * BOND - SLASH);
      for (const op of s.selected!.slice(0, 4)) expect(await stakeOf(chain, op.address)).to.equal(2n * BOND);
      for (const op of s.selected!.slice(0, 4)) expect(await credit(chain, op.address)).to.equal(REWARD + SLASH / 4n);
    });

    it('dissenters who revealed keep their stake (TestDissentersNotSlashed)', async () => {
      ok(settleResults[3]!);
      const s = sc.dissenters!;
      const v = await task(chain, s.taskId!);
      expect(v.status).to.equal(TaskStatus.Settled);
      expect(v.canonical).to.deep.equal(h32(0x42));
      expect(settleResults[3]!.receipt.events.filter((e) => e.name === 'Slashed')).to.have.length(0);
      for (const op of s.selected!.slice(3)) {
        expect(await stakeOf(chain, op.address)).to.equal(2n * BOND);
        expect(await credit(chain, op.address)).to.equal(0n);
      }
      expect(await credit(chain, s.requester.address)).to.equal(2n * REWARD);
    });

    it('endBlock settles what nobody settled by hand, one block after the reveal deadline', async () => {
      // revealMatch and nonSelected were never settled by a transaction: their SettleQuorum ran at 161.
      for (const s of [sc.revealMatch!, sc.nonSelected!, sc.beacon!]) {
        const v = await task(chain, s.taskId!);
        expect(v.settledHeight).to.equal(161n);
        expect(v.status).to.equal(TaskStatus.Failed); // fewer than 3 reveals
      }
      const evs = await chain.node.chain.getEvents({ fromHeight: 161n, toHeight: 161n, name: 'TaskSettled' });
      expect(evs.filter((e) => e.txHash === null)).to.have.length(3);
    });

    it('claims pay out exactly the credit and zero it', async () => {
      const op = sc.lifecycle!.selected![0]!;
      const before = await chain.balance(op.address);
      const owed = await credit(chain, op.address);
      const [r] = await at(chain, head(chain) + 1n, [[op, 'claimRewards', {}]], check);
      ok(r!);
      expect(r!.result).to.equal(owed);
      expect(await chain.balance(op.address)).to.equal(before + owed - r!.receipt.gasUsed * GAS_PRICE);
      expect(await credit(chain, op.address)).to.equal(0n);
      const [again] = await at(chain, head(chain) + 1n, [[op, 'claimRewards', {}]], check);
      failed(again!, 'NoCredit');
    });
  });

});

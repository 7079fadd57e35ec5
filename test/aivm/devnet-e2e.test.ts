/**
 * Acceptance 3 and 4 end to end: a devnet node serving JSON-RPC, six reference providers (five
 * honest, one `dishonest`) talking to it only over RPC, and a requester.
 *  - a redundant task settles with the honest majority while the withholder is slashed;
 *  - an optimistic task answered by the dishonest provider is challenged by an honest one,
 *    re-executed on chain, and the dishonest provider loses its bond;
 *  - an unchallenged result finalizes exactly at the end of its window; a challenge one block
 *    late is rejected;
 *  - bonds and balances are conserved after every block;
 *  - a follower replaying the devnet's blocks reproduces every AIVM root.
 * The requester picks each task's input so that selection lands where the scenario needs it
 * (grinding the prompt, the very bias the eligible-set margin bounds). Blocks are mined by the test
 * on demand, not on a timer: the next block comes once every provider has looked at the head (or
 * has its transaction in the mempool), so a loaded machine slows the test down but cannot make a
 * provider miss a window. Mining pauses when a task's height must be known in advance.
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { DevChain, importBlock, Node, RpcClient, RpcServer, signTx, toHex, type Address, type Signer } from '../../sdk/chain.js';
import { devGenesis, startNode } from '../../genesis/index.js';
import { AIVM_ADDRESS, AivmClient, aivmModule, Mode, ReferenceProvider, selectOperators, TaskStatus, taskId as computeTaskId, type TaskView } from '../../sdk/aivm/index.js';
import { accountsOf, checkConservation, fundedSigners, ok, ONE } from './harness.js';
import { modelFile } from './models-fixture.js';

const PARAMS = { commitBlocks: '4', revealBlocks: '4', postBlocks: '6', challengeWindowBlocks: '8', minChallengeWindowBlocks: '2' };
const K = (b: Uint8Array) => new Uint8Array(keccak_256(b));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('aivm devnet end to end: six reference providers over JSON-RPC (acceptance 3, 4)', function () {
  this.timeout(240_000);
  let node: Node;
  let chain: DevChain;
  let server: RpcServer;
  let url: string;
  let providers: ReferenceProvider[];
  let signers: Signer[];
  let owner: Signer, requester: Signer, lateChallenger: Signer;
  let accounts: string[];
  let supply: bigint | undefined;
  let conservationChecks = 0;
  const model = modelFile('devnet');
  const spec = K(model);
  let mining = true;
  let paused = false;
  let minerLoop: Promise<void>;
  let minerError: unknown;
  let idle: (() => void) | undefined;

  const mineOne = async () => {
    await chain.mine(1);
    supply = await checkConservation(chain, accounts as never, supply);
    conservationChecks++;
  };
  /** Mining stops at this height (the miner idles once the head reaches it). */
  let stopAt: bigint | undefined;
  const pause = () =>
    new Promise<void>((res) => {
      paused = true;
      idle = res;
    });
  /** Lets the miner run up to `height` and stop there; resolves once it has. */
  const pauseAt = (height: bigint) =>
    new Promise<void>((res) => {
      stopAt = height;
      idle = res;
    });
  const resume = () => {
    paused = false;
    stopAt = undefined;
  };
  const head = () => node.chain.headHeader.height;
  const task = async (id: Uint8Array) => (await chain.call<TaskView | null>('aivm', 'getTask', { id }))!;
  const waitFor = async (what: string, cond: () => Promise<boolean>, timeoutMs = 60_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await cond())) {
      if (minerError) throw minerError;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what} (height ${head()})`);
      await sleep(50);
    }
  };

  /**
   * Submits a task in a block the test mines itself, with an input whose selection satisfies `want`.
   * With `holdAfter`, mining then stops `holdAfter` blocks later (see `pauseAt`).
   */
  async function submitGround(mode: number, n: number, threshold: number, want: (selected: string[]) => boolean, holdAfter?: bigint): Promise<Uint8Array> {
    await pause();
    const height = head() + 1n;
    const eligible = await chain.call<string[]>('aivm', 'eligible', { spec });
    const nonce = await chain.call<bigint>('aivm', 'nextTaskNonce', { address: requester.address });
    let input: Uint8Array | undefined;
    for (let k = 0; !input; k++) {
      if (k > 10_000) throw new Error(`no input gives the wanted selection among ${eligible.length} eligible`);
      const x = K(new TextEncoder().encode(`grind/${mode}/${height}/${k}`));
      const id = computeTaskId({ requester: requester.address, nonce, spec, prompt: K(x), height, n, threshold });
      if (want(selectOperators(id, eligible, n))) input = x;
    }
    const fee = BigInt(n) * 10n ** 16n;
    const sent = await chain.submit(requester, 'aivm', 'submitTask', { mode, spec, prompt: K(input), input, n, threshold, reward: ONE, fee });
    await mineOne();
    resume();
    if (holdAfter !== undefined) stopAt = height + holdAfter;
    const r = await sent.receipt;
    ok(r);
    expect(r.height).to.equal(height);
    return r.result as Uint8Array;
  }

  before(async () => {
    node = await startNode({ memory: true, genesis: devGenesis({ modules: { aivm: PARAMS } }), mining: { mode: 'manual' }, verifier: { threads: 0 } });
    chain = new DevChain(node);
    server = new RpcServer(node, { port: 0 });
    url = (await server.listen()).url;
    [owner, requester, lateChallenger] = await fundedSigners(chain, 'e2e-people', 3, 100n * ONE);
    signers = await fundedSigners(chain, 'e2e-providers', 6, 20n * ONE);
    accounts = accountsOf(chain, [owner!, requester!, lateChallenger!, ...signers]);
    supply = await checkConservation(chain, accounts as never);
    const reg = await chain.submit(owner!, 'aivm', 'registerModel', { modelRoot: spec, weightHash: spec, licenseRoot: K(new TextEncoder().encode('license')), parameterCount: 545n, modality: 0, file: model });
    await mineOne();
    ok(await reg.receipt);

    /** Every provider has seen head `h`, or is waiting for its transaction (already in the mempool) to be mined. */
    const providersDone = (h: bigint) => providers !== undefined && providers.every((p) => p.seenHead >= h || (p.sending && node.mempool.pendingCount(p.address as Address) > 0));
    minerLoop = (async () => {
      while (mining) {
        if (paused || (stopAt !== undefined && head() >= stopAt)) {
          idle?.();
          idle = undefined;
          await sleep(5);
          continue;
        }
        if (!providersDone(head())) {
          await sleep(5); // waiting on the providers' progress, not on the clock
          continue;
        }
        try {
          await mineOne();
          for (const p of providers) p.poke();
        } catch (e) {
          minerError = e;
          mining = false;
        }
      }
    })();

    providers = signers.map(
      (s, i) =>
        new ReferenceProvider({ client: new AivmClient(new RpcClient(url)), signer: s, model, stake: 2n * ONE, gpuModel: i === 0 ? 'H100' : 'RTX 4090', dishonest: i === 5, pollMs: 40, log: process.env.AIVM_E2E_LOG ? (l) => console.log(`[p${i}] ${l}`) : undefined }),
    );
    for (const p of providers) p.start();
    await waitFor('six registered providers', async () => (await chain.call<string[]>('aivm', 'eligible', { spec })).length === 6);
  });

  after(async () => {
    mining = false;
    await minerLoop;
    for (const p of providers ?? []) await p.stop();
    await server?.close();
    await node?.stop();
  });

  const dishonest = () => providers[5]!.address;

  it('a redundant task settles with the honest majority while the withholder is slashed', async () => {
    const id = await submitGround(Mode.MultiPartyRedundant, 4, 3, (sel) => sel.includes(dishonest()));
    const v0 = await task(id);
    expect(v0.selected).to.include(dishonest());
    const stakeBefore = (await chain.call<{ operator: { stake: bigint } }>('aivm', 'getProvider', { address: dishonest() })).operator.stake;
    await waitFor('settlement', async () => (await task(id)).status !== TaskStatus.Open);
    const v = await task(id);
    expect(v.status).to.equal(TaskStatus.Settled);
    expect(v.committed.length).to.equal(4);
    expect(v.reveals.map((r) => r.operator)).to.not.include(dishonest());
    expect(v.reveals.length).to.equal(3);
    expect(new Set(v.reveals.map((r) => toHex(r.output))).size).to.equal(1);
    expect(v.canonical).to.deep.equal(v.reveals[0]!.output);
    const after = (await chain.call<{ operator: { stake: bigint } }>('aivm', 'getProvider', { address: dishonest() })).operator.stake;
    expect(after).to.equal(stakeBefore - 10n ** 17n);
    for (const r of v.reveals) expect(await chain.call<bigint>('aivm', 'credit', { address: r.operator })).to.equal(ONE + 10n ** 17n / 3n);
  });

  it('an optimistic result from the dishonest provider is challenged, re-executed on chain, and it loses its bond', async () => {
    const creditBefore = new Map<string, bigint>();
    for (const p of providers) creditBefore.set(p.address, await chain.call<bigint>('aivm', 'credit', { address: p.address }));
    const id = await submitGround(Mode.Optimistic, 1, 1, (sel) => sel[0] === dishonest());
    await waitFor('the dispute', async () => (await task(id)).status === TaskStatus.Settled);
    const v = await task(id);
    expect(v.post!.provider).to.equal(dishonest());
    expect(v.post!.challenger).to.not.equal(null);
    expect(providers.slice(0, 5).map((p) => p.address)).to.include(v.post!.challenger);
    expect(v.canonical).to.not.deep.equal(v.post!.outputHash);
    expect(v.canonical).to.deep.equal(providers[0]!.outputFor(v)!.output);
    const evs = await node.chain.getEvents({ fromHeight: v.post!.postedHeight, toHeight: head(), address: AIVM_ADDRESS });
    const mine = evs.filter((e) => toHex(e.topics[1]!) === toHex(id));
    expect(mine.map((e) => e.name)).to.include.members(['ResultPosted', 'Challenged', 'Reexecuted', 'DisputeResolved']);
    const d = await chain.call<{ stats: { slashed: boolean; disputesLost: number }; credit: bigint }>('aivm', 'getProvider', { address: dishonest() });
    expect(d.stats.slashed).to.equal(true);
    expect(d.stats.disputesLost).to.equal(1);
    // Half the dishonest bond went to the challenger (with its own bond back).
    expect(await chain.call<bigint>('aivm', 'credit', { address: v.post!.challenger! })).to.equal(creditBefore.get(v.post!.challenger!)! + ONE + ONE / 2n);
    expect(await chain.call<bigint>('aivm', 'credit', { address: dishonest() })).to.equal(creditBefore.get(dishonest())!);
  });

  it('an unchallenged result finalizes exactly at the window end; a challenge one block late is rejected', async () => {
    const honest = providers[1]!.address;
    // The assigned provider posts in the first block after the task's: hold there.
    const id = await submitGround(Mode.Optimistic, 1, 1, (sel) => sel[0] === honest, 1n);
    const height = (await task(id)).requestHeight;
    await pauseAt(height + 1n);
    expect((await task(id)).status).to.equal(TaskStatus.Posted);
    const deadline = (await task(id)).post!.deadline;
    await pauseAt(deadline - 2n);
    expect(head()).to.equal(deadline - 2n);
    while (head() < deadline) {
      expect((await task(id)).status).to.equal(TaskStatus.Posted);
      await mineOne();
    }
    const v = await task(id);
    expect(v.status).to.equal(TaskStatus.Settled);
    expect(v.settledHeight).to.equal(deadline);
    const fin = await node.chain.getEvents({ fromHeight: deadline, toHeight: deadline, address: AIVM_ADDRESS, name: 'ResultFinalized' });
    expect(fin.map((e) => toHex(e.topics[1]!))).to.include(toHex(id));
    // A challenge landing at deadline + 1, sent with an explicit gas limit so it reaches the chain.
    const rpc = new RpcClient(url);
    const acct = await rpc.getAccount(lateChallenger.address);
    const args = aivmModule.methods.challenge!.args.encode({ taskId: id, claimedOutput: K(id), bond: ONE });
    const tx = signTx({ chainId: chain.chainId, nonce: BigInt(acct.pendingNonce), from: lateChallenger.address, to: AIVM_ADDRESS, method: 'challenge', args: args as never, gasLimit: 2_000_000n, gasPrice: 1_000_000_000n }, lateChallenger);
    const { hash } = await rpc.sendTransaction(tx.raw);
    await mineOne();
    const receipt = await rpc.waitForReceipt(hash);
    rpc.close();
    resume();
    expect(receipt.height).to.equal(Number(deadline + 1n));
    expect(receipt.status).to.equal(0);
    expect(receipt.error).to.equal('ChallengeWindowClosed');
  });

  it('bonds and balances were conserved after every block', async () => {
    expect(conservationChecks).to.be.greaterThan(20);
    supply = await checkConservation(chain, accounts as never, supply);
    const acc = await chain.call<{ escrowBalance: bigint; totals: { bonds: bigint } }>('aivm', 'accounting');
    expect(acc.escrowBalance > 0n).to.equal(true);
  });

  it('a follower replaying the devnet blocks reproduces every AIVM root (acceptance 4)', async () => {
    await pause();
    const f = await startNode({ memory: true, genesis: devGenesis({ modules: { aivm: PARAMS } }), produce: false, verifier: { threads: 0 } });
    try {
      const top = head();
      for (let h = 1n; h <= top; h++) {
        const block = (await node.chain.getBlock(h))!;
        await importBlock(f.chain, f.verifier, block); // checks state, receipts and extra roots
        const roots = (await f.chain.getBlock(h))!.header.extraRoots;
        expect(roots.map(([n, r]) => `${n}=${toHex(r)}`)).to.deep.equal(block.header.extraRoots.map(([n, r]) => `${n}=${toHex(r)}`));
      }
      expect(toHex(f.head().stateRoot)).to.equal(toHex(node.head().stateRoot));
      expect(await f.query(AIVM_ADDRESS, 'getStats', {})).to.deep.equal(await node.query(AIVM_ADDRESS, 'getStats', {}));
    } finally {
      await f.stop();
      resume();
    }
  });

  it('the providers left a readable trail', () => {
    const kinds = new Set(providers.flatMap((p) => p.actions.map((a) => a.kind)));
    for (const k of ['register', 'commit', 'reveal', 'post', 'challenge']) expect([...kinds]).to.include(k);
  });
});

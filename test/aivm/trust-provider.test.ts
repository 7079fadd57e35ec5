/**
 * Rules 2, acceptance 4 with the reference providers and no manual step: three providers (one
 * dishonest) serve a model whose file is not on chain, so a challenged result can be neither
 * re-executed at the challenge nor escalated. An honest provider challenges the dishonest result,
 * the dispute waits for evidence, and an honest provider substantiates it with its own model file:
 * the chain re-executes and the dishonest provider loses its bond. The providers' passes are run
 * one after the other on an automining chain (each transaction is mined as it is sent).
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createDevChain, RpcClient, RpcServer, type DevChain, type Signer } from '../../sdk/chain.js';
import { AIVM_RULES, AivmClient, Mode, ReferenceProvider, selectOperators, TaskStatus, taskId as computeTaskId, type TaskView } from '../../sdk/aivm/index.js';
import { fundedSigners, ok, ONE } from './harness.js';
import { modelFile } from './models-fixture.js';

const K = (b: Uint8Array) => new Uint8Array(keccak_256(b));

describe('aivm rules 2: reference providers settle a dispute nobody could decide at the challenge', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let server: RpcServer;
  let providers: ReferenceProvider[];
  let requester: Signer;
  const model = modelFile('provider-dispute');
  const spec = K(model);

  before(async () => {
    chain = await createDevChain({ genesis: { modules: { aivm: { version: AIVM_RULES.trust, postBlocks: '30', challengeWindowBlocks: '30', disputeWindowBlocks: '30' } } } });
    server = new RpcServer(chain.node, { port: 0 });
    const { url } = await server.listen();
    [requester] = await fundedSigners(chain, 'tp-req', 1, 100n * ONE);
    const signers = await fundedSigners(chain, 'tp-providers', 3, 20n * ONE);
    // registered with its weight hash only: results cannot be re-executed at the challenge
    ok((await chain.send(requester!, 'aivm', 'registerModel', { modelRoot: spec, weightHash: spec, licenseRoot: K(new Uint8Array(1)), parameterCount: 545n, modality: 0, file: new Uint8Array(0) })));
    providers = signers.map((s, i) => new ReferenceProvider({ client: new AivmClient(new RpcClient(url)), signer: s, model, dishonest: i === 2 }));
    for (const p of providers) await p.tick(); // registers
  });
  after(async () => {
    await server?.close();
    await chain?.stop();
  });

  it('acceptance 4: challenged, left waiting for evidence, substantiated by an honest provider; the dishonest one loses its bond', async () => {
    const dishonest = providers[2]!;
    // an input whose task goes to the dishonest provider
    const eligible = await chain.call<string[]>('aivm', 'eligible', { spec });
    expect(eligible).to.have.length(3);
    const nonce = await chain.call<bigint>('aivm', 'nextTaskNonce', { address: requester.address });
    const height = chain.node.chain.headHeader.height + 1n;
    let input: Uint8Array | undefined;
    for (let k = 0; !input; k++) {
      const x = K(new TextEncoder().encode(`tp/${k}`));
      const id = computeTaskId({ requester: requester.address, nonce, spec, prompt: K(x), height, n: 1, threshold: 1 });
      if (selectOperators(id, eligible, 1)[0] === dishonest.address) input = x;
    }
    const r = await chain.send(requester, 'aivm', 'submitTask', { mode: Mode.Optimistic, spec, prompt: K(input), input, n: 1, threshold: 1, reward: ONE, fee: 10n ** 16n });
    ok(r);
    const id = r.result as Uint8Array;
    await dishonest.tick(); // posts a corrupted output
    await providers[0]!.tick(); // challenges it: no re-execution, no voters → waits for evidence
    await providers[1]!.tick(); // sees the dispute waiting and substantiates it
    await providers[0]!.tick();
    const v = await chain.call<TaskView>('aivm', 'getTask', { id });
    expect(v.status).to.equal(TaskStatus.Settled);
    expect(v.post!.provider).to.equal(dishonest.address);
    expect(v.canonical).to.deep.equal(providers[0]!.outputFor(v)!.output);
    const kinds = providers.flatMap((p) => p.actions.filter((a) => a.taskId !== '' && !a.error).map((a) => a.kind));
    expect(kinds).to.include.members(['post', 'challenge', 'substantiate']);
    const names = (await chain.node.chain.getEvents({ fromHeight: 1n, toHeight: chain.node.chain.headHeader.height, name: 'DisputeAwaitingEvidence' })).length;
    expect(names).to.equal(1);
    const d = await chain.call<any>('aivm', 'getProvider', { address: dishonest.address });
    expect([d.stats.slashed, d.credit]).to.deep.equal([true, 0n]);
  });
});

/**
 * A scripted devnet history for the explorer test: LUX transfers (one failing), a messaging
 * session with messages, a workload session run to `finalized` by three committee workers, two
 * escrow channels (one settled, topped up and closing; one closed), and AIVM providers, a model, an
 * optimistic task whose result is challenged and re-executed on chain.
 */
import { expect } from 'chai';
import { MlDsaSigner, sha256, keccak256, toHex, utf8, concat, u32be, type DevChain } from '../../sdk/chain.js';
import { generateIdentity, MessagingRpcClient, CommitteeWorker, echoHandler, WorkClient } from '../../sdk/session/index.js';
import { EscrowRpcClient } from '../../sdk/precompiles/index.js';
import { Mode, runInference } from '../../sdk/aivm/index.js';
import { tinyClassifierFixtureFile } from '../../gpu/index.js';
import { RpcClient } from '../../sdk/index.js';
import { until } from '../helpers/until.js';

const ONE = 10n ** 18n;

export interface History {
  transferTx: string;
  failedTx: string;
  messagingSession: string;
  workSession: string;
  channel: string;
  closedChannel: string;
  task: string;
  provider: string;
  account: string;
}

export async function scriptHistory(chain: DevChain, url: string): Promise<History> {
  const rpc = new RpcClient(url);
  try {
    const ok = (r: { status: number; error: string | null; errorMessage: string | null }) => expect(r.status, `${r.error}: ${r.errorMessage}`).to.equal(1);
    // LUX: a transfer and a failing one (the receipt records InsufficientBalance).
    const dev0 = chain.signer(0);
    const transfer = await chain.send(dev0, 'lux', 'transfer', { to: chain.signer(1).address, amount: 5n * ONE });
    const failed = await chain.send(chain.signer(1), 'lux', 'transfer', { to: dev0.address, amount: 10n ** 40n }, { gasLimit: 300_000n });
    expect(failed.receipt.status).to.equal(0);

    // Messaging: alice and bob, two messages.
    const messaging = new MessagingRpcClient(rpc);
    const alice = generateIdentity(sha256(utf8('explorer/alice')));
    const bob = generateIdentity(sha256(utf8('explorer/bob')));
    const { sessionId } = await messaging.createSession(dev0, [alice, bob], { ttlBlocks: 10_000n });
    await messaging.sendMessage(dev0, alice, sessionId, utf8('hello Bob'));
    await messaging.sendMessage(dev0, bob, sessionId, utf8('hello Alice'));

    // Workload session: three committee workers, one oracle step, finalized.
    const workers: CommitteeWorker[] = [];
    for (let i = 0; i < 3; i++) {
      const w = new CommitteeWorker({ rpc: url, operator: chain.signer(2 + i, 'secp256k1'), nodeKey: new MlDsaSigner(sha256(concat(utf8('explorer/node'), u32be(i)))), handler: echoHandler(), pollMs: 100 });
      expect(await w.ensureRegistered(`https://node${i}.example`, 1000n * ONE)).to.equal('active');
      workers.push(w);
    }
    for (const w of workers) await w.start();
    const owner = new WorkClient(rpc, chain.signer(6, 'secp256k1'));
    const created = await owner.send<Uint8Array>('createSession', { serviceId: sha256(utf8('weather')) });
    const work = created.result;
    ok(created);
    ok(await owner.send('startSession', { sessionId: work }));
    ok(await owner.send('createOracleRequest', { sessionId: work, kind: 2, input: utf8('{"city":"Lisbon"}') }));
    await until('the step to complete', async () => (await owner.query('getStep', { sessionId: work, stepIndex: 0 })).state === 'completed');
    // Each worker records a delivery receipt of the step (the explorer checks their proofs); they
    // land before the finalization fixes the receipts root.
    await until('the delivery receipts', async () => (await owner.query('getReceipts', { sessionId: work })).length >= 3);
    ok(await owner.send('requestFinalize', { sessionId: work, outputHash: await owner.query('getSessionOutput', { sessionId: work }) }));
    await until('the session to finalize', async () => (await owner.query('getSession', { sessionId: work })).state === 'finalized');
    for (const w of workers) await w.stop();

    // Escrow: a channel that is settled, topped up and closing; another one closed.
    const escrow = new EscrowRpcClient(rpc);
    const payer = chain.signer(7, 'secp256k1');
    const payee = chain.signer(8, 'secp256k1');
    const opened = await escrow.open(payer, { payee: payee.address, deposit: 5_000_000n });
    ok(opened.receipt);
    const v1 = await escrow.signVoucher(payer, opened.channelId, 1_250_000n);
    ok(await escrow.settle(payee, opened.descriptor, 1_250_000n, v1));
    ok(await escrow.topUp(payer, opened.descriptor, 2_000_000n));
    ok(await escrow.requestClose(payer, opened.descriptor));
    const second = await escrow.open(payer, { payee: payee.address, deposit: 1_000_000n, salt: toHex(sha256(utf8('second'))) });
    const v2 = await escrow.signVoucher(payer, second.channelId, 400_000n);
    ok(await escrow.close(payee, second.descriptor, 400_000n, 400_000n, v2));

    // AIVM: a model, three providers, an optimistic task posted honestly and challenged wrongly.
    const model = tinyClassifierFixtureFile();
    const spec = keccak256(model);
    const aivmSend = async (signerIndex: number, method: string, args: Record<string, unknown>) => {
      const r = await chain.send(chain.signer(signerIndex), 'aivm', method, args);
      expect(r.receipt.status, `${method}: ${r.receipt.error} ${r.receipt.errorMessage}`).to.equal(1);
      return r;
    };
    await aivmSend(2, 'registerModel', { modelRoot: spec, weightHash: spec, licenseRoot: new Uint8Array(32), parameterCount: 545n, modality: 0, file: model });
    for (const i of [3, 4, 5]) await aivmSend(i, 'registerProvider', { stake: 2n * ONE, spec, endpoint: sha256(utf8(`provider${i}`)), gpuModel: 'cpu' });
    const input = sha256(utf8('explorer/input'));
    const submitted = await aivmSend(0, 'submitTask', { mode: Mode.Optimistic, spec, prompt: keccak256(input), input, n: 1, threshold: 1, reward: ONE, fee: ONE / 100n });
    const taskId = submitted.result as Uint8Array;
    const view = await chain.call<{ selected: string[] }>('aivm', 'getTask', { id: taskId });
    const assigned = view.selected[0]!;
    const indexOf = (address: string) => [3, 4, 5].find((i) => chain.signer(i).address === address)!;
    const correct = runInference(model, input, taskId, 0n, 0n).outputCommitment;
    await aivmSend(indexOf(assigned), 'submitResult', { taskId, outputHash: correct, bond: ONE, computeMs: 12n, proof: new Uint8Array(32).fill(7) });
    const challenger = [3, 4, 5].find((i) => chain.signer(i).address !== assigned)!;
    await aivmSend(challenger, 'challenge', { taskId, claimedOutput: sha256(utf8('wrong')), bond: ONE });

    return {
      transferTx: toHex(transfer.hash),
      failedTx: toHex(failed.hash),
      messagingSession: toHex(sessionId),
      workSession: toHex(work),
      channel: opened.channelId,
      closedChannel: second.channelId,
      task: toHex(taskId),
      provider: assigned,
      account: payer.address,
    };
  } finally {
    rpc.close();
  }
}

/**
 * Issue 10, acceptance 3: the AIVM results never depend on the kernel backend. Two real devnet
 * processes, one started with `--kernels native` and one with `--kernels ts` (each banner names its
 * backend), receive the same AIVM transactions (a model, providers, a TEE attestation checked by
 * proof_verify, an optimistic task whose wrong answer is challenged and re-executed on chain by
 * inference_step, blocks at fixed timestamps) and reach the same state root and the same
 * `aivm.state` / `aivm.receipts` roots at every height. Then each chain is replayed on the other
 * backend: a follower started with `--kernels ts` re-executes and verifies the native chain, and
 * one with `--kernels native` the TS chain, up to the same head.
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { devSeed, RpcClient, signerFromSeed, type HeaderJson, type Signer } from '../../sdk/chain.js';
import { AivmClient, attestationMessage, DEV_TEE_VENDOR, issueTeeCertificate, Mode, runInference, signAttestation } from '../../sdk/aivm/index.js';
import { runCli, startDevnet, type DevnetProcess } from '../helpers/processes.js';
import { nativeKernels } from '../../gpu/index.js';
import { input, modelFile } from './models-fixture.js';

const ONE = 10n ** 18n;
const K = (b: Uint8Array) => new Uint8Array(keccak_256(b));
const h32 = (b: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? b : 0));
const T0 = 1_900_000_000_000; // unix ms of the first workload block; each next block is 2 s later

/** One node under test: its process, an RPC client, and the AIVM client over it. */
interface Net {
  devnet: DevnetProcess;
  rpc: RpcClient;
  aivm: AivmClient;
  block: number;
}

async function open(args: string[]): Promise<Net> {
  const devnet = await startDevnet({ memory: true, args });
  const rpc = new RpcClient(devnet.url);
  return { devnet, rpc, aivm: new AivmClient(rpc), block: 0 };
}

/** Sends one AIVM call in its own automined block at the next fixed timestamp; expects success. */
async function call(net: Net, signer: Signer, method: string, args: Record<string, unknown>) {
  await net.rpc.call('dev.SetNextBlockTimestamp', { timestamp: T0 + 2000 * net.block++ });
  const receipt = await net.aivm.send(signer, method, args).catch((e) => expect.fail(`${method}: ${(e as Error).stack}`));
  expect(receipt.status, `${method}: ${receipt.error} ${receipt.errorMessage}`).to.equal(1);
  return receipt;
}

/** The same workload on any node, one transaction per block. */
async function workload(net: Net, chainId: bigint): Promise<void> {
  const dev = (i: number) => signerFromSeed(devSeed(i), 'secp256k1');
  const [owner, requester, challenger] = [dev(1), dev(2), dev(3)];
  const ops = [dev(4), dev(5), dev(6)];
  const file = modelFile('kernels-devnet');
  const spec = K(file);
  await call(net, owner, 'registerModel', { modelRoot: spec, weightHash: spec, licenseRoot: h32(1), parameterCount: 1n, modality: 0, file });
  for (const [i, o] of ops.entries()) await call(net, o, 'registerProvider', { stake: 2n * ONE, spec, endpoint: h32(i), gpuModel: 'L40S' });

  const sk = new Uint8Array(32).fill(7);
  const expiryNs = BigInt(T0) * 1_000_000n + 10n ** 15n;
  // The attesting key needs the (devnet) vendor's certificate before its attestation counts.
  const certFields = { attestingKey: signAttestation(sk, new Uint8Array(32)).attestingKey, measurement: h32(0x4d), kind: 1, notAfterNs: expiryNs };
  const cert = issueTeeCertificate(DEV_TEE_VENDOR.secretKey, certFields);
  await call(net, ops[0]!, 'certifyAttestingKey', { ...certFields, vendorKey: cert.vendorKey, signature: cert.signature });
  const msg = attestationMessage({ chainId, provider: ops[0]!.address, digest: h32(0xd1), measurement: h32(0x4d), expiryNs, kind: 1 });
  await call(net, ops[0]!, 'registerAttestation', { digest: h32(0xd1), measurement: h32(0x4d), ...signAttestation(sk, msg), expiryNs, kind: 1 });

  const x = input('kernels-devnet');
  const created = await call(net, requester, 'submitTask', { mode: Mode.Optimistic, spec, prompt: K(x), input: x, n: 1, threshold: 1, reward: ONE, fee: 10n ** 16n });
  const taskId = new Uint8Array(Buffer.from((created.result as string).slice(2), 'hex'));
  const task = (await net.aivm.task(taskId))!;
  const poster = ops.find((o) => o.address === task.selected[0])!;
  await call(net, poster, 'submitResult', { taskId, outputHash: h32(0xba), bond: ONE, computeMs: 300n, proof: new Uint8Array(64) });
  const right = runInference(file, x, taskId, 0n, 0n).outputCommitment;
  await call(net, challenger, 'challenge', { taskId, claimedOutput: right, bond: ONE });
  for (let i = 0; i < 3; i++) {
    await net.rpc.call('dev.SetNextBlockTimestamp', { timestamp: T0 + 2000 * net.block++ });
    await net.rpc.call('dev.Mine', { blocks: 1 });
  }
}

const roots = (h: HeaderJson) => ({ height: h.height, stateRoot: h.stateRoot, extraRoots: h.extraRoots, txRoot: h.txRoot, receiptsRoot: h.receiptsRoot });

describe('AIVM kernels on a devnet: --kernels native and --kernels ts reach the same roots and replay each other (issue 10)', function () {
  this.timeout(300_000);
  const nets: Net[] = [];
  after(async () => {
    for (const n of nets) {
      n.rpc.close();
      await n.devnet.stop();
    }
  });

  it('the same transactions give the same state and AIVM roots at every height on both backends; each chain replays on the other', async () => {
    const [native, ts] = await Promise.all([open(['--kernels', 'native']), open(['--kernels', 'ts'])]);
    nets.push(native, ts);
    expect(native.devnet.output()).to.match(/AIVM kernels {4}native: C\+\+ CPU kernels/);
    expect(ts.devnet.output()).to.match(/AIVM kernels {4}ts: TypeScript reference kernels/);

    const chainId = BigInt(await native.rpc.call<number>('chain.ChainId'));
    await workload(native, chainId);
    await workload(ts, chainId);

    const head = (await native.rpc.head()).height;
    expect((await ts.rpc.head()).height).to.equal(head);
    const aivmStates = new Set<string>();
    for (let h = 1; h <= head; h++) {
      const [a, b] = await Promise.all([native.rpc.call<HeaderJson>('chain.GetBlock', { block: h }), ts.rpc.call<HeaderJson>('chain.GetBlock', { block: h })]);
      expect(roots(a), `block ${h}`).to.deep.equal(roots(b));
      aivmStates.add(a.extraRoots['aivm.state']!);
    }
    expect(aivmStates.size).to.equal(head); // the AIVM root moves every block: the kernels really ran

    // Replay: each chain re-executed and verified by a follower on the other backend.
    const [tsFollower, nativeFollower] = await Promise.all([
      open(['--kernels', 'ts', '--follow', native.devnet.url]),
      open(['--kernels', 'native', '--follow', ts.devnet.url]),
    ]);
    nets.push(tsFollower, nativeFollower);
    for (const [follower, source] of [
      [tsFollower, native],
      [nativeFollower, ts],
    ] as const) {
      const want = roots(await source.rpc.head());
      // Until the follower has the head (mocha's timeout bounds a stuck one).
      while ((await follower.rpc.head()).height < head) await new Promise((r) => setTimeout(r, 100));
      expect(roots(await follower.rpc.head())).to.deep.equal(want);
    }
  });

  it('--kernels cuda on a machine without a usable CUDA plugin refuses to start and says why', async function () {
    if (nativeKernels.backends.cuda) this.skip(); // a GPU machine: cuda is available there
    const r = await runCli(['devnet', '--memory', '--port', '0', '--kernels', 'cuda']);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include("backend 'cuda' is not available: ");
    expect(r.stderr).to.include(nativeKernels.reasons.cuda!);
    expect(r.stderr).to.match(/--kernels auto/);
  });
});

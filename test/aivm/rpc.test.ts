/**
 * The `aivm.*` JSON-RPC family over HTTP: the legacy read methods (by-name and positional params),
 * the four legacy transaction endpoints (which take a signed transaction of their own method only),
 * and named errors in the JSON-RPC envelope.
 */
import { expect } from 'chai';
import { Node, RpcClient, RpcError, RpcServer, signTx, type Signer, devSigner } from '../../sdk/chain.js';
import { devGenesis, startNode } from '../../genesis/index.js';
import { AIVM_ADDRESS, aivmModule } from '../../sdk/aivm/index.js';
import { h32, ONE } from './harness.js';

describe('aivm JSON-RPC', function () {
  this.timeout(60_000);
  let node: Node;
  let server: RpcServer;
  let rpc: RpcClient;
  const signer: Signer = devSigner(6, 'secp256k1');

  before(async () => {
    node = await startNode({ memory: true, genesis: devGenesis({ modules: { aivm: { miningPool: '0' } } }), verifier: { threads: 0 } });
    server = new RpcServer(node, { port: 0 });
    rpc = new RpcClient((await server.listen()).url);
  });
  after(async () => {
    rpc?.close();
    await server?.close();
    await node?.stop();
  });

  const rawTx = async (method: string, args: Record<string, unknown>, nonce?: bigint) => {
    const acct = await rpc.getAccount(signer.address);
    const def = aivmModule.methods[method]!;
    return signTx({ chainId: node.chainId, nonce: nonce ?? BigInt(acct.pendingNonce), from: signer.address, to: AIVM_ADDRESS, method, args: def.args.encode(args as never) as never, gasLimit: 5_000_000n, gasPrice: 1_000_000_000n }, signer).raw;
  };
  const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');

  it('reads: stats, providers, models, merkle root, unknown task and receipt', async () => {
    const stats = await rpc.call<{ providers: number; tasks: string; receiptRoot: string }>('aivm.GetStats', {});
    expect(stats.providers).to.equal(0);
    expect(stats.tasks).to.equal('0');
    expect(stats.receiptRoot).to.equal('0x' + '00'.repeat(32));
    expect(await rpc.call('aivm.GetProviders', [])).to.deep.equal([]);
    expect(await rpc.call('aivm.GetModels', {})).to.deep.equal([]);
    expect(await rpc.call('aivm.GetMerkleRoot', {})).to.equal('0x' + '00'.repeat(32));
    expect(await rpc.call('aivm.GetTask', ['0x' + '11'.repeat(32)])).to.equal(null);
    expect(await rpc.call('aivm.GetReceipt', { id: '0x' + '11'.repeat(32) })).to.equal(null);
    const err = await rpc.call('aivm.ExportReceipt', { id: '0x' + '11'.repeat(32) }).catch((e) => e);
    expect(err).to.be.instanceOf(RpcError);
    expect((err as RpcError).name).to.equal('ReceiptNotFound');
    const bad = await rpc.call('aivm.GetTask', { id: '0x12' }).catch((e) => e);
    expect((bad as RpcError).code).to.equal(-32602);
  });

  it('RegisterProvider takes a signed registerProvider transaction and reports the outcome', async () => {
    const r = await rpc.call<{ status: number; error: string | null; txHash: string }>('aivm.RegisterProvider', { tx: hex(await rawTx('registerProvider', { stake: ONE, spec: h32(0x31), endpoint: h32(1), gpuModel: 'A100' })) });
    expect(r.status).to.equal(1);
    expect(r.error).to.equal(null);
    const providers = await rpc.call<{ address: string; registered: boolean; operator: { stake: string; gpuModel: string } }[]>('aivm.GetProviders', {});
    expect(providers).to.have.length(1);
    expect(providers[0]!.address).to.equal(signer.address);
    expect(providers[0]!.operator.stake).to.equal(ONE.toString());
    expect(providers[0]!.operator.gpuModel).to.equal('A100');
    const again = await rpc.call<{ status: number; error: string }>('aivm.RegisterProvider', { tx: hex(await rawTx('registerProvider', { stake: ONE, spec: h32(0x31), endpoint: h32(1), gpuModel: 'A100' })) });
    expect([again.status, again.error]).to.deep.equal([0, 'OperatorExists']);
    const stats = await rpc.call<{ tasksCompleted: string; slashed: boolean }>('aivm.GetRewardStats', { provider: signer.address });
    expect(stats.tasksCompleted).to.equal('0');
  });

  it('the legacy endpoints refuse other methods and non-transactions', async () => {
    const other = await rpc.call('aivm.SubmitTask', { tx: hex(await rawTx('claimRewards', {})) }).catch((e) => e);
    expect((other as RpcError).name).to.equal('WrongMethod');
    const garbage = await rpc.call('aivm.ClaimRewards', { tx: '0xdeadbeef' }).catch((e) => e);
    expect((garbage as RpcError).name).to.equal('InvalidArguments');
    const claim = await rpc.call<{ status: number; error: string }>('aivm.ClaimRewards', { tx: hex(await rawTx('claimRewards', {})) });
    expect([claim.status, claim.error]).to.deep.equal([0, 'NoCredit']);
  });
});

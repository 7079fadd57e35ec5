/**
 * The future-nonce queue end to end: transactions of one sender sent concurrently, in any order,
 * over JSON-RPC, all commit in nonce order; a queued transaction's `wait` learns its fate.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { RpcClient, RpcError, RpcServer, devSigner, signTx, type Node } from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';
import { luxModule } from '../../vm/lux.js';
import { startNode } from '../../genesis/index.js';

const transferArgs = (to: string, amount: bigint) => luxModule.methods.transfer!.args.encode({ to, amount }) as never;

describe('queued pool over JSON-RPC', function () {
  let node: Node;
  let server: RpcServer;
  let rpc: RpcClient;
  let clock = 0;

  before(async () => {
    node = await startNode({ memory: true, verifier: { threads: 0 }, mempool: { maxQueuedAgeMs: 60_000, now: () => clock } });
    server = new RpcServer(node, { port: 0 });
    rpc = new RpcClient((await server.listen()).url);
  });
  after(async () => {
    rpc.close();
    await server.close();
    await node.stop();
  });

  const alice = devSigner(0, 'secp256k1');
  const bob = devSigner(1, 'secp256k1');
  const transfer = (nonce: bigint, amount: bigint) =>
    signTx({ chainId: node.chainId, nonce, from: alice.address, to: LUX_ADDRESS, method: 'transfer', args: transferArgs(bob.address, amount), gasLimit: 200_000n, gasPrice: 1_000_000_000n }, alice);

  it('any permutation of a sender\'s nonces, sent concurrently, commits all of them in nonce order (property)', async () => {
    let amount = 1n;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }).chain((n) => fc.tuple(fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))),
        async ([order, waits]) => {
          const start = BigInt((await rpc.getAccount(alice.address)).nonce);
          const txs = order.map((i) => transfer(start + BigInt(i), amount++));
          const before = node.chain.head.height;
          // Some callers wait for the receipt (chain.SendTransaction with wait), some poll for it.
          const sent = await Promise.all(txs.map((tx, k) => rpc.sendTransaction(tx.raw, { wait: waits[k] })));
          const receipts = await Promise.all(sent.map((s) => s.receipt ?? rpc.waitForReceipt(s.hash, { pollMs: 5 })));
          expect(receipts.map((r) => r.status)).to.deep.equal(txs.map(() => 1));
          const nonces: bigint[] = [];
          for (let h = before + 1n; h <= node.chain.head.height; h++) nonces.push(...(await node.chain.getBlock(h))!.txs.filter((t) => t.from === alice.address).map((t) => t.nonce));
          expect(nonces).to.deep.equal(order.map((_, i) => start + BigInt(i)));
          expect(node.mempool.size).to.equal(0);
        },
      ),
      { seed: 2024, numRuns: 12 },
    );
  });

  it('a queued transaction shows as queued, and its waiting sender learns QueuedTooLong when it ages out', async () => {
    const start = BigInt((await rpc.getAccount(alice.address)).nonce);
    const gapped = transfer(start + 1n, 5n);
    const waiting = rpc.sendTransaction(gapped.raw, { wait: true }).then(
      () => expect.fail('a transaction behind a gap that never fills cannot commit'),
      (e) => e as RpcError,
    );
    // The send is admitted (queued) before it waits.
    for (let i = 0; i < 200 && !node.mempool.has(gapped.hash); i++) await new Promise((r) => setImmediate(r));
    const seen = await rpc.call<{ pending: boolean; queued: boolean }>('chain.GetTransaction', { hash: gapped.hash });
    expect(seen).to.include({ pending: true, queued: true });
    expect((await rpc.getAccount(alice.address)).pendingNonce).to.equal(start.toString());
    clock += 60_001;
    node.mempool.expireQueued();
    const e = await waiting;
    expect(e).to.be.instanceOf(RpcError);
    expect(e.name).to.equal('QueuedTooLong');
    expect(node.mempool.size).to.equal(0);
    expect(await rpc.call('chain.GetTransaction', { hash: gapped.hash })).to.equal(null);
  });
});

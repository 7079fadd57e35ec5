import { expect } from 'chai';
import { DevChain, Follower, Node, RpcClient, RpcError, RpcServer, builtinModules, fetchUpstreamGenesis, rpcUpstream, toHex } from '../../sdk/chain.js';
import { startNode } from '../../genesis/index.js';

async function until(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('follower', function () {
  let producer: Node;
  let server: RpcServer;
  let url: string;
  let follower: Node;
  let follow: Follower;
  let followerServer: RpcServer;

  before(async () => {
    producer = await startNode({ memory: true, verifier: { threads: 0 } });
    server = new RpcServer(producer, { port: 0 });
    url = (await server.listen()).url;
    const client = new RpcClient(url);
    follower = await startNode({ memory: true, produce: false, genesis: await fetchUpstreamGenesis(client, builtinModules()), explicitGenesis: true, verifier: { threads: 0 } });
    follow = new Follower(follower, rpcUpstream(client));
    await follow.start();
    followerServer = new RpcServer(follower, { port: 0 });
    await followerServer.listen();
  });
  after(async () => {
    await follow.stop();
    await followerServer.close();
    await server.close();
    await follower.stop();
    await producer.stop();
  });

  it('re-executes the producer\'s blocks and reaches the same head hash and every root', async () => {
    const c = new DevChain(producer);
    await c.send(c.signer(0), 'lux', 'transfer', { to: c.signer(1, 'secp256k1').address, amount: 11n });
    for (let i = 0; i < 5; i++) await c.send(c.signer(2, 'secp256k1'), 'lux', 'transfer', { to: c.signer(3).address, amount: BigInt(i + 1) });
    await c.send(c.signer(2, 'secp256k1'), 'lux', 'transfer', { to: c.signer(3).address, amount: 10n ** 40n }); // a failing tx
    await until(() => follower.chain.head.height === producer.chain.head.height);
    expect(toHex(follower.chain.head.hash)).to.equal(toHex(producer.chain.head.hash));
    for (let h = 1n; h <= producer.chain.head.height; h++) {
      const a = (await producer.chain.getBlock(h))!.header;
      const b = (await follower.chain.getBlock(h))!.header;
      expect(toHex(b.stateRoot)).to.equal(toHex(a.stateRoot));
      expect(toHex(b.receiptsRoot)).to.equal(toHex(a.receiptsRoot));
      expect(toHex(b.txRoot)).to.equal(toHex(a.txRoot));
    }
    expect(follow.status().error).to.equal(null);
  });

  it('serves reads, and refuses transactions and dev methods with clear errors', async () => {
    const fc = new RpcClient(`http://127.0.0.1:${(followerServer.http.address() as { port: number }).port}`);
    try {
      const c = new DevChain(producer);
      const acc = await fc.getAccount(c.signer(3).address);
      expect(BigInt(acc.balance)).to.equal(await c.balance(c.signer(3).address));
      try {
        await fc.sendTransaction('0x01');
        expect.fail('follower accepted a transaction');
      } catch (e) {
        expect((e as RpcError).code).to.equal(-32004);
      }
      try {
        await fc.call('dev.Mine', [1]);
        expect.fail('follower mined');
      } catch (e) {
        expect((e as RpcError).code).to.equal(-32004);
        expect((e as RpcError).name).to.equal('MethodNotSupported');
      }
    } finally {
      fc.close();
    }
  });

  it('a node with another genesis refuses to follow', async () => {
    const other = await startNode({ memory: true, produce: false, verifier: { threads: 0 }, genesis: (await import('../../genesis/index.js')).devGenesis({ chainId: 4242 }) });
    try {
      const f = new Follower(other, rpcUpstream(url));
      let err: Error | undefined;
      await f.start().catch((e) => (err = e));
      expect(err?.message).to.match(/genesis block .* differs/);
    } finally {
      await other.stop();
    }
  });
});

/** chain.GetTransactionsByAddress: an account's committed transactions, newest first (the explorer's account page). */
import { expect } from 'chai';
import { createDevChain, RpcClient, RpcServer, toHex, type DevChain } from '../../sdk/chain.js';

describe('RPC: chain.GetTransactionsByAddress', function () {
  this.timeout(60_000);
  let chain: DevChain;
  let server: RpcServer;
  let rpc: RpcClient;

  before(async () => {
    chain = await createDevChain();
    server = new RpcServer(chain.node, { port: 0 });
    rpc = new RpcClient((await server.listen()).url);
  });
  after(async () => {
    rpc?.close();
    await server?.close();
    await chain?.stop();
  });

  it('lists sends and receipts of an address, newest first, with status and gas; limit and range apply', async () => {
    const [a, b, c] = [chain.signer(0), chain.signer(1), chain.signer(2)];
    const t1 = await chain.send(a, 'lux', 'transfer', { to: b.address, amount: 1n });
    const t2 = await chain.send(c, 'lux', 'transfer', { to: a.address, amount: 2n });
    await chain.send(b, 'lux', 'transfer', { to: c.address, amount: 3n }); // not a's
    const t4 = await chain.send(a, 'lux', 'transfer', { to: b.address, amount: 10n ** 40n }, { gasLimit: 300_000n });
    const list = await rpc.call<any[]>('chain.GetTransactionsByAddress', { address: a.address });
    expect(list.map((x) => x.hash)).to.deep.equal([t4, t2, t1].map((x) => toHex(x.hash)));
    expect([list[0].status, list[0].error, list[0].method, list[0].module]).to.deep.equal([0, 'InsufficientBalance', 'transfer', 'lux']);
    expect([list[1].status, list[1].from, list[1].height]).to.deep.equal([1, c.address, Number(t2.height)]);
    expect(list[2].gasUsed).to.equal(t1.receipt.gasUsed.toString());
    expect((await rpc.call<any[]>('chain.GetTransactionsByAddress', { address: a.address, limit: 1 })).map((x) => x.hash)).to.deep.equal([toHex(t4.hash)]);
    expect(await rpc.call<any[]>('chain.GetTransactionsByAddress', { address: a.address, toBlock: Number(t1.height) - 1 })).to.deep.equal([]);
  });

  it('refuses a reversed or oversized range with named errors', async () => {
    const reversed: any = await rpc.call('chain.GetTransactionsByAddress', { address: chain.signer(0).address, fromBlock: 3, toBlock: 2 }).catch((e) => e);
    expect([reversed.code, reversed.message]).to.deep.equal([-32602, 'invalid params: toBlock is before fromBlock']);
    await chain.mine(2);
    const tooMany: any = await rpc.call('chain.GetTransactionsByAddress', { address: chain.signer(0).address, fromBlock: 0, toBlock: 20_000 }).catch((e) => e);
    expect(tooMany.name).to.equal('RangeTooLarge');
    const bad: any = await rpc.call('chain.GetTransactionsByAddress', { address: '0x12' }).catch((e) => e);
    expect(bad.code).to.equal(-32602);
  });
});

import { expect } from 'chai';
import { Wallet, RpcClient, devSigner, signerFromSeed, randomSeed, NamedError, Transaction, fromHex } from '../sdk/index.js';
import { Node, RpcServer } from '../sdk/chain.js';
import { startNode } from '../genesis/index.js';

describe('client SDK (package root)', function () {
  let node: Node;
  let server: RpcServer;
  let url: string;
  before(async () => {
    node = await startNode({ memory: true, verifier: { threads: 0 } });
    server = new RpcServer(node, { port: 0 });
    url = (await server.listen()).url;
  });
  after(async () => {
    await server.close();
    await node.stop();
  });

  it('a wallet sends calls with JSON or typed arguments and waits for the receipt', async () => {
    const wallet = Wallet.connect(url, devSigner(0));
    const fresh = signerFromSeed(randomSeed());
    const r1 = await wallet.send('lux', 'transfer', { to: fresh.address, amount: '1500' });
    expect('status' in r1 && r1.status).to.equal(1);
    const r2 = await wallet.send('lux', 'transfer', [fresh.address, 500n]);
    expect('status' in r2 && r2.status).to.equal(1);
    expect(await wallet.query('lux', 'balanceOf', { address: fresh.address })).to.equal('2000');
    wallet.rpc.close();
  });

  it('build() signs without sending; the transaction decodes and carries the next nonce', async () => {
    const wallet = new Wallet(new RpcClient(url), devSigner(1, 'secp256k1'));
    const tx = await wallet.build('lux', 'transfer', { to: devSigner(2).address, amount: '1' });
    const back = Transaction.decode(tx.raw);
    expect(back.from).to.equal(devSigner(1, 'secp256k1').address);
    expect(back.nonce).to.equal(0n);
    const sent = await wallet.rpc.sendTransaction(tx.raw);
    const receipt = await wallet.rpc.waitForReceipt(sent.hash);
    expect(receipt.status).to.equal(1);
    expect(fromHex(receipt.txHash)).to.deep.equal(tx.hash);
    wallet.rpc.close();
  });

  it('refuses calls that would fail unless forced, and unknown targets with named errors', async () => {
    const wallet = Wallet.connect(url, devSigner(3, 'secp256k1'));
    try {
      await wallet.send('lux', 'transfer', { to: devSigner(4).address, amount: (10n ** 40n).toString() });
      expect.fail('sent a failing call');
    } catch (e) {
      expect((e as NamedError).name).to.equal('InsufficientBalance');
    }
    const forced = await wallet.send('lux', 'transfer', { to: devSigner(4).address, amount: (10n ** 40n).toString() }, { force: true });
    expect('status' in forced && forced.status).to.equal(0);
    for (const [target, method, name] of [['nope', 'x', 'UnknownTarget'], ['lux', 'mint', 'UnknownMethod'], ['0x' + '99'.repeat(20), 'x', 'UnknownTarget']] as const) {
      try {
        await wallet.send(target, method, {});
        expect.fail(`accepted ${target}.${method}`);
      } catch (e) {
        expect((e as NamedError).name).to.equal(name);
      }
    }
    wallet.rpc.close();
  });
});

import { expect } from 'chai';
import { createDevChain, type DevChain } from '../../sdk/chain.js';

describe('dev chain harness', function () {
  let chain: DevChain;
  afterEach(async () => chain?.stop());

  it('transfers LUX in automine mode and reports the receipt', async () => {
    chain = await createDevChain();
    const a = chain.signer(0);
    const b = chain.signer(1, 'secp256k1');
    const before = await chain.balance(b.address);
    const { receipt, height } = await chain.send(a, 'lux', 'transfer', { to: b.address, amount: 1234n });
    expect(receipt.status).to.equal(1);
    expect(height).to.equal(1n);
    expect(await chain.balance(b.address)).to.equal(before + 1234n);
    expect(receipt.events.map((e) => e.name)).to.deep.equal(['Transfer']);
  });

  it('puts several transactions in one block in manual mode', async () => {
    chain = await createDevChain({ mining: 'manual' });
    const a = chain.signer(0, 'secp256k1');
    const b = chain.signer(1, 'secp256k1');
    const p1 = await chain.submit(a, 'lux', 'transfer', { to: b.address, amount: 1n });
    const p2 = await chain.submit(a, 'lux', 'transfer', { to: b.address, amount: 2n });
    const [block] = await chain.mine(1);
    expect(block!.block.txs.length).to.equal(2);
    expect((await p1.receipt).height).to.equal(1n);
    expect((await p2.receipt).receipt.status).to.equal(1);
  });

  it('a failed call keeps only the fee and the nonce', async () => {
    chain = await createDevChain();
    const a = chain.signer(2, 'secp256k1');
    const b = chain.signer(3, 'secp256k1');
    const aBefore = await chain.balance(a.address);
    const bBefore = await chain.balance(b.address);
    const { receipt } = await chain.send(a, 'lux', 'transfer', { to: b.address, amount: aBefore * 2n });
    expect(receipt.status).to.equal(0);
    expect(receipt.error).to.equal('InsufficientBalance');
    expect(receipt.events).to.deep.equal([]);
    const fee = receipt.gasUsed * 1_000_000_000n;
    expect(await chain.balance(a.address)).to.equal(aBefore - fee);
    expect(await chain.balance(b.address)).to.equal(bBefore);
    const acct = await chain.call<{ nonce: bigint }>('lux', 'getAccount', { address: a.address });
    expect(acct.nonce).to.equal(1n);
  });
});

describe('dev chain nonces', function () {
  it('a transaction refused at admission does not burn its nonce; concurrent sends get distinct nonces', async () => {
    const chain = await createDevChain();
    try {
      const a = chain.signer(4, 'secp256k1');
      let refused = '';
      try {
        await chain.send(a, 'lux', 'transfer', { to: a.address, amount: 1n }, { gasPrice: 1n });
      } catch (e) {
        refused = (e as Error).name;
      }
      expect(refused).to.equal('GasPriceTooLow');
      const ok = await chain.send(a, 'lux', 'transfer', { to: a.address, amount: 1n });
      expect(ok.receipt.status).to.equal(1);
      expect(ok.tx.nonce).to.equal(0n);
      const both = await Promise.all([1n, 2n].map((amount) => chain.send(a, 'lux', 'transfer', { to: a.address, amount })));
      expect(both.map((r) => r.tx.nonce).sort()).to.deep.equal([1n, 2n]);
    } finally {
      await chain.stop();
    }
  });
});

import { expect } from 'chai';
import { DevChain } from '../../sdk/chain.js';
import { startNode } from '../../genesis/index.js';
import { removeDir, tempDir } from '../helpers/processes.js';

describe('producer modes and dev time helpers', function () {
  it('interval mode produces blocks on its own, empty or not, with increasing timestamps', async () => {
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'interval', blockTimeMs: 50 } });
    try {
      // Wait for the third block to be committed (an event, however slow the machine is).
      await new Promise<void>((resolve) => {
        const off = node.chain.onBlock((b) => {
          if (b.block.header.height >= 3n) {
            off();
            resolve();
          }
        });
      });
      const h = node.chain.head.height;
      expect(Number(h)).to.be.greaterThan(2);
      let prev = -1n;
      for (let i = 1n; i <= h; i++) {
        const ts = (await node.chain.getBlock(i))!.header.timestamp;
        expect(ts > prev).to.equal(true);
        prev = ts;
      }
    } finally {
      await node.stop();
    }
  });

  it('manual mode mines only on request; mine(n) makes n blocks', async () => {
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    const c = new DevChain(node);
    try {
      await c.submit(c.signer(0, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 1n });
      await node.producer!.mine(0); // no block is being built: manual mode never starts one
      expect(node.chain.head.height).to.equal(0n);
      expect(node.mempool.size).to.equal(1);
      const blocks = await node.mine(3);
      expect(blocks.map((b) => b.block.txs.length)).to.deep.equal([1, 0, 0]);
      expect(node.chain.head.height).to.equal(3n);
    } finally {
      await node.stop();
    }
  });

  it('switching modes at run time (automine on/off, block time) takes effect', async () => {
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    const c = new DevChain(node);
    try {
      node.producer!.setMode('auto');
      const r = await c.send(c.signer(2, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 1n });
      expect(r.height).to.equal(1n);
      node.producer!.setMode('manual');
      const p = await c.submit(c.signer(2, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 1n });
      await node.producer!.mine(0);
      expect(node.chain.head.height).to.equal(1n);
      expect(node.mempool.size).to.equal(1);
      node.producer!.setMode('auto'); // picks up what waits
      expect((await p.receipt).height).to.equal(2n);
    } finally {
      await node.stop();
    }
  });

  it('automine never holds a lone transaction, and a burst stops gathering once arrivals stop (a 10-minute gather window is never waited out)', async function () {
    this.timeout(30_000); // far below the gather window: waiting it out would fail the test
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'auto', gatherMs: 600_000 } });
    const c = new DevChain(node);
    try {
      const lone = await c.send(c.signer(3, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 1n });
      expect(lone.height).to.equal(1n);
      const senders = [4, 5, 6, 7].map((i) => c.signer(i, 'secp256k1'));
      const burst = await Promise.all(senders.flatMap((s) => [1, 2, 3].map(() => c.submit(s, 'lux', 'transfer', { to: c.signer(1).address, amount: 1n }))));
      const receipts = await Promise.all(burst.map((p) => p.receipt));
      expect(receipts.every((r) => r.receipt.status === 1)).to.equal(true);
      let mined = 0;
      for (let h = 2n; h <= node.chain.head.height; h++) mined += (await node.chain.getBlock(h))!.txs.length;
      expect(mined).to.equal(12);
    } finally {
      await node.stop();
    }
  });

  it('a transaction that arrives while a block computes its end-block work and roots is admitted only after them', async () => {
    const dir = tempDir();
    const node = await startNode({ dataDir: dir, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    const c = new DevChain(node);
    try {
      const order: string[] = [];
      const prepare = node.chain.prepare.bind(node.chain);
      node.chain.prepare = async (exec) => {
        const r = await prepare(exec);
        order.push('roots computed');
        return r;
      };
      const add = node.mempool.add.bind(node.mempool);
      node.mempool.add = (...a) => {
        order.push('admitted');
        return add(...a);
      };
      const tx = await c.buildTx(c.signer(3, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 1n });
      let mined = false;
      const mining = node.mine(1).then((b) => ((mined = true), b));
      while (!node.producer!.sealing && !mined) await new Promise((r) => setImmediate(r));
      expect(mined, 'the block was sealed before the test could see it').to.equal(false);
      await node.submit(tx.raw); // arrives while endBlock reads state
      expect((await mining)[0]!.block.txs.length).to.equal(0);
      expect(order).to.deep.equal(['roots computed', 'admitted']);
      expect(node.mempool.size).to.equal(1);
    } finally {
      await node.stop();
      removeDir(dir);
    }
  });

  it('IncreaseTime shifts and SetNextBlockTimestamp pins the next block time', async () => {
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    try {
      const [b1] = await node.mine(1);
      node.producer!.increaseTime(3_600_000n);
      const [b2] = await node.mine(1);
      expect(b2!.block.header.timestamp - b1!.block.header.timestamp >= 3_600_000n).to.equal(true);
      const target = b2!.block.header.timestamp + 86_400_000n;
      node.producer!.setNextBlockTimestamp(target);
      const [b3] = await node.mine(1);
      expect(b3!.block.header.timestamp).to.equal(target);
      expect(() => node.producer!.setNextBlockTimestamp(target)).to.throw(/after the head/);
    } finally {
      await node.stop();
    }
  });

  it('dev setBalance is a real transaction (replayable) signed by the producer', async () => {
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    const c = new DevChain(node);
    try {
      const who = c.signer(4).address;
      const r = await node.setBalance(who, 42n);
      expect(r.status).to.equal(1);
      expect(await c.balance(who)).to.equal(42n);
      const b = await node.chain.getBlock(node.chain.head.height);
      expect(b!.txs[0]!.method).to.equal('setBalance');
      // Anyone else calling the dev module is refused.
      const s = c.signer(5, 'secp256k1');
      const bad = await c.send(s, 'dev', 'setBalance', { address: s.address, balance: 10n ** 30n });
      expect(bad.receipt.status).to.equal(0);
      expect(bad.receipt.error).to.equal('unauthorized');
    } finally {
      await node.stop();
    }
  });
});

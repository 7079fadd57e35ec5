/** Negative tests for the engine's remaining named errors (each leaves state unchanged). */
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { DevChain, NodeError, RpcClient, RpcError, RpcServer, createDevChain, rlpEncode, t, toAddress, toHex } from '../../sdk/chain.js';
import { K } from '../../chain/state/layout.js';
import { defineModule, method, query } from '../../chain/module/contract.js';
import { builtinModules, startNode } from '../../genesis/index.js';
import { tempDir, removeDir } from '../helpers/processes.js';

const ROGUE = toAddress('0x524f475545000000000000000000000000000000');
const rogue = defineModule({
  name: 'rogue',
  address: ROGUE,
  events: {},
  methods: {
    longKey: method({ args: t.none, handler: (ctx) => ctx.state.set(new Uint8Array(257), new Uint8Array([1])) }),
    undeclaredEvent: method({ args: t.none, handler: (ctx) => ctx.emit('Nope', {}) }),
  },
  queries: { ping: query({ args: t.none, returns: t.bool, handler: () => true }) },
});

describe('engine named errors', function () {
  it('StorageFailure: a failed block write commits nothing; production resumes once writes work again', async () => {
    let failNext = false;
    const node = await startNode({
      memory: true,
      verifier: { threads: 0 },
      store: {
        beforeWrite: () => {
          if (failNext) {
            failNext = false;
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          }
        },
      },
    });
    const c = new DevChain(node);
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: unknown) => errors.push(String(m));
    try {
      const head = { ...node.chain.head };
      failNext = true;
      const first = await c.submit(c.signer(0, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 1n });
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(errors.join('\n')).to.match(/was not committed: writing block 1 failed: ENOSPC/);
      expect(node.chain.head.height).to.equal(head.height);
      expect(toHex(node.chain.head.stateRoot)).to.equal(toHex(head.stateRoot));
      expect(node.producer!.lastError?.name).to.equal('StorageFailure');
      // "Space is freed": the next transaction triggers a block that carries both.
      const second = await c.send(c.signer(2, 'secp256k1'), 'lux', 'transfer', { to: c.signer(1).address, amount: 2n });
      expect(second.receipt.status).to.equal(1);
      expect((await first.receipt).height).to.equal(second.height);
    } finally {
      console.error = orig;
      await node.stop();
    }
  });

  it('StoreVersion: a store written by another schema version is refused', async () => {
    const dir = tempDir();
    try {
      const node = await startNode({ dataDir: dir, verifier: { threads: 0 } });
      await node.stop();
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.put(K.meta, rlpEncode([t.uint32.encode(99), t.uint64.encode(1337n)]));
      await db.close();
      try {
        await startNode({ dataDir: dir, verifier: { threads: 0 } });
        expect.fail('opened a store of another schema');
      } catch (e) {
        expect(e).to.be.instanceOf(NodeError);
        expect((e as Error).name).to.equal('StoreVersion');
      }
    } finally {
      removeDir(dir);
    }
  });

  describe('module and RPC errors', () => {
    let chain: DevChain;
    let server: RpcServer;
    let rpc: RpcClient;
    before(async () => {
      chain = await createDevChain({ modules: [...builtinModules(), rogue] });
      server = new RpcServer(chain.node, { port: 0 });
      rpc = new RpcClient((await server.listen()).url);
    });
    after(async () => {
      rpc.close();
      await server.close();
      await chain.stop();
    });

    it('SupplyOverflow: minting past 2^256 - 1 in total (dev.SetBalance) fails and changes nothing', async () => {
      const who = chain.signer(7, 'secp256k1').address;
      const before = await chain.balance(who);
      const supply = await chain.call<bigint>('lux', 'totalSupply');
      let err: Error | undefined;
      await chain.node.setBalance(who, (1n << 256n) - 1n).catch((e) => (err = e));
      expect(err?.name).to.equal('SupplyOverflow');
      expect(await chain.balance(who)).to.equal(before);
      // Up to the limit works.
      const max = (1n << 256n) - 1n - supply + before;
      await chain.node.setBalance(who, max);
      expect(await chain.balance(who)).to.equal(max);
      expect(await chain.call<bigint>('lux', 'totalSupply')).to.equal((1n << 256n) - 1n);
    });

    it('StateKeyTooLong and UnknownEvent fail the call', async () => {
      const s = chain.signer(9, 'secp256k1');
      expect((await chain.send(s, 'rogue', 'longKey')).receipt.error).to.equal('StateKeyTooLong');
      expect((await chain.send(s, 'rogue', 'undeclaredEvent')).receipt.error).to.equal('UnknownEvent');
    });

    it('UnknownQuery / UnknownTarget in chain.Call; NotFound for a missing block; RangeTooLarge for wide event queries', async () => {
      const expectRpc = async (p: Promise<unknown>, code: number, name: string) => {
        try {
          await p;
          expect.fail(`expected ${name}`);
        } catch (e) {
          expect(e).to.be.instanceOf(RpcError);
          expect((e as RpcError).code, (e as Error).message).to.equal(code);
          expect((e as RpcError).name).to.equal(name);
        }
      };
      await expectRpc(rpc.call('chain.Call', { to: 'rogue', method: 'nope', args: [] }), -32011, 'UnknownMethod');
      await expectRpc(rpc.call('chain.Call', { to: '0x' + '77'.repeat(20), method: 'x', args: [] }), -32011, 'UnknownTarget');
      await expectRpc(rpc.call('chain.GetBlock', { block: 999_999 }), -32001, 'NotFound');
      await expectRpc(rpc.call('chain.GetEvents', { fromBlock: 0, toBlock: 20_000 }), -32005, 'RangeTooLarge');
      expect(await rpc.call('chain.GetReceipt', { hash: '0x' + '00'.repeat(32) })).to.equal(null);
      expect((await rpc.call<{ result: boolean }>('chain.Call', { to: 'rogue', method: 'ping' })).result).to.equal(true);
      try {
        await chain.node.query(ROGUE, 'nope', {});
        expect.fail('ran an unknown query');
      } catch (e) {
        expect((e as Error).name).to.equal('UnknownQuery');
      }
    });
  });

  it('DevModeDisabled: dev helpers refuse on a chain whose genesis turns them off', async () => {
    const chain = await createDevChain({ genesis: { modules: { dev: { enabled: false } } } });
    try {
      const { signerFromSeed, devProducerSeed } = await import('../../sdk/chain.js');
      const producer = signerFromSeed(devProducerSeed(), 'ml-dsa-65');
      const r = await chain.send(producer, 'dev', 'setBalance', { address: chain.signer(1).address, balance: 5n });
      expect(r.receipt.status).to.equal(0);
      expect(r.receipt.error).to.equal('DevModeDisabled');
    } finally {
      await chain.stop();
    }
  });
});


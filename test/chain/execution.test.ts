import { expect } from 'chai';
import { createDevChain, t, toAddress, toHex, keccak256, utf8, type DevChain } from '../../sdk/chain.js';
import { defineModule, method, query, ModuleError } from '../../chain/module/contract.js';
import { builtinModules } from '../../genesis/index.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';

/** A module exercising the interface: state, events, cross-module calls, reverts, gas, endBlock, roots. */
const PROBE = toAddress('0x5052304245000000000000000000000000000000');
const probe = defineModule<{ failEndBlockAt: bigint }>({
  name: 'probe',
  address: PROBE,
  parseParams: (j) => ({ failEndBlockAt: BigInt((j as { failEndBlockAt?: number })?.failEndBlockAt ?? 0) }),
  events: { Set: { fields: t.struct({ who: t.address, value: t.uint64 }), indexed: ['who'] } },
  methods: {
    set: method({
      args: t.struct({ value: t.uint64 }),
      returns: t.uint64,
      handler: async (ctx, { value }) => {
        const prev = (await ctx.state.getValue(t.uint64, utf8('v'))) ?? 0n;
        ctx.state.setValue(t.uint64, utf8('v'), value);
        ctx.emit('Set', { who: ctx.caller, value });
        return prev;
      },
    }),
    setThenFail: method({
      args: t.struct({ value: t.uint64 }),
      handler: async (ctx, { value }) => {
        ctx.state.setValue(t.uint64, utf8('v'), value);
        ctx.emit('Set', { who: ctx.caller, value });
        throw new ModuleError('Nope', 'this method always fails after writing');
      },
    }),
    callAndSwallow: method({
      args: t.struct({ to: t.address }),
      description: 'calls a method that writes, emits and fails, and catches the failure: the callee is rolled back, the caller continues',
      handler: async (ctx, { to }) => {
        ctx.state.setValue(t.uint64, utf8('v'), 99n);
        try {
          await ctx.call(PROBE, 'setThenFail', { value: 100n });
        } catch (e) {
          ctx.state.setValue(t.string(), utf8('err'), (e as Error).name);
        }
        try {
          await ctx.call(LUX_ADDRESS, 'transfer', { to, amount: 1n }); // the module has no LUX
        } catch (e) {
          ctx.state.setValue(t.string(), utf8('err2'), (e as Error).name);
        }
      },
    }),
    burnGas: method({ args: t.none, handler: (ctx) => ctx.gas.charge(10n ** 12n, 'loop') }),
    crash: method({
      args: t.none,
      handler: () => {
        throw new TypeError('a bug');
      },
    }),
  },
  queries: {
    get: query({ args: t.none, returns: t.uint64, handler: async (ctx) => (await ctx.state.getValue(t.uint64, utf8('v'))) ?? 0n }),
    err: query({ args: t.none, returns: t.optional(t.string()), handler: async (ctx) => (await ctx.state.getValue(t.string(), utf8('err'))) ?? null }),
    err2: query({ args: t.none, returns: t.optional(t.string()), handler: async (ctx) => (await ctx.state.getValue(t.string(), utf8('err2'))) ?? null }),
  },
  async endBlock(ctx) {
    ctx.state.setValue(t.uint64, utf8('lastBlock'), ctx.block.height);
    if (ctx.block.height === ctx.params.failEndBlockAt) throw new ModuleError('Boom', 'endBlock failure');
  },
  async blockRoots(ctx) {
    return { probe: keccak256((await ctx.state.get(utf8('v'))) ?? new Uint8Array()) };
  },
});

describe('execution', function () {
  let chain: DevChain;
  afterEach(() => chain?.stop());

  const start = (params: Record<string, unknown> = {}) => createDevChain({ modules: [...builtinModules(), probe], genesis: { modules: { probe: params } } });

  it('runs module methods with state, events and return values', async () => {
    chain = await start();
    const s = chain.signer(0, 'secp256k1');
    const a = await chain.send(s, 'probe', 'set', { value: 5n });
    expect(a.receipt.status).to.equal(1);
    expect(a.result).to.equal(0n);
    const b = await chain.send(s, 'probe', 'set', { value: 8n });
    expect(b.result).to.equal(5n);
    expect(await chain.call('probe', 'get')).to.equal(8n);
    const ev = b.receipt.events[0]!;
    expect(ev.name).to.equal('Set');
    expect(toHex(ev.topics[0]!)).to.equal(toHex(keccak256(utf8('Set(address,uint64)'))));
    expect(toHex(ev.topics[1]!.subarray(12))).to.equal(s.address);
  });

  it('a failing method leaves no state and no events, only fee and nonce', async () => {
    chain = await start();
    const s = chain.signer(1, 'secp256k1');
    await chain.send(s, 'probe', 'set', { value: 1n });
    const before = await chain.balance(s.address);
    const r = await chain.send(s, 'probe', 'setThenFail', { value: 2n });
    expect(r.receipt.status).to.equal(0);
    expect(r.receipt.error).to.equal('Nope');
    expect(r.receipt.errorMessage).to.match(/always fails/);
    expect(r.receipt.events).to.have.length(0);
    expect(await chain.call('probe', 'get')).to.equal(1n);
    expect(await chain.balance(s.address)).to.equal(before - r.receipt.gasUsed * 1_000_000_000n);
    expect((await chain.call<{ nonce: bigint }>('lux', 'getAccount', { address: s.address })).nonce).to.equal(2n);
  });

  it('a failed cross-module call is rolled back while the caller continues', async () => {
    chain = await start();
    const s = chain.signer(2, 'secp256k1');
    const r = await chain.send(s, 'probe', 'callAndSwallow', { to: s.address });
    expect(r.receipt.status).to.equal(1);
    expect(await chain.call('probe', 'get')).to.equal(99n); // the callee's write of 100 was undone
    expect(await chain.call('probe', 'err')).to.equal('Nope');
    expect(await chain.call('probe', 'err2')).to.equal('InsufficientBalance');
    expect(r.receipt.events).to.have.length(0); // the callee's Set event was dropped
  });

  it('out of gas reverts and charges the whole gas limit', async () => {
    chain = await start();
    const s = chain.signer(3, 'secp256k1');
    const r = await chain.send(s, 'probe', 'burnGas', {}, { gasLimit: 300_000n });
    expect(r.receipt.status).to.equal(0);
    expect(r.receipt.error).to.equal('OutOfGas');
    expect(r.receipt.gasUsed).to.equal(300_000n);
  });

  it('a bug in module code becomes InternalError in the receipt, and the chain goes on', async () => {
    chain = await start();
    const s = chain.signer(4, 'secp256k1');
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(String(m));
    try {
      const r = await chain.send(s, 'probe', 'crash');
      expect(r.receipt.status).to.equal(0);
      expect(r.receipt.error).to.equal('InternalError');
    } finally {
      console.error = orig;
    }
    expect(errors.join('\n')).to.match(/internal error in/);
    expect((await chain.send(s, 'probe', 'set', { value: 3n })).receipt.status).to.equal(1);
  });

  it('endBlock runs every block; a failing endBlock is rolled back without halting the chain', async () => {
    chain = await start({ failEndBlockAt: 2 });
    const s = chain.signer(5, 'secp256k1');
    const orig = console.error;
    console.error = () => {};
    try {
      await chain.send(s, 'probe', 'set', { value: 1n }); // block 1
      await chain.send(s, 'probe', 'set', { value: 2n }); // block 2: endBlock fails
      await chain.send(s, 'probe', 'set', { value: 3n }); // block 3
    } finally {
      console.error = orig;
    }
    const v = await chain.node.readState(PROBE, utf8('lastBlock'));
    expect(v).to.not.equal(undefined);
    expect(t.uint64.decode(v!)).to.equal(3n);
  });

  it('module roots go into the header and follow the state', async () => {
    chain = await start();
    const s = chain.signer(6, 'secp256k1');
    await chain.send(s, 'probe', 'set', { value: 42n });
    const h = chain.node.chain.headHeader;
    const root = h.extraRoots.find(([n]) => n === 'probe')![1];
    expect(toHex(root)).to.equal(toHex(keccak256(t.uint64.encode(42n) as Uint8Array)));
  });

  it('the same transactions give the same state root on two chains', async () => {
    chain = await start();
    const other = await start();
    try {
      for (const c of [chain, other]) {
        const s = c.signer(7, 'secp256k1');
        await c.send(s, 'probe', 'set', { value: 11n });
        await c.send(s, 'lux', 'transfer', { to: c.signer(8).address, amount: 77n });
      }
      expect(toHex(other.node.chain.head.stateRoot)).to.equal(toHex(chain.node.chain.head.stateRoot));
    } finally {
      await other.stop();
    }
  });
});

/** Spec §10 "Open" through real signed transactions, plus same-transaction rules and check order. */
import { expect } from 'chai';
import { fromHex, signTx, t, toAddress, toHex, utf8, ZERO_ADDRESS, type DevChain } from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';
import {
  computeChannelId,
  decodeChannelOpened,
  DEV_STABLECOIN_ADDRESS,
  ESCROW_ADDRESS,
  expiringNonceHash,
  tip20Address,
  ZERO_WORD,
  type ChannelDescriptor,
} from '../../sdk/precompiles/index.js';
import { BATCHER_ADDRESS, batcherModule, escrowCall } from './batcher.js';
import { builtinModules } from '../../genesis/index.js';
import { defineModule } from '../../chain/module/contract.js';
import { balances, channelState, DEPOSIT, expectError, expectOk, openChannel, salt, startChain, TOKEN } from './helpers.js';

/** A module whose endBlock (which has no transaction) calls open and records the error name. */
const NO_CONTEXT_PROBE = toAddress('0x4e4f435458000000000000000000000000000000');
function noContextProbe(args: Record<string, unknown>) {
  return defineModule({
    name: 'noContextProbe',
    address: NO_CONTEXT_PROBE,
    methods: {},
    async endBlock(ctx) {
      try {
        await ctx.call(ESCROW_ADDRESS, 'open', args);
        ctx.state.set(utf8('error'), utf8('none'));
      } catch (e) {
        ctx.state.set(utf8('error'), utf8((e as Error).name));
      }
    },
  });
}

describe('escrow: open', function () {
  let chain: DevChain;
  const payer = () => chain.signer(1, 'secp256k1');
  const payee = () => chain.signer(2, 'secp256k1');
  const openArgs = (o: Partial<Record<string, unknown>> = {}) => ({
    payee: payee().address,
    operator: ZERO_ADDRESS,
    token: TOKEN,
    deposit: DEPOSIT,
    salt: ZERO_WORD,
    authorizedSigner: ZERO_ADDRESS,
    ...o,
  });

  before(async () => {
    chain = await startChain();
  });
  after(() => chain.stop());

  it('pulls the deposit, stores a zeroed state and returns the id the client computed', async () => {
    const [pBefore, eBefore] = await balances(chain, [payer().address, ESCROW_ADDRESS]);
    const { descriptor, channelId, result } = await openChannel(chain, payer(), { payee: payee().address, salt: salt(1) });
    expect(await channelState(chain, channelId)).to.deep.equal({ settled: 0n, deposit: DEPOSIT, closeRequestedAt: 0 });
    expect(await balances(chain, [payer().address, ESCROW_ADDRESS])).to.deep.equal([pBefore! - DEPOSIT, eBefore! + DEPOSIT]);
    const channel = await chain.call<{ descriptor: ChannelDescriptor }>('escrow', 'getChannel', { descriptor });
    expect(channel.descriptor).to.deep.equal(descriptor);
    expect(computeChannelId(descriptor, chain.chainId)).to.equal(channelId);
    // The ChannelOpened event carries the whole descriptor (indexers recover it from there).
    const opened = result.receipt.events.map((e) => decodeChannelOpened(e)).find((x) => x !== null)!;
    expect(opened).to.deep.equal({ channelId, descriptor, deposit: DEPOSIT });
    const ev = result.receipt.events.find((e) => e.name === 'ChannelOpened')!;
    expect(ev.topics.map(toHex)).to.deep.equal([
      '0xdebaba36f0e9c7978f536fed432d9360b1f9646d7ca88531c34c3eae43f154a7',
      channelId,
      '0x' + '00'.repeat(12) + payer().address.slice(2),
      '0x' + '00'.repeat(12) + payee().address.slice(2),
    ]);
  });

  it('an id computed from a plain send matches too (expiringNonceHash from the signed tx)', async () => {
    const { result, tx, height } = await chain.send(payer(), 'escrow', 'open', openArgs({ salt: salt(2) }));
    const { deposit: _deposit, ...fields } = openArgs({ salt: salt(2) });
    const expected = computeChannelId({ payer: payer().address, ...fields, expiringNonceHash: expiringNonceHash(tx) } as never, chain.chainId);
    expect(result).to.equal(expected);
    // ...and the event is queryable through the chain's event index.
    const found = await chain.node.chain.getEvents({ fromHeight: height, toHeight: height, address: ESCROW_ADDRESS, name: 'ChannelOpened' });
    expect(found.map((e) => decodeChannelOpened(e)!.channelId)).to.deep.equal([expected]);
  });

  it('the same parameters in two transactions give two ids', async () => {
    const a = await openChannel(chain, payer(), { payee: payee().address, salt: salt(3) });
    const b = await openChannel(chain, payer(), { payee: payee().address, salt: salt(3) });
    expect(a.channelId).to.not.equal(b.channelId);
    expect((await channelState(chain, a.channelId)).deposit).to.equal(DEPOSIT);
    expect((await channelState(chain, b.channelId)).deposit).to.equal(DEPOSIT);
  });

  for (const [what, payeeAddr] of [
    ['a zero payee', ZERO_ADDRESS],
    ['a TIP-20-prefixed payee', tip20Address(5n)],
    ['the dev stablecoin as payee', DEV_STABLECOIN_ADDRESS],
  ] as const) {
    it(`rejects ${what} with InvalidPayee`, async () => {
      const before = await balances(chain, [payer().address]);
      const { receipt } = await chain.send(payer(), 'escrow', 'open', openArgs({ payee: payeeAddr }));
      expectError(receipt, 'InvalidPayee');
      expect(await balances(chain, [payer().address])).to.deep.equal(before);
    });
  }

  for (const [what, token] of [
    ['a zero token', ZERO_ADDRESS],
    ['a TIP-20 address nobody created', tip20Address(77n)],
    ['a non-token module (LUX)', LUX_ADDRESS],
  ] as const) {
    it(`rejects ${what} with InvalidToken`, async () => {
      expectError((await chain.send(payer(), 'escrow', 'open', openArgs({ token }))).receipt, 'InvalidToken');
    });
  }

  it('rejects a zero deposit with ZeroDeposit', async () => {
    expectError((await chain.send(payer(), 'escrow', 'open', openArgs({ deposit: 0n }))).receipt, 'ZeroDeposit');
  });

  it('checks in the spec order: payee, then token, then deposit', async () => {
    expectError((await chain.send(payer(), 'escrow', 'open', openArgs({ payee: ZERO_ADDRESS, token: ZERO_ADDRESS, deposit: 0n }))).receipt, 'InvalidPayee');
    expectError((await chain.send(payer(), 'escrow', 'open', openArgs({ token: ZERO_ADDRESS, deposit: 0n }))).receipt, 'InvalidToken');
  });

  it('a simulation runs open with a stand-in context: it succeeds, with an id no transaction gets', async () => {
    const sim = await chain.node.simulate({ from: payer().address, to: ESCROW_ADDRESS, method: 'open', args: openArgs({ salt: salt(4) }) });
    expect(sim.status, sim.errorMessage).to.equal(1);
    const { result } = await chain.send(payer(), 'escrow', 'open', openArgs({ salt: salt(4) }));
    expect(result).to.not.equal(sim.result);
  });

  it('without a transaction context (a system step) fails with ExpiringNonceHashNotSet', async () => {
    const other = await startChain({ modules: [...builtinModules(), batcherModule, noContextProbe(openArgs({ salt: salt(5) }))] });
    try {
      await other.mine(1);
      const err = await other.node.readState(NO_CONTEXT_PROBE, utf8('error'));
      expect(err && new TextDecoder().decode(err)).to.equal('ExpiringNonceHashNotSet');
    } finally {
      await other.stop();
    }
  });

  it('a payer without enough tokens fails and nothing moves', async () => {
    const poor = chain.signer(3, 'secp256k1');
    const [bal] = await balances(chain, [poor.address]);
    const before = await balances(chain, [poor.address, ESCROW_ADDRESS]);
    expectError((await chain.send(poor, 'escrow', 'open', openArgs({ deposit: bal! + 1n }))).receipt, 'InsufficientBalance');
    expect(await balances(chain, [poor.address, ESCROW_ADDRESS])).to.deep.equal(before);
  });

  it('a deposit above uint96 is refused at admission (InvalidArguments) and never runs', async () => {
    const p = payer();
    const a = openArgs();
    // Encode the arguments by hand: the SDK would refuse to build this.
    const args = [a.payee, a.operator, a.token, 1n << 96n, a.salt, a.authorizedSigner].map((v, i) =>
      i === 3 ? t.uint256.encode(v as bigint) : i === 4 ? fromHex(v as string) : t.address.encode(v as never),
    );
    const tx = signTx({ chainId: chain.chainId, nonce: await chain.nextNonce(p.address), from: p.address, to: ESCROW_ADDRESS, method: 'open', args, gasLimit: 1_000_000n, gasPrice: 1_000_000_000n }, p);
    let err: unknown;
    try {
      await chain.node.submit(tx.raw);
    } catch (e) {
      err = e;
    }
    expect(err).to.have.property('name', 'InvalidArguments');
  });

  describe('inside one transaction (batched calls)', () => {
    before(async () => {
      expectOk((await chain.send(chain.signer(4, 'secp256k1'), TOKEN, 'transfer', { to: BATCHER_ADDRESS, amount: 10n * DEPOSIT })).receipt);
    });

    const batchedOpen = (s: bigint, operator = ZERO_ADDRESS) => escrowCall('open', openArgs({ salt: salt(s), operator }));

    it('two opens with different salts both succeed', async () => {
      const { receipt } = await chain.send(chain.signer(5, 'secp256k1'), 'batcher', 'run', { calls: [batchedOpen(10n), batchedOpen(11n)] });
      expectOk(receipt);
      const ids = receipt.events.map((e) => decodeChannelOpened(e)).filter((x) => x !== null).map((x) => x!.channelId);
      expect(ids).to.have.length(2);
      expect(ids[0]).to.not.equal(ids[1]);
      for (const id of ids) expect((await channelState(chain, id)).deposit).to.equal(DEPOSIT);
    });

    it('the same descriptor twice in one transaction fails with ChannelAlreadyExists', async () => {
      const before = await balances(chain, [BATCHER_ADDRESS]);
      const { receipt } = await chain.send(chain.signer(5, 'secp256k1'), 'batcher', 'run', { calls: [batchedOpen(12n), batchedOpen(12n)] });
      expectError(receipt, 'ChannelAlreadyExists');
      expect(await balances(chain, [BATCHER_ADDRESS])).to.deep.equal(before);
    });

    const selfOperated = (s: bigint): ChannelDescriptor => ({
      payer: BATCHER_ADDRESS,
      payee: payee().address,
      operator: BATCHER_ADDRESS,
      token: TOKEN,
      salt: salt(s),
      authorizedSigner: ZERO_ADDRESS,
      expiringNonceHash: ZERO_WORD, // "this transaction's", filled in by the batcher
    });
    const closeAtZero = (s: bigint) => escrowCall('close', { descriptor: selfOperated(s), cumulativeAmount: 0n, captureAmount: 0n, signature: new Uint8Array(0) });

    it('open → close → open of the same id in one transaction fails with ChannelAlreadyExists (opened_this_tx)', async () => {
      const sender = chain.signer(5, 'secp256k1');
      const before = await balances(chain, [BATCHER_ADDRESS, ESCROW_ADDRESS]);
      const { receipt } = await chain.send(sender, 'batcher', 'run', { calls: [batchedOpen(13n, BATCHER_ADDRESS), closeAtZero(13n), batchedOpen(13n, BATCHER_ADDRESS)] });
      expectError(receipt, 'ChannelAlreadyExists');
      expect(await balances(chain, [BATCHER_ADDRESS, ESCROW_ADDRESS])).to.deep.equal(before);
    });

    it('control: open → close → open with another salt succeeds, so the guard is what stopped the reopen', async () => {
      const sender = chain.signer(5, 'secp256k1');
      const { receipt } = await chain.send(sender, 'batcher', 'run', { calls: [batchedOpen(14n, BATCHER_ADDRESS), closeAtZero(14n), batchedOpen(15n, BATCHER_ADDRESS)] });
      expectOk(receipt);
      expect(receipt.events.filter((e) => e.name === 'ChannelClosed')).to.have.length(1);
      const opened = receipt.events.map((e) => decodeChannelOpened(e)).filter((x) => x !== null);
      expect(opened).to.have.length(2);
      expect((await channelState(chain, opened[0]!.channelId)).deposit, 'closed slot is gone').to.equal(0n);
      expect((await channelState(chain, opened[1]!.channelId)).deposit).to.equal(DEPOSIT);
    });
  });
});

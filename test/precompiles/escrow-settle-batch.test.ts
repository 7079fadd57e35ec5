/**
 * `settleBatch` (added for session payments): N settles in ONE call, so N channels settle in one
 * transaction and one block. Each item runs the checks of `settle`; any failing item reverts the
 * whole call with that item's named error (and its index). A follower replaying blocks with
 * successful and failing batches reproduces every root.
 */
import { expect } from 'chai';
import { createDevChain, importBlock, signTx, toHex, type DevChain } from '../../sdk/chain.js';
import { devGenesis, startNode } from '../../genesis/index.js';
import { buildOpenTx, DEV_STABLECOIN_ADDRESS, MAX_SETTLE_BATCH, type ChannelDescriptor, type Hex32 } from '../../sdk/precompiles/index.js';
import { balances, channelState, expectError, expectOk, keyFromByte, openChannel, salt, startChain, tokenBalance, voucher } from './helpers.js';

describe('escrow settleBatch', function () {
  this.timeout(120_000);
  let chain: DevChain;
  afterEach(async () => chain?.stop());

  async function openMany(n: number, firstSalt = 1): Promise<{ descriptor: ChannelDescriptor; channelId: Hex32 }[]> {
    const payee = chain.signer(5, 'secp256k1');
    const out = [];
    for (let i = 0; i < n; i++) out.push(await openChannel(chain, chain.signer(1 + (i % 3), 'secp256k1'), { payee: payee.address, salt: salt(firstSalt + i) }));
    return out;
  }
  const item = (c: { descriptor: ChannelDescriptor; channelId: Hex32 }, amount: bigint, signerIndex: number) => ({ descriptor: c.descriptor, cumulativeAmount: amount, signature: voucher(chain, chain.signer(signerIndex, 'secp256k1'), c.channelId, amount) });

  it('settles N channels in one transaction: each pays its delta to the payee, one Settled event per channel', async () => {
    chain = await startChain();
    const chans = await openMany(6);
    const payee = chain.signer(5, 'secp256k1');
    const before = await tokenBalance(chain, payee.address);
    const items = chans.map((c, i) => item(c, BigInt(1000 * (i + 1)), 1 + (i % 3)));
    const r = await chain.send(payee, 'escrow', 'settleBatch', { items });
    expectOk(r.receipt);
    expect(r.receipt.events.filter((e) => e.name === 'Settled')).to.have.length(6);
    expect((await tokenBalance(chain, payee.address)) - before).to.equal(21_000n);
    for (let i = 0; i < chans.length; i++) expect((await channelState(chain, chans[i]!.channelId)).settled).to.equal(BigInt(1000 * (i + 1)));
  });

  it('any failing item reverts the whole batch with its named error and index; nothing moves', async () => {
    chain = await startChain();
    const chans = await openMany(3, 10);
    const payee = chain.signer(5, 'secp256k1');
    const before = await balances(chain, [payee.address]);
    const bad = [item(chans[0]!, 100n, 1), { ...item(chans[1]!, 100n, 2), signature: voucher(chain, keyFromByte(7), chans[1]!.channelId, 100n) }, item(chans[2]!, 100n, 3)];
    const r = await chain.send(payee, 'escrow', 'settleBatch', { items: bad });
    expectError(r.receipt, 'InvalidSignature');
    expect(r.receipt.errorMessage).to.contain('item 1');
    expect(await balances(chain, [payee.address])).to.deep.equal(before);
    expect((await channelState(chain, chans[0]!.channelId)).settled).to.equal(0n);
    // Not the payee: NotPayeeOrOperator; over the deposit: AmountExceedsDeposit; repeated: AmountNotIncreasing.
    expectError((await chain.send(chain.signer(6, 'secp256k1'), 'escrow', 'settleBatch', { items: [item(chans[0]!, 5n, 1)] })).receipt, 'NotPayeeOrOperator');
    expectError((await chain.send(payee, 'escrow', 'settleBatch', { items: [item(chans[0]!, 2_000_000n, 1)] })).receipt, 'AmountExceedsDeposit');
    expectError((await chain.send(payee, 'escrow', 'settleBatch', { items: [item(chans[0]!, 5n, 1), item(chans[0]!, 5n, 1)] })).receipt, 'AmountNotIncreasing');
    // An empty batch is refused, not a successful call that settles nothing.
    expectError((await chain.send(payee, 'escrow', 'settleBatch', { items: [] })).receipt, 'InvalidArguments');
    expect((await channelState(chain, chans[0]!.channelId)).settled).to.equal(0n);
  });

  it(`refuses more than ${MAX_SETTLE_BATCH} items at admission`, async () => {
    chain = await startChain();
    const [c] = await openMany(1, 30);
    const items = Array.from({ length: MAX_SETTLE_BATCH + 1 }, (_, i) => item(c!, BigInt(i + 1), 1));
    let err: Error | undefined;
    try {
      await chain.send(chain.signer(5, 'secp256k1'), 'escrow', 'settleBatch', { items });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message ?? '').to.contain(`has ${MAX_SETTLE_BATCH + 1} items, the limit is ${MAX_SETTLE_BATCH}`);
  });

  it('replay: a follower re-executing blocks with batches (one failing) reproduces the state root', async () => {
    chain = await createDevChain({ mining: 'manual' });
    const payee = chain.signer(5, 'secp256k1');
    const chans: { descriptor: ChannelDescriptor; channelId: Hex32 }[] = [];
    for (let i = 0; i < 4; i++) {
      const payer = chain.signer(1 + (i % 3), 'secp256k1');
      const plan = buildOpenTx({ chainId: chain.chainId, nonce: await chain.nextNonce(payer.address), from: payer.address, payee: payee.address, token: DEV_STABLECOIN_ADDRESS, deposit: 1_000_000n, salt: salt(50 + i), gasLimit: 2_000_000n, gasPrice: 1_000_000_000n });
      await chain.node.submit(signTx(plan.tx, payer).raw);
      chans.push({ descriptor: plan.descriptor, channelId: plan.channelId });
    }
    await chain.mine(1);
    await chain.submit(payee, 'escrow', 'settleBatch', { items: chans.map((c, i) => item(c, 300n + BigInt(i), 1 + (i % 3))) });
    await chain.mine(1);
    await chain.submit(payee, 'escrow', 'settleBatch', { items: [item(chans[0]!, 100n, 1)] }); // AmountNotIncreasing
    await chain.submit(payee, 'escrow', 'settleBatch', { items: [item(chans[1]!, 900n, 2), item(chans[2]!, 901n, 3)] });
    await chain.mine(1);
    const head = chain.node.head();
    const errors = [];
    for (let h = 1n; h <= head.height; h++) errors.push(...(await chain.node.chain.getReceipts(h))!.receipts.map((r) => r.error));
    expect(errors).to.deep.equal(['', '', '', '', '', 'AmountNotIncreasing', '']);
    const follower = await startNode({ memory: true, genesis: devGenesis(), produce: false });
    try {
      for (let h = 1n; h <= head.height; h++) await importBlock(follower.chain, follower.verifier, (await chain.node.chain.getBlock(h))!);
      expect(toHex(follower.head().stateRoot)).to.equal(toHex(head.stateRoot));
      for (const c of chans) expect(await follower.query(chain.address('escrow'), 'getChannelState', { channelId: c.channelId })).to.deep.equal(await channelState(chain, c.channelId));
    } finally {
      await follower.stop();
    }
  });
});

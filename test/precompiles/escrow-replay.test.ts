/**
 * Determinism: a follower re-executing a history of token and channel operations (including
 * failures, several calls per block, a close request and a withdraw after block-time jumps, both
 * voucher schemes) reproduces every block's roots; importBlock throws on the first difference.
 */
import { expect } from 'chai';
import { createDevChain, fromHex, importBlock, Node, signTx, toHex, type Address, type DevChain } from '../../sdk/chain.js';
import { devGenesis, startNode } from '../../genesis/index.js';
import { buildOpenTx, computeChannelId, DEV_STABLECOIN_ADDRESS, signVoucher, type ChannelDescriptor } from '../../sdk/precompiles/index.js';
import { salt } from './helpers.js';

describe('escrow and TIP-20 replay', function () {
  let chain: DevChain;
  let follower: Node | undefined;
  afterEach(async () => {
    await chain?.stop();
    await follower?.stop();
  });

  it('a follower re-executing the blocks ends with the same state root, channels and balances', async () => {
    chain = await createDevChain({ mining: 'manual' });
    const payer = chain.signer(1, 'secp256k1');
    const pqPayer = chain.signer(3); // ML-DSA-65
    const payee = chain.signer(2, 'secp256k1');
    const issuer = chain.signer(4, 'secp256k1');

    const open = async (p: typeof payer, s: number): Promise<ChannelDescriptor> => {
      const plan = buildOpenTx({ chainId: chain.chainId, nonce: await chain.nextNonce(p.address), from: p.address, payee: payee.address, token: DEV_STABLECOIN_ADDRESS, deposit: 1_000_000n, salt: salt(s), gasLimit: 2_000_000n, gasPrice: 1_000_000_000n });
      await chain.node.submit(signTx(plan.tx, p).raw);
      return plan.descriptor;
    };
    const a = await open(payer, 1);
    const b = await open(pqPayer, 2);
    const created = await chain.submit(issuer, 'tip20Factory', 'createToken', { name: 'Replay', symbol: 'RPL', issuer: issuer.address, salt: salt(9) });
    await chain.mine(1);
    const token = (await created.receipt).result as Address;
    const id = (d: ChannelDescriptor) => computeChannelId(d, chain.chainId);
    const v = (signer: typeof payer, d: ChannelDescriptor, amount: bigint) => fromHex(signVoucher(signer, id(d), amount, chain.chainId));

    await chain.submit(payee, 'escrow', 'settle', { descriptor: a, cumulativeAmount: 300_000n, signature: v(payer, a, 300_000n) });
    await chain.submit(payee, 'escrow', 'settle', { descriptor: a, cumulativeAmount: 200_000n, signature: v(payer, a, 200_000n) }); // AmountNotIncreasing
    await chain.submit(payee, 'escrow', 'settle', { descriptor: b, cumulativeAmount: 50_000n, signature: v(pqPayer, b, 50_000n) });
    await chain.submit(issuer, token, 'mint', { to: payer.address, amount: 77n });
    await chain.submit(issuer, token, 'setTransferPolicy', { mode: 'blocklist' });
    await chain.mine(1);
    await chain.submit(pqPayer, 'escrow', 'requestClose', { descriptor: b });
    await chain.submit(payee, 'escrow', 'close', { descriptor: a, cumulativeAmount: 600_000n, captureAmount: 500_000n, signature: v(payer, a, 600_000n) });
    await chain.mine(1);
    chain.increaseTime(600);
    await chain.submit(pqPayer, 'escrow', 'withdraw', { descriptor: b }); // CloseNotReady
    await chain.mine(1);
    chain.increaseTime(400);
    await chain.submit(pqPayer, 'escrow', 'withdraw', { descriptor: b });
    await chain.mine(1);
    const head = chain.node.head();
    const receipts = [];
    for (let h = 1n; h <= head.height; h++) receipts.push(...(await chain.node.chain.getReceipts(h))!.receipts.map((r) => r.error));
    expect(receipts).to.deep.equal(['', '', '', '', 'AmountNotIncreasing', '', '', '', '', '', 'CloseNotReady', '']);

    follower = await startNode({ memory: true, genesis: devGenesis(), produce: false });
    for (let h = 1n; h <= head.height; h++) await importBlock(follower.chain, follower.verifier, (await chain.node.chain.getBlock(h))!);
    expect(toHex(follower.head().stateRoot)).to.equal(toHex(head.stateRoot));
    for (const d of [a, b]) {
      expect(await follower.query(chain.address('escrow'), 'getChannelState', { channelId: id(d) })).to.deep.equal({ settled: 0n, deposit: 0n, closeRequestedAt: 0 });
    }
    for (const acct of [payer.address, pqPayer.address, payee.address]) {
      expect(await follower.query(DEV_STABLECOIN_ADDRESS, 'balanceOf', { account: acct })).to.equal(await chain.call(DEV_STABLECOIN_ADDRESS, 'balanceOf', { account: acct }));
    }
    expect(await follower.query(token, 'transferPolicy', {})).to.equal('blocklist');
  });
});

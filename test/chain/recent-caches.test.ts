import { expect } from 'chai';
import { BLOCK_CACHE_BYTES, RECENT_BLOCKS, blockWeight, receiptsWeight } from '../../chain/chain.js';
import { Lru } from '../../chain/state/lru.js';
import { MLDSA65_ENCODED_LEN, devSigner, signTx, type Block, type Receipt } from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../chain/state/accounts.js';

function transferBlock(height: bigint, count: number): Block {
  const signer = devSigner(0);
  const txs = Array.from({ length: count }, (_, i) =>
    signTx({ chainId: 1337n, nonce: BigInt(i), from: signer.address, to: LUX_ADDRESS, method: 'transfer', args: [], gasLimit: 100_000n, gasPrice: 1n }, signer),
  );
  return { header: { height } as Block['header'], txs };
}

describe('recent block and receipt caches are bounded by bytes and by count', () => {
  it('a block weighs at least its transactions’ encodings (ML-DSA-65 transfers are ~5.3 kB each)', () => {
    const b = transferBlock(1n, 4);
    const raw = b.txs.reduce((s, tx) => s + tx.raw.length, 0);
    expect(raw).to.be.greaterThan(4 * MLDSA65_ENCODED_LEN);
    expect(blockWeight(b)).to.be.at.least(raw);
    expect(blockWeight(transferBlock(2n, 0))).to.be.greaterThan(0);
  });

  it('receipts weigh their return data and events', () => {
    const small: Receipt = { txHash: new Uint8Array(32), status: 1, gasUsed: 1n, error: '', errorMessage: '', returnData: new Uint8Array(0), events: [] };
    const big: Receipt = { ...small, returnData: new Uint8Array(10_000), events: [{ address: small.txHash as never, name: 'E', topics: [new Uint8Array(32)], data: new Uint8Array(5_000) }] };
    expect(receiptsWeight({ receipts: [big], systemEvents: [] })).to.be.greaterThan(receiptsWeight({ receipts: [small], systemEvents: [] }) + 15_000);
  });

  it('a cache weighed like the chain’s keeps fewer large blocks than small ones and never exceeds its bound', () => {
    const one = transferBlock(1n, 8);
    const perBlock = blockWeight(one);
    const capacity = perBlock * 10;
    const cache = new Lru<bigint, Block>(capacity, blockWeight);
    for (let h = 1n; h <= 64n; h++) cache.set(h, { ...one, header: { height: h } as Block['header'] });
    expect(cache.size).to.equal(10);
    expect(cache.get(1n)).to.equal(undefined); // the oldest went first
    expect(cache.get(64n)).to.not.equal(undefined);
    // The chain's own bound holds at most BLOCK_CACHE_BYTES / (bytes per transfer) transfers, whatever the block sizes.
    const chainCache = new Lru<bigint, Block>(BLOCK_CACHE_BYTES, blockWeight);
    const perTransfer = perBlock / 8;
    for (let h = 1n; h <= BigInt(Math.ceil(BLOCK_CACHE_BYTES / perBlock)) + 10n; h++) chainCache.set(h, { ...one, header: { height: h } as Block['header'] });
    expect(chainCache.size * 8).to.be.at.most(Math.floor(BLOCK_CACHE_BYTES / perTransfer));
  });

  it('small blocks stay capped by count: the byte bound never lets more than RECENT_BLOCKS in', () => {
    const cache = new Lru<bigint, Block>(BLOCK_CACHE_BYTES, blockWeight, RECENT_BLOCKS);
    for (let h = 1n; h <= BigInt(RECENT_BLOCKS * 3); h++) cache.set(h, transferBlock(h, 0));
    expect(cache.size).to.equal(RECENT_BLOCKS);
    expect(cache.get(BigInt(RECENT_BLOCKS * 2))).to.equal(undefined);
    expect(cache.get(BigInt(RECENT_BLOCKS * 3))).to.not.equal(undefined);
  });
});

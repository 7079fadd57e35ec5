import { expect } from 'chai';
import {
  createDevChain,
  signTx,
  rlpDecode,
  rlpEncode,
  concat,
  toHex,
  Transaction,
  TxRejected,
  type DevChain,
  type Signer,
  type UnsignedTx,
} from '../../sdk/chain.js';
import { LUX_ADDRESS } from '../../sdk/chain.js';
import { luxModule } from '../../vm/lux.js';
import { startNode } from '../../genesis/index.js';

const transferArgs = (to: string, amount: bigint) => luxModule.methods.transfer!.args.encode({ to, amount }) as UnsignedTx['args'];

describe('transaction admission', function () {
  let chain: DevChain;
  let alice: Signer;
  let bob: Signer;

  beforeEach(async () => {
    chain = await createDevChain({ mining: 'manual' });
    alice = chain.signer(0, 'secp256k1');
    bob = chain.signer(1, 'secp256k1');
  });
  afterEach(() => chain.stop());

  const base = (over: Partial<UnsignedTx> = {}): UnsignedTx => ({
    chainId: chain.chainId,
    nonce: 0n,
    from: alice.address,
    to: LUX_ADDRESS,
    method: 'transfer',
    args: transferArgs(bob.address, 1n),
    gasLimit: 200_000n,
    gasPrice: 1_000_000_000n,
    ...over,
  });

  /** Submits and expects a named rejection that leaves state and mempool untouched. */
  async function rejects(raw: Uint8Array, name: string): Promise<TxRejected> {
    const root = toHex(chain.node.chain.head.stateRoot);
    const pool = chain.node.mempool.size;
    try {
      await chain.node.submit(raw);
    } catch (e) {
      expect(e, (e as Error).message).to.be.instanceOf(TxRejected);
      expect((e as Error).name).to.equal(name);
      expect(toHex(chain.node.chain.head.stateRoot)).to.equal(root);
      expect(chain.node.mempool.size).to.equal(pool);
      return e as TxRejected;
    }
    expect.fail(`expected ${name}`);
  }

  it('a bad signature is InvalidSignature', async () => {
    const tx = signTx(base(), alice);
    const sig = tx.signature.slice();
    sig[10]! ^= 1;
    await rejects(Transaction.fromFields({ ...tx, signature: sig }).raw, 'InvalidSignature');
  });

  it('a valid signature by someone else than `from` is InvalidSignature', async () => {
    const unsigned = base();
    const byBob = signTx({ ...unsigned, from: bob.address }, bob);
    await rejects(Transaction.fromFields({ ...unsigned, signature: byBob.signature }).raw, 'InvalidSignature');
  });

  it('a wrong chain id is WrongChainId', async () => {
    await rejects(signTx(base({ chainId: chain.chainId + 1n }), alice).raw, 'WrongChainId');
  });

  it('a reused nonce is NonceTooLow; a gapped nonce waits in the queue, one past the window is NonceTooHigh', async () => {
    await chain.node.submit(signTx(base(), alice).raw);
    await chain.mine();
    await rejects(signTx(base({ args: transferArgs(bob.address, 2n) }), alice).raw, 'NonceTooLow');
    const gapped = signTx(base({ nonce: 3n }), alice);
    await chain.node.submit(gapped.raw);
    expect(chain.node.mempool.isQueued(gapped.hash)).to.equal(true);
    const window = BigInt(chain.node.mempool.maxQueuedPerSender);
    const tooHigh = await rejects(signTx(base({ nonce: 1n + window + 1n }), alice).raw, 'NonceTooHigh');
    expect(tooHigh.message).to.match(/send nonce 1 first/);
  });

  it('cheap refusals come before any signature work', async () => {
    const verifier = chain.node.verifier;
    const calls: string[] = [];
    const orig = verifier.verifyDecoded.bind(verifier);
    verifier.verifyDecoded = (tx) => {
      calls.push(toHex(tx.hash));
      return orig(tx);
    };
    try {
      const first = signTx(base(), alice);
      await chain.node.submit(first.raw);
      expect(calls).to.have.length(1);
      await rejects(first.raw, 'AlreadyKnown');
      await rejects(signTx(base({ chainId: chain.chainId + 1n }), alice).raw, 'WrongChainId');
      await rejects(signTx(base({ nonce: 10_000n }), alice).raw, 'NonceTooHigh');
      await rejects(signTx(base({ nonce: 1n, gasPrice: 10n ** 30n }), alice).raw, 'InsufficientFunds');
      // The same bytes twice at once: the second is refused while the first is being verified.
      const twice = signTx(base({ nonce: 1n }), alice);
      const both = await Promise.allSettled([chain.node.submit(twice.raw), chain.node.submit(twice.raw)]);
      expect(both.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected']);
      expect(((both[1] as PromiseRejectedResult).reason as Error).name).to.equal('AlreadyKnown');
      expect(calls, 'no refused transaction was verified; the pair once').to.deep.equal([toHex(first.hash), toHex(twice.hash)]);
    } finally {
      verifier.verifyDecoded = orig;
    }
  });

  it('a gas price under the minimum is GasPriceTooLow', async () => {
    await rejects(signTx(base({ gasPrice: 1n }), alice).raw, 'GasPriceTooLow');
  });

  it('a gas limit under the intrinsic cost is IntrinsicGasTooLow; over the block limit, GasLimitTooHigh', async () => {
    await rejects(signTx(base({ gasLimit: 21_000n }), alice).raw, 'IntrinsicGasTooLow');
    await rejects(signTx(base({ gasLimit: 4_000_000_000n }), alice).raw, 'GasLimitTooHigh');
  });

  it('a sender that cannot pay gasLimit × gasPrice is InsufficientFunds', async () => {
    const poor = chain.signer(0, 'secp256k1');
    await rejects(signTx(base({ from: poor.address, gasPrice: 10n ** 30n }), poor).raw, 'InsufficientFunds');
  });

  it('an oversize transaction is OversizeTransaction', async () => {
    const huge = base({ args: [new Uint8Array(200_000)] });
    await rejects(Transaction.fromFields({ ...huge, signature: new Uint8Array(65) }).raw, 'OversizeTransaction');
  });

  it('garbage and non-canonical bytes are MalformedTransaction / NonCanonicalEncoding', async () => {
    await rejects(new Uint8Array([1, 2, 3]), 'MalformedTransaction');
    const tx = signTx(base(), alice);
    await rejects(concat(tx.raw, new Uint8Array([0])), 'MalformedTransaction');
    const items = rlpDecode(tx.raw) as Uint8Array[];
    items[1] = new Uint8Array([0]); // nonce 0 written as 0x00
    await rejects(rlpEncode(items), 'NonCanonicalEncoding');
    // The method name written with a long-form length prefix: valid RLP, not canonical.
    const parts = (rlpDecode(tx.raw) as Uint8Array[]).map((x) => rlpEncode(x));
    const method = (rlpDecode(tx.raw) as Uint8Array[])[4]!;
    parts[4] = concat(new Uint8Array([0xb8, method.length]), method);
    const payload = concat(...parts);
    const lenBytes = Uint8Array.from(Buffer.from(payload.length.toString(16).padStart(payload.length > 255 ? 4 : 2, '0'), 'hex'));
    await rejects(concat(new Uint8Array([0xf7 + lenBytes.length]), lenBytes, payload), 'NonCanonicalEncoding');
  });

  it('unknown targets, methods and bad arguments are refused before signature checks', async () => {
    await rejects(signTx(base({ to: bob.address }), alice).raw, 'UnknownTarget');
    await rejects(signTx(base({ method: 'steal' }), alice).raw, 'UnknownMethod');
    await rejects(signTx(base({ method: 'mint' }), alice).raw, 'UnknownMethod'); // internal methods are not callable
    await rejects(signTx(base({ args: [new Uint8Array(3)] }), alice).raw, 'InvalidArguments');
  });

  it('the same transaction twice is AlreadyKnown (pending and mined)', async () => {
    const tx = signTx(base(), alice);
    await chain.node.submit(tx.raw);
    await rejects(tx.raw, 'AlreadyKnown');
    await chain.mine();
    await rejects(tx.raw, 'AlreadyKnown');
  });

  it('replacement needs a 10% higher gas price; the replaced transaction is dropped', async () => {
    const first = signTx(base(), alice);
    await chain.node.submit(first.raw);
    const dropped = chain.node.waitForReceipt(first.hash).then(
      () => 'mined',
      (e) => (e as Error).name,
    );
    await rejects(signTx(base({ gasPrice: 1_050_000_000n, args: transferArgs(bob.address, 2n) }), alice).raw, 'ReplacementUnderpriced');
    const better = signTx(base({ gasPrice: 1_100_000_000n, args: transferArgs(bob.address, 3n) }), alice);
    await chain.node.submit(better.raw);
    expect(await dropped).to.equal('Dropped');
    const [block] = await chain.mine();
    expect(block!.block.txs.map((t) => toHex(t.hash))).to.deep.equal([toHex(better.hash)]);
  });

  it('the per-sender limit is SenderLimitReached and a full pool is MempoolFull', async () => {
    await chain.stop();
    const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' }, mempool: { maxTxs: 3, maxPerSender: 2 } });
    chain = new (await import('../../sdk/chain.js')).DevChain(node);
    const a = chain.signer(2, 'secp256k1');
    const b = chain.signer(3, 'secp256k1');
    const mk = (s: Signer, nonce: bigint, price = 1_000_000_000n) => signTx({ ...base(), from: s.address, nonce, gasPrice: price }, s).raw;
    await node.submit(mk(a, 0n));
    await node.submit(mk(a, 1n));
    await rejects(mk(a, 2n), 'SenderLimitReached');
    await node.submit(mk(b, 0n));
    const c = chain.signer(4, 'secp256k1');
    await rejects(mk(c, 0n), 'MempoolFull');
    // A higher-paying transaction evicts the cheapest tail.
    await node.submit(mk(c, 0n, 2_000_000_000n));
    expect(node.mempool.size).to.equal(3);
  });

  it('concurrent submissions of consecutive nonces are admitted in arrival order', async () => {
    const txs = [0n, 1n, 2n, 3n, 4n].map((n) => signTx(base({ nonce: n, args: transferArgs(bob.address, n + 1n) }), alice));
    await Promise.all(txs.map((t) => chain.node.submit(t.raw)));
    const [block] = await chain.mine();
    expect(block!.block.txs.map((t) => t.nonce)).to.deep.equal([0n, 1n, 2n, 3n, 4n]);
    expect(block!.receipts.every((r) => r.status === 1)).to.equal(true);
  });
});

/**
 * TIP-1034 figures (issue 3, acceptance 5), all measured in this run on this machine:
 *  (a) bare signature rates, one thread: secp256k1 public-key recovery and ML-DSA-65 verify
 *      (noble, and the pqclean native build when installed);
 *  (b) off-chain voucher verifications/s with VoucherVerifier, uncached (descriptor → channelId →
 *      EIP-712 digest → recover → signer check) for both schemes, as a ratio of (a); and the cached
 *      rate for a repeated voucher;
 *  (c) on-chain `settle` transactions/s: pre-signed settles (secp256k1 senders; secp256k1 and
 *      ML-DSA-65 vouchers) admitted with verifier threads, mined, executed and committed.
 */
import { createDevChain, devSigner, fromHex, loadPqcleanVerify, mlDsaBackend, nobleMlDsaVerify, recoverSecp256k1, setMlDsaBackend, signerFromSeed, sha256, utf8, type DevChain, type MlDsaBackend, type Signer, signTx } from '../sdk/chain.js';
import { buildOpenTx, computeChannelId, DEV_STABLECOIN_ADDRESS, signVoucher, voucherDigest, VoucherVerifier, type ChannelDescriptor } from '../sdk/precompiles/index.js';
import { keccakReady } from '../chain/hash.js';
import { rate, type BenchContext, type BenchSuite } from './harness.js';

const CHAIN = 1337n;

function descriptorFor(payer: Signer, payee: Signer): ChannelDescriptor {
  const word = (s: string) => ('0x' + Buffer.from(sha256(utf8(s))).toString('hex')) as ChannelDescriptor['salt'];
  return { payer: payer.address, payee: payee.address, operator: ('0x' + '00'.repeat(20)) as never, token: DEV_STABLECOIN_ADDRESS, salt: word('bench salt'), authorizedSigner: ('0x' + '00'.repeat(20)) as never, expiringNonceHash: word('bench nonce') };
}

function offChain(ctx: BenchContext): void {
  const ms = ctx.quick ? 300 : 1500;
  const payee = devSigner(2, 'secp256k1');
  for (const scheme of ['secp256k1', 'ml-dsa-65'] as const) {
    const payer = signerFromSeed(sha256(utf8(`bench voucher payer ${scheme}`)), scheme);
    const d = descriptorFor(payer, payee);
    const id = computeChannelId(d, CHAIN);
    // Distinct vouchers so that nothing is served from a cache.
    const amounts = Array.from({ length: 16 }, (_, i) => BigInt(1000 + i));
    const sigs = amounts.map((a) => signVoucher(payer, id, a, CHAIN));
    const digests = amounts.map((a) => fromHex(voucherDigest(id, a, CHAIN)));
    const raw = sigs.map(fromHex);
    let i = 0;
    let bare: number;
    if (scheme === 'secp256k1') {
      bare = rate(() => void recoverSecp256k1(raw[i++ % 16]!, digests[i % 16]!), ms);
      ctx.record('precompiles.bare.secp256k1', bare, 'recover/s', 'secp256k1 public-key recovery, 1 thread');
    } else {
      const k = (j: number) => raw[j]!.subarray(1, 1953);
      const s = (j: number) => raw[j]!.subarray(1953);
      bare = rate(() => {
        const j = i++ % 16;
        nobleMlDsaVerify(k(j), digests[j]!, s(j));
      }, ms);
      ctx.record('precompiles.bare.mldsa.noble', bare, 'verify/s', 'ML-DSA-65 verify, noble, 1 thread');
      const native = loadPqcleanVerify();
      if (native) {
        ctx.record('precompiles.bare.mldsa.pqclean', rate(() => {
          const j = i++ % 16;
          native(k(j), digests[j]!, s(j));
        }, ms), 'verify/s', 'ML-DSA-65 verify, pqclean native, 1 thread');
      }
    }
    // Voucher verification per signature backend, each beside its bare rate.
    const backendsToRun: ('secp256k1' | MlDsaBackend)[] = scheme === 'secp256k1' ? ['secp256k1'] : loadPqcleanVerify() ? ['noble', 'pqclean'] : ['noble'];
    for (const backend of backendsToRun) {
      if (backend !== 'secp256k1') setMlDsaBackend(backend);
      const uncached = new VoucherVerifier({ chainId: CHAIN, cacheSize: 0 });
      i = 0;
      const voucherRate = rate(() => {
        const j = i++ % 16;
        if (!uncached.verify({ descriptor: d, cumulativeAmount: amounts[j]!, signature: sigs[j]! }).ok) throw new Error('voucher did not verify');
      }, ms);
      const key = backend === 'secp256k1' ? 'secp256k1' : `mldsa.${backend}`;
      const label = backend === 'secp256k1' ? 'secp256k1' : `ML-DSA-65, ${backend}`;
      const bareKey = backend === 'secp256k1' ? 'precompiles.bare.secp256k1' : `precompiles.bare.mldsa.${backend}`;
      ctx.record(`precompiles.voucher.${key}`, voucherRate, 'voucher/s', `off-chain voucher verification, ${label}, uncached, 1 thread`);
      ctx.record(`precompiles.voucher.${key}.vs_bare`, voucherRate / ctx.get(bareKey)!, 'ratio', `voucher verifications ÷ bare signature checks (${label})`);
    }
    const cached = new VoucherVerifier({ chainId: CHAIN });
    const label = scheme === 'secp256k1' ? 'secp256k1' : 'ML-DSA-65';
    ctx.record(`precompiles.voucher.${scheme === 'secp256k1' ? 'secp256k1' : 'mldsa'}.cached`, rate(() => void cached.verify({ descriptor: d, cumulativeAmount: amounts[0]!, signature: sigs[0]! }), ms), 'voucher/s', `repeated voucher, ${label}, served from the cache`);
  }
}

/** Opens `n` channels (payer dev i, payee dev i+5, secp256k1) in one block; returns their descriptors. */
async function openChannels(chain: DevChain, n: number, voucherScheme: 'secp256k1' | 'ml-dsa-65'): Promise<{ d: ChannelDescriptor; voucherSigner: Signer; payee: Signer }[]> {
  const out: { d: ChannelDescriptor; voucherSigner: Signer; payee: Signer }[] = [];
  const raws: Uint8Array[] = [];
  const nonces = new Map<string, bigint>();
  for (let k = 0; k < n; k++) {
    const payer = devSigner(k % 5, 'secp256k1');
    const payee = devSigner(5 + (k % 5), 'secp256k1');
    // Vouchers come from a delegated key of the chosen scheme (it never sends a transaction).
    const voucherSigner = signerFromSeed(sha256(utf8(`bench delegate ${voucherScheme} ${k % 5}`)), voucherScheme);
    const nonce = nonces.get(payer.address) ?? (await chain.nextNonce(payer.address));
    nonces.set(payer.address, nonce + 1n);
    const plan = buildOpenTx({ chainId: chain.chainId, nonce, from: payer.address, payee: payee.address, token: DEV_STABLECOIN_ADDRESS, deposit: 1_000_000n, authorizedSigner: voucherSigner.address, gasLimit: 1_000_000n, gasPrice: 1_000_000_000n });
    raws.push(signTx(plan.tx, payer).raw);
    out.push({ d: plan.descriptor, voucherSigner, payee });
  }
  await Promise.all(raws.map((r) => chain.node.submit(r)));
  while (chain.node.mempool.size > 0) await chain.mine(1);
  return out;
}

async function onChain(ctx: BenchContext, voucherScheme: 'secp256k1' | 'ml-dsa-65'): Promise<void> {
  const threads = ctx.cores;
  const chain = await createDevChain({ mining: 'manual', threads });
  try {
    const n = ctx.quick ? 60 : voucherScheme === 'secp256k1' ? 600 : 300;
    const channels = await openChannels(chain, n, voucherScheme);
    const raws: Uint8Array[] = [];
    const nonces = new Map<string, bigint>();
    for (const { d, voucherSigner, payee } of channels) {
      const id = computeChannelId(d, chain.chainId);
      const nonce = nonces.get(payee.address) ?? (await chain.nextNonce(payee.address));
      nonces.set(payee.address, nonce + 1n);
      const signature = fromHex(signVoucher(voucherSigner, id, 500_000n, chain.chainId));
      raws.push((await chain.buildTx(payee, 'escrow', 'settle', { descriptor: d, cumulativeAmount: 500_000n, signature }, { nonce, gasLimit: 1_000_000n })).raw);
    }
    const cache = chain.node.chain.executor.sigCache;
    const misses = cache.misses;
    const start = performance.now();
    await Promise.all(raws.map((raw) => chain.node.submit(raw)));
    const admitted = performance.now();
    const h0 = chain.node.head().height;
    const committed: number[] = [];
    while (chain.node.mempool.size > 0) for (const b of await chain.mine(1)) committed.push(b.receipts.filter((r) => r.status === 1).length);
    const done = performance.now();
    const ok = committed.reduce((a, b) => a + b, 0);
    if (ok !== n) throw new Error(`expected ${n} successful settles, got ${ok}`);
    const label = voucherScheme === 'secp256k1' ? 'secp256k1 vouchers' : `ML-DSA-65 vouchers (${mlDsaBackend()})`;
    const key = voucherScheme === 'secp256k1' ? 'secp256k1' : 'mldsa';
    ctx.record(`precompiles.settle.${key}.admit`, (n * 1000) / (admitted - start), 'tx/s', `settle admission, ${label}, ${threads} verifier threads`);
    ctx.record(`precompiles.settle.${key}`, (n * 1000) / (done - start), 'tx/s', `on-chain settle, ${label} (${n} txs, ${chain.node.head().height - h0} blocks)`);
    ctx.log(`signature cache misses during execution: ${cache.misses - misses} (0 = every voucher was pre-verified at admission)`);
  } finally {
    await chain.stop();
  }
}

export const precompilesSuite: BenchSuite = {
  name: 'precompiles',
  async run(ctx) {
    await keccakReady; // the WebAssembly keccak, as a running node has it
    const previous = mlDsaBackend();
    try {
      offChain(ctx);
      setMlDsaBackend('auto');
      await onChain(ctx, 'secp256k1');
      await onChain(ctx, 'ml-dsa-65');
    } finally {
      setMlDsaBackend(previous);
    }
  },
};

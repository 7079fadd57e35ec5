/** Bench helper thread: signs batches of LUX transfers (ML-DSA signing is ~6 ms each). */
import { parentPort } from 'node:worker_threads';
import { fromHex, signTx, signerFromSeed, toHex, type SchemeName, type Signer } from '../sdk/chain.js';
import { LUX_ADDRESS } from '../sdk/chain.js';
import { luxModule } from '../vm/lux.js';

export interface SignJob {
  chainId: string;
  scheme: SchemeName;
  items: { seed: string; nonce: string; to: string; amount: string }[];
}

const signers = new Map<string, Signer>();

parentPort!.on('message', (job: SignJob) => {
  const out = job.items.map((it) => {
    let s = signers.get(it.seed);
    if (!s) {
      s = signerFromSeed(fromHex(it.seed), job.scheme);
      signers.set(it.seed, s);
    }
    const tx = signTx(
      {
        chainId: BigInt(job.chainId),
        nonce: BigInt(it.nonce),
        from: s.address,
        to: LUX_ADDRESS,
        method: 'transfer',
        args: luxModule.methods.transfer!.args.encode({ to: it.to, amount: BigInt(it.amount) }) as never,
        gasLimit: 300_000n,
        gasPrice: 1_000_000_000n,
      },
      s,
    );
    return toHex(tx.raw);
  });
  parentPort!.postMessage(out);
});

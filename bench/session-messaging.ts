/**
 * Messaging SessionVM throughput: encrypted, ML-DSA-65-signed messages per second through the
 * chain (admission with signature pre-verification in the verifier pool → block → execution →
 * commit), beside the bare ML-DSA-65 verify rate that bounds it. Messages are sealed and signed
 * before the clock starts; payers use secp256k1 so the figure isolates the message signature.
 */
import { createDevChain, mlDsaBackend, nobleMlDsaVerify, loadPqcleanVerify, sha256, utf8, type DevChain } from '../sdk/chain.js';
import { Identity } from '../vm/session/identity.js';
import { createSessionCall, messageSigningPayload, sealMessage, type SessionView } from '../sdk/session/index.js';
import { rate, type BenchSuite } from './harness.js';

const SESSIONS = 4;

async function openSessions(chain: DevChain, alice: Identity, bob: Identity): Promise<SessionView[]> {
  const out: SessionView[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const r = await chain.send<{ sessionId: Uint8Array }>(chain.signer(i, 'secp256k1'), 'sessionvm', 'createSession', createSessionCall([alice, bob], { ttlBlocks: 1_000_000n }));
    if (r.receipt.status !== 1) throw new Error(`createSession failed: ${r.receipt.error}`);
    out.push((await chain.call<SessionView | null>('sessionvm', 'getSession', { sessionId: r.result.sessionId }))!);
  }
  return out;
}

export const sessionMessagingSuite: BenchSuite = {
  name: 'session-messaging',
  async run(ctx) {
    const alice = Identity.fromSeed(sha256(utf8('bench alice')));
    const bob = Identity.fromSeed(sha256(utf8('bench bob')));

    // The bound: one ML-DSA-65 verification per message.
    const payload = messageSigningPayload(new Uint8Array(32), 0n, new Uint8Array(2 * 1200));
    const sig = alice.sign(payload);
    const ms = ctx.quick ? 300 : 1500;
    const noble = rate(() => void nobleMlDsaVerify(alice.dsaPublicKey, payload, sig), ms);
    ctx.record('session.mldsa.verify.noble', noble, 'verify/s', 'ML-DSA-65 verify, noble, 1 thread');
    const pqclean = loadPqcleanVerify();
    if (pqclean) ctx.record('session.mldsa.verify.pqclean', rate(() => void pqclean(alice.dsaPublicKey, payload, sig), ms), 'verify/s', 'ML-DSA-65 verify, pqclean native, 1 thread');

    const threads = ctx.cores;
    const chain = await createDevChain({ mining: 'manual', threads, genesis: { modules: { sessionvm: { maxMessages: 1_000_000 } } } });
    try {
      const sessions = await openSessions(chain, alice, bob);
      const n = ctx.quick ? 80 : 400;
      const perSession = n / SESSIONS;
      const raws: Uint8Array[] = [];
      for (let s = 0; s < SESSIONS; s++) {
        for (let seq = 0; seq < perSession; seq++) {
          const args = sealMessage(seq % 2 ? bob : alice, sessions[s]!, BigInt(seq), utf8(`message ${seq} of session ${s}`));
          raws.push((await chain.buildTx(chain.signer(s, 'secp256k1'), 'sessionvm', 'sendMessage', args, { gasLimit: 1_000_000n })).raw);
        }
      }
      const cache = chain.node.chain.executor.sigCache;
      const misses = cache.misses;
      const start = performance.now();
      await Promise.all(raws.map((raw) => chain.node.submit(raw)));
      const admitted = performance.now();
      const startHeight = chain.node.head().height;
      while (chain.node.mempool.size > 0) await chain.mine(1);
      const done = performance.now();
      const blocks = chain.node.head().height - startHeight;
      const health = await chain.call<{ pending: bigint }>('sessionvm', 'health', {});
      if (health.pending !== BigInt(n)) throw new Error(`expected ${n} stored messages, found ${health.pending}`);
      const e2e = (n * 1000) / (done - start);
      ctx.record('session.messages.admit', (n * 1000) / (admitted - start), 'msg/s', `sendMessage admission (${threads} verifier threads, ${mlDsaBackend()})`);
      ctx.record('session.messages.e2e', e2e, 'msg/s', `sendMessage through the chain (${n} messages, ${blocks} blocks)`);
      ctx.record('session.messages.vs_verify', e2e / (pqclean ? (ctx.get('session.mldsa.verify.pqclean') ?? noble) : noble), 'ratio', 'messages/s ÷ single-thread ML-DSA-65 verify/s');
      ctx.log(`signature cache misses during execution: ${cache.misses - misses} (0 = every message signature was pre-verified)`);
    } finally {
      await chain.stop();
    }
  },
};

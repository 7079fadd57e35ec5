/**
 * Workload sessions: threshold attestation verifications per second for committees of 4, 7 and 21
 * (each attestation carries quorumSize(n) ML-DSA-65 signatures: 3, 5 and 15), with the single
 * ML-DSA-65 verification rate beside them as the bound (attestations/s ≈ verifies/s ÷ quorum).
 * Measured with noble and, where the native build is installed, pqclean.
 */
import { MlDsaSigner, nobleMlDsaVerify, loadPqcleanVerify, sha256, utf8, concat, u32be } from '../sdk/chain.js';
import { checkAttestation, nodeIdFromPublicKey, quorumSize, signAttestation, type Attestation } from '../sdk/session/index.js';
import { rate, type BenchSuite } from './harness.js';

const COMMITTEES = [4, 7, 21];

export const sessionWorkSuite: BenchSuite = {
  name: 'session-work',
  async run(ctx) {
    const ms = ctx.quick ? 300 : 1500;
    const keys = Array.from({ length: 21 }, (_, i) => new MlDsaSigner(sha256(concat(utf8('bench/session-work'), u32be(i)))));
    const ids = keys.map((k) => nodeIdFromPublicKey(k.publicKey));
    const subject = sha256(utf8('request'));
    const root = sha256(utf8('records root'));
    const backends: [string, typeof nobleMlDsaVerify][] = [['noble', nobleMlDsaVerify]];
    const native = loadPqcleanVerify();
    if (native) backends.push(['pqclean', native]);
    else ctx.log('pqclean native build not installed: noble only');

    for (const [name, verify] of backends) {
      const one = signAttestation(keys[0]!, 'oracle/read', subject, root, 1n);
      const payload = sha256(concat(utf8('LUX:QuantumAttest:oracle/read:v1'), subject, root, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1])));
      const verifyOne = () => {
        if (!verify(one.publicKey, payload, one.signature)) throw new Error('verify failed');
      };
      rate(verifyOne, ms / 3); // warm-up, not recorded
      const single = rate(() => {
        if (!verify(one.publicKey, payload, one.signature)) throw new Error('verify failed');
      }, ms);
      ctx.record(`session.work.mldsa.verify.${name}`, single, 'verifies/s', `ML-DSA-65 verify (${name}), the bound`);
      for (const n of COMMITTEES) {
        const q = quorumSize(n);
        const att: Attestation = { domain: 'oracle/read', subjectId: subject, commitRoot: root, epoch: 1n, signatures: keys.slice(0, q).map((k) => signAttestation(k, 'oracle/read', subject, root, 1n)) };
        const want = { domain: 'oracle/read' as const, subjectId: subject, commitRoot: root, epoch: 1n, committee: ids.slice(0, n) };
        const r = rate(() => {
          checkAttestation(att, want, verify);
        }, ms);
        ctx.record(`session.work.attest.n${n}.${name}`, r, 'attestations/s', `attestation verify, committee ${n} (quorum ${q}, ${name})`);
        ctx.record(`session.work.attest.n${n}.${name}.ratio`, (r * q) / single, 'x', `  signatures/s in attestations ÷ single verify rate (${name})`);
      }
    }
  },
};

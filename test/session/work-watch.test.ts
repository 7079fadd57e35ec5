/**
 * The reference worker's equivocation watch, without a chain: which transactions carry node-key
 * signatures, and when two of them are evidence (same key, domain, subject and epoch, different
 * commit roots, both valid), reported once.
 */
import { expect } from 'chai';
import { MlDsaSigner, sha256, toHex, utf8 } from '../../sdk/chain.js';
import { EquivocationWatch, sessionWorkModule, signAttestation, signedCommitsOf, type SignedCommit } from '../../sdk/session/index.js';

const key = new MlDsaSigner(sha256(utf8('watch/key')));
const other = new MlDsaSigner(sha256(utf8('watch/other')));
const subject = sha256(utf8('request'));
const [rootA, rootB] = [sha256(utf8('a')), sha256(utf8('b'))];

const signed = (k: MlDsaSigner, root: Uint8Array, epoch = 1n): SignedCommit => ({ domain: 'oracle/read', subjectId: subject, epoch, commitRoot: root, ...signAttestation(k, 'oracle/read', subject, root, epoch) });

describe('session work: the equivocation watch', () => {
  it('reads the signatures of submitShare, completeStep and finalizeSession arguments, and nothing else', () => {
    const s = signed(key, rootA);
    const shareJson = sessionWorkModule.methods.submitShare!.args.toJson({ domain: s.domain, subjectId: s.subjectId, commitRoot: s.commitRoot, epoch: s.epoch, publicKey: s.publicKey, signature: s.signature } as never);
    const [fromShare] = signedCommitsOf('submitShare', shareJson);
    expect(toHex(fromShare!.signature)).to.equal(toHex(s.signature));
    const attestation = { domain: 'oracle/read', subjectId: subject, commitRoot: rootA, epoch: 1n, signatures: [key, other].map((k) => signAttestation(k, 'oracle/read', subject, rootA, 1n)) };
    const completeJson = sessionWorkModule.methods.completeStep!.args.toJson({ sessionId: subject, stepIndex: 0, oracleCommitRoot: rootA, outputHash: rootA, nodeId: null, attestation } as never);
    expect(signedCommitsOf('completeStep', completeJson).map((c) => toHex(c.publicKey))).to.deep.equal([key, other].map((k) => toHex(k.publicKey)));
    expect(signedCommitsOf('heartbeat', { nodeId: toHex(subject) })).to.deep.equal([]);
    expect(signedCommitsOf('submitShare', { nonsense: 1 })).to.deep.equal([]);
    expect(signedCommitsOf('submitShare', { ...(shareJson as object), domain: 'oracle/delete' })).to.deep.equal([]);
  });

  it('two valid signatures of one key over different roots are evidence, reported once; anything less is not', () => {
    const w = new EquivocationWatch();
    expect(w.observe(signed(key, rootA))).to.equal(null);
    expect(w.observe(signed(key, rootA))).to.equal(null); // the same root again
    expect(w.observe(signed(other, rootB))).to.equal(null); // another key
    expect(w.observe(signed(key, rootB, 2n))).to.equal(null); // another epoch
    expect(w.observe({ ...signed(key, rootB), signature: signed(key, rootA).signature })).to.equal(null); // not a signature over rootB
    const report = w.observe(signed(key, rootB));
    expect(report).to.not.equal(null);
    expect([toHex(report!.commitRootA), toHex(report!.commitRootB)]).to.deep.equal([toHex(rootA), toHex(rootB)]);
    expect(w.observe(signed(key, sha256(utf8('c'))))).to.equal(null); // reported already
  });

  it('forgets the oldest signatures past its bound', () => {
    const w = new EquivocationWatch(1);
    w.observe(signed(key, rootA));
    w.observe(signed(other, rootA)); // pushes the first out
    expect(w.observe(signed(key, rootB))).to.equal(null);
  });
});

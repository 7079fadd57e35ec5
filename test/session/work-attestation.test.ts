/**
 * Threshold attestations checked on chain, through real transactions (acceptance 3 negatives):
 * below quorum, a signer outside the committee, a duplicate signer, wrong domain / subject / epoch /
 * commit root, a forged signature; CompleteStep on a finalized session; equivocation evidence slashes
 * exactly once. Every refused transaction leaves the session and step as they were.
 */
import { expect } from 'chai';
import { sha256, toHex, utf8, type DevChain } from '../../sdk/chain.js';
import { attestationId, equivocationEvidenceId, merkleRoot, sessionCompleteCommit, signAttestation } from '../../sdk/session/index.js';
import { addNodes, attest, block, byId, fails, ok, ONE, testNode, workChain, type Call, type TestNode } from './work-fixture.js';

interface OpenStep {
  sessionId: Uint8Array;
  requestId: Uint8Array;
  recordsRoot: Uint8Array;
  committee: TestNode[];
  outsider: TestNode;
  epoch: bigint;
}

describe('session work: attestations on chain', function () {
  let chain: DevChain;
  let nodes: TestNode[];
  const owner = () => chain.signer(9, 'secp256k1');

  before(async () => {
    chain = await workChain();
    nodes = [0, 1, 2, 3, 4].map((i) => testNode(i, chain));
    await addNodes(chain, nodes);
  });
  after(async () => chain?.stop());

  /** A session with an open read step whose records (from 3 members) are committed. */
  async function committedStep(label: string): Promise<OpenStep> {
    const sessionId: Uint8Array = await ok(chain, owner(), 'createSession', { serviceId: sha256(utf8(label)) });
    const s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    const committee = s.committee.map((id: Uint8Array) => byId(nodes, id));
    const outsider = nodes.find((n) => !committee.includes(n))!;
    await ok(chain, owner(), 'startSession', { sessionId });
    const requestId: Uint8Array = await ok(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: utf8(label) });
    const req = await chain.call<any>('sessionwork', 'getRequest', { requestId });
    await block(chain, committee.slice(0, 3).map((n: TestNode) => [n.operator, 'submitRecord', { requestId, nodeId: n.id, timestamp: req.createdAt, endpoint: utf8('e'), body: utf8(`${label}-${toHex(n.id)}`), resultCode: 200, externalRef: new Uint8Array(0) }] as Call));
    const recordsRoot: Uint8Array = await ok(chain, committee[0].operator, 'commitRecords', { requestId, nodeId: committee[0].id });
    return { sessionId, requestId, recordsRoot, committee, outsider, epoch: s.epoch };
  }

  const complete = (o: OpenStep, attestation: unknown, root = o.recordsRoot) => ({ sessionId: o.sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash: sha256(utf8('out')), nodeId: null, attestation });

  async function snapshot(o: OpenStep) {
    return JSON.stringify([await chain.call('sessionwork', 'getSession', { sessionId: o.sessionId }), await chain.call('sessionwork', 'getStep', { sessionId: o.sessionId, stepIndex: 0 })], (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? toHex(v) : v));
  }

  it('refuses every malformed attestation with its named error and changes nothing', async () => {
    const o = await committedStep('negatives');
    const before = await snapshot(o);
    const [a, b, c, d] = o.committee;
    const good = (signers: TestNode[]) => attest(signers, 'oracle/read', o.requestId, o.recordsRoot, o.epoch);
    const cases: [string, unknown, Uint8Array?][] = [
      ['BelowQuorum', good([a!, b!])],
      ['SignerNotInCommittee', good([a!, b!, o.outsider])],
      ['DuplicateSigner', good([a!, b!, a!])],
      ['WrongDomain', attest([a!, b!, c!], 'oracle/write', o.requestId, o.recordsRoot, o.epoch)],
      ['WrongSubject', attest([a!, b!, c!], 'oracle/read', sha256(utf8('other request')), o.recordsRoot, o.epoch)],
      ['WrongEpoch', attest([a!, b!, c!], 'oracle/read', o.requestId, o.recordsRoot, o.epoch + 1n)],
      ['WrongCommitRoot', attest([a!, b!, c!], 'oracle/read', o.requestId, sha256(utf8('other root')), o.epoch)],
      ['CommitRootMismatch', attest([a!, b!, c!], 'oracle/read', o.requestId, sha256(utf8('other root')), o.epoch), sha256(utf8('other root'))],
      ['UnknownDomain', { ...good([a!, b!, c!]), domain: 'oracle/delete' }],
    ];
    // a forged signature: d's signature placed under c's key
    const forged = good([a!, b!, c!]);
    forged.signatures[2] = { publicKey: c!.key.publicKey, signature: signAttestation(d!.key, 'oracle/read', o.requestId, o.recordsRoot, o.epoch).signature };
    cases.push(['InvalidAttestationSignature', forged]);
    const receipts = await block(chain, cases.map(([, att, root]) => [owner(), 'completeStep', complete(o, att, root)] as Call));
    expect(receipts.map((r) => r.receipt.error)).to.deep.equal(cases.map(([name]) => name));
    expect(await snapshot(o)).to.equal(before);
    // the same step still completes with a proper quorum afterwards
    await ok(chain, owner(), 'completeStep', complete(o, good([d!, c!, b!])));
  });

  it('a quorum of exactly ⌊67n/100⌋+1 passes and one less fails (committee of 4 → 3)', async () => {
    const o = await committedStep('quorum-edge');
    const [a, b, c] = o.committee;
    await fails(chain, owner(), 'completeStep', complete(o, attest([a!, b!], 'oracle/read', o.requestId, o.recordsRoot, o.epoch)), 'BelowQuorum');
    await ok(chain, owner(), 'completeStep', complete(o, attest([a!, b!, c!], 'oracle/read', o.requestId, o.recordsRoot, o.epoch)));
  });

  it('CompleteStep, FailSession and StartSession on a finalized session fail SessionFinalized (no flip)', async () => {
    const o = await committedStep('finalized');
    const att = attest(o.committee.slice(0, 3), 'oracle/read', o.requestId, o.recordsRoot, o.epoch);
    await ok(chain, owner(), 'completeStep', complete(o, att));
    const output = sha256(utf8('done'));
    const commit: Uint8Array = await ok(chain, owner(), 'requestFinalize', { sessionId: o.sessionId, outputHash: output });
    const oracleRoot = merkleRoot([o.recordsRoot]);
    const receiptsRoot = merkleRoot([]);
    expect(toHex(commit)).to.equal(toHex(sessionCompleteCommit(output, oracleRoot, receiptsRoot)));
    await ok(chain, owner(), 'finalizeSession', { sessionId: o.sessionId, outputHash: output, oracleRoot, receiptsRoot, nodeId: null, attestation: attest(o.committee.slice(1), 'session/complete', o.sessionId, commit, o.epoch) });
    await fails(chain, owner(), 'completeStep', complete(o, att), 'SessionFinalized');
    await fails(chain, owner(), 'failSession', { sessionId: o.sessionId, reason: 'late' }, 'SessionFinalized');
    await fails(chain, owner(), 'startSession', { sessionId: o.sessionId }, 'SessionFinalized');
    await fails(chain, owner(), 'createOracleRequest', { sessionId: o.sessionId, kind: 2, input: new Uint8Array(0) }, 'SessionFinalized');
    expect((await chain.call<any>('sessionwork', 'getSession', { sessionId: o.sessionId })).state).to.equal('finalized');
  });

  it('FinalizeSession checks the proposal, both roots and a session/complete attestation', async () => {
    const o = await committedStep('finalize-checks');
    await ok(chain, owner(), 'completeStep', complete(o, attest(o.committee.slice(0, 3), 'oracle/read', o.requestId, o.recordsRoot, o.epoch)));
    const output = sha256(utf8('result'));
    const oracleRoot = merkleRoot([o.recordsRoot]);
    const receiptsRoot = merkleRoot([]);
    const commit = sessionCompleteCommit(output, oracleRoot, receiptsRoot);
    const att = attest(o.committee.slice(0, 3), 'session/complete', o.sessionId, commit, o.epoch);
    const args = { sessionId: o.sessionId, outputHash: output, oracleRoot, receiptsRoot, nodeId: null, attestation: att };
    await fails(chain, owner(), 'finalizeSession', args, 'FinalizeNotRequested');
    await ok(chain, owner(), 'requestFinalize', { sessionId: o.sessionId, outputHash: output });
    await fails(chain, owner(), 'requestFinalize', { sessionId: o.sessionId, outputHash: output }, 'FinalizationPending');
    await fails(chain, owner(), 'createOracleRequest', { sessionId: o.sessionId, kind: 1, input: new Uint8Array(0) }, 'FinalizationPending');
    await fails(chain, owner(), 'finalizeSession', { ...args, outputHash: sha256(utf8('other')) }, 'OutputMismatch');
    await fails(chain, owner(), 'finalizeSession', { ...args, oracleRoot: sha256(utf8('x')) }, 'OracleRootMismatch');
    await fails(chain, owner(), 'finalizeSession', { ...args, receiptsRoot: sha256(utf8('x')) }, 'ReceiptsRootMismatch');
    await fails(chain, owner(), 'finalizeSession', { ...args, attestation: attest(o.committee.slice(0, 3), 'oracle/read', o.sessionId, commit, o.epoch) }, 'WrongDomain');
    await fails(chain, owner(), 'finalizeSession', { ...args, attestation: attest(o.committee.slice(0, 3), 'session/complete', o.requestId, commit, o.epoch) }, 'WrongSubject');
    await fails(chain, owner(), 'finalizeSession', { ...args, attestation: attest(o.committee.slice(0, 2), 'session/complete', o.sessionId, commit, o.epoch) }, 'BelowQuorum');
    await fails(chain, chain.signer(8, 'secp256k1'), 'finalizeSession', args, 'NotSessionParticipant');
    await ok(chain, o.committee[3]!.operator, 'finalizeSession', { ...args, nodeId: o.committee[3]!.id });
  });

  it('shares are checked like attestations, one per node and subject', async () => {
    const o = await committedStep('shares');
    const [a] = o.committee;
    const share = (n: TestNode, over: Partial<{ domain: string; subjectId: Uint8Array; commitRoot: Uint8Array; epoch: bigint }> = {}) => {
      const f = { domain: 'oracle/read', subjectId: o.requestId, commitRoot: o.recordsRoot, epoch: o.epoch, ...over };
      return { ...f, ...signAttestation(n.key, f.domain as never, f.subjectId, f.commitRoot, f.epoch) };
    };
    await fails(chain, a!.operator, 'submitShare', share(a!, { commitRoot: sha256(utf8('x')) }), 'WrongCommitRoot');
    await fails(chain, a!.operator, 'submitShare', share(a!, { epoch: o.epoch + 1n }), 'WrongEpoch');
    await fails(chain, a!.operator, 'submitShare', share(a!, { domain: 'oracle/write' }), 'WrongDomain');
    await fails(chain, a!.operator, 'submitShare', share(a!, { domain: 'epoch/beacon' }), 'WrongDomain');
    await fails(chain, a!.operator, 'submitShare', { ...share(a!), domain: 'nonsense' }, 'UnknownDomain');
    await fails(chain, a!.operator, 'submitShare', share(o.outsider), 'SignerNotInCommittee');
    await fails(chain, a!.operator, 'submitShare', { ...share(a!), signature: share(o.committee[1]!).signature }, 'InvalidAttestationSignature');
    await fails(chain, a!.operator, 'submitShare', share(a!, { domain: 'session/complete', subjectId: o.sessionId }), 'FinalizeNotRequested');
    expect(await ok(chain, o.outsider.operator, 'submitShare', share(a!))).to.equal(1); // anyone may relay a member's share
    await fails(chain, a!.operator, 'submitShare', share(a!), 'DuplicateSigner');
    expect(await chain.call<any[]>('sessionwork', 'getShares', { subjectId: o.requestId })).to.have.length(1);
  });

  it('equivocation evidence slashes the signer exactly once', async () => {
    const o = await committedStep('equivocation');
    const culprit = o.committee[0]!;
    const reporter = chain.signer(7, 'secp256k1');
    const otherRoot = sha256(utf8('a conflicting root'));
    const sigA = signAttestation(culprit.key, 'oracle/read', o.requestId, o.recordsRoot, o.epoch).signature;
    const sigB = signAttestation(culprit.key, 'oracle/read', o.requestId, otherRoot, o.epoch).signature;
    const evidence = { publicKey: culprit.key.publicKey, domain: 'oracle/read', subjectId: o.requestId, epoch: o.epoch, commitRootA: o.recordsRoot, signatureA: sigA, commitRootB: otherRoot, signatureB: sigB };

    await fails(chain, reporter, 'reportEquivocation', { ...evidence, commitRootB: o.recordsRoot, signatureB: sigA }, 'NotEquivocation');
    await fails(chain, reporter, 'reportEquivocation', { ...evidence, signatureB: sigA }, 'InvalidEvidence');
    await fails(chain, reporter, 'reportEquivocation', { ...evidence, epoch: o.epoch + 1n }, 'InvalidEvidence');
    await fails(chain, reporter, 'reportEquivocation', { ...evidence, domain: 'whatever' }, 'UnknownDomain');
    const stranger = testNode(99, chain).key;
    await fails(chain, reporter, 'reportEquivocation', { ...evidence, publicKey: stranger.publicKey }, 'InvalidEvidence');
    await fails(
      chain,
      reporter,
      'reportEquivocation',
      { ...evidence, publicKey: stranger.publicKey, signatureA: signAttestation(stranger, 'oracle/read', o.requestId, o.recordsRoot, o.epoch).signature, signatureB: signAttestation(stranger, 'oracle/read', o.requestId, otherRoot, o.epoch).signature },
      'NodeNotFound',
    );

    const supply0 = await chain.call<bigint>('lux', 'totalSupply', {});
    const bal0 = await chain.balance(reporter.address);
    const r = await send1(reporter, evidence);
    expect(r.receipt.status, r.receipt.errorMessage).to.equal(1);
    const stake = 1000n * ONE;
    const reward = stake / 10n; // reporterRewardBps = 1000
    const fee = r.receipt.gasUsed * 1_000_000_000n;
    expect(await chain.balance(reporter.address)).to.equal(bal0 + reward - fee);
    expect(await chain.call<bigint>('lux', 'totalSupply', {})).to.equal(supply0 - (stake - reward));
    const node = await chain.call<any>('sessionwork', 'getNode', { nodeId: culprit.id });
    expect(node.status).to.equal('slashed');
    expect(node.stake).to.equal(0n);
    const payloadA = attestationId('oracle/read', o.requestId, o.recordsRoot, o.epoch);
    const payloadB = attestationId('oracle/read', o.requestId, otherRoot, o.epoch);
    expect(node.reason).to.equal(toHex(equivocationEvidenceId(culprit.id, payloadB, payloadA)));
    expect((await chain.call<Uint8Array[]>('sessionwork', 'getActiveNodes', {})).map(toHex)).to.not.include(toHex(culprit.id));
    expect(r.receipt.events.map((e) => e.name)).to.include('NodeSlashed');

    // the same evidence again, the two attestations swapped, or new evidence: no second slash
    const swapped = { ...evidence, commitRootA: otherRoot, signatureA: sigB, commitRootB: o.recordsRoot, signatureB: sigA };
    const third = signAttestation(culprit.key, 'oracle/read', o.requestId, sha256(utf8('third')), o.epoch).signature;
    for (const again of [evidence, swapped, { ...evidence, commitRootB: sha256(utf8('third')), signatureB: third }]) {
      const bal = await chain.balance(reporter.address);
      const supply = await chain.call<bigint>('lux', 'totalSupply', {});
      const rr = await send1(reporter, again);
      expect(rr.receipt.error).to.equal('AlreadySlashed');
      expect(await chain.balance(reporter.address)).to.equal(bal - rr.receipt.gasUsed * 1_000_000_000n);
      expect(await chain.call<bigint>('lux', 'totalSupply', {})).to.equal(supply);
    }

    // a slashed node's signature no longer counts, and it cannot come back
    const [, b, c] = o.committee;
    await fails(chain, owner(), 'completeStep', complete(o, attest([culprit, b!, c!], 'oracle/read', o.requestId, o.recordsRoot, o.epoch)), 'SignerSlashed');
    await fails(chain, culprit.operator, 'activateNode', { nodeId: culprit.id }, 'NodeSlashed');
    await fails(chain, culprit.operator, 'exitNode', { nodeId: culprit.id }, 'NodeSlashed');
  });

  async function send1(signer: ReturnType<DevChain['signer']>, args: Record<string, unknown>) {
    return (await block(chain, [[signer, 'reportEquivocation', args]]))[0]!;
  }
});

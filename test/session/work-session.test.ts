/**
 * A whole workload session through real transactions on an in-process dev chain: create → start →
 * oracle read → records → commit → shares → attested CompleteStep → receipts → finalize with a
 * session/complete attestation. Ports TestE2E_FullSessionLifecycle and
 * TestSessionManager_SessionLifecycle.
 */
import { expect } from 'chai';
import { addressBytes, sha256, toHex, utf8, type DevChain } from '../../sdk/chain.js';
import {
  assignCommittee,
  attestationId,
  computeOracleRequestId,
  computeSessionId,
  decodeSession,
  decodeStep,
  merkleRoot,
  oracleRecordLeaf,
  oracleRecordsRoot,
  quorumSize,
  receiptId,
  sessionCompleteCommit,
  signAttestation,
  verifyMerkleProof,
  SessionState,
  StepState,
} from '../../sdk/session/index.js';
import { addNodes, block, byId, headRoot, ok, testNode, workChain, type Call, type TestNode } from './work-fixture.js';

describe('session work: a full workload session on chain', function () {
  let chain: DevChain;
  after(async () => chain?.stop());

  it('TestE2E_FullSessionLifecycle + TestSessionManager_SessionLifecycle: create → start → read (waiting_io) → records → commit → attested CompleteStep (running) → receipts → finalize, roots stored', async () => {
    chain = await workChain();
    const nodes: TestNode[] = [0, 1, 2, 3, 4].map((i) => testNode(i, chain));
    await addNodes(chain, nodes);
    const owner = chain.signer(9, 'secp256k1');
    const serviceId = sha256(utf8('weather-service'));

    // create: committee of 4 out of 5 active nodes, assigned from the epoch-0 beacon
    const created = (await block(chain, [[owner, 'createSession', { serviceId }]]))[0]!;
    expect(created.receipt.status).to.equal(1);
    const sessionId: Uint8Array = created.result;
    const beacon = await chain.call<{ epoch: bigint; randomness: Uint8Array }>('sessionwork', 'getBeacon', { epoch: null });
    expect(beacon.epoch).to.equal(0n);
    expect(toHex(sessionId)).to.equal(toHex(computeSessionId(serviceId, 0n, created.hash)));
    const active = await chain.call<Uint8Array[]>('sessionwork', 'getActiveNodes', {});
    const expectedCommittee = assignCommittee(beacon.randomness, serviceId, 0n, active, { min: 3, max: 4 });
    let s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    expect(s.committee.map(toHex)).to.deep.equal(expectedCommittee.map(toHex));
    expect(s.state).to.equal('pending');
    expect(s.quorum).to.equal(quorumSize(4));
    const committee = s.committee.map((id: Uint8Array) => byId(nodes, id));

    await ok(chain, owner, 'startSession', { sessionId });
    expect((await chain.call<any>('sessionwork', 'getSession', { sessionId })).state).to.equal('running');

    // oracle read: the request ID is the spec's, the session waits for I/O
    const input = utf8(JSON.stringify({ method: 'GET', url: 'https://api.example/weather' }));
    const req = (await block(chain, [[owner, 'createOracleRequest', { sessionId, kind: 2, input }]]))[0]!;
    const requestId: Uint8Array = req.result;
    expect(toHex(requestId)).to.equal(toHex(computeOracleRequestId(serviceId, sessionId, 0, 0, req.hash)));
    s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    expect(s.state).to.equal('waiting_io');
    const pending = await chain.call<any[]>('sessionwork', 'getPendingRequests', { sessionId: null, nodeId: committee[0].id });
    expect(pending.map((p) => toHex(p.requestId))).to.deep.equal([toHex(requestId)]);
    expect(Buffer.from(pending[0].input).toString()).to.contain('weather');

    // records from every committee member (one block)
    const createdAt: bigint = pending[0].createdAt;
    const bodies = committee.map((_: TestNode, i: number) => utf8(`{"tempC":${20 + (i % 2)}}`));
    const recs = await block(
      chain,
      committee.map((n: TestNode, i: number) => [n.operator, 'submitRecord', { requestId, nodeId: n.id, timestamp: createdAt + BigInt(i), endpoint: utf8('GET https://api.example/weather'), body: bodies[i], resultCode: 200, externalRef: new Uint8Array(0) }] as Call),
    );
    for (const r of recs) expect(r.receipt.status, r.receipt.errorMessage).to.equal(1);

    // commit: the tree (b) root over the records in arrival order, recomputed here from the inputs
    const expectedRecords = committee.map((n: TestNode, i: number) => ({ requestId, executor: addressBytes(n.operator.address), timestamp: createdAt + BigInt(i), endpoint: 'GET https://api.example/weather', bodyHash: sha256(bodies[i]!), resultCode: 200, externalRef: '' }));
    const recordsRoot: Uint8Array = await ok(chain, committee[1].operator, 'commitRecords', { requestId, nodeId: committee[1].id });
    expect(toHex(recordsRoot)).to.equal(toHex(oracleRecordsRoot(expectedRecords)));
    const stored = await chain.call<any>('sessionwork', 'getRequest', { requestId });
    expect(toHex(stored.dataRoot)).to.equal(toHex(merkleRoot(bodies.map((b: Uint8Array) => sha256(b)))));
    expect([stored.windowStart, stored.windowEnd]).to.deep.equal([createdAt, createdAt + 3n]);
    const proof = await chain.call<any>('sessionwork', 'getRecordProof', { requestId, index: 2 });
    expect(verifyMerkleProof(oracleRecordLeaf(expectedRecords[2]), proof.recordsProof, recordsRoot)).to.equal(true);
    expect(verifyMerkleProof(sha256(bodies[2]!), proof.dataProof, stored.dataRoot)).to.equal(true);

    // shares from a quorum (3 of 4), then the attestation assembled from chain state
    const quorum = committee.slice(0, 3);
    const shares = await block(chain, quorum.map((n: TestNode) => [n.operator, 'submitShare', { ...signAttestation(n.key, 'oracle/read', requestId, recordsRoot, 0n), domain: 'oracle/read', subjectId: requestId, commitRoot: recordsRoot, epoch: 0n }] as Call));
    expect(shares.map((r) => r.result)).to.deep.equal([1, 2, 3]);
    const collected = await chain.call<any[]>('sessionwork', 'getShares', { subjectId: requestId });
    const outputHash = sha256(utf8('tempC=20'));
    const attId: Uint8Array = await ok(chain, committee[0].operator, 'completeStep', {
      sessionId,
      stepIndex: 0,
      oracleCommitRoot: recordsRoot,
      outputHash,
      nodeId: committee[0].id,
      attestation: { domain: 'oracle/read', subjectId: requestId, commitRoot: recordsRoot, epoch: 0n, signatures: collected.map((c) => ({ publicKey: c.publicKey, signature: c.signature })) },
    });
    expect(toHex(attId)).to.equal(toHex(attestationId('oracle/read', requestId, recordsRoot, 0n)));
    s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    expect(s.state).to.equal('running');
    const step = await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 });
    expect(step.state).to.equal('completed');
    expect(toHex(step.oracleCommitRoot)).to.equal(toHex(recordsRoot));
    expect(toHex(step.attestationId)).to.equal(toHex(attId));
    const s1step = decodeStep(step.encoded);
    expect([s1step.state, toHex(s1step.requestId), toHex(s1step.outputHash)]).to.deep.equal([StepState.completed, toHex(requestId), toHex(outputHash)]);
    expect(await chain.call<any[]>('sessionwork', 'getPendingRequests', { sessionId: null, nodeId: null })).to.deep.equal([]);
    const att = await chain.call<any>('sessionwork', 'getAttestation', { attestationId: attId });
    expect(att.signers.map(toHex)).to.deep.equal(quorum.map((n: TestNode) => toHex(n.id)));

    // delivery receipts (one block): the block header's sessionReceipts root covers them
    const msgs = [sha256(utf8('m1')), sha256(utf8('m2'))];
    const alice = sha256(utf8('alice'));
    const bob = sha256(utf8('bob'));
    const rc = await block(chain, msgs.map((m) => [committee[2].operator, 'submitReceipt', { sessionId, nodeId: committee[2].id, stepIndex: 0, messageHash: m, senderId: alice, receiverId: bob }] as Call));
    const receiptIds = msgs.map((m) => receiptId(sessionId, 0, m, alice, bob));
    expect(rc.map((r) => toHex(r.result))).to.deep.equal(receiptIds.map(toHex));
    expect(toHex((await headRoot(chain, 'sessionReceipts'))!)).to.equal(toHex(merkleRoot(receiptIds)));
    const rp = await chain.call<any>('sessionwork', 'getReceiptProof', { sessionId, index: 1 });
    expect(verifyMerkleProof(receiptIds[1]!, rp.proof, merkleRoot(receiptIds))).to.equal(true);

    // finalize: owner proposes the output, a quorum signs session/complete, anyone on the session submits
    const final = sha256(utf8('final output'));
    const commit: Uint8Array = await ok(chain, owner, 'requestFinalize', { sessionId, outputHash: final });
    const oracleRoot = merkleRoot([recordsRoot]);
    const receiptsRoot = merkleRoot(receiptIds);
    expect(toHex(commit)).to.equal(toHex(sessionCompleteCommit(final, oracleRoot, receiptsRoot)));
    const fin = await chain.call<any[]>('sessionwork', 'getPendingFinalizations', { nodeId: committee[3].id });
    expect(fin.map((f) => toHex(f.commitRoot))).to.deep.equal([toHex(commit)]);
    const signers = committee.slice(1, 4);
    const finAtt = { domain: 'session/complete', subjectId: sessionId, commitRoot: commit, epoch: 0n, signatures: signers.map((n: TestNode) => signAttestation(n.key, 'session/complete', sessionId, commit, 0n)) };
    await ok(chain, owner, 'finalizeSession', { sessionId, outputHash: final, oracleRoot, receiptsRoot, nodeId: null, attestation: finAtt });

    s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    expect(s.state).to.equal('finalized');
    expect([toHex(s.outputHash), toHex(s.oracleRoot), toHex(s.receiptsRoot)]).to.deep.equal([final, oracleRoot, receiptsRoot].map(toHex));
    const s1 = decodeSession(s.encoded);
    expect(s1.state).to.equal(SessionState.finalized);
    expect(toHex(s1.receiptsRoot)).to.equal(toHex(receiptsRoot));
    expect(s1.finalizedAt > 0n).to.equal(true);
    expect(await chain.call<any[]>('sessionwork', 'getPendingFinalizations', { nodeId: null })).to.deep.equal([]);
  });
});

/**
 * Rules 2 (issue 13, acceptance 1): the attested outputs. A step's output is the body hash a quorum
 * of the committee's records carry, fixed at commit; the session output is the tree (a) root over
 * the steps' outputs. The forged-output case — the owner, not a committee member, assembling the
 * committee's shares from state and completing the step with a made-up output — and the same with
 * the final session output are refused with named errors and change nothing; an honest run completes
 * with the attested values; a follower replays the history to the same roots.
 */
import { expect } from 'chai';
import { concat, importBlock, sha256, toHex, utf8, type DevChain } from '../../sdk/chain.js';
import { startNode } from '../../genesis/index.js';
import { agreedOutput, merkleRoot, parseWorkParams, sessionCompleteCommit, sessionOutput, signAttestation, WORK_RULES } from '../../sdk/session/index.js';
import { addNodes, attest, block, byId, fails, ok, testNode, workChain, type Call, type TestNode } from './work-fixture.js';

describe('session work, rules 2: attested outputs', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let nodes: TestNode[];
  const owner = () => chain.signer(9, 'secp256k1');
  const get = (q: string, args: Record<string, unknown>) => chain.call<any>('sessionwork', q, args);

  before(async () => {
    chain = await workChain({ version: WORK_RULES.attestedOutputs });
    nodes = [0, 1, 2, 3, 4].map((i) => testNode(i, chain));
    await addNodes(chain, nodes);
  });
  after(async () => chain?.stop());

  interface Step {
    sessionId: Uint8Array;
    requestId: Uint8Array;
    committee: TestNode[];
    epoch: bigint;
  }

  async function session(label: string): Promise<Omit<Step, 'requestId'>> {
    const sessionId: Uint8Array = await ok(chain, owner(), 'createSession', { serviceId: sha256(utf8(label)) });
    const s = await get('getSession', { sessionId });
    await ok(chain, owner(), 'startSession', { sessionId });
    return { sessionId, committee: s.committee.map((id: Uint8Array) => byId(nodes, id)), epoch: s.epoch };
  }

  async function request(s: Omit<Step, 'requestId'>, input: string): Promise<Step> {
    const requestId: Uint8Array = await ok(chain, owner(), 'createOracleRequest', { sessionId: s.sessionId, kind: 2, input: utf8(input) });
    return { ...s, requestId };
  }

  /** Records of `bodies` by the first members (one block). */
  async function records(o: Step, bodies: string[], from = 0) {
    const req = await get('getRequest', { requestId: o.requestId });
    const rs = await block(chain, bodies.map((b, i) => [o.committee[from + i]!.operator, 'submitRecord', { requestId: o.requestId, nodeId: o.committee[from + i]!.id, timestamp: req.createdAt, endpoint: utf8('GET https://api.example/x'), body: utf8(b), resultCode: 200, externalRef: new Uint8Array(0) }] as Call));
    for (const r of rs) expect(r.receipt.status, r.receipt.errorMessage).to.equal(1);
  }

  /** Shares of the first three members over the committed records root (one block), read back from state. */
  async function shares(o: Step, root: Uint8Array) {
    const signers = o.committee.slice(0, 3);
    await block(chain, signers.map((n) => [n.operator, 'submitShare', { domain: 'oracle/read', subjectId: o.requestId, commitRoot: root, epoch: o.epoch, ...signAttestation(n.key, 'oracle/read', o.requestId, root, o.epoch) }] as Call));
    const collected = await get('getShares', { subjectId: o.requestId });
    return { domain: 'oracle/read', subjectId: o.requestId, commitRoot: root, epoch: o.epoch, signatures: collected.map((c: any) => ({ publicKey: c.publicKey, signature: c.signature })) };
  }

  const snapshot = async (o: Step) =>
    JSON.stringify([await get('getSession', { sessionId: o.sessionId }), await get('getStep', { sessionId: o.sessionId, stepIndex: 0 })], (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? toHex(v) : v));

  it('the parameter: absent means rules 1, 1 and 2 are accepted, nothing else', () => {
    expect(parseWorkParams({}).version).to.equal(WORK_RULES.original);
    expect(parseWorkParams({ version: 2 }).version).to.equal(WORK_RULES.attestedOutputs);
    expect(() => parseWorkParams({ version: 3 })).to.throw(/version must be between 1 and 2/);
    expect(() => parseWorkParams({ version: 0 })).to.throw(/version/);
  });

  it('agreedOutput needs a quorum of the committee on one body hash; sessionOutput is the tree (a) root', () => {
    const [a, b] = [sha256(utf8('a')), sha256(utf8('b'))];
    expect(agreedOutput([a, b, a], 4)).to.equal(null); // quorum of 4 is 3
    expect(toHex(agreedOutput([b, a, a, a], 4)!.outputHash)).to.equal(toHex(a));
    expect(agreedOutput([b, a, a, a], 4)!.votes).to.equal(3);
    expect(agreedOutput([], 3)).to.equal(null);
    expect(toHex(sessionOutput([a]))).to.equal(toHex(a));
    expect(toHex(sessionOutput([a, b]))).to.equal(toHex(sha256(concat(a, b)))); // tree (a): sha256(left ‖ right), leaves not rehashed
    expect(toHex(sessionOutput([a, b, a]))).to.not.equal(toHex(sessionOutput([a, a, b]))); // step order counts
  });

  it('records that agree on no output cannot be committed (NoAgreedOutput, nothing changes); one more agreeing record lets them', async () => {
    const o = await request(await session('disagree'), 'q');
    await records(o, ['x', 'y', 'x']);
    const before = await snapshot(o);
    await fails(chain, o.committee[0]!.operator, 'commitRecords', { requestId: o.requestId, nodeId: o.committee[0]!.id }, 'NoAgreedOutput');
    expect(await snapshot(o)).to.equal(before);
    expect((await get('getRequest', { requestId: o.requestId })).attestedOutput).to.equal(null);
    await records(o, ['x'], 3);
    const r = (await block(chain, [[o.committee[0]!.operator, 'commitRecords', { requestId: o.requestId, nodeId: o.committee[0]!.id }]]))[0]!;
    expect(r.receipt.status, r.receipt.errorMessage).to.equal(1);
    const agreed = r.receipt.events.find((e) => e.name === 'OutputAgreed');
    expect(agreed).to.not.equal(undefined);
    expect(toHex((await get('getRequest', { requestId: o.requestId })).attestedOutput)).to.equal(toHex(sha256(utf8('x'))));
  });

  it('acceptance 1: a made-up step output, with the committee\'s own shares, is refused (OutputNotAttested) whoever submits it; the attested one completes', async () => {
    const o = await request(await session('forged-step'), 'temperature?');
    await records(o, ['tempC=20', 'tempC=20', 'tempC=20']);
    const root: Uint8Array = await ok(chain, o.committee[0]!.operator, 'commitRecords', { requestId: o.requestId, nodeId: o.committee[0]!.id });
    const attestation = await shares(o, root);
    const before = await snapshot(o);
    const forged = sha256(utf8('a made-up output no record has'));
    const complete = (outputHash: Uint8Array, nodeId: Uint8Array | null) => ({ sessionId: o.sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash, nodeId, attestation });
    const e1 = await fails(chain, owner(), 'completeStep', complete(forged, null), 'OutputNotAttested');
    expect(e1.errorMessage).to.contain(toHex(sha256(utf8('tempC=20'))));
    await fails(chain, o.committee[1]!.operator, 'completeStep', complete(forged, o.committee[1]!.id), 'OutputNotAttested');
    expect(await snapshot(o)).to.equal(before);

    const attested = sha256(utf8('tempC=20'));
    await ok(chain, owner(), 'completeStep', complete(attested, null));
    const step = await get('getStep', { sessionId: o.sessionId, stepIndex: 0 });
    expect([step.state, toHex(step.outputHash)]).to.deep.equal(['completed', toHex(attested)]);
    expect(toHex(step.request.attestedOutput)).to.equal(toHex(attested));
  });

  it('acceptance 1, final output: a made-up session output is refused at the proposal (OutputNotAttested) and at finalization (OutputMismatch); the attested one finalizes', async () => {
    const s = await session('forged-final');
    const outputs: Uint8Array[] = [];
    const roots: Uint8Array[] = [];
    for (const [i, body] of ['first answer', 'second answer'].entries()) {
      const o = await request(s, `step ${i}`);
      await records(o, [body, body, body]);
      const root: Uint8Array = await ok(chain, o.committee[0]!.operator, 'commitRecords', { requestId: o.requestId, nodeId: o.committee[0]!.id });
      await ok(chain, owner(), 'completeStep', { sessionId: s.sessionId, stepIndex: i, oracleCommitRoot: root, outputHash: sha256(utf8(body)), nodeId: null, attestation: attest(o.committee.slice(1), 'oracle/read', o.requestId, root, o.epoch) });
      outputs.push(sha256(utf8(body)));
      roots.push(root);
    }
    const expected = merkleRoot(outputs);
    expect(toHex(await get('getSessionOutput', { sessionId: s.sessionId }))).to.equal(toHex(expected));
    const madeUp = sha256(utf8('made-up session output'));
    const e = await fails(chain, owner(), 'requestFinalize', { sessionId: s.sessionId, outputHash: madeUp }, 'OutputNotAttested');
    expect(e.errorMessage).to.contain(toHex(expected));
    await fails(chain, owner(), 'requestFinalize', { sessionId: s.sessionId, outputHash: outputs[1]! }, 'OutputNotAttested'); // the last step's output alone is not it

    const commit: Uint8Array = await ok(chain, owner(), 'requestFinalize', { sessionId: s.sessionId, outputHash: expected });
    const oracleRoot = merkleRoot(roots);
    const receiptsRoot = merkleRoot([]);
    expect(toHex(commit)).to.equal(toHex(sessionCompleteCommit(expected, oracleRoot, receiptsRoot)));
    // the owner holding the committee's signatures over a made-up commitment still cannot use them
    const forgedCommit = sessionCompleteCommit(madeUp, oracleRoot, receiptsRoot);
    await fails(chain, owner(), 'finalizeSession', { sessionId: s.sessionId, outputHash: madeUp, oracleRoot, receiptsRoot, nodeId: null, attestation: attest(s.committee.slice(0, 3), 'session/complete', s.sessionId, forgedCommit, s.epoch) }, 'OutputMismatch');
    await ok(chain, owner(), 'finalizeSession', { sessionId: s.sessionId, outputHash: expected, oracleRoot, receiptsRoot, nodeId: null, attestation: attest(s.committee.slice(0, 3), 'session/complete', s.sessionId, commit, s.epoch) });
    const done = await get('getSession', { sessionId: s.sessionId });
    expect([done.state, toHex(done.outputHash)]).to.deep.equal(['finalized', toHex(expected)]);
  });

  it('the same forged calls succeed under rules 1 (the original rules stay in force for old chains)', async () => {
    const legacy = await workChain({ version: WORK_RULES.original });
    try {
      const ns = [0, 1, 2, 3, 4].map((i) => testNode(i, legacy));
      await addNodes(legacy, ns);
      const o = legacy.signer(9, 'secp256k1');
      const sessionId: Uint8Array = (await block(legacy, [[o, 'createSession', { serviceId: sha256(utf8('legacy')) }]]))[0]!.result;
      const s = await legacy.call<any>('sessionwork', 'getSession', { sessionId });
      const committee = s.committee.map((id: Uint8Array) => byId(ns, id));
      await block(legacy, [[o, 'startSession', { sessionId }]]);
      const requestId: Uint8Array = (await block(legacy, [[o, 'createOracleRequest', { sessionId, kind: 2, input: utf8('q') }]]))[0]!.result;
      const req = await legacy.call<any>('sessionwork', 'getRequest', { requestId });
      await block(legacy, committee.slice(0, 3).map((n: TestNode, i: number) => [n.operator, 'submitRecord', { requestId, nodeId: n.id, timestamp: req.createdAt, endpoint: utf8('e'), body: utf8(`body ${i}`), resultCode: 200, externalRef: new Uint8Array(0) }] as Call));
      const root: Uint8Array = (await block(legacy, [[committee[0].operator, 'commitRecords', { requestId, nodeId: committee[0].id }]]))[0]!.result;
      const forged = sha256(utf8('made up'));
      const [done] = await block(legacy, [[o, 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash: forged, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/read', requestId, root, s.epoch) }]]);
      expect(done!.receipt.status, done!.receipt.errorMessage).to.equal(1);
      expect(await legacy.call('sessionwork', 'params')).to.include({ version: 1 });
    } finally {
      await legacy.stop();
    }
  });

  it('a follower replays the rules-2 history to the same roots', async () => {
    const f = await startNode({ memory: true, genesis: chain.node.chain.genesis, produce: false });
    try {
      for (let h = 1n; h <= chain.node.chain.head.height; h++) await importBlock(f.chain, f.verifier, (await chain.node.chain.getBlock(h))!);
      expect(toHex(f.head().stateRoot)).to.equal(toHex(chain.node.head().stateRoot));
    } finally {
      await f.stop();
    }
  });
});

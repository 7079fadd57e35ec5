/**
 * Session and step rules through real transactions: one open step at a time, owner-only
 * operations, committee-only records, record and commit checks, receipts, FailSession clearing
 * pending requests (S2 TestSessionManager_FailSession), and timeouts at block height with bounded
 * work per block, retries with a new request ID.
 */
import { expect } from 'chai';
import { sha256, toHex, utf8, type DevChain } from '../../sdk/chain.js';
import { attestationId, computeOracleRequestId } from '../../sdk/session/index.js';
import { addNodes, attest, block, byId, fails, ok, send, testNode, workChain, type Call, type TestNode } from './work-fixture.js';

describe('session work: session and step rules', function () {
  let chain: DevChain;
  let nodes: TestNode[];
  const owner = () => chain.signer(9, 'secp256k1');
  const stranger = () => chain.signer(8, 'secp256k1');

  before(async () => {
    chain = await workChain({ maxInputBytes: 64, maxBodyBytes: 32, maxStepsPerSession: 2, maxReceiptsPerSession: 1 });
    nodes = [0, 1, 2, 3, 4].map((i) => testNode(i, chain));
    await addNodes(chain, nodes);
  });
  after(async () => chain?.stop());

  async function newSession(label: string, start = true) {
    const sessionId: Uint8Array = await ok(chain, owner(), 'createSession', { serviceId: sha256(utf8(label)) });
    const s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    const committee: TestNode[] = s.committee.map((id: Uint8Array) => byId(nodes, id));
    const outsider = nodes.find((n) => !committee.includes(n))!;
    if (start) await ok(chain, owner(), 'startSession', { sessionId });
    return { sessionId, committee, outsider, epoch: s.epoch as bigint };
  }
  const record = (requestId: Uint8Array, n: TestNode, timestamp: bigint, body = utf8('ok')) => ({ requestId, nodeId: n.id, timestamp, endpoint: utf8('e'), body, resultCode: 200, externalRef: new Uint8Array(0) });

  it('enforces the session state machine and who may act', async () => {
    const { sessionId } = await newSession('states', false);
    await fails(chain, owner(), 'startSession', { sessionId: sha256(utf8('nope')) }, 'SessionNotFound');
    await fails(chain, stranger(), 'startSession', { sessionId }, 'NotSessionOwner');
    await fails(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: new Uint8Array(0) }, 'InvalidSessionState');
    await ok(chain, owner(), 'startSession', { sessionId });
    await fails(chain, owner(), 'startSession', { sessionId }, 'InvalidSessionState');
    await fails(chain, owner(), 'createOracleRequest', { sessionId, kind: 0, input: new Uint8Array(0) }, 'InvalidStepKind');
    await fails(chain, owner(), 'createOracleRequest', { sessionId, kind: 3, input: new Uint8Array(0) }, 'InvalidStepKind');
    await fails(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: new Uint8Array(65) }, 'InputTooLarge');
    await fails(chain, stranger(), 'createOracleRequest', { sessionId, kind: 2, input: new Uint8Array(0) }, 'NotSessionOwner');
    await fails(chain, stranger(), 'failSession', { sessionId, reason: 'no' }, 'NotSessionOwner');
    await fails(chain, owner(), 'requestFinalize', { sessionId: sha256(utf8('nope')), outputHash: sha256(utf8('o')) }, 'SessionNotFound');
  });

  it('allows one open oracle step at a time (the second fails StepAlreadyOpen)', async () => {
    const { sessionId, committee, epoch } = await newSession('one-open');
    const requestId: Uint8Array = await ok(chain, owner(), 'createOracleRequest', { sessionId, kind: 1, input: utf8('write x') });
    await fails(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: utf8('read y') }, 'StepAlreadyOpen');
    await fails(chain, owner(), 'requestFinalize', { sessionId, outputHash: sha256(utf8('o')) }, 'StepAlreadyOpen');
    const s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    expect([s.stepCount, s.state]).to.deep.equal([1, 'waiting_io']);
    // once the write step completes, the next step opens; the step limit (2) then applies
    const req = await chain.call<any>('sessionwork', 'getRequest', { requestId });
    await ok(chain, committee[0]!.operator, 'submitRecord', record(requestId, committee[0]!, req.createdAt));
    const root: Uint8Array = await ok(chain, committee[0]!.operator, 'commitRecords', { requestId, nodeId: committee[0]!.id });
    await fails(chain, owner(), 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash: root, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/read', requestId, root, epoch) }, 'WrongDomain');
    await ok(chain, owner(), 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash: root, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/write', requestId, root, epoch) });
    await ok(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: utf8('read y') });
    const s2 = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    expect([s2.stepCount, s2.currentStep, s2.state]).to.deep.equal([2, 1, 'waiting_io']);
    await fails(chain, owner(), 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash: root, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/write', requestId, root, epoch) }, 'StepNotOpen');
    await fails(chain, owner(), 'completeStep', { sessionId, stepIndex: 5, oracleCommitRoot: root, outputHash: root, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/write', requestId, root, epoch) }, 'StepNotFound');
    // complete step 1 too: the session is running again, but maxStepsPerSession (2) is reached
    const second = (await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 1 })).request;
    await ok(chain, committee[1]!.operator, 'submitRecord', record(second.requestId, committee[1]!, second.createdAt));
    const root2: Uint8Array = await ok(chain, committee[1]!.operator, 'commitRecords', { requestId: second.requestId, nodeId: committee[1]!.id });
    await ok(chain, owner(), 'completeStep', { sessionId, stepIndex: 1, oracleCommitRoot: root2, outputHash: root2, nodeId: null, attestation: attest(committee.slice(1, 4), 'oracle/read', second.requestId, root2, epoch) });
    await fails(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: new Uint8Array(0) }, 'TooManySteps');
  });

  it('queries name what is missing', async () => {
    const missing = async (q: string, args: Record<string, unknown>) => {
      try {
        await chain.call('sessionwork', q, args);
      } catch (e) {
        return (e as Error).name;
      }
      return 'no error';
    };
    expect(await missing('getSession', { sessionId: sha256(utf8('none')) })).to.equal('SessionNotFound');
    expect(await missing('getRequest', { requestId: sha256(utf8('none')) })).to.equal('RequestNotFound');
    expect(await missing('getNode', { nodeId: sha256(utf8('none')) })).to.equal('NodeNotFound');
    expect(await missing('getAttestation', { attestationId: sha256(utf8('none')) })).to.equal('AttestationNotFound');
    expect(await missing('getBeacon', { epoch: 99n })).to.equal('EpochNotFound');
    expect((await chain.call<any>('sessionwork', 'getBeacon', { epoch: 0n })).epoch).to.equal(0n);
  });

  it('checks records and commits: members only, once each, in the time window, within limits', async () => {
    const { sessionId, committee, outsider } = await newSession('records');
    const requestId: Uint8Array = await ok(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: utf8('GET /price') });
    const { createdAt } = await chain.call<any>('sessionwork', 'getRequest', { requestId });
    const [a, b, c] = committee;
    await fails(chain, a!.operator, 'commitRecords', { requestId, nodeId: a!.id }, 'NoRecords');
    await fails(chain, a!.operator, 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: requestId, outputHash: requestId, nodeId: a!.id, attestation: attest([a!, b!, c!], 'oracle/read', requestId, requestId, 0n) }, 'StepNotCommitted');
    await fails(chain, outsider.operator, 'submitRecord', record(requestId, outsider, createdAt), 'NotCommitteeMember');
    await fails(chain, b!.operator === a!.operator ? stranger() : b!.operator, 'submitRecord', record(requestId, a!, createdAt), 'NotNodeOperator');
    await fails(chain, a!.operator, 'submitRecord', record(sha256(utf8('no such request')), a!, createdAt), 'RequestNotFound');
    await fails(chain, a!.operator, 'submitRecord', record(requestId, a!, createdAt - 1n), 'RecordTimestampOutOfRange');
    await fails(chain, a!.operator, 'submitRecord', record(requestId, a!, createdAt + 10n ** 9n), 'RecordTimestampOutOfRange');
    await fails(chain, a!.operator, 'submitRecord', record(requestId, a!, createdAt, new Uint8Array(33)), 'BodyTooLarge');
    await ok(chain, a!.operator, 'submitRecord', record(requestId, a!, createdAt));
    await fails(chain, a!.operator, 'submitRecord', record(requestId, a!, createdAt), 'DuplicateRecord');
    expect((await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 })).state).to.equal('executing');
    // a suspended member can no longer act for the session
    await ok(chain, c!.operator, 'suspendNode', { nodeId: c!.id, reason: 'upgrade' });
    await fails(chain, c!.operator, 'submitRecord', record(requestId, c!, createdAt), 'NodeNotActive');
    await ok(chain, c!.operator, 'activateNode', { nodeId: c!.id });
    await ok(chain, b!.operator, 'submitRecord', record(requestId, b!, createdAt));
    await ok(chain, b!.operator, 'commitRecords', { requestId, nodeId: b!.id });
    expect((await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 })).state).to.equal('waiting');
    await fails(chain, b!.operator, 'commitRecords', { requestId, nodeId: b!.id }, 'RecordsAlreadyCommitted');
    await fails(chain, c!.operator, 'submitRecord', record(requestId, c!, createdAt), 'RecordsAlreadyCommitted');
    const recs = await chain.call<any[]>('sessionwork', 'getRecords', { requestId });
    expect(recs.map((r) => toHex(r.nodeId))).to.deep.equal([a!, b!].map((n) => toHex(n.id)));
    expect(Buffer.from(recs[0].body).toString()).to.equal('ok');
  });

  it('records delivery receipts once, by committee members, up to the limit', async () => {
    const { sessionId, committee, outsider } = await newSession('receipts');
    const rc = (n: TestNode, stepIndex: number, m: string) => ({ sessionId, nodeId: n.id, stepIndex, messageHash: sha256(utf8(m)), senderId: sha256(utf8('s')), receiverId: sha256(utf8('r')) });
    await fails(chain, committee[0]!.operator, 'submitReceipt', rc(committee[0]!, 0, 'm'), 'StepNotFound');
    await ok(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: new Uint8Array(0) });
    await fails(chain, outsider.operator, 'submitReceipt', rc(outsider, 0, 'm'), 'NotCommitteeMember');
    await ok(chain, committee[0]!.operator, 'submitReceipt', rc(committee[0]!, 0, 'm'));
    await fails(chain, committee[1]!.operator, 'submitReceipt', rc(committee[1]!, 0, 'm'), 'DuplicateReceipt');
    await fails(chain, committee[1]!.operator, 'submitReceipt', rc(committee[1]!, 0, 'm2'), 'TooManyReceipts');
    expect((await chain.call<any[]>('sessionwork', 'getReceipts', { sessionId })).length).to.equal(1);
  });

  it('TestSessionManager_FailSession: failing a session clears its pending requests', async () => {
    const { sessionId, committee } = await newSession('fail');
    const requestId: Uint8Array = await ok(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: new Uint8Array(0) });
    expect((await chain.call<any[]>('sessionwork', 'getPendingRequests', { sessionId, nodeId: null })).length).to.equal(1);
    await ok(chain, owner(), 'failSession', { sessionId, reason: 'client cancelled' });
    expect(await chain.call<any[]>('sessionwork', 'getPendingRequests', { sessionId, nodeId: null })).to.deep.equal([]);
    const s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    expect([s.state, s.error]).to.deep.equal(['failed', 'client cancelled']);
    await fails(chain, owner(), 'failSession', { sessionId, reason: 'again' }, 'SessionFailed');
    await fails(chain, committee[0]!.operator, 'submitRecord', record(requestId, committee[0]!, 0n), 'SessionFailed');
  });

  it('NotEnoughNodes when fewer active nodes than committeeMin', async () => {
    const small = await workChain({ committeeMin: 3 });
    try {
      await addNodes(small, [testNode(0, small), testNode(1, small)]);
      const r = await send(small, small.signer(9, 'secp256k1'), 'createSession', { serviceId: sha256(utf8('x')) });
      expect(r.receipt.error).to.equal('NotEnoughNodes');
      expect(r.receipt.errorMessage).to.match(/not enough eligible nodes/);
    } finally {
      await small.stop();
    }
  });
});

describe('session work: timeouts at block height', function () {
  let chain: DevChain;
  let nodes: TestNode[];
  const owner = () => chain.signer(9, 'secp256k1');

  before(async () => {
    chain = await workChain({ stepTimeoutBlocks: 5, sessionTimeoutBlocks: 30, maxExpiriesPerBlock: 2 });
    nodes = [0, 1, 2, 3].map((i) => testNode(i, chain));
    await addNodes(chain, nodes);
  });
  after(async () => chain?.stop());

  it('a stuck step fails at its deadline and is retried with a new request ID (retry + 1)', async () => {
    const serviceId = sha256(utf8('retry'));
    const sessionId: Uint8Array = await ok(chain, owner(), 'createSession', { serviceId });
    await ok(chain, owner(), 'startSession', { sessionId });
    const first = await send(chain, owner(), 'createOracleRequest', { sessionId, kind: 2, input: utf8('slow api') });
    const oldRequest: Uint8Array = first.result;
    await fails(chain, owner(), 'retryStep', { sessionId, stepIndex: 0 }, 'StepNotFailed');
    const deadline = (await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 })).deadlineHeight as bigint;
    expect(deadline).to.equal(first.height + 5n);
    while (chain.node.chain.head.height < deadline - 1n) await chain.mine(1);
    expect((await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 })).state).to.equal('pending');
    const [b] = await chain.mine(1);
    expect(b!.block.header.height).to.equal(deadline);
    const step = await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 });
    expect(step.state).to.equal('failed');
    const events = await chain.node.chain.getEvents({ fromHeight: deadline, toHeight: deadline, name: 'StepFailed' });
    expect(events.length).to.equal(1);
    expect((await chain.call<any>('sessionwork', 'getSession', { sessionId })).state).to.equal('waiting_io');
    expect(await chain.call<any[]>('sessionwork', 'getPendingRequests', { sessionId, nodeId: null })).to.deep.equal([]);
    const committee: TestNode[] = (await chain.call<any>('sessionwork', 'getSession', { sessionId })).committee.map((id: Uint8Array) => byId(nodes, id));
    await fails(chain, committee[0]!.operator, 'submitRecord', { requestId: oldRequest, nodeId: committee[0]!.id, timestamp: 0n, endpoint: new Uint8Array(0), body: new Uint8Array(0), resultCode: 0, externalRef: new Uint8Array(0) }, 'StepNotOpen');
    await fails(chain, owner(), 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: oldRequest, outputHash: oldRequest, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/read', oldRequest, oldRequest, 0n) }, 'StepFailed');
    await fails(chain, chain.signer(8, 'secp256k1'), 'retryStep', { sessionId, stepIndex: 0 }, 'NotSessionOwner');

    const retry = await send(chain, owner(), 'retryStep', { sessionId, stepIndex: 0 });
    expect(retry.receipt.status, retry.receipt.errorMessage).to.equal(1);
    expect(toHex(retry.result)).to.equal(toHex(computeOracleRequestId(serviceId, sessionId, 0, 1, retry.hash)));
    const again = await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 });
    expect([again.state, again.retry, toHex(again.requestId)]).to.deep.equal(['pending', 1, toHex(retry.result)]);
    expect(Buffer.from(again.request.input).toString()).to.equal('slow api');
    // the retried request completes normally
    const req = await chain.call<any>('sessionwork', 'getRequest', { requestId: retry.result });
    await block(chain, committee.slice(0, 3).map((n) => [n.operator, 'submitRecord', { requestId: retry.result, nodeId: n.id, timestamp: req.createdAt, endpoint: new Uint8Array(0), body: utf8('late'), resultCode: 200, externalRef: new Uint8Array(0) }] as Call));
    const root: Uint8Array = await ok(chain, committee[0]!.operator, 'commitRecords', { requestId: retry.result, nodeId: committee[0]!.id });
    const attId: Uint8Array = await ok(chain, owner(), 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash: root, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/read', retry.result, root, 0n) });
    expect(toHex(attId)).to.equal(toHex(attestationId('oracle/read', retry.result, root, 0n)));
    // the first request's deadline entry is stale and changes nothing later
    await chain.mine(6);
    expect((await chain.call<any>('sessionwork', 'getStep', { sessionId, stepIndex: 0 })).state).to.equal('completed');
  });

  it('sessions time out at their deadline height, at most maxExpiriesPerBlock per block', async () => {
    const calls: Call[] = [0, 1, 2, 3, 4].map((i) => [owner(), 'createSession', { serviceId: sha256(utf8(`bulk${i}`)) }]);
    const created = await block(chain, calls);
    const ids = created.map((r) => r.result as Uint8Array);
    const deadline = created[0]!.height + 30n;
    await ok(chain, owner(), 'startSession', { sessionId: ids[4] }); // running sessions time out too
    while (chain.node.chain.head.height < deadline - 1n) await chain.mine(1);
    const states = async () => Promise.all(ids.map(async (sessionId) => (await chain.call<any>('sessionwork', 'getSession', { sessionId })).state));
    expect(new Set(await states())).to.deep.equal(new Set(['pending', 'running']));
    await chain.mine(1);
    expect((await states()).filter((s) => s === 'failed').length).to.equal(2);
    await chain.mine(1);
    expect((await states()).filter((s) => s === 'failed').length).to.equal(4);
    await chain.mine(1);
    expect(await states()).to.deep.equal(['failed', 'failed', 'failed', 'failed', 'failed']);
    const s = await chain.call<any>('sessionwork', 'getSession', { sessionId: ids[4] });
    expect(s.error).to.match(/^SessionTimedOut/);
    await fails(chain, owner(), 'startSession', { sessionId: ids[0] }, 'SessionFailed');
  });
});

/**
 * Acceptance 3 end to end: a devnet node serving JSON-RPC, five registered service nodes, four
 * reference committee workers running (the fifth node is down), and a session owner using only the
 * RPC client: create → start → oracle read → records → commit → attested CompleteStep → delivery
 * receipts → finalize with session/complete; the receipts root is non-empty and its proofs verify
 * over RPC, down to the header's state root. An equivocating worker is reported by the others and
 * slashed exactly once, with no manual step. Also the worker's HTTP handler against a local server.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { createDevChain, MlDsaSigner, RpcServer, sha256, toHex, utf8, concat, u32be, type DevChain, addressBytes, devSigner, fromHex, decodeValue, verifyStateProof } from '../../sdk/chain.js';
import { CommitteeWorker, echoHandler, httpHandler, majorityBodyHash, WorkClient, quorumSize, oracleRecordsRoot, merkleRoot, sessionCompleteCommit, verifyMerkleProof, SESSION_WORK_ADDRESS, receiptId } from '../../sdk/session/index.js';
import { keys, sessionRecord } from '../../vm/session/work/state.js';
import { startDevnet, type DevnetProcess } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const ONE = 10n ** 18n;

/** A dev chain (default genesis: rules 2) serving JSON-RPC for the suite; its workers stop after it. */
function servedChain(committeeMin: number, committeeMax: number) {
  const env = { chain: undefined as unknown as DevChain, url: '', workers: [] as CommitteeWorker[] };
  let server: RpcServer;
  before(async () => {
    env.chain = await createDevChain({ genesis: { modules: { sessionwork: { committeeMin, committeeMax, minStake: (100n * ONE).toString(), stepTimeoutBlocks: 500, sessionTimeoutBlocks: 2000 } } } });
    server = new RpcServer(env.chain.node, { port: 0 });
    env.url = (await server.listen()).url;
  });
  after(async () => {
    for (const w of env.workers) await w.stop();
    await server?.close();
    await env.chain?.stop();
  });
  return env;
}

describe('session work: reference committee workers over JSON-RPC', function () {
  this.timeout(120_000);
  const env = servedChain(4, 5);

  it('runs a whole workload session with 4 live workers of a 5-member committee', async () => {
    const { chain, url, workers } = env;
    for (let i = 0; i < 5; i++) {
      const w = new CommitteeWorker({
        rpc: url,
        operator: chain.signer(i, 'secp256k1'),
        nodeKey: new MlDsaSigner(sha256(concat(utf8('test/worker-node'), u32be(i)))),
        handler: echoHandler(),
        pollMs: 200,
      });
      expect(await w.ensureRegistered(`https://worker${i}.example`, 100n * ONE)).to.equal('active');
      expect(await w.ensureRegistered(`https://worker${i}.example`, 100n * ONE)).to.equal('active'); // idempotent
      workers.push(w);
    }
    for (const w of workers.slice(0, 4)) await w.start(); // worker 4 stays down

    const owner = new WorkClient(url, chain.signer(9, 'secp256k1'));
    try {
      const serviceId = sha256(utf8('e2e-service'));
      const created = await owner.send<Uint8Array>('createSession', { serviceId });
      expect(created.status, created.errorMessage ?? '').to.equal(1);
      const sessionId = created.result;
      const committee = await owner.query('getCommittee', { sessionId });
      expect(committee.size).to.equal(5);
      expect(committee.quorum).to.equal(quorumSize(5));
      expect((await owner.send('startSession', { sessionId })).status).to.equal(1);

      const input = utf8(JSON.stringify({ question: 'what is the price?' }));
      const req = await owner.send<Uint8Array>('createOracleRequest', { sessionId, kind: 2, input });
      expect(req.status, req.errorMessage ?? '').to.equal(1);
      const requestId = req.result;

      const step = await until('the step to complete', async () => {
        const s = await owner.query('getStep', { sessionId, stepIndex: 0 });
        return s.state === 'completed' ? s : undefined;
      });
      const records = await owner.query('getRecords', { requestId });
      expect(records.length).to.be.within(quorumSize(5), 4);
      // the committed root is the tree (b) root over the records, and the output the echoed input's hash
      const root = oracleRecordsRoot(records.map((r) => ({ requestId, executor: addressBytes(r.executor), timestamp: r.timestamp, endpoint: r.endpoint, bodyHash: r.bodyHash, resultCode: r.resultCode, externalRef: r.externalRef })));
      expect(toHex(step.oracleCommitRoot)).to.equal(toHex(root));
      expect(toHex(step.outputHash)).to.equal(toHex(sha256(input)));
      const att = await owner.query('getAttestation', { attestationId: step.attestationId });
      expect(att.signers.length).to.be.at.least(quorumSize(5));
      expect(att.signers.map(toHex)).to.not.include(workers[4]!.nodeIdHex);

      // every live worker whose record carried the attested output sends a delivery receipt
      const receipts = await until('a receipt from each delivering worker', async () => {
        const rs = await owner.query('getReceipts', { sessionId });
        return rs.length === records.length ? rs : undefined;
      });
      expect(receipts.map((r) => toHex(r.senderId)).sort()).to.deep.equal(records.map((r) => toHex(r.nodeId)).sort());
      for (const r of receipts) {
        expect([r.stepIndex, toHex(r.messageHash), toHex(r.receiverId)]).to.deep.equal([0, toHex(step.outputHash), toHex(sessionId)]);
        expect(toHex(r.receiptId)).to.equal(toHex(receiptId(sessionId, 0, step.outputHash, r.senderId, sessionId)));
      }

      // the session output is the attested one (one step: that step's output)
      const output = await owner.query('getSessionOutput', { sessionId });
      expect(toHex(output)).to.equal(toHex(step.outputHash));
      const ids = receipts.map((r) => r.receiptId);
      const fin = await owner.send<Uint8Array>('requestFinalize', { sessionId, outputHash: output });
      expect(fin.status, fin.errorMessage ?? '').to.equal(1);
      expect(toHex(fin.result)).to.equal(toHex(sessionCompleteCommit(output, merkleRoot([root]), merkleRoot(ids))));
      const done = await until('the session to finalize', async () => {
        const s = await owner.query('getSession', { sessionId });
        return s.state === 'finalized' ? s : undefined;
      });
      expect(toHex(done.outputHash)).to.equal(toHex(output));

      // the receipts root is non-empty, and every receipt's proof verifies over RPC …
      expect(toHex(done.receiptsRoot)).to.equal(toHex(merkleRoot(ids)));
      expect(toHex(done.receiptsRoot)).to.not.equal(toHex(new Uint8Array(32)));
      for (let i = 0; i < ids.length; i++) {
        const p = await owner.query('getReceiptProof', { sessionId, index: i });
        expect(toHex(p.receiptsRoot)).to.equal(toHex(done.receiptsRoot));
        expect(verifyMerkleProof(ids[i]!, p.proof, done.receiptsRoot)).to.equal(true);
        expect(verifyMerkleProof(sha256(utf8('not a receipt')), p.proof, done.receiptsRoot)).to.equal(false);
      }
      // … and the root itself is in the session record under the head's state root (chain.GetProof)
      const head = await owner.rpc.call<any>('chain.Head');
      const key = keys.session(sessionId);
      const sp = await owner.rpc.call<any>('chain.GetProof', { address: SESSION_WORK_ADDRESS, key: toHex(key), block: head.height });
      const value = await verifyStateProof(fromHex(sp.stateRoot), concat(addressBytes(SESSION_WORK_ADDRESS), key), sp.proof.map((x: string) => fromHex(x)));
      expect(sp.stateRoot).to.equal(head.stateRoot);
      expect(toHex(decodeValue(sessionRecord, value!).receiptsRoot)).to.equal(toHex(done.receiptsRoot));
      // each block that recorded receipts carries their root in its header (sessionReceipts)
      const byHeight = new Map<bigint, Uint8Array[]>();
      for (const r of receipts) byHeight.set(r.height, [...(byHeight.get(r.height) ?? []), r.receiptId]);
      for (const [h, hs] of byHeight) {
        const b = await owner.rpc.call<any>('chain.GetBlock', [Number(h)]);
        expect(b.extraRoots.sessionReceipts).to.equal(toHex(merkleRoot(hs)));
      }

      // the sessionvm RPC family serves the same session
      const viaRpc = await owner.rpc.call<any>('sessionvm.GetWorkSession', { sessionId: toHex(sessionId) });
      expect([viaRpc.state, viaRpc.outputHash]).to.deep.equal(['finalized', toHex(output)]);
      const stepRpc = await owner.rpc.call<any>('sessionvm.GetStep', [toHex(sessionId), 0]);
      expect(stepRpc.state).to.equal('completed');
      expect(await owner.rpc.call<any[]>('sessionvm.GetPendingRequests', {})).to.deep.equal([]);
      const node = await owner.rpc.call<any>('sessionvm.GetNode', { nodeId: workers[0]!.nodeIdHex });
      expect([node.status, node.endpoint]).to.deep.equal(['active', 'https://worker0.example']);
      const com = await owner.rpc.call<any>('sessionvm.GetCommittee', [toHex(sessionId)]);
      expect(com.members.length).to.equal(5);

      // every worker action that failed lost a race; none was refused for a reason of its own
      for (const w of workers) for (const a of w.actions.filter((x) => x.status === 0)) expect(['RecordsAlreadyCommitted', 'StepNotOpen', 'DuplicateSigner', 'StepNotCommitted', 'SessionFinalized']).to.include(a.error);
      // (a worker logs an action once its receipt is back, which may be after the chain shows it)
      await until('the workers to log their receipts', async () => workers.flatMap((w) => w.actions).filter((a) => a.action === 'receipt' && a.status === 1).length === records.length);
    } finally {
      owner.close();
    }
  });

  it('rejects bad sessionvm RPC params with -32602 and unknown sessions with a named error', async () => {
    const { chain, url } = env;
    const rpc = new WorkClient(url).rpc;
    try {
      const bad: any = await rpc.call('sessionvm.GetWorkSession', { sessionId: '0x1234' }).catch((e: any) => e);
      expect(bad.code).to.equal(-32602);
      const missing: any = await rpc.call('sessionvm.GetWorkSession', { sessionId: toHex(sha256(utf8('none'))) }).catch((e: any) => e);
      expect(missing.name).to.equal('SessionNotFound');
      const readOnly = new WorkClient(url);
      const noSigner: any = await readOnly.send('startSession', { sessionId: sha256(utf8('x')) }).catch((e: any) => e);
      expect(noSigner.name).to.equal('NoSigner');
      readOnly.close();
      const writer = new WorkClient(url, chain.signer(8, 'secp256k1'));
      const unknown: any = await writer.send('mint', {}).catch((e: any) => e);
      expect(unknown.name).to.equal('UnknownMethod');
      writer.close();
    } finally {
      rpc.close();
    }
  });
});

describe('session work: an equivocating worker', function () {
  this.timeout(120_000);
  const env = servedChain(5, 5);

  it('acceptance 3: two different shares for one subject are reported by the others and slashed exactly once; the session still finalizes', async () => {
    const { chain, url, workers } = env;
    for (let i = 0; i < 5; i++) {
      const w = new CommitteeWorker({ rpc: url, operator: chain.signer(i, 'secp256k1'), nodeKey: new MlDsaSigner(sha256(concat(utf8('test/equivocation-node'), u32be(i)))), handler: echoHandler(), pollMs: 200, equivocate: i === 2 });
      expect(await w.ensureRegistered(`https://eq${i}.example`, 100n * ONE)).to.equal('active');
      workers.push(w);
    }
    for (const w of workers) await w.start();
    const culprit = workers[2]!;
    const owner = new WorkClient(url, chain.signer(9, 'secp256k1'));
    try {
      const sessionId = (await owner.send<Uint8Array>('createSession', { serviceId: sha256(utf8('equivocation')) })).result;
      expect((await owner.send('startSession', { sessionId })).status).to.equal(1);
      const requestId = (await owner.send<Uint8Array>('createOracleRequest', { sessionId, kind: 2, input: utf8('q') })).result;

      const slashed = await until('the equivocating node to be slashed', async () => {
        const n = await owner.query('getNode', { nodeId: culprit.nodeId });
        return n.status === 'slashed' ? n : undefined;
      });
      // the evidence: the culprit's two signatures over the same (domain, subject, epoch), different roots
      const evs = await owner.rpc.call<any[]>('chain.GetEvents', { address: 'sessionwork', name: 'NodeSlashed', fromBlock: '1' });
      expect(evs.map((e) => e.args.nodeId)).to.deep.equal([culprit.nodeIdHex]);
      expect(slashed.stake).to.equal(0n);
      // (a worker logs an action once its receipt is back, which may be after the chain shows it)
      await until('the reporter to log its report', async () => workers.some((w) => w.actions.some((a) => a.action === 'report' && a.status === 1)));
      await until('the culprit to log its second share', async () => culprit.actions.some((a) => a.action === 'equivocate'));
      const reports = workers.flatMap((w) => w.actions.filter((a) => a.action === 'report'));
      expect(reports.filter((a) => a.status === 1)).to.have.length(1);
      for (const a of reports.filter((x) => x.status === 0)) expect(a.error).to.equal('AlreadySlashed');
      expect(culprit.actions.filter((a) => a.action === 'equivocate').map((a) => a.error)).to.deep.equal(['WrongCommitRoot']);

      // the step completes without the slashed node's share, and the session finalizes
      const step = await until('the step to complete', async () => {
        const st = await owner.query('getStep', { sessionId, stepIndex: 0 });
        return st.state === 'completed' ? st : undefined;
      });
      expect(toHex(step.request!.requestId)).to.equal(toHex(requestId));
      await until('the receipts', async () => (await owner.query('getSession', { sessionId })).receiptCount >= 4);
      expect((await owner.send('requestFinalize', { sessionId, outputHash: await owner.query('getSessionOutput', { sessionId }) })).status).to.equal(1);
      const done = await until('finalization', async () => {
        const se = await owner.query('getSession', { sessionId });
        return se.state === 'finalized' ? se : undefined;
      });
      const att = await owner.query('getAttestation', { attestationId: step.attestationId });
      expect(att.signers.length).to.be.at.least(quorumSize(5));
      expect(toHex(done.outputHash)).to.equal(toHex(sha256(utf8('q'))));
      expect((await owner.rpc.call<any[]>('chain.GetEvents', { address: 'sessionwork', name: 'NodeSlashed', fromBlock: '1' })).length).to.equal(1);
    } finally {
      owner.close();
    }
  });
});

describe('session work: workers against a `sessionchain devnet` process', function () {
  this.timeout(180_000);
  let devnet: DevnetProcess;
  const workers: CommitteeWorker[] = [];
  before(async () => {
    devnet = await startDevnet({ memory: true });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await devnet?.stop();
  });

  it('runs a session to finalization with 4 workers on the default devnet genesis', async () => {
    for (let i = 0; i < 4; i++) {
      const w = new CommitteeWorker({ rpc: devnet.url, operator: devSigner(i + 1, 'secp256k1'), nodeKey: new MlDsaSigner(sha256(concat(utf8('test/devnet-node'), u32be(i)))), handler: echoHandler(), pollMs: 200 });
      expect(await w.ensureRegistered(`https://devnet-node${i}.example`, 1000n * ONE)).to.equal('active');
      workers.push(w);
      await w.start();
    }
    const owner = new WorkClient(devnet.url, devSigner(0, 'secp256k1'));
    try {
      const sessionId = (await owner.send<Uint8Array>('createSession', { serviceId: sha256(utf8('devnet')) })).result;
      expect((await owner.query('getCommittee', { sessionId })).size).to.equal(4);
      await owner.send('startSession', { sessionId });
      const input = utf8('ping');
      expect((await owner.send('createOracleRequest', { sessionId, kind: 1, input })).status).to.equal(1);
      const step = await until('the write step to complete', async () => {
        const st = await owner.query('getStep', { sessionId, stepIndex: 0 });
        return st.state === 'completed' ? st : undefined;
      });
      expect(toHex(step.outputHash)).to.equal(toHex(sha256(input)));
      expect((await owner.send('requestFinalize', { sessionId, outputHash: step.outputHash })).status).to.equal(1);
      const done = await until('finalization', async () => {
        const se = await owner.query('getSession', { sessionId });
        return se.state === 'finalized' ? se : undefined;
      });
      expect(toHex(done.oracleRoot)).to.equal(toHex(merkleRoot([step.oracleCommitRoot])));
    } finally {
      owner.close();
    }
  });
});

describe('session work: oracle handlers', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('ETag', '"v1"');
        res.statusCode = req.url === '/missing' ? 404 : 200;
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const task = (input: unknown) => ({ requestId: new Uint8Array(32), sessionId: new Uint8Array(32), stepIndex: 0, kind: 'read_external' as const, input: typeof input === 'string' ? utf8(input) : utf8(JSON.stringify(input)) });

  it('echo returns the input as the body', async () => {
    const r = await echoHandler()(task('hello'));
    expect([Buffer.from(r.body).toString(), r.resultCode]).to.deep.equal(['hello', 200]);
  });

  it('http performs GET and POST against allowed hosts and reports status and ETag', async () => {
    const h = httpHandler({ allowHosts: ['127.0.0.1'] });
    const get = await h(task({ method: 'GET', url: `${base}/price` }));
    expect(get.resultCode).to.equal(200);
    expect(JSON.parse(Buffer.from(get.body).toString())).to.deep.equal({ method: 'GET', url: '/price', body: '' });
    expect(get.externalRef).to.equal('"v1"');
    expect(get.endpoint).to.equal(`GET ${base}/price`);
    const post = await h(task({ method: 'POST', url: `${base}/write`, body: 'x=1' }));
    expect(JSON.parse(Buffer.from(post.body).toString()).body).to.equal('x=1');
    expect((await h(task({ method: 'GET', url: `${base}/missing` }))).resultCode).to.equal(404);
  });

  it('http refuses hosts outside the allow list, bad input, and cuts long bodies', async () => {
    const denied = await httpHandler({ allowHosts: ['example.com'] })(task({ method: 'GET', url: `${base}/x` }));
    expect(denied.resultCode).to.equal(0);
    expect(Buffer.from(denied.body).toString()).to.match(/allow list/);
    const bad = await httpHandler({ allowAnyHost: true })(task('not json'));
    expect(bad.resultCode).to.equal(0);
    const cut = await httpHandler({ allowAnyHost: true, maxBodyBytes: 10 })(task({ method: 'GET', url: `${base}/long` }));
    expect(cut.body.length).to.equal(10);
  });

  it('http streams the body and stops reading at the cap: a server that never ends its body is cut off', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((r) => (closed = r));
    let written = 0;
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
      };
      res.on('drain', pump);
      res.on('close', () => closed());
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(endless.address() as { port: number }).port}/stream`;
      const r = await httpHandler({ allowHosts: ['127.0.0.1'], maxBodyBytes: 100_000 })(task({ method: 'GET', url }));
      expect([r.resultCode, r.body.length]).to.deep.equal([200, 100_000]);
      expect(r.body.every((b) => b === 0x61)).to.equal(true);
      await gone; // the worker dropped the connection instead of reading on
      expect(written).to.be.lessThan(1 << 30);
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((r) => endless.close(() => r()));
    }
  });

  it('majorityBodyHash picks the most common body hash, ties by the smallest', () => {
    const a = sha256(utf8('a'));
    const b = sha256(utf8('b'));
    expect(toHex(majorityBodyHash([{ bodyHash: a }, { bodyHash: b }, { bodyHash: b }]))).to.equal(toHex(b));
    const [lo] = [a, b].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(toHex(majorityBodyHash([{ bodyHash: a }, { bodyHash: b }]))).to.equal(toHex(lo!));
  });
});

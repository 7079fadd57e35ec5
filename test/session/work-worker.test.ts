/**
 * Acceptance 3 end to end: a devnet node serving JSON-RPC, five registered service nodes, four
 * reference committee workers running (the fifth node is down), and a session owner using only the
 * RPC client: create → start → oracle read → records → commit → attested CompleteStep → finalize
 * with session/complete. Also the worker's HTTP handler against a local server.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { createDevChain, MlDsaSigner, RpcServer, sha256, toHex, utf8, concat, u32be, type DevChain, addressBytes, devSigner } from '../../sdk/chain.js';
import { CommitteeWorker, echoHandler, httpHandler, majorityBodyHash, WorkClient, quorumSize, oracleRecordsRoot, merkleRoot, sessionCompleteCommit } from '../../sdk/session/index.js';
import { startDevnet, type DevnetProcess } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const ONE = 10n ** 18n;

describe('session work: reference committee workers over JSON-RPC', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let server: RpcServer;
  let url: string;
  const workers: CommitteeWorker[] = [];

  before(async () => {
    chain = await createDevChain({ genesis: { modules: { sessionwork: { committeeMin: 4, committeeMax: 5, minStake: (100n * ONE).toString(), stepTimeoutBlocks: 500, sessionTimeoutBlocks: 2000 } } } });
    server = new RpcServer(chain.node, { port: 0 });
    ({ url } = await server.listen());
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await server?.close();
    await chain?.stop();
  });

  it('runs a whole workload session with 4 live workers of a 5-member committee', async () => {
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

      const output = sha256(utf8('the answer'));
      const fin = await owner.send<Uint8Array>('requestFinalize', { sessionId, outputHash: output });
      expect(fin.status, fin.errorMessage ?? '').to.equal(1);
      expect(toHex(fin.result)).to.equal(toHex(sessionCompleteCommit(output, merkleRoot([root]), merkleRoot([]))));
      const done = await until('the session to finalize', async () => {
        const s = await owner.query('getSession', { sessionId });
        return s.state === 'finalized' ? s : undefined;
      });
      expect(toHex(done.outputHash)).to.equal(toHex(output));

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
    } finally {
      owner.close();
    }
  });

  it('rejects bad sessionvm RPC params with -32602 and unknown sessions with a named error', async () => {
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

  it('majorityBodyHash picks the most common body hash, ties by the smallest', () => {
    const a = sha256(utf8('a'));
    const b = sha256(utf8('b'));
    expect(toHex(majorityBodyHash([{ bodyHash: a }, { bodyHash: b }, { bodyHash: b }]))).to.equal(toHex(b));
    const [lo] = [a, b].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(toHex(majorityBodyHash([{ bodyHash: a }, { bodyHash: b }]))).to.equal(toHex(lo!));
  });
});

/**
 * Determinism of the sessionwork module: a history with sessions, records, attestations, receipts,
 * a timeout, a retry, a failure and a slash is replayed from the node's data dir on a fresh chain;
 * every block's state root and extra roots (including `sessionReceipts`) must match.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { Chain, createDevChain, extraRoot, replayInto, sha256, Store, storeSource, toHex, utf8, VerifierPool } from '../../sdk/chain.js';
import { builtinModules, loadGenesis } from '../../genesis/index.js';
import { merkleRoot, receiptId, signAttestation } from '../../sdk/session/index.js';
import { removeDir, tempDir } from '../helpers/processes.js';
import { addNodes, attest, block, byId, DEFAULT_TEST_PARAMS, ok, testNode, type Call, type TestNode } from './work-fixture.js';

describe('session work: replay', function () {
  let dir: string;
  before(() => {
    dir = tempDir('sessionwork-replay-');
  });
  after(() => removeDir(dir));

  it('re-executes a session history to the same roots', async () => {
    const path = join(dir, 'node');
    const chain = await createDevChain({ dataDir: path, mining: 'manual', genesis: { modules: { sessionwork: { ...DEFAULT_TEST_PARAMS, stepTimeoutBlocks: 3, epochBlocks: 7 } } } });
    const owner = chain.signer(9, 'secp256k1');
    const nodes: TestNode[] = [0, 1, 2, 3, 4].map((i) => testNode(i, chain));
    await addNodes(chain, nodes);
    const sessionId: Uint8Array = await ok(chain, owner, 'createSession', { serviceId: sha256(utf8('replay')) });
    const s = await chain.call<any>('sessionwork', 'getSession', { sessionId });
    const committee: TestNode[] = s.committee.map((id: Uint8Array) => byId(nodes, id));
    await ok(chain, owner, 'startSession', { sessionId });
    await ok(chain, owner, 'createOracleRequest', { sessionId, kind: 2, input: utf8('first') });
    await chain.mine(4); // the step times out
    const requestId: Uint8Array = await ok(chain, owner, 'retryStep', { sessionId, stepIndex: 0 });
    const req = await chain.call<any>('sessionwork', 'getRequest', { requestId });
    await block(chain, committee.map((n, i) => [n.operator, 'submitRecord', { requestId, nodeId: n.id, timestamp: req.createdAt, endpoint: utf8('e'), body: utf8(`b${i}`), resultCode: 200, externalRef: new Uint8Array(0) }] as Call));
    const root: Uint8Array = await ok(chain, committee[2]!.operator, 'commitRecords', { requestId, nodeId: committee[2]!.id });
    await ok(chain, owner, 'completeStep', { sessionId, stepIndex: 0, oracleCommitRoot: root, outputHash: root, nodeId: null, attestation: attest(committee.slice(0, 3), 'oracle/read', requestId, root, s.epoch) });
    const m = sha256(utf8('msg'));
    await block(chain, [[committee[0]!.operator, 'submitReceipt', { sessionId, nodeId: committee[0]!.id, stepIndex: 0, messageHash: m, senderId: m, receiverId: m }]]);
    expect(toHex(extraRoot(chain.node.chain.headHeader, 'sessionReceipts')!)).to.equal(toHex(merkleRoot([receiptId(sessionId, 0, m, m, m)])));
    const bad = sha256(utf8('bad'));
    const culprit = committee[3]!;
    await ok(chain, owner, 'reportEquivocation', {
      publicKey: culprit.key.publicKey,
      domain: 'oracle/read',
      subjectId: requestId,
      epoch: s.epoch,
      commitRootA: root,
      signatureA: signAttestation(culprit.key, 'oracle/read', requestId, root, s.epoch).signature,
      commitRootB: bad,
      signatureB: signAttestation(culprit.key, 'oracle/read', requestId, bad, s.epoch).signature,
    });
    const other: Uint8Array = await ok(chain, owner, 'createSession', { serviceId: sha256(utf8('second')) });
    await ok(chain, owner, 'failSession', { sessionId: other, reason: 'test' });
    await chain.mine(8); // crosses an epoch boundary (epochBlocks 7): a new beacon
    const head = chain.node.chain.head;
    const beacons = await chain.call<any>('sessionwork', 'getBeacon', { epoch: null });
    expect(beacons.epoch > 0n).to.equal(true);
    await chain.stop();

    const store = await Store.open({ path });
    const src = await storeSource(store);
    const fresh = await Chain.open({ store: await Store.open(), genesis: loadGenesis(JSON.parse(src.genesisJson)), modules: builtinModules(), explicitGenesis: true });
    const verifier = new VerifierPool({ threads: 0 });
    try {
      const r = await replayInto(fresh, verifier, src); // importBlock checks every root and throws on a mismatch
      expect(r.height).to.equal(head.height);
      expect(toHex(r.stateRoot)).to.equal(toHex(head.stateRoot));
    } finally {
      await verifier.close();
      await src.close();
      await fresh.close();
      await store.close();
    }
  });
});

/**
 * Existing histories replay unchanged (issue 13: the trust rules are gated by the genesis). The block
 * file `test/fixtures/legacy-history.scb` was written by the code before the trust rules existed
 * (see `test/fixtures/make-legacy-history.ts`); its genesis names no rules version, so today's code
 * must re-execute it under the original rules and reproduce every block's state root, extra roots,
 * receipts and state diff. The assertions after the replay show that the history exercises each
 * rule that changed: a made-up step output and session output accepted, an uncertified TEE key, an
 * undecidable dispute returning both bonds, and an anchor arena that filled up and stopped.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { Chain, fileSource, replayInto, sha256, Store, toHex, utf8, VerifierPool } from '../sdk/chain.js';
import { builtinModules, loadGenesis } from '../genesis/index.js';

const FILE = fileURLToPath(new URL('./fixtures/legacy-history.scb', import.meta.url));

describe('legacy history (made before the trust rules) replays to the same roots', function () {
  this.timeout(120_000);
  let chain: Chain;

  before(async () => {
    const src = fileSource(FILE);
    chain = await Chain.open({ store: await Store.open(), genesis: loadGenesis(JSON.parse(src.genesisJson)), modules: builtinModules(), explicitGenesis: true });
    const verifier = new VerifierPool({ threads: 0 });
    try {
      const r = await replayInto(chain, verifier, src); // checks every root, receipt and diff; throws on the first mismatch
      expect(r.height).to.equal(47n);
    } finally {
      await verifier.close();
      await src.close();
    }
  });
  after(async () => chain?.close());

  const events = (name: string) => chain.getEvents({ fromHeight: 1n, toHeight: chain.head.height, name });
  const query = <R = any>(module: string, name: string, args: unknown = {}): Promise<R> =>
    chain.withHeadState((source, info) => chain.executor.query(source, info, chain.registry.target(module)!, name, args) as Promise<R>);

  it('its genesis names no rules version: the original rules apply', () => {
    const doc = JSON.parse(chain.genesis.canonical);
    expect(doc.modules.sessionwork.version).to.equal(undefined);
    expect(doc.modules.aivm.version).to.equal(undefined);
  });

  it('kept a step output no record has, and a session output the committee co-signed without checking', async () => {
    const [created] = await events('SessionCreated');
    const sessionId = created!.topics[1]!;
    const session = await query('sessionwork', 'getSession', { sessionId });
    const step = await query('sessionwork', 'getStep', { sessionId, stepIndex: 0 });
    const records = await query<any[]>('sessionwork', 'getRecords', { requestId: step.requestId });
    expect(new Set(records.map((r) => toHex(r.bodyHash))).size).to.equal(3); // no two records agree
    expect(toHex(step.outputHash)).to.equal(toHex(sha256(utf8('a made-up output no record has'))));
    expect([session.state, toHex(session.outputHash)]).to.deep.equal(['finalized', toHex(sha256(utf8('made-up session output')))]);
  });

  it('accepted self-made TEE keys, returned both bonds of an undecidable dispute, and stopped anchoring at 16 anchors', async () => {
    expect(await events('AttestationRegistered')).to.have.length(3);
    expect(await events('DisputeUndecided')).to.have.length(1);
    // blocks with inference artifacts (posts, re-executions, receipts): more than the 16 slots
    const heights = new Set<bigint>();
    for (const name of ['ResultPosted', 'Reexecuted', 'ReceiptAppended']) for (const e of await events(name)) heights.add(e.height);
    expect(heights.size).to.be.greaterThan(16);
    expect((await query('aivm', 'getStats')).anchors).to.equal(16);
  });
});

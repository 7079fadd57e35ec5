import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { join } from 'node:path';
import {
  BlockFileReader,
  BlockFileWriter,
  BlockImportError,
  Chain,
  DevChain,
  Store,
  VerifierPool,
  asList,
  blockHash,
  decodeBlock,
  encodeBlock,
  fileSource,
  replayInto,
  rlpDecode,
  rlpEncode,
  signHeader,
  signerFromSeed,
  devProducerSeed,
  storeSource,
  toHex,
  Transaction,
  type BlockRecord,
} from '../../sdk/chain.js';
import { decodeDiff, encodeDiff } from '../../chain/chain.js';
import { builtinModules, loadGenesis, startNode } from '../../genesis/index.js';
import { tempDir, removeDir } from '../helpers/processes.js';

/** Builds a chain with a few blocks of transfers (both schemes) and exports it to a block file. */
async function buildAndExport(dir: string): Promise<{ file: string; root: string; height: bigint }> {
  const node = await startNode({ dataDir: join(dir, 'src'), verifier: { threads: 0 }, mining: { mode: 'manual' } });
  const c = new DevChain(node);
  for (let i = 0; i < 3; i++) {
    await c.submit(c.signer(i, 'secp256k1'), 'lux', 'transfer', { to: c.signer(9).address, amount: BigInt(1000 + i) });
    await c.submit(c.signer(i, 'secp256k1'), 'lux', 'transfer', { to: c.signer(i + 1, 'secp256k1').address, amount: 10n ** 30n }); // fails: InsufficientBalance
    await c.mine();
  }
  await c.send(c.signer(1), 'lux', 'transfer', { to: c.signer(2).address, amount: 5n }); // ML-DSA
  const root = toHex(node.chain.head.stateRoot);
  const height = node.chain.head.height;
  await node.stop();
  const store = await Store.open({ path: join(dir, 'src') });
  const src = await storeSource(store);
  const file = join(dir, 'blocks.scb');
  const w = new BlockFileWriter(file, src.genesisJson);
  for await (const { record } of src.records(1n)) w.write(record);
  w.close();
  await store.close();
  return { file, root, height };
}

async function importFile(file: string, path?: string): Promise<Chain> {
  const src = fileSource(file);
  const chain = await Chain.open({ store: await Store.open({ path }), genesis: loadGenesis(JSON.parse(src.genesisJson)), modules: builtinModules(), explicitGenesis: true });
  const verifier = new VerifierPool({ threads: 0 });
  try {
    await replayInto(chain, verifier, src);
  } finally {
    await verifier.close();
    await src.close();
  }
  return chain;
}

async function dump(path: string): Promise<string[]> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
  const out: string[] = [];
  for await (const [k, v] of db.iterator()) out.push(`${toHex(k)}=${toHex(v)}`);
  await db.close();
  return out;
}

/** Rewrites one record of a block file. */
function rewrite(file: string, out: string, height: number, fn: (r: BlockRecord) => BlockRecord): void {
  const r = new BlockFileReader(file);
  const w = new BlockFileWriter(out, r.genesisJson);
  let h = 1;
  for (let rec = r.next(); rec; rec = r.next(), h++) w.write(h === height ? fn(rec) : rec);
  w.close();
  r.close();
}

describe('replay', function () {
  let dir: string;
  let exported: { file: string; root: string; height: bigint };
  before(async () => {
    dir = tempDir();
    exported = await buildAndExport(dir);
  });
  after(() => removeDir(dir));

  it('reproduces the head state root from a block file', async () => {
    const chain = await importFile(exported.file);
    expect(chain.head.height).to.equal(exported.height);
    expect(toHex(chain.head.stateRoot)).to.equal(exported.root);
    await chain.close();
  });

  it('two fresh nodes fed the same block file end with byte-identical stores', async () => {
    const a = await importFile(exported.file, join(dir, 'a'));
    const b = await importFile(exported.file, join(dir, 'b'));
    await a.close();
    await b.close();
    const [da, db] = [await dump(join(dir, 'a')), await dump(join(dir, 'b'))];
    expect(da.length).to.be.greaterThan(50);
    expect(da).to.deep.equal(db);
    // …and the same as the producer's own store.
    expect(await dump(join(dir, 'src'))).to.deep.equal(da);
  });

  it('replays from a (stopped) node data dir', async () => {
    const store = await Store.open({ path: join(dir, 'src') });
    const src = await storeSource(store);
    const chain = await Chain.open({ store: await Store.open(), genesis: loadGenesis(JSON.parse(src.genesisJson)), modules: builtinModules(), explicitGenesis: true });
    const verifier = new VerifierPool({ threads: 0 });
    const r = await replayInto(chain, verifier, src);
    expect(toHex(r.stateRoot)).to.equal(exported.root);
    expect(r.txs).to.equal(7);
    await verifier.close();
    await chain.close();
    await src.close();
  });

  it('names the first divergent transaction when a receipt differs', async () => {
    const bad = join(dir, 'bad-receipt.scb');
    rewrite(exported.file, bad, 2, (rec) => {
      const [rs, evs] = asList(rlpDecode(rec.receipts), 'r', 2);
      const list = asList(rs!, 'rs').map((x) => [...(x as Uint8Array[])]);
      list[1]![2] = new Uint8Array([0x01]); // gasUsed of the second receipt
      return { ...rec, receipts: rlpEncode([list, evs!]) };
    });
    try {
      await importFile(bad);
      expect.fail('replay accepted a divergent receipt');
    } catch (e) {
      expect(e).to.be.instanceOf(BlockImportError);
      const d = (e as BlockImportError).divergence;
      expect(d.height).to.equal('2');
      expect(d.field).to.equal('receipt');
      expect(d.txIndex).to.equal(1);
      const reader = new BlockFileReader(bad);
      reader.next();
      const block = decodeBlock(reader.next()!.block);
      reader.close();
      expect(d.txHash).to.equal(toHex(block.txs[1]!.hash));
    }
  });

  it('names the first divergent state key when the state root differs', async () => {
    const bad = join(dir, 'bad-root.scb');
    const producer = signerFromSeed(devProducerSeed(), 'ml-dsa-65', { deterministic: true });
    let changedKey = '';
    rewrite(exported.file, bad, Number(exported.height), (rec) => {
      const b = decodeBlock(rec.block);
      const header = signHeader({ ...b.header, stateRoot: new Uint8Array(32).fill(0xab) }, producer);
      const diff = decodeDiff(rec.diff);
      // A lux entry (other modules, e.g. aivm's per-block round, also write every block and may sort first).
      const i = diff.findIndex((d) => toHex(d.key).startsWith('0x4c5558'));
      diff[i] = { ...diff[i]!, value: new Uint8Array([1, 2, 3]) };
      changedKey = toHex(diff[i]!.key);
      return { block: encodeBlock({ header, txs: b.txs }), receipts: rec.receipts, diff: encodeDiff(diff) };
    });
    try {
      await importFile(bad);
      expect.fail('replay accepted a wrong state root');
    } catch (e) {
      expect(e).to.be.instanceOf(BlockImportError);
      const d = (e as BlockImportError).divergence;
      expect(d.height).to.equal(String(exported.height));
      expect(d.field).to.equal('stateRoot');
      expect(d.stateKey).to.equal(changedKey);
      expect(d.module).to.equal('lux');
    }
  });

  it('rejects a block whose producer signature does not verify, and a forged transaction', async () => {
    const badSig = join(dir, 'bad-sig.scb');
    rewrite(exported.file, badSig, 1, (rec) => {
      const b = decodeBlock(rec.block);
      const sig = b.header.signature.slice();
      sig[100]! ^= 1;
      return { ...rec, block: encodeBlock({ header: { ...b.header, signature: sig }, txs: b.txs }) };
    });
    try {
      await importFile(badSig);
      expect.fail('accepted a bad producer signature');
    } catch (e) {
      expect((e as BlockImportError).divergence.field).to.equal('signature');
    }
    // A transaction whose signature was altered, in a block properly re-signed by the producer.
    const forged = join(dir, 'forged-tx.scb');
    const producer = signerFromSeed(devProducerSeed(), 'ml-dsa-65', { deterministic: true });
    rewrite(exported.file, forged, 1, (rec) => {
      const b = decodeBlock(rec.block);
      const tx = b.txs[0]!;
      const sig = tx.signature.slice();
      sig[5]! ^= 1;
      const txs = [Transaction.fromFields({ ...tx, signature: sig }), ...b.txs.slice(1)];
      return { ...rec, block: encodeBlock({ header: signHeader(b.header, producer), txs }) };
    });
    try {
      await importFile(forged);
      expect.fail('accepted a forged transaction');
    } catch (e) {
      const d = (e as BlockImportError).divergence;
      expect(d.field).to.equal('transaction');
      expect(d.txIndex).to.equal(0);
      expect(d.detail).to.match(/signature|signed by/); // secp256k1 recovery yields another address
    }
  });

  it('a truncated block file is reported, not half-imported silently', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bytes = readFileSync(exported.file);
    const cut = join(dir, 'cut.scb');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    try {
      await importFile(cut);
      expect.fail('accepted a truncated file');
    } catch (e) {
      expect((e as Error).name).to.equal('InvalidBlockFile');
      expect((e as Error).message).to.match(/truncated/);
    }
  });

  it('block hashes link: every header names its parent', async () => {
    const r = new BlockFileReader(exported.file);
    let prev: Uint8Array | undefined;
    for (let rec = r.next(); rec; rec = r.next()) {
      const b = decodeBlock(rec.block);
      if (prev) expect(toHex(b.header.parentHash)).to.equal(toHex(prev));
      prev = blockHash(b.header);
    }
    r.close();
  });
});

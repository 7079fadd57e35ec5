import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { Node, DevChain, NodeError, toHex, verifyStateProof, type Signer } from '../../sdk/chain.js';
import { K } from '../../chain/state/layout.js';
import { accountStateKey } from '../../sdk/chain.js';
import { devGenesis, startNode } from '../../genesis/index.js';
import { tempDir, removeDir } from '../helpers/processes.js';

const signerAddress = (i: number) => ('0x' + (i + 1).toString(16).padStart(40, '0')) as never;

async function openNode(dir: string, opts: Parameters<typeof startNode>[0] = {}): Promise<Node> {
  return startNode({ dataDir: dir, verifier: { threads: 0 }, mining: { mode: 'manual' }, ...opts });
}

async function send(node: Node, s: Signer, to: string, amount: bigint): Promise<void> {
  const c = new DevChain(node);
  await c.send(s, 'lux', 'transfer', { to, amount });
}

async function expectNodeError(p: Promise<unknown>, name: string, re?: RegExp): Promise<void> {
  try {
    const n = await p;
    if (n instanceof Node) await n.stop();
  } catch (e) {
    expect(e).to.be.instanceOf(NodeError);
    expect((e as Error).name).to.equal(name);
    if (re) expect((e as Error).message).to.match(re);
    return;
  }
  expect.fail(`expected ${name}`);
}

describe('store (classic-level)', function () {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => removeDir(dir));

  it('state and head persist across restarts', async () => {
    let node = await openNode(dir);
    const c = new DevChain(node);
    const a = c.signer(0, 'secp256k1');
    const b = c.signer(1, 'secp256k1');
    await send(node, a, b.address, 1234n);
    const head = { ...node.chain.head };
    const bal = await c.balance(b.address);
    await node.stop();
    node = await openNode(dir);
    expect(node.chain.head.height).to.equal(head.height);
    expect(toHex(node.chain.head.stateRoot)).to.equal(toHex(head.stateRoot));
    expect(await new DevChain(node).balance(b.address)).to.equal(bal);
    await send(node, a, b.address, 1n); // and it keeps producing from there
    expect(node.chain.head.height).to.equal(head.height + 1n);
    await node.stop();
  });

  it('refuses a second process (or handle) on the same data dir: StoreLocked', async () => {
    const node = await openNode(dir);
    try {
      await expectNodeError(openNode(dir), 'StoreLocked', /in use by another process/);
    } finally {
      await node.stop();
    }
  });

  async function corrupt(key: Uint8Array, mutate: (v: Uint8Array) => Uint8Array): Promise<void> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const v = await db.get(key);
    await db.put(key, mutate(v!));
    await db.close();
  }

  it('refuses a corrupt head record: CorruptStore', async () => {
    const node = await openNode(dir);
    await send(node, new DevChain(node).signer(0, 'secp256k1'), new DevChain(node).signer(1).address, 1n);
    await node.stop();
    await corrupt(K.head, (v) => {
      const c = v.slice();
      c[c.length - 1]! ^= 1;
      return c;
    });
    await expectNodeError(openNode(dir), 'CorruptStore', /head record is corrupt/);
  });

  it('refuses a stored block with a flipped byte: CorruptStore', async () => {
    const node = await openNode(dir);
    const c = new DevChain(node);
    await send(node, c.signer(0, 'secp256k1'), c.signer(1).address, 1n);
    await send(node, c.signer(0, 'secp256k1'), c.signer(1).address, 2n);
    await node.stop();
    await corrupt(K.block(1n), (v) => {
      const x = v.slice();
      x[60]! ^= 0x01;
      return x;
    });
    await expectNodeError(openNode(dir), 'CorruptStore', /block 1/);
  });

  it('refuses a missing state root node: CorruptStore', async () => {
    const node = await openNode(dir);
    const root = node.chain.head.stateRoot;
    await node.stop();
    await corrupt(K.node(root), (v) => v.subarray(1));
    await expectNodeError(openNode(dir), 'CorruptStore', /state trie root/);
  });

  it('refuses an explicit genesis that differs from the stored one: GenesisMismatch', async () => {
    const node = await openNode(dir);
    await node.stop();
    await expectNodeError(openNode(dir, { genesis: devGenesis({ chainId: 999 }), explicitGenesis: true }), 'GenesisMismatch');
  });

  it('snapshot and revert restore the earlier state, head and balances', async () => {
    const node = await openNode(dir);
    const c = new DevChain(node);
    const a = c.signer(2, 'secp256k1');
    const b = c.signer(3, 'secp256k1');
    await send(node, a, b.address, 5n);
    const snap = node.snapshot();
    const before = { ...node.chain.head };
    const balB = await c.balance(b.address);
    await send(node, a, b.address, 6n);
    await send(node, a, b.address, 7n);
    expect(await node.revert(snap)).to.equal(true);
    expect(node.chain.head.height).to.equal(before.height);
    expect(toHex(node.chain.head.stateRoot)).to.equal(toHex(before.stateRoot));
    expect(await c.balance(b.address)).to.equal(balB);
    expect(await node.chain.getBlock(before.height + 1n)).to.equal(undefined);
    expect(await node.revert(snap)).to.equal(false); // consumed
    // The chain continues from the reverted head, with the nonce back where it was.
    await send(node, a, b.address, 8n);
    expect(node.chain.head.height).to.equal(before.height + 1n);
    await node.stop();
  });

  it('gives Merkle Patricia proofs of inclusion and exclusion that verify against the state root', async () => {
    const node = await openNode(dir);
    const c = new DevChain(node);
    const a = c.signer(4, 'secp256k1');
    const incl = await node.chain.stateProof(accountStateKey(a.address));
    expect(incl.value).to.not.equal(null);
    const verified = await verifyStateProof(node.chain.head.stateRoot, accountStateKey(a.address), incl.proof);
    expect(toHex(verified!)).to.equal(toHex(incl.value!));
    const nobody = '0x' + '77'.repeat(20);
    const excl = await node.chain.stateProof(accountStateKey(nobody as never));
    expect(excl.value).to.equal(null);
    expect(await verifyStateProof(node.chain.head.stateRoot, accountStateKey(nobody as never), excl.proof)).to.equal(null);
    // A proof does not verify against another root.
    await send(node, a, c.signer(5).address, 1n);
    let threw = false;
    try {
      const v = await verifyStateProof(node.chain.head.stateRoot, accountStateKey(a.address), incl.proof);
      threw = v === null || toHex(v) !== toHex(incl.value!);
    } catch {
      threw = true;
    }
    expect(threw).to.equal(true);
    await node.stop();
  });

  it('after many blocks, every live state key is provable from the on-disk trie of a reopened node', async () => {
    let node = await openNode(dir);
    const c = new DevChain(node);
    for (let b = 0; b < 12; b++) {
      for (let i = 0; i < 4; i++) await c.submit(c.signer(i, 'secp256k1'), 'lux', 'transfer', { to: signerAddress(b * 4 + i), amount: BigInt(b + 1) });
      await node.mine(1);
    }
    const root = toHex(node.chain.head.stateRoot);
    await node.stop();
    node = await openNode(dir); // cold caches: the trie is read from LevelDB
    try {
      expect(toHex(node.chain.head.stateRoot)).to.equal(root);
      const db = node.chain.store.db;
      let checked = 0;
      for await (const [k, v] of db.iterator({ gte: new Uint8Array([0x73]), lt: new Uint8Array([0x74]) })) {
        const key = k.subarray(1);
        const p = await node.chain.stateProof(key);
        expect(p.value && toHex(p.value), toHex(key)).to.equal(toHex(v));
        checked++;
      }
      expect(checked).to.be.greaterThan(60);
    } finally {
      await node.stop();
    }
  });

  it('writes each block in one batch with everything it changes', async () => {
    const batches: number[] = [];
    const node = await openNode(dir, { store: { beforeWrite: (ops) => void batches.push(ops.length) } });
    const c = new DevChain(node);
    expect(batches).to.have.length(1); // genesis
    await send(node, c.signer(6, 'secp256k1'), c.signer(7).address, 9n);
    expect(batches).to.have.length(2); // exactly one more for block 1
    const kinds = new Set<number>();
    const keys: Uint8Array[] = [];
    await node.stop();
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    for await (const k of db.keys()) keys.push(k);
    await db.close();
    for (const k of keys) kinds.add(k[0]!);
    for (const p of ['H', 'b', 'h', 'r', 'd', 't', 's', 'n']) expect(kinds.has(p.charCodeAt(0)), p).to.equal(true);
  });
});


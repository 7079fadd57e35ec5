/**
 * The per-block kernel round (spec §2.8 [P]) and the model registry (K2) through transactions:
 * the header's `aivm.state` root chains block to block exactly as epoch_transition defines it,
 * epochs close at their boundary, model ops are owner-authorised and land in the registry root,
 * and each block's inference artifacts become one chained audit anchor. Expected roots are
 * recomputed here from the spec's leaf layouts, independently of the kernels.
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { addressBytes, type DevChain, type Signer } from '../../sdk/chain.js';
import { Mode } from '../../sdk/aivm/index.js';
import { accountsOf, aivmChain, at, checkConservation, failed, fundedSigners, h32, head, ok, ONE, type Call } from './harness.js';
import { input, keccak, modelFile } from './models-fixture.js';

const K = (...parts: Uint8Array[]) => new Uint8Array(keccak_256(Buffer.concat(parts)));
const le = (v: bigint | number, n: number) => {
  const b = Buffer.alloc(n);
  if (n === 8) b.writeBigUInt64LE(BigInt(v));
  else b.writeUInt32LE(Number(v));
  return b;
};
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** FNV-style slot of a 32-byte key in a power-of-two arena (spec §2.6). */
function slotOf(key: Uint8Array, slots: number): number {
  const k = dv(key).getBigUint64(0, true);
  const x = ((0xcbf29ce484222325n ^ k) * 0x100000001b3n) & ((1n << 64n) - 1n);
  return Number(x & 0xffffffffn) & (slots - 1);
}

function fold(leaves: Uint8Array[]): Uint8Array {
  let acc: Uint8Array = new Uint8Array(32);
  for (const leaf of leaves) acc = K(acc, K(leaf));
  return acc;
}

interface Epoch {
  currentEpoch: bigint;
  active: bigint;
  modelCount: number;
  expired: number;
  attRoot: Uint8Array;
  modelRoot: Uint8Array;
  auditRoot: Uint8Array;
  stateRoot: Uint8Array;
}
function decodeEpoch(b: Uint8Array): Epoch {
  const v = dv(b);
  return {
    currentEpoch: v.getBigUint64(0, true),
    active: v.getBigUint64(16, true),
    modelCount: v.getUint32(24, true),
    expired: v.getUint32(28, true),
    attRoot: b.slice(32, 64),
    modelRoot: b.slice(64, 96),
    auditRoot: b.slice(96, 128),
    stateRoot: b.slice(128, 160),
  };
}

describe('aivm round: state root, epochs, model registry, audit anchors', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let owner: Signer, other: Signer, requester: Signer, challenger: Signer;
  let ops: Signer[];
  let accounts: string[];
  let supply: bigint;
  const check = async () => {
    supply = await checkConservation(chain, accounts as never, supply);
  };
  const file = modelFile('round');
  const root = h32(0x3a);
  const modelSlots = 512;

  before(async () => {
    chain = await aivmChain({ epochBlocks: '7', postBlocks: '5', challengeWindowBlocks: '10', minChallengeWindowBlocks: '2' });
    [owner, other, requester, challenger] = await fundedSigners(chain, 'r-people', 4, 100n * ONE);
    ops = await fundedSigners(chain, 'r-ops', 3);
    accounts = accountsOf(chain, [owner!, other!, requester!, challenger!, ...ops]);
    supply = await checkConservation(chain, accounts as never);
  });
  after(async () => chain?.stop());

  const epochAt = async () => decodeEpoch((await chain.call<Uint8Array>('aivm', 'epochState'))!);
  const resultAt = async () => (await chain.call<Uint8Array>('aivm', 'roundResult'))!;
  const headerRoot = async (h: bigint) => (await chain.node.chain.getBlock(h))!.header.extraRoots.find(([n]) => n === 'aivm.state')![1];

  it('every block chains aivm_state_root = K(parent ‖ roots ‖ u64 epoch ‖ u32 active ‖ u32 models ‖ u32 anchors) into its header', async () => {
    let prev = await headerRoot(head(chain));
    for (let i = 0; i < 3; i++) {
      await chain.mine(1);
      const h = head(chain);
      const e = await epochAt();
      const anchors = dv(await resultAt()).getUint32(28, true);
      const want = K(prev, e.attRoot, e.modelRoot, e.auditRoot, le(e.currentEpoch, 8), le(e.active, 4), le(e.modelCount, 4), le(anchors, 4));
      expect(e.stateRoot).to.deep.equal(want);
      expect(await headerRoot(h)).to.deep.equal(want);
      expect(await chain.call('aivm', 'stateRoot')).to.deep.equal(want);
      prev = want;
    }
  });

  it('the epoch advances at multiples of epochBlocks and says so in an event', async () => {
    const before = (await epochAt()).currentEpoch;
    const h = head(chain);
    const boundary = h + (7n - (h % 7n));
    while (head(chain) < boundary - 1n) await chain.mine(1);
    expect((await epochAt()).currentEpoch).to.equal(before);
    await chain.mine(1);
    expect((await epochAt()).currentEpoch).to.equal(before + 1n);
    const evs = await chain.node.chain.getEvents({ fromHeight: boundary, toHeight: boundary, name: 'EpochClosed' });
    expect(evs).to.have.length(1);
  });

  describe('model registry (provenance_apply through transactions)', () => {
    const modelLeaf = (m: { root: Uint8Array; weight: Uint8Array; license: Uint8Array; owner: string; version: bigint; params: bigint; modality: number }) =>
      Buffer.concat([m.root, m.weight, m.license, addressBytes(m.owner as never), le(m.version, 8), le(m.params, 8), le(m.modality, 4), le(slotOf(m.root, modelSlots), 4)]);

    it('register: version 1, the registry root is the fold over the occupied slot', async () => {
      const [r] = await at(chain, head(chain) + 1n, [[owner, 'registerModel', { modelRoot: root, weightHash: keccak(file), licenseRoot: h32(1), parameterCount: 545n, modality: 1, file }]], check);
      ok(r!);
      const e = await epochAt();
      expect(e.modelCount).to.equal(1);
      expect(e.modelRoot).to.deep.equal(fold([modelLeaf({ root, weight: keccak(file), license: h32(1), owner: owner.address, version: 1n, params: 545n, modality: 1 })]));
      expect(dv(await resultAt()).getUint32(8, true)).to.equal(1); // model_apply_count
      const m = await chain.call<{ record: { executable: boolean; version: bigint } }>('aivm', 'getModel', { modelRoot: root });
      expect(m.record.executable).to.equal(true);
    });

    it('owner-only updates: weights (version 2), license, transfer (owner changes, weights do not)', async () => {
      const file2 = modelFile('round-2');
      const rs = await at(
        chain,
        head(chain) + 1n,
        [
          [other, 'updateModelWeights', { modelRoot: root, weightHash: keccak(file2), parameterCount: 0n, file: file2 }],
          [owner, 'updateModelWeights', { modelRoot: root, weightHash: keccak(file2), parameterCount: 0n, file: file2 }],
          [owner, 'updateModelLicense', { modelRoot: root, licenseRoot: h32(2) }],
          [owner, 'transferModel', { modelRoot: root, newOwner: other.address }],
          [owner, 'updateModelLicense', { modelRoot: root, licenseRoot: h32(3) }],
          [other, 'transferModel', { modelRoot: h32(0x3b), newOwner: owner.address }],
        ],
        check,
      );
      failed(rs[0]!, 'NotModelOwner');
      ok(rs[1]!);
      ok(rs[2]!);
      ok(rs[3]!);
      failed(rs[4]!, 'NotModelOwner'); // no longer the owner after the transfer in the same block
      failed(rs[5]!, 'ModelUnknown');
      expect(dv(await resultAt()).getUint32(8, true)).to.equal(3);
      const e = await epochAt();
      expect(e.modelRoot).to.deep.equal(fold([modelLeaf({ root, weight: keccak(file2), license: h32(2), owner: other.address, version: 2n, params: 545n, modality: 1 })]));
    });

    it('bad model registrations are refused', async () => {
      const bad = new Uint8Array(file);
      bad[0] ^= 1;
      const shifty = modelFile('round');
      shifty[628] = 40; // shift1 outside 0..31
      const rs = await at(
        chain,
        head(chain) + 1n,
        [
          [owner, 'registerModel', { modelRoot: new Uint8Array(32), weightHash: h32(1), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file: new Uint8Array(0) }],
          [owner, 'registerModel', { modelRoot: h32(0x40), weightHash: new Uint8Array(32), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file: new Uint8Array(0) }],
          [owner, 'registerModel', { modelRoot: h32(0x41), weightHash: h32(1), licenseRoot: h32(1), parameterCount: 1n, modality: 4, file: new Uint8Array(0) }],
          [owner, 'registerModel', { modelRoot: h32(0x42), weightHash: keccak(bad), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file: bad }],
          [owner, 'registerModel', { modelRoot: h32(0x43), weightHash: keccak(shifty), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file: shifty }],
          [owner, 'registerModel', { modelRoot: h32(0x44), weightHash: h32(9), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file }],
          [owner, 'registerModel', { modelRoot: root, weightHash: h32(9), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file: new Uint8Array(0) }],
          [other, 'transferModel', { modelRoot: root, newOwner: '0x' + '00'.repeat(20) }],
        ],
        check,
      );
      ['EmptyModelRoot', 'EmptyWeightHash', 'UnknownModality', 'InvalidModelFile', 'InvalidShift', 'WeightHashMismatch', 'NotModelOwner', 'InvalidOwner'].forEach((name, i) => failed(rs[i]!, name));
      expect(dv(await resultAt()).getUint32(8, true)).to.equal(0);
      expect((await epochAt()).modelCount).to.equal(1);
    });
  });

  describe('audit anchors', () => {
    it("a block with inference artifacts appends one anchor chained to the previous one; blocks without add none", async () => {
      const spec = h32(0x5c);
      const calls: Call[] = [[owner, 'registerModel', { modelRoot: spec, weightHash: keccak(file), licenseRoot: h32(1), parameterCount: 545n, modality: 0, file }]];
      ops.forEach((o, i) => calls.push([o, 'registerProvider', { stake: ONE, spec, endpoint: h32(i + 1), gpuModel: 'A100' }]));
      (await at(chain, head(chain) + 1n, calls, check)).forEach(ok);
      const countBefore = (await chain.call<Uint8Array[]>('aivm', 'getAnchors', { offset: 0, limit: 1000 })).length;
      const x = input('anchor');
      const [created] = await at(chain, head(chain) + 1n, [[requester, 'submitTask', { mode: Mode.Optimistic, spec, prompt: keccak(x), input: x, n: 1, threshold: 1, reward: ONE, fee: 10n ** 16n }]], check);
      ok(created!);
      const v = await chain.call<{ selected: string[] }>('aivm', 'getTask', { id: created!.result });
      const assigned = ops.find((o) => o.address === v.selected[0])!;
      const h1 = head(chain) + 1n;
      ok((await at(chain, h1, [[assigned, 'submitResult', { taskId: created!.result, outputHash: h32(0x66), bond: ONE, computeMs: 10n, proof: new Uint8Array(40) }]], check))[0]!);
      await chain.mine(1); // no artifacts
      const h2 = head(chain) + 1n;
      const [ch] = await at(chain, h2, [[challenger, 'challenge', { taskId: created!.result, claimedOutput: h32(0x67), bond: ONE }]], check);
      ok(ch!);
      const anchors = await chain.call<Uint8Array[]>('aivm', 'getAnchors', { offset: 0, limit: 1000 });
      expect(anchors.length).to.equal(countBefore + 2);
      const [a1, a2] = anchors.slice(-2).map((a) => ({ commit: a.slice(0, 32), parent: a.slice(32, 64), vset: a.slice(64, 96), height: dv(a).getBigUint64(96, true), occupied: dv(a).getUint32(112, true) }));
      expect([a1!.height, a2!.height]).to.deep.equal([h1, h2]);
      expect(a2!.parent).to.deep.equal(a1!.commit);
      expect(a1!.occupied).to.equal(1);
      expect(a1!.vset).to.deep.equal(K(addressBytes(chain.node.chain.genesis.producer)));
      const leaves = anchors.map((a, i) => Buffer.concat([a.slice(0, 96), a.slice(96, 104), a.slice(104, 112), le(i, 4)]));
      expect((await epochAt()).auditRoot).to.deep.equal(fold(leaves));
    });
  });
});

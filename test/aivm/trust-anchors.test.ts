/**
 * Rules 2 (issue 13, acceptance 5): the audit-anchor arena never stops and its per-block cost is
 * bounded. On a chain, a 16-slot arena emits `AnchorArenaNearCapacity` and `AnchorArenaFull`, is
 * archived (`AnchorArenaRotated`) and pruned, and anchoring goes on with the commit roots chained
 * across segments; a follower reproduces every root. Then the round is driven directly with its
 * state accesses counted (load-independent): past 4,096 anchors, each block reads exactly what the
 * same block of an early epoch read, while under rules 1 the reads grow with the arena until it
 * fills and anchoring silently stops.
 */
import { expect } from 'chai';
import { importBlock, toHex, type DevChain, type Signer } from '../../sdk/chain.js';
import { startNode } from '../../genesis/index.js';
import { AIVM_RULES, Mode, nearCapacity } from '../../sdk/aivm/index.js';
import { RoundDriver } from '../../bench/aivm-rounds.js';
import { accountsOf, aivmChain, at, checkConservation, fundedSigners, h32, head, ok, ONE, task, type Call } from './harness.js';

const SLOTS = 16;

describe('aivm rules 2: the anchor arena rotates, with capacity events, at a bounded cost per block', function () {
  this.timeout(120_000);

  describe('on a chain (16 slots)', () => {
    let chain: DevChain;
    let requester: Signer;
    let ops: Signer[];
    let accounts: string[];
    let supply: bigint;
    const check = async () => {
      supply = await checkConservation(chain, accounts as never, supply);
    };
    const spec = h32(0xa7);
    const names = new Map<bigint, string[]>(); // system events per block
    let rotationHeight = 0n;
    let auditRootAtRotation: Uint8Array;

    before(async () => {
      chain = await aivmChain({ version: AIVM_RULES.trust, anchorSlots: String(SLOTS), epochBlocks: '1000', postBlocks: '40', challengeWindowBlocks: '100' });
      [requester] = await fundedSigners(chain, 'an-req', 1, 100n * ONE);
      ops = await fundedSigners(chain, 'an-ops', 3);
      accounts = accountsOf(chain, [requester!, ...ops]);
      supply = await checkConservation(chain, accounts as never);
      (await at(chain, head(chain) + 1n, ops.map((o, i): Call => [o, 'registerProvider', { stake: ONE, spec, endpoint: h32(i + 1), gpuModel: 'L4' }]), check)).forEach(ok);
      const created = await at(chain, head(chain) + 1n, Array.from({ length: SLOTS + 3 }, (_, i): Call => [requester!, 'submitTask', { mode: Mode.Optimistic, spec, prompt: h32(0x40 + i), input: new Uint8Array(0), n: 1, threshold: 1, reward: 1n, fee: 10n ** 16n }]), check);
      created.forEach(ok);
      // one post per block: every block has an inference artifact, hence one anchor
      for (const c of created) {
        const id = c.result as Uint8Array;
        const assigned = (await task(chain, id)).selected[0];
        const provider = ops.find((o) => o.address === assigned)!;
        const [p] = await at(chain, head(chain) + 1n, [[provider, 'submitResult', { taskId: id, outputHash: h32(7), bond: ONE, computeMs: 1n, proof: new Uint8Array(32) }]], check);
        ok(p!);
        const h = head(chain);
        const evs = (await chain.node.chain.getReceipts(h))!.systemEvents.map((e) => e.name);
        names.set(h, evs);
        if (evs.includes('AnchorArenaRotated')) {
          rotationHeight = h;
          auditRootAtRotation = (await chain.call<Uint8Array>('aivm', 'epochState'))!.slice(96, 128); // this block's epoch_transition
        }
      }
    });
    after(async () => chain?.stop());

    it('warns at 90 % (15 of 16), says when it is full, archives and prunes the full segment, and anchors on', async () => {
      const at15 = [...names.values()].findIndex((n) => n.includes('AnchorArenaNearCapacity'));
      const at16 = [...names.values()].findIndex((n) => n.includes('AnchorArenaFull'));
      expect(nearCapacity(SLOTS)).to.equal(15);
      expect([at15, at16]).to.deep.equal([14, 15]); // the 15th and 16th anchored blocks
      expect(names.get(rotationHeight)).to.include.members(['AnchorArenaFull', 'AnchorArenaRotated']);
      const rotated = (await chain.node.chain.getEvents({ fromHeight: rotationHeight, toHeight: rotationHeight, name: 'AnchorArenaRotated' }))[0]!;
      expect(rotated).to.not.equal(undefined);
      const arena = await chain.call<any>('aivm', 'anchorArena');
      expect(arena).to.deep.include({ used: 3, capacity: SLOTS, total: BigInt(SLOTS + 3), segments: 1 });
      expect((await chain.call<any>('aivm', 'getStats')).anchors).to.equal(SLOTS + 3);
      expect(await chain.call<Uint8Array[]>('aivm', 'getAnchors', { offset: 0, limit: 100 })).to.have.length(3); // the archived 16 are pruned
    });

    it('the archive keeps the segment\'s audit root (as that block\'s epoch_transition computed it), and the commit roots chain across the rotation', async () => {
      const seg = await chain.call<any>('aivm', 'getAnchorSegment', { index: 0 });
      expect(seg.anchors).to.equal(SLOTS);
      expect(toHex(seg.auditRoot)).to.equal(toHex(auditRootAtRotation));
      expect(seg.lastHeight).to.equal(rotationHeight);
      const [first] = await chain.call<Uint8Array[]>('aivm', 'getAnchors', { offset: 0, limit: 1 });
      expect(toHex(first!.slice(32, 64))).to.equal(toHex(seg.lastCommit)); // parent_root of the new segment's first anchor
      expect(await chain.call('aivm', 'getAnchorSegment', { index: 1 })).to.equal(null);
    });

    it('a follower reproduces every block of the rotating history', async () => {
      const f = await startNode({ memory: true, genesis: chain.node.chain.genesis, produce: false });
      try {
        for (let h = 1n; h <= head(chain); h++) await importBlock(f.chain, f.verifier, (await chain.node.chain.getBlock(h))!);
        expect(toHex(f.head().stateRoot)).to.equal(toHex(chain.node.head().stateRoot));
      } finally {
        await f.stop();
      }
    });
  });

  describe('work per block, counted (the round driven directly)', () => {
    const small = { attestationSlots: '16', modelSlots: '16' };

    it('rules 2: past 4,096 anchors a block reads exactly what the same block of an early epoch read, and pruned state stays bounded', async () => {
      const d = new RoundDriver({ version: '2', ...small, anchorSlots: String(SLOTS), epochBlocks: '10' });
      const reads: number[] = [];
      const writes: number[] = [];
      let keysEarly = 0;
      for (let i = 1; i <= 4_300; i++) {
        const w = await d.round(1);
        reads.push(w.reads);
        writes.push(w.writes);
        if (i === 300) keysEarly = d.state.size;
      }
      const arena = await d.arena();
      expect(arena.total).to.equal(4_300n);
      expect(arena.segments).to.equal(430);
      // the same position in the epoch costs the same, whatever was anchored before
      expect(reads.slice(4_200, 4_300)).to.deep.equal(reads.slice(200, 300));
      expect(writes.slice(4_200, 4_300)).to.deep.equal(writes.slice(200, 300));
      expect(Math.max(...reads)).to.be.at.most(Math.max(...reads.slice(0, 100)));
      // pruned: only one archive record per finished segment remains
      expect(d.state.size - keysEarly).to.equal(430 - 30);
      expect(d.events.filter((e) => e.name === 'AnchorArenaRotated')).to.have.length(430);
    });

    it('rules 1: reads grow with every anchor until the arena is full, then anchoring stops without a word', async () => {
      const d = new RoundDriver({ version: '1', ...small, anchorSlots: '64' });
      const reads: number[] = [];
      for (let i = 1; i <= 100; i++) reads.push((await d.round(1)).reads);
      expect(reads[63]! - reads[9]!).to.equal(54); // one more anchor read per anchored block
      expect((await d.arena()).used).to.equal(64);
      expect(reads[99]).to.equal(reads[70]); // full: the same maximal cost every block
      expect(d.events.map((e) => e.name).filter((n) => n.startsWith('AnchorArena'))).to.deep.equal([]);
    });
  });
});

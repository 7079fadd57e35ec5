/** CommittedState's key index: a key it does not hold is absent, without a LevelDB read. */
import { expect } from 'chai';
import fc from 'fast-check';
import { Store, toHex } from '../../sdk/chain.js';
import { CommittedState, flatStateOps } from '../../chain/state/overlay.js';

type Write = [Uint8Array, Uint8Array | undefined];

/** Counts the store's reads. */
function counting(store: Store): { reads: () => number } {
  let reads = 0;
  const get = store.get.bind(store);
  const getMany = store.getMany.bind(store);
  store.get = (k) => (reads++, get(k));
  store.getMany = (ks) => ((reads += ks.length), getMany(ks));
  return { reads: () => reads };
}

const key = (i: number) => Uint8Array.of(0x4c, 0x55, i);

describe('CommittedState key index', () => {
  it('answers like LevelDB after any sequence of committed writes and deletions, reading LevelDB only for live keys (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.option(fc.uint8Array({ minLength: 1, maxLength: 4 }))), { maxLength: 6 }), { maxLength: 8 }),
        async (blocks) => {
          const store = await Store.open();
          const indexed = new CommittedState(store);
          expect(await indexed.indexKeys()).to.equal(true);
          const reads = counting(store);
          for (const block of blocks) {
            const dedup = new Map<number, Uint8Array | undefined>(block.map(([k, v]) => [k, v ?? undefined]));
            const writes: Write[] = [...dedup].map(([k, v]) => [key(k), v]);
            await store.write(flatStateOps(writes));
            indexed.applyCommitted(writes);
          }
          const truth = new CommittedState(store); // no index, empty cache: every answer from LevelDB
          const before = reads.reads();
          for (let i = 0; i < 16; i++) {
            const got = await indexed.get(key(i));
            const want = await truth.get(key(i));
            expect(got === undefined ? null : toHex(got)).to.equal(want === undefined ? null : toHex(want));
          }
          // All 16 reads were the reference's: the indexed view never asked LevelDB.
          expect(reads.reads() - before).to.equal(16);
          // A fresh index over the same store agrees, and reads LevelDB for live keys only.
          const fresh = new CommittedState(store);
          await fresh.indexKeys();
          const live = (await Promise.all([...Array(16).keys()].map((i) => truth.get(key(i))))).filter((v) => v !== undefined).length;
          const r0 = reads.reads();
          const many = await fresh.getMany([...Array(16).keys()].map(key));
          expect(reads.reads() - r0).to.equal(live);
          expect(many.filter((v) => v !== undefined).length).to.equal(live);
          await store.close();
        },
      ),
      { seed: 5, numRuns: 15 },
    );
  });

  it('past its limit the index is dropped and LevelDB answers', async () => {
    const store = await Store.open();
    await store.write(flatStateOps([[key(1), Uint8Array.of(1)], [key(2), Uint8Array.of(2)], [key(3), Uint8Array.of(3)]]));
    const state = new CommittedState(store);
    expect(await state.indexKeys(2)).to.equal(false);
    expect(state.indexedKeys).to.equal(undefined);
    const reads = counting(store);
    expect(toHex((await state.get(key(3)))!)).to.equal('0x03');
    expect(await state.get(key(9))).to.equal(undefined);
    expect(reads.reads()).to.equal(2);
    expect(await state.indexKeys(3)).to.equal(true);
    expect(state.indexedKeys).to.equal(3);
    await store.close();
  });
});

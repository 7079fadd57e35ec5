/** The open-addressing arenas: FNV-style home slot, linear probing, insert semantics, full/missing. */
import { expect } from 'chai';
import fc from 'fast-check';
import * as g from '../../gpu/index.js';
import { pattern } from './fixtures.js';

/** The spec's formula, literally, in 64-bit BigInt arithmetic. */
function specIndex(digest: Uint8Array, slots: number): number {
  let key = 0n;
  for (let i = 0; i < 8; i++) key |= BigInt(digest[i]!) << BigInt(8 * i);
  const h = BigInt.asUintN(64, (0xcbf29ce484222325n ^ key) * 0x100000001b3n);
  return Number(h & 0xffffffffn) & (slots - 1);
}

function digestWithKey(key: bigint, tail = 0x11): Uint8Array {
  const d = new Uint8Array(32);
  for (let i = 0; i < 8; i++) d[i] = Number((key >> BigInt(8 * i)) & 0xffn);
  d[31] = tail;
  return d;
}

const MODEL = g.MODEL_ARENA;
const slotRoot = (table: Uint8Array, idx: number) => table.slice(idx * MODEL.slotSize, idx * MODEL.slotSize + 32);
const occupiedFlag = (table: Uint8Array, idx: number) => g.decodeModelRegistryEntry(table, idx).occupied;

describe('gpu arenas', () => {
  it('home slot equals the 64-bit FNV formula for any key and power-of-two size (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 31 }), (d, bits) => {
        const slots = 2 ** bits;
        expect(g.homeSlot(d, 0, slots)).to.equal(specIndex(d, slots));
      }),
      { numRuns: 500 },
    );
  });

  it('home slot of small keys (worked examples)', () => {
    // key 0: 0xcbf29ce484222325 * 0x100000001b3 mod 2^64 = 0xaf63bd4c8601b7df (computed with Python ints)
    expect(specIndex(digestWithKey(0n), 2 ** 31)).to.equal(0x0601b7df);
    expect(g.homeSlot(digestWithKey(0n), 0, 2 ** 31)).to.equal(0x0601b7df);
    expect(g.homeSlot(digestWithKey(0n), 0, 512)).to.equal(0x1df);
    expect(g.homeSlot(digestWithKey(1n), 0, 512)).to.equal(specIndex(digestWithKey(1n), 512));
  });

  it('insert claims the home slot, zeroes it, writes key and occupied = 1; lookup finds it', () => {
    const table = g.ModelRegistryEntry.alloc(16).fill(0xee);
    // mark all slots free again (occupied = 0) but leave garbage elsewhere
    for (let i = 0; i < 16; i++) table.fill(0, i * 160 + 140, i * 160 + 144);
    const key = pattern(32, (i) => 3 * i + 1);
    const idx = g.locate(table, MODEL, key, 0, true);
    expect(idx).to.equal(specIndex(key, 16));
    const entry = g.decodeModelRegistryEntry(table, idx);
    expect(entry.modelRoot).to.deep.equal(key);
    expect(entry.occupied).to.equal(1);
    expect(entry.version).to.equal(0n);
    expect(entry.weightHash.every((b) => b === 0)).to.equal(true);
    expect(table.subarray(idx * 160 + 144, idx * 160 + 160).every((b) => b === 0)).to.equal(true);
    expect(g.locate(table, MODEL, key, 0, false)).to.equal(idx);
    expect(g.locate(table, MODEL, key, 0, true)).to.equal(idx);
  });

  it('a missing key without insert returns 0xFFFFFFFF and writes nothing', () => {
    const table = g.ModelRegistryEntry.alloc(8);
    expect(g.locate(table, MODEL, pattern(32, (i) => i + 9), 0, false)).to.equal(g.NO_SLOT);
    expect(table.every((b) => b === 0)).to.equal(true);
    expect(g.NO_SLOT).to.equal(0xffffffff);
  });

  it('colliding keys probe linearly (+1, wrapping) and stay findable', () => {
    const slots = 8;
    const k1 = digestWithKey(1n, 0x11);
    const home = specIndex(k1, slots);
    let k2key = 2n;
    while (specIndex(digestWithKey(k2key), slots) !== home) k2key++;
    const k2 = digestWithKey(k2key, 0x22);
    const table = g.ModelRegistryEntry.alloc(slots);
    expect(g.locate(table, MODEL, k1, 0, true)).to.equal(home);
    expect(g.locate(table, MODEL, k2, 0, true)).to.equal((home + 1) % slots);
    expect(g.locate(table, MODEL, k2, 0, false)).to.equal((home + 1) % slots);
    // same first 8 bytes, different digest: a different entry
    const k1b = digestWithKey(1n, 0x33);
    expect(g.locate(table, MODEL, k1b, 0, true)).to.equal((home + 2) % slots);
  });

  it('a full table returns 0xFFFFFFFF for a new key (insert or not) and still finds old ones', () => {
    const slots = 4;
    const table = g.ModelRegistryEntry.alloc(slots);
    const keys = [1, 2, 3, 4].map((s) => pattern(32, (i) => s * 29 + i + 1));
    const idxs = keys.map((k) => g.locate(table, MODEL, k, 0, true));
    expect([...idxs].sort()).to.deep.equal([0, 1, 2, 3]);
    const before = table.slice();
    const extra = pattern(32, (i) => 200 + i);
    expect(g.locate(table, MODEL, extra, 0, true)).to.equal(g.NO_SLOT);
    expect(g.locate(table, MODEL, extra, 0, false)).to.equal(g.NO_SLOT);
    expect(table).to.deep.equal(before);
    keys.forEach((k, i) => expect(g.locate(table, MODEL, k, 0, false)).to.equal(idxs[i]));
  });

  it('an empty table has no slot', () => {
    expect(g.locate(new Uint8Array(0), MODEL, new Uint8Array(32).fill(1), 0, true)).to.equal(g.NO_SLOT);
  });

  it('invariants under random inserts: distinct keys get distinct slots, each reachable from its home without a gap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 40 }),
        (bits, keys) => {
          const slots = 2 ** bits;
          const table = g.ModelRegistryEntry.alloc(slots);
          const distinct = [...new Map(keys.map((k) => [Buffer.from(k).toString('hex'), k])).values()];
          const placed = new Map<string, number>();
          for (const k of distinct) {
            const idx = g.locate(table, MODEL, k, 0, true);
            if (placed.size < slots) {
              expect(idx).to.not.equal(g.NO_SLOT);
              placed.set(Buffer.from(k).toString('hex'), idx);
            } else expect(idx).to.equal(g.NO_SLOT);
          }
          const used = [...placed.values()];
          expect(new Set(used).size).to.equal(used.length);
          let count = 0;
          for (let i = 0; i < slots; i++) count += occupiedFlag(table, i);
          expect(count).to.equal(placed.size);
          for (const [h, idx] of placed) {
            const k = Buffer.from(h, 'hex');
            expect(Buffer.from(slotRoot(table, idx)).toString('hex')).to.equal(h);
            // every slot from home up to idx (cyclically) is occupied
            for (let j = specIndex(k, slots); j !== idx; j = (j + 1) % slots) expect(occupiedFlag(table, j)).to.equal(1);
            expect(g.locate(table, MODEL, k, 0, false)).to.equal(idx);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('isPowerOfTwo', () => {
    expect([1, 2, 512, 1024, 2 ** 31].every(g.isPowerOfTwo)).to.equal(true);
    expect([0, 3, 6, 1000, -2, 1.5].some(g.isPowerOfTwo)).to.equal(false);
  });
});

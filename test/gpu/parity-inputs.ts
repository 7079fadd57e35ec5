/**
 * fast-check generators for the backend parity suite: kernel arguments in the §2.7 layouts that
 * hit the edge cases of spec §2.6 — full tables, keys sharing a home slot (probe collisions),
 * re-used keys, occupied flags other than 1, expiries at / around the round time and at 2^64-1,
 * epoch + 1 wrapping, version saturation, shifts of 31, int32 accumulators that wrap, clamping,
 * out-of-range input and output offsets, aliased outputs, op counts above and below the batch,
 * and empty arenas and zero-length batches.
 */
import fc from 'fast-check';
import * as g from '../../gpu/index.js';

export const TS = 1_700_000_000_000_000_000n;
const U64_MAX = (1n << 64n) - 1n;

export const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 31, 32, 0x7fffffff, 0xffffffff), fc.nat({ max: 0xffffffff }));
const u64 = fc.oneof(fc.constantFrom(0n, 1n, TS - 1n, TS, TS + 1n, U64_MAX - 1n, U64_MAX), fc.bigInt({ min: 0n, max: U64_MAX }));
/** An occupied flag: "!= 0" counts, so values other than 1 appear too. */
const occupiedFlag = fc.constantFrom(0, 0, 1, 1, 1, 0x80000000, 7);

/**
 * A pool of 32-byte keys: a zero key, random keys, and keys that share their first four bytes (so
 * the same home slot in every arena size) but differ after them.
 */
export const keyPool = fc.tuple(fc.array(bytes(32), { minLength: 1, maxLength: 4 }), bytes(4), fc.integer({ min: 2, max: 4 })).map(([random, prefix, k]) => {
  const colliding = Array.from({ length: k }, (_, i) => {
    const key = new Uint8Array(32).fill(i + 1);
    key.set(prefix, 0);
    return key;
  });
  return [new Uint8Array(32), ...random, ...colliding];
});

const pick = (pool: Uint8Array[], i: number) => pool[i % pool.length]!;
export const slotCounts = fc.constantFrom(0, 1, 2, 4, 8, 16, 32);

/** Round descriptor: op counts below, at or far above the batch; timestamps and epochs at their edges. */
export const descriptor = (n: { att?: number; model?: number; anchor?: number }) =>
  fc
    .record({
      chainId: u64,
      round: u64,
      timestampNs: fc.constantFrom(0n, 1n, TS, U64_MAX),
      epoch: fc.constantFrom(0n, 7n, U64_MAX - 1n, U64_MAX),
      mode: fc.constantFrom(0, 1, 2, 3, 4, 9),
      closingFlag: fc.constantFrom(0, 1, 0xffffffff),
      parentAivmRoot: bytes(32),
      counts: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.nat({ max: 3 })),
    })
    .map(({ counts, ...d }) => {
      const count = (total: number | undefined, pickCount: number) => [total ?? 0, 0, Math.max(0, (total ?? 0) - 1), 0xffffffff][pickCount]!;
      return g.encodeRoundDescriptor({ ...d, attestationOpCount: count(n.att, counts[0]), modelOpCount: count(n.model, counts[1]), anchorOpCount: count(n.anchor, counts[2]) });
    });

const expiry = fc.constantFrom(0n, 1n, TS - 1n, TS, TS + 1n, U64_MAX);

/** `slots` random entries of `size` bytes each, then `write(slot view, entry)` sets the fields that matter. */
function arena<T>(slots: number, size: number, entry: fc.Arbitrary<T & { rest: Uint8Array }>, write: (slot: Uint8Array, dv: DataView, e: T) => void) {
  return fc.array(entry, { minLength: slots, maxLength: slots }).map((entries) => {
    const table = new Uint8Array(slots * size);
    entries.forEach((e, i) => {
      const slot = table.subarray(i * size, (i + 1) * size);
      slot.set(e.rest);
      write(slot, new DataView(table.buffer, i * size, size), e);
    });
    return table;
  });
}

/** An attestation arena with random contents; occupied slots hold pool keys or random ones. */
export const attestationArena = (pool: Uint8Array[], slots: number) =>
  arena(
    slots,
    144,
    fc.record({ key: fc.nat(), own: fc.boolean(), rest: bytes(144), occupied: occupiedFlag, expiryNs: expiry, status: fc.constantFrom(0, 2, 4, 6, 0xffffffff) }),
    (slot, dv, e) => {
      if (!e.own) slot.set(pick(pool, e.key), 0);
      dv.setBigUint64(112, e.expiryNs, true);
      dv.setUint32(132, e.status, true);
      dv.setUint32(136, e.occupied, true);
    },
  );

export const attestationOps = (pool: Uint8Array[]) =>
  fc
    .array(
      fc.record({
        key: fc.nat(),
        own: fc.boolean(),
        digest: bytes(32),
        measurement: bytes(32),
        attestingKey: fc.oneof(bytes(48), fc.constant(new Uint8Array(48))),
        expiryNs: expiry,
        kind: u32,
        evidenceOffset: u32,
        evidenceLen: u32,
        epoch: u32,
      }),
      { maxLength: 40 },
    )
    .map((ops) => g.encodeAttestationOp(ops.map(({ key, own, digest, ...o }) => ({ ...o, teeQuoteDigest: own ? digest : pick(pool, key) }))));

export const modelArena = (pool: Uint8Array[], slots: number) =>
  arena(slots, 160, fc.record({ key: fc.nat(), rest: bytes(160), occupied: occupiedFlag, version: fc.constantFrom(0n, 1n, U64_MAX - 1n, U64_MAX) }), (slot, dv, e) => {
    slot.set(pick(pool, e.key), 0);
    dv.setBigUint64(120, e.version, true);
    dv.setUint32(140, e.occupied, true);
  });

export const modelOps = (pool: Uint8Array[]) =>
  fc
    .array(
      fc.record({
        root: fc.nat(),
        weightHash: fc.oneof(bytes(32), fc.constant(new Uint8Array(32))),
        licenseRoot: bytes(32),
        ownerAddr: bytes(20),
        parameterCount: fc.constantFrom(0n, 1n, U64_MAX),
        modality: u32,
        kind: fc.constantFrom(0, 0, 1, 1, 2, 3, 4, 0xffffffff),
        epoch: u32,
      }),
      { maxLength: 40 },
    )
    .map((ops) => g.encodeModelOp(ops.map(({ root, ...o }) => ({ ...o, modelRoot: pick(pool, root) }))));

/** An anchor arena: a prefix of chained anchors, then free slots, sometimes an occupied slot after a gap. */
export const anchorArena = (slots: number) =>
  fc.tuple(fc.nat({ max: slots }), fc.boolean(), bytes(slots * 128)).map(([filled, gap, noise]) => {
    const table = noise.slice();
    const dv = new DataView(table.buffer);
    for (let i = 0; i < slots; i++) {
      const occupied = i < filled || (gap && i === slots - 1 && filled + 1 < slots);
      dv.setUint32(i * 128 + 112, occupied ? 1 : 0, true);
      if (i < filled) dv.setBigUint64(i * 128 + 96, BigInt(i + 1) * 10n, true);
    }
    return table;
  });

/** Anchor ops chained on the arena's last anchor, with broken links, repeated heights and zero commits mixed in. */
export const anchorOps = (arena: Uint8Array) =>
  fc
    .array(fc.record({ commit: fc.oneof(bytes(32), fc.constant(new Uint8Array(32))), link: fc.constantFrom('chain', 'chain', 'chain', 'wrong'), step: fc.constantFrom(1n, 1n, 0n, 5n), vset: bytes(32), ts: u64, epoch: u32 }), {
      maxLength: 40,
    })
    .map((ops) => {
      const slots = arena.length / 128;
      const dv = new DataView(arena.buffer, arena.byteOffset);
      let cursor = 0;
      while (cursor < slots && dv.getUint32(cursor * 128 + 112, true) !== 0) cursor++;
      let parent = cursor > 0 ? arena.slice((cursor - 1) * 128, (cursor - 1) * 128 + 32) : new Uint8Array(32);
      let height = cursor > 0 ? dv.getBigUint64((cursor - 1) * 128 + 96, true) : 0n;
      return g.encodeAnchorOp(
        ops.map((o) => {
          const op = { commitRoot: o.commit, parentRoot: o.link === 'chain' ? parent : o.vset, validatorSetRootAtCommit: o.vset, height: height + o.step, timestampNs: o.ts, epoch: o.epoch };
          if (o.link === 'chain' && o.step > 0n && o.commit.some((b) => b !== 0)) {
            parent = o.commit;
            height += o.step;
          }
          return op;
        }),
      );
    });

/** Epoch state and result buffers with random contents (the kernel must keep the fields it does not own). */
export const epochBuffers = fc.tuple(bytes(160), bytes(192), fc.constantFrom(0n, 5n, U64_MAX)).map(([epoch, result, current]) => {
  new DataView(epoch.buffer).setBigUint64(0, current, true);
  return { epoch, result };
});

const int8s = (n: number) =>
  fc.oneof(
    fc.array(fc.integer({ min: -128, max: 127 }), { minLength: n, maxLength: n }),
    fc.constantFrom(Array<number>(n).fill(127), Array<number>(n).fill(-128)),
  );
const bias = fc.oneof(fc.constantFrom(0x7fffffff, -0x80000000, 0x7fff0000, -0x7fff0000, 0), fc.integer({ min: -0x80000000, max: 0x7fffffff }));

/** Weights with extreme values (accumulators that wrap, outputs that clamp) and shifts 0..31 (31 often). */
export const weights = fc
  .record({
    w1: int8s(512),
    b1: fc.array(bias, { minLength: 16, maxLength: 16 }),
    w2: int8s(16),
    b2: fc.array(bias, { minLength: 1, maxLength: 1 }),
    shift1: fc.oneof(fc.constantFrom(0, 31, 31, 5), fc.integer({ min: 0, max: 31 })),
    shift2: fc.oneof(fc.constantFrom(0, 31, 31, 5), fc.integer({ min: 0, max: 31 })),
    modelHash: bytes(32),
    modelConfigHash: bytes(32),
  })
  .map((w) => g.encodeInferenceWeights(w));

/** Input rows: random, all +127 or all -128 (saturating). */
export const rows = (n: number) =>
  fc.oneof(bytes(32 * n), fc.constant(new Uint8Array(32 * n).fill(0x7f)), fc.constant(new Uint8Array(32 * n).fill(0x80)));

/** n inference ops against `modelHash`: mismatched models, bad lengths, zero capacity, offsets past the buffers, aliased outputs. */
export const inferenceOps = (n: number, modelHash: Uint8Array) =>
  fc
    .array(
      fc.record({
        model: fc.constantFrom('same', 'same', 'same', 'other'),
        other: bytes(32),
        policyHash: bytes(32),
        salt: bytes(32),
        mode: fc.constantFrom(0, 1, 2, 0xffffffff),
        inputOffset: fc.oneof(fc.nat({ max: Math.max(0, n - 1) }).map((r) => r * 32), fc.constantFrom(32 * n - 32, 32 * n - 31, 32 * n, 0xffffffe0, 0xffffffff), fc.nat({ max: 32 * n })),
        inputLen: fc.constantFrom(32, 32, 32, 31, 33, 0, 0xffffffff),
        outputOffset: fc.oneof(fc.nat({ max: Math.max(0, n - 1) }), fc.constantFrom(n, n + 1, 0xffffffff)),
        outputCapacity: fc.constantFrom(1, 1, 1, 0, 2, 0xffffffff),
        roundId: u64,
        timestampNs: u64,
      }),
      { minLength: n, maxLength: n },
    )
    .map((ops) => g.encodeInferenceOp(ops.map(({ model, other, inputOffset, outputOffset, ...o }) => ({ ...o, modelHash: model === 'same' ? modelHash : other, inputOffset: Math.max(0, inputOffset), outputOffset }))));

export const proofOps = fc
  .array(
    fc.record({
      measurement: fc.oneof(bytes(32), fc.constant(new Uint8Array(32))),
      attestingKey: fc.oneof(bytes(48), fc.constant(new Uint8Array(48))),
      signature: fc.oneof(bytes(96), fc.constant(new Uint8Array(96))),
      messageHash: bytes(32),
      expiryNs: expiry,
      timestampNs: fc.constantFrom(0n, TS, U64_MAX),
      kind: u32,
      nonce: u32,
    }),
    { maxLength: 24 },
  )
  .map((ops) => g.encodeProofVerifyOp(ops));

/**
 * K5 inference_step: the int8 32→16→1 forward pass (int32 wrap-around, arithmetic shift before the
 * clamp, guarded shifts), per-op statuses, the [P] bounds checks, and the commitments. The oracle
 * below computes in exact BigInt arithmetic and wraps to int32 explicitly.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import * as g from '../../gpu/index.js';
import { hex, isZero, mk, pattern } from './fixtures.js';

const wrap32 = (v: bigint) => BigInt.asIntN(32, v);
const clamp = (v: bigint) => (v > 127n ? 127n : v < -128n ? -128n : v);

/** Exact reference: int32 sums wrap after each addition; `>>` on BigInt is a floor shift. */
function oracle(w: g.InferenceWeightsValue, x: ArrayLike<number>): number {
  const h: bigint[] = [];
  for (let i = 0; i < 16; i++) {
    let acc = BigInt(w.b1[i]!);
    for (let k = 0; k < 32; k++) acc = wrap32(acc + BigInt(w.w1[i * 32 + k]!) * BigInt(x[k]!));
    h.push(clamp(acc >> BigInt(w.shift1)));
  }
  let acc = BigInt(w.b2[0]!);
  for (let k = 0; k < 16; k++) acc = wrap32(acc + BigInt(w.w2[k]!) * h[k]!);
  return Number(clamp(acc >> BigInt(w.shift2)));
}

const MODEL = mk(32, 0xc0);

function weights(over: g.InferenceWeightsInput = {}): Uint8Array {
  return g.encodeInferenceWeights({ modelHash: MODEL, modelConfigHash: mk(32, 0xd0), shift1: 0, shift2: 0, ...over });
}

function op(i: number, over: g.InferenceOpInput = {}): g.InferenceOpInput {
  return {
    modelHash: MODEL,
    policyHash: mk(32, 0xe0),
    salt: mk(32, 0xf0 + i),
    mode: 0,
    inputOffset: 32 * i,
    inputLen: 32,
    outputOffset: i,
    outputCapacity: 1,
    roundId: BigInt(i + 1),
    timestampNs: 1_700_000_000_000_000_000n + BigInt(i),
    ...over,
  };
}

interface Run {
  out: Uint8Array;
  results: g.InferenceResultValue[];
}

function run(w: Uint8Array, ops: g.InferenceOpInput[], input: Uint8Array, out = new Uint8Array(ops.length)): Run {
  const results = g.InferenceResult.alloc(ops.length);
  g.inferenceStep(w, g.encodeInferenceOp(ops), input, out, results);
  return { out, results: g.InferenceResult.decodeArray(results) };
}

const i8 = (b: number) => (b << 24) >> 24;
const row = (f: (k: number) => number) => Uint8Array.from({ length: 32 }, (_, k) => f(k) & 0xff);

describe('gpu K5 inference_step', () => {
  describe('arithmetic (worked examples)', () => {
    it('sums, shifts and clamps: all-ones weights and input saturate at 127', () => {
      // h_i = 32 (fits), y = 16 * 32 = 512 → clamp 127
      const w = weights({ w1: new Array(512).fill(1), w2: new Array(16).fill(1) });
      expect(i8(run(w, [op(0)], row(() => 1)).out[0]!)).to.equal(127);
    });

    it('shifts BEFORE clamping: acc 1000 >> 3 = 125 (clamping first would give 127 >> 3 = 15)', () => {
      const w = weights({ b1: [1000, ...new Array(15).fill(0)], w2: [1, ...new Array(15).fill(0)], shift1: 3 });
      // h0 = clamp(1000 >> 3) = 125; y = 125
      expect(i8(run(w, [op(0)], new Uint8Array(32)).out[0]!)).to.equal(125);
    });

    it('the shift is a floor (arithmetic) shift: -1 >> 1 = -1, -5 >> 1 = -3', () => {
      const w = weights({ b2: [-1], shift2: 1 });
      expect(i8(run(w, [op(0)], new Uint8Array(32)).out[0]!)).to.equal(-1);
      const w5 = weights({ b2: [-5], shift2: 1 });
      expect(i8(run(w5, [op(0)], new Uint8Array(32)).out[0]!)).to.equal(-3);
    });

    it('int32 accumulators wrap around (two\'s complement), as Go does', () => {
      // b1[0] = 2^31 - 1, + 1*1 wraps to -2^31 → h0 = -128; y = 1 * -128 = -128
      const w = weights({ b1: [0x7fffffff, ...new Array(15).fill(0)], w1: [1, ...new Array(511).fill(0)], w2: [1, ...new Array(15).fill(0)] });
      expect(i8(run(w, [op(0)], row((k) => (k === 0 ? 1 : 0))).out[0]!)).to.equal(-128);
      // and the other way: -2^31 - 1 wraps to 2^31 - 1 → 127
      const w2 = weights({ b1: [-0x80000000, ...new Array(15).fill(0)], w1: [-1, ...new Array(511).fill(0)], w2: [1, ...new Array(15).fill(0)] });
      expect(i8(run(w2, [op(0)], row((k) => (k === 0 ? 1 : 0))).out[0]!)).to.equal(127);
    });

    it('no activation but the clamp: negative hidden values pass through', () => {
      const w = weights({ b1: [-7, ...new Array(15).fill(0)], w2: [2, ...new Array(15).fill(0)] });
      expect(i8(run(w, [op(0)], new Uint8Array(32)).out[0]!)).to.equal(-14);
    });

    it('inputs are signed int8 and W1 is row-major (W1[i*32 + k])', () => {
      const w1 = new Array(512).fill(0);
      w1[0 * 32 + 31] = 1; // hidden 0 reads input 31
      const w = weights({ w1, w2: [1, ...new Array(15).fill(0)] });
      expect(i8(run(w, [op(0)], row((k) => (k === 31 ? 0xff : 0))).out[0]!)).to.equal(-1);
    });
  });

  it('matches the exact BigInt oracle for random weights, shifts and inputs (property)', () => {
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    const bias = fc.oneof(int32, fc.integer({ min: -300, max: 300 }));
    fc.assert(
      fc.property(
        fc.record({
          w1: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 512, maxLength: 512 }),
          b1: fc.array(bias, { minLength: 16, maxLength: 16 }),
          w2: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 16, maxLength: 16 }),
          b2: fc.array(bias, { minLength: 1, maxLength: 1 }),
          shift1: fc.integer({ min: 0, max: 31 }),
          shift2: fc.integer({ min: 0, max: 31 }),
        }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (params, input) => {
          const w = weights(params);
          const { out, results } = run(w, [op(0), op(1)], input);
          const wv = g.decodeInferenceWeights(w);
          expect(results.map((r) => r.status)).to.deep.equal([0, 0]);
          expect(i8(out[0]!)).to.equal(oracle(wv, new Int8Array(input.buffer, 0, 32)));
          expect(i8(out[1]!)).to.equal(oracle(wv, new Int8Array(input.buffer, 32, 32)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('commitments: in = keccak(salt ‖ 32 input bytes), out = keccak(salt ‖ y); attestation root only when mode ≠ 0', () => {
    const w = weights({ w1: Array.from({ length: 512 }, (_, i) => (i % 9) - 4), w2: Array.from({ length: 16 }, (_, i) => (i % 7) - 3), shift1: 4, shift2: 3 });
    const input = Uint8Array.from({ length: 96 }, (_, i) => ((i % 64) - 32) & 0xff);
    const ops = [op(0, { mode: 0 }), op(1, { mode: 1 }), op(2, { mode: 2 })];
    const { out, results } = run(w, ops, input);
    results.forEach((r, i) => {
      const salt = ops[i]!.salt!;
      const x = input.subarray(32 * i, 32 * i + 32);
      expect(r.status).to.equal(0);
      expect(r.outputLen).to.equal(1);
      const inC = keccak_256(Buffer.concat([salt, x]));
      const outC = keccak_256(Buffer.concat([salt, out.subarray(i, i + 1)]));
      expect(hex(r.inputCommitment)).to.equal(hex(inC));
      expect(hex(r.outputCommitment)).to.equal(hex(outC));
      if (i === 0) expect(isZero(r.attestationRoot)).to.equal(true);
      else {
        const ts = Buffer.alloc(8);
        ts.writeBigUInt64LE(ops[i]!.timestampNs as bigint);
        const att = keccak_256(Buffer.concat([MODEL, inC, outC, ops[i]!.policyHash!, ts]));
        expect(hex(r.attestationRoot)).to.equal(hex(att));
      }
    });
  });

  describe('per-op statuses (the result is zeroed first; the output is not written)', () => {
    const w = weights({ b2: [50] });
    const input = new Uint8Array(64);
    const cases: [string, g.InferenceOpInput, number][] = [
      ['model_hash mismatch → 1', op(1, { modelHash: mk(32, 0x01) }), 1],
      ['input_len ≠ 32 → 2', op(1, { inputLen: 31 }), 2],
      ['input_len 64 → 2', op(1, { inputLen: 64 }), 2],
      ['output_capacity 0 → 3', op(1, { outputCapacity: 0 }), 3],
      ['[P] input row outside batch_in → 2 (Go would panic)', op(1, { inputOffset: 33 }), 2],
      ['[P] input offset near 2^32 → 2', op(1, { inputOffset: 0xffffffff }), 2],
      ['[P] output slot outside batch_out → 3 (Go would panic)', op(1, { outputOffset: 2 }), 3],
    ];
    for (const [what, bad, status] of cases) {
      it(what, () => {
        const out = new Uint8Array([0xaa, 0xaa]);
        const results = g.InferenceResult.alloc(2).fill(0x77);
        g.inferenceStep(w, g.encodeInferenceOp([op(0), bad]), input, out, results);
        const [ok, r] = g.InferenceResult.decodeArray(results);
        expect(ok!.status).to.equal(0);
        expect(out[0]).to.equal(50);
        expect(out[1]).to.equal(0xaa);
        expect(r).to.deep.equal({ status, outputLen: 0, inputCommitment: new Uint8Array(32), outputCommitment: new Uint8Array(32), attestationRoot: new Uint8Array(32) });
        expect(results.subarray(112 + 104, 224).every((b) => b === 0)).to.equal(true);
      });
    }

    it('checks run in Go\'s order: model, input_len, output_capacity, then the [P] bounds', () => {
      const { results } = run(w, [op(0, { modelHash: mk(32, 1), inputLen: 0, outputCapacity: 0 }), op(1, { inputLen: 0, outputCapacity: 0 }), op(1, { outputCapacity: 0, inputOffset: 9999 })], new Uint8Array(96));
      expect(results.map((r) => r.status)).to.deep.equal([1, 2, 3]);
    });
  });

  it('offsets are free: ops may read the same row and write out of order', () => {
    const w = weights({ w1: new Array(512).fill(1), w2: [1, ...new Array(15).fill(0)] });
    const input = Uint8Array.from([...row(() => 1), ...row(() => 2)]);
    const { out } = run(w, [op(0, { inputOffset: 32, outputOffset: 1 }), op(1, { inputOffset: 32, outputOffset: 0 })], input);
    expect([...out]).to.deep.equal([64, 64]);
  });

  describe('refused arguments (nothing is written)', () => {
    const w = weights();
    const ops = g.encodeInferenceOp([op(0)]);
    const cases: [string, () => void, string][] = [
      ['weights not 672 bytes', () => g.inferenceStep(w.subarray(0, 671), ops, new Uint8Array(32), new Uint8Array(1), g.InferenceResult.alloc(1)), 'BufferSizeMismatch'],
      ['ops not whole InferenceOps', () => g.inferenceStep(w, ops.subarray(0, 143), new Uint8Array(32), new Uint8Array(1), g.InferenceResult.alloc(1)), 'BufferSizeMismatch'],
      ['batch_in ≠ 32·n', () => g.inferenceStep(w, ops, new Uint8Array(33), new Uint8Array(1), g.InferenceResult.alloc(1)), 'BatchSizeMismatch'],
      ['batch_out ≠ n', () => g.inferenceStep(w, ops, new Uint8Array(32), new Uint8Array(2), g.InferenceResult.alloc(1)), 'BatchSizeMismatch'],
      ['results ≠ n', () => g.inferenceStep(w, ops, new Uint8Array(32), new Uint8Array(1), g.InferenceResult.alloc(2)), 'BatchSizeMismatch'],
      ['[P] shift1 32', () => g.inferenceStep(weights({ shift1: 32 }), ops, new Uint8Array(32), new Uint8Array(1), g.InferenceResult.alloc(1)), 'InvalidShift'],
      ['[P] shift2 negative', () => g.inferenceStep(weights({ shift2: -1 }), ops, new Uint8Array(32), new Uint8Array(1), g.InferenceResult.alloc(1)), 'InvalidShift'],
    ];
    for (const [what, fn, name] of cases) {
      it(`${what} → ${name}`, () => {
        expect(fn).to.throw(g.GpuError).with.property('name', name);
      });
    }

    it('a refused call leaves outputs and results untouched', () => {
      const out = new Uint8Array([9]);
      const results = g.InferenceResult.alloc(1).fill(5);
      expect(() => g.inferenceStep(weights({ shift1: 40 }), ops, new Uint8Array(32), out, results)).to.throw(g.GpuError);
      expect(out[0]).to.equal(9);
      expect(results.every((b) => b === 5)).to.equal(true);
    });

    it('shifts 0 and 31 are accepted', () => {
      const { results } = run(weights({ shift1: 0, shift2: 31 }), [op(0)], pattern(32, (i) => i));
      expect(results[0]!.status).to.equal(0);
    });
  });

  it('an empty batch is a no-op', () => {
    g.inferenceStep(weights(), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0));
  });
});

/**
 * The 630-byte tiny-classifier model file: the canonical fixture, model_hash and model_config_hash,
 * strict parsing with named errors, and round trips. Golden values were produced by an independent
 * Python transcription of spec §2.7 (LCG, file layout) hashed with noble's keccak.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import * as g from '../../gpu/index.js';
import { hex } from './fixtures.js';

const FIXTURE_MODEL_HASH = '141c98e5dc35422f222b7fab0d06b59f873982ad4f6ff6e8ff6f237d81ed1abf';
const FIXTURE_CONFIG_HASH = 'f092905a7e2fb1ba1ae1b87fa577f252f0b26d0b81113a8eaaaaf78ea0b225cf';

const classifierArb = fc.record({
  w1: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 512, maxLength: 512 }),
  b1: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 16, maxLength: 16 }),
  w2: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 16, maxLength: 16 }),
  b2: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 1 }),
  shift1: fc.integer({ min: 0, max: 31 }),
  shift2: fc.integer({ min: 0, max: 31 }),
});

describe('gpu tiny-classifier model file', () => {
  const file = g.tinyClassifierFixtureFile();

  it('the canonical fixture: 630 bytes, AIVM header, LCG weights, shifts 5/5, known model_hash', () => {
    expect(file.length).to.equal(630);
    expect(Buffer.from(file.subarray(0, 4)).toString('latin1')).to.equal('AIVM');
    expect(hex(file.subarray(4, 32))).to.equal('01000000' + '0200' + '2000' + '1000' + '0100' + '00'.repeat(16));
    const m = g.tinyClassifierFixture();
    expect([...m.w1.subarray(0, 8)]).to.deep.equal([15, -15, -19, 14, -7, -8, 27, -29]);
    expect([...m.b1.subarray(0, 4)]).to.deep.equal([-53, -42, 109, 28]);
    expect([...m.w2.subarray(0, 4)]).to.deep.equal([-26, 21, -10, -16]);
    expect([...m.b2]).to.deep.equal([55]);
    expect([m.shift1, m.shift2]).to.deep.equal([5, 5]);
    expect(m.w1.every((w) => w >= -32 && w <= 32)).to.equal(true);
    expect([...m.b1, ...m.b2].every((b) => b >= -128 && b <= 127)).to.equal(true);
    expect(hex(g.modelHash(file))).to.equal(FIXTURE_MODEL_HASH);
  });

  it('model_config_hash = keccak(u32 32 ‖ u32 16 ‖ shift1 ‖ shift2 ‖ 0x01 ‖ 0x00)', () => {
    expect(hex(g.modelConfigHash(5, 5))).to.equal(FIXTURE_CONFIG_HASH);
    expect(hex(g.modelConfigHash(7, 3))).to.equal(hex(keccak_256(Uint8Array.from([32, 0, 0, 0, 16, 0, 0, 0, 7, 3, 1, 0]))));
  });

  it('loadModelFile gives InferenceWeights bytes with both hashes and typed accessors', () => {
    const w = g.loadModelFile(file);
    expect(w).to.be.instanceOf(Uint8Array);
    expect(w.length).to.equal(672);
    expect(hex(w.modelHash)).to.equal(FIXTURE_MODEL_HASH);
    expect(hex(w.modelConfigHash)).to.equal(FIXTURE_CONFIG_HASH);
    const d = g.decodeInferenceWeights(w);
    const m = g.tinyClassifierFixture();
    expect([...d.w1]).to.deep.equal([...m.w1]);
    expect([...d.b1]).to.deep.equal([...m.b1]);
    expect([...w.w2]).to.deep.equal([...m.w2]);
    expect([...w.b2]).to.deep.equal([...m.b2]);
    expect([w.shift1, w.shift2]).to.deep.equal([5, 5]);
    expect([...w.classifier.b1]).to.deep.equal([...m.b1]);
    expect(hex(d.modelHash)).to.equal(hex(w.modelHash));
  });

  it('the loaded weights run in inferenceStep under their own model_hash', () => {
    const w = g.loadModelFile(file);
    const results = g.InferenceResult.alloc(1);
    const out = new Uint8Array(1);
    g.inferenceStep(w, g.encodeInferenceOp({ modelHash: w.modelHash, inputLen: 32, outputCapacity: 1 }), new Uint8Array(32), out, results);
    expect(g.decodeInferenceResult(results).status).to.equal(0);
  });

  it('encodeModelFile accepts the parameters or InferenceWeights bytes; load ∘ encode is the identity (property)', () => {
    expect(g.encodeModelFile(g.loadModelFile(file))).to.deep.equal(file);
    expect(g.encodeModelFile(g.tinyClassifierFixture())).to.deep.equal(file);
    fc.assert(
      fc.property(classifierArb, (m) => {
        const f = g.encodeModelFile(m);
        expect(f.length).to.equal(630);
        const w = g.loadModelFile(f);
        const d = w.classifier;
        expect([[...d.w1], [...d.b1], [...d.w2], [...d.b2], d.shift1, d.shift2]).to.deep.equal([m.w1, m.b1, m.w2, m.b2, m.shift1, m.shift2]);
        expect(g.encodeModelFile(w)).to.deep.equal(f);
        expect(hex(w.modelHash)).to.equal(hex(keccak_256(f)));
        expect(hex(w.modelConfigHash)).to.equal(hex(g.modelConfigHash(m.shift1, m.shift2)));
      }),
      { numRuns: 50 },
    );
  });

  it('encodeModelFile takes b2 as a number too', () => {
    const m = g.tinyClassifierFixture();
    expect(g.encodeModelFile({ ...m, b2: m.b2[0]! })).to.deep.equal(file);
  });

  describe('loadModelFile refuses malformed files', () => {
    const edit = (f: (b: Uint8Array) => void) => {
      const b = file.slice();
      f(b);
      return b;
    };
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['629 bytes', file.subarray(0, 629), 'InvalidModelFile', /630 bytes, got 629/],
      ['631 bytes', Uint8Array.from([...file, 0]), 'InvalidModelFile', /630 bytes, got 631/],
      ['bad magic', edit((b) => (b[0] = 0x42)), 'InvalidModelFile', /magic/],
      ['version 2', edit((b) => (b[4] = 2)), 'InvalidModelFile', /version 2/],
      ['3 layers', edit((b) => (b[8] = 3)), 'InvalidModelFile', /layers/],
      ['hidden 17', edit((b) => (b[12] = 17)), 'InvalidModelFile', /2\/32\/17\/1/],
      ['non-zero padding', edit((b) => (b[20] = 1)), 'InvalidModelFile', /padding byte 20/],
      ['shift1 32', edit((b) => (b[628] = 32)), 'InvalidShift', /shift1 is 32/],
      ['shift2 -1', edit((b) => (b[629] = 0xff)), 'InvalidShift', /shift2 is -1/],
    ];
    for (const [what, bytes, name, msg] of cases) {
      it(`${what} → ${name}`, () => {
        expect(() => g.loadModelFile(bytes))
          .to.throw(g.GpuError)
          .with.property('name', name);
        expect(() => g.loadModelFile(bytes)).to.throw(msg);
      });
    }
  });

  describe('encodeModelFile refuses parameters that do not fit', () => {
    const m = g.tinyClassifierFixture();
    it('a shift outside 0..31 → InvalidShift', () => {
      expect(() => g.encodeModelFile({ ...m, shift2: 40 })).to.throw(g.GpuError).with.property('name', 'InvalidShift');
    });
    it('a weight outside int8 → InvalidField', () => {
      expect(() => g.encodeModelFile({ ...m, w1: Array.from({ length: 512 }, () => 200) })).to.throw(g.GpuError).with.property('name', 'InvalidField');
    });
    it('too few biases → InvalidField', () => {
      expect(() => g.encodeModelFile({ ...m, b1: [1, 2, 3] })).to.throw(g.GpuError).with.property('name', 'InvalidField');
    });
    it('InferenceWeights bytes of the wrong size → BufferSizeMismatch', () => {
      expect(() => g.encodeModelFile(new Uint8Array(671))).to.throw(g.GpuError).with.property('name', 'BufferSizeMismatch');
    });
  });
});

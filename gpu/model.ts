/**
 * The 630-byte tiny-classifier model file (little-endian):
 *
 *   header (32 B): u32 magic 0x4D564941 ("AIVM") ‖ u32 version 1 ‖ u16 layers 2 ‖ u16 in 32 ‖
 *                  u16 hidden 16 ‖ u16 out 1 ‖ 16 zero bytes
 *   body (598 B):  W1 int8[512] ‖ B1 int32[16] ‖ W2 int8[16] ‖ B2 int32 ‖ int8 shift1 ‖ int8 shift2
 *
 * model_hash = keccak(file); model_config_hash = keccak(u32 32 ‖ u32 16 ‖ shift1 ‖ shift2 ‖ 0x01 ‖ 0x00).
 * `loadModelFile` is strict (exact size, header, zero padding, shifts 0..31): a file has one
 * encoding, so one model has one hash.
 */
import { GpuError } from './errors.js';
import { keccak256 } from './hash.js';
import { HIDDEN, IN_DIM, InferenceWeights, OUT_DIM } from './layouts.js';
import { Lcg } from './lcg.js';
import { view } from './struct.js';

export const MODEL_FILE_SIZE = 630;
export const MODEL_MAGIC = 0x4d564941;
export const MODEL_VERSION = 1;
const HEADER_SIZE = 32;

/** The parameters of a tiny classifier (what the file body holds). */
export interface TinyClassifier {
  /** 512 int8, row-major W1[i*32 + k]. */
  w1: Int8Array;
  /** 16 int32. */
  b1: Int32Array;
  /** 16 int8. */
  w2: Int8Array;
  /** 1 int32. */
  b2: Int32Array;
  shift1: number;
  shift2: number;
}

/** What encodeModelFile accepts: the parameters (arrays or typed arrays) or a 672-byte InferenceWeights. */
export type TinyClassifierInput =
  | Uint8Array
  | {
      w1: ArrayLike<number>;
      b1: ArrayLike<number>;
      w2: ArrayLike<number>;
      b2: ArrayLike<number> | number;
      shift1: number;
      shift2: number;
    };

/**
 * Model weights in the InferenceWeights layout (672 bytes, model_hash and model_config_hash
 * filled), ready for `inferenceStep`, with typed accessors for the parameters.
 */
export class ModelWeights extends Uint8Array {
  get w1(): Int8Array {
    return new Int8Array(this.buffer, this.byteOffset + InferenceWeights.offsets.w1, IN_DIM * HIDDEN);
  }
  get b1(): Int32Array {
    return InferenceWeights.decode(this).b1;
  }
  get w2(): Int8Array {
    return new Int8Array(this.buffer, this.byteOffset + InferenceWeights.offsets.w2, HIDDEN * OUT_DIM);
  }
  get b2(): Int32Array {
    return InferenceWeights.decode(this).b2;
  }
  get shift1(): number {
    return view(this).getInt8(InferenceWeights.offsets.shift1);
  }
  get shift2(): number {
    return view(this).getInt8(InferenceWeights.offsets.shift2);
  }
  get modelHash(): Uint8Array {
    return this.slice(InferenceWeights.offsets.modelHash, InferenceWeights.offsets.modelHash + 32);
  }
  get modelConfigHash(): Uint8Array {
    return this.slice(InferenceWeights.offsets.modelConfigHash, InferenceWeights.offsets.modelConfigHash + 32);
  }
  /** The parameters as plain typed arrays. */
  get classifier(): TinyClassifier {
    const { w1, b1, w2, b2, shift1, shift2 } = InferenceWeights.decode(this);
    return { w1, b1, w2, b2, shift1, shift2 };
  }
}

/** keccak256 of the whole model file. */
export function modelHash(file: Uint8Array): Uint8Array {
  return keccak256(file);
}

/** keccak256(u32le 32 ‖ u32le 16 ‖ shift1 ‖ shift2 ‖ 0x01 ‖ 0x00): dims and shifts only. */
export function modelConfigHash(shift1: number, shift2: number): Uint8Array {
  const cfg = new Uint8Array(12);
  const dv = view(cfg);
  dv.setUint32(0, IN_DIM, true);
  dv.setUint32(4, HIDDEN, true);
  cfg[8] = shift1 & 0xff;
  cfg[9] = shift2 & 0xff;
  cfg[10] = OUT_DIM;
  return keccak256(cfg);
}

function badFile(msg: string, data?: Record<string, unknown>): never {
  throw new GpuError('InvalidModelFile', `model file: ${msg}`, data);
}

function checkShift(field: string, s: number, where: string): void {
  if (!Number.isInteger(s) || s < 0 || s > 31) {
    throw new GpuError('InvalidShift', `${where}${field} is ${s}; right shifts must be 0..31`, { field, value: s });
  }
}

/** Parses a 630-byte model file into InferenceWeights (with both hashes). */
export function loadModelFile(bytes: Uint8Array): ModelWeights {
  if (!(bytes instanceof Uint8Array)) badFile('expected a Uint8Array');
  if (bytes.length !== MODEL_FILE_SIZE) badFile(`expected ${MODEL_FILE_SIZE} bytes, got ${bytes.length}`, { length: bytes.length });
  const dv = view(bytes);
  const magic = dv.getUint32(0, true);
  if (magic !== MODEL_MAGIC) badFile(`bad magic 0x${magic.toString(16).padStart(8, '0')} (expected "AIVM", 0x4d564941 LE)`);
  const version = dv.getUint32(4, true);
  if (version !== MODEL_VERSION) badFile(`unsupported version ${version} (expected ${MODEL_VERSION})`);
  const dims = [dv.getUint16(8, true), dv.getUint16(10, true), dv.getUint16(12, true), dv.getUint16(14, true)];
  if (dims.join() !== [2, IN_DIM, HIDDEN, OUT_DIM].join()) {
    badFile(`header says layers/in/hidden/out = ${dims.join('/')}, expected 2/${IN_DIM}/${HIDDEN}/${OUT_DIM}`);
  }
  for (let i = 16; i < HEADER_SIZE; i++) if (bytes[i] !== 0) badFile(`header padding byte ${i} is not zero`);

  const shiftsAt = MODEL_FILE_SIZE - 2;
  const shift1 = dv.getInt8(shiftsAt);
  const shift2 = dv.getInt8(shiftsAt + 1);
  checkShift('shift1', shift1, 'model file ');
  checkShift('shift2', shift2, 'model file ');

  const w = new ModelWeights(InferenceWeights.size);
  // The body (W1 ‖ B1 ‖ W2 ‖ B2 ‖ shifts) is the first 598 bytes of InferenceWeights, same order and encoding.
  w.set(bytes.subarray(HEADER_SIZE), InferenceWeights.offsets.w1);
  w.set(modelHash(bytes), InferenceWeights.offsets.modelHash);
  w.set(modelConfigHash(shift1, shift2), InferenceWeights.offsets.modelConfigHash);
  return w;
}

function toClassifier(weights: TinyClassifierInput): TinyClassifier {
  if (weights instanceof Uint8Array) {
    if (weights.length !== InferenceWeights.size) {
      throw new GpuError('BufferSizeMismatch', `weights must be one InferenceWeights (${InferenceWeights.size} bytes), got ${weights.length} bytes`);
    }
    const { w1, b1, w2, b2, shift1, shift2 } = InferenceWeights.decode(weights);
    return { w1, b1, w2, b2, shift1, shift2 };
  }
  const b2 = typeof weights.b2 === 'number' ? [weights.b2] : weights.b2;
  // Range checks come from the InferenceWeights encoder (InvalidField names the bad element).
  const encoded = InferenceWeights.encode({
    w1: Array.from(weights.w1),
    b1: Array.from(weights.b1),
    w2: Array.from(weights.w2),
    b2: Array.from(b2),
    shift1: weights.shift1,
    shift2: weights.shift2,
  });
  return toClassifier(encoded);
}

/** Encodes a classifier (parameters or InferenceWeights bytes) as the 630-byte model file. */
export function encodeModelFile(weights: TinyClassifierInput): Uint8Array {
  const m = toClassifier(weights);
  checkShift('shift1', m.shift1, 'weights.');
  checkShift('shift2', m.shift2, 'weights.');
  const out = new Uint8Array(MODEL_FILE_SIZE);
  const dv = view(out);
  dv.setUint32(0, MODEL_MAGIC, true);
  dv.setUint32(4, MODEL_VERSION, true);
  dv.setUint16(8, 2, true);
  dv.setUint16(10, IN_DIM, true);
  dv.setUint16(12, HIDDEN, true);
  dv.setUint16(14, OUT_DIM, true);
  let at = HEADER_SIZE;
  for (const v of m.w1) dv.setInt8(at++, v);
  for (const v of m.b1) {
    dv.setInt32(at, v, true);
    at += 4;
  }
  for (const v of m.w2) dv.setInt8(at++, v);
  for (const v of m.b2) {
    dv.setInt32(at, v, true);
    at += 4;
  }
  dv.setInt8(at++, m.shift1);
  dv.setInt8(at++, m.shift2);
  return out;
}

/**
 * The canonical fixture of the AI precompile: LCG seeded 0xa1b2c3d4e5f60718; W1 then B1 then W2
 * then B2, weights `-32 + next % 65`, biases `next % 256 - 128`; shifts 5 and 5.
 */
export function tinyClassifierFixture(): TinyClassifier {
  const rng = new Lcg(0xa1b2c3d4e5f60718n);
  const weight = () => -32 + (rng.next() % 65);
  const bias = () => (rng.next() % 256) - 128;
  const w1 = Int8Array.from({ length: IN_DIM * HIDDEN }, weight);
  const b1 = Int32Array.from({ length: HIDDEN }, bias);
  const w2 = Int8Array.from({ length: HIDDEN * OUT_DIM }, weight);
  const b2 = Int32Array.from({ length: OUT_DIM }, bias);
  return { w1, b1, w2, b2, shift1: 5, shift2: 5 };
}

/** The canonical fixture as a model file (630 bytes). */
export function tinyClassifierFixtureFile(): Uint8Array {
  return encodeModelFile(tinyClassifierFixture());
}

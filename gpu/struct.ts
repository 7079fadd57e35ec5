/**
 * A small schema language for the kernels' C structs: each field has an explicit byte offset, so a
 * layout reads like the spec table (`expiry_ns u64@112`) and padding is whatever no field covers.
 * Integers are little-endian. One definition gives encode (missing fields are zero, values are
 * range-checked), decode, and typed field offsets that the kernels use to read and write in place.
 */
import { GpuError } from './errors.js';

export type FieldSpec =
  | { readonly kind: 'bytes'; readonly size: number }
  | { readonly kind: 'u32'; readonly size: 4 }
  | { readonly kind: 'u64'; readonly size: 8 }
  | { readonly kind: 'i8'; readonly size: 1 }
  | { readonly kind: 'i8s'; readonly size: number }
  | { readonly kind: 'i32s'; readonly size: number };

/** Field constructors. `i8s(n)` / `i32s(n)` are arrays of n signed integers. */
export const f = {
  bytes: (n: number) => ({ kind: 'bytes', size: n }) as const,
  u32: { kind: 'u32', size: 4 } as const,
  u64: { kind: 'u64', size: 8 } as const,
  i8: { kind: 'i8', size: 1 } as const,
  i8s: (n: number) => ({ kind: 'i8s', size: n }) as const,
  i32s: (n: number) => ({ kind: 'i32s', size: 4 * n }) as const,
};

type FieldValue<F extends FieldSpec> = F extends { kind: 'bytes' }
  ? Uint8Array
  : F extends { kind: 'u32' | 'i8' }
    ? number
    : F extends { kind: 'u64' }
      ? bigint
      : F extends { kind: 'i8s' }
        ? Int8Array
        : F extends { kind: 'i32s' }
          ? Int32Array
          : never;

type FieldInput<F extends FieldSpec> = F extends { kind: 'u64' }
  ? bigint | number
  : F extends { kind: 'i8s' }
    ? Int8Array | readonly number[]
    : F extends { kind: 'i32s' }
      ? Int32Array | readonly number[]
      : FieldValue<F>;

type FieldDefs = Record<string, readonly [offset: number, spec: FieldSpec]>;

/** The decoded form of a struct: every field present. */
export type StructValue<D extends FieldDefs> = { -readonly [K in keyof D]: FieldValue<D[K][1]> };
/** What encode accepts: any subset of the fields (the rest are zero). */
export type StructInput<D extends FieldDefs> = { [K in keyof D]?: FieldInput<D[K][1]> };

export interface StructLayout<D extends FieldDefs> {
  readonly name: string;
  /** Size in bytes, padding included (a multiple of 16: the C structs are 16-byte aligned). */
  readonly size: number;
  readonly fields: D;
  /** Byte offset of every field inside one struct. */
  readonly offsets: { readonly [K in keyof D]: number };
  /** A zeroed buffer of `count` structs. */
  alloc(count?: number): Uint8Array;
  /** Number of structs in `buf`; throws BufferSizeMismatch unless it is a whole number of them. */
  count(buf: Uint8Array, what?: string): number;
  encode(value: StructInput<D>): Uint8Array;
  /** Writes all fields of struct `index` of `buf` (fields absent from `value` become zero; padding is kept). */
  encodeInto(buf: Uint8Array, index: number, value: StructInput<D>): void;
  encodeArray(values: readonly StructInput<D>[]): Uint8Array;
  decode(buf: Uint8Array, index?: number): StructValue<D>;
  decodeArray(buf: Uint8Array): StructValue<D>[];
}

const U32_MAX = 0xffffffff;
const U64_MAX = (1n << 64n) - 1n;

export function defineStruct<const D extends FieldDefs>(name: string, size: number, fields: D): StructLayout<D> {
  checkDefinition(name, size, fields);
  const names = Object.keys(fields) as (keyof D & string)[];
  const offsets = Object.fromEntries(names.map((k) => [k, fields[k]![0]])) as { [K in keyof D]: number };

  const layout: StructLayout<D> = {
    name,
    size,
    fields,
    offsets,
    alloc: (count = 1) => new Uint8Array(size * count),
    count(buf, what = name) {
      if (!(buf instanceof Uint8Array)) throw new GpuError('BufferSizeMismatch', `${what} must be a Uint8Array of ${name} structs (${size} bytes each)`);
      if (buf.length % size !== 0) {
        throw new GpuError('BufferSizeMismatch', `${what} is ${buf.length} bytes, not a whole number of ${size}-byte ${name} structs`, {
          length: buf.length,
          structSize: size,
        });
      }
      return buf.length / size;
    },
    encode(value) {
      const buf = new Uint8Array(size);
      layout.encodeInto(buf, 0, value);
      return buf;
    },
    encodeInto(buf, index, value) {
      const base = index * size;
      if (!Number.isInteger(index) || index < 0 || base + size > buf.length) {
        throw new GpuError('BufferSizeMismatch', `${name} #${index} does not fit a ${buf.length}-byte buffer`);
      }
      const dv = view(buf);
      for (const k of names) {
        const [off, spec] = fields[k]!;
        writeField(dv, buf, base + off, spec, value[k], `${name}.${k}`);
      }
    },
    encodeArray(values) {
      const buf = new Uint8Array(size * values.length);
      values.forEach((v, i) => layout.encodeInto(buf, i, v));
      return buf;
    },
    decode(buf, index = 0) {
      const base = index * size;
      if (!Number.isInteger(index) || index < 0 || base + size > buf.length) {
        throw new GpuError('BufferSizeMismatch', `${name} #${index} is outside a ${buf.length}-byte buffer`);
      }
      const dv = view(buf);
      const out: Record<string, unknown> = {};
      for (const k of names) {
        const [off, spec] = fields[k]!;
        out[k] = readField(dv, buf, base + off, spec);
      }
      return out as StructValue<D>;
    },
    decodeArray(buf) {
      const n = layout.count(buf);
      return Array.from({ length: n }, (_, i) => layout.decode(buf, i));
    },
  };
  return Object.freeze(layout);
}

/** A DataView over exactly the bytes of `buf`. */
export function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function checkDefinition(name: string, size: number, fields: FieldDefs): void {
  if (size % 16 !== 0) throw new Error(`layout ${name}: size ${size} is not 16-byte aligned`);
  const spans = Object.entries(fields)
    .map(([k, [off, spec]]) => ({ k, off, end: off + spec.size, align: spec.kind === 'u64' ? 8 : spec.kind === 'u32' || spec.kind === 'i32s' ? 4 : 1 }))
    .sort((a, b) => a.off - b.off);
  let prevEnd = 0;
  for (const s of spans) {
    if (s.off < prevEnd) throw new Error(`layout ${name}: field ${s.k} overlaps the previous field`);
    if (s.off % s.align !== 0) throw new Error(`layout ${name}: field ${s.k} at ${s.off} is misaligned`);
    if (s.end > size) throw new Error(`layout ${name}: field ${s.k} ends past the struct`);
    prevEnd = s.end;
  }
}

function readField(dv: DataView, buf: Uint8Array, at: number, spec: FieldSpec): unknown {
  switch (spec.kind) {
    case 'bytes':
      return buf.slice(at, at + spec.size);
    case 'u32':
      return dv.getUint32(at, true);
    case 'u64':
      return dv.getBigUint64(at, true);
    case 'i8':
      return dv.getInt8(at);
    case 'i8s':
      return new Int8Array(buf.slice(at, at + spec.size).buffer);
    case 'i32s': {
      const n = spec.size / 4;
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(at + 4 * i, true);
      return out;
    }
  }
}

function writeField(dv: DataView, buf: Uint8Array, at: number, spec: FieldSpec, v: unknown, path: string): void {
  const bad = (why: string): never => {
    throw new GpuError('InvalidField', `${path}: ${why}`, { field: path });
  };
  switch (spec.kind) {
    case 'bytes': {
      if (v === undefined) {
        buf.fill(0, at, at + spec.size);
        return;
      }
      if (!(v instanceof Uint8Array)) return bad(`expected ${spec.size} bytes (Uint8Array)`);
      if (v.length !== spec.size) return bad(`expected ${spec.size} bytes, got ${v.length}`);
      buf.set(v, at);
      return;
    }
    case 'u32': {
      const n = v ?? 0;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > U32_MAX) return bad('expected an integer in 0..2^32-1');
      dv.setUint32(at, n, true);
      return;
    }
    case 'u64': {
      const n = v ?? 0n;
      let b: bigint;
      if (typeof n === 'bigint') b = n;
      else if (typeof n === 'number' && Number.isSafeInteger(n)) b = BigInt(n);
      else return bad('expected a bigint (or safe integer) in 0..2^64-1');
      if (b < 0n || b > U64_MAX) return bad('expected a value in 0..2^64-1');
      dv.setBigUint64(at, b, true);
      return;
    }
    case 'i8': {
      const n = v ?? 0;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -128 || n > 127) return bad('expected an integer in -128..127');
      dv.setInt8(at, n);
      return;
    }
    case 'i8s':
    case 'i32s': {
      const width = spec.kind === 'i8s' ? 1 : 4;
      const n = spec.size / width;
      if (v === undefined) {
        buf.fill(0, at, at + spec.size);
        return;
      }
      const arr = v as ArrayLike<number>;
      if (typeof arr !== 'object' || arr === null || typeof arr.length !== 'number') return bad(`expected ${n} integers`);
      if (arr.length !== n) return bad(`expected ${n} integers, got ${arr.length}`);
      const [lo, hi] = width === 1 ? [-128, 127] : [-0x80000000, 0x7fffffff];
      for (let i = 0; i < n; i++) {
        const x = arr[i]!;
        if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) return bad(`element ${i} is not an integer in ${lo}..${hi}`);
        if (width === 1) dv.setInt8(at + i, x);
        else dv.setInt32(at + 4 * i, x, true);
      }
      return;
    }
  }
}

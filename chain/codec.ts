/**
 * Canonical encodings. Transactions, blocks, receipts and module arguments are RLP
 * (`@ethereumjs/rlp`); decoding accepts only the canonical form: decode(encode(x)) = x and
 * encode(decode(b)) = b, integers minimal big-endian, fixed-size fields exactly sized.
 *
 * `t` is a small schema language for typed values. One schema gives the RLP encoding, the canonical
 * decoder, and the JSON form used by the RPC and the CLI, so module arguments, return values and
 * events are declared once:
 *
 *   const args = t.struct({ to: t.address, amount: t.uint(256) });
 *   type Args = Infer<typeof args>;            // { to: Address; amount: bigint }
 */
import { RLP } from '@ethereumjs/rlp';
import { CodecError } from './errors.js';
import { equals, fromHex, fromUtf8, preview, toHex, utf8, bigToMinimal, bytesToBig } from './bytes.js';
import { type Address, toAddress, addressBytes } from './address.js';

export type RlpItem = Uint8Array | RlpItem[];
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function rlpEncode(item: RlpItem): Uint8Array {
  return RLP.encode(item);
}

/** Decodes one RLP item and insists on the canonical encoding of the whole input. */
export function rlpDecode(bytes: Uint8Array, what = 'value'): RlpItem {
  let item: RlpItem;
  try {
    item = RLP.decode(bytes) as RlpItem;
  } catch (e) {
    const msg = (e as Error).message;
    // The library itself refuses some non-minimal length and single-byte forms.
    const nonCanonical = /greater than 55|extra zeros|not prefixed|leading zero/i.test(msg);
    throw new CodecError(`${what} is not ${nonCanonical ? 'canonical' : 'valid'} RLP (${msg})`, '', nonCanonical);
  }
  // The canonical encoding is the unique shortest one, so a valid decoding of the whole input is
  // canonical exactly when its canonical length is the input's length (no re-encoding needed).
  if (canonicalLength(item) !== bytes.length) throw new CodecError(`${what} is not canonically encoded`, '', true);
  return item;
}

/** Length of the canonical RLP encoding of `item`, without building it. */
export function canonicalLength(item: RlpItem): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) return 1;
    return headerLength(item.length) + item.length;
  }
  let payload = 0;
  for (const x of item) payload += canonicalLength(x);
  return headerLength(payload) + payload;
}

function headerLength(n: number): number {
  if (n < 56) return 1;
  let bytes = 0;
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes++;
  return 1 + bytes;
}

export function asBytes(item: RlpItem | undefined, path: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new CodecError('expected a byte string', path);
  return item;
}

export function asList(item: RlpItem | undefined, path: string, length?: number): RlpItem[] {
  if (!Array.isArray(item)) throw new CodecError('expected a list', path);
  if (length !== undefined && item.length !== length) throw new CodecError(`expected ${length} items, got ${item.length}`, path);
  return item;
}

/** A typed value with canonical RLP and JSON forms. */
export interface Type<T> {
  /** Human-readable type name, shown in `chain.Modules` and error messages. */
  readonly name: string;
  encode(v: T): RlpItem;
  decode(item: RlpItem, path?: string): T;
  /** Parses user input (JSON-RPC params, CLI arguments); strict about ranges and shapes. */
  fromJson(v: unknown, path?: string): T;
  toJson(v: T): Json;
}

export type Infer<S> = S extends Type<infer T> ? T : never;

// ---- integers -------------------------------------------------------------------------------

const DEC_RE = /^(0|[1-9][0-9]*)$/;
const HEXNUM_RE = /^0x[0-9a-fA-F]+$/;

/** Parses a non-negative integer from a decimal or 0x string, or a safe JSON integer. */
export function parseUint(v: unknown, path: string): bigint {
  if (typeof v === 'bigint') {
    if (v < 0n) throw new CodecError('must not be negative', path);
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0 || Object.is(v, -0)) {
      throw new CodecError('numbers must be non-negative safe integers; send larger amounts as decimal strings', path);
    }
    return BigInt(v);
  }
  if (typeof v === 'string') {
    if (DEC_RE.test(v)) return BigInt(v);
    if (HEXNUM_RE.test(v)) return BigInt(v);
    throw new CodecError(`expected a non-negative integer as a decimal or 0x string, got ${preview(v)}`, path);
  }
  throw new CodecError(`expected an integer, got ${typeof v}`, path);
}

function uintType(bits: number): Type<bigint> {
  const max = (1n << BigInt(bits)) - 1n;
  const maxBytes = bits / 8;
  const maxDigits = max.toString().length;
  const name = `uint${bits}`;
  const check = (v: bigint, path: string) => {
    if (typeof v !== 'bigint') throw new CodecError(`${name} must be a bigint`, path);
    if (v < 0n || v > max) throw new CodecError(`${v} is out of range for ${name}`, path);
    return v;
  };
  return {
    name,
    encode: (v) => bigToMinimal(check(v, '')),
    decode(item, path = '') {
      const b = asBytes(item, path);
      if (b.length > 0 && b[0] === 0) throw new CodecError(`${name} has leading zero bytes`, path, true);
      if (b.length > maxBytes) throw new CodecError(`${name} is longer than ${maxBytes} bytes`, path);
      return check(bytesToBig(b), path);
    },
    fromJson(v, path = '') {
      // A decimal string longer than the largest value cannot fit; refuse it before BigInt parses it
      // (quadratic in the digits: a 5 MB string would hold the event loop for a second).
      if (typeof v === 'string' && v.length > maxDigits && !v.startsWith('0x')) throw new CodecError(`${preview(v)} (${v.length} digits) is out of range for ${name}`, path);
      return check(parseUint(v, path), path);
    },
    toJson: (v) => v.toString(),
  };
}

function smallUintType(bits: 8 | 16 | 32): Type<number> {
  const big = uintType(bits);
  return {
    name: big.name,
    encode: (v) => {
      if (!Number.isInteger(v)) throw new CodecError(`${big.name} must be an integer`);
      return big.encode(BigInt(v));
    },
    decode: (item, path) => Number(big.decode(item, path)),
    fromJson: (v, path) => Number(big.fromJson(v, path)),
    toJson: (v) => v,
  };
}

// ---- byte strings ---------------------------------------------------------------------------

function parseHexJson(v: unknown, path: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string' || !v.startsWith('0x')) throw new CodecError(`expected 0x-prefixed hex, got ${preview(v)}`, path);
  try {
    return fromHex(v);
  } catch {
    throw new CodecError(`expected 0x-prefixed hex, got ${preview(v)}`, path);
  }
}

function fixedBytes(n: number): Type<Uint8Array> {
  const name = `bytes${n}`;
  const check = (b: Uint8Array, path: string) => {
    if (!(b instanceof Uint8Array)) throw new CodecError(`${name} must be bytes`, path);
    if (b.length !== n) throw new CodecError(`${name} must be exactly ${n} bytes, got ${b.length}`, path);
    return b;
  };
  return {
    name,
    encode: (v) => check(v, ''),
    decode: (item, path = '') => check(asBytes(item, path), path),
    fromJson: (v, path = '') => check(parseHexJson(v, path), path),
    toJson: (v) => toHex(v),
  };
}

function varBytes(max: number): Type<Uint8Array> {
  const name = `bytes`;
  const check = (b: Uint8Array, path: string) => {
    if (!(b instanceof Uint8Array)) throw new CodecError('must be bytes', path);
    if (b.length > max) throw new CodecError(`is ${b.length} bytes, the limit is ${max}`, path);
    return b;
  };
  return {
    name,
    encode: (v) => check(v, ''),
    decode: (item, path = '') => check(asBytes(item, path), path),
    fromJson: (v, path = '') => check(parseHexJson(v, path), path),
    toJson: (v) => toHex(v),
  };
}

const addressType: Type<Address> = {
  name: 'address',
  encode: (v) => addressBytes(v),
  decode(item, path = '') {
    const b = asBytes(item, path);
    if (b.length !== 20) throw new CodecError(`an address is 20 bytes, got ${b.length}`, path);
    return toAddress(b);
  },
  fromJson(v, path = '') {
    try {
      return toAddress(v as string);
    } catch (e) {
      throw new CodecError((e as Error).message, path);
    }
  },
  toJson: (v) => v,
};

const boolType: Type<boolean> = {
  name: 'bool',
  encode: (v) => (v ? new Uint8Array([1]) : new Uint8Array(0)),
  decode(item, path = '') {
    const b = asBytes(item, path);
    if (b.length === 0) return false;
    if (b.length === 1 && b[0] === 1) return true;
    throw new CodecError('bool must be 0x or 0x01', path, b.length === 1 && b[0] === 0);
  },
  fromJson(v, path = '') {
    if (typeof v !== 'boolean') throw new CodecError(`expected true or false, got ${preview(v)}`, path);
    return v;
  },
  toJson: (v) => v,
};

function stringType(max: number): Type<string> {
  const check = (s: string, path: string) => {
    if (typeof s !== 'string') throw new CodecError('must be a string', path);
    if (utf8(s).length > max) throw new CodecError(`is longer than ${max} bytes`, path);
    return s;
  };
  return {
    name: 'string',
    encode: (v) => utf8(check(v, '')),
    decode(item, path = '') {
      const b = asBytes(item, path);
      if (b.length > max) throw new CodecError(`is longer than ${max} bytes`, path);
      try {
        const s = fromUtf8(b);
        if (!equals(utf8(s), b)) throw new Error('not canonical UTF-8');
        return s;
      } catch {
        throw new CodecError('is not valid UTF-8', path);
      }
    },
    fromJson: (v, path = '') => check(v as string, path),
    toJson: (v) => v,
  };
}

// ---- composites -----------------------------------------------------------------------------

function listType<T>(inner: Type<T>, max: number): Type<T[]> {
  const check = (v: T[], path: string) => {
    if (!Array.isArray(v)) throw new CodecError('must be a list', path);
    if (v.length > max) throw new CodecError(`has ${v.length} items, the limit is ${max}`, path);
    return v;
  };
  return {
    name: `${inner.name}[]`,
    encode: (v) => check(v, '').map((x) => inner.encode(x)),
    decode(item, path = '') {
      const items = asList(item, path);
      if (items.length > max) throw new CodecError(`has ${items.length} items, the limit is ${max}`, path);
      return items.map((x, i) => inner.decode(x, `${path}[${i}]`));
    },
    fromJson(v, path = '') {
      if (!Array.isArray(v)) throw new CodecError(`expected a JSON array, got ${preview(v)}`, path);
      return check(v, path).map((x, i) => inner.fromJson(x, `${path}[${i}]`));
    },
    toJson: (v) => v.map((x) => inner.toJson(x)),
  };
}

type Fields = Record<string, Type<any>>;
export type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

export interface StructType<F extends Fields> extends Type<StructOf<F>> {
  readonly fields: F;
  readonly keys: (keyof F & string)[];
}

const isOptional = (type: Type<unknown>) => type.name.endsWith('?');

function structType<F extends Fields>(fields: F): StructType<F> {
  const keys = Object.keys(fields) as (keyof F & string)[];
  let trailingOptional = 0;
  while (trailingOptional < keys.length && isOptional(fields[keys[keys.length - 1 - trailingOptional]!]!)) trailingOptional++;
  const name = `(${keys.map((k) => `${fields[k]!.name} ${k}`).join(', ')})`;
  return {
    name,
    fields,
    keys,
    encode: (v) =>
      keys.map((k) => {
        if (!(k in (v as object))) throw new CodecError(`missing field`, k);
        return fields[k]!.encode((v as any)[k]);
      }),
    decode(item, path = '') {
      const items = asList(item, path, keys.length);
      const out: Record<string, unknown> = {};
      keys.forEach((k, i) => (out[k] = fields[k]!.decode(items[i]!, path ? `${path}.${k}` : k)));
      return out as StructOf<F>;
    },
    fromJson(v, path = '') {
      const out: Record<string, unknown> = {};
      const at = (k: string) => (path ? `${path}.${k}` : k);
      if (Array.isArray(v)) {
        const required = keys.length - trailingOptional;
        if (v.length < required || v.length > keys.length) {
          const want = required === keys.length ? `${keys.length}` : `${required} to ${keys.length}`;
          throw new CodecError(`expected ${want} values (${keys.join(', ')}), got ${v.length}`, path);
        }
        keys.forEach((k, i) => (out[k] = fields[k]!.fromJson(v[i], at(k))));
      } else if (v !== null && typeof v === 'object') {
        for (const k of Object.keys(v)) if (!(k in fields)) throw new CodecError(`unknown field (expected ${keys.join(', ') || 'none'})`, at(k));
        for (const k of keys) {
          if (!(k in v) && !isOptional(fields[k]!)) throw new CodecError('missing', at(k));
          out[k] = fields[k]!.fromJson((v as Record<string, unknown>)[k], at(k));
        }
      } else if ((v === undefined || v === null) && trailingOptional === keys.length) {
        for (const k of keys) out[k] = fields[k]!.fromJson(undefined, at(k));
        return out as StructOf<F>;
      } else {
        throw new CodecError(`expected an array or an object with ${keys.join(', ')}`, path);
      }
      return out as StructOf<F>;
    },
    toJson(v) {
      const out: Record<string, Json> = {};
      for (const k of keys) out[k] = fields[k]!.toJson((v as any)[k]);
      return out;
    },
  };
}

/** `T | null`, encoded as an empty list or a one-item list. */
function optionalType<T>(inner: Type<T>): Type<T | null> {
  return {
    name: `${inner.name}?`,
    encode: (v) => (v === null || v === undefined ? [] : [inner.encode(v)]),
    decode(item, path = '') {
      const items = asList(item, path);
      if (items.length === 0) return null;
      if (items.length !== 1) throw new CodecError('optional value must have 0 or 1 items', path);
      return inner.decode(items[0]!, path);
    },
    fromJson: (v, path) => (v === null || v === undefined ? null : inner.fromJson(v, path)),
    toJson: (v) => (v === null ? null : inner.toJson(v)),
  };
}

/** Opaque RLP (for values whose shape is decided at run time). */
const rlpType: Type<RlpItem> = {
  name: 'rlp',
  encode: (v) => v,
  decode: (item) => item,
  fromJson(v, path = '') {
    const conv = (x: unknown, p: string): RlpItem => (Array.isArray(x) ? x.map((y, i) => conv(y, `${p}[${i}]`)) : parseHexJson(x, p));
    return conv(v, path);
  },
  toJson(v) {
    const conv = (x: RlpItem): Json => (Array.isArray(x) ? x.map(conv) : toHex(x));
    return conv(v);
  },
};

export const t = {
  uint: uintType,
  uint8: smallUintType(8),
  uint16: smallUintType(16),
  uint32: smallUintType(32),
  uint64: uintType(64),
  uint96: uintType(96),
  uint128: uintType(128),
  uint256: uintType(256),
  bool: boolType,
  address: addressType,
  bytes: (max = 1 << 20) => varBytes(max),
  bytesN: fixedBytes,
  bytes32: fixedBytes(32),
  string: (max = 1024) => stringType(max),
  list: <T>(inner: Type<T>, max = 1024) => listType(inner, max),
  struct: structType,
  optional: optionalType,
  rlp: rlpType,
  none: structType({}),
};

/** Encodes a typed value to bytes. */
export function encodeValue<T>(type: Type<T>, v: T): Uint8Array {
  return rlpEncode(type.encode(v));
}

/** Decodes canonical bytes into a typed value. */
export function decodeValue<T>(type: Type<T>, bytes: Uint8Array, what = 'value'): T {
  return type.decode(rlpDecode(bytes, what), what);
}

/**
 * Byte helpers used across the chain. Everything consensus-relevant is a Uint8Array; hex strings
 * appear only at the edges (JSON-RPC, CLI, files). Integers inside hashes are big-endian unless a
 * ported protocol says otherwise (the AIVM kernels use little-endian structs).
 */

export type Bytes = Uint8Array;

const HEX_RE = /^(0x)?([0-9a-fA-F]{2})*$/;

/** Lowercase `0x`-prefixed hex of `b`. */
export function toHex(b: Uint8Array): string {
  return '0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Hex without the `0x` prefix. */
export function toRawHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/**
 * A compact string for bytes (one latin1 character per byte), to key Maps and Sets by byte strings:
 * half the length of hex and no prefix. `fromBytesKey` turns it back.
 */
export function bytesKey(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

export function fromBytesKey(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/** Parses hex (with or without `0x`). Throws on odd length or non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError(`not a hex string: ${preview(hex)}`);
  const body = hex.startsWith('0x') ? hex.slice(2) : hex;
  const buf = Buffer.from(body, 'hex');
  // Buffer.from stops at the first invalid pair, so a full-length result means valid hex.
  if (buf.length * 2 !== body.length) throw new TypeError(`not a hex string: ${preview(hex)}`);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function isHex(v: unknown): v is string {
  return typeof v === 'string' && HEX_RE.test(v);
}

const UTF8 = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return UTF8.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(b);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison of unsigned bytes (shorter prefix sorts first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export function zeros(n: number): Uint8Array {
  return new Uint8Array(n);
}

/** Unsigned big-endian encoding of `v` in exactly `width` bytes; throws if it does not fit. */
export function bigToBytes(v: bigint, width: number): Uint8Array {
  if (v < 0n) throw new RangeError('negative value');
  const out = new Uint8Array(width);
  let x = v;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new RangeError(`value does not fit in ${width} bytes`);
  return out;
}

/** Minimal big-endian encoding (zero is the empty array), as RLP integers are written. */
export function bigToMinimal(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('negative value');
  if (v === 0n) return new Uint8Array(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return fromHex(hex);
}

export function bytesToBig(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt('0x' + toRawHex(b));
}

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

export function u16be(n: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, n);
  return out;
}

export function u64be(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

export function readU64be(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off);
}

export function readU32be(b: Uint8Array, off = 0): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off);
}

/** A short, safe rendering of an arbitrary value for error messages. */
export function preview(v: unknown, max = 40): string {
  let s: string;
  try {
    s = typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    // Too deep for JSON.stringify (String() of a deep array recurses as well), or circular.
    s = Array.isArray(v) ? 'an array' : typeof v;
  }
  return s.length > max ? s.slice(0, max) + '…' : s;
}

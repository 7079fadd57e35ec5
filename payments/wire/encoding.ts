/**
 * The small encodings every header of the Payment scheme uses: base64url without padding around
 * UTF-8 JSON, JCS (RFC 8785) JSON for challenge requests, and amounts as decimal uint96 strings.
 * Every decoder is strict and fails with a named problem (`MalformedCredential` by default).
 */
import { toAddress, type Address } from '../../chain/index.js';
import { problem, type PaymentErrorName } from './problems.js';

const B64URL_RE = /^[A-Za-z0-9_-]*$/;
const MAX_UINT96 = (1n << 96n) - 1n;

export function toBase64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Decodes unpadded (or padded) base64url text; anything outside the alphabet is refused. */
export function fromBase64url(s: string, what: string, name: PaymentErrorName = 'MalformedCredential'): string {
  const body = s.replace(/={0,2}$/, '');
  if (!B64URL_RE.test(body) || body.length % 4 === 1) throw problem(name, `${what} is not base64url: expected [A-Za-z0-9_-] without padding`);
  return Buffer.from(body, 'base64url').toString('utf8');
}

export function parseJsonObject(text: string, what: string, name: PaymentErrorName = 'MalformedCredential'): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw problem(name, `${what} is not JSON`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw problem(name, `${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

/** base64url(JSON) → object. */
export function decodeB64Json(s: string, what: string, name: PaymentErrorName = 'MalformedCredential'): Record<string, unknown> {
  return parseJsonObject(fromBase64url(s, what, name), what, name);
}

export function encodeB64Json(v: unknown): string {
  return toBase64url(JSON.stringify(v));
}

/** A uint96 amount on the wire: a decimal string of at most 29 digits, no sign, no leading zeros. */
export function parseAmount(v: unknown, path: string, name: PaymentErrorName = 'MalformedCredential'): bigint {
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,28})$/.test(v)) throw problem(name, `${path} must be a decimal string of raw token units (expected e.g. "1000", actual ${JSON.stringify(v)})`);
  const n = BigInt(v);
  if (n > MAX_UINT96) throw problem(name, `${path} ${v} exceeds 2^96-1`);
  return n;
}

export function requireString(o: Record<string, unknown>, key: string, path: string, name: PaymentErrorName = 'MalformedCredential'): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw problem(name, `${path}.${key} must be a non-empty string`);
  return v;
}

/** A 20-byte 0x address at `o[key]`; anything else is the named error. */
export function requireAddress(o: Record<string, unknown>, key: string, path: string, name: PaymentErrorName = 'MalformedCredential'): Address {
  try {
    return toAddress(requireString(o, key, path, name));
  } catch (e) {
    if (e instanceof Error && e.name === name) throw e;
    throw problem(name, `${path}.${key} is not a 20-byte 0x address`);
  }
}

export function optionalString(o: Record<string, unknown>, key: string, path: string, name: PaymentErrorName = 'MalformedCredential'): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw problem(name, `${path}.${key} must be a string`);
  return v;
}

export function requireObject(o: Record<string, unknown>, key: string, path: string, name: PaymentErrorName = 'MalformedCredential'): Record<string, unknown> {
  const v = o[key];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw problem(name, `${path}.${key} must be a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * The `WWW-Authenticate: Payment …` challenge (draft-httpauth-payment-00, spec tip1034.md §3–§4).
 *
 *   Payment id="…", realm="…", method="sessionchain", intent="session",
 *           request="<base64url(JCS JSON)>", expires="<RFC 3339>"
 *
 * The id is HMAC-SHA256 over seven pipe-joined slots (realm|method|intent|request|expires|digest|
 * opaque, absent ones empty), so a server checks a credential's echoed challenge without state.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { timingSafeEqual } from 'node:crypto';
import { canonicalJson, utf8 } from '../../chain/index.js';
import { decodeB64Json, toBase64url } from './encoding.js';
import { problem, type PaymentErrorName } from './problems.js';

export const PAYMENT_SCHEME = 'Payment';
/** Our payment method name: a sessionchain escrow channel (Tempo's is "tempo"). */
export const PAYMENT_METHOD = 'sessionchain';
export const SESSION_INTENT = 'session';
export const CHARGE_INTENT = 'charge';

export interface Challenge {
  id: string;
  realm: string;
  method: string;
  intent: string;
  /** The decoded request object. */
  request: Record<string, unknown>;
  /** The request exactly as it travels: base64url(JCS(request)). */
  requestB64: string;
  expires?: string;
  description?: string;
  digest?: string;
  opaque?: string;
}

export type ChallengeFields = Omit<Challenge, 'id' | 'requestB64'>;

export function encodeRequest(request: Record<string, unknown>): string {
  return toBase64url(canonicalJson(request)); // JCS: keys sorted, no whitespace
}

function bindingInput(c: Omit<Challenge, 'id' | 'request'>): string {
  return [c.realm, c.method, c.intent, c.requestB64, c.expires ?? '', c.digest ?? '', c.opaque ?? ''].join('|');
}

/** base64url(HMAC-SHA256(secret, realm|method|intent|request|expires|digest|opaque)). */
export function computeChallengeId(secret: Uint8Array, c: Omit<Challenge, 'id' | 'request'>): string {
  return Buffer.from(hmac(sha256, secret, utf8(bindingInput(c)))).toString('base64url');
}

export function createChallenge(secret: Uint8Array, fields: ChallengeFields): Challenge {
  const requestB64 = encodeRequest(fields.request);
  const c = { ...fields, requestB64 };
  return { ...c, id: computeChallengeId(secret, c) };
}

/** Whether the id is the HMAC of the other fields under `secret` (constant time). */
export function challengeIdValid(secret: Uint8Array, c: Challenge): boolean {
  const expected = Buffer.from(computeChallengeId(secret, c));
  const given = Buffer.from(c.id);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function quoted(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError(`${name} cannot hold a line break`);
  return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The WWW-Authenticate header value. */
export function serializeChallenge(c: Challenge): string {
  const parts = [quoted('id', c.id), quoted('realm', c.realm), quoted('method', c.method), quoted('intent', c.intent), quoted('request', c.requestB64)];
  if (c.description !== undefined) parts.push(quoted('description', c.description));
  if (c.digest !== undefined) parts.push(quoted('digest', c.digest));
  if (c.expires !== undefined) parts.push(quoted('expires', c.expires));
  if (c.opaque !== undefined) parts.push(quoted('opaque', c.opaque));
  return `${PAYMENT_SCHEME} ${parts.join(', ')}`;
}

/** auth-params after the scheme token: `k=v` or `k="quoted \" value"`, comma separated. */
function parseAuthParams(input: string, name: PaymentErrorName): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  let i = 0;
  const bad = (why: string): never => {
    throw problem(name, `malformed Payment challenge: ${why}`);
  };
  while (i < input.length) {
    while (i < input.length && /[\s,]/.test(input[i]!)) i++;
    if (i >= input.length) break;
    const start = i;
    while (i < input.length && /[A-Za-z0-9_-]/.test(input[i]!)) i++;
    const key = input.slice(start, i).toLowerCase();
    if (!key) bad(`unexpected character ${JSON.stringify(input[i])} at ${i}`);
    while (i < input.length && input[i] === ' ') i++;
    if (input[i] !== '=') break; // the next auth scheme begins
    i++;
    while (i < input.length && input[i] === ' ') i++;
    let value = '';
    if (input[i] === '"') {
      i++;
      for (;;) {
        if (i >= input.length) bad(`unterminated quoted value of ${key}`);
        const ch = input[i++]!;
        if (ch === '"') break;
        value += ch === '\\' ? (input[i++] ?? bad('dangling escape')) : ch;
      }
    } else {
      const end = input.indexOf(',', i);
      value = input.slice(i, end < 0 ? input.length : end).trim();
      i = end < 0 ? input.length : end;
    }
    if (key in out) bad(`duplicate parameter ${key}`);
    out[key] = value;
  }
  return out;
}

/** Parses the first `Payment` challenge of a WWW-Authenticate value (client side). */
export function parseChallenge(header: string, name: PaymentErrorName = 'InvalidChallenge'): Challenge {
  const m = /(?:^|,\s*)Payment\s+/i.exec(header);
  if (!m) throw problem(name, 'no Payment challenge in WWW-Authenticate');
  const p = parseAuthParams(header.slice(m.index + m[0].length), name);
  for (const k of ['id', 'realm', 'method', 'intent', 'request']) if (!p[k]) throw problem(name, `the Payment challenge has no ${k}`);
  return {
    id: p.id!,
    realm: p.realm!,
    method: p.method!,
    intent: p.intent!,
    request: decodeB64Json(p.request!, 'challenge request', name),
    requestB64: p.request!,
    ...(p.expires !== undefined ? { expires: p.expires } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.digest !== undefined ? { digest: p.digest } : {}),
    ...(p.opaque !== undefined ? { opaque: p.opaque } : {}),
  };
}

/** The challenge as a credential echoes it: every field, the request as its base64url string. */
export function challengeEcho(c: Challenge): Record<string, string> {
  const { request: _r, requestB64, ...rest } = c;
  return { ...rest, request: requestB64 } as Record<string, string>;
}

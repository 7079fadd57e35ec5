/**
 * `Authorization: Payment <base64url(JSON{challenge, source?, payload})>` (spec tip1034.md §3, §5).
 * The payload is a union on `action`; amounts are decimal strings, the descriptor is required,
 * and `open` / `topUp` carry the payer's signed raw transaction for the server to broadcast.
 */
import { fromHex, isHex, toAddress, toHex, type Address } from '../../chain/index.js';
import type { ChannelDescriptor, Hex32 } from '../../precompiles/index.js';
import { challengeEcho, type Challenge } from './challenge.js';
import { decodeB64Json, encodeB64Json, optionalString, parseAmount, requireAddress, requireObject, requireString } from './encoding.js';
import { problem } from './problems.js';
import { parseChannelId, parseDescriptor } from './session.js';

export type SessionAction = 'open' | 'topUp' | 'voucher' | 'close';

interface ChannelPart {
  channelId: Hex32;
  descriptor: ChannelDescriptor;
}
export type OpenPayload = ChannelPart & { action: 'open'; type: 'transaction'; transaction: string; cumulativeAmount: bigint; signature: string; authorizedSigner?: Address };
export type TopUpPayload = ChannelPart & { action: 'topUp'; type: 'transaction'; transaction: string; additionalDeposit: bigint };
export type VoucherPayload = ChannelPart & { action: 'voucher'; cumulativeAmount: bigint; signature: string };
export type ClosePayload = ChannelPart & { action: 'close'; cumulativeAmount: bigint; signature: string };
export type SessionPayload = OpenPayload | TopUpPayload | VoucherPayload | ClosePayload;
/** The zero-amount `charge` proof of a bootstrap HEAD: the source signs the challenge id. */
export interface ProofPayload {
  type: 'proof';
  signature: string;
}

export interface Credential<P = SessionPayload> {
  challenge: Challenge;
  source?: string;
  payload: P;
}

/** The raw credential: challenge fields as sent (request still base64url) and the payload unparsed. */
export interface RawCredential {
  challenge: Challenge;
  source?: string;
  payload: Record<string, unknown>;
}

/** `did:pkh:eip155:<chainId>:<address>` — who the credential says pays. */
export function sourceDid(chainId: number | bigint, address: string): string {
  return `did:pkh:eip155:${chainId}:${toAddress(address)}`;
}

export function parseSourceDid(s: string): { chainId: number; address: Address } | null {
  const m = /^did:pkh:eip155:([0-9]{1,15}):(0x[0-9a-fA-F]{40})$/.exec(s);
  return m ? { chainId: Number(m[1]), address: toAddress(m[2]!) } : null;
}

function payloadJson(p: SessionPayload | ProofPayload): Record<string, unknown> {
  if (!('action' in p)) return { ...p };
  const out: Record<string, unknown> = { ...p };
  for (const k of ['cumulativeAmount', 'additionalDeposit'] as const) if (typeof out[k] === 'bigint') out[k] = (out[k] as bigint).toString();
  return out;
}

/** The Authorization header value. */
export function serializeCredential(c: Credential<SessionPayload | ProofPayload>): string {
  return `Payment ${encodeB64Json({ challenge: challengeEcho(c.challenge), payload: payloadJson(c.payload), ...(c.source ? { source: c.source } : {}) })}`;
}

const MAX_ECHO_FIELD = 64 * 1024;

/** Parses the Authorization header: the scheme, base64url, JSON and the echoed challenge's shape. */
export function parseCredentialHeader(header: string): RawCredential {
  const m = /^Payment\s+([A-Za-z0-9_=-]+)\s*$/i.exec(header.trim());
  if (!m) throw problem('MalformedCredential', 'expected `Authorization: Payment <base64url(JSON)>`');
  const o = decodeB64Json(m[1]!, 'the credential');
  const ch = requireObject(o, 'challenge', 'credential');
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(ch)) {
    if (typeof v !== 'string' || v.length > MAX_ECHO_FIELD) throw problem('MalformedCredential', `credential.challenge.${k} must be a string`);
    fields[k] = v;
  }
  for (const k of ['id', 'realm', 'method', 'intent', 'request']) requireString(fields, k, 'credential.challenge');
  const requestB64 = fields.request!;
  const challenge: Challenge = {
    id: fields.id!,
    realm: fields.realm!,
    method: fields.method!,
    intent: fields.intent!,
    requestB64,
    request: decodeB64Json(requestB64, 'credential.challenge.request'),
    ...(fields.expires !== undefined ? { expires: fields.expires } : {}),
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.digest !== undefined ? { digest: fields.digest } : {}),
    ...(fields.opaque !== undefined ? { opaque: fields.opaque } : {}),
  };
  const source = optionalString(o, 'source', 'credential');
  return { challenge, ...(source !== undefined ? { source } : {}), payload: requireObject(o, 'payload', 'credential') };
}

/** A signature as it must travel: lowercase 0x hex of the exact bytes (re-serialized, compared). */
export function parseSignatureHex(v: unknown, path: string): string {
  if (typeof v !== 'string' || !isHex(v) || v.length < 4) throw problem('MalformedCredential', `${path} must be 0x hex`);
  const canonical = toHex(fromHex(v));
  if (canonical !== v) throw problem('InvalidSignature', `${path} is not in canonical form (lowercase 0x hex of the signature bytes)`);
  return v;
}

function parseTxHex(v: unknown, path: string): string {
  if (typeof v !== 'string' || !isHex(v) || v.length < 4) throw problem('MalformedCredential', `${path} must be the signed transaction as 0x hex`);
  return v.toLowerCase();
}

/** Shape-checks a session payload (amounts, hex, descriptor); semantic checks come after. */
export function parseSessionPayload(p: Record<string, unknown>): SessionPayload {
  const action = p.action;
  const base = { channelId: parseChannelId(p.channelId, 'payload.channelId'), descriptor: parseDescriptor(p.descriptor, 'payload.descriptor') };
  switch (action) {
    case 'open': {
      if (p.type !== 'transaction') throw problem('MalformedCredential', 'an open payload has type "transaction"');
      return {
        action,
        type: 'transaction',
        ...base,
        transaction: parseTxHex(p.transaction, 'payload.transaction'),
        cumulativeAmount: parseAmount(p.cumulativeAmount, 'payload.cumulativeAmount'),
        signature: parseSignatureHex(p.signature, 'payload.signature'),
        ...(p.authorizedSigner !== undefined ? { authorizedSigner: requireAddress(p, 'authorizedSigner', 'payload') } : {}),
      };
    }
    case 'topUp':
      if (p.type !== 'transaction') throw problem('MalformedCredential', 'a topUp payload has type "transaction"');
      return { action, type: 'transaction', ...base, transaction: parseTxHex(p.transaction, 'payload.transaction'), additionalDeposit: parseAmount(p.additionalDeposit, 'payload.additionalDeposit') };
    case 'voucher':
    case 'close':
      return { action, ...base, cumulativeAmount: parseAmount(p.cumulativeAmount, 'payload.cumulativeAmount'), signature: parseSignatureHex(p.signature, 'payload.signature') };
    default:
      throw problem('MalformedCredential', `payload.action must be open, topUp, voucher or close (actual ${JSON.stringify(action)})`);
  }
}

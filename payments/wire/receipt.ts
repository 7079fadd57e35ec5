/**
 * `Payment-Receipt: <base64url(JSON)>` (spec tip1034.md §5): sent on 2xx responses only, as the
 * first header of an SSE stream and as its final `payment-receipt` event, and in WS frames.
 */
import { PAYMENT_METHOD, SESSION_INTENT } from './challenge.js';
import { decodeB64Json, encodeB64Json, parseAmount, requireString } from './encoding.js';
import { problem } from './problems.js';
import { parseChannelId } from './session.js';

export interface SessionReceipt {
  method: string;
  intent: 'session';
  status: 'success';
  /** RFC 3339. */
  timestamp: string;
  /** The channel id. */
  reference: string;
  challengeId: string;
  channelId: string;
  acceptedCumulative: string;
  spent: string;
  units?: number;
  txHash?: string;
}

export function createReceipt(p: { challengeId: string; channelId: string; acceptedCumulative: bigint; spent: bigint; units?: number; txHash?: string }): SessionReceipt {
  return {
    method: PAYMENT_METHOD,
    intent: SESSION_INTENT,
    status: 'success',
    timestamp: new Date().toISOString(),
    reference: p.channelId,
    challengeId: p.challengeId,
    channelId: p.channelId,
    acceptedCumulative: p.acceptedCumulative.toString(),
    spent: p.spent.toString(),
    ...(p.units !== undefined ? { units: p.units } : {}),
    ...(p.txHash !== undefined ? { txHash: p.txHash } : {}),
  };
}

export const serializeReceipt = (r: SessionReceipt): string => encodeB64Json(r);

/** Checks a receipt's shape (client side); amounts come back as bigints. */
export function parseReceipt(v: unknown): SessionReceipt & { accepted: bigint; spentAmount: bigint } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw problem('InvalidReceipt', 'a receipt must be a JSON object');
  const o = v as Record<string, unknown>;
  if (o.status !== 'success' || o.intent !== SESSION_INTENT || o.method !== PAYMENT_METHOD) throw problem('InvalidReceipt', `not a ${PAYMENT_METHOD} session receipt`);
  requireString(o, 'timestamp', 'receipt', 'InvalidReceipt');
  requireString(o, 'challengeId', 'receipt', 'InvalidReceipt');
  parseChannelId(o.channelId, 'receipt.channelId', 'InvalidReceipt');
  const accepted = parseAmount(o.acceptedCumulative, 'receipt.acceptedCumulative', 'InvalidReceipt');
  const spentAmount = parseAmount(o.spent, 'receipt.spent', 'InvalidReceipt');
  if (o.units !== undefined && (typeof o.units !== 'number' || !Number.isSafeInteger(o.units) || o.units < 0)) throw problem('InvalidReceipt', 'receipt.units must be a non-negative integer');
  if (o.txHash !== undefined && (typeof o.txHash !== 'string' || !/^0x[0-9a-f]{64}$/.test(o.txHash))) throw problem('InvalidReceipt', 'receipt.txHash must be a 32-byte 0x hash');
  return { ...(o as unknown as SessionReceipt), accepted, spentAmount };
}

export function parseReceiptHeader(v: string): ReturnType<typeof parseReceipt> {
  return parseReceipt(decodeB64Json(v, 'Payment-Receipt', 'InvalidReceipt'));
}

/** The receipt as the server sent it, without the parsed amounts `parseReceipt` adds. */
export function plainReceipt(r: ReturnType<typeof parseReceipt>): SessionReceipt {
  const { accepted: _a, spentAmount: _s, ...plain } = r;
  return plain;
}

/**
 * Streaming frames (spec tip1034.md §8). SSE events: `message` (one `data:` line per payload line),
 * `payment-need-voucher` and `payment-receipt`. WebSocket frames are JSON objects tagged `mpp`.
 * The SSE parser is `eventsource-parser` (it accepts LF, CR and CRLF framing).
 */
import { createParser } from 'eventsource-parser';
import { parseReceipt, type SessionReceipt } from './receipt.js';

export interface NeedVoucher {
  channelId: string;
  requiredCumulative: string;
  acceptedCumulative: string;
  deposit: string;
}

export function isNeedVoucher(v: unknown): v is NeedVoucher {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.channelId === 'string' && typeof o.requiredCumulative === 'string' && typeof o.acceptedCumulative === 'string' && typeof o.deposit === 'string';
}

// ---- SSE ----------------------------------------------------------------------------------------

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
} as const;

export function sseMessage(data: string, id?: string): string {
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`);
  return `${id !== undefined ? `id: ${id}\n` : ''}event: message\n${lines.join('\n')}\n\n`;
}

export const sseNeedVoucher = (n: NeedVoucher): string => `event: payment-need-voucher\ndata: ${JSON.stringify(n)}\n\n`;
export const sseReceipt = (r: SessionReceipt): string => `event: payment-receipt\ndata: ${JSON.stringify(r)}\n\n`;
/** An error event our server sends before ending a stream it cannot continue. */
export const sseError = (p: { status: number; name: string; message: string }): string => `event: payment-error\ndata: ${JSON.stringify(p)}\n\n`;

export type SseEvent =
  | { type: 'message'; data: string; id?: string }
  | { type: 'payment-need-voucher'; data: NeedVoucher }
  | { type: 'payment-receipt'; data: SessionReceipt }
  | { type: 'payment-error'; data: { status: number; name: string; message: string } };

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** An incremental SSE decoder: feed text chunks, get typed events (unknown event names are messages). */
export function sseDecoder(onEvent: (e: SseEvent) => void): { feed(chunk: string): void } {
  const parser = createParser({
    onEvent(ev) {
      switch (ev.event) {
        case 'payment-need-voucher': {
          const d = parseJson(ev.data);
          if (isNeedVoucher(d)) onEvent({ type: 'payment-need-voucher', data: d });
          return;
        }
        case 'payment-receipt': {
          const d = parseJson(ev.data);
          try {
            parseReceipt(d);
            onEvent({ type: 'payment-receipt', data: d as SessionReceipt });
          } catch {
            /* a malformed receipt event is ignored; the client's checks need a valid one */
          }
          return;
        }
        case 'payment-error': {
          const d = parseJson(ev.data) as { status?: unknown; name?: unknown; message?: unknown } | undefined;
          if (d && typeof d.status === 'number' && typeof d.message === 'string') onEvent({ type: 'payment-error', data: { status: d.status, name: String(d.name ?? 'Error'), message: d.message } });
          return;
        }
        default:
          onEvent({ type: 'message', data: ev.data, ...(ev.id !== undefined ? { id: ev.id } : {}) });
      }
    },
  });
  return { feed: (chunk) => parser.feed(chunk) };
}

// ---- WebSocket ----------------------------------------------------------------------------------

export type WsFrame =
  | { mpp: 'authorization'; authorization: string }
  | { mpp: 'message'; data: string }
  | { mpp: 'payment-need-voucher'; data: NeedVoucher }
  | { mpp: 'payment-receipt'; data: SessionReceipt }
  | { mpp: 'payment-close-request' }
  | { mpp: 'payment-close-ready'; data: SessionReceipt }
  | { mpp: 'payment-error'; status: number; message: string; name?: string };

export const wsFrame = (f: WsFrame): string => JSON.stringify(f);

/** Parses one WS text frame; null for anything that is not a well-formed frame. */
export function parseWsFrame(raw: string): WsFrame | null {
  const v = parseJson(raw) as Record<string, unknown> | undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  switch (v.mpp) {
    case 'authorization':
      return typeof v.authorization === 'string' ? { mpp: 'authorization', authorization: v.authorization } : null;
    case 'message':
      return typeof v.data === 'string' ? { mpp: 'message', data: v.data } : null;
    case 'payment-need-voucher':
      return isNeedVoucher(v.data) ? { mpp: 'payment-need-voucher', data: v.data } : null;
    case 'payment-receipt':
    case 'payment-close-ready':
      try {
        parseReceipt(v.data);
      } catch {
        return null;
      }
      return { mpp: v.mpp, data: v.data as SessionReceipt };
    case 'payment-close-request':
      return { mpp: 'payment-close-request' };
    case 'payment-error':
      return typeof v.status === 'number' && typeof v.message === 'string' ? { mpp: 'payment-error', status: v.status, message: v.message, ...(typeof v.name === 'string' ? { name: v.name } : {}) } : null;
    default:
      return null;
  }
}

/** WebSocket close codes of the session protocol. */
export const WS_CLOSE = { normal: 1000, policy: 1008, internal: 1011, protocol: 3008 } as const;
/** Most payment frames a connection may have queued before it is refused (429, close 1008). */
export const WS_MAX_QUEUED_PAYMENT_FRAMES = 32;

/**
 * Writing the Payment scheme's HTTP answers: 402 / 4xx problem+json with a fresh challenge (and
 * `Cache-Control: no-store`), 204 management answers and 2xx content with `Payment-Receipt`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NamedError } from '../../chain/index.js';
import type { ChannelRecord } from '../store/record.js';
import { PaymentProblem, problem, serializeChallenge, serializeReceipt, type Challenge, type SessionReceipt } from '../wire/index.js';

export const HEADERS = {
  receipt: 'Payment-Receipt',
  session: 'Payment-Session',
  snapshot: 'Payment-Session-Snapshot',
  wwwAuthenticate: 'WWW-Authenticate',
  idempotencyKey: 'idempotency-key',
} as const;

/** Any failure as a named problem: ours as they are, anything else as an internal error (no details). */
export function asProblem(e: unknown): PaymentProblem {
  if (e instanceof PaymentProblem) return e;
  if (e instanceof NamedError && e.name === 'StoreLocked') return problem('InternalPaymentError', e.message);
  return problem('InternalPaymentError', 'the payment could not be processed; try again');
}

export function sendProblem(res: ServerResponse, p: PaymentProblem, challenge: Challenge): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(p.toProblem(challenge.id));
  res.writeHead(p.status, {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    [HEADERS.wwwAuthenticate]: serializeChallenge(challenge),
  });
  res.end(body);
}

export function sendNoContent(res: ServerResponse, receipt: SessionReceipt | undefined, extra: Record<string, string> = {}): void {
  res.writeHead(204, { ...(receipt ? { [HEADERS.receipt]: serializeReceipt(receipt) } : {}), 'Cache-Control': 'no-store', ...extra });
  res.end();
}

export function sendContent(res: ServerResponse, status: number, contentType: string, body: string | Buffer, receipt: SessionReceipt): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), [HEADERS.receipt]: serializeReceipt(receipt), 'Cache-Control': 'no-store' });
  res.end(body);
}

/**
 * Content or management (spec §5): HEAD never runs the handler; a POST counts as content only with
 * a body or a query string. A bodyless POST to the resource is the management channel.
 */
export function isContentRequest(req: IncomingMessage): boolean {
  if (req.method === 'HEAD') return false;
  if (req.method !== 'POST') return true;
  const len = Number(req.headers['content-length'] ?? 0);
  return len > 0 || req.headers['transfer-encoding'] !== undefined || (req.url ?? '').includes('?');
}

export const MAX_BODY_BYTES = 1 << 20;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(problem('BadRequest', `the request body exceeds ${limit} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type { ChannelRecord };

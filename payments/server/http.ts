/**
 * Paid routes for `node:http`: plain request/response (one unit per request) and SSE streams (one
 * unit per event). Each route answers a request without a credential with 402 and a challenge,
 * a management POST (no body) with 204 and a receipt, and content with 200 and `Payment-Receipt`.
 *
 *   const route = paidRoute(server, async (req, body) => ({ body: JSON.stringify(answer(body)) }));
 *   http.createServer((req, res) => void route(req, res));
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hex32 } from '../../precompiles/index.js';
import type { ChannelRecord } from '../store/record.js';
import { encodeSnapshotHeader, parseChannelId, parseCredentialHeader, PaymentProblem, problem, serializeReceipt, type RawCredential } from '../wire/index.js';
import { bootstrapChallenge, verifyBootstrapProof } from './bootstrap.js';
import type { PaymentServer, Verified } from './payment-server.js';
import { asProblem, HEADERS, isContentRequest, readBody, sendContent, sendNoContent, sendProblem } from './respond.js';
import { meterSse, type UnitSource } from './sse.js';

/** Largest `Authorization` value taken (an ML-DSA-65 open credential is about 30 KB). */
export const MAX_CREDENTIAL_BYTES = 64 * 1024;

export interface Content {
  status?: number;
  contentType?: string;
  body: string | Buffer;
}

/** Thrown by a handler to refuse bad input: a 400 problem, and nothing is charged. */
export const badInput = (message: string): PaymentProblem => problem('BadRequest', message);

export type ContentHandler = (req: IncomingMessage, body: Buffer) => Promise<Content>;
export type StreamHandler = (req: IncomingMessage, body: Buffer) => Promise<UnitSource>;

async function knownRecord(server: PaymentServer, id: string | undefined): Promise<ChannelRecord | undefined> {
  if (!id) return undefined;
  try {
    const r = await server.store.get(parseChannelId(id, 'Payment-Session'));
    return r && r.descriptor.payee === server.terms.payee && r.descriptor.token === server.terms.token ? r : undefined;
  } catch {
    return undefined;
  }
}

interface Ctx {
  server: PaymentServer;
  req: IncomingMessage;
  res: ServerResponse;
  record?: ChannelRecord;
}

function fail(c: Ctx, e: unknown): void {
  const p = asProblem(e);
  sendProblem(c.res, p, c.server.challenge({ record: c.record }));
}

function credentialOf(req: IncomingMessage): RawCredential | undefined {
  const auth = req.headers.authorization;
  if (auth === undefined) return undefined;
  if (auth.length > MAX_CREDENTIAL_BYTES) throw problem('HeaderTooLarge', `the Authorization header has ${auth.length} bytes; at most ${MAX_CREDENTIAL_BYTES} are taken`);
  return parseCredentialHeader(auth);
}

/** The steps every paid route shares; returns the verified credential of a content request, or undefined once answered. */
async function admit(c: Ctx): Promise<Verified | undefined> {
  const { server, req, res } = c;
  const hint = req.headers[HEADERS.session.toLowerCase()];
  c.record = await knownRecord(server, typeof hint === 'string' ? hint : undefined);
  const raw = credentialOf(req);
  if (req.method === 'HEAD' && raw?.challenge.intent === 'charge') {
    const r = await verifyBootstrapProof(server, raw);
    const snap = r && server.snapshot(r, 0n);
    sendNoContent(res, undefined, r && snap ? { [HEADERS.session]: r.channelId, [HEADERS.snapshot]: encodeSnapshotHeader(snap) } : {});
    return undefined;
  }
  if (req.method === 'HEAD' && !raw) {
    sendProblem(res, problem('PaymentRequired', 'prove your account with the zero-amount challenge to learn your session'), bootstrapChallenge(server));
    return undefined;
  }
  if (!raw) {
    sendProblem(res, problem('PaymentRequired', `this resource costs ${server.terms.price} per ${server.unitType}; pay with a sessionchain session credential`), server.challenge({ record: c.record }));
    return undefined;
  }
  const v = await server.process(raw);
  c.record = v.record;
  if (v.action === 'close') {
    sendNoContent(res, server.receipt(v.challenge.id, v.record, { txHash: v.txHash, acceptedCumulative: v.record.highestVoucherAmount }));
    return undefined;
  }
  if (v.action === 'topUp' || !isContentRequest(req)) {
    sendNoContent(res, server.receipt(v.challenge.id, v.record, v.txHash ? { txHash: v.txHash } : {}));
    return undefined;
  }
  return v;
}

interface Remembered {
  status: number;
  contentType: string;
  body: string;
  receipt: string;
}

/** A paid request/response route: one unit per request, charged only when the handler succeeds. */
export function paidRoute(server: PaymentServer, handler: ContentHandler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const c: Ctx = { server, req, res };
    try {
      const v = await admit(c);
      if (!v) return;
      const key = req.headers[HEADERS.idempotencyKey];
      const idemKey = typeof key === 'string' && key.length > 0 && key.length <= 256 ? `${v.challenge.id}:${v.record.channelId}:${key}` : undefined;
      if (idemKey) {
        const seen = await server.store.getIdempotent(idemKey);
        if (seen) {
          const r = JSON.parse(seen) as Remembered;
          res.writeHead(r.status, { 'Content-Type': r.contentType, [HEADERS.receipt]: r.receipt, 'Idempotent-Replay': 'true', 'Cache-Control': 'no-store' });
          res.end(Buffer.from(r.body, 'base64'));
          return;
        }
      }
      const id = v.record.channelId as Hex32;
      const price = server.terms.price;
      const held = await server.reserve(id, price);
      if (!held.ok) throw problem('InsufficientBalance', `this request needs a voucher for ${held.required} (accepted ${held.record.highestVoucherAmount}, spent ${held.record.spent})`);
      let out: Content;
      try {
        out = await handler(req, await readBody(req));
      } catch (e) {
        server.release(id, price);
        throw e;
      }
      const contentType = out.contentType ?? 'application/json';
      if (idemKey) {
        // Remembered before the charge: a crash between the two costs the server, never the client.
        const predicted = server.receipt(v.challenge.id, { ...held.record, spent: held.record.spent + price, units: held.record.units + 1 });
        const body = Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body);
        await server.store.putIdempotent(idemKey, JSON.stringify({ status: out.status ?? 200, contentType, body: body.toString('base64'), receipt: serializeReceipt(predicted) } satisfies Remembered));
      }
      const record = await server.commit(id, price);
      c.record = record;
      const receipt = server.receipt(v.challenge.id, record);
      sendContent(res, out.status ?? 200, contentType, out.body, receipt);
    } catch (e) {
      fail(c, e);
    }
  };
}

/** A paid SSE route: the handler yields units; each is charged as it is sent. */
export function paidSseRoute(server: PaymentServer, handler: StreamHandler, o: { needVoucherTimeoutMs?: number } = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const c: Ctx = { server, req, res };
    try {
      const v = await admit(c);
      if (!v) return;
      const units = await handler(req, await readBody(req));
      await meterSse(server, v, req, res, units, o);
    } catch (e) {
      fail(c, e);
    }
  };
}

/** A route that only takes management credentials (the WebSocket probe URL, close and top-up posts). */
export function managementRoute(server: PaymentServer): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const c: Ctx = { server, req, res };
    try {
      const v = await admit(c);
      if (v) sendNoContent(res, server.receipt(v.challenge.id, v.record));
    } catch (e) {
      fail(c, e);
    }
  };
}

export { PaymentProblem };

/**
 * Metered SSE (spec tip1034.md §6, §8): before each unit the stream reserves its price from the
 * channel's available balance; when that is short it sends ONE `payment-need-voucher` event and
 * waits until the store records a voucher (the client posts it on the management channel while the
 * stream stays open). A unit is written, then its reservation is charged (the reservation already
 * guarantees the coverage); the last event is the receipt. The
 * response starts with `Payment-Receipt` too, and `X-Accel-Buffering: no` keeps proxies from holding
 * events back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hex32 } from '../../precompiles/index.js';
import { problem, serializeReceipt, sseError, sseMessage, sseNeedVoucher, sseReceipt, SSE_HEADERS } from '../wire/index.js';
import type { PaymentServer, Verified } from './payment-server.js';
import { asProblem, HEADERS } from './respond.js';

/** What a stream sells: each item is computed only once it is paid for. */
export type UnitSource = AsyncIterable<() => Promise<string> | string> | Iterable<() => Promise<string> | string>;

export interface MeterOptions {
  /** How long a stream waits for a voucher after asking (default 60 s). */
  needVoucherTimeoutMs?: number;
}

/**
 * Waits until `amount` more can be reserved on the channel. `ask(required)` is called once per
 * shortfall (the need-voucher event); resolves false if the wait times out or is aborted.
 */
export async function reserveOrWait(server: PaymentServer, id: Hex32, amount: bigint, ask: (required: bigint, accepted: bigint, deposit: bigint) => void, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  let asked = false;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal.aborted) return false;
    // Listen before looking, so a voucher that lands in between still wakes us.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const left = deadline - Date.now();
    const updated = server.store.waitForUpdate(id, Math.max(0, Math.min(left, 1000)), stop.signal);
    try {
      const r = await server.reserve(id, amount);
      if (r.ok) return true;
      if (!asked) {
        ask(r.required, r.record.highestVoucherAmount, r.record.deposit);
        asked = true;
      }
      if (left <= 0) return false;
      await updated;
    } finally {
      stop.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }
}

export async function meterSse(server: PaymentServer, v: Verified, req: IncomingMessage, res: ServerResponse, units: UnitSource, o: MeterOptions = {}): Promise<void> {
  const id = v.record.channelId as Hex32;
  const price = server.terms.price;
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  res.on('close', () => abort.abort());
  res.writeHead(200, { ...SSE_HEADERS, [HEADERS.receipt]: serializeReceipt(server.receipt(v.challenge.id, v.record)) });
  res.flushHeaders();
  let record = v.record;
  let n = 0;
  try {
    for await (const unit of units as AsyncIterable<() => Promise<string> | string>) {
      const paid = await reserveOrWait(
        server,
        id,
        price,
        (required, accepted, deposit) => res.write(sseNeedVoucher({ channelId: id, requiredCumulative: required.toString(), acceptedCumulative: accepted.toString(), deposit: deposit.toString() })),
        o.needVoucherTimeoutMs ?? 60_000,
        abort.signal,
      );
      if (!paid) {
        if (!abort.signal.aborted) throw problem('InsufficientBalance', 'no voucher arrived for the next unit; the stream ends here');
        return;
      }
      let data: string;
      try {
        data = await unit();
      } catch (e) {
        server.release(id, price);
        throw e;
      }
      // Delivered, then charged: a crash in between costs the server one unit, never the client.
      res.write(sseMessage(data, String(n++)));
      record = await server.commit(id, price);
    }
    res.end(sseReceipt(server.receipt(v.challenge.id, record)));
  } catch (e) {
    const p = asProblem(e);
    if (!res.writableEnded && !abort.signal.aborted) res.end(sseError({ status: p.status, name: p.name, message: p.message }));
  }
}

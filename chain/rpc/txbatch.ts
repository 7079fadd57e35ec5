/**
 * The binary submission path: raw transactions as bytes instead of JSON hex (half the size, no hex
 * or JSON parsing of the payload), several per request.
 *
 *   batch    = (u32be length ‖ raw transaction)*          at most MAX_TX_BATCH transactions
 *   HTTP     POST / with Content-Type: application/octet-stream, body = batch; `?wait=true` waits
 *            for the receipts. Answer (application/json): one entry per transaction, in order.
 *   WebSocket binary frame = TX_BATCH_MAGIC ‖ u32be id ‖ u32be flags (bit 0: wait) ‖ batch.
 *            Answer: a JSON-RPC response text frame with that id and the same entries as result.
 *
 * An entry is `{ result }` or `{ error: { code, message, data } }`: exactly what
 * chain.SendTransaction answers for the same transaction (`{ hash }`, or the receipt with wait).
 */
import { NamedError, RpcCode } from '../errors.js';

export const TX_BATCH_CONTENT_TYPE = 'application/octet-stream';
/** First bytes of a WebSocket binary frame carrying a batch (a JSON text cannot start with 0x00). */
export const TX_BATCH_MAGIC = Uint8Array.of(0x00, 0x53, 0x43, 0x31);
export const MAX_TX_BATCH = 1000;

export class InvalidTxBatch extends NamedError {
  constructor(message: string) {
    super('InvalidTxBatch', message, { rpcCode: RpcCode.InvalidRequest });
  }
}

export function encodeTxBatch(raws: readonly Uint8Array[]): Uint8Array {
  if (raws.length === 0 || raws.length > MAX_TX_BATCH) throw new RangeError(`a batch holds 1 to ${MAX_TX_BATCH} transactions, not ${raws.length}`);
  const out = new Uint8Array(raws.reduce((n, r) => n + 4 + r.length, 0));
  const view = new DataView(out.buffer);
  let off = 0;
  for (const r of raws) {
    view.setUint32(off, r.length);
    out.set(r, off + 4);
    off += 4 + r.length;
  }
  return out;
}

/** Splits a batch into views of its transactions; throws InvalidTxBatch on a malformed one. */
export function decodeTxBatch(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < 4) throw new InvalidTxBatch(`batch entry ${out.length} is cut off: expected a 4-byte length at offset ${off}, actual ${bytes.length - off} bytes left`);
    const len = view.getUint32(off);
    if (len === 0 || len > bytes.length - off - 4) throw new InvalidTxBatch(`batch entry ${out.length} declares ${len} bytes at offset ${off}; ${bytes.length - off - 4} follow (expected 1 to that many)`);
    if (out.length === MAX_TX_BATCH) throw new InvalidTxBatch(`a batch holds at most ${MAX_TX_BATCH} transactions; split it`);
    out.push(bytes.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  if (out.length === 0) throw new InvalidTxBatch('the batch is empty: send at least one length-prefixed transaction');
  return out;
}

export interface WsTxBatch {
  id: number;
  wait: boolean;
  raws: Uint8Array[];
}

export function encodeWsTxBatch(id: number, raws: readonly Uint8Array[], wait = false): Uint8Array {
  const body = encodeTxBatch(raws);
  const out = new Uint8Array(12 + body.length);
  out.set(TX_BATCH_MAGIC);
  const view = new DataView(out.buffer);
  view.setUint32(4, id);
  view.setUint32(8, wait ? 1 : 0);
  out.set(body, 12);
  return out;
}

/** Whether a WebSocket binary frame is a transaction batch (else it is JSON sent as binary). */
export function isWsTxBatch(frame: Uint8Array): boolean {
  return frame.length >= 4 && TX_BATCH_MAGIC.every((b, i) => frame[i] === b);
}

export function decodeWsTxBatch(frame: Uint8Array): WsTxBatch {
  if (frame.length < 12) throw new InvalidTxBatch(`a batch frame starts with 12 header bytes; this one has ${frame.length}`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const flags = view.getUint32(8);
  if ((flags & ~1) !== 0) throw new InvalidTxBatch(`unknown batch flags ${flags}: only bit 0 (wait) is defined`);
  return { id: view.getUint32(4), wait: (flags & 1) === 1, raws: decodeTxBatch(frame.subarray(12)) };
}

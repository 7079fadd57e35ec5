/**
 * Receipts and events (SPEC §4).
 *
 *   event   = rlp([address, name, [topic...], data])
 *   receipt = rlp([txHash, status, gasUsed, error, errorMessage, returnData, [event...]])
 *
 * `error` is the empty string on success. receiptsRoot is the Merkle root of keccak256(receipt)
 * over the block's receipts in order, followed by one leaf for the block's system events (events
 * emitted by `endBlock` hooks) when there are any.
 */
import { keccak256 } from './hash.js';
import { type Address } from './address.js';
import { asList, rlpDecode, rlpEncode, t, type RlpItem } from './codec.js';

export interface ChainEvent {
  address: Address;
  name: string;
  topics: Uint8Array[];
  data: Uint8Array;
}

export interface Receipt {
  txHash: Uint8Array;
  status: 0 | 1;
  gasUsed: bigint;
  /** Named error when status is 0, else ''. */
  error: string;
  errorMessage: string;
  returnData: Uint8Array;
  events: ChainEvent[];
}

const eventName = t.string(128);
const errName = t.string(128);
const errMessage = t.string(1024);

export function encodeEvent(e: ChainEvent): RlpItem {
  return [t.address.encode(e.address), eventName.encode(e.name), e.topics, e.data];
}

export function decodeEvent(item: RlpItem, path = 'event'): ChainEvent {
  const [address, name, topics, data] = asList(item, path, 4);
  return {
    address: t.address.decode(address!, `${path}.address`),
    name: eventName.decode(name!, `${path}.name`),
    topics: t.list(t.bytes32, 16).decode(topics!, `${path}.topics`),
    data: t.bytes().decode(data!, `${path}.data`),
  };
}

/** Receipts do not change once made: their encodings are built once (receipt hash, block record, replay checks). */
const items = new WeakMap<Receipt, RlpItem>();
const encodings = new WeakMap<Receipt, Uint8Array>();

export function receiptItem(r: Receipt): RlpItem {
  let item = items.get(r);
  if (!item) items.set(r, (item = buildReceiptItem(r)));
  return item;
}

function buildReceiptItem(r: Receipt): RlpItem {
  return [
    t.bytes32.encode(r.txHash),
    t.uint8.encode(r.status),
    t.uint64.encode(r.gasUsed),
    errName.encode(r.error),
    errMessage.encode(r.errorMessage.length > 1000 ? r.errorMessage.slice(0, 1000) : r.errorMessage),
    r.returnData,
    r.events.map(encodeEvent),
  ];
}

export function encodeReceipt(r: Receipt): Uint8Array {
  let bytes = encodings.get(r);
  if (!bytes) encodings.set(r, (bytes = rlpEncode(receiptItem(r))));
  return bytes;
}

export function decodeReceiptItem(item: RlpItem, path = 'receipt'): Receipt {
  const [txHash, status, gasUsed, error, errorMessage, returnData, events] = asList(item, path, 7);
  const s = t.uint8.decode(status!, `${path}.status`);
  if (s !== 0 && s !== 1) throw new Error(`${path}.status must be 0 or 1`);
  return {
    txHash: t.bytes32.decode(txHash!, `${path}.txHash`),
    status: s,
    gasUsed: t.uint64.decode(gasUsed!, `${path}.gasUsed`),
    error: errName.decode(error!, `${path}.error`),
    errorMessage: errMessage.decode(errorMessage!, `${path}.errorMessage`),
    returnData: t.bytes().decode(returnData!, `${path}.returnData`),
    events: asList(events!, `${path}.events`).map((e, i) => decodeEvent(e, `${path}.events[${i}]`)),
  };
}

export function decodeReceipt(bytes: Uint8Array): Receipt {
  return decodeReceiptItem(rlpDecode(bytes, 'receipt'));
}

export function receiptHash(r: Receipt): Uint8Array {
  return keccak256(encodeReceipt(r));
}

/** Hash of a block's system events (the extra receiptsRoot leaf). */
export function systemEventsHash(events: ChainEvent[]): Uint8Array {
  return keccak256(rlpEncode(events.map(encodeEvent)));
}

/**
 * The cross-chain wire of the AIVM quorum engine (spec §2.4–§2.5): intent ids, task ids, commit
 * hashes and the 355-byte settlement receipt. Every preimage is fixed-width and big-endian in the
 * order the spec gives; Keccak-256 is the legacy (0x01-padded) variant.
 */
import { bytesToBig, concat, keccak256, toAddress, u16be, utf8, type Address } from '../../chain/index.js';
import { addr20, be, bytesN, word32, type AddressLike, type IntLike } from './bytes.js';

export const DOMAIN_INTENT = 'lux/aivmbridge/intent/v1';
export const DOMAIN_RECEIPT = 'lux/aivmbridge/receipt/v1';
const DOMAIN_TASK = utf8('av/task');
const DOMAIN_CHAIN_ID = 'av/chainid/';

export const RECEIPT_VERSION = 1;
export const RECEIPT_LENGTH = 355;

/** Receipt status byte (shared with the boundary). */
export const ReceiptStatus = { Unknown: 0, Pending: 1, Completed: 2, Failed: 3, Challenged: 4 } as const;
export type ReceiptStatus = (typeof ReceiptStatus)[keyof typeof ReceiptStatus];

/** `keccak256("av/chainid/" + s)`: the 32-byte id of a named chain. */
export function chainIdFromString(s: string): Uint8Array {
  if (typeof s !== 'string') throw new TypeError('chain name must be a string');
  return keccak256(utf8(DOMAIN_CHAIN_ID + s));
}

export interface IntentFields {
  cChain: Uint8Array;
  aChain: Uint8Array;
  cTx: Uint8Array;
  callIndex: IntLike;
  caller: AddressLike;
  spec: Uint8Array;
  prompt: Uint8Array;
  n: IntLike;
  threshold: IntLike;
  fee: IntLike;
}

/** The 244-byte intent preimage (domain string included). */
export function intentPreimage(f: IntentFields): Uint8Array {
  return concat(
    utf8(DOMAIN_INTENT),
    bytesN(f.cChain, 32, 'cChain'),
    bytesN(f.aChain, 32, 'aChain'),
    bytesN(f.cTx, 32, 'cTx'),
    be(f.callIndex, 4, 'callIndex'),
    addr20(f.caller, 'caller'),
    bytesN(f.spec, 32, 'spec'),
    bytesN(f.prompt, 32, 'prompt'),
    be(f.n, 2, 'n'),
    be(f.threshold, 2, 'threshold'),
    be(f.fee, 32, 'fee'),
  );
}

export function intentId(f: IntentFields): Uint8Array {
  return keccak256(intentPreimage(f));
}

export interface TaskIdFields {
  requester: AddressLike;
  /** The requester's task nonce: a 32-byte word, or an integer encoded as uint256. */
  nonce: Uint8Array | IntLike;
  spec: Uint8Array;
  prompt: Uint8Array;
  height: IntLike;
  n: IntLike;
  threshold: IntLike;
}

export function taskId(f: TaskIdFields): Uint8Array {
  return keccak256(
    concat(
      DOMAIN_TASK,
      addr20(f.requester, 'requester'),
      word32(f.nonce, 'nonce'),
      bytesN(f.spec, 32, 'spec'),
      bytesN(f.prompt, 32, 'prompt'),
      be(f.height, 8, 'height'),
      be(f.n, 4, 'n'),
      be(f.threshold, 4, 'threshold'),
    ),
  );
}

export interface CommitFields {
  taskId: Uint8Array;
  spec: Uint8Array;
  prompt: Uint8Array;
  outputHash: Uint8Array;
  embeddingHash: Uint8Array;
  operator: AddressLike;
  /** The operator's secret reveal nonce (32 bytes, or an integer as uint256). */
  nonce: Uint8Array | IntLike;
}

/** The operator-bound commit: binding the operator's address stops a peer from copying it. */
export function commitHash(f: CommitFields): Uint8Array {
  return keccak256(
    concat(
      bytesN(f.taskId, 32, 'taskId'),
      bytesN(f.spec, 32, 'spec'),
      bytesN(f.prompt, 32, 'prompt'),
      bytesN(f.outputHash, 32, 'outputHash'),
      bytesN(f.embeddingHash, 32, 'embeddingHash'),
      addr20(f.operator, 'operator'),
      word32(f.nonce, 'nonce'),
    ),
  );
}

export interface ReceiptFields {
  intentId: Uint8Array;
  taskId: Uint8Array;
  cChain: Uint8Array;
  aChain: Uint8Array;
  requester: AddressLike;
  spec: Uint8Array;
  prompt: Uint8Array;
  /** Zero when the task failed. */
  canonical: Uint8Array;
  status: IntLike;
  n: IntLike;
  threshold: IntLike;
  winnersRoot: Uint8Array;
  operatorsRoot: Uint8Array;
  feePaid: IntLike;
  settledHeight: IntLike;
}

/** The canonical 355-byte receipt encoding (version 1). */
export function encodeReceipt(r: ReceiptFields): Uint8Array {
  const out = concat(
    u16be(RECEIPT_VERSION),
    bytesN(r.intentId, 32, 'intentId'),
    bytesN(r.taskId, 32, 'taskId'),
    bytesN(r.cChain, 32, 'cChain'),
    bytesN(r.aChain, 32, 'aChain'),
    addr20(r.requester, 'requester'),
    bytesN(r.spec, 32, 'spec'),
    bytesN(r.prompt, 32, 'prompt'),
    bytesN(r.canonical, 32, 'canonical'),
    be(r.status, 1, 'status'),
    be(r.n, 2, 'n'),
    be(r.threshold, 2, 'threshold'),
    bytesN(r.winnersRoot, 32, 'winnersRoot'),
    bytesN(r.operatorsRoot, 32, 'operatorsRoot'),
    be(r.feePaid, 32, 'feePaid'),
    be(r.settledHeight, 8, 'settledHeight'),
  );
  if (out.length !== RECEIPT_LENGTH) throw new Error(`receipt encoding is ${out.length} bytes`); // unreachable: widths are fixed
  return out;
}

/** A decoded receipt: byte fields as Uint8Array, the requester as an address, integers as they fit. */
export interface Receipt {
  version: number;
  intentId: Uint8Array;
  taskId: Uint8Array;
  cChain: Uint8Array;
  aChain: Uint8Array;
  requester: Address;
  spec: Uint8Array;
  prompt: Uint8Array;
  canonical: Uint8Array;
  status: number;
  n: number;
  threshold: number;
  winnersRoot: Uint8Array;
  operatorsRoot: Uint8Array;
  feePaid: bigint;
  settledHeight: bigint;
}

/** Parses a 355-byte receipt; throws a RangeError on any other length or version. */
export function decodeReceipt(enc: Uint8Array): Receipt {
  if (!(enc instanceof Uint8Array) || enc.length !== RECEIPT_LENGTH) throw new RangeError(`a receipt is exactly ${RECEIPT_LENGTH} bytes`);
  const dv = new DataView(enc.buffer, enc.byteOffset, enc.byteLength);
  let off = 0;
  const take = (n: number) => Uint8Array.prototype.slice.call(enc, off, (off += n)); // a copy even for a Buffer
  const version = dv.getUint16(0);
  off = 2;
  if (version !== RECEIPT_VERSION) throw new RangeError(`unknown receipt version ${version}`);
  const r = {
    version,
    intentId: take(32),
    taskId: take(32),
    cChain: take(32),
    aChain: take(32),
    requester: toAddress(take(20)),
    spec: take(32),
    prompt: take(32),
    canonical: take(32),
    status: take(1)[0]!,
    n: dv.getUint16(off),
    threshold: dv.getUint16(off + 2),
    winnersRoot: new Uint8Array(0),
    operatorsRoot: new Uint8Array(0),
    feePaid: 0n,
    settledHeight: 0n,
  };
  off += 4;
  r.winnersRoot = take(32);
  r.operatorsRoot = take(32);
  r.feePaid = bytesToBig(take(32));
  r.settledHeight = dv.getBigUint64(off);
  return r;
}

/** `keccak256("lux/aivmbridge/receipt/v1" ‖ encoding)`. */
export function receiptHash(encoded: Uint8Array): Uint8Array {
  if (!(encoded instanceof Uint8Array) || encoded.length !== RECEIPT_LENGTH) throw new RangeError(`a receipt encoding is exactly ${RECEIPT_LENGTH} bytes`);
  return keccak256(concat(utf8(DOMAIN_RECEIPT), encoded));
}


/**
 * Blocks (SPEC §4).
 *
 *   header = rlp([chainId, height, parentHash, timestamp, producer, txRoot, receiptsRoot, stateRoot,
 *                 [[rootName, root]...], gasUsed, txCount, signature])
 *   block  = rlp([header, [tx...]])          (each tx as its canonical encoding, a byte string)
 *   hash   = keccak256(header)               (the signed header)
 *   digest = keccak256("SESSIONCHAIN:BLOCK:v1" ‖ rlp(header fields without the signature))
 *
 * `timestamp` is unix milliseconds. `extraRoots` are module roots (AIVM state root, session receipts
 * root, ...) sorted by name. Block 0 is unsigned; its extra roots include `genesis`, the hash of the
 * canonical genesis document, so the genesis block hash pins the whole configuration.
 */
import { compareBytes, concat, utf8 } from './bytes.js';
import { keccak256 } from './hash.js';
import { type Address } from './address.js';
import { asList, rlpDecodeViews, rlpEncode, t, type RlpItem } from './codec.js';
import { CodecError } from './errors.js';
import { type Signer } from './keys/signer.js';
import { recoverSigner } from './keys/schemes.js';
import { Transaction } from './tx.js';

export const BLOCK_DOMAIN = utf8('SESSIONCHAIN:BLOCK:v1');

export interface BlockHeader {
  chainId: bigint;
  height: bigint;
  parentHash: Uint8Array;
  timestamp: bigint;
  producer: Address;
  txRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  stateRoot: Uint8Array;
  /** Named module roots, sorted by name, names unique. */
  extraRoots: [string, Uint8Array][];
  gasUsed: bigint;
  txCount: number;
  signature: Uint8Array;
}

const rootName = t.string(32);

function unsignedHeaderItems(h: BlockHeader): RlpItem[] {
  for (let i = 1; i < h.extraRoots.length; i++) {
    if (compareBytes(utf8(h.extraRoots[i - 1]![0]), utf8(h.extraRoots[i]![0])) >= 0) throw new CodecError('extra roots must be sorted and unique', 'extraRoots');
  }
  return [
    t.uint64.encode(h.chainId),
    t.uint64.encode(h.height),
    t.bytes32.encode(h.parentHash),
    t.uint64.encode(h.timestamp),
    t.address.encode(h.producer),
    t.bytes32.encode(h.txRoot),
    t.bytes32.encode(h.receiptsRoot),
    t.bytes32.encode(h.stateRoot),
    h.extraRoots.map(([n, r]) => [rootName.encode(n), t.bytes32.encode(r)]),
    t.uint64.encode(h.gasUsed),
    t.uint32.encode(h.txCount),
  ];
}

export function headerItem(h: BlockHeader): RlpItem {
  return [...unsignedHeaderItems(h), t.bytes(8192).encode(h.signature)];
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return rlpEncode(headerItem(h));
}

export function decodeHeaderItem(item: RlpItem, path = 'header'): BlockHeader {
  const f = asList(item, path, 12);
  const extra = asList(f[8]!, `${path}.extraRoots`).map((e, i) => {
    const [n, r] = asList(e, `${path}.extraRoots[${i}]`, 2);
    return [rootName.decode(n!, `${path}.extraRoots[${i}].name`), t.bytes32.decode(r!, `${path}.extraRoots[${i}].root`)] as [string, Uint8Array];
  });
  const h: BlockHeader = {
    chainId: t.uint64.decode(f[0]!, `${path}.chainId`),
    height: t.uint64.decode(f[1]!, `${path}.height`),
    parentHash: t.bytes32.decode(f[2]!, `${path}.parentHash`),
    timestamp: t.uint64.decode(f[3]!, `${path}.timestamp`),
    producer: t.address.decode(f[4]!, `${path}.producer`),
    txRoot: t.bytes32.decode(f[5]!, `${path}.txRoot`),
    receiptsRoot: t.bytes32.decode(f[6]!, `${path}.receiptsRoot`),
    stateRoot: t.bytes32.decode(f[7]!, `${path}.stateRoot`),
    extraRoots: extra,
    gasUsed: t.uint64.decode(f[9]!, `${path}.gasUsed`),
    txCount: t.uint32.decode(f[10]!, `${path}.txCount`),
    signature: t.bytes(8192).decode(f[11]!, `${path}.signature`),
  };
  unsignedHeaderItems(h); // re-checks the extra-roots ordering
  return h;
}

export function headerSigningDigest(h: BlockHeader): Uint8Array {
  return keccak256(concat(BLOCK_DOMAIN, rlpEncode(unsignedHeaderItems(h))));
}

export function blockHash(h: BlockHeader): Uint8Array {
  return keccak256(encodeHeader(h));
}

export function signHeader(h: Omit<BlockHeader, 'signature'>, producer: Signer): BlockHeader {
  const unsigned: BlockHeader = { ...h, signature: new Uint8Array(0) };
  return { ...unsigned, signature: producer.sign(headerSigningDigest(unsigned)) };
}

/** True when the header carries a valid signature by `producer` (its address must match too). */
export function verifyHeaderSignature(h: BlockHeader): boolean {
  const who = recoverSigner(h.signature, headerSigningDigest(h));
  return who !== null && who.address === h.producer;
}

export function extraRoot(h: BlockHeader, name: string): Uint8Array | undefined {
  return h.extraRoots.find(([n]) => n === name)?.[1];
}

export interface Block {
  header: BlockHeader;
  txs: Transaction[];
}

export function encodeBlock(b: Block): Uint8Array {
  return rlpEncode([headerItem(b.header), b.txs.map((tx) => tx.raw)]);
}

/** Decodes a canonical block. Transactions are decoded but not yet verified. */
export function decodeBlock(bytes: Uint8Array): Block {
  const [h, txs] = asList(rlpDecodeViews(bytes, 'block'), 'block', 2);
  const header = decodeHeaderItem(h!);
  const txList = asList(txs!, 'block.txs').map((raw, i) => {
    if (!(raw instanceof Uint8Array)) throw new CodecError('expected transaction bytes', `block.txs[${i}]`);
    return Transaction.decode(raw);
  });
  if (txList.length !== header.txCount) throw new CodecError(`header says ${header.txCount} transactions, body has ${txList.length}`, 'block');
  return { header, txs: txList };
}

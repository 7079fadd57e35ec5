/**
 * Transactions (SPEC §4):
 *
 *   tx      = rlp([chainId, nonce, from, to, method, args, gasLimit, gasPrice, signature])
 *   digest  = keccak256("SESSIONCHAIN:TX:v1" ‖ rlp([chainId, nonce, from, to, method, args, gasLimit, gasPrice]))
 *   hash    = keccak256(tx)
 *
 * `args` is the method's argument list (an RLP list, typed by the target module's schema). Decoding
 * is canonical-only; the signature is checked separately (once, in the verifier pool).
 */
import { concat, utf8 } from './bytes.js';
import { keccak256 } from './hash.js';
import { type Address } from './address.js';
import { type RlpItem, asList, rlpDecodeViews, rlpEncode, t } from './codec.js';
import { CodecError } from './errors.js';
import { type Signer } from './keys/signer.js';

export const TX_DOMAIN = utf8('SESSIONCHAIN:TX:v1');
/** Upper bound on a method name, in bytes. */
export const MAX_METHOD_LEN = 64;
/** Upper bound on an encoded signature (ML-DSA-65 is 5262 bytes). */
export const MAX_SIGNATURE_LEN = 8192;
const METHOD_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface UnsignedTx {
  chainId: bigint;
  nonce: bigint;
  from: Address;
  to: Address;
  method: string;
  args: RlpItem[];
  gasLimit: bigint;
  gasPrice: bigint;
}

export interface SignedTx extends UnsignedTx {
  signature: Uint8Array;
}

const methodType = t.string(MAX_METHOD_LEN);

function unsignedItems(tx: UnsignedTx): RlpItem[] {
  if (!METHOD_RE.test(tx.method)) throw new CodecError(`method name ${JSON.stringify(tx.method)} is not an identifier`, 'method');
  return [
    t.uint64.encode(tx.chainId),
    t.uint64.encode(tx.nonce),
    t.address.encode(tx.from),
    t.address.encode(tx.to),
    methodType.encode(tx.method),
    tx.args,
    t.uint64.encode(tx.gasLimit),
    t.uint256.encode(tx.gasPrice),
  ];
}

export function encodeUnsignedTx(tx: UnsignedTx): Uint8Array {
  return rlpEncode(unsignedItems(tx));
}

export function txSigningDigest(unsignedEncoding: Uint8Array): Uint8Array {
  return keccak256(concat(TX_DOMAIN, unsignedEncoding));
}

export function signTx(tx: UnsignedTx, signer: Signer): Transaction {
  if (signer.address !== tx.from) throw new Error(`signer ${signer.address} is not the transaction's sender ${tx.from}`);
  const unsigned = encodeUnsignedTx(tx);
  const signature = signer.sign(txSigningDigest(unsigned));
  return Transaction.fromFields({ ...tx, signature });
}

/** A decoded, canonical transaction with its encodings; hashes are computed once, on demand. */
export class Transaction implements SignedTx {
  readonly chainId: bigint;
  readonly nonce: bigint;
  readonly from: Address;
  readonly to: Address;
  readonly method: string;
  readonly args: RlpItem[];
  readonly gasLimit: bigint;
  readonly gasPrice: bigint;
  readonly signature: Uint8Array;
  /** The full canonical encoding. */
  readonly raw: Uint8Array;
  #hash: Uint8Array | undefined;
  #unsigned: Uint8Array | undefined;

  private constructor(f: SignedTx, raw: Uint8Array) {
    this.chainId = f.chainId;
    this.nonce = f.nonce;
    this.from = f.from;
    this.to = f.to;
    this.method = f.method;
    this.args = f.args;
    this.gasLimit = f.gasLimit;
    this.gasPrice = f.gasPrice;
    this.signature = f.signature;
    this.raw = raw;
  }

  static fromFields(f: SignedTx): Transaction {
    if (f.signature.length > MAX_SIGNATURE_LEN) throw new CodecError('signature too long', 'signature');
    const raw = rlpEncode([...unsignedItems(f), f.signature]);
    return new Transaction(f, raw);
  }

  /** Decodes canonical bytes; throws CodecError naming the offending field. */
  static decode(raw: Uint8Array): Transaction {
    const items = asList(rlpDecodeViews(raw, 'transaction'), 'transaction', 9);
    const method = methodType.decode(items[4]!, 'method');
    if (!METHOD_RE.test(method)) throw new CodecError('not an identifier', 'method');
    const args = asList(items[5]!, 'args');
    const signature = t.bytes(MAX_SIGNATURE_LEN).decode(items[8]!, 'signature');
    const f: SignedTx = {
      chainId: t.uint64.decode(items[0]!, 'chainId'),
      nonce: t.uint64.decode(items[1]!, 'nonce'),
      from: t.address.decode(items[2]!, 'from'),
      to: t.address.decode(items[3]!, 'to'),
      method,
      args,
      gasLimit: t.uint64.decode(items[6]!, 'gasLimit'),
      gasPrice: t.uint256.decode(items[7]!, 'gasPrice'),
      signature,
    };
    return new Transaction(f, raw);
  }

  get hash(): Uint8Array {
    return (this.#hash ??= keccak256(this.raw));
  }

  /** Lets a verifier that already hashed the bytes (a worker) hand the hash over. */
  setHash(hash: Uint8Array): void {
    this.#hash ??= hash;
  }

  /** rlp of the eight unsigned fields: what the signature covers (after the domain). */
  get unsignedEncoding(): Uint8Array {
    return (this.#unsigned ??= rlpEncode(unsignedItems(this)));
  }

  get signingDigest(): Uint8Array {
    return txSigningDigest(this.unsignedEncoding);
  }
}

/**
 * Building an `open` transaction client-side. The channelId binds the opening transaction through
 * `expiringNonceHash = keccak256(unsigned-tx encoding ‖ sender)`, so a client knows the id (and can
 * sign the first voucher) before it broadcasts.
 */
import { addressBytes, concat, encodeUnsignedTx, keccak256, toAddress, toHex, ZERO_ADDRESS, type UnsignedTx } from '../../chain/index.js';
import { toHex32, ZERO_WORD, type Hex32, openArgs, ESCROW_ADDRESS, channelIdHex, toChainId } from '../../precompiles/index.js';
import type { ChannelDescriptor } from '../../precompiles/index.js';
import { toUint96, type Amount } from './voucher.js';

/**
 * The transaction-context hash the escrow binds into a channel opened by `tx`:
 * keccak256(rlp(unsigned fields) ‖ sender). Pass the unsigned transaction, or its encoding and the sender.
 */
export function expiringNonceHash(tx: UnsignedTx | Uint8Array, sender?: string): Hex32 {
  const encoding = tx instanceof Uint8Array ? tx : encodeUnsignedTx(tx);
  const from = sender !== undefined ? toAddress(sender) : tx instanceof Uint8Array ? undefined : tx.from;
  if (!from) throw new TypeError('expiringNonceHash of a raw encoding needs the sender address');
  return toHex(keccak256(concat(encoding, addressBytes(from)))) as Hex32;
}

export interface OpenRequest {
  chainId: bigint | number;
  nonce: bigint;
  /** The payer: the account that signs the transaction. */
  from: string;
  payee: string;
  token: string;
  deposit: Amount;
  /** Zero (default) = nobody but the payee may settle and close. */
  operator?: string;
  /** Defaults to zero; use distinct salts to open several channels in one transaction. */
  salt?: string | Uint8Array;
  /** Zero (default) = the payer signs vouchers. */
  authorizedSigner?: string;
  gasLimit: bigint;
  gasPrice: bigint;
  escrow?: string;
}

export interface OpenPlan {
  /** Sign this with the payer's key (`signTx`) and broadcast it. */
  tx: UnsignedTx;
  descriptor: ChannelDescriptor;
  channelId: Hex32;
}

/** The `open` call's arguments (schema values) for a request. */
export function openCallArgs(req: Pick<OpenRequest, 'payee' | 'operator' | 'token' | 'deposit' | 'salt' | 'authorizedSigner'>) {
  return {
    payee: toAddress(req.payee),
    operator: req.operator !== undefined ? toAddress(req.operator) : ZERO_ADDRESS,
    token: toAddress(req.token),
    deposit: toUint96(req.deposit, 'deposit'),
    salt: req.salt !== undefined ? toHex32(req.salt, 'salt') : ZERO_WORD,
    authorizedSigner: req.authorizedSigner !== undefined ? toAddress(req.authorizedSigner) : ZERO_ADDRESS,
  };
}

/** The unsigned `open` transaction plus the descriptor and channelId it will create. */
export function buildOpenTx(req: OpenRequest): OpenPlan {
  const chainId = toChainId(req.chainId);
  const escrow = req.escrow !== undefined ? toAddress(req.escrow) : ESCROW_ADDRESS;
  const from = toAddress(req.from);
  const args = openCallArgs(req);
  const tx: UnsignedTx = {
    chainId,
    nonce: req.nonce,
    from,
    to: escrow,
    method: 'open',
    args: openArgs.encode(args) as UnsignedTx['args'],
    gasLimit: req.gasLimit,
    gasPrice: req.gasPrice,
  };
  const descriptor: ChannelDescriptor = {
    payer: from,
    payee: args.payee,
    operator: args.operator,
    token: args.token,
    salt: args.salt,
    authorizedSigner: args.authorizedSigner,
    expiringNonceHash: expiringNonceHash(tx),
  };
  return { tx, descriptor, channelId: channelIdHex(descriptor, chainId, escrow) };
}

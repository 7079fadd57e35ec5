/**
 * The stateless half of credential verification (spec tip1034.md §5, "all actions"): the echoed
 * challenge is ours (HMAC), unexpired and for this route; the payload is well formed; the
 * descriptor hashes to the channel id on this chain and escrow, and names our payee, token and
 * operator; the source is the channel's payer or signer; the open / topUp transaction is exactly
 * the one call it must be.
 */
import { ZERO_ADDRESS, type Address, type Transaction } from '../../chain/index.js';
import { channelIdHex, expiringNonceHash, openArgs, topUpArgs, voucherSigner, type ChannelDescriptor, type Hex32 } from '../../sdk/precompiles/index.js';
import {
  challengeIdValid,
  parseSessionPayload,
  parseSessionRequest,
  parseSourceDid,
  PAYMENT_METHOD,
  problem,
  SESSION_INTENT,
  type Challenge,
  type RawCredential,
  type SessionPayload,
} from '../wire/index.js';
import { ChainView } from './chain-view.js';

export interface RouteTerms {
  secret: Uint8Array;
  realm: string;
  price: bigint;
  token: Address;
  payee: Address;
  escrow: Address;
  chainId: number;
  operator: Address;
}

/** The challenge a credential echoes is one we issued for these terms and still valid. */
export function checkChallenge(c: Challenge, terms: RouteTerms, intent = SESSION_INTENT, now = Date.now()): void {
  if (c.method !== PAYMENT_METHOD) throw problem('InvalidChallenge', `the credential answers a "${c.method}" challenge; this server takes method "${PAYMENT_METHOD}"`);
  if (c.intent !== intent) throw problem('InvalidChallenge', `expected intent "${intent}", actual "${c.intent}"`);
  if (!challengeIdValid(terms.secret, c)) throw problem('InvalidChallenge', `challenge id ${c.id} was not issued by this server for these fields; request a fresh challenge`);
  if (c.realm !== terms.realm) throw problem('ChallengeMismatch', `the challenge is for realm "${c.realm}", this route's is "${terms.realm}"`);
  if (c.expires !== undefined) {
    const at = Date.parse(c.expires);
    if (!Number.isFinite(at)) throw problem('MalformedCredential', `challenge.expires is not an RFC 3339 time: ${c.expires}`);
    if (now > at) throw problem('PaymentExpired', `the challenge expired at ${c.expires}; retry with the fresh challenge in this response`);
  }
}

/** The session request inside a verified challenge must carry this route's terms. */
export function checkSessionTerms(c: Challenge, terms: RouteTerms): void {
  const r = parseSessionRequest(c.request, 'ChallengeMismatch');
  if (r.escrowContract !== terms.escrow) throw problem('ForeignEscrow', `the challenge names escrow ${r.escrowContract}; this server settles only on ${terms.escrow}`);
  if (r.chainId !== terms.chainId) throw problem('WrongChain', `the challenge is for chain ${r.chainId}, this server's chain is ${terms.chainId}`);
  if (r.amount !== terms.price) throw problem('ChallengeMismatch', `the challenge prices a unit at ${r.amount}, this route at ${terms.price}`);
  if (r.currency !== terms.token || r.recipient !== terms.payee) throw problem('ChallengeMismatch', 'the challenge is for another token or payee than this route');
}

/** Payload shape, channel id, payee, token and operator. */
export function checkPayload(raw: RawCredential, terms: RouteTerms): SessionPayload {
  const p = parseSessionPayload(raw.payload);
  const d = p.descriptor;
  const id = channelIdHex(d, BigInt(terms.chainId), terms.escrow);
  if (id !== p.channelId) throw problem('ChannelMismatch', `the descriptor hashes to ${id} on chain ${terms.chainId} and escrow ${terms.escrow}, not to ${p.channelId} (a voucher for another channel or chain)`);
  if (d.payee !== terms.payee) throw problem('WrongPayee', `expected payee ${terms.payee}, actual ${d.payee}`);
  if (d.token !== terms.token) throw problem('WrongToken', `expected token ${terms.token}, actual ${d.token}`);
  if (d.operator !== terms.operator) throw problem('WrongOperator', `expected operator ${terms.operator}, actual ${d.operator}`);
  return p;
}

/** `source` must be did:pkh:eip155:<chainId>:<payer or authorized signer> (mppx #628). */
export function checkSource(source: string | undefined, d: ChannelDescriptor, chainId: number, required: boolean): void {
  if (source === undefined) {
    if (required) throw problem('SourceMismatch', 'the credential has no source; send did:pkh:eip155:<chainId>:<payer>');
    return;
  }
  const s = parseSourceDid(source);
  const allowed = [d.payer, voucherSigner(d)];
  if (!s || s.chainId !== chainId || !allowed.includes(s.address)) {
    throw problem('SourceMismatch', `credential source ${source} is not this channel's payer or signer on chain ${chainId} (expected did:pkh:eip155:${chainId}:${d.payer})`);
  }
}

function sameDescriptor(a: ChannelDescriptor, b: ChannelDescriptor): boolean {
  return (Object.keys(a) as (keyof ChannelDescriptor)[]).every((k) => a[k] === b[k]);
}

export function requireSameDescriptor(stored: ChannelDescriptor, given: ChannelDescriptor): void {
  if (!sameDescriptor(stored, given)) throw problem('ChannelMismatch', 'the descriptor differs from the one this channel was opened with');
}

/** Decodes the payer's transaction: one call of escrow.`method` on this chain, from the payer, with decodable arguments. */
function escrowCall<T>(raw: string, terms: RouteTerms, payer: Address, method: string, args: { decode(item: never, path: string): T }): { tx: Transaction; a: T } {
  const tx = ChainView.decodeTx(raw);
  txBasics(tx, terms, payer, method);
  try {
    return { tx, a: args.decode(tx.args as never, 'args') };
  } catch (e) {
    throw problem('InvalidTransaction', `the ${method} call's arguments do not decode: ${(e as Error).message}`);
  }
}

function txBasics(tx: Transaction, terms: RouteTerms, payer: Address, method: string): void {
  if (BigInt(terms.chainId) !== tx.chainId) throw problem('WrongChain', `the transaction is for chain ${tx.chainId}, this server's chain is ${terms.chainId}`);
  if (tx.to !== terms.escrow) throw problem('ForeignEscrow', `the transaction calls ${tx.to}, not the escrow ${terms.escrow}`);
  if (tx.method !== method) throw problem('InvalidTransaction', `expected a call of escrow.${method}, actual escrow.${tx.method}`);
  if (tx.from !== payer) throw problem('InvalidTransaction', `the transaction is sent by ${tx.from}, the channel's payer is ${payer}`);
}

/** The open transaction opens exactly this descriptor; returns its deposit. */
export function checkOpenTx(raw: string, d: ChannelDescriptor, terms: RouteTerms): { tx: Transaction; deposit: bigint } {
  const { tx, a } = escrowCall(raw, terms, d.payer, 'open', openArgs);
  if (a.payee !== d.payee || a.operator !== d.operator || a.token !== d.token || a.salt !== d.salt || a.authorizedSigner !== d.authorizedSigner) {
    throw problem('ChannelMismatch', 'the open transaction opens another channel than the descriptor (payee, operator, token, salt or signer differ)');
  }
  if (expiringNonceHash(tx.unsignedEncoding, tx.from) !== d.expiringNonceHash) throw problem('ChannelMismatch', 'the descriptor\'s expiringNonceHash is not the hash of this open transaction');
  return { tx, deposit: a.deposit };
}

export function checkTopUpTx(raw: string, d: ChannelDescriptor, additional: bigint, terms: RouteTerms): Transaction {
  const { tx, a } = escrowCall(raw, terms, d.payer, 'topUp', topUpArgs);
  if (!sameDescriptor(a.descriptor, d)) throw problem('ChannelMismatch', 'the topUp transaction names another channel');
  if (a.additionalDeposit !== additional) throw problem('InvalidTransaction', `the transaction adds ${a.additionalDeposit}, the payload says ${additional}`);
  return tx;
}

export const NO_OPERATOR = ZERO_ADDRESS;
export type { Hex32 };

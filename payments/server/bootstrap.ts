/**
 * Bootstrap (spec tip1034.md §6): a HEAD to a paid route answers 402 with a zero-amount `charge`
 * challenge; the client answers with a proof (its key signs the challenge id) and gets 204 with
 * `Payment-Session` and `Payment-Session-Snapshot` for its live channel here, or an empty 204.
 */
import {
  CHARGE_INTENT,
  createChallenge,
  PAYMENT_METHOD,
  parseSourceDid,
  problem,
  proofSigner,
  requireString,
  type Challenge,
  type RawCredential,
} from '../wire/index.js';
import type { ChannelRecord } from '../store/record.js';
import { checkChallenge } from './verify.js';
import type { PaymentServer } from './payment-server.js';

export function bootstrapChallenge(server: PaymentServer): Challenge {
  const t = server.terms;
  return createChallenge(t.secret, {
    realm: t.realm,
    method: PAYMENT_METHOD,
    intent: CHARGE_INTENT,
    expires: new Date(Date.now() + 300_000).toISOString(),
    request: { amount: '0', currency: t.token, recipient: t.payee, methodDetails: { chainId: t.chainId, escrowContract: t.escrow } },
  });
}

/** Verifies a bootstrap proof (HMAC, expiry, exact zero-amount request, signature, single use); returns the payer's live channel. */
export async function verifyBootstrapProof(server: PaymentServer, raw: RawCredential): Promise<ChannelRecord | undefined> {
  const t = server.terms;
  checkChallenge(raw.challenge, t, CHARGE_INTENT);
  const req = raw.challenge.request as { amount?: unknown; currency?: unknown; recipient?: unknown };
  if (req.amount !== '0' || req.currency !== t.token || req.recipient !== t.payee) throw problem('ChallengeMismatch', 'the bootstrap challenge fields do not match this route');
  if (raw.payload.type !== 'proof') throw problem('MalformedCredential', 'a bootstrap credential carries payload {type:"proof", signature}');
  const signature = requireString(raw.payload, 'signature', 'payload');
  const source = raw.source !== undefined ? parseSourceDid(raw.source) : null;
  if (!source || source.chainId !== t.chainId) throw problem('SourceMismatch', `the proof needs source did:pkh:eip155:${t.chainId}:<address>`);
  if (proofSigner(raw.challenge.id, signature) !== source.address) throw problem('InvalidSignature', `the proof is not signed by ${source.address}`);
  const usedKey = `proof:${raw.challenge.id}`;
  if (await server.store.getMeta(usedKey)) throw problem('ProofReplayed', 'this bootstrap proof was already used; request a fresh challenge');
  await server.store.putMeta(usedKey, '1');
  const mine = (await server.store.list()).filter((r) => r.descriptor.payer === source.address && r.descriptor.payee === t.payee && r.descriptor.token === t.token && !r.finalized && !r.closing && r.closeRequestedAt === 0);
  return mine.sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** Hand-made credentials and raw HTTP for the server behaviour tests. */
import { toHex, type Signer } from '../../sdk/chain.js';
import { buildOpenTx, DEV_STABLECOIN_ADDRESS, ESCROW_GAS_LIMIT, signVoucher, type ChannelDescriptor, type Hex32 } from '../../sdk/precompiles/index.js';
import { signTx } from '../../sdk/chain.js';
import { httpRequest, parseChallenge, serializeCredential, sourceDid, type Challenge, type SessionPayload } from '../../payments/index.js';
import type { Stack } from './harness.js';

export async function challengeOf(url: string, headers: Record<string, string> = {}): Promise<Challenge> {
  const res = await httpRequest(url, { method: 'POST', headers });
  await res.text();
  return parseChallenge(res.header('www-authenticate')!);
}

export interface Sent {
  status: number;
  body: string;
  json: any;
  receipt: string | undefined;
  challenge: Challenge | undefined;
}

export async function send(url: string, authorization: string | undefined, body?: string, headers: Record<string, string> = {}): Promise<Sent> {
  const res = await httpRequest(url, { method: 'POST', body, headers: { ...(authorization ? { Authorization: authorization } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers } });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const www = res.header('www-authenticate');
  return { status: res.status, body: text, json, receipt: res.header('payment-receipt'), challenge: www ? parseChallenge(www) : undefined };
}

export const cred = (c: Challenge, signer: Signer, payload: SessionPayload, source: string | undefined = sourceDid(1337, signer.address)): string => serializeCredential({ challenge: c, ...(source ? { source } : {}), payload });

export const voucherFor = (signer: Signer, ch: { channelId: Hex32; descriptor: ChannelDescriptor }, amount: bigint, action: 'voucher' | 'close' = 'voucher'): SessionPayload => ({
  action,
  channelId: ch.channelId,
  descriptor: ch.descriptor,
  cumulativeAmount: amount,
  signature: signVoucher(signer, ch.channelId, amount, 1337),
});

/** A signed open transaction and its payload (not broadcast). */
export async function openPayload(s: Stack, payer: Signer, o: { deposit?: bigint; first?: bigint; payee?: string; token?: string; salt?: string; operator?: string } = {}): Promise<{ payload: SessionPayload & { action: 'open' }; channelId: Hex32; descriptor: ChannelDescriptor }> {
  const nonce = BigInt((await s.rpc.getAccount(payer.address)).pendingNonce);
  const plan = buildOpenTx({ chainId: 1337, nonce, from: payer.address, payee: o.payee ?? s.payee.address, token: o.token ?? DEV_STABLECOIN_ADDRESS, deposit: o.deposit ?? 1000n, salt: o.salt ?? '0x' + '11'.repeat(32), operator: o.operator, authorizedSigner: payer.address, gasLimit: ESCROW_GAS_LIMIT, gasPrice: 1_000_000_000n });
  const first = o.first ?? 10n;
  return {
    channelId: plan.channelId,
    descriptor: plan.descriptor,
    payload: { action: 'open', type: 'transaction', channelId: plan.channelId, descriptor: plan.descriptor, transaction: toHex(signTx(plan.tx, payer).raw), cumulativeAmount: first, signature: signVoucher(payer, plan.channelId, first, 1337) },
  };
}

/**
 * The `session` intent's request (server → client) and session snapshot (spec tip1034.md §4):
 *
 *   { amount, currency, recipient, unitType, suggestedDeposit?,
 *     methodDetails: { escrowContract, chainId, sessionProtocol: "v2", minVoucherDelta?, operator?,
 *                      sessionSnapshot? } }
 *
 * Amounts are decimal strings of raw token units; `amount` is the price of one unit.
 */
import type { Address } from '../../chain/index.js';
import { toDescriptor, toHex32, type ChannelDescriptor, type Hex32 } from '../../precompiles/index.js';
import { decodeB64Json, encodeB64Json, optionalString, parseAmount, requireAddress, requireObject, requireString } from './encoding.js';
import { problem, type PaymentErrorName } from './problems.js';

export const SESSION_PROTOCOL = 'v2';

export interface SessionSnapshot {
  channelId: Hex32;
  chainId: number;
  escrow: Address;
  descriptor: ChannelDescriptor;
  deposit: bigint;
  settled: bigint;
  acceptedCumulative: bigint;
  requiredCumulative: bigint;
  spent: bigint;
  units: number;
  closeRequestedAt?: number;
  highestVoucher?: { channelId: Hex32; cumulativeAmount: bigint; signature: string };
}

export interface SessionRequest {
  amount: bigint;
  currency: Address;
  recipient: Address;
  unitType: string;
  suggestedDeposit?: bigint;
  escrowContract: Address;
  chainId: number;
  minVoucherDelta?: bigint;
  operator?: Address;
  sessionSnapshot?: SessionSnapshot;
}

export function snapshotJson(s: SessionSnapshot): Record<string, unknown> {
  return {
    channelId: s.channelId,
    chainId: s.chainId,
    escrow: s.escrow,
    descriptor: s.descriptor,
    deposit: s.deposit.toString(),
    settled: s.settled.toString(),
    acceptedCumulative: s.acceptedCumulative.toString(),
    requiredCumulative: s.requiredCumulative.toString(),
    spent: s.spent.toString(),
    units: s.units,
    ...(s.closeRequestedAt ? { closeRequestedAt: s.closeRequestedAt } : {}),
    ...(s.highestVoucher ? { highestVoucher: { channelId: s.highestVoucher.channelId, cumulativeAmount: s.highestVoucher.cumulativeAmount.toString(), signature: s.highestVoucher.signature } } : {}),
  };
}

function safeInt(o: Record<string, unknown>, key: string, path: string, name: PaymentErrorName): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw problem(name, `${path}.${key} must be a non-negative integer`);
  return v;
}

export function parseDescriptor(v: unknown, path: string, name: PaymentErrorName = 'MalformedCredential'): ChannelDescriptor {
  try {
    return toDescriptor(v as never, path);
  } catch (e) {
    throw problem(name, `${path}: ${(e as Error).message}`);
  }
}

export function parseChannelId(v: unknown, path: string, name: PaymentErrorName = 'MalformedCredential'): Hex32 {
  try {
    return toHex32(v, path);
  } catch {
    throw problem(name, `${path} must be a 32-byte 0x channel id`);
  }
}

export function parseSnapshot(o: Record<string, unknown>, path = 'sessionSnapshot', name: PaymentErrorName = 'InvalidChallenge'): SessionSnapshot {
  const hv = o.highestVoucher;
  let highestVoucher: SessionSnapshot['highestVoucher'];
  if (hv !== undefined) {
    const h = requireObject(o, 'highestVoucher', path, name);
    highestVoucher = { channelId: parseChannelId(h.channelId, `${path}.highestVoucher.channelId`, name), cumulativeAmount: parseAmount(h.cumulativeAmount, `${path}.highestVoucher.cumulativeAmount`, name), signature: requireString(h, 'signature', `${path}.highestVoucher`, name) };
  }
  return {
    channelId: parseChannelId(o.channelId, `${path}.channelId`, name),
    chainId: safeInt(o, 'chainId', path, name),
    escrow: requireAddress(o, 'escrow', path, name),
    descriptor: parseDescriptor(o.descriptor, `${path}.descriptor`, name),
    deposit: parseAmount(o.deposit, `${path}.deposit`, name),
    settled: parseAmount(o.settled, `${path}.settled`, name),
    acceptedCumulative: parseAmount(o.acceptedCumulative, `${path}.acceptedCumulative`, name),
    requiredCumulative: parseAmount(o.requiredCumulative, `${path}.requiredCumulative`, name),
    spent: parseAmount(o.spent, `${path}.spent`, name),
    units: o.units === undefined ? 0 : safeInt(o, 'units', path, name),
    ...(o.closeRequestedAt !== undefined ? { closeRequestedAt: safeInt(o, 'closeRequestedAt', path, name) } : {}),
    ...(highestVoucher ? { highestVoucher } : {}),
  };
}

export function encodeSnapshotHeader(s: SessionSnapshot): string {
  return encodeB64Json(snapshotJson(s));
}

export function decodeSnapshotHeader(v: string): SessionSnapshot {
  return parseSnapshot(decodeB64Json(v, 'Payment-Session-Snapshot', 'InvalidChallenge'), 'Payment-Session-Snapshot');
}

export function sessionRequestJson(r: SessionRequest): Record<string, unknown> {
  return {
    amount: r.amount.toString(),
    currency: r.currency,
    recipient: r.recipient,
    unitType: r.unitType,
    ...(r.suggestedDeposit !== undefined ? { suggestedDeposit: r.suggestedDeposit.toString() } : {}),
    methodDetails: {
      escrowContract: r.escrowContract,
      chainId: r.chainId,
      sessionProtocol: SESSION_PROTOCOL,
      ...(r.minVoucherDelta !== undefined ? { minVoucherDelta: r.minVoucherDelta.toString() } : {}),
      ...(r.operator !== undefined ? { operator: r.operator } : {}),
      ...(r.sessionSnapshot ? { sessionSnapshot: snapshotJson(r.sessionSnapshot) } : {}),
    },
  };
}

/** Parses a session challenge request (client side: a bad one is an `InvalidChallenge`). */
export function parseSessionRequest(o: Record<string, unknown>, name: PaymentErrorName = 'InvalidChallenge'): SessionRequest {
  const md = requireObject(o, 'methodDetails', 'request', name);
  if (md.sessionProtocol !== SESSION_PROTOCOL) throw problem(name, `the challenge speaks session protocol ${JSON.stringify(md.sessionProtocol)}; this client speaks only "${SESSION_PROTOCOL}" (TIP-1034)`);
  const suggested = optionalString(o, 'suggestedDeposit', 'request', name);
  const minDelta = optionalString(md, 'minVoucherDelta', 'request.methodDetails', name);
  return {
    amount: parseAmount(o.amount, 'request.amount', name),
    currency: requireAddress(o, 'currency', 'request', name),
    recipient: requireAddress(o, 'recipient', 'request', name),
    unitType: requireString(o, 'unitType', 'request', name),
    ...(suggested !== undefined ? { suggestedDeposit: parseAmount(suggested, 'request.suggestedDeposit', name) } : {}),
    escrowContract: requireAddress(md, 'escrowContract', 'request.methodDetails', name),
    chainId: safeInt(md, 'chainId', 'request.methodDetails', name),
    ...(minDelta !== undefined ? { minVoucherDelta: parseAmount(minDelta, 'request.methodDetails.minVoucherDelta', name) } : {}),
    ...(md.operator !== undefined ? { operator: requireAddress(md, 'operator', 'request.methodDetails', name) } : {}),
    ...(md.sessionSnapshot !== undefined ? { sessionSnapshot: parseSnapshot(requireObject(md, 'sessionSnapshot', 'request.methodDetails', name), 'request.methodDetails.sessionSnapshot', name) } : {}),
  };
}

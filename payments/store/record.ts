/**
 * What the server remembers about one channel (spec tip1034.md §6). Three amounts are kept apart
 * and never decrease: accepted (`highestVoucherAmount`, what the client authorized), `spent` (what
 * was delivered) and settled (`settledOnChain`, what was captured on chain).
 */
import type { Address } from '../../chain/index.js';
import type { ChannelDescriptor, Hex32 } from '../../precompiles/index.js';

export interface ChannelRecord {
  channelId: Hex32;
  descriptor: ChannelDescriptor;
  chainId: number;
  escrow: Address;
  /** Chain mirrors, max-merged. */
  deposit: bigint;
  settledOnChain: bigint;
  /** Unix seconds of a payer's close request seen on chain (0 = none). */
  closeRequestedAt: number;
  highestVoucherAmount: bigint;
  highestVoucher?: { cumulativeAmount: bigint; signature: string };
  /**
   * The highest accepted voucher whose amount is covered by `spent`: what settlement captures, so
   * the payee never collects on chain more than was delivered.
   */
  settleVoucher?: { cumulativeAmount: bigint; signature: string };
  spent: bigint;
  units: number;
  /** Set before a close is broadcast, cleared if the broadcast fails: charges fail meanwhile. */
  closing: boolean;
  finalized: boolean;
  closeTxHash?: string;
  /** Unix ms (server clock; off chain). */
  createdAt: number;
  lastSettlementAt?: number;
  lastSettlementSpent?: bigint;
  lastSettlementUnits?: number;
}

const BIG = ['deposit', 'settledOnChain', 'highestVoucherAmount', 'spent', 'lastSettlementSpent'] as const;

export function encodeRecord(r: ChannelRecord): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

export function decodeRecord(text: string): ChannelRecord {
  const r = JSON.parse(text, (_k, v) => (typeof v === 'string' && /^[0-9]+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as ChannelRecord;
  for (const k of BIG) if (r[k] !== undefined && typeof r[k] !== 'bigint') throw new TypeError(`channel record field ${k} is not an amount`);
  return r;
}

/** Available to charge: accepted − spent. */
export const available = (r: ChannelRecord): bigint => r.highestVoucherAmount - r.spent;

/** Whether the channel can take charges: open, not closing, not finalized, no close request. */
export const chargeable = (r: ChannelRecord): boolean => !r.finalized && !r.closing && r.closeRequestedAt === 0 && r.deposit > 0n;

/** Adds `amount` (and `units`) to spent and promotes a now-consumed highest voucher to settleable. */
export function withCharge(r: ChannelRecord, amount: bigint, units = 1): ChannelRecord {
  const spent = r.spent + amount;
  const settleVoucher = r.highestVoucher && r.highestVoucher.cumulativeAmount <= spent ? r.highestVoucher : r.settleVoucher;
  return { ...r, spent, units: r.units + units, ...(settleVoucher ? { settleVoucher } : {}) };
}

/** Max-merges a newly accepted voucher; the previous highest becomes settleable once it is consumed. */
export function withVoucher(r: ChannelRecord, v: { cumulativeAmount: bigint; signature: string }): ChannelRecord {
  if (v.cumulativeAmount <= r.highestVoucherAmount) return r;
  const prev = r.highestVoucher;
  const candidates = [r.settleVoucher, prev, v].filter((x): x is { cumulativeAmount: bigint; signature: string } => !!x && x.cumulativeAmount <= r.spent);
  const settleVoucher = candidates.reduce<typeof r.settleVoucher>((a, b) => (!a || b.cumulativeAmount > a.cumulativeAmount ? b : a), undefined);
  return { ...r, highestVoucherAmount: v.cumulativeAmount, highestVoucher: v, ...(settleVoucher ? { settleVoucher } : {}) };
}

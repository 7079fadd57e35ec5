/**
 * The client's spending rules. A server's `requiredCumulative` is a claim, not a voucher (spec
 * tip1034.md §9.1): the price guard — which mppx lacks — refuses to sign one above what was
 * actually delivered × the advertised price plus the one unit being bought. Deposits are sized
 * from the challenge and capped by `maxDeposit`; receipts are checked and never raise the
 * signing boundary.
 */
import { problem } from '../wire/index.js';
import type { ClientChannel } from './channel-store.js';

/** Throws `PriceGuardRefused` when `required` exceeds delivered value + one unit at `price`. */
export function guardRequired(entry: Pick<ClientChannel, 'deliveredValue' | 'cumulative'>, required: bigint, price: bigint): void {
  if (required <= entry.cumulative) return; // nothing new would be signed
  const bound = entry.deliveredValue + price;
  if (required > bound) {
    throw problem('PriceGuardRefused', `the server asks for a voucher of ${required}, but only ${entry.deliveredValue} was delivered; at ${price} per unit at most ${bound} is due`, { required: required.toString(), delivered: entry.deliveredValue.toString() });
  }
}

/** Opening deposit: explicit, else max(suggested, price), capped by maxDeposit. */
export function openingDeposit(o: { deposit?: bigint; maxDeposit?: bigint }, price: bigint, suggested: bigint | undefined): bigint {
  if (o.deposit !== undefined) {
    if (o.deposit < price) throw problem('DepositLimitExceeded', `the deposit ${o.deposit} does not cover one unit (${price})`);
    if (o.maxDeposit !== undefined && o.deposit > o.maxDeposit) throw problem('DepositLimitExceeded', `the deposit ${o.deposit} exceeds maxDeposit ${o.maxDeposit}`);
    return o.deposit;
  }
  if (o.maxDeposit !== undefined && price > o.maxDeposit) throw problem('DepositLimitExceeded', `one unit costs ${price}, above maxDeposit ${o.maxDeposit}`);
  const want = suggested !== undefined && suggested > price ? suggested : price;
  return o.maxDeposit !== undefined && want > o.maxDeposit ? o.maxDeposit : want;
}

/** Top-up for `required`: max(topUpAmount ?? suggested ?? shortfall, shortfall), within maxDeposit. */
export function topUpAmount(o: { topUpAmount?: bigint; maxDeposit?: bigint }, deposit: bigint, required: bigint, suggested: bigint | undefined): bigint {
  if (o.maxDeposit !== undefined && required > o.maxDeposit) throw problem('DepositLimitExceeded', `paying ${required} in all would exceed maxDeposit ${o.maxDeposit}`);
  const shortfall = required - deposit;
  const wish = o.topUpAmount ?? suggested ?? shortfall;
  let add = wish > shortfall ? wish : shortfall;
  if (o.maxDeposit !== undefined && deposit + add > o.maxDeposit) add = o.maxDeposit - deposit;
  return add;
}

/** A receipt must stay within what this client signed and its cap; it never raises `cumulative`. */
export function checkReceipt(entry: Pick<ClientChannel, 'cumulative' | 'channelId'>, r: { channelId: string; accepted: bigint; spentAmount: bigint }, maxDeposit: bigint | undefined): void {
  if (r.channelId !== entry.channelId) throw problem('InvalidReceipt', `the receipt is for channel ${r.channelId}, not ${entry.channelId}`);
  if (r.spentAmount > r.accepted || r.accepted > entry.cumulative) {
    throw problem('InvalidReceipt', `the receipt says spent ${r.spentAmount} / accepted ${r.accepted}, but this client signed only up to ${entry.cumulative}`);
  }
  if (maxDeposit !== undefined && r.accepted > maxDeposit) throw problem('InvalidReceipt', `the receipt's accepted ${r.accepted} exceeds maxDeposit ${maxDeposit}`);
}

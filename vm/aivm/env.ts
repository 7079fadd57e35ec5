/**
 * What every AIVM state transition works with: the call context, typed state access, parameters,
 * and the custody helpers that move LUX in and out of the escrow account while keeping the
 * accounting buckets (stake, open escrow, credit, bonds) in step with it.
 */
import {  type Address, type CallContext, LUX_ADDRESS } from '../../chain/index.js';
import { BURN_ADDRESS, ESCROW_ADDRESS } from './constants.js';
import type { AivmParams } from './params.js';
import { AivmWriter, type Totals } from './state.js';
import { aivmErrors } from './errors.js';

export type Bucket = keyof Totals;

export class Env {
  readonly w: AivmWriter;
  readonly p: AivmParams;
  constructor(readonly ctx: CallContext<AivmParams>) {
    this.w = new AivmWriter(ctx.state);
    this.p = ctx.params;
  }
  get height(): bigint {
    return this.ctx.block.height;
  }
  /** Block time in nanoseconds (the kernels' clock). */
  get timestampNs(): bigint {
    return this.ctx.block.timestamp * 1_000_000n;
  }

  async #transfer(from: Address, to: Address, amount: bigint): Promise<void> {
    if (amount === 0n) return;
    await this.ctx.call(LUX_ADDRESS, 'systemTransfer', { from, to, amount });
  }

  async #adjust(bucket: Bucket, delta: bigint): Promise<void> {
    const tot = await this.w.totals();
    const next = tot[bucket] + delta;
    if (next < 0n) throw aivmErrors.error('EscrowUnderflow', `internal accounting of ${bucket} would go negative (invariant broken)`);
    tot[bucket] = next;
    this.w.setTotals(tot);
  }

  /** Moves `amount` from `from`'s balance into escrow, accounted under `bucket`. */
  async pull(from: Address, amount: bigint, bucket: Bucket): Promise<void> {
    await this.#transfer(from, ESCROW_ADDRESS, amount);
    await this.#adjust(bucket, amount);
  }

  /** Pays `amount` out of escrow from `bucket` to `to`'s balance. */
  async pay(to: Address, amount: bigint, bucket: Bucket): Promise<void> {
    await this.#adjust(bucket, -amount);
    await this.#transfer(ESCROW_ADDRESS, to, amount);
  }

  /** Moves value between accounting buckets; no LUX leaves the escrow account. */
  async reassign(from: Bucket, to: Bucket, amount: bigint): Promise<void> {
    if (amount === 0n || from === to) return;
    await this.#adjust(from, -amount);
    await this.#adjust(to, amount);
  }

  /** Burns escrowed value: it moves to the burn address, where it stays counted but unspendable. */
  async burn(amount: bigint, bucket: Bucket): Promise<void> {
    await this.pay(BURN_ADDRESS, amount, bucket);
    await this.w.bumpStats((s) => (s.burned += amount));
  }

  /** Adds to `a`'s withdrawable credit, taking the value from `bucket` inside escrow. */
  async credit(a: Address, amount: bigint, from: Bucket): Promise<void> {
    if (amount === 0n) return;
    await this.reassign(from, 'credit', amount);
    this.w.setCreditRaw(a, (await this.w.credit(a)) + amount);
  }
}

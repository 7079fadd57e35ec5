/**
 * Operators (providers): bond, per-spec membership, unbonding with a cooldown, withdrawals of
 * stake and credit (spec §2.4). The eligible set for a spec is the spec's member list in
 * insertion order, filtered to operators that exist, are not unbonding, still advertise the spec
 * and hold at least the minimum bond.
 */
import { equals, isZero, t, type Address } from '../../chain/index.js';
import type { Env } from './env.js';
import { AivmReader, K, providerStatsT, type OperatorRecord } from './state.js';
import type { AivmParams } from './params.js';
import { aivmErrors } from './errors.js';

export interface RegisterArgs {
  stake: bigint;
  spec: Uint8Array;
  endpoint: Uint8Array;
  gpuModel: string;
}

export async function registerOperator(e: Env, op: Address, a: RegisterArgs): Promise<void> {
  if (isZero(a.spec)) throw aivmErrors.error('EmptyModelSpec', 'spec (the model spec hash the operator serves) must not be zero');
  if (a.stake < e.p.minProviderBond) {
    throw aivmErrors.error('StakeBelowMin', `stake ${a.stake} is below the minimum provider bond ${e.p.minProviderBond}`, { minimum: e.p.minProviderBond.toString() });
  }
  if (await e.w.operator(op)) throw aivmErrors.error('OperatorExists', `${op} is already registered; deregister and withdraw first to change its bond or spec`);
  await e.pull(op, a.stake, 'stake');
  const rec: OperatorRecord = {
    unbonding: false,
    spec: a.spec,
    endpoint: a.endpoint,
    stake: a.stake,
    unbondBlock: 0n,
    openTasks: 0,
    gpuModel: a.gpuModel,
    registeredHeight: e.height,
  };
  e.w.setOperator(op, rec);
  // Per-spec member array: append-only, de-duplicated, never pruned (eligibility filters it).
  if (!(await e.w.state.has(K.specSeen(a.spec, op)))) {
    e.w.state.setValue(t.bool, K.specSeen(a.spec, op), true);
    await e.w.append(K.specCount(a.spec), (i) => K.specMember(a.spec, i), t.address, op);
  }
  if (!(await e.w.state.has(K.providerSeen(op)))) {
    e.w.state.setValue(t.bool, K.providerSeen(op), true);
    await e.w.append(K.providerCount, K.providerAt, t.address, op);
  }
  e.ctx.emit('ProviderRegistered', { provider: op, spec: a.spec, stake: a.stake });
}

async function existing(e: Env, op: Address): Promise<OperatorRecord> {
  const rec = await e.w.operator(op);
  if (!rec) throw aivmErrors.error('OperatorUnknown', `${op} is not a registered provider`);
  return rec;
}

export async function deregisterOperator(e: Env, op: Address): Promise<void> {
  const rec = await existing(e, op);
  if (rec.unbonding) throw aivmErrors.error('OperatorUnbonding', `${op} is already unbonding since block ${rec.unbondBlock}`);
  rec.unbonding = true;
  rec.unbondBlock = e.height;
  e.w.setOperator(op, rec);
  e.ctx.emit('ProviderDeregistered', { provider: op, withdrawableAt: e.height + e.p.unbondCooldownBlocks });
}

export async function withdrawStake(e: Env, op: Address): Promise<bigint> {
  const rec = await existing(e, op);
  if (!rec.unbonding) throw aivmErrors.error('OperatorBonded', `${op} is still bonded; call deregisterProvider first`);
  const ready = rec.unbondBlock + e.p.unbondCooldownBlocks;
  if (e.height < ready) throw aivmErrors.error('CooldownActive', `the unbonding cooldown ends at block ${ready} (now ${e.height})`, { readyAt: ready.toString() });
  if (rec.openTasks > 0) throw aivmErrors.error('OperatorHasOpenTasks', `${op} still has ${rec.openTasks} unresolved task(s); their deadlines will release it`);
  await e.pay(op, rec.stake, 'stake');
  e.w.state.delete(K.operator(op));
  e.ctx.emit('StakeWithdrawn', { provider: op, amount: rec.stake });
  return rec.stake;
}

/** Pays out everything credited to `who` (rewards, refunds, returned bonds). */
export async function claimRewards(e: Env, who: Address): Promise<bigint> {
  const amount = await e.w.credit(who);
  if (amount === 0n) throw aivmErrors.error('NoCredit', `${who} has no credit to withdraw`);
  e.w.setCreditRaw(who, 0n);
  await e.pay(who, amount, 'credit');
  const stats = await e.w.state.getValue(providerStatsT, K.stats(who));
  if (stats && stats.pendingMining > 0n) e.w.setStats(who, { ...stats, pendingMining: 0n });
  e.ctx.emit('RewardsClaimed', { account: who, amount });
  return amount;
}

export function isEligible(rec: OperatorRecord | undefined, spec: Uint8Array, p: AivmParams): boolean {
  return !!rec && !rec.unbonding && equals(rec.spec, spec) && rec.stake >= p.minProviderBond;
}

/** The eligible set for `spec`, in member-array order, minus `exclude` and providers that lost a dispute. */
export async function eligibleSet(r: AivmReader, spec: Uint8Array, p: AivmParams, exclude: readonly Address[] = []): Promise<Address[]> {
  const n = await r.count(K.specCount(spec));
  const out: Address[] = [];
  for (let i = 0; i < n; i++) {
    const op = (await r.state.getValue(t.address, K.specMember(spec, i)))!;
    if (exclude.includes(op)) continue;
    // A provider that lost a dispute (legacy "slashed") is no longer drawn.
    if (isEligible(await r.operator(op), spec, p) && !(await r.stats(op)).slashed) out.push(op);
  }
  return out;
}

/** Opens or closes one unit of an operator's outstanding work (blocks stake withdrawal). */
export async function adjustOpenTasks(e: Env, op: Address, delta: 1 | -1): Promise<void> {
  const rec = await e.w.operator(op);
  if (!rec) return; // withdrawn operators cannot hold open tasks; nothing to track
  rec.openTasks = Math.max(0, rec.openTasks + delta);
  e.w.setOperator(op, rec);
}

/**
 * Epochs and beacons. Epoch e covers heights [e·epochBlocks, (e+1)·epochBlocks). Its beacon is
 * derived on chain, from the previous beacon and an entropy pool that every transaction of this
 * module stirs with its hash:
 *
 *   randomness_e = SHA256("LUX:EpochRandomness:v1" ‖ u64be(e) ‖ beacon_id_{e-1} ‖ pool)
 *   beacon_id_e  = SHA256("LUX:EpochBeacon:v1" ‖ u64be(e) ‖ randomness_e ‖ beacon_id_{e-1})
 *
 * Epoch 0 uses the genesis randomness. This is devnet-grade randomness: on a proof-of-authority
 * chain the producer can influence it, as it can influence everything else.
 */
import { u64be, utf8, sha256Concat, t } from '../../../chain/index.js';
import { type Ctx } from './access.js';
import { epochBeaconId } from './ids.js';
import { ZERO_ID } from './merkle.js';
import type { WorkParams } from './params.js';
import { beaconRecord, type BeaconRecord, keys } from './state.js';
import type { StateReader } from '../../../chain/index.js';

const RANDOMNESS_DOMAIN = utf8('LUX:EpochRandomness:v1');
/** A larger gap than this (impossible while endBlock runs every block) chains straight to the new epoch. */
const MAX_BACKFILL = 64n;

export function epochAt(height: bigint, params: WorkParams): bigint {
  return height / params.epochBlocks;
}

export function beaconAt(state: StateReader, epoch: bigint): Promise<BeaconRecord | undefined> {
  return state.getValue(beaconRecord, keys.epoch(epoch));
}

export async function latestEpoch(state: StateReader): Promise<bigint> {
  return (await state.getValue(t.uint64, keys.latestEpoch())) ?? 0n;
}

function writeBeacon(ctx: Ctx, b: BeaconRecord): void {
  ctx.state.setValue(beaconRecord, keys.epoch(b.epoch), b);
  ctx.state.setValue(t.uint64, keys.latestEpoch(), b.epoch);
  ctx.emit('EpochBeacon', { epoch: b.epoch, beaconId: b.beaconId, randomness: b.randomness, previous: b.previous });
}

export function writeGenesisBeacon(ctx: Ctx): void {
  const randomness = ctx.params.genesisRandomness;
  writeBeacon(ctx, { epoch: 0n, randomness, previous: ZERO_ID, beaconId: epochBeaconId(0n, randomness, ZERO_ID), height: ctx.block.height });
}

/** Stirs the entropy pool with the current transaction's hash. */
export async function stirEntropy(ctx: Ctx): Promise<void> {
  const pool = (await ctx.state.get(keys.mix())) ?? ZERO_ID;
  ctx.state.set(keys.mix(), sha256Concat(pool, ctx.tx.hash));
}

/** The beacon of the current block's epoch, deriving any missing ones first. */
export async function ensureBeacon(ctx: Ctx): Promise<BeaconRecord> {
  const epoch = epochAt(ctx.block.height, ctx.params);
  let latest = await latestEpoch(ctx.state);
  if (latest >= epoch) return (await beaconAt(ctx.state, epoch))!;
  let prev = (await beaconAt(ctx.state, latest))!;
  if (epoch - latest > MAX_BACKFILL) latest = epoch - 1n;
  const pool = (await ctx.state.get(keys.mix())) ?? ZERO_ID;
  for (let e = latest + 1n; e <= epoch; e++) {
    const randomness = sha256Concat(RANDOMNESS_DOMAIN, u64be(e), prev.beaconId, pool);
    const b = { epoch: e, randomness, previous: prev.beaconId, beaconId: epochBeaconId(e, randomness, prev.beaconId), height: ctx.block.height };
    writeBeacon(ctx, b);
    prev = b;
  }
  return prev;
}

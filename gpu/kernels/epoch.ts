/**
 * K4 epoch_transition (TS reference). Marks expired attestations, folds the three arena roots
 * (`acc = keccak(acc ‖ keccak(leaf))` over occupied slots in index order, from a zero acc), writes
 * the epoch state, composes aivm_state_root, and fills the result (the caller owns the result's
 * `*_apply_count` fields; epoch.next_epoch_height is never written).
 */
import { readU32, writeU32 } from '../arena.js';
import { fold, Preimage } from '../hash.js';
import {
  AIVMEpochState as E,
  AIVMRoundDescriptor as D,
  AIVMTransitionResult as R,
  ATT_STATUS_EXPIRED,
  ATT_STATUS_VERIFIED,
  Attestation as A,
  AuditAnchor as N,
  ModelRegistryEntry as M,
  TransitionStatus,
} from '../layouts.js';
import { view } from '../struct.js';

export interface AttestationRoot {
  root: Uint8Array;
  active: number;
  expired: number;
}

/** Sets the expired bit of every occupied attestation whose expiry has passed at `timestampNs`. */
export function markExpired(atts: Uint8Array, timestampNs: bigint): void {
  const t = view(atts);
  for (let s = 0; s < atts.length; s += A.size) {
    if (readU32(atts, s + A.offsets.occupied) === 0) continue;
    const expiry = t.getBigUint64(s + A.offsets.expiryNs, true);
    if (expiry !== 0n && expiry <= timestampNs) {
      writeU32(atts, s + A.offsets.status, readU32(atts, s + A.offsets.status) | ATT_STATUS_EXPIRED);
    }
  }
}

/** 144-byte leaf: digest ‖ measurement ‖ key48 ‖ u64 expiry ‖ u32 kind, ev_off, ev_len, status, expired_flag, index. */
export function attestationRoot(atts: Uint8Array, timestampNs: bigint): AttestationRoot {
  const t = view(atts);
  const leaf = new Preimage(144);
  let acc: Uint8Array = new Uint8Array(32);
  let active = 0;
  let expired = 0;
  for (let i = 0, s = 0; s < atts.length; i++, s += A.size) {
    if (readU32(atts, s + A.offsets.occupied) === 0) continue;
    const expiry = t.getBigUint64(s + A.offsets.expiryNs, true);
    const status = readU32(atts, s + A.offsets.status);
    const isExpired = (expiry !== 0n && expiry <= timestampNs) || (status & ATT_STATUS_EXPIRED) !== 0;
    if (isExpired) expired++;
    else if ((status & ATT_STATUS_VERIFIED) !== 0) active++;
    leaf
      .reset()
      .put(atts.subarray(s + A.offsets.teeQuoteDigest, s + A.offsets.teeQuoteDigest + 32))
      .put(atts.subarray(s + A.offsets.measurement, s + A.offsets.measurement + 32))
      .put(atts.subarray(s + A.offsets.attestingKey, s + A.offsets.attestingKey + 48))
      .u64(expiry)
      .u32(readU32(atts, s + A.offsets.kind))
      .u32(readU32(atts, s + A.offsets.evidenceOffset))
      .u32(readU32(atts, s + A.offsets.evidenceLen))
      .u32(status)
      .u32(isExpired ? 1 : 0)
      .u32(i);
    acc = fold(acc, leaf.hash());
  }
  return { root: acc, active, expired };
}

/** 140-byte leaf: model_root ‖ weight ‖ license ‖ owner20 ‖ u64 version ‖ u64 params ‖ u32 modality ‖ u32 index. */
export function modelRegistryRoot(models: Uint8Array): { root: Uint8Array; count: number } {
  const t = view(models);
  const leaf = new Preimage(140);
  let acc: Uint8Array = new Uint8Array(32);
  let count = 0;
  for (let i = 0, s = 0; s < models.length; i++, s += M.size) {
    if (readU32(models, s + M.offsets.occupied) === 0) continue;
    count++;
    leaf
      .reset()
      .put(models.subarray(s + M.offsets.modelRoot, s + M.offsets.modelRoot + 32))
      .put(models.subarray(s + M.offsets.weightHash, s + M.offsets.weightHash + 32))
      .put(models.subarray(s + M.offsets.licenseRoot, s + M.offsets.licenseRoot + 32))
      .put(models.subarray(s + M.offsets.ownerAddr, s + M.offsets.ownerAddr + 20))
      .u64(t.getBigUint64(s + M.offsets.version, true))
      .u64(t.getBigUint64(s + M.offsets.parameterCount, true))
      .u32(readU32(models, s + M.offsets.modality))
      .u32(i);
    acc = fold(acc, leaf.hash());
  }
  return { root: acc, count };
}

/** 116-byte leaf: commit ‖ parent ‖ validator_set_root ‖ u64 height ‖ u64 timestamp_ns ‖ u32 index. */
export function auditRoot(anchors: Uint8Array): { root: Uint8Array; count: number } {
  const t = view(anchors);
  const leaf = new Preimage(116);
  let acc: Uint8Array = new Uint8Array(32);
  let count = 0;
  for (let i = 0, s = 0; s < anchors.length; i++, s += N.size) {
    if (readU32(anchors, s + N.offsets.occupied) === 0) continue;
    count++;
    leaf
      .reset()
      .put(anchors.subarray(s + N.offsets.commitRoot, s + N.offsets.commitRoot + 32))
      .put(anchors.subarray(s + N.offsets.parentRoot, s + N.offsets.parentRoot + 32))
      .put(anchors.subarray(s + N.offsets.validatorSetRootAtCommit, s + N.offsets.validatorSetRootAtCommit + 32))
      .u64(t.getBigUint64(s + N.offsets.height, true))
      .u64(t.getBigUint64(s + N.offsets.timestampNs, true))
      .u32(i);
    acc = fold(acc, leaf.hash());
  }
  return { root: acc, count };
}

export function epochTransitionTs(
  desc: Uint8Array,
  atts: Uint8Array,
  models: Uint8Array,
  anchors: Uint8Array,
  epochState: Uint8Array,
  result: Uint8Array,
): void {
  const d = view(desc);
  const timestampNs = d.getBigUint64(D.offsets.timestampNs, true);
  markExpired(atts, timestampNs);
  const att = attestationRoot(atts, timestampNs);
  const mod = modelRegistryRoot(models);
  const aud = auditRoot(anchors);

  const e = view(epochState);
  epochState.set(att.root, E.offsets.attestationRoot);
  epochState.set(mod.root, E.offsets.modelRegistryRoot);
  epochState.set(aud.root, E.offsets.auditRoot);
  writeU32(epochState, E.offsets.activeModelCount, mod.count);
  writeU32(epochState, E.offsets.expiredAttestationCount, att.expired);
  e.setBigUint64(E.offsets.totalActiveAttestations, BigInt(att.active), true);
  if (d.getUint32(D.offsets.closingFlag, true) !== 0) {
    e.setBigUint64(E.offsets.currentEpoch, BigInt.asUintN(64, d.getBigUint64(D.offsets.epoch, true) + 1n), true);
  }
  const currentEpoch = e.getBigUint64(E.offsets.currentEpoch, true);

  // 148 bytes: parent ‖ att_root ‖ model_root ‖ audit_root ‖ u64 epoch ‖ u32 active ‖ u32 models ‖ u32 anchors.
  const stateRoot = new Preimage(148)
    .put(desc.subarray(D.offsets.parentAivmRoot, D.offsets.parentAivmRoot + 32))
    .put(att.root)
    .put(mod.root)
    .put(aud.root)
    .u64(currentEpoch)
    .u32(att.active)
    .u32(mod.count)
    .u32(aud.count)
    .hash();
  epochState.set(stateRoot, E.offsets.aivmStateRoot);

  const r = view(result);
  result.set(att.root, R.offsets.attestationRoot);
  result.set(mod.root, R.offsets.modelRegistryRoot);
  result.set(aud.root, R.offsets.auditRoot);
  result.set(stateRoot, R.offsets.aivmStateRoot);
  writeU32(result, R.offsets.activeAttestations, att.active);
  writeU32(result, R.offsets.expiredAttestations, att.expired);
  writeU32(result, R.offsets.modelCount, mod.count);
  writeU32(result, R.offsets.anchorCount, aud.count);
  r.setBigUint64(R.offsets.totalModels, BigInt(mod.count), true);
  r.setBigUint64(R.offsets.totalAnchors, BigInt(aud.count), true);
  r.setBigUint64(R.offsets.epoch, currentEpoch, true);
  writeU32(result, R.offsets.status, TransitionStatus.Finalized);
}

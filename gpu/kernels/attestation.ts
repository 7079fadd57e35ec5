/**
 * K1 attestation_apply (TS reference). For each of the first `min(desc.attestation_op_count, ops)`
 * ops: skip a zero attesting key (the signature stand-in: hosts zero the key of an op whose quote
 * failed verification) or a zero quote digest; otherwise locate-or-insert by digest, copy the op's
 * fields, and set status = verified (| expired when `expiry ≠ 0 && expiry ≤ desc.timestamp_ns`).
 */
import { locate, writeU32 } from '../arena.js';
import { isZero } from '../hash.js';
import { AIVMRoundDescriptor, ATT_STATUS_EXPIRED, ATT_STATUS_VERIFIED, Attestation as A, AttestationOp as Op, NO_SLOT } from '../layouts.js';
import { view } from '../struct.js';
import { ATTESTATION_ARENA } from './shapes.js';

export function attestationApplyTs(desc: Uint8Array, ops: Uint8Array, table: Uint8Array): number {
  const d = view(desc);
  const timestampNs = d.getBigUint64(AIVMRoundDescriptor.offsets.timestampNs, true);
  const count = Math.min(d.getUint32(AIVMRoundDescriptor.offsets.attestationOpCount, true), ops.length / Op.size);
  const o = view(ops);
  const t = view(table);
  let applied = 0;
  for (let i = 0; i < count; i++) {
    const op = i * Op.size;
    const keyAt = op + Op.offsets.attestingKey;
    if (isZero(ops, keyAt, keyAt + 48)) continue;
    const digestAt = op + Op.offsets.teeQuoteDigest;
    if (isZero(ops, digestAt, digestAt + 32)) continue;
    const idx = locate(table, ATTESTATION_ARENA, ops, digestAt, true);
    if (idx === NO_SLOT) continue;

    const s = idx * A.size;
    table.set(ops.subarray(op + Op.offsets.measurement, op + Op.offsets.measurement + 32), s + A.offsets.measurement);
    table.set(ops.subarray(keyAt, keyAt + 48), s + A.offsets.attestingKey);
    const expiry = o.getBigUint64(op + Op.offsets.expiryNs, true);
    t.setBigUint64(s + A.offsets.expiryNs, expiry, true);
    writeU32(table, s + A.offsets.kind, o.getUint32(op + Op.offsets.kind, true));
    writeU32(table, s + A.offsets.evidenceOffset, o.getUint32(op + Op.offsets.evidenceOffset, true));
    writeU32(table, s + A.offsets.evidenceLen, o.getUint32(op + Op.offsets.evidenceLen, true));
    const expired = expiry !== 0n && expiry <= timestampNs;
    writeU32(table, s + A.offsets.status, expired ? ATT_STATUS_VERIFIED | ATT_STATUS_EXPIRED : ATT_STATUS_VERIFIED);
    applied++;
  }
  return applied;
}

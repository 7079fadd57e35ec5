/**
 * K6 proof_verify (TS reference): the TEE-attestation envelope check. Fail bits: 0x04 measurement
 * all-zero, 0x10 attesting key all-zero, 0x08 expired (`expiry ≠ 0 && expiry ≤ op.timestamp_ns`),
 * 0x02 signature all-zero; 0x01 (Ok) iff none is set. The binding hash is always computed. There is
 * no real signature check here (upstream's stand-in; the AIVM module verifies BLS signatures itself).
 */
import { isZero, Preimage } from '../hash.js';
import { readU32, writeU32 } from '../arena.js';
import { ProofStatus, ProofVerifyOp as Op, ProofVerifyResult as R } from '../layouts.js';
import { view } from '../struct.js';

export function proofVerifyTs(ops: Uint8Array, results: Uint8Array): void {
  const o = view(ops);
  const n = ops.length / Op.size;
  const binding = new Preimage(212);
  const bytes = (op: number, at: number, len: number) => ops.subarray(op + at, op + at + len);
  for (let i = 0; i < n; i++) {
    const op = i * Op.size;
    const r = i * R.size;
    results.fill(0, r, r + R.size);

    let status = 0;
    if (isZero(bytes(op, Op.offsets.measurement, 32))) status |= ProofStatus.MeasureCheck;
    if (isZero(bytes(op, Op.offsets.attestingKey, 48))) status |= ProofStatus.KeyZero;
    const expiry = o.getBigUint64(op + Op.offsets.expiryNs, true);
    if (expiry !== 0n && expiry <= o.getBigUint64(op + Op.offsets.timestampNs, true)) status |= ProofStatus.Expired;
    if (isZero(bytes(op, Op.offsets.signature, 96))) status |= ProofStatus.SigCheck;
    if (status === 0) status = ProofStatus.Ok;

    // 212 bytes: measurement ‖ key48 ‖ sig96 ‖ message_hash ‖ u32 nonce.
    const bindingHash = binding
      .reset()
      .put(bytes(op, Op.offsets.measurement, 32))
      .put(bytes(op, Op.offsets.attestingKey, 48))
      .put(bytes(op, Op.offsets.signature, 96))
      .put(bytes(op, Op.offsets.messageHash, 32))
      .u32(readU32(ops, op + Op.offsets.nonce))
      .hash();
    writeU32(results, r + R.offsets.status, status);
    writeU32(results, r + R.offsets.kind, readU32(ops, op + Op.offsets.kind));
    results.set(bindingHash, r + R.offsets.bindingHash);
  }
}

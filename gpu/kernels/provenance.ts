/**
 * K2 provenance_apply (TS reference): the model registry. Ops with a zero model_root or weight_hash
 * are skipped whatever their kind. Register locates or inserts and resets version to 1;
 * UpdateWeights / UpdateLicense / Transfer only locate (a miss is skipped, not counted).
 * UpdateWeights bumps the version with saturation at 2^64-1 and replaces parameter_count only when
 * the op's is non-zero.
 */
import { locate, readU32, writeU32 } from '../arena.js';
import { isZero } from '../hash.js';
import { AIVMRoundDescriptor, ModelOp as Op, ModelOpKind, ModelRegistryEntry as M, NO_SLOT } from '../layouts.js';
import { view } from '../struct.js';
import { MODEL_ARENA } from './shapes.js';

const U64_MAX = (1n << 64n) - 1n;

export function provenanceApplyTs(desc: Uint8Array, ops: Uint8Array, models: Uint8Array): number {
  const count = Math.min(view(desc).getUint32(AIVMRoundDescriptor.offsets.modelOpCount, true), ops.length / Op.size);
  const o = view(ops);
  const t = view(models);
  const copy = (op: number, from: number, to: number, len: number) => models.set(ops.subarray(op + from, op + from + len), to);
  let applied = 0;
  for (let i = 0; i < count; i++) {
    const op = i * Op.size;
    const rootAt = op + Op.offsets.modelRoot;
    if (isZero(ops, rootAt, rootAt + 32)) continue;
    if (isZero(ops, op + Op.offsets.weightHash, op + Op.offsets.weightHash + 32)) continue;
    const kind = readU32(ops, op + Op.offsets.kind);
    if (kind !== ModelOpKind.Register && kind !== ModelOpKind.UpdateWeights && kind !== ModelOpKind.UpdateLicense && kind !== ModelOpKind.Transfer) {
      continue;
    }
    const idx = locate(models, MODEL_ARENA, ops, rootAt, kind === ModelOpKind.Register);
    if (idx === NO_SLOT) continue;
    const s = idx * M.size;

    switch (kind) {
      case ModelOpKind.Register:
        copy(op, Op.offsets.weightHash, s + M.offsets.weightHash, 32);
        copy(op, Op.offsets.licenseRoot, s + M.offsets.licenseRoot, 32);
        copy(op, Op.offsets.ownerAddr, s + M.offsets.ownerAddr, 20);
        t.setBigUint64(s + M.offsets.parameterCount, o.getBigUint64(op + Op.offsets.parameterCount, true), true);
        writeU32(models, s + M.offsets.modality, readU32(ops, op + Op.offsets.modality));
        t.setBigUint64(s + M.offsets.version, 1n, true);
        break;
      case ModelOpKind.UpdateWeights: {
        copy(op, Op.offsets.weightHash, s + M.offsets.weightHash, 32);
        const version = t.getBigUint64(s + M.offsets.version, true);
        if (version !== U64_MAX) t.setBigUint64(s + M.offsets.version, version + 1n, true);
        const params = o.getBigUint64(op + Op.offsets.parameterCount, true);
        if (params !== 0n) t.setBigUint64(s + M.offsets.parameterCount, params, true);
        break;
      }
      case ModelOpKind.UpdateLicense:
        copy(op, Op.offsets.licenseRoot, s + M.offsets.licenseRoot, 32);
        break;
      case ModelOpKind.Transfer:
        copy(op, Op.offsets.ownerAddr, s + M.offsets.ownerAddr, 20);
        break;
    }
    applied++;
  }
  return applied;
}

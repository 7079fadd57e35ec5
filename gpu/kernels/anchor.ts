/**
 * K3 anchor_apply (TS reference): an append-only chain of audit anchors. The cursor is the first
 * unoccupied slot scanning from 0. An op is skipped when its commit_root is zero, or (after the
 * first anchor) when its parent_root is not the previous anchor's commit_root or its height is not
 * above the previous height. A full arena stops the batch.
 */
import { readU32, writeU32 } from '../arena.js';
import { equalRange, isZero } from '../hash.js';
import { AIVMRoundDescriptor, AnchorOp as Op, AuditAnchor as A } from '../layouts.js';
import { view } from '../struct.js';

export function anchorApplyTs(desc: Uint8Array, ops: Uint8Array, anchors: Uint8Array): number {
  const count = Math.min(view(desc).getUint32(AIVMRoundDescriptor.offsets.anchorOpCount, true), ops.length / Op.size);
  const slots = anchors.length / A.size;
  const o = view(ops);
  const t = view(anchors);
  let cursor = 0;
  while (cursor < slots && readU32(anchors, cursor * A.size + A.offsets.occupied) !== 0) cursor++;

  let applied = 0;
  for (let i = 0; i < count; i++) {
    const op = i * Op.size;
    if (isZero(ops, op + Op.offsets.commitRoot, op + Op.offsets.commitRoot + 32)) continue;
    if (cursor >= slots) break;
    const height = o.getBigUint64(op + Op.offsets.height, true);
    if (cursor > 0) {
      const prev = (cursor - 1) * A.size;
      if (!equalRange(ops, op + Op.offsets.parentRoot, anchors, prev + A.offsets.commitRoot, 32)) continue;
      if (height <= t.getBigUint64(prev + A.offsets.height, true)) continue;
    }
    const s = cursor * A.size;
    for (const field of ['commitRoot', 'parentRoot', 'validatorSetRootAtCommit'] as const) {
      anchors.set(ops.subarray(op + Op.offsets[field], op + Op.offsets[field] + 32), s + A.offsets[field]);
    }
    t.setBigUint64(s + A.offsets.height, height, true);
    t.setBigUint64(s + A.offsets.timestampNs, o.getBigUint64(op + Op.offsets.timestampNs, true), true);
    writeU32(anchors, s + A.offsets.occupied, 1);
    cursor++;
    applied++;
  }
  return applied;
}

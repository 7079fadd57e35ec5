/**
 * The per-block AIVM round (spec §2.8 [P]). After the block's transactions, endBlock builds one
 * AIVMRoundDescriptor (chain id, round = height, block time in ns, current epoch, mode 4 = full
 * round, closing flag at epoch boundaries, parent = the previous AIVM state root), applies the
 * block's attestation ops (K1) and model ops (K2) in transaction order, folds the block's inference
 * artifacts into one chained audit anchor (K3), and runs epoch_transition (K4), whose
 * aivm_state_root goes into the block header.
 *
 * The arenas live in state one slot per key (only occupied slots are stored, with the list of
 * occupied indices), and are expanded to full kernel tables for the round.
 *
 * The anchor arena (append-only in the kernel) is managed here, not in the kernel:
 *  - rules 1: it fills up once and then anchoring stops; every round reads all its anchors.
 *  - rules 2: it holds one segment. At the end of a round that closes an epoch, or that filled the
 *    arena, the segment is archived (its audit root, as this round's epoch_transition computed it,
 *    its size, first and last heights) and its slots are pruned, so the next anchor starts a fresh
 *    arena while the commit roots keep chaining across segments. A round therefore reads at most
 *    min(anchorSlots, epochBlocks) anchors, however many were ever made. `AnchorArenaNearCapacity`
 *    is emitted when a segment reaches 90 % of the arena, `AnchorArenaFull` when it reaches all of
 *    it, `AnchorArenaRotated` when it is archived.
 */
import { addressBytes, concat, equals, keccak256, t, u64be, utf8, type Infer } from '../../chain/index.js';
import type { Env } from './env.js';
import { AIVM_RULES, type AivmParams } from './params.js';
import {
  anchorApply,
  attestationApply,
  decodeEpochState,
  encodeAnchorOp,
  encodeRoundDescriptor,
  epochTransition,
  provenanceApply,
  SIZES,
} from './kernels.js';
import { readU32 } from '../../gpu/index.js';
import { leafHash, rootOfLeaves } from './merkle.js';
import { anchorSegmentT, AivmReader, K, slotListT } from './state.js';

const ZERO32 = new Uint8Array(32);
const OCCUPIED_OFFSET = { attestation: 136, model: 140 } as const;
const ANCHOR_DOMAIN = utf8('aivm/anchor/v1');

async function drain(e: Env, countKey: Uint8Array, at: (i: number) => Uint8Array): Promise<Uint8Array[]> {
  const n = await e.w.count(countKey);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    out.push((await e.w.state.getValue(t.bytes(), at(i)))!);
    e.w.state.delete(at(i));
  }
  if (n > 0) e.w.state.delete(countKey);
  return out;
}

interface Arena {
  table: Uint8Array;
  size: number;
  before: Map<number, Uint8Array>;
}

async function loadHashArena(e: Env, slots: number, size: number, occKey: Uint8Array, slotKey: (i: number) => Uint8Array): Promise<Arena> {
  const table = new Uint8Array(slots * size);
  const before = new Map<number, Uint8Array>();
  for (const i of (await e.w.state.getValue(slotListT, occKey)) ?? []) {
    const raw = (await e.w.state.get(slotKey(i)))!;
    table.set(raw, i * size);
    before.set(i, raw);
  }
  return { table, size, before };
}

/** Writes back changed slots and the occupancy list; returns the slots that changed. */
function storeHashArena(e: Env, a: Arena, occupiedOffset: number, occKey: Uint8Array, slotKey: (i: number) => Uint8Array): number[] {
  const occupied: number[] = [];
  const changed: number[] = [];
  const slots = a.table.length / a.size;
  for (let i = 0; i < slots; i++) {
    if (readU32(a.table, i * a.size + occupiedOffset) === 0) continue; // arenas never free a slot (read in place: this runs for every slot, every block)
    const slot = a.table.subarray(i * a.size, (i + 1) * a.size);
    occupied.push(i);
    const prev = a.before.get(i);
    if (!prev || !equals(prev, slot)) {
      e.w.state.set(slotKey(i), slot.slice());
      changed.push(i);
    }
  }
  if (occupied.length !== a.before.size) e.w.state.setValue(slotListT, occKey, occupied);
  return changed;
}

/** Anchors in the arena at which a segment is "near capacity" (90 %, at least one slot short). */
export function nearCapacity(slots: number): number {
  return slots - Math.max(1, Math.floor(slots / 10));
}

export const anchorArenaViewT = t.struct({
  rules: t.uint32,
  /** Anchors in the arena now (the current segment under rules 2). */
  used: t.uint32,
  capacity: t.uint32,
  /** Every anchor ever made. */
  total: t.uint64,
  /** Archived segments (rules 2). */
  segments: t.uint32,
  lastCommit: t.bytes32,
});

export async function anchorArenaView(r: AivmReader, p: AivmParams): Promise<Infer<typeof anchorArenaViewT>> {
  const used = await r.count(K.anchorCount);
  const v2 = p.version >= AIVM_RULES.trust;
  let lastCommit: Uint8Array = ZERO32;
  if (v2) lastCommit = (await r.state.getValue(t.bytes32, K.anchorLast)) ?? ZERO32;
  else if (used > 0) lastCommit = (await r.state.get(K.anchorSlot(used - 1)))!.slice(0, 32);
  return {
    rules: p.version,
    used,
    capacity: p.anchorSlots,
    total: v2 ? ((await r.state.getValue(t.uint64, K.anchorTotal)) ?? 0n) : BigInt(used),
    segments: v2 ? await r.count(K.anchorSegmentCount) : 0,
    lastCommit,
  };
}

const heightOf = (anchor: Uint8Array) => new DataView(anchor.buffer, anchor.byteOffset, anchor.byteLength).getBigUint64(96, true);

/** Rules 2: archives the arena's segment (its audit root from this round) and prunes its slots. */
async function rotateAnchors(e: Env, anchors: Uint8Array, used: number, auditRoot: Uint8Array, reason: string): Promise<void> {
  const segment = await e.w.count(K.anchorSegmentCount);
  const at = (i: number) => anchors.subarray(i * SIZES.anchor, (i + 1) * SIZES.anchor);
  e.w.state.setValue(anchorSegmentT, K.anchorSegment(segment), {
    auditRoot,
    anchors: used,
    firstHeight: heightOf(at(0)),
    lastHeight: heightOf(at(used - 1)),
    lastCommit: at(used - 1).slice(0, 32),
  });
  e.w.setCount(K.anchorSegmentCount, segment + 1);
  for (let i = 0; i < used; i++) e.w.state.delete(K.anchorSlot(i));
  e.w.state.delete(K.anchorCount);
  e.ctx.emit('AnchorArenaRotated', { segment, anchors: used, auditRoot, reason });
}

export async function runRound(e: Env): Promise<{ stateRoot: Uint8Array; epoch: bigint; closing: boolean }> {
  const p = e.p;
  const rotating = p.version >= AIVM_RULES.trust;
  const attOps = await drain(e, K.blockAttCount, K.blockAtt);
  const modelOps = await drain(e, K.blockModelCount, K.blockModel);
  const artifacts = await drain(e, K.blockArtifactCount, K.blockArtifact);

  const atts = await loadHashArena(e, p.attestationSlots, SIZES.attestation, K.attOccupied, K.attSlot);
  const models = await loadHashArena(e, p.modelSlots, SIZES.model, K.modelOccupied, K.modelSlot);
  const anchorCount = await e.w.count(K.anchorCount);
  const anchors = new Uint8Array(p.anchorSlots * SIZES.anchor);
  for (let i = 0; i < anchorCount; i++) anchors.set((await e.w.state.get(K.anchorSlot(i)))!, i * SIZES.anchor);

  // A private copy: the kernel writes into it, and values read from state may be Buffers whose
  // slice() would alias the committed cache.
  const stored = await e.w.state.get(K.epochState);
  const epochState = stored ? new Uint8Array(stored) : new Uint8Array(SIZES.epochState);
  const parentRoot = (await e.w.state.getValue(t.bytes32, K.stateRoot)) ?? ZERO32;
  const currentEpoch = decodeEpochState(epochState).currentEpoch;
  const closing = e.height % p.epochBlocks === 0n;

  let anchorOps: Uint8Array = new Uint8Array(0);
  if (artifacts.length > 0) {
    // Rules 2 chains across pruned segments through the stored last commit root.
    const prevCommit = rotating
      ? ((await e.w.state.getValue(t.bytes32, K.anchorLast)) ?? ZERO32)
      : anchorCount > 0
        ? anchors.slice((anchorCount - 1) * SIZES.anchor, (anchorCount - 1) * SIZES.anchor + 32)
        : ZERO32;
    const artifactsRoot = rootOfLeaves(artifacts.map(leafHash));
    anchorOps = encodeAnchorOp({
      commitRoot: keccak256(concat(ANCHOR_DOMAIN, prevCommit, u64be(e.height), artifactsRoot)),
      parentRoot: prevCommit,
      validatorSetRootAtCommit: keccak256(addressBytes(e.ctx.block.producer)),
      height: e.height,
      timestampNs: e.timestampNs,
      epoch: Number(currentEpoch & 0xffffffffn),
    });
  }

  const desc = encodeRoundDescriptor({
    chainId: e.ctx.block.chainId,
    round: e.height,
    timestampNs: e.timestampNs,
    epoch: currentEpoch,
    mode: 4,
    attestationOpCount: attOps.length,
    modelOpCount: modelOps.length,
    anchorOpCount: anchorOps.length > 0 ? 1 : 0,
    closingFlag: closing ? 1 : 0,
    parentAivmRoot: parentRoot,
  });
  const attApplied = attestationApply(desc, concat(...attOps), atts.table);
  const modelApplied = provenanceApply(desc, concat(...modelOps), models.table);
  const anchorApplied = anchorApply(desc, anchorOps, anchors);
  const result = new Uint8Array(SIZES.result);
  epochTransition(desc, atts.table, models.table, anchors, epochState, result);
  const rv = new DataView(result.buffer);
  rv.setUint32(4, attApplied, true);
  rv.setUint32(8, modelApplied, true);
  rv.setUint32(12, anchorApplied, true);

  for (const i of storeHashArena(e, atts, OCCUPIED_OFFSET.attestation, K.attOccupied, K.attSlot)) {
    e.w.state.setValue(t.uint32, K.attestationSlot(atts.table.slice(i * SIZES.attestation, i * SIZES.attestation + 32)), i);
  }
  storeHashArena(e, models, OCCUPIED_OFFSET.model, K.modelOccupied, K.modelSlot);
  const used = anchorCount + anchorApplied;
  if (anchorApplied > 0) {
    e.w.state.set(K.anchorSlot(anchorCount), anchors.slice(anchorCount * SIZES.anchor, (anchorCount + 1) * SIZES.anchor));
    e.w.setCount(K.anchorCount, used);
    if (rotating) {
      e.w.state.setValue(t.bytes32, K.anchorLast, anchors.slice(anchorCount * SIZES.anchor, anchorCount * SIZES.anchor + 32));
      e.w.state.setValue(t.uint64, K.anchorTotal, ((await e.w.state.getValue(t.uint64, K.anchorTotal)) ?? 0n) + 1n);
      if (used === nearCapacity(p.anchorSlots)) e.ctx.emit('AnchorArenaNearCapacity', { used, capacity: p.anchorSlots, height: e.height });
      if (used === p.anchorSlots) e.ctx.emit('AnchorArenaFull', { used, capacity: p.anchorSlots, height: e.height });
    }
  }
  const next = decodeEpochState(epochState);
  e.w.state.set(K.epochState, epochState);
  e.w.state.set(K.roundResult, result);
  e.w.state.setValue(t.bytes32, K.stateRoot, next.aivmStateRoot);
  if (closing) e.ctx.emit('EpochClosed', { epoch: currentEpoch, height: e.height, stateRoot: next.aivmStateRoot });
  if (rotating && used > 0 && (closing || used === p.anchorSlots)) await rotateAnchors(e, anchors, used, next.auditRoot, closing ? 'epoch' : 'full');
  return { stateRoot: next.aivmStateRoot, epoch: next.currentEpoch, closing };
}

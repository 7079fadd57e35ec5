/**
 * One AIVM round over the four arenas, as the C++ reference's round driver: `desc.mode` picks the
 * apply kernels (0 attestations, 1 provenance, 2 anchors, 3 epoch only, 4 all three in that order)
 * and epoch_transition always runs. The result carries the three apply counts and the roots.
 */
import { anchorApply, attestationApply, epochTransition, provenanceApply } from './api.js';
import { AIVMEpochState, AIVMRoundDescriptor, AIVMTransitionResult, AnchorOp, Attestation, AttestationOp, AuditAnchor, DEFAULT_SLOTS, ModelOp, ModelRegistryEntry, RoundMode } from './layouts.js';
import { view } from './struct.js';
import * as check from './validate.js';

/** The AIVM state the kernels work on: two hashed arenas, the anchor chain and the epoch state. */
export interface AivmArenas {
  attestations: Uint8Array;
  models: Uint8Array;
  anchors: Uint8Array;
  epochState: Uint8Array;
}

export interface ArenaSlots {
  attestations: number;
  models: number;
  anchors: number;
}

/** Empty arenas (default sizes 1024 / 512 / 4096, the consensus parameters of the C++ reference). */
export function createArenas(slots: ArenaSlots = DEFAULT_SLOTS): AivmArenas {
  const arenas = {
    attestations: Attestation.alloc(slots.attestations),
    models: ModelRegistryEntry.alloc(slots.models),
    anchors: AuditAnchor.alloc(slots.anchors),
    epochState: AIVMEpochState.alloc(),
  };
  check.arena(Attestation, arenas.attestations, 'attestations');
  check.arena(ModelRegistryEntry, arenas.models, 'models');
  return arenas;
}

export interface RoundOps {
  attestations?: Uint8Array;
  models?: Uint8Array;
  anchors?: Uint8Array;
}

/**
 * Runs one round and returns the 192-byte AIVMTransitionResult. The descriptor's op counts bound
 * each kernel as usual. An empty arena (or epoch state) is first replaced by a default-sized zeroed
 * one, as upstream's driver does. All arguments are checked before any arena changes.
 */
export function runRound(arenas: AivmArenas, desc: Uint8Array, ops: RoundOps = {}): Uint8Array {
  const orDefault = (buf: Uint8Array, alloc: () => Uint8Array) => (buf.length === 0 ? alloc() : buf);
  const atts = orDefault(arenas.attestations, () => Attestation.alloc(DEFAULT_SLOTS.attestations));
  const models = orDefault(arenas.models, () => ModelRegistryEntry.alloc(DEFAULT_SLOTS.models));
  const anchors = orDefault(arenas.anchors, () => AuditAnchor.alloc(DEFAULT_SLOTS.anchors));
  const epochState = orDefault(arenas.epochState, () => AIVMEpochState.alloc());
  const attOps = ops.attestations ?? AttestationOp.alloc(0);
  const modelOps = ops.models ?? ModelOp.alloc(0);
  const anchorOps = ops.anchors ?? AnchorOp.alloc(0);
  const result = AIVMTransitionResult.alloc();
  check.attestationApplyArgs(desc, attOps, atts);
  check.provenanceApplyArgs(desc, modelOps, models);
  check.anchorApplyArgs(desc, anchorOps, anchors);
  check.epochTransitionArgs(desc, atts, models, anchors, epochState, result);
  Object.assign(arenas, { attestations: atts, models, anchors, epochState });

  const mode = view(desc).getUint32(AIVMRoundDescriptor.offsets.mode, true);
  const r = view(result);
  const runs = (m: number) => mode === m || mode === RoundMode.FullRound;
  if (runs(RoundMode.Attestation)) {
    r.setUint32(AIVMTransitionResult.offsets.attestationApplyCount, attestationApply(desc, attOps, atts), true);
  }
  if (runs(RoundMode.Provenance)) {
    r.setUint32(AIVMTransitionResult.offsets.modelApplyCount, provenanceApply(desc, modelOps, models), true);
  }
  if (runs(RoundMode.Anchor)) {
    r.setUint32(AIVMTransitionResult.offsets.anchorApplyCount, anchorApply(desc, anchorOps, anchors), true);
  }
  epochTransition(desc, atts, models, anchors, epochState, result);
  return result;
}

/**
 * The fourteen kernel structs of spec §2.7, byte for byte (little-endian, 16-byte aligned). Every
 * kernel argument is a Uint8Array holding one of these structs or an array of them; the offsets here
 * are the single source the TS kernels read and write through.
 */
import { defineStruct, f, type StructInput, type StructValue } from './struct.js';

export const Attestation = defineStruct('Attestation', 144, {
  teeQuoteDigest: [0, f.bytes(32)],
  measurement: [32, f.bytes(32)],
  attestingKey: [64, f.bytes(48)],
  expiryNs: [112, f.u64],
  kind: [120, f.u32],
  evidenceOffset: [124, f.u32],
  evidenceLen: [128, f.u32],
  status: [132, f.u32],
  occupied: [136, f.u32],
});

export const AttestationOp = defineStruct('AttestationOp', 144, {
  teeQuoteDigest: [0, f.bytes(32)],
  measurement: [32, f.bytes(32)],
  attestingKey: [64, f.bytes(48)],
  expiryNs: [112, f.u64],
  kind: [120, f.u32],
  evidenceOffset: [124, f.u32],
  evidenceLen: [128, f.u32],
  epoch: [132, f.u32],
});

export const ModelRegistryEntry = defineStruct('ModelRegistryEntry', 160, {
  modelRoot: [0, f.bytes(32)],
  weightHash: [32, f.bytes(32)],
  licenseRoot: [64, f.bytes(32)],
  ownerAddr: [96, f.bytes(20)],
  version: [120, f.u64],
  parameterCount: [128, f.u64],
  modality: [136, f.u32],
  occupied: [140, f.u32],
});

export const ModelOp = defineStruct('ModelOp', 160, {
  modelRoot: [0, f.bytes(32)],
  weightHash: [32, f.bytes(32)],
  licenseRoot: [64, f.bytes(32)],
  ownerAddr: [96, f.bytes(20)],
  parameterCount: [120, f.u64],
  modality: [128, f.u32],
  kind: [132, f.u32],
  epoch: [136, f.u32],
});

export const AuditAnchor = defineStruct('AuditAnchor', 128, {
  commitRoot: [0, f.bytes(32)],
  parentRoot: [32, f.bytes(32)],
  validatorSetRootAtCommit: [64, f.bytes(32)],
  height: [96, f.u64],
  timestampNs: [104, f.u64],
  occupied: [112, f.u32],
});

export const AnchorOp = defineStruct('AnchorOp', 128, {
  commitRoot: [0, f.bytes(32)],
  parentRoot: [32, f.bytes(32)],
  validatorSetRootAtCommit: [64, f.bytes(32)],
  height: [96, f.u64],
  timestampNs: [104, f.u64],
  epoch: [112, f.u32],
});

export const AIVMEpochState = defineStruct('AIVMEpochState', 160, {
  currentEpoch: [0, f.u64],
  nextEpochHeight: [8, f.u64],
  totalActiveAttestations: [16, f.u64],
  activeModelCount: [24, f.u32],
  expiredAttestationCount: [28, f.u32],
  attestationRoot: [32, f.bytes(32)],
  modelRegistryRoot: [64, f.bytes(32)],
  auditRoot: [96, f.bytes(32)],
  aivmStateRoot: [128, f.bytes(32)],
});

export const AIVMRoundDescriptor = defineStruct('AIVMRoundDescriptor', 96, {
  chainId: [0, f.u64],
  round: [8, f.u64],
  timestampNs: [16, f.u64],
  epoch: [24, f.u64],
  mode: [32, f.u32],
  attestationOpCount: [36, f.u32],
  modelOpCount: [40, f.u32],
  anchorOpCount: [44, f.u32],
  closingFlag: [48, f.u32],
  parentAivmRoot: [64, f.bytes(32)],
});

export const AIVMTransitionResult = defineStruct('AIVMTransitionResult', 192, {
  status: [0, f.u32],
  attestationApplyCount: [4, f.u32],
  modelApplyCount: [8, f.u32],
  anchorApplyCount: [12, f.u32],
  activeAttestations: [16, f.u32],
  expiredAttestations: [20, f.u32],
  modelCount: [24, f.u32],
  anchorCount: [28, f.u32],
  epoch: [32, f.u64],
  totalModels: [40, f.u64],
  totalAnchors: [48, f.u64],
  attestationRoot: [64, f.bytes(32)],
  modelRegistryRoot: [96, f.bytes(32)],
  auditRoot: [128, f.bytes(32)],
  aivmStateRoot: [160, f.bytes(32)],
});

/** Dimensions of the int8 tiny classifier: 32 inputs → 16 hidden → 1 output. */
export const IN_DIM = 32;
export const HIDDEN = 16;
export const OUT_DIM = 1;

export const InferenceWeights = defineStruct('InferenceWeights', 672, {
  /** Row-major: W1[i*32 + k], i = hidden unit, k = input. */
  w1: [0, f.i8s(IN_DIM * HIDDEN)],
  b1: [512, f.i32s(HIDDEN)],
  w2: [576, f.i8s(HIDDEN * OUT_DIM)],
  b2: [592, f.i32s(OUT_DIM)],
  shift1: [596, f.i8],
  shift2: [597, f.i8],
  modelHash: [600, f.bytes(32)],
  modelConfigHash: [632, f.bytes(32)],
});

export const InferenceOp = defineStruct('InferenceOp', 144, {
  modelHash: [0, f.bytes(32)],
  policyHash: [32, f.bytes(32)],
  salt: [64, f.bytes(32)],
  mode: [96, f.u32],
  inputOffset: [100, f.u32],
  inputLen: [104, f.u32],
  outputOffset: [108, f.u32],
  outputCapacity: [112, f.u32],
  roundId: [120, f.u64],
  timestampNs: [128, f.u64],
});

export const InferenceResult = defineStruct('InferenceResult', 112, {
  status: [0, f.u32],
  outputLen: [4, f.u32],
  inputCommitment: [8, f.bytes(32)],
  outputCommitment: [40, f.bytes(32)],
  attestationRoot: [72, f.bytes(32)],
});

export const ProofVerifyOp = defineStruct('ProofVerifyOp', 240, {
  measurement: [0, f.bytes(32)],
  attestingKey: [32, f.bytes(48)],
  signature: [80, f.bytes(96)],
  messageHash: [176, f.bytes(32)],
  expiryNs: [208, f.u64],
  timestampNs: [216, f.u64],
  kind: [224, f.u32],
  nonce: [228, f.u32],
});

export const ProofVerifyResult = defineStruct('ProofVerifyResult', 48, {
  status: [0, f.u32],
  kind: [4, f.u32],
  bindingHash: [8, f.bytes(32)],
});

/** Every layout, by its C name. */
export const layouts = {
  Attestation,
  AttestationOp,
  ModelRegistryEntry,
  ModelOp,
  AuditAnchor,
  AnchorOp,
  AIVMEpochState,
  AIVMRoundDescriptor,
  AIVMTransitionResult,
  InferenceWeights,
  InferenceOp,
  InferenceResult,
  ProofVerifyOp,
  ProofVerifyResult,
} as const;

type Fields<L> = L extends { fields: infer D } ? D : never;

export type AttestationValue = StructValue<Fields<typeof Attestation>>;
export type AttestationOpValue = StructValue<Fields<typeof AttestationOp>>;
export type ModelRegistryEntryValue = StructValue<Fields<typeof ModelRegistryEntry>>;
export type ModelOpValue = StructValue<Fields<typeof ModelOp>>;
export type AuditAnchorValue = StructValue<Fields<typeof AuditAnchor>>;
export type AnchorOpValue = StructValue<Fields<typeof AnchorOp>>;
export type EpochStateValue = StructValue<Fields<typeof AIVMEpochState>>;
export type RoundDescriptorValue = StructValue<Fields<typeof AIVMRoundDescriptor>>;
export type TransitionResultValue = StructValue<Fields<typeof AIVMTransitionResult>>;
export type InferenceWeightsValue = StructValue<Fields<typeof InferenceWeights>>;
export type InferenceOpValue = StructValue<Fields<typeof InferenceOp>>;
export type InferenceResultValue = StructValue<Fields<typeof InferenceResult>>;
export type ProofVerifyOpValue = StructValue<Fields<typeof ProofVerifyOp>>;
export type ProofVerifyResultValue = StructValue<Fields<typeof ProofVerifyResult>>;

export type AttestationOpInput = StructInput<Fields<typeof AttestationOp>>;
export type ModelOpInput = StructInput<Fields<typeof ModelOp>>;
export type AnchorOpInput = StructInput<Fields<typeof AnchorOp>>;
export type RoundDescriptorInput = StructInput<Fields<typeof AIVMRoundDescriptor>>;
export type InferenceWeightsInput = StructInput<Fields<typeof InferenceWeights>>;
export type InferenceOpInput = StructInput<Fields<typeof InferenceOp>>;
export type ProofVerifyOpInput = StructInput<Fields<typeof ProofVerifyOp>>;

// ---- Constants shared by the kernels (spec §2.6) ----

/** Attestation.status bits. */
export const ATT_STATUS_VERIFIED = 0x2;
export const ATT_STATUS_EXPIRED = 0x4;

/** Attestation kinds. */
export const AttestationKind = { SGX: 0, SEV: 1, TDX: 2, NvTrust: 3 } as const;

/** ModelOp.kind values. */
export const ModelOpKind = { Register: 0, UpdateWeights: 1, UpdateLicense: 2, Transfer: 3 } as const;

/** ModelRegistryEntry.modality values. */
export const Modality = { Text: 0, Vision: 1, Audio: 2, Multi: 3 } as const;

/** AIVMRoundDescriptor.mode: which apply kernels a round runs (epoch_transition always runs). */
export const RoundMode = { Attestation: 0, Provenance: 1, Anchor: 2, Epoch: 3, FullRound: 4 } as const;

/** AIVMTransitionResult.status values. */
export const TransitionStatus = { InProgress: 0, Finalized: 1, NeedsState: 2, Failed: 3 } as const;

/** InferenceResult.status values. Status 2 also covers an input row outside batch_in and 3 an output slot outside batch_out ([P]). */
export const InferenceStatus = { Ok: 0, ModelMismatch: 1, BadInput: 2, OutputCapacity: 3 } as const;

/** ProofVerifyResult.status bits. */
export const ProofStatus = { Ok: 0x01, SigCheck: 0x02, MeasureCheck: 0x04, Expired: 0x08, KeyZero: 0x10 } as const;

/** Returned by the arena locators when the table is full or the key is missing. */
export const NO_SLOT = 0xffffffff;

/** The C++ reference's default arena sizes (consensus parameters: the slot index enters the leaf hash). */
export const DEFAULT_SLOTS = { attestations: 1024, models: 512, anchors: 4096 } as const;

/**
 * Public API of the AIVM kernels (spec aivm.md §2.6–§2.7). Every kernel argument is a Uint8Array
 * in the spec's little-endian struct layout; arenas, epoch state, results and outputs are mutated
 * in place. The TypeScript reference is canonical; other backends must match it byte for byte.
 */
export { attestationApply, provenanceApply, anchorApply, epochTransition, inferenceStep, inferenceBatch, proofVerify } from './api.js';
export {
  backend,
  setBackend,
  availableBackends,
  backendStatus,
  registerBackend,
  tsBackend,
  BACKEND_NAMES,
  type BackendName,
  type BackendChoice,
  type BackendStatus,
  type KernelBackend,
} from './backend.js';
export { nativeKernels, loadNativeKernels, type NativeKernels, type NativeLoadOptions, type NativeBackendStats } from './native/install.js';
export { GpuError, type GpuErrorName } from './errors.js';
export * from './layouts.js';
export * from './codecs.js';
export { defineStruct, type StructLayout, type StructValue, type StructInput, type FieldSpec } from './struct.js';
export { hashIndex, homeSlot, locate, isPowerOfTwo, readU32, type ArenaShape } from './arena.js';
export { ATTESTATION_ARENA, MODEL_ARENA } from './kernels/shapes.js';
export { attestationRoot, modelRegistryRoot, auditRoot } from './kernels/epoch.js';
export {
  loadModelFile,
  encodeModelFile,
  modelHash,
  modelConfigHash,
  tinyClassifierFixture,
  tinyClassifierFixtureFile,
  ModelWeights,
  MODEL_FILE_SIZE,
  MODEL_MAGIC,
  MODEL_VERSION,
  type TinyClassifier,
  type TinyClassifierInput,
} from './model.js';
export { Lcg } from './lcg.js';
export {
  AiPrecompile,
  ExecutionMode,
  AIStatus,
  ArtifactFlag,
  PrecompileOp,
  ARTIFACT_PREIMAGE_SIZE,
  REPLAY_ONE_IN,
  REPLAY_SEED_XOR,
  encodeArtifactPreimage,
  artifactRoot,
  inferenceCommit,
  resultAttest,
  sampledReplayIndices,
  sampledReplayOk,
  type InferenceCall,
  type PrecompileResult,
  type Artifact,
} from './precompile.js';
export { conformance, type ConformanceMismatch, type ConformanceOptions } from './conformance.js';
export { createArenas, runRound, type AivmArenas, type ArenaSlots, type RoundOps } from './round.js';

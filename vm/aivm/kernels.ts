/**
 * The one place the AIVM module reaches the kernels (`gpu/`): struct codecs, the six kernel entry
 * points, and two small wrappers the module uses directly (on-chain re-execution of an int8 model
 * and the TEE proof envelope check). A kernel refuses bad arguments with a GpuError; here it becomes
 * a ModuleError of the same name, so a receipt names it and the call reverts like any module error.
 */
import {
  AIVMEpochState,
  AIVMTransitionResult,
  anchorApply as anchorApplyKernel,
  attestationApply as attestationApplyKernel,
  Attestation,
  AuditAnchor,
  decodeAttestation as decodeAttestationKernel,
  decodeEpochState as decodeEpochStateKernel,
  decodeInferenceResult,
  decodeProofVerifyResult,
  encodeAnchorOp as encodeAnchorOpKernel,
  encodeAttestationOp as encodeAttestationOpKernel,
  encodeInferenceOp,
  encodeModelFile as encodeModelFileKernel,
  encodeModelOp as encodeModelOpKernel,
  encodeProofVerifyOp,
  encodeRoundDescriptor as encodeRoundDescriptorKernel,
  epochTransition as epochTransitionKernel,
  GpuError,
  inferenceStep,
  InferenceResult,
  loadModelFile as loadModelFileKernel,
  MODEL_FILE_SIZE,
  ModelRegistryEntry,
  proofVerify,
  provenanceApply as provenanceApplyKernel,
  ProofVerifyResult,
} from '../../gpu/index.js';
import { aivmErrors } from './errors.js';

/** Runs a kernel entry point with GpuError turned into a ModuleError of the same name. */
function moduleErrors<A extends unknown[], R>(kernel: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return kernel(...args);
    } catch (e) {
      if (e instanceof GpuError) throw aivmErrors.error(e.name, e.message, e.data);
      throw e;
    }
  };
}

export { MODEL_FILE_SIZE };
export const anchorApply = moduleErrors(anchorApplyKernel);
export const attestationApply = moduleErrors(attestationApplyKernel);
export const epochTransition = moduleErrors(epochTransitionKernel);
export const provenanceApply = moduleErrors(provenanceApplyKernel);
export const loadModelFile = moduleErrors(loadModelFileKernel);
export const encodeModelFile = moduleErrors(encodeModelFileKernel);
export const encodeAnchorOp = moduleErrors(encodeAnchorOpKernel);
export const encodeAttestationOp = moduleErrors(encodeAttestationOpKernel);
export const encodeModelOp = moduleErrors(encodeModelOpKernel);
export const encodeRoundDescriptor = moduleErrors(encodeRoundDescriptorKernel);
export const decodeAttestation = moduleErrors(decodeAttestationKernel);
export const decodeEpochState = moduleErrors(decodeEpochStateKernel);

export const SIZES = {
  attestation: Attestation.size,
  model: ModelRegistryEntry.size,
  anchor: AuditAnchor.size,
  epochState: AIVMEpochState.size,
  result: AIVMTransitionResult.size,
} as const;

export const ATT_VERIFIED = 0x2;
export const ATT_EXPIRED = 0x4;
export const PROOF_OK = 0x01;

export interface InferenceOutcome {
  /** InferenceResult.status: 0 ok, 1 model mismatch, 2 bad input, 3 output capacity. */
  status: number;
  /** The int8 output. */
  output: number;
  inputCommitment: Uint8Array;
  outputCommitment: Uint8Array;
  /** The 112-byte InferenceResult, for audit artifacts. */
  result: Uint8Array;
}

/**
 * Runs the tiny classifier on one 32-byte input with `salt` (the task id): the output commitment
 * `K(salt ‖ y)` is the task's canonical output hash for the on-chain int8 class.
 */
export const runInference = moduleErrors(function runInference(modelFile: Uint8Array, input: Uint8Array, salt: Uint8Array, roundId: bigint, timestampNs: bigint): InferenceOutcome {
  const weights = loadModelFileKernel(modelFile);
  const ops = encodeInferenceOp({ modelHash: weights.modelHash, salt, mode: 0, inputOffset: 0, inputLen: 32, outputOffset: 0, outputCapacity: 1, roundId, timestampNs });
  const out = new Uint8Array(1);
  const results = new Uint8Array(InferenceResult.size);
  inferenceStep(weights, ops, input, out, results);
  const r = decodeInferenceResult(results);
  return { status: r.status, output: (out[0]! << 24) >> 24, inputCommitment: r.inputCommitment, outputCommitment: r.outputCommitment, result: results };
});

export interface ProofCheck {
  measurement: Uint8Array;
  attestingKey: Uint8Array;
  signature: Uint8Array;
  messageHash: Uint8Array;
  expiryNs: bigint;
  timestampNs: bigint;
  kind: number;
  nonce: number;
}

/** proof_verify on one op: the status bits and the binding hash. */
export const checkProof = moduleErrors(function checkProof(p: ProofCheck): { status: number; bindingHash: Uint8Array } {
  const results = new Uint8Array(ProofVerifyResult.size);
  proofVerify(encodeProofVerifyOp(p), results);
  const r = decodeProofVerifyResult(results);
  return { status: r.status, bindingHash: r.bindingHash };
});

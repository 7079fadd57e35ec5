/**
 * The AI precompile's execution modes (A4 ai_precompile), layered on `inferenceBatch` (K5's forward
 * pass over the whole batch in one call):
 *
 * - DeterministicInteger (0): the host gets the raw int8 outputs.
 * - ConfidentialInference (1): the host's output buffer is zeroed (all `outputCapacity` bytes); only
 *   commitments and an attestation root come back.
 * - VerifiableInference (2): `max(1, n/10)` rows, picked by the LCG seeded `round_id ^
 *   0xfeedfacecafebabe`, are replayed on the TS reference kernel and compared with the active
 *   backend's outputs; any difference gives DivergenceDetected.
 *
 * Commitments cover the whole batch: input = keccak(salt ‖ all input bytes), output = keccak(salt ‖
 * all output bytes). The artifact's 200-byte preimage is model ‖ config ‖ in_c ‖ out_c ‖ att_root ‖
 * policy ‖ u32 batch ‖ u32 flags, flags 1 / 2 / 1|4 for the three modes.
 */
import { inferenceBatch } from './api.js';
import { GpuError } from './errors.js';
import { isZero, keccak256, Preimage } from './hash.js';
import { classifierOf, forward } from './kernels/inference.js';
import { IN_DIM, OUT_DIM } from './layouts.js';
import { Lcg } from './lcg.js';
import { loadModelFile, type ModelWeights } from './model.js';

export const ExecutionMode = { DeterministicInteger: 0, ConfidentialInference: 1, VerifiableInference: 2 } as const;
export type ExecutionMode = (typeof ExecutionMode)[keyof typeof ExecutionMode];

/** The precompile's operation codes (for callers that dispatch on them). */
export const PrecompileOp = { ModelVerify: 0x0a01, InferenceCommit: 0x0a02, InferenceExecute: 0x0a03, ResultAttest: 0x0a04, AuditCommit: 0x0a05 } as const;

export const AIStatus = { Ok: 0, UnknownModel: 1, SignatureRejected: 2, InputTooLarge: 3, OutputCapacity: 4, DivergenceDetected: 5, InternalError: 6 } as const;
export type AIStatus = (typeof AIStatus)[keyof typeof AIStatus];

/** Artifact flag bits. */
export const ArtifactFlag = { Deterministic: 0x1, Confidential: 0x2, Verified: 0x4 } as const;

/** Replay one row in K; the seed is mixed with this constant. */
export const REPLAY_ONE_IN = 10;
export const REPLAY_SEED_XOR = 0xfeedfacecafebaben;

export interface InferenceCall {
  modelHash: Uint8Array;
  mode: ExecutionMode;
  /** Bytes of `input` to use: n rows of 32 int8. */
  inputLen: number;
  /** Bytes of `output` the call may write. */
  outputCapacity: number;
  policyHash: Uint8Array;
  /** Seeds the sampled replay of mode 2. */
  roundId: bigint;
  /** Bound into the attestation root. */
  timestampNs: bigint;
  salt: Uint8Array;
}

export interface PrecompileResult {
  status: AIStatus;
  outputLen: number;
  inputCommitment: Uint8Array;
  outputCommitment: Uint8Array;
  /** Zero unless the mode is Confidential or Verifiable. */
  attestationRoot: Uint8Array;
}

export interface Artifact {
  modelHash: Uint8Array;
  modelConfigHash: Uint8Array;
  inputCommitment: Uint8Array;
  outputCommitment: Uint8Array;
  attestationRoot: Uint8Array;
  policyRoot: Uint8Array;
  batchCount: number;
  flags: number;
}

export const ARTIFACT_PREIMAGE_SIZE = 200;

export function encodeArtifactPreimage(a: Artifact): Uint8Array {
  return new Preimage(ARTIFACT_PREIMAGE_SIZE)
    .put(a.modelHash)
    .put(a.modelConfigHash)
    .put(a.inputCommitment)
    .put(a.outputCommitment)
    .put(a.attestationRoot)
    .put(a.policyRoot)
    .u32(a.batchCount)
    .u32(a.flags).bytes;
}

/** keccak of the 200-byte preimage: what the caller folds into an AnchorOp.commit_root (AuditCommit). */
export function artifactRoot(a: Artifact): Uint8Array {
  return keccak256(encodeArtifactPreimage(a));
}

/** InferenceCommit: keccak(salt ‖ bytes). */
export function inferenceCommit(salt: Uint8Array, bytes: Uint8Array): Uint8Array {
  return new Preimage(32 + bytes.length).put(salt).put(bytes).hash();
}

/** ResultAttest: keccak(model_hash ‖ in_c ‖ out_c ‖ policy_hash ‖ u64le timestamp_ns), 136 bytes. */
export function resultAttest(modelHash: Uint8Array, inputCommitment: Uint8Array, outputCommitment: Uint8Array, policyHash: Uint8Array, timestampNs: bigint): Uint8Array {
  return new Preimage(136).put(modelHash).put(inputCommitment).put(outputCommitment).put(policyHash).u64(timestampNs).hash();
}

/** The row indices mode 2 replays for a batch of n rows (in sampling order; repeats possible). */
export function sampledReplayIndices(roundId: bigint, n: number): number[] {
  if (n === 0) return [];
  const rng = new Lcg(BigInt.asUintN(64, roundId) ^ REPLAY_SEED_XOR);
  const picks = Math.max(1, Math.floor(n / REPLAY_ONE_IN));
  return Array.from({ length: picks }, () => rng.next() % n);
}

/** Replays the sampled rows on the TS reference kernel; true when every one matches `outputs`. */
export function sampledReplayOk(weights: Uint8Array, inputs: Uint8Array, outputs: Uint8Array, roundId: bigint): boolean {
  const m = classifierOf(weights);
  const xs = new Int8Array(inputs.buffer, inputs.byteOffset, inputs.length);
  const n = Math.floor(inputs.length / IN_DIM);
  for (const idx of sampledReplayIndices(roundId, n)) {
    if ((forward(m, xs, idx * IN_DIM) & 0xff) !== outputs[idx * OUT_DIM]) return false;
  }
  return true;
}

const ZERO32 = new Uint8Array(32);

const hexKey = (h: Uint8Array) => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');

function checkCall(call: InferenceCall): void {
  const mode = call.mode as number;
  if (mode !== 0 && mode !== 1 && mode !== 2) {
    throw new GpuError('InvalidExecutionMode', `execution mode ${mode} is not 0 (DeterministicInteger), 1 (ConfidentialInference) or 2 (VerifiableInference)`);
  }
  for (const field of ['modelHash', 'policyHash', 'salt'] as const) {
    const v = call[field];
    if (!(v instanceof Uint8Array) || v.length !== 32) throw new GpuError('InvalidField', `call.${field} must be 32 bytes`, { field });
  }
  for (const field of ['inputLen', 'outputCapacity'] as const) {
    const v = call[field];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new GpuError('InvalidField', `call.${field} must be an integer in 0..2^32-1`, { field });
  }
  for (const field of ['roundId', 'timestampNs'] as const) {
    const v = call[field];
    if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw new GpuError('InvalidField', `call.${field} must be a bigint in 0..2^64-1`, { field });
  }
}

function emptyResult(status: AIStatus): PrecompileResult {
  return { status, outputLen: 0, inputCommitment: new Uint8Array(32), outputCommitment: new Uint8Array(32), attestationRoot: new Uint8Array(32) };
}

/** Runs the n rows through the forward pass on the active backend, in one call (inferenceBatch). */
function runBatch(weights: ModelWeights, input: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n * OUT_DIM);
  inferenceBatch(weights, input, out);
  return out;
}

/**
 * The stateful precompile service: models are admitted by ModelVerify and cached by model_hash,
 * then called by hash.
 */
export class AiPrecompile {
  private readonly models = new Map<string, ModelWeights>();

  /**
   * ModelVerify: admits a model file whose keccak equals `modelHash`. The signature is upstream's
   * stand-in: any non-zero 64 bytes pass (callers that need real signatures check them first).
   */
  modelVerify(file: Uint8Array, modelHash: Uint8Array, signature: Uint8Array): AIStatus {
    if (hexKey(keccak256(file)) !== hexKey(modelHash)) return AIStatus.SignatureRejected;
    if (signature.length !== 64 || isZero(signature)) return AIStatus.SignatureRejected;
    let weights: ModelWeights;
    try {
      weights = loadModelFile(file);
    } catch (e) {
      if (e instanceof GpuError) return AIStatus.UnknownModel;
      throw e;
    }
    this.models.set(hexKey(modelHash), weights);
    return AIStatus.Ok;
  }

  /** The admitted model's weights, if any. */
  model(modelHash: Uint8Array): ModelWeights | undefined {
    return this.models.get(hexKey(modelHash));
  }

  /** InferenceExecute: runs `call` over `input`, writing into `output` per the mode. */
  inferenceExecute(call: InferenceCall, input: Uint8Array, output: Uint8Array): PrecompileResult {
    checkCall(call);
    const mode = call.mode;
    const weights = this.model(call.modelHash);
    if (!weights) return emptyResult(AIStatus.UnknownModel);
    // [P] inputLen / outputCapacity larger than the buffers get the same statuses as bad sizes.
    if (call.inputLen === 0 || call.inputLen % IN_DIM !== 0 || call.inputLen > input.length) return emptyResult(AIStatus.InputTooLarge);
    const n = call.inputLen / IN_DIM;
    if (n * OUT_DIM > call.outputCapacity || call.outputCapacity > output.length) return emptyResult(AIStatus.OutputCapacity);

    const inBytes = input.subarray(0, call.inputLen);
    const out = runBatch(weights, inBytes, n);
    const r: PrecompileResult = {
      status: AIStatus.Ok,
      outputLen: 0,
      inputCommitment: inferenceCommit(call.salt, inBytes),
      outputCommitment: inferenceCommit(call.salt, out),
      attestationRoot: new Uint8Array(32),
    };
    const attest = () => resultAttest(call.modelHash, r.inputCommitment, r.outputCommitment, call.policyHash, call.timestampNs);
    switch (mode) {
      case ExecutionMode.DeterministicInteger:
        output.set(out);
        break;
      case ExecutionMode.ConfidentialInference:
        output.fill(0, 0, call.outputCapacity);
        r.attestationRoot = attest();
        break;
      case ExecutionMode.VerifiableInference:
        if (!sampledReplayOk(weights, inBytes, out, call.roundId)) return { ...r, status: AIStatus.DivergenceDetected };
        output.set(out);
        r.attestationRoot = attest();
        break;
    }
    r.outputLen = n * OUT_DIM;
    return r;
  }

  /** InferenceExecute plus the artifact that binds the call into the audit root. */
  execute(call: InferenceCall, input: Uint8Array, output: Uint8Array): { result: PrecompileResult; artifact: Artifact } {
    const result = this.inferenceExecute(call, input, output);
    const flags =
      call.mode === ExecutionMode.DeterministicInteger
        ? ArtifactFlag.Deterministic
        : call.mode === ExecutionMode.ConfidentialInference
          ? ArtifactFlag.Confidential
          : ArtifactFlag.Deterministic | ArtifactFlag.Verified;
    const artifact: Artifact = {
      modelHash: call.modelHash.slice(),
      modelConfigHash: this.model(call.modelHash)?.modelConfigHash ?? ZERO32.slice(),
      inputCommitment: result.inputCommitment,
      outputCommitment: result.outputCommitment,
      attestationRoot: result.attestationRoot,
      policyRoot: call.policyHash.slice(),
      batchCount: Math.floor(call.inputLen / IN_DIM),
      flags,
    };
    return { result, artifact };
  }

  /** AuditCommit: the artifact root. */
  static auditCommit(artifact: Artifact): Uint8Array {
    return artifactRoot(artifact);
  }
}

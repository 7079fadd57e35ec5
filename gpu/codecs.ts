/**
 * Named encode/decode helpers for every layout. `encodeX` takes one struct value (missing fields are
 * zero) or an array of them (concatenated, e.g. an op batch or an arena); `decodeX(buf, i)` reads
 * struct i of a buffer. The layout objects (gpu/layouts.ts) also offer `decodeArray` and `alloc`.
 */
import * as L from './layouts.js';
import type { StructInput, StructLayout, StructValue } from './struct.js';

type Defs<S> = S extends StructLayout<infer D> ? D : never;

function codec<S extends StructLayout<any>>(layout: S) {
  type In = StructInput<Defs<S>>;
  return {
    encode: (value: In | readonly In[]): Uint8Array => (Array.isArray(value) ? layout.encodeArray(value) : layout.encode(value as In)),
    decode: (buf: Uint8Array, index = 0): StructValue<Defs<S>> => layout.decode(buf, index) as StructValue<Defs<S>>,
  };
}

const attestation = codec(L.Attestation);
const attestationOp = codec(L.AttestationOp);
const modelEntry = codec(L.ModelRegistryEntry);
const modelOp = codec(L.ModelOp);
const auditAnchor = codec(L.AuditAnchor);
const anchorOp = codec(L.AnchorOp);
const epochState = codec(L.AIVMEpochState);
const roundDescriptor = codec(L.AIVMRoundDescriptor);
const transitionResult = codec(L.AIVMTransitionResult);
const inferenceWeights = codec(L.InferenceWeights);
const inferenceOp = codec(L.InferenceOp);
const inferenceResult = codec(L.InferenceResult);
const proofVerifyOp = codec(L.ProofVerifyOp);
const proofVerifyResult = codec(L.ProofVerifyResult);

export const encodeAttestation = attestation.encode;
export const decodeAttestation = attestation.decode;
export const encodeAttestationOp = attestationOp.encode;
export const decodeAttestationOp = attestationOp.decode;
export const encodeModelRegistryEntry = modelEntry.encode;
export const decodeModelRegistryEntry = modelEntry.decode;
export const encodeModelOp = modelOp.encode;
export const decodeModelOp = modelOp.decode;
export const encodeAuditAnchor = auditAnchor.encode;
export const decodeAuditAnchor = auditAnchor.decode;
export const encodeAnchorOp = anchorOp.encode;
export const decodeAnchorOp = anchorOp.decode;
export const encodeEpochState = epochState.encode;
export const decodeEpochState = epochState.decode;
export const encodeRoundDescriptor = roundDescriptor.encode;
export const decodeRoundDescriptor = roundDescriptor.decode;
export const encodeTransitionResult = transitionResult.encode;
export const decodeTransitionResult = transitionResult.decode;
export const encodeInferenceWeights = inferenceWeights.encode;
export const decodeInferenceWeights = inferenceWeights.decode;
export const encodeInferenceOp = inferenceOp.encode;
export const decodeInferenceOp = inferenceOp.decode;
export const encodeInferenceResult = inferenceResult.encode;
export const decodeInferenceResult = inferenceResult.decode;
export const encodeProofVerifyOp = proofVerifyOp.encode;
export const decodeProofVerifyOp = proofVerifyOp.decode;
export const encodeProofVerifyResult = proofVerifyResult.encode;
export const decodeProofVerifyResult = proofVerifyResult.decode;

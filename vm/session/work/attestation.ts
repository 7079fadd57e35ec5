/**
 * Threshold attestations (spec session.md §1.5 and the [P] checks of §1.9). A committee member signs
 * the 32-byte attestation payload SHA256(separator ‖ subject ‖ commit_root ‖ u64be(epoch)) — the
 * attestation ID — with its ML-DSA-65 node key (FIPS 204 pure mode, empty context). An attestation
 * carries each signer's public key and signature; the signer's node ID is derived from the key.
 */
import { compareBytes, equals, toHex, NamedError } from '../../../chain/index.js';
import { attestationId, id32, MLDSA65_PUBLIC_KEY_BYTES, nodeIdFromPublicKey, u64 } from './ids.js';
import { quorumSize } from './committee.js';
import { type AttestationDomain, domainForStepKind, type Id32, isAttestationDomain, type StepKindValue } from './types.js';

export const MLDSA65_SIGNATURE_BYTES = 3309;

export interface AttestationSignature {
  /** The signer's ML-DSA-65 node key (1952 bytes); its node ID is `nodeIdFromPublicKey(publicKey)`. */
  publicKey: Uint8Array;
  /** Raw ML-DSA-65 signature (3309 bytes) over the attestation ID. */
  signature: Uint8Array;
}

export interface Attestation {
  domain: AttestationDomain;
  subjectId: Id32;
  commitRoot: Id32;
  epoch: bigint;
  signatures: AttestationSignature[];
}

/** The S1 view of an attestation: who signed, without the signatures. */
export interface AttestationSummary {
  domain: string;
  subjectId: Id32;
  commitRoot: Id32;
  epoch: bigint;
  signers: Id32[];
}

/** Signs the attestation payload with a node key (`MlDsaSigner.signRaw`). */
export function signAttestation(
  key: { publicKey: Uint8Array; signRaw(message: Uint8Array): Uint8Array },
  domain: AttestationDomain,
  subjectId: Id32,
  commitRoot: Id32,
  epoch: bigint,
): AttestationSignature {
  const payload = attestationId(domain, subjectId, commitRoot, epoch);
  return { publicKey: key.publicKey, signature: key.signRaw(payload) };
}

/**
 * S2 `ValidateAttestationForStep`: the domain must match the step kind (compute steps need none)
 * and the subject must be the step's request ID.
 */
export function validateAttestationForStep(step: { kind: StepKindValue; requestId: Id32 }, attestation: { domain: string; subjectId: Id32 }): void {
  const want = domainForStepKind(step.kind);
  if (attestation.domain !== want) {
    throw new NamedError('WrongDomain', `a ${want === 'oracle/write' ? 'write' : 'read'} step needs an ${want} attestation, got ${JSON.stringify(attestation.domain)}`);
  }
  if (!equals(attestation.subjectId, step.requestId)) {
    throw new NamedError('WrongSubject', `the attestation's subject ${toHex(attestation.subjectId)} is not the step's request ${toHex(step.requestId)}`);
  }
}

export interface AttestationExpectation {
  domain: AttestationDomain;
  subjectId: Id32;
  commitRoot: Id32;
  epoch: bigint;
  /** Node IDs of the committee, in any order. */
  committee: readonly Id32[];
}

export interface CheckedAttestation {
  id: Id32;
  /** Signer node IDs in the attestation's order. */
  signers: Id32[];
}

export type MlDsaVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Checks an attestation against what it must attest to, in this order (cheap checks first, the
 * signatures last): domain known (`UnknownDomain`), domain (`WrongDomain`), subject (`WrongSubject`),
 * epoch (`WrongEpoch`), commit root (`WrongCommitRoot`), key sizes (`InvalidPublicKey`), no signer
 * twice (`DuplicateSigner`), every signer in the committee (`SignerNotInCommittee`), quorum by the
 * integer rule (`BelowQuorum`), every signature valid (`InvalidAttestationSignature`).
 */
export function checkAttestation(att: Attestation, want: AttestationExpectation, verify: MlDsaVerifier): CheckedAttestation {
  if (!isAttestationDomain(att.domain)) throw new NamedError('UnknownDomain', `unknown attestation domain ${JSON.stringify(att.domain)}`);
  if (att.domain !== want.domain) throw new NamedError('WrongDomain', `expected an ${want.domain} attestation, got ${att.domain}`);
  if (!equals(id32(att.subjectId, 'subjectId'), want.subjectId)) throw new NamedError('WrongSubject', `the attestation's subject must be ${toHex(want.subjectId)}`);
  if (u64(att.epoch, 'epoch') !== want.epoch) throw new NamedError('WrongEpoch', `the attestation is for epoch ${att.epoch}, the session's epoch is ${want.epoch}`);
  if (!equals(id32(att.commitRoot, 'commitRoot'), want.commitRoot)) throw new NamedError('WrongCommitRoot', `the attestation commits to ${toHex(att.commitRoot)}, expected ${toHex(want.commitRoot)}`);
  const signers = att.signatures.map((s, i) => {
    if (!(s.publicKey instanceof Uint8Array) || s.publicKey.length !== MLDSA65_PUBLIC_KEY_BYTES) {
      throw new NamedError('InvalidPublicKey', `signatures[${i}].publicKey must be an ML-DSA-65 public key (${MLDSA65_PUBLIC_KEY_BYTES} bytes)`);
    }
    return nodeIdFromPublicKey(s.publicKey);
  });
  const sorted = signers.map((id, i) => ({ id, i })).sort((a, b) => compareBytes(a.id, b.id));
  for (let k = 1; k < sorted.length; k++) {
    if (equals(sorted[k]!.id, sorted[k - 1]!.id)) throw new NamedError('DuplicateSigner', `node ${toHex(sorted[k]!.id)} signs twice (signatures[${sorted[k - 1]!.i}] and [${sorted[k]!.i}])`);
  }
  const members = new Set(want.committee.map((m) => toHex(m)));
  signers.forEach((id, i) => {
    if (!members.has(toHex(id))) throw new NamedError('SignerNotInCommittee', `signatures[${i}] is by node ${toHex(id)}, which is not on the session's committee`);
  });
  const need = quorumSize(want.committee.length);
  if (signers.length < need) throw new NamedError('BelowQuorum', `${signers.length} of ${want.committee.length} committee members signed; the quorum is ${need}`);
  const payload = attestationId(att.domain, att.subjectId, att.commitRoot, att.epoch);
  att.signatures.forEach((s, i) => {
    if (s.signature.length !== MLDSA65_SIGNATURE_BYTES || !verify(s.publicKey, payload, s.signature)) {
      throw new NamedError('InvalidAttestationSignature', `signatures[${i}] (node ${toHex(signers[i]!)}) is not a valid ML-DSA-65 signature over the attestation`);
    }
  });
  return { id: payload, signers };
}

export interface EquivocationEvidence {
  /** The signer who signed both attestations. */
  signer: Id32;
  first: AttestationSummary;
  second: AttestationSummary;
}

/**
 * S1 `DetectEquivocation`: same domain and subject, different commit roots, and the signer sets
 * intersect; the evidence names the first signer of `a2` that also signed `a1`. (The epoch is not
 * compared here; the on-chain evidence rule of S4 also requires the same epoch.)
 */
export function detectEquivocation(a1: AttestationSummary, a2: AttestationSummary): EquivocationEvidence | null {
  if (a1.domain !== a2.domain || !equals(a1.subjectId, a2.subjectId) || equals(a1.commitRoot, a2.commitRoot)) return null;
  const first = new Set(a1.signers.map((s) => toHex(s)));
  const signer = a2.signers.find((s) => first.has(toHex(s)));
  return signer ? { signer, first: a1, second: a2 } : null;
}

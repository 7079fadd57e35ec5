/**
 * Equivocation evidence (spec §1.5, S4 rule): one node key signed two attestation payloads with the
 * same domain, subject and epoch but different commit roots. Anyone may report it; the node is
 * slashed exactly once (a second report, of the same or other evidence, fails `AlreadySlashed`).
 */
import { compareBytes, equals, utf8, sha256Concat } from '../../../chain/index.js';
import type { SignatureCheck } from '../../../chain/index.js';
import { type Ctx, fail } from './access.js';
import { MLDSA65_SIGNATURE_BYTES } from './attestation.js';
import { attestationId, nodeIdFromPublicKey } from './ids.js';
import { slashNode } from './registry.js';
import { type Id32, isAttestationDomain } from './types.js';

export interface EvidenceArgs {
  publicKey: Uint8Array;
  domain: string;
  subjectId: Id32;
  epoch: bigint;
  commitRootA: Id32;
  signatureA: Uint8Array;
  commitRootB: Id32;
  signatureB: Uint8Array;
}

const EVIDENCE_DOMAIN = utf8('LUX:Equivocation:v1');

/** SHA256("LUX:Equivocation:v1" ‖ node_id ‖ lower payload ‖ higher payload): the same for either order. */
export function equivocationEvidenceId(nodeId: Id32, payloadA: Id32, payloadB: Id32): Id32 {
  const [lo, hi] = compareBytes(payloadA, payloadB) <= 0 ? [payloadA, payloadB] : [payloadB, payloadA];
  return sha256Concat(EVIDENCE_DOMAIN, nodeId, lo, hi);
}

export function evidenceSignatureChecks(a: EvidenceArgs): SignatureCheck[] {
  if (!isAttestationDomain(a.domain)) return [];
  return [
    { kind: 'ml-dsa', publicKey: a.publicKey, message: attestationId(a.domain, a.subjectId, a.commitRootA, a.epoch), signature: a.signatureA },
    { kind: 'ml-dsa', publicKey: a.publicKey, message: attestationId(a.domain, a.subjectId, a.commitRootB, a.epoch), signature: a.signatureB },
  ];
}

export async function reportEquivocation(ctx: Ctx, a: EvidenceArgs): Promise<Id32> {
  if (!isAttestationDomain(a.domain)) fail('UnknownDomain', `unknown attestation domain ${JSON.stringify(a.domain)}`);
  if (equals(a.commitRootA, a.commitRootB)) fail('NotEquivocation', 'both attestations commit to the same root; that is not equivocation');
  const nodeId = nodeIdFromPublicKey(a.publicKey);
  const payloadA = attestationId(a.domain, a.subjectId, a.commitRootA, a.epoch);
  const payloadB = attestationId(a.domain, a.subjectId, a.commitRootB, a.epoch);
  for (const [payload, sig] of [[payloadA, a.signatureA], [payloadB, a.signatureB]] as const) {
    if (sig.length !== MLDSA65_SIGNATURE_BYTES || !ctx.verifyMlDsa(a.publicKey, payload, sig)) {
      fail('InvalidEvidence', 'both signatures must be the node key\'s valid ML-DSA-65 signatures over the two attestation IDs');
    }
  }
  const evidenceId = equivocationEvidenceId(nodeId, payloadA, payloadB);
  await slashNode(ctx, nodeId, evidenceId, ctx.caller);
  return evidenceId;
}

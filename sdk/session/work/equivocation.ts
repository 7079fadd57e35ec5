/**
 * The reference worker's equivocation watch (spec §1.5, S4 rule): every signature a node key puts
 * on chain — shares (`submitShare`, including shares the chain refused, which still sit in their
 * block), and the signatures inside `completeStep` / `finalizeSession` attestations — is filed under
 * (domain, subject, epoch, key). A second valid signature of the same key over a different commit
 * root is equivocation; the two signatures are the evidence `reportEquivocation` takes.
 */
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { toHex, type Json } from '../../../chain/index.js';
import { attestationId, isAttestationDomain, nodeIdFromPublicKey, sessionWorkModule, type AttestationDomain } from '../../../vm/session/index.js';

/** One node key's signature over (domain, subject, commit root, epoch). */
export interface SignedCommit {
  domain: AttestationDomain;
  subjectId: Uint8Array;
  epoch: bigint;
  commitRoot: Uint8Array;
  publicKey: Uint8Array;
  signature: Uint8Array;
}

/** The arguments of `reportEquivocation`. */
export interface EquivocationReport {
  publicKey: Uint8Array;
  domain: AttestationDomain;
  subjectId: Uint8Array;
  epoch: bigint;
  commitRootA: Uint8Array;
  signatureA: Uint8Array;
  commitRootB: Uint8Array;
  signatureB: Uint8Array;
}

interface AttestationArgs {
  domain: string;
  subjectId: Uint8Array;
  commitRoot: Uint8Array;
  epoch: bigint;
  signatures: { publicKey: Uint8Array; signature: Uint8Array }[];
}

/** The node-key signatures a sessionwork transaction carries (its JSON args as `chain.GetBlock` shows them). */
export function signedCommitsOf(method: string, argsJson: Json): SignedCommit[] {
  const def = sessionWorkModule.methods[method];
  if (!def || argsJson === null) return [];
  let args: Record<string, unknown>;
  try {
    args = def.args.fromJson(argsJson) as Record<string, unknown>;
  } catch {
    return [];
  }
  const of = (a: AttestationArgs): SignedCommit[] =>
    isAttestationDomain(a.domain) ? a.signatures.map((s) => ({ domain: a.domain as AttestationDomain, subjectId: a.subjectId, epoch: a.epoch, commitRoot: a.commitRoot, publicKey: s.publicKey, signature: s.signature })) : [];
  if (method === 'submitShare') {
    const a = args as unknown as AttestationArgs & { publicKey: Uint8Array; signature: Uint8Array };
    return of({ ...a, signatures: [{ publicKey: a.publicKey, signature: a.signature }] });
  }
  if (method === 'completeStep' || method === 'finalizeSession') return of(args.attestation as AttestationArgs);
  return [];
}

const verifies = (s: SignedCommit): boolean => {
  try {
    return ml_dsa65.verify(s.signature, attestationId(s.domain, s.subjectId, s.commitRoot, s.epoch), s.publicKey);
  } catch {
    return false;
  }
};

export class EquivocationWatch {
  /** (domain, subject, epoch, node) → the first valid signature seen; the oldest are forgotten past `maxEntries`. */
  readonly #first = new Map<string, SignedCommit>();
  readonly #reported = new Set<string>();

  constructor(readonly maxEntries = 100_000) {}

  /** Files a signature; returns the evidence when it is the node's second, conflicting, valid one (once per node and subject). */
  observe(s: SignedCommit): EquivocationReport | null {
    let nodeId: string;
    try {
      nodeId = toHex(nodeIdFromPublicKey(s.publicKey));
    } catch {
      return null; // not an ML-DSA-65 key
    }
    const key = `${s.domain}|${toHex(s.subjectId)}|${s.epoch}|${nodeId}`;
    const first = this.#first.get(key);
    if (!first) {
      if (!verifies(s)) return null;
      this.#first.set(key, s);
      if (this.#first.size > this.maxEntries) this.#first.delete(this.#first.keys().next().value!);
      return null;
    }
    if (toHex(first.commitRoot) === toHex(s.commitRoot) || this.#reported.has(key) || !verifies(s)) return null;
    this.#reported.add(key);
    if (this.#reported.size > this.maxEntries) this.#reported.delete(this.#reported.values().next().value!); // bounded like #first
    return { publicKey: s.publicKey, domain: s.domain, subjectId: s.subjectId, epoch: s.epoch, commitRootA: first.commitRoot, signatureA: first.signature, commitRootB: s.commitRoot, signatureB: s.signature };
  }
}

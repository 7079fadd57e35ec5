/**
 * Attested outputs (rules version 2). A step's output is not a value anyone may name: it is the
 * body hash that a quorum of the committee's records carry, fixed on chain when the records are
 * committed. The records root the committee signs covers every record's body hash, so the
 * attestation binds the output; `completeStep` accepts no other `outputHash`, whoever submits it.
 * The session output is the tree (a) root over its steps' outputs in step order (for one step, that
 * step's output): `requestFinalize` accepts no other, and the committee's session/complete
 * attestation signs exactly that value. Pure functions: the chain and the workers (who check before
 * co-signing) compute the same thing.
 */
import { toHex } from '../../../chain/index.js';
import { quorumSize } from './committee.js';
import { merkleRoot } from './merkle.js';
import type { Id32 } from './types.js';

export interface AgreedOutput {
  outputHash: Id32;
  /** How many records carry it (at least the committee's quorum). */
  votes: number;
}

/**
 * The body hash at least `quorumSize(committeeSize)` records carry, or null. The quorum is more
 * than half the committee, so at most one hash can reach it and the result does not depend on the
 * records' order.
 */
export function agreedOutput(bodyHashes: readonly Id32[], committeeSize: number): AgreedOutput | null {
  const need = quorumSize(committeeSize);
  const counts = new Map<string, AgreedOutput>();
  for (const h of bodyHashes) {
    const key = toHex(h);
    const c = counts.get(key) ?? { outputHash: h, votes: 0 };
    c.votes++;
    counts.set(key, c);
    if (c.votes >= need) return { outputHash: h, votes: bodyHashes.filter((x) => toHex(x) === key).length };
  }
  return null;
}

/** The session output: tree (a) root over the steps' attested outputs, in step order. */
export function sessionOutput(stepOutputs: readonly Id32[]): Id32 {
  return merkleRoot(stepOutputs);
}

/**
 * The zero-amount `charge` proof of a bootstrap HEAD (spec tip1034.md §6 "Bootstrap"): the client
 * proves who it is by signing the challenge id with its account key; the server then knows the
 * authenticated `source` and can hand back that payer's live channel.
 */
import { keccak256, recoverSigner, utf8, fromHex, toHex, type Address, type Signer } from '../../chain/index.js';

const PROOF_DOMAIN = 'sessionchain/payment-proof/v1:';

export const proofDigest = (challengeId: string): Uint8Array => keccak256(utf8(PROOF_DOMAIN + challengeId));

export function signProof(signer: Signer, challengeId: string): string {
  return toHex(signer.sign(proofDigest(challengeId)));
}

/** The address that signed the proof, or null. */
export function proofSigner(challengeId: string, signature: string): Address | null {
  try {
    return recoverSigner(fromHex(signature), proofDigest(challengeId))?.address ?? null;
  } catch {
    return null;
  }
}

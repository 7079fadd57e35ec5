/**
 * Memoized signature checks. Verification is a pure function of its inputs, so caching results is
 * deterministic: the mempool verifies ahead of time in worker threads and fills the cache, and
 * execution (which charges the same gas either way) finds the answer here instead of verifying
 * again on the main thread.
 */
import { bytesKey, concat } from '../bytes.js';
import { keccak256 } from '../hash.js';
import { nobleMlDsaVerify, recoverSigner, loadPqcleanVerify, mlDsaBackend, type RecoveredSigner } from '../keys/schemes.js';
import { Lru } from '../state/lru.js';
import type { SignatureCheck } from './contract.js';

const TAG_ENCODED = new Uint8Array([0x45]);
const TAG_MLDSA = new Uint8Array([0x4d]);

export function checkKey(c: SignatureCheck): string {
  const h =
    c.kind === 'encoded'
      ? keccak256(concat(TAG_ENCODED, c.digest, c.signature))
      : keccak256(concat(TAG_MLDSA, c.publicKey, keccak256(c.message), c.signature));
  return bytesKey(h);
}

export type CheckResult = RecoveredSigner | boolean | null;

export class SignatureCache {
  readonly #lru = new Lru<string, { result: CheckResult }>(50_000);
  hits = 0;
  misses = 0;

  put(c: SignatureCheck, result: CheckResult): void {
    this.#lru.set(checkKey(c), { result });
  }

  /** Runs the check, from the cache when it was done before. */
  check(c: SignatureCheck): CheckResult {
    const key = checkKey(c);
    const hit = this.#lru.get(key);
    if (hit !== undefined) {
      this.hits++;
      return hit.result;
    }
    this.misses++;
    const r = runCheck(c);
    this.#lru.set(key, { result: r });
    return r;
  }
}

/** Performs a check without any cache (also what the verifier workers run). */
export function runCheck(c: SignatureCheck): CheckResult {
  if (c.kind === 'encoded') return recoverSigner(c.signature, c.digest);
  if (c.publicKey.length !== 1952) return false;
  const native = mlDsaBackend() === 'pqclean' ? loadPqcleanVerify() : undefined;
  return (native ?? nobleMlDsaVerify)(c.publicKey, c.message, c.signature);
}

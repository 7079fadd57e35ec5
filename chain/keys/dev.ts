/**
 * The fixed, documented dev keys. Anyone can recompute them, so they must never hold real value:
 *
 *   dev account i seed = keccak256("sessionchain/dev-account/v1" ‖ u32be(i))
 *   producer seed      = keccak256("sessionchain/dev-producer/v1")
 *
 * The default genesis funds accounts 0..9 under both schemes (ML-DSA-65 is what the banner shows).
 */
import { concat, u32be, utf8 } from '../bytes.js';
import { keccak256 } from '../hash.js';
import { type SchemeName } from './schemes.js';
import { type Signer, signerFromSeed } from './signer.js';

export const DEV_ACCOUNT_COUNT = 10;

export function devSeed(index: number): Uint8Array {
  return keccak256(concat(utf8('sessionchain/dev-account/v1'), u32be(index)));
}

export function devProducerSeed(): Uint8Array {
  return keccak256(utf8('sessionchain/dev-producer/v1'));
}

const cache = new Map<string, Signer>();

/** Dev signer `index` (cached: ML-DSA key generation is not free). */
export function devSigner(index: number, scheme: SchemeName = 'ml-dsa-65'): Signer {
  const key = `${scheme}:${index}`;
  let s = cache.get(key);
  if (!s) {
    s = signerFromSeed(devSeed(index), scheme);
    cache.set(key, s);
  }
  return s;
}

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
import type { Address } from '../address.js';
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

/**
 * The addresses of dev accounts 0..9 under both schemes and of the dev producer, as derived from the
 * seeds above (test/chain/dev-addresses.test.ts re-derives them). Kept here because deriving 21
 * keys costs a devnet about 0.2 s at every start.
 */
const DEV_ADDRESSES: readonly (readonly [mlDsa: string, secp256k1: string])[] = [
  ['0x77d3291ab8db63a6d280a543a588a4d350eb0beb', '0xd17954107d3ee8bf8ac4b467bd26b72697074174'],
  ['0x4744e684fd42b9cc4bec05a052eb5b0125767a0f', '0x46bd29fd9db0c378189f539dd28d1e67f5501070'],
  ['0xe580f89b0d3b76afc43338c129474c282c30dcd8', '0x6c758b166ac91e40d2548f647c5f208f26e028b7'],
  ['0x0aa96a61b869a29a1939c5f217631dfe94e53afa', '0x0f70ba0f5643e93798cd4569f38d1b22cf53e821'],
  ['0xb6c6b203d3ee422a583ec7410992a5a13ee63cea', '0xaab68f72aa9fd708742cf53f470206c38b56872b'],
  ['0xfd9534b0454f36e5a93120268f886ca887743675', '0xa5f11127e9ee3f6590e425152368e8002aca4b96'],
  ['0x586ef06c7357314c015820fe72a850a2cee78506', '0x18caf23b56d354022022d809a5cf096fe57aa714'],
  ['0xb53b307fd499c47d6442328fb4fc19221ba83abe', '0x8594bd3d07b6ff0e987d7c01f994d31538c11861'],
  ['0x8efb31e7d47b3d5fd5618bac36e0e7ddb836af8b', '0x4b2f5220fa95e2ccd8876145a3e7b5fa6a1d8c46'],
  ['0xd03b416f14f783827a5c782c86da66783215bf10', '0xe2709421c303d6e10370f931cf9bd924280f5998'],
];
export const DEV_PRODUCER_ADDRESS = '0x4e5681fc25a0a605a0cc928190d485edc5eb91d7' as Address;

/** The address of dev account `index` (no key derivation for 0..9). */
export function devAddress(index: number, scheme: SchemeName = 'ml-dsa-65'): Address {
  const row = DEV_ADDRESSES[index];
  if (row) return (scheme === 'secp256k1' ? row[1] : row[0]) as Address;
  return devSigner(index, scheme).address;
}

/**
 * The dev producer's signer, with its ML-DSA-65 key derived on first use (the first block), not at
 * start-up: a devnet answers its first request without paying for the key generation.
 */
export function devProducerSigner(): Signer {
  let key: Signer | undefined;
  const real = () => (key ??= signerFromSeed(devProducerSeed(), 'ml-dsa-65'));
  return {
    scheme: 'ml-dsa-65',
    address: DEV_PRODUCER_ADDRESS,
    get publicKey() {
      return real().publicKey;
    },
    sign: (digest) => real().sign(digest),
  };
}

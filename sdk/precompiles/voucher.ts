/**
 * Vouchers off chain: signing (secp256k1 or ML-DSA-65 signers), signer recovery, and a verifier
 * with a result cache for servers that check many vouchers (the same voucher is often presented
 * more than once: retries, replays, the settle that follows).
 *
 * Accepted encodings are exactly the precompile's: 65-byte secp256k1 `r ‖ s ‖ v` (low-s, v ∈
 * {27,28,0,1}) and `0x07 ‖ ML-DSA-65 pk ‖ sig`. Anything else recovers to nobody.
 */
import { concat, keccak256, Lru, NamedError, recoverSigner, schemeOf, t, toHex, type Address, type SchemeName, type Signer } from '../../chain/index.js';
import { toBytes, toHex32, type Hex32, ESCROW_ADDRESS, toDescriptor, voucherSigner, type ChannelDescriptor, type DescriptorInput, channelIdHex, toChainId, voucherDigestBytes } from '../../precompiles/index.js';

export type Amount = bigint | number | string;
type ChainIdInput = bigint | number | string;

export const toUint96 = (v: Amount, path = 'cumulativeAmount'): bigint => t.uint96.fromJson(v, path);

/** Signs the voucher digest for `cumulativeAmount` on `channelId`; returns the encoded signature as hex. */
export function signVoucherBytes(signer: Signer, channelId: string | Uint8Array, cumulativeAmount: Amount, chainId: ChainIdInput, escrow: Address = ESCROW_ADDRESS): Uint8Array {
  return signer.sign(voucherDigestBytes(toHex32(channelId, 'channelId'), toUint96(cumulativeAmount), toChainId(chainId), escrow));
}

/** Who signed `digest`, or null when the signature is not an accepted, valid voucher signature. */
export function recoverVoucher(digest: string | Uint8Array, signature: string | Uint8Array): { address: Address; scheme: SchemeName } | null {
  const d = toBytes(digest, 'digest');
  const sig = toBytes(signature, 'signature');
  if (d.length !== 32 || schemeOf(sig) === null) return null;
  const r = recoverSigner(sig, d);
  return r ? { address: r.address, scheme: r.scheme } : null;
}

export interface VoucherInput {
  descriptor: DescriptorInput | ChannelDescriptor;
  cumulativeAmount: Amount;
  signature: string | Uint8Array;
  /** When given, it must equal the id computed from the descriptor. */
  channelId?: string | Uint8Array;
}

export type VoucherVerdict =
  | { ok: true; channelId: Hex32; signer: Address; scheme: SchemeName; cumulativeAmount: bigint }
  | { ok: false; error: 'InvalidSignature' | 'ChannelIdMismatch'; message: string };

export interface VoucherVerifierOptions {
  chainId: ChainIdInput;
  escrow?: Address;
  /** Most remembered results (default 10 000). */
  cacheSize?: number;
}

/**
 * Verifies vouchers against a descriptor the way the precompile will: the signer must be the
 * descriptor's `authorizedSigner`, or its payer when that is zero. Results are cached by
 * (digest, signature), so a repeated voucher costs a hash instead of a signature check.
 */
export class VoucherVerifier {
  readonly chainId: bigint;
  readonly escrow: Address;
  readonly #cacheSize: number;
  readonly #cache: Lru<string, { signer: { address: Address; scheme: SchemeName } | null }> | undefined;
  hits = 0;
  misses = 0;

  constructor(opts: VoucherVerifierOptions) {
    this.chainId = toChainId(opts.chainId);
    this.escrow = opts.escrow ?? ESCROW_ADDRESS;
    this.#cacheSize = opts.cacheSize ?? 10_000;
    if (!Number.isSafeInteger(this.#cacheSize) || this.#cacheSize < 0) throw new RangeError('cacheSize must be a non-negative integer');
    this.#cache = this.#cacheSize > 0 ? new Lru(this.#cacheSize) : undefined;
  }

  verify(v: VoucherInput): VoucherVerdict {
    const d = toDescriptor(v.descriptor);
    const amount = toUint96(v.cumulativeAmount);
    const sig = toBytes(v.signature, 'signature');
    const channelId = channelIdHex(d, this.chainId, this.escrow);
    if (v.channelId !== undefined && toHex32(v.channelId, 'channelId') !== channelId) {
      return { ok: false, error: 'ChannelIdMismatch', message: `the descriptor hashes to ${channelId}, not ${toHex32(v.channelId)}` };
    }
    const expected = voucherSigner(d);
    const who = this.#recover(voucherDigestBytes(channelId, amount, this.chainId, this.escrow), sig);
    if (!who || who.address !== expected) {
      return { ok: false, error: 'InvalidSignature', message: who ? `voucher signed by ${who.address}, the channel's signer is ${expected}` : 'not a valid secp256k1 or ML-DSA-65 voucher signature' };
    }
    return { ok: true, channelId, signer: who.address, scheme: who.scheme, cumulativeAmount: amount };
  }

  /** Like `verify`, but throws a NamedError (`InvalidSignature` / `ChannelIdMismatch`). */
  assertValid(v: VoucherInput): Extract<VoucherVerdict, { ok: true }> {
    const r = this.verify(v);
    if (!r.ok) throw new NamedError(r.error, r.message);
    return r;
  }

  #recover(digest: Uint8Array, sig: Uint8Array): { address: Address; scheme: SchemeName } | null {
    if (schemeOf(sig) === null) return null;
    const cache = this.#cache;
    const key = cache && toHex(keccak256(concat(digest, sig)));
    const hit = key ? cache.get(key) : undefined;
    if (hit) {
      this.hits++;
      return hit.signer;
    }
    this.misses++;
    const signer = recoverVoucher(digest, sig);
    if (key) cache.set(key, { signer });
    return signer;
  }
}


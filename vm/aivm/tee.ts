/**
 * The TEE chain of trust (rules 2): a vendor root key listed in the genesis (`teeVendorKeys`)
 * certifies an attesting key for one measurement and kind until an expiry; only a certified key's
 * attestations count (`registerAttestation` refuses the rest), and an attestation never outlives its
 * certificate. `requireTee` — set per model by its owner, and implied by a task in mode 2 — limits a
 * task to providers with a live, allow-listed attestation, and refuses results from anyone else.
 *
 * What this proves is exactly what the vendor key vouches for. On a devnet the vendor key is
 * `DEV_TEE_VENDOR` below, whose secret is derived from a public string: anyone can certify anything,
 * so there it exercises the protocol and proves nothing about hardware.
 */
import { concat, equals, isZero, keccak256, t, toHex, u32be, u64be, utf8, type Address } from '../../chain/index.js';
import { blsPublicKey, blsSign, blsVerify } from './bls.js';
import { KERNEL_GAS, Mode } from './constants.js';
import type { Env } from './env.js';
import { AIVM_RULES, type AivmParams } from './params.js';
import { AivmReader, K } from './state.js';
import { aivmErrors } from './errors.js';

const CERT_DOMAIN = utf8('aivm/tee-certificate/v1');

export interface TeeCertificateFields {
  /** The TEE's 48-byte BLS12-381 attesting key. */
  attestingKey: Uint8Array;
  measurement: Uint8Array;
  /** 0 SGX, 1 SEV, 2 TDX, 3 NvTrust. */
  kind: number;
  /** Unix nanoseconds after which the certificate is void. */
  notAfterNs: bigint;
}

/** What a vendor root key signs: K("aivm/tee-certificate/v1" ‖ key48 ‖ measurement32 ‖ u32 kind ‖ u64 notAfterNs). */
export function teeCertificateMessage(f: TeeCertificateFields): Uint8Array {
  return keccak256(concat(CERT_DOMAIN, f.attestingKey, f.measurement, u32be(f.kind), u64be(f.notAfterNs)));
}

/** A vendor's certificate over an attesting key (tools and tests; vendors run their own). */
export function issueTeeCertificate(vendorSecretKey: Uint8Array, f: TeeCertificateFields): { vendorKey: Uint8Array; signature: Uint8Array } {
  return { vendorKey: blsPublicKey(vendorSecretKey), signature: blsSign(vendorSecretKey, teeCertificateMessage(f)) };
}

const devSecret = (() => {
  const sk = keccak256(utf8('sessionchain/devnet-tee-vendor/v1'));
  sk[0]! &= 0x3f; // below the BLS12-381 group order
  return sk;
})();

/**
 * The devnet TEE vendor: secret key = keccak256("sessionchain/devnet-tee-vendor/v1") with the top two
 * bits cleared. Its secret is public on purpose; never list it in a genesis that must mean anything.
 */
export const DEV_TEE_VENDOR = {
  name: 'devnet vendor (INSECURE: its secret key is public)',
  secretKey: devSecret,
  publicKey: blsPublicKey(devSecret),
} as const;

export const teeCertT = t.struct({
  attestingKey: t.bytesN(48),
  measurement: t.bytes32,
  kind: t.uint32,
  notAfterNs: t.uint64,
  vendorKey: t.bytesN(48),
  height: t.uint64,
});
export type TeeCertificate = Parameters<typeof teeCertT.encode>[0];

/** Refuses a rules-2 operation on a chain that runs the original rules. */
function requireTrustRules(p: AivmParams, what: string): void {
  if (p.version < AIVM_RULES.trust) throw aivmErrors.error('RulesTooOld', `${what} needs aivm rules 2; this chain's genesis runs rules ${p.version} (a new chain gets rules 2 from modules.aivm.version)`);
}

export interface CertifyArgs extends TeeCertificateFields {
  vendorKey: Uint8Array;
  signature: Uint8Array;
}

/** Anyone may submit a vendor's certificate for an attesting key; a newer one replaces it. */
export async function certifyAttestingKey(e: Env, a: CertifyArgs): Promise<void> {
  requireTrustRules(e.p, 'certifyAttestingKey');
  const vendor = e.p.teeVendorKeys.find((v) => equals(v.publicKey, a.vendorKey));
  if (!vendor) throw aivmErrors.error('UnknownTeeVendor', `vendor key ${toHex(a.vendorKey)} is not one of the ${e.p.teeVendorKeys.length} root keys this chain's genesis lists (teeVendorKeys)`);
  if (!Number.isInteger(a.kind) || a.kind < 0 || a.kind > 3) throw aivmErrors.error('UnknownAttestationKind', `kind must be 0 (SGX), 1 (SEV), 2 (TDX) or 3 (NvTrust), got ${a.kind}`);
  if (isZero(a.measurement)) throw aivmErrors.error('EmptyMeasurement', 'measurement must not be zero');
  if (a.notAfterNs <= e.timestampNs) throw aivmErrors.error('CertificateExpired', `the certificate expired at ${a.notAfterNs} ns; the block time is ${e.timestampNs} ns`);
  e.ctx.gas.charge(KERNEL_GAS.blsVerify, 'BLS12-381 verification');
  if (!blsVerify(a.vendorKey, teeCertificateMessage(a), a.signature)) {
    throw aivmErrors.error('InvalidCertificateSignature', `the certificate is not ${vendor.name}'s BLS12-381 signature over teeCertificateMessage(attestingKey, measurement, kind, notAfterNs)`);
  }
  const keyHash = keccak256(a.attestingKey);
  e.w.state.setValue(teeCertT, K.teeCert(keyHash), { attestingKey: a.attestingKey, measurement: a.measurement, kind: a.kind, notAfterNs: a.notAfterNs, vendorKey: a.vendorKey, height: e.height });
  e.ctx.emit('AttestingKeyCertified', { keyHash, measurement: a.measurement, kind: a.kind, notAfterNs: a.notAfterNs, vendor: vendor.name });
}

export async function certificateOf(r: AivmReader, attestingKey: Uint8Array): Promise<TeeCertificate | undefined> {
  return r.state.getValue(teeCertT, K.teeCert(keccak256(attestingKey)));
}

/**
 * Rules 2: the attestation's key must hold a live certificate for its measurement and kind. Returns
 * the expiry the attestation gets: its own, cut to the certificate's.
 */
export async function checkCertified(e: Env, a: { attestingKey: Uint8Array; measurement: Uint8Array; kind: number; expiryNs: bigint }): Promise<bigint> {
  const cert = await certificateOf(e.w, a.attestingKey);
  if (!cert) throw aivmErrors.error('UncertifiedAttestingKey', 'the attesting key has no vendor certificate: submit one with certifyAttestingKey (a key the provider made itself proves nothing)');
  if (cert.notAfterNs <= e.timestampNs) throw aivmErrors.error('CertificateExpired', `the attesting key's certificate expired at ${cert.notAfterNs} ns`);
  if (!equals(cert.measurement, a.measurement)) throw aivmErrors.error('MeasurementNotCertified', `the key is certified for measurement ${toHex(cert.measurement)}, not ${toHex(a.measurement)}`);
  if (cert.kind !== a.kind) throw aivmErrors.error('KindNotCertified', `the key is certified for TEE kind ${cert.kind}, not ${a.kind}`);
  return a.expiryNs === 0n || a.expiryNs > cert.notAfterNs ? cert.notAfterNs : a.expiryNs;
}

/** The owner of model `modelRoot` turns `requireTee` on or off for its tasks. */
export async function setRequireTee(e: Env, caller: Address, a: { modelRoot: Uint8Array; requireTee: boolean }): Promise<void> {
  requireTrustRules(e.p, 'setRequireTee');
  const model = await e.w.model(a.modelRoot);
  if (!model) throw aivmErrors.error('ModelUnknown', 'no model with this root is registered');
  if (model.owner !== caller) throw aivmErrors.error('NotModelOwner', `only the owner ${model.owner} can change this model's TEE policy`);
  if (a.requireTee) e.w.state.setValue(t.bool, K.modelRequireTee(a.modelRoot), true);
  else e.w.state.delete(K.modelRequireTee(a.modelRoot));
  e.ctx.emit('TeePolicyChanged', { modelRoot: a.modelRoot, requireTee: a.requireTee });
}

/** Rules 2: whether a new task on `spec` in `mode` may only go to TEE providers. */
export async function teeRequiredFor(r: AivmReader, p: AivmParams, spec: Uint8Array, mode: number): Promise<boolean> {
  if (p.version < AIVM_RULES.trust) return false;
  return mode === Mode.TEEAttested || (await r.state.has(K.modelRequireTee(spec)));
}

/** Rules 2: whether task `id` was created requiring TEE providers. */
export function taskRequiresTee(r: AivmReader, id: Uint8Array): Promise<boolean> {
  return r.state.has(K.taskTee(id));
}

/**
 * TEE attestations (spec §2.9 TEE-accelerated, K1/K6). A provider registers an attestation signed
 * with BLS12-381 (min-pk: 48-byte attesting key in G1, 96-byte signature in G2) over
 * `attestationMessage(...)`. The envelope is checked with proof_verify, the signature for real
 * with @noble/curves, and the op is queued for attestation_apply in this block's round. Under rules
 * 2 the attesting key must also hold a vendor certificate (`tee.ts`) for the attestation's
 * measurement and kind, and the attestation expires with it. A model's owner allow-lists
 * measurements for its spec with a trust score; a TEE task's poster whose applied attestation is
 * verified, unexpired and allow-listed gets a shorter challenge window. The bond is never waived.
 */
import { addressBytes, concat, isZero, keccak256, t, u32be, u64be, utf8, type Address } from '../../chain/index.js';
import { blsPublicKey, blsSign, blsVerify } from './bls.js';
import { KERNEL_GAS } from './constants.js';
import type { Env } from './env.js';
import { AIVM_RULES } from './params.js';
import { checkCertified } from './tee.js';
import { ATT_EXPIRED, ATT_VERIFIED, checkProof, decodeAttestation, decodeEpochState, encodeAttestationOp, PROOF_OK } from './kernels.js';
import { AivmReader, attestationT, K } from './state.js';
import { aivmErrors } from './errors.js';

const DOMAIN = 'aivm/attestation/v1';

export interface AttestationFields {
  chainId: bigint;
  provider: Address;
  digest: Uint8Array;
  measurement: Uint8Array;
  expiryNs: bigint;
  kind: number;
}

/** The 32-byte message a TEE's attesting key signs. */
export function attestationMessage(f: AttestationFields): Uint8Array {
  return keccak256(concat(utf8(DOMAIN), u64be(f.chainId), addressBytes(f.provider), f.digest, f.measurement, u64be(f.expiryNs), u32be(f.kind)));
}

/** Signs an attestation message with a BLS12-381 secret key (tools and tests). */
export function signAttestation(secretKey: Uint8Array, message: Uint8Array): { attestingKey: Uint8Array; signature: Uint8Array } {
  return { attestingKey: blsPublicKey(secretKey), signature: blsSign(secretKey, message) };
}

export interface RegisterAttestationArgs {
  digest: Uint8Array;
  measurement: Uint8Array;
  attestingKey: Uint8Array;
  signature: Uint8Array;
  expiryNs: bigint;
  kind: number;
}

const PROOF_FAILURES: [number, string][] = [
  [0x04, 'the measurement is zero'],
  [0x10, 'the attesting key is zero'],
  [0x08, 'the attestation has expired'],
  [0x02, 'the signature is zero'],
];

export async function registerAttestation(e: Env, provider: Address, a: RegisterAttestationArgs): Promise<Uint8Array> {
  if (isZero(a.digest)) throw aivmErrors.error('EmptyQuoteDigest', 'digest (the TEE quote digest) must not be zero');
  if (!Number.isInteger(a.kind) || a.kind < 0 || a.kind > 3) throw aivmErrors.error('UnknownAttestationKind', `kind must be 0 (SGX), 1 (SEV), 2 (TDX) or 3 (NvTrust), got ${a.kind}`);
  if (!(await e.w.operator(provider))) throw aivmErrors.error('OperatorUnknown', `${provider} must register as a provider before attesting`);
  const existing = await e.w.attestation(a.digest);
  if (existing && existing.provider !== provider) throw aivmErrors.error('AttestationDigestTaken', 'another provider registered this quote digest');
  const count = await e.w.count(K.attestationCount);
  if (!existing && count >= e.p.attestationSlots) throw aivmErrors.error('AttestationTableFull', `all ${e.p.attestationSlots} attestation slots are in use`);
  // Rules 2: only a vendor-certified key counts, and never past its certificate.
  const expiryNs = e.p.version >= AIVM_RULES.trust ? await checkCertified(e, a) : a.expiryNs;

  const message = attestationMessage({ chainId: e.ctx.block.chainId, provider, digest: a.digest, measurement: a.measurement, expiryNs: a.expiryNs, kind: a.kind });
  e.ctx.gas.charge(KERNEL_GAS.proofVerifyOp, 'proof_verify');
  const proof = checkProof({ measurement: a.measurement, attestingKey: a.attestingKey, signature: a.signature, messageHash: message, expiryNs: a.expiryNs, timestampNs: e.timestampNs, kind: a.kind, nonce: 0 });
  if ((proof.status & PROOF_OK) === 0) {
    const why = PROOF_FAILURES.filter(([bit]) => proof.status & bit).map(([, msg]) => msg);
    throw aivmErrors.error('AttestationRejected', `proof_verify rejected the attestation: ${why.join('; ')}`, { status: proof.status });
  }
  e.ctx.gas.charge(KERNEL_GAS.blsVerify, 'BLS12-381 verification');
  if (!blsVerify(a.attestingKey, message, a.signature)) throw aivmErrors.error('InvalidAttestationSignature', 'the BLS12-381 signature does not verify under the attesting key');

  e.ctx.gas.charge(KERNEL_GAS.attestationOp, 'attestation_apply');
  const epochRaw = await e.w.state.get(K.epochState);
  const epoch = epochRaw ? Number(decodeEpochState(epochRaw).currentEpoch & 0xffffffffn) : 0;
  const op = encodeAttestationOp({ teeQuoteDigest: a.digest, measurement: a.measurement, attestingKey: a.attestingKey, expiryNs, kind: a.kind, epoch });
  await e.w.append(K.blockAttCount, K.blockAtt, t.bytes(op.length), op);
  e.w.state.setValue(attestationT, K.attestation(a.digest), { provider, measurement: a.measurement, attestingKey: a.attestingKey, expiryNs, kind: a.kind, registeredHeight: e.height });
  e.w.state.setValue(t.bytes32, K.attestationOf(provider), a.digest);
  if (!existing) e.w.setCount(K.attestationCount, count + 1);
  e.ctx.emit('AttestationRegistered', { provider, digest: a.digest, measurement: a.measurement, bindingHash: proof.bindingHash, expiryNs });
  return proof.bindingHash;
}

/**
 * The trust score a provider's TEE earns for `spec`, or undefined: it needs an attestation that
 * attestation_apply accepted (a slot with the verified bit and no expired bit), not expired at
 * `nowNs`, whose measurement the spec allow-lists.
 */
export async function teeTrust(r: AivmReader, provider: Address, spec: Uint8Array, nowNs: bigint): Promise<number | undefined> {
  const digest = await r.state.getValue(t.bytes32, K.attestationOf(provider));
  if (!digest) return undefined;
  const slot = await r.state.getValue(t.uint32, K.attestationSlot(digest));
  if (slot === undefined) return undefined; // not applied by a round yet
  const raw = await r.state.get(K.attSlot(slot));
  if (!raw) return undefined;
  const entry = decodeAttestation(raw);
  if ((entry.status & ATT_VERIFIED) === 0 || (entry.status & ATT_EXPIRED) !== 0) return undefined;
  if (entry.expiryNs !== 0n && entry.expiryNs <= nowNs) return undefined;
  return r.state.getValue(t.uint8, K.teeAllow(spec, entry.measurement));
}

/** Whether `provider` has a live TEE attestation allow-listed for `spec` with enough trust. */
async function isTeeProvider(r: AivmReader, minTrust: number, provider: Address, spec: Uint8Array, nowNs: bigint): Promise<boolean> {
  const trust = await teeTrust(r, provider, spec, nowNs);
  return trust !== undefined && trust >= minTrust;
}

/** Selection filter of TEE tasks: only TEE providers for `spec` at this block's time. */
export function teeProviderFilter(e: Env, spec: Uint8Array): (op: Address) => Promise<boolean> {
  return (op) => isTeeProvider(e.w, e.p.minTrustScore, op, spec, e.timestampNs);
}

/** Rules 2: a result for a requireTee task comes only from a provider that is a TEE provider now. */
export async function requireTeeProvider(e: Env, provider: Address, spec: Uint8Array): Promise<void> {
  if (!(await isTeeProvider(e.w, e.p.minTrustScore, provider, spec, e.timestampNs))) {
    throw aivmErrors.error('TeeRequired', `this task requires a TEE: ${provider} has no live, certified attestation allow-listed for the model with trust ≥ ${e.p.minTrustScore}`);
  }
}

export interface AllowArgs {
  spec: Uint8Array;
  measurement: Uint8Array;
  trust: number;
}

/** The owner of model `spec` allow-lists (or, with trust 0, effectively revokes) a measurement. */
export async function allowMeasurement(e: Env, caller: Address, a: AllowArgs): Promise<void> {
  const model = await e.w.model(a.spec);
  if (!model) throw aivmErrors.error('ModelUnknown', 'allow-lists belong to registered models: register the model first');
  if (model.owner !== caller) throw aivmErrors.error('NotModelOwner', `only the model owner ${model.owner} can change its TEE allow-list`);
  if (isZero(a.measurement)) throw aivmErrors.error('EmptyMeasurement', 'measurement must not be zero');
  if (!Number.isInteger(a.trust) || a.trust < 0 || a.trust > 100) throw aivmErrors.error('InvalidTrust', 'trust must be 0..100');
  e.w.state.setValue(t.uint8, K.teeAllow(a.spec, a.measurement), a.trust);
  e.ctx.emit('MeasurementAllowed', { spec: a.spec, measurement: a.measurement, trust: a.trust });
}


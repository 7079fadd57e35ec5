/**
 * The model registry (K2 provenance_apply). Transactions check ownership against the module's
 * registry record and queue a ModelOp for this block's round; the kernel applies the queue in
 * block order, so the arena (and the model registry root) follows the same history. A model may
 * carry the 630-byte tiny-classifier file: its weight hash must be keccak(file), and such a model's
 * optimistic results are re-executed on chain when challenged.
 */
import { addressBytes, equals, isZero, keccak256, t, ZERO_ADDRESS, type Address } from '../../chain/index.js';
import { KERNEL_GAS, ModelOpKind } from './constants.js';
import type { Env } from './env.js';
import { decodeEpochState, encodeModelOp, loadModelFile, MODEL_FILE_SIZE } from './kernels.js';
import { K, modelT, type ModelRecord } from './state.js';
import { aivmErrors } from './errors.js';

const U64_MAX = (1n << 64n) - 1n;

/** Validates a model file and returns its model hash; throws InvalidModelFile / InvalidShift / WeightHashMismatch. */
function checkFile(file: Uint8Array, weightHash: Uint8Array): void {
  try {
    loadModelFile(file);
  } catch (err) {
    const name = (err as Error).name === 'InvalidShift' ? 'InvalidShift' : 'InvalidModelFile';
    throw aivmErrors.error(name, `${(err as Error).message} (a model file is the ${MODEL_FILE_SIZE}-byte tiny-classifier format)`);
  }
  if (!equals(keccak256(file), weightHash)) throw aivmErrors.error('WeightHashMismatch', 'weightHash must be keccak256 of the model file');
}

async function queue(e: Env, m: { modelRoot: Uint8Array; weightHash: Uint8Array; licenseRoot: Uint8Array; owner: Address; parameterCount: bigint; modality: number; kind: number }): Promise<void> {
  e.ctx.gas.charge(KERNEL_GAS.modelOp, 'provenance_apply');
  const epochRaw = await e.w.state.get(K.epochState);
  const epoch = epochRaw ? Number(decodeEpochState(epochRaw).currentEpoch & 0xffffffffn) : 0;
  const op = encodeModelOp({ modelRoot: m.modelRoot, weightHash: m.weightHash, licenseRoot: m.licenseRoot, ownerAddr: addressBytes(m.owner), parameterCount: m.parameterCount, modality: m.modality, kind: m.kind, epoch });
  await e.w.append(K.blockModelCount, K.blockModel, t.bytes(op.length), op);
}

export interface RegisterModelArgs {
  modelRoot: Uint8Array;
  weightHash: Uint8Array;
  licenseRoot: Uint8Array;
  parameterCount: bigint;
  modality: number;
  /** Empty, or the 630-byte tiny-classifier file. */
  file: Uint8Array;
}

export async function registerModel(e: Env, owner: Address, a: RegisterModelArgs): Promise<void> {
  if (isZero(a.modelRoot)) throw aivmErrors.error('EmptyModelRoot', 'modelRoot must not be zero');
  if (isZero(a.weightHash)) throw aivmErrors.error('EmptyWeightHash', 'weightHash must not be zero');
  if (!Number.isInteger(a.modality) || a.modality < 0 || a.modality > 3) throw aivmErrors.error('UnknownModality', 'modality must be 0 (text), 1 (vision), 2 (audio) or 3 (multi)');
  if (a.file.length > 0) checkFile(a.file, a.weightHash);
  const existing = await e.w.model(a.modelRoot);
  if (existing && existing.owner !== owner) throw aivmErrors.error('NotModelOwner', `model is owned by ${existing.owner}`);
  const count = await e.w.count(K.modelCount);
  if (!existing && count >= e.p.modelSlots) throw aivmErrors.error('ModelTableFull', `all ${e.p.modelSlots} model slots are in use`);
  const rec: ModelRecord = {
    weightHash: a.weightHash,
    licenseRoot: a.licenseRoot,
    owner,
    version: 1n,
    parameterCount: a.parameterCount,
    modality: a.modality,
    executable: a.file.length > 0,
    registeredHeight: e.height,
  };
  e.w.state.setValue(modelT, K.model(a.modelRoot), rec);
  if (a.file.length > 0) e.w.state.set(K.modelFile(a.modelRoot), a.file);
  else e.w.state.delete(K.modelFile(a.modelRoot));
  if (!existing) await e.w.append(K.modelCount, K.modelAt, t.bytes32, a.modelRoot);
  await queue(e, { ...a, owner, kind: ModelOpKind.Register });
  e.ctx.emit('ModelRegistered', { modelRoot: a.modelRoot, owner, weightHash: a.weightHash, executable: rec.executable });
}

async function owned(e: Env, caller: Address, root: Uint8Array): Promise<ModelRecord> {
  const m = await e.w.model(root);
  if (!m) throw aivmErrors.error('ModelUnknown', 'no model with this root is registered');
  if (m.owner !== caller) throw aivmErrors.error('NotModelOwner', `only the owner ${m.owner} can change this model`);
  return m;
}

function save(e: Env, root: Uint8Array, m: ModelRecord): void {
  e.w.state.setValue(modelT, K.model(root), m);
}

export async function updateModelWeights(e: Env, caller: Address, a: { modelRoot: Uint8Array; weightHash: Uint8Array; parameterCount: bigint; file: Uint8Array }): Promise<void> {
  const m = await owned(e, caller, a.modelRoot);
  if (isZero(a.weightHash)) throw aivmErrors.error('EmptyWeightHash', 'weightHash must not be zero');
  if (a.file.length > 0) checkFile(a.file, a.weightHash);
  m.weightHash = a.weightHash;
  m.version = m.version === U64_MAX ? U64_MAX : m.version + 1n;
  if (a.parameterCount !== 0n) m.parameterCount = a.parameterCount;
  // New weights without a file can no longer be re-executed with the old one.
  m.executable = a.file.length > 0;
  if (m.executable) e.w.state.set(K.modelFile(a.modelRoot), a.file);
  else e.w.state.delete(K.modelFile(a.modelRoot));
  save(e, a.modelRoot, m);
  await queue(e, { modelRoot: a.modelRoot, weightHash: a.weightHash, licenseRoot: m.licenseRoot, owner: m.owner, parameterCount: a.parameterCount, modality: m.modality, kind: ModelOpKind.UpdateWeights });
  e.ctx.emit('ModelWeightsUpdated', { modelRoot: a.modelRoot, weightHash: a.weightHash, version: m.version });
}

export async function updateModelLicense(e: Env, caller: Address, a: { modelRoot: Uint8Array; licenseRoot: Uint8Array }): Promise<void> {
  const m = await owned(e, caller, a.modelRoot);
  m.licenseRoot = a.licenseRoot;
  save(e, a.modelRoot, m);
  // provenance_apply skips ops with a zero weight hash, whatever their kind: carry the current one.
  await queue(e, { modelRoot: a.modelRoot, weightHash: m.weightHash, licenseRoot: a.licenseRoot, owner: m.owner, parameterCount: 0n, modality: m.modality, kind: ModelOpKind.UpdateLicense });
  e.ctx.emit('ModelLicenseUpdated', { modelRoot: a.modelRoot, licenseRoot: a.licenseRoot });
}

export async function transferModel(e: Env, caller: Address, a: { modelRoot: Uint8Array; newOwner: Address }): Promise<void> {
  const m = await owned(e, caller, a.modelRoot);
  if (a.newOwner === ZERO_ADDRESS) throw aivmErrors.error('InvalidOwner', 'the new owner must not be the zero address');
  m.owner = a.newOwner;
  save(e, a.modelRoot, m);
  await queue(e, { modelRoot: a.modelRoot, weightHash: m.weightHash, licenseRoot: m.licenseRoot, owner: a.newOwner, parameterCount: 0n, modality: m.modality, kind: ModelOpKind.Transfer });
  e.ctx.emit('ModelTransferred', { modelRoot: a.modelRoot, from: caller, to: a.newOwner });
}

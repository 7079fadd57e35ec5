/**
 * Backend dispatch. A backend implements the six kernels (and the batch forward pass) over the
 * spec's byte layouts; the public functions (gpu/api.ts) check arguments once, then call the active
 * backend. The TypeScript reference is always installed and is canonical: any other backend must
 * produce byte-identical tables, results and outputs. The native loader (gpu/native/install.ts)
 * registers the C++ CPU, CUDA and Metal backends that loaded, and records why the others did not;
 * selecting a missing one fails with BackendUnavailable and that reason. A backend with a
 * `selfTest` runs it once before it first becomes active, and is refused if it fails.
 */
import { GpuError } from './errors.js';
import { anchorApplyTs } from './kernels/anchor.js';
import { attestationApplyTs } from './kernels/attestation.js';
import { epochTransitionTs } from './kernels/epoch.js';
import { inferenceBatchTs, inferenceStepTs } from './kernels/inference.js';
import { proofVerifyTs } from './kernels/proof.js';
import { provenanceApplyTs } from './kernels/provenance.js';

export const BACKEND_NAMES = ['ts', 'native', 'cuda', 'metal'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = BackendName | 'auto';

/** The six kernels. Arguments arrive already checked (sizes, power-of-two arenas, shifts). */
export interface KernelBackend {
  readonly name: BackendName;
  attestationApply(desc: Uint8Array, ops: Uint8Array, table: Uint8Array): number;
  provenanceApply(desc: Uint8Array, ops: Uint8Array, models: Uint8Array): number;
  anchorApply(desc: Uint8Array, ops: Uint8Array, anchors: Uint8Array): number;
  epochTransition(desc: Uint8Array, atts: Uint8Array, models: Uint8Array, anchors: Uint8Array, epochState: Uint8Array, result: Uint8Array): void;
  inferenceStep(weights: Uint8Array, ops: Uint8Array, batchIn: Uint8Array, batchOut: Uint8Array, results: Uint8Array): void;
  /** K5's forward pass alone over every 32-byte row: batchOut[r] = y(batchIn row r). */
  inferenceBatch(weights: Uint8Array, batchIn: Uint8Array, batchOut: Uint8Array): void;
  proofVerify(ops: Uint8Array, results: Uint8Array): void;
  /** What runs the kernels (device, library path, fallbacks so far), for backendStatus(). */
  describe?(): string;
  /** Checked once before the backend first becomes active: a failure message refuses it. */
  selfTest?(): string | undefined;
}

/** One line per backend name: whether it can be selected, and what it is or why it is missing. */
export interface BackendStatus {
  name: BackendName;
  available: boolean;
  active: boolean;
  detail: string;
}

/** The canonical TypeScript reference. */
export const tsBackend: KernelBackend = Object.freeze({
  name: 'ts',
  attestationApply: attestationApplyTs,
  provenanceApply: provenanceApplyTs,
  anchorApply: anchorApplyTs,
  epochTransition: epochTransitionTs,
  inferenceStep: inferenceStepTs,
  inferenceBatch: inferenceBatchTs,
  proofVerify: proofVerifyTs,
  describe: () => 'TypeScript reference kernels (canonical)',
});

/** 'auto' takes the first usable backend in this order. */
const AUTO_ORDER: readonly BackendName[] = ['cuda', 'metal', 'native', 'ts'];

const installed = new Map<BackendName, KernelBackend>([['ts', tsBackend]]);
let active: KernelBackend = tsBackend;

const whyMissing: Record<Exclude<BackendName, 'ts'>, string> = {
  native: 'the native C++ kernel addon is not loaded',
  cuda: 'no CUDA kernel plugin is loaded (it needs the native addon, the CUDA plugin built by nvcc, and an NVIDIA GPU)',
  metal: 'no Metal kernel plugin is loaded (it needs the native addon built on macOS)',
};
/** Self-test verdicts, once per backend object: undefined = passed. */
const selfTested = new Map<KernelBackend, string | undefined>();

function checkName(name: unknown, what: string): asserts name is BackendName {
  if (!(BACKEND_NAMES as readonly unknown[]).includes(name)) {
    throw new GpuError('UnknownBackend', `${what} ${JSON.stringify(name)} is not a backend; use one of ${BACKEND_NAMES.join(', ')}${what === 'setBackend' ? ', auto' : ''}`, {
      backend: String(name),
    });
  }
}

/** The name of the backend the kernel functions run on now. */
export function backend(): BackendName {
  return active.name;
}

/** Backends that are installed and can be selected (not known to fail their self-test). */
export function availableBackends(): BackendName[] {
  return BACKEND_NAMES.filter((n) => installed.has(n) && selfTested.get(installed.get(n)!) === undefined);
}

/** Runs a backend's self-test once; returns why it failed (undefined when it passed or has none). */
function selfTestFailure(b: KernelBackend): string | undefined {
  if (!b.selfTest) return undefined;
  if (!selfTested.has(b)) selfTested.set(b, b.selfTest());
  return selfTested.get(b);
}

function unavailable(name: BackendName, why: string): GpuError {
  return new GpuError('BackendUnavailable', `backend '${name}' is not available: ${why}. Use setBackend('ts') or setBackend('auto') (available: ${availableBackends().join(', ')})`, {
    backend: name,
  });
}

/**
 * Selects the backend (or, with 'auto', the first of cuda, metal, native that is installed and
 * passes its self-test, else ts) and returns the name now active.
 */
export function setBackend(choice: BackendChoice): BackendName {
  if (choice === 'auto') {
    active = AUTO_ORDER.map((n) => installed.get(n)).find((b) => b !== undefined && selfTestFailure(b) === undefined) ?? tsBackend;
    return active.name;
  }
  checkName(choice, 'setBackend');
  const b = installed.get(choice);
  if (!b) throw unavailable(choice, whyMissing[choice as Exclude<BackendName, 'ts'>]);
  const failed = selfTestFailure(b);
  if (failed !== undefined) throw unavailable(choice, `it failed its self-test (${failed})`);
  active = b;
  return active.name;
}

/** Records why a backend is not installed (the native loader's reason: build failure, no device, ...). */
export function noteUnavailable(name: Exclude<BackendName, 'ts'>, why: string): void {
  checkName(name, 'noteUnavailable');
  whyMissing[name] = why;
}

/** Every backend name with whether it can be selected, whether it is active, and what it is or why it is missing. */
export function backendStatus(): BackendStatus[] {
  return BACKEND_NAMES.map((name) => {
    const b = installed.get(name);
    if (!b) return { name, available: false, active: false, detail: whyMissing[name as Exclude<BackendName, 'ts'>] };
    const failed = selfTested.get(b);
    const detail = failed !== undefined ? `failed its self-test (${failed})` : (b.describe?.() ?? name);
    return { name, available: failed === undefined, active: active === b, detail };
  });
}

/**
 * Installs a non-reference backend (what the native loader calls for each backend that loaded).
 * Returns a function that uninstalls it again, putting back the backend it replaced (if any); if it
 * was active, the TS reference becomes active.
 */
export function registerBackend(b: KernelBackend): () => void {
  checkName(b.name, 'registerBackend');
  if (b.name === 'ts') throw new GpuError('UnknownBackend', "the 'ts' reference backend is built in and cannot be replaced", { backend: 'ts' });
  const replaced = installed.get(b.name);
  installed.set(b.name, b);
  return () => {
    if (installed.get(b.name) !== b) return;
    if (replaced) installed.set(b.name, replaced);
    else installed.delete(b.name);
    if (active === b) active = tsBackend;
  };
}

/** The active backend object (for the public kernel functions). */
export function activeBackend(): KernelBackend {
  return active;
}

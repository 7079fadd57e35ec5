/**
 * Backend dispatch. A backend implements the six kernels over the spec's byte layouts; the public
 * functions (gpu/api.ts) check arguments once, then call the active backend. The TypeScript
 * reference is always installed and is canonical: any other backend must produce byte-identical
 * tables, results and outputs. A native addon (C++ CPU, CUDA, Metal) registers itself with
 * `registerBackend` once it has loaded; until then selecting it fails with BackendUnavailable.
 */
import { GpuError } from './errors.js';
import { anchorApplyTs } from './kernels/anchor.js';
import { attestationApplyTs } from './kernels/attestation.js';
import { epochTransitionTs } from './kernels/epoch.js';
import { inferenceStepTs } from './kernels/inference.js';
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
  proofVerify(ops: Uint8Array, results: Uint8Array): void;
}

/** The canonical TypeScript reference. */
export const tsBackend: KernelBackend = Object.freeze({
  name: 'ts',
  attestationApply: attestationApplyTs,
  provenanceApply: provenanceApplyTs,
  anchorApply: anchorApplyTs,
  epochTransition: epochTransitionTs,
  inferenceStep: inferenceStepTs,
  proofVerify: proofVerifyTs,
});

/** 'auto' takes the first installed backend in this order. */
const AUTO_ORDER: readonly BackendName[] = ['cuda', 'metal', 'native', 'ts'];

const installed = new Map<BackendName, KernelBackend>([['ts', tsBackend]]);
let active: KernelBackend = tsBackend;

const WHY_MISSING: Record<Exclude<BackendName, 'ts'>, string> = {
  native: 'the native C++ kernel addon is not built in this installation',
  cuda: 'no CUDA kernel addon is built or loaded (it needs the native addon and an NVIDIA GPU)',
  metal: 'no Metal kernel addon is built or loaded (it needs the native addon on macOS)',
};

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

/** Backends that are installed and can be selected. */
export function availableBackends(): BackendName[] {
  return BACKEND_NAMES.filter((n) => installed.has(n));
}

/** Selects the backend (or the best installed one with 'auto') and returns the name now active. */
export function setBackend(choice: BackendChoice): BackendName {
  if (choice === 'auto') {
    active = installed.get(AUTO_ORDER.find((n) => installed.has(n))!)!;
    return active.name;
  }
  checkName(choice, 'setBackend');
  const b = installed.get(choice);
  if (!b) {
    throw new GpuError(
      'BackendUnavailable',
      `backend '${choice}' is not available: ${WHY_MISSING[choice as Exclude<BackendName, 'ts'>]}. Use setBackend('ts') or setBackend('auto') (available: ${availableBackends().join(', ')})`,
      { backend: choice },
    );
  }
  active = b;
  return active.name;
}

/**
 * Installs a non-reference backend (what a native loader calls after its addon loaded). Returns a
 * function that uninstalls it again; if it was active, the TS reference becomes active.
 */
export function registerBackend(b: KernelBackend): () => void {
  checkName(b.name, 'registerBackend');
  if (b.name === 'ts') throw new GpuError('UnknownBackend', "the 'ts' reference backend is built in and cannot be replaced", { backend: 'ts' });
  installed.set(b.name, b);
  return () => {
    if (installed.get(b.name) !== b) return;
    installed.delete(b.name);
    if (active === b) active = tsBackend;
  };
}

/** The active backend object (for the public kernel functions). */
export function activeBackend(): KernelBackend {
  return active;
}

/**
 * Loads the native kernel addon (gpu/native/build/Release/aivm_native.node, built by
 * gpu/native/build.mjs during `npm ci`) and the GPU plugins it opens with dlopen, and wraps each as
 * a KernelBackend. It never throws: whatever is missing comes back with the reason (the build
 * record gpu/native/build/aivm-build.json says why a build failed or was skipped).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName, KernelBackend } from '../backend.js';
import { conformance } from '../conformance.js';

export type NativeBackendName = Exclude<BackendName, 'ts'>;

/** What the addon reports about one of its backends. */
export interface NativeBackendStats {
  name: string;
  /** The plugin library ('' for the built-in C++ kernels). */
  path: string;
  /** The device the plugin's probe named, or "C++ CPU kernels". */
  device: string;
  calls: number;
  /** Calls whose GPU launch failed and ran on the C++ CPU kernels instead. */
  fallbacks: number;
  lastError: string;
}

/** A backend object of the addon: the kernels, the batch forward pass, and its counters. */
interface AddonBackend extends Omit<KernelBackend, 'name' | 'describe' | 'selfTest'> {
  stats(): NativeBackendStats;
}

interface PluginOpen {
  ok: boolean;
  path: string;
  reason?: string;
  device?: string;
  backend?: AddonBackend;
}

/** The addon's exports (gpu/native/src/addon.cc). */
export interface NativeAddon {
  cpu: AddonBackend;
  openPlugin(kind: 'cuda' | 'metal', path: string): PluginOpen;
  keccak256(data: Uint8Array): Uint8Array;
  layouts(): Record<string, { size: number; fields: Record<string, number> }>;
  /** The CPU backend's threads, rows per extra thread and hash lanes (results never depend on them). */
  configure(options?: Partial<CpuOptions>): CpuOptions;
}

export interface CpuOptions {
  threads: number;
  minRowsPerThread: number;
  lanes: number;
}

export type NativeBackend = KernelBackend & { readonly name: NativeBackendName; stats(): NativeBackendStats };

export interface NativeKernels {
  addon?: NativeAddon;
  /** The backends that loaded. */
  backends: Partial<Record<NativeBackendName, NativeBackend>>;
  /** Why each of the others did not. */
  reasons: Partial<Record<NativeBackendName, string>>;
}

export interface NativeLoadOptions {
  /** Load nothing native (SESSIONCHAIN_NATIVE=0). Default true. */
  enabled?: boolean;
  /** The node-gyp build folder (default: gpu/native/build of this package). */
  buildDir?: string;
  /** The CUDA plugin (default: <buildDir>/Release/libluxgpu_backend_cuda.so; SESSIONCHAIN_CUDA_LIBRARY). */
  cudaLibrary?: string;
  /** The Metal plugin (default: <buildDir>/Release/libluxgpu_backend_metal.dylib). */
  metalLibrary?: string;
}

/** What gpu/native/build.mjs records about each part of the native build. */
interface BuildRecord {
  native?: { built: boolean; reason?: string };
  cuda?: { built: boolean; reason?: string };
  metal?: { built: boolean; reason?: string };
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** gpu/native/build, whether this file runs from the sources (ts-node) or from dist/gpu/native. */
function defaultBuildDir(): string {
  const candidates = [join(HERE, 'build'), join(HERE, '..', '..', '..', 'gpu', 'native', 'build')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

function buildRecord(buildDir: string): BuildRecord {
  try {
    return JSON.parse(readFileSync(join(buildDir, 'aivm-build.json'), 'utf8')) as BuildRecord;
  } catch {
    return {};
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

const PART_NAMES: Record<keyof BuildRecord, string> = { native: 'addon', cuda: 'CUDA plugin', metal: 'Metal plugin' };

/** Why a part is missing when its file is not there: the build record's reason, or how to build it. */
function notBuilt(part: keyof BuildRecord, record: BuildRecord, file: string): string {
  const r = record[part];
  if (r && !r.built && r.reason) {
    const skipped = /^skipped: /.exec(r.reason);
    return skipped ? `the ${PART_NAMES[part]} build was skipped: ${r.reason.slice(skipped[0].length)}` : `the ${PART_NAMES[part]} build failed: ${r.reason}`;
  }
  return `${file} is not built (run \`npm run build:native\`)`;
}

function describe(b: AddonBackend, file: string): string {
  const s = b.stats();
  const where = ` (${s.path || file})`;
  const fallbacks = s.fallbacks > 0 ? `; ${s.fallbacks} of ${s.calls} calls fell back to the C++ CPU kernels (last: ${s.lastError})` : '';
  return `${s.device}${where}${fallbacks}`;
}

/** A KernelBackend over an addon backend; its self-test is conformance() against the TS reference. */
function wrapAddonBackend(name: NativeBackendName, b: AddonBackend, file: string): NativeBackend {
  const k: NativeBackend = {
    name,
    attestationApply: (desc, ops, table) => b.attestationApply(desc, ops, table),
    provenanceApply: (desc, ops, models) => b.provenanceApply(desc, ops, models),
    anchorApply: (desc, ops, anchors) => b.anchorApply(desc, ops, anchors),
    epochTransition: (desc, atts, models, anchors, epochState, result) => b.epochTransition(desc, atts, models, anchors, epochState, result),
    inferenceStep: (weights, ops, batchIn, batchOut, results) => b.inferenceStep(weights, ops, batchIn, batchOut, results),
    inferenceBatch: (weights, batchIn, batchOut) => b.inferenceBatch(weights, batchIn, batchOut),
    proofVerify: (ops, results) => b.proofVerify(ops, results),
    stats: () => b.stats(),
    describe: () => describe(b, file),
    selfTest() {
      const bad = conformance(k, { size: 'quick' });
      return bad.length === 0 ? undefined : `differs from the TS reference in ${bad.map((m) => `${m.kernel} (${m.workload})`).join(', ')}`;
    },
  };
  return Object.freeze(k);
}

function openPlugin(addon: NativeAddon, kind: 'cuda' | 'metal', path: string, record: BuildRecord, out: NativeKernels): void {
  if (!existsSync(path)) {
    out.reasons[kind] = notBuilt(kind, record, path);
    return;
  }
  const opened = addon.openPlugin(kind, path);
  if (opened.ok && opened.backend) out.backends[kind] = wrapAddonBackend(kind, opened.backend, path);
  else out.reasons[kind] = opened.reason ?? `${path} could not be opened`;
}

/** Loads the addon and the plugins; never throws. */
export function loadNativeKernels(options: NativeLoadOptions = {}): NativeKernels {
  const out: NativeKernels = { backends: {}, reasons: {} };
  const missing = (why: string) => {
    out.reasons.native = why;
    out.reasons.cuda = `it needs the native addon, which is not loaded (${why})`;
    out.reasons.metal = `it needs the native addon, which is not loaded (${why})`;
    return out;
  };
  if (options.enabled === false) return missing('native kernels are disabled (SESSIONCHAIN_NATIVE=0)');

  const buildDir = options.buildDir ?? defaultBuildDir();
  const record = buildRecord(buildDir);
  const addonPath = join(buildDir, 'Release', 'aivm_native.node');
  if (!existsSync(addonPath)) return missing(notBuilt('native', record, addonPath));
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
  } catch (e) {
    return missing(`cannot load ${addonPath}: ${message(e)}`);
  }
  out.addon = addon;
  out.backends.native = wrapAddonBackend('native', addon.cpu, addonPath);

  openPlugin(addon, 'cuda', options.cudaLibrary ?? join(buildDir, 'Release', 'libluxgpu_backend_cuda.so'), record, out);
  if (process.platform === 'darwin') openPlugin(addon, 'metal', options.metalLibrary ?? join(buildDir, 'Release', 'libluxgpu_backend_metal.dylib'), record, out);
  else out.reasons.metal = `Metal is macOS-only (this is ${process.platform})`;
  return out;
}

/**
 * Installs the native backends when gpu/ is first imported: loads the addon and its GPU plugins
 * (gpu/native/loader.ts), registers each backend that loaded, and records why the others did not
 * (backendStatus(), the BackendUnavailable message). The TS reference stays active until
 * setBackend() picks another.
 *
 * Environment: SESSIONCHAIN_NATIVE=0 loads nothing native; SESSIONCHAIN_CUDA_LIBRARY names another
 * CUDA plugin; DEBUG=sessionchain:kernels logs what loaded and why the rest did not.
 */
import { backendStatus, noteUnavailable, registerBackend } from '../backend.js';
import { loadNativeKernels, type NativeBackendName, type NativeKernels } from './loader.js';

export { loadNativeKernels, type NativeKernels, type NativeLoadOptions, type NativeBackendStats } from './loader.js';

/** What this process loaded (the addon, the backends, the reasons for the missing ones). */
export const nativeKernels: NativeKernels = loadNativeKernels({
  enabled: process.env.SESSIONCHAIN_NATIVE !== '0',
  cudaLibrary: process.env.SESSIONCHAIN_CUDA_LIBRARY || undefined,
});

for (const b of Object.values(nativeKernels.backends)) registerBackend(b);
for (const [name, why] of Object.entries(nativeKernels.reasons)) noteUnavailable(name as NativeBackendName, why);

if (/(^|,)\s*sessionchain:(kernels|\*)/.test(process.env.DEBUG ?? '')) {
  for (const s of backendStatus()) console.error(`sessionchain:kernels ${s.name}: ${s.available ? 'available' : 'unavailable'} — ${s.detail}`);
}

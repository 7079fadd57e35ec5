/**
 * Verifier worker thread: decodes raw transactions, hashes them and checks their signatures (and
 * module-level signature checks) off the main thread. Receives batches, answers batches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setMlDsaBackend, type MlDsaBackend } from './keys/schemes.js';
import { runCheck } from './module/sigcache.js';
import { keccakReady } from './hash.js';
import { verifyRawTx, type VerifyJob, type VerifyResult } from './verify-job.js';

setMlDsaBackend((workerData as { backend: MlDsaBackend | 'auto' }).backend);
await keccakReady; // transaction hashes with the WebAssembly keccak from the first job on

parentPort!.on('message', (msg: { id: number; jobs: VerifyJob[] }) => {
  const results: VerifyResult[] = msg.jobs.map((job) => (job.type === 'tx' ? verifyRawTx(job.raw) : { type: 'check', result: runCheck(job.check) }));
  parentPort!.postMessage({ id: msg.id, results });
});

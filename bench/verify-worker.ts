/** Bench helper thread: verifies one ML-DSA-65 signature in a loop for a fixed time (bare rate). */
import { parentPort, workerData } from 'node:worker_threads';
import { MlDsaSigner, devSeed, keccak256, loadPqcleanVerify, nobleMlDsaVerify, utf8 } from '../sdk/chain.js';

const { backend, ms } = workerData as { backend: 'noble' | 'pqclean'; ms: number };
const signer = new MlDsaSigner(devSeed(0));
const msg = keccak256(utf8('bench'));
const sig = signer.signRaw(msg);
const verify = backend === 'pqclean' ? loadPqcleanVerify()! : nobleMlDsaVerify;
parentPort!.postMessage('ready');
parentPort!.once('message', () => {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (!verify(signer.publicKey, msg, sig)) throw new Error('verification failed');
    n++;
  }
  parentPort!.postMessage((n * 1000) / (performance.now() - start));
});

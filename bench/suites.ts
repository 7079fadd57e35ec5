/** The benchmark suites `npm run bench` runs, in order. Areas add theirs here, one per line. */
import type { BenchSuite } from './harness.js';
import { chainSuite } from './chain.js';
import { gpuSuite } from './gpu.js';
import { sessionMessagingSuite } from './session-messaging.js';
import { sessionWorkSuite } from './session-work.js';
import { precompilesSuite } from './precompiles.js';
import { aivmSuite } from './aivm.js';
import { paymentsSuite } from './payments.js';
import { throughputSuite } from './throughput.js';
import { devnetStartSuite } from './devnet-start.js';

export const suites: BenchSuite[] = [
  chainSuite,
  gpuSuite,
  sessionMessagingSuite,
  sessionWorkSuite,
  precompilesSuite,
  aivmSuite,
  paymentsSuite,
  throughputSuite,
  devnetStartSuite,
];

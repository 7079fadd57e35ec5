/** The benchmark suites `npm run bench` runs, in order. Areas add theirs here. */
import type { BenchSuite } from './harness.js';
import { gpuSuite } from './gpu.js';

export const suites: BenchSuite[] = [
  gpuSuite,
];

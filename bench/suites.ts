/** The benchmark suites `npm run bench` runs, in order. Areas add theirs here. */
import type { BenchSuite } from './harness.js';
import { sessionWorkSuite } from './session-work.js';

export const suites: BenchSuite[] = [sessionWorkSuite];

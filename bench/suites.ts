/** The benchmark suites `npm run bench` runs, in order. Areas add theirs here. */
import type { BenchSuite } from './harness.js';
import { sessionMessagingSuite } from './session-messaging.js';

export const suites: BenchSuite[] = [sessionMessagingSuite];

/** Prints backendStatus() as JSON (run in a child process by native.test.ts with a chosen environment). */
import { backendStatus } from '../../gpu/index.js';

console.log(JSON.stringify(backendStatus()));

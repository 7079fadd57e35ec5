/**
 * `npm run fuzz -- [--cases N] [--seed S|random] [--only NAME[,NAME]] [--path P]`: runs the fuzz
 * targets of test/fuzz/targets.ts at length (default 10000 cases each, seed 1207). A failure prints the
 * reproducing input and the command that replays it; the exit code is 1.
 */
import { FUZZ_TARGETS } from './targets.js';
import { failureReport } from './report.js';

const argv = process.argv.slice(2);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(`usage: npm run fuzz -- [--cases N] [--seed S|random] [--only ${FUZZ_TARGETS.map((t) => t.name).join(',')}] [--path P]`);
  process.exit(0);
}
const cases = Number(value('--cases') ?? 10_000);
if (!Number.isSafeInteger(cases) || cases < 1) {
  console.error(`--cases must be a positive integer, got ${value('--cases')}`);
  process.exit(2);
}
const seedArg = value('--seed') ?? '1207';
const seed = seedArg === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(seedArg);
if (!Number.isSafeInteger(seed)) {
  console.error(`--seed must be an integer or "random", got ${seedArg}`);
  process.exit(2);
}
const only = value('--only')?.split(',');
const path = value('--path');
const unknown = only?.filter((n) => !FUZZ_TARGETS.some((t) => t.name === n)) ?? [];
if (unknown.length) {
  console.error(`unknown target ${unknown.join(', ')}; targets: ${FUZZ_TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}

let failed = false;
for (const target of FUZZ_TARGETS) {
  if (only && !only.includes(target.name)) continue;
  const started = performance.now();
  process.stdout.write(`${target.name.padEnd(14)} ${target.description}\n`);
  const d = await target.run({ numRuns: cases, seed, path });
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  if (d.failed) {
    failed = true;
    console.log(failureReport(target.name, d));
  } else {
    console.log(`${''.padEnd(14)} ${d.numRuns} cases passed (seed ${seed}, ${secs} s)`);
  }
}
process.exit(failed ? 1 : 0);

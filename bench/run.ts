/**
 * `npm run bench [-- --json FILE] [--quick] [--only NAME]`: runs the suites of bench/suites.ts and
 * prints every figure measured in this run.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import type { BenchContext, Figure } from './harness.js';
import { suites } from './suites.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (flag('--help') || flag('-h')) {
  console.log(`usage: npm run bench -- [--json FILE] [--quick] [--only SUITE[,SUITE]]\nsuites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(0);
}
const jsonFile = value('--json');
const only = value('--only')?.split(',');
const figures: Figure[] = [];
const ctx: BenchContext = {
  quick: flag('--quick'),
  cores: availableParallelism(),
  record(key, v, unit, label) {
    figures.push({ key, value: v, unit, label });
    console.log(`  ${label.padEnd(64)} ${fmt(v).padStart(12)} ${unit}`);
  },
  get: (key) => figures.find((f) => f.key === key)?.value,
  log: (msg) => console.log(`  ${msg}`),
};

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(v < 1 ? 3 : 2);
}

console.log(`sessionchain bench — ${cpus()[0]?.model ?? 'cpu'} × ${ctx.cores}, node ${process.version}${ctx.quick ? ' (quick)' : ''}`);
for (const s of suites) {
  if (only && !only.includes(s.name)) continue;
  console.log(`\n[${s.name}]`);
  await s.run(ctx);
}
if (jsonFile) {
  const out: Record<string, unknown> = { machine: { cpu: cpus()[0]?.model, cores: ctx.cores, node: process.version }, quick: ctx.quick };
  for (const f of figures) out[f.key] = { value: f.value, unit: f.unit, label: f.label };
  writeFileSync(jsonFile, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote ${figures.length} figures to ${jsonFile}`);
}
process.exit(0);

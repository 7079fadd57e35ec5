/**
 * Official test vectors (test/fixtures/vectors, see its README): loading, and a tally of what ran and
 * what was skipped (with why), per file, group and code path, printed as a table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT } from './processes.js';

export interface VectorFile<G> {
  testGroups: G[];
}

/** Parses `test/fixtures/vectors/<name>.json.gz`; a file without groups or tests is an error. */
export function loadVectors<G extends { tests: unknown[] }>(name: string): VectorFile<G> {
  const json = JSON.parse(gunzipSync(readFileSync(join(ROOT, 'test', 'fixtures', 'vectors', `${name}.json.gz`))).toString('utf8')) as VectorFile<G>;
  if (!Array.isArray(json.testGroups) || json.testGroups.length === 0) throw new Error(`${name}: no test groups (a truncated or empty vector file must not pass)`);
  if (json.testGroups.every((g) => g.tests.length === 0)) throw new Error(`${name}: no tests`);
  return json;
}

/** Hex (either case) to bytes; undefined stays undefined. */
export const hex = (s: string | undefined): Uint8Array => (s === undefined ? new Uint8Array(0) : new Uint8Array(Buffer.from(s, 'hex')));

interface Row {
  file: string;
  group: string;
  path: string;
  run: number;
  skipped: number;
  reasons: Set<string>;
}

export class Tally {
  readonly #rows = new Map<string, Row>();
  readonly failures: string[] = [];

  #row(file: string, group: string, path: string): Row {
    const key = `${file}\u0000${group}\u0000${path}`;
    let r = this.#rows.get(key);
    if (!r) this.#rows.set(key, (r = { file, group, path, run: 0, skipped: 0, reasons: new Set() }));
    return r;
  }

  /** Runs `check` for one vector; a thrown error or `false` is recorded as a failure. */
  run(file: string, group: string, path: string, id: string | number, check: () => boolean | void): void {
    this.#row(file, group, path).run++;
    try {
      if (check() === false) this.failures.push(`${file} ${group} ${path} tcId ${id}: wrong result`);
    } catch (e) {
      this.failures.push(`${file} ${group} ${path} tcId ${id}: ${(e as Error).message}`);
    }
  }

  skip(file: string, group: string, path: string, reason: string, count = 1): void {
    const r = this.#row(file, group, path);
    r.skipped += count;
    r.reasons.add(reason);
  }

  /** The failures recorded for one vector file. */
  failuresOf(file: string): string[] {
    return this.failures.filter((f) => f.startsWith(`${file} `));
  }

  ran(file: string): number {
    return [...this.#rows.values()].filter((r) => r.file === file).reduce((n, r) => n + r.run, 0);
  }

  get totals(): { run: number; skipped: number } {
    let run = 0;
    let skipped = 0;
    for (const r of this.#rows.values()) {
      run += r.run;
      skipped += r.skipped;
    }
    return { run, skipped };
  }

  /** One line per file and group: vectors run (summed over the code paths that ran them), skipped, and why. */
  print(): void {
    const groups = new Map<string, Row[]>();
    for (const r of this.#rows.values()) {
      const key = `${r.file}\u0000${r.group}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const w = (s: string, n: number) => s.padEnd(n);
    const lines = ['', `      ${w('file', 30)} ${w('group', 34)} ${'run'.padStart(4)} ${'skip'.padStart(5)}  paths run / why skipped`];
    for (const rows of groups.values()) {
      const run = rows.reduce((n, r) => n + r.run, 0);
      const skipped = rows.reduce((n, r) => n + r.skipped, 0);
      const paths = rows.filter((r) => r.run > 0).map((r) => r.path);
      const reasons = [...new Set(rows.flatMap((r) => [...r.reasons]))].map((why) => {
        const on = rows.filter((r) => r.reasons.has(why)).map((r) => r.path);
        return on.length === rows.length ? why : on.length === 1 ? `${on[0]}: ${why}` : `${why} (${on.length} paths)`;
      });
      lines.push(`      ${w(rows[0]!.file, 30)} ${w(rows[0]!.group, 34)} ${String(run).padStart(4)} ${String(skipped).padStart(5)}  ${[paths.length ? `ran via ${paths.join(', ')}` : '', ...reasons].filter(Boolean).join(' | ')}`);
    }
    const t = this.totals;
    lines.push(`      ${w('all (vector × code path)', 30)} ${w('', 34)} ${String(t.run).padStart(4)} ${String(t.skipped).padStart(5)}`);
    console.log(lines.join('\n'));
  }
}

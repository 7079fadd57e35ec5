/**
 * Benchmark harness. Suites record figures; `bench/run.ts` prints them as a table and, with
 * `--json FILE`, writes them as one JSON object. Every figure of a run is measured on the same
 * machine in the same process tree, so ratios between them are meaningful; timings never appear in
 * tests.
 */
export interface Figure {
  key: string;
  value: number;
  unit: string;
  label: string;
}

export interface BenchContext {
  /** Records a figure: `key` is dotted (`chain.e2e.noble`), `label` a human description. */
  record(key: string, value: number, unit: string, label: string): void;
  /** A figure recorded earlier in this run (to compute ratios). */
  get(key: string): number | undefined;
  /** `--quick`: smaller workloads (CI smoke runs); figures are noisier. */
  readonly quick: boolean;
  readonly cores: number;
  log(msg: string): void;
}

export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

/** Runs `fn` repeatedly for about `ms` milliseconds (at least `min` times); returns ops per second. */
export function rate(fn: () => void, ms = 1000, min = 3): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (n < min || now - start < ms) {
    fn();
    n++;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export async function rateAsync(fn: () => Promise<void>, ms = 1000, min = 3): Promise<number> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (n < min || now - start < ms) {
    await fn();
    n++;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

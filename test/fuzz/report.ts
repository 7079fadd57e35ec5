/** How a fuzz failure is told: the reproducing input (bytes as hex), and how to replay it. */
import type fc from 'fast-check';

/** JSON of any value, with bytes as 0x hex and bigints as decimal strings. */
export function render(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) => {
      if (x instanceof Uint8Array) return `0x${Buffer.from(x).toString('hex')}`;
      if (typeof x === 'bigint') return `${x}n`;
      if (x === undefined) return '(undefined)';
      return x;
    },
    2,
  );
}

export function failureReport(target: string, d: fc.RunDetails<any>): string {
  const err = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
  return [
    `fuzz target ${target} failed after ${d.numRuns} cases (${d.numShrinks} shrinks): ${err}`,
    `reproducing input:`,
    render(d.counterexample?.[0]),
    `replay: npm run fuzz -- --only ${target} --seed ${d.seed} --path ${d.counterexamplePath}`,
  ].join('\n');
}

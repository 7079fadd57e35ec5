/**
 * The house rules of `.dependency-cruiser.cjs` (README "Architecture"): no import cycles, arrows only
 * downward (gpu · chain → vm, precompiles → genesis → sdk → bin), other areas only through their
 * index. A violation fails with the offending import named.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import { ROOT } from './helpers/processes.js';

const SOURCE_FOLDERS = ['chain', 'vm', 'precompiles', 'gpu', 'genesis', 'sdk', 'payments', 'bin'].filter((d) => existsSync(join(ROOT, d)));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('architecture', function () {
  this.timeout(120_000);

  it('has no import cycle and no import against the layering rules', async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    let out: IReporterOutput;
    try {
      const rules = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs'));
      out = await cruise([...SOURCE_FOLDERS, 'index.ts'], { ...rules.options, validate: true, ruleSet: { forbidden: rules.forbidden } });
    } finally {
      process.chdir(cwd);
    }
    const result = out.output as { summary: { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[]; totalCruised: number } };
    const violations = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
    expect(violations, violations.join('\n')).to.deep.equal([]);
    expect(result.summary.totalCruised).to.be.greaterThan(150); // the check really saw the tree
  });

  it('the rules catch a forbidden arrow (the checker is not vacuous)', async () => {
    const rules = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs'));
    const names = rules.forbidden.map((r: { name: string }) => r.name);
    expect(names).to.include.members(['no-cycles', 'gpu-imports-no-project-folder', 'engine-takes-modules-as-input', 'modules-are-consensus-code', 'cross-area-through-index']);
    const engine = rules.forbidden.find((r: { name: string }) => r.name === 'engine-takes-modules-as-input');
    expect(new RegExp(engine.from.path).test('chain/node.ts') && new RegExp(engine.to.path).test('vm/lux.ts')).to.equal(true);
  });

  it('no lazy import dodges a cycle in library code', () => {
    const offenders = SOURCE_FOLDERS.filter((d) => d !== 'bin')
      .flatMap(sourceFiles)
      .filter((f) => /\bawait import\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).to.deep.equal([]);
  });
});

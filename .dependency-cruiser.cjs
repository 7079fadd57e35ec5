/**
 * The house rules (README "Architecture"), checked by `npm test` (test/architecture.test.ts) and by
 * `npx depcruise chain vm precompiles gpu genesis sdk bin`. From the bottom up, every arrow points
 * down:  gpu/ · chain/ → vm/, precompiles/ → genesis/ → sdk/ → payments/ → bin/.
 */
const AREA = '(chain|gpu|vm|precompiles|genesis|sdk|payments|bin)';
/** What one area may import of another: its index (and, for sdk/, the entry points). */
const ENTRY_POINTS = [
  '^(chain|gpu|vm|precompiles|genesis|sdk|payments)/index\\.ts$',
  '^vm/(session|aivm)/index\\.ts$',
  '^sdk/(session|aivm|precompiles)/index\\.ts$',
];

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Import cycles hide the order of the floors.', from: {}, to: { circular: true } },
    {
      name: 'gpu-imports-no-project-folder',
      severity: 'error',
      comment: 'The kernels are bytes in, bytes out: they depend on libraries only.',
      from: { path: '^gpu/' },
      to: { path: '^(chain|vm|precompiles|genesis|sdk|payments|bin)/' },
    },
    {
      name: 'engine-takes-modules-as-input',
      severity: 'error',
      comment: 'chain/ never imports a module, a precompile, a kernel, the composition root or a client.',
      from: { path: '^chain/' },
      to: { path: '^(vm|precompiles|gpu|genesis|sdk|payments|bin)/' },
    },
    {
      name: 'modules-are-consensus-code',
      severity: 'error',
      comment: 'vm/ and precompiles/ reach the engine through chain/ and never import the composition or a client.',
      from: { path: '^(vm|precompiles)/' },
      to: { path: '^(genesis|sdk|payments|bin)/' },
    },
    {
      name: 'composition-has-no-clients',
      severity: 'error',
      comment: 'genesis/ wires modules to the engine; off-chain code sits above it.',
      from: { path: '^genesis/' },
      to: { path: '^(sdk|payments|bin)/' },
    },
    {
      name: 'sdk-below-payments-and-cli',
      severity: 'error',
      from: { path: '^sdk/' },
      to: { path: '^(payments|bin)/' },
    },
    {
      name: 'payments-below-cli',
      severity: 'error',
      from: { path: '^payments/' },
      to: { path: '^bin/' },
    },
    {
      name: 'package-root-is-top',
      comment: 'index.ts (the package root) re-exports sdk/; nothing inside the project imports it.',
      severity: 'error',
      from: { path: '^(chain|vm|precompiles|genesis|sdk|payments|bin)/' },
      to: { path: '^index\\.ts$' },
    },
    {
      name: 'cross-area-through-index',
      severity: 'error',
      comment: 'Another area is reached only through its index.ts (vm/session and vm/aivm are areas of their own).',
      from: { path: `^${AREA}/` },
      to: { path: `^${AREA}/`, pathNot: ['^$1/', ...ENTRY_POINTS] },
    },
    {
      name: 'vm-subareas-through-index',
      severity: 'error',
      comment: 'vm/session and vm/aivm reach each other, and vm/ reaches them, through their index.ts.',
      from: { path: '^vm/((session|aivm)/)?' },
      to: { path: '^vm/(session|aivm)/', pathNot: ['^vm/$2/', '^vm/(session|aivm)/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test|bench)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

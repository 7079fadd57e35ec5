/**
 * The `sessionchain` command line (SPEC §6). Each command lives in bin/commands/<name>.ts and
 * exports `register(program)`; add new ones to the list below.
 */
import { Command, CommanderError } from 'commander';
import { explain } from './common.js';

/** Command modules, loaded on demand: a command's start-up loads only its own code. */
const modules: Record<string, () => Promise<{ register(program: Command): void }>> = {
  devnet: () => import('./commands/devnet.js'),
  keys: () => import('./commands/keys.js'),
  tx: () => import('./commands/tx.js'),
  data: () => import('./commands/data.js'),
  genesis: () => import('./commands/genesis.js'),
  session: () => import('./commands/session.js'),
  work: () => import('./commands/work.js'),
  worker: () => import('./commands/worker.js'),
  escrow: () => import('./commands/escrow.js'),
  aivm: () => import('./commands/aivm.js'),
  provider: () => import('./commands/provider.js'),
  'serve-inference': () => import('./commands/serve-inference.js'),
  pay: () => import('./commands/pay.js'),
};
/** Top-level command → the module that registers it (modules register themselves by default). */
const moduleOf: Record<string, string> = { call: 'tx', rpc: 'tx', export: 'data', import: 'data', replay: 'data' };

const program = new Command('sessionchain')
  .description('Local devnets for post-quantum sessions, AI compute and payment channels.')
  .version('0.1.0', '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false })
  .exitOverride();

const first = process.argv.slice(2).find((a) => !a.startsWith('-'));
const only = first === undefined ? undefined : (moduleOf[first] ?? (first in modules ? first : undefined));
for (const name of only ? [only] : Object.keys(modules)) (await modules[name]!()).register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode);
  }
  const { message, hint } = explain(e);
  console.error(`error: ${message}`);
  if (hint) console.error(`  hint: ${hint}`);
  if (process.env.SESSIONCHAIN_DEBUG === '1') console.error(e);
  process.exit(1);
}

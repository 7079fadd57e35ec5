/**
 * The `sessionchain` command line (SPEC §6). Each command lives in bin/commands/<name>.ts and
 * exports `register(program)`; add new ones to the list below.
 */
import { Command, CommanderError } from 'commander';
import { explain } from './common.js';
import * as devnet from './commands/devnet.js';
import * as keys from './commands/keys.js';
import * as tx from './commands/tx.js';
import * as data from './commands/data.js';
import * as genesis from './commands/genesis.js';
import * as session from './commands/session.js';
import * as work from './commands/work.js';
import * as worker from './commands/worker.js';
import * as escrow from './commands/escrow.js';
import * as aivm from './commands/aivm.js';
import * as provider from './commands/provider.js';
import * as serveInference from './commands/serve-inference.js';
import * as pay from './commands/pay.js';

const commands: { register(program: Command): void }[] = [devnet, keys, tx, data, genesis, session, work, worker, escrow, aivm, provider, serveInference, pay];

const program = new Command('sessionchain')
  .description('Local devnets for post-quantum sessions, AI compute and payment channels.')
  .version('0.1.0', '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false })
  .exitOverride();

for (const c of commands) c.register(program);

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

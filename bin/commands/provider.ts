/**
 * `sessionchain provider`: runs the reference AIVM provider against a node: registers with a bond
 * for the model's spec, answers the tasks assigned to it (commit → reveal, or post with a bond),
 * and challenges contradicted results of others. `--dishonest` posts corrupted results and
 * withholds reveals, for demos of challenges and slashing. Runs until Ctrl-C.
 *
 *   sessionchain provider --key alice --model model.bin --stake 2LUX
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { toHex } from '../../chain/index.js';
import { AivmClient, ReferenceProvider } from '../../sdk/aivm/index.js';
import { client, fail, refuseDoomed, resolveSigner, rpcOption, signerOptions, type SignerOpts } from '../common.js';
import { npmExecPid, stopWithLauncher } from '../launcher.js';
import { parseLux } from './aivm.js';

interface ProviderCliOpts extends SignerOpts {
  rpc: string;
  model: string;
  stake: string;
  bond: string;
  gpu: string;
  poll: string;
  dishonest?: boolean;
  watch: boolean;
}

export function register(program: Command): void {
  signerOptions(rpcOption(program.command('provider')))
    .description('run the reference AIVM provider (answers assigned tasks, challenges false results)')
    .requiredOption('--model <file>', 'the 630-byte tiny-classifier model file to serve')
    .option('--stake <amount>', 'bond to register with, e.g. 1LUX (a bare number is LUX)', '1LUX')
    .option('--bond <amount>', 'bond per posted result and per challenge, e.g. 1LUX', '1LUX')
    .option('--gpu <model>', 'GPU model string reported at registration', 'cpu')
    .option('--poll <ms>', 'how often to look for work', '500')
    .option('--dishonest', 'post corrupted results and withhold reveals (demos and tests)')
    .option('--no-watch', 'do not challenge other providers’ results')
    .action(async (o: ProviderCliOpts) => {
      const launcher = npmExecPid();
      let model: Uint8Array;
      try {
        model = new Uint8Array(readFileSync(o.model));
      } catch (e) {
        return fail(`cannot read the model file ${o.model}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      if (model.length !== 630) fail(`${o.model} is ${model.length} bytes; a tiny-classifier model file is 630 bytes`);
      const pollMs = Number(o.poll);
      if (!Number.isInteger(pollMs) || pollMs < 10) fail('--poll must be a number of milliseconds (at least 10)');
      const signer = await resolveSigner(o);
      const aivm = new AivmClient(client(o));
      await aivm.head(); // fail fast (one line) when no node answers
      const provider = new ReferenceProvider({
        client: aivm,
        signer,
        model,
        stake: parseLux(o.stake, '--stake'),
        bond: parseLux(o.bond, '--bond'),
        gpuModel: o.gpu,
        dishonest: o.dishonest ?? false,
        watch: o.watch && !o.dishonest,
        pollMs,
        log: (line) => console.log(`${new Date().toISOString()} ${line}`),
      });
      // Registration is simulated first: a doomed one (a bond below the minimum) stops here.
      await provider.ensureRegistered().catch((e) => {
        aivm.close();
        refuseDoomed(e, false);
        throw e;
      });
      console.log(`provider ${signer.address} serving spec ${toHex(provider.spec)}${o.dishonest ? ' (dishonest)' : ''} via ${o.rpc}`);
      provider.start();
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        stopWithLauncher(launcher, stop);
      });
      await provider.stop();
      aivm.close();
    });
}

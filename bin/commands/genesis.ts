/** `sessionchain genesis write|validate`. */
import type { Command } from 'commander';
import { devGenesisDoc, readGenesisFile } from '../../genesis/index.js';
import { canonicalJson, keccak256, toHex, utf8, writeGenesisFile } from '../../chain/index.js';
import { emit, fail, outputOptions, type OutputOpts } from '../common.js';

export function register(program: Command): void {
  const g = program.command('genesis').description('write or validate a genesis document');
  outputOptions(g.command('write'))
    .description('write the default devnet genesis (edit it, then start with --genesis FILE)')
    .requiredOption('-o, --out <file>', 'output file')
    .option('--chain-id <id>', 'chain id')
    .option('--timestamp <ms>', 'genesis time, unix milliseconds')
    .action((o: OutputOpts & { out: string; chainId?: string; timestamp?: string }) => {
      const num = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 0) fail(`${name} must be a non-negative integer`);
        return n;
      };
      const doc = devGenesisDoc({ chainId: num(o.chainId, '--chain-id'), timestamp: num(o.timestamp, '--timestamp') });
      writeGenesisFile(o.out, doc);
      emit({ file: o.out, chainId: doc.chainId, hash: toHex(keccak256(utf8(canonicalJson(doc)))) }, o);
    });
  outputOptions(g.command('validate <file>'))
    .description('check a genesis document against the built-in modules')
    .action((file: string, o: OutputOpts) => {
      const gen = readGenesisFile(file);
      emit({ ok: true, chainId: Number(gen.chainId), producer: gen.producer, hash: toHex(gen.hash), modules: Object.keys(gen.moduleParams) }, o);
    });
}

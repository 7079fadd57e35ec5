/**
 * `sessionchain tx` (build, sign, send, wait, print the receipt), `call` (read-only queries and
 * simulated calls) and `rpc` (any JSON-RPC method).
 */
import type { Command } from 'commander';
import { LUX_UNIT, parseAmount } from '../../sdk/index.js';
import { client, emit, luxText, fail, findQuery, outputOptions, parseJsonArg, reportReceipt, resolveSigner, resolveTarget, rpcOption, sendCall, signerOptions, txOptions, type OutputOpts, type SignerOpts, type SendCallOptions } from '../common.js';

/**
 * The arguments of `tx` / `call`: one JSON value (positional array or by-name object), name=value
 * pairs (`to=0x… amount=5LUX`), or plain words taken as positional strings.
 */
export function callArgs(words: string[]): unknown {
  if (words.length === 0) return undefined;
  if (words.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))) return Object.fromEntries(words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  if (words.length === 1) return parseJsonArg(words[0], 'args');
  return words;
}

/** String arguments written with a LUX unit ("5LUX", "0.5 lux", "1000wei") become base units. */
export function luxUnitsInArgs(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*[0-9]+(\.[0-9]+)?\s*(lux|wei)\s*$/i.test(v)) {
    try {
      return parseAmount(v, LUX_UNIT).toString();
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  if (Array.isArray(v)) return v.map(luxUnitsInArgs);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, luxUnitsInArgs(x)]));
  return v;
}

export function register(program: Command): void {
  txOptions(
    signerOptions(
      rpcOption(
        program
          .command('tx <target> <method> [args...]')
          .description('send a transaction: call <method> of module <target> (a name like "lux" or an address) with [args] (JSON, or name=value pairs)')
          .addHelpText(
            'after',
            `
Arguments are name=value pairs, or JSON (a positional array or an object by name); amounts are
decimal strings of base units, or LUX with a unit ("5LUX", "0.25LUX", "1000wei").
The call is simulated first: one that would fail is not sent (pass --force to send it anyway).
Examples:
  sessionchain tx lux transfer to=0x… amount=5LUX --dev 0
  sessionchain tx lux transfer '{"to":"0x…","amount":"5LUX"}' --dev 0
  sessionchain tx lux transfer '["0x…","5000"]' --key alice
Prints the receipt (exit code 1 if the transaction failed).`,
          ),
      ),
    ),
  ).action(async (target: string, method: string, args: string[], o: SignerOpts & SendCallOptions & OutputOpts & { rpc: string }) => {
    const rpc = client(o);
    try {
      const signer = await resolveSigner(o);
      reportReceipt(await sendCall(rpc, signer, target, method, luxUnitsInArgs(callArgs(args)), o), o);
    } finally {
      rpc.close();
    }
  });

  outputOptions(rpcOption(
    program
      .command('call <target> <query> [args...]')
      .description('run a read-only query of a module (or simulate a method) at the head')
      .option('--from <address>', 'sender to simulate a method call as')
      .addHelpText('after', `\nExamples:\n  sessionchain call lux balanceOf 0x…\n  sessionchain call lux getAccount '{"address":"0x…"}'`),
  )).action(async (target: string, query: string, args: string[], o: OutputOpts & { rpc: string; from?: string }) => {
    const { address, module } = resolveTarget(target);
    const isQuery = module.queries?.[query] !== undefined;
    if (!isQuery && !module.methods[query]) findQuery(target, query); // fails with the list of queries
    const rpc = client(o);
    try {
      const r = await rpc.call<{ result: unknown; status?: number; error?: string; errorMessage?: string }>('chain.Call', { to: address, method: query, args: luxUnitsInArgs(callArgs(args)) ?? [], ...(o.from ? { from: o.from } : {}) });
      const luxQuery = module.name === 'lux' && /balance/i.test(query);
      emit(isQuery ? r.result : r, o, luxQuery ? { '': luxText, balance: luxText } : {});
      if (!isQuery && r.status === 0) process.exitCode = 1;
    } finally {
      rpc.close();
    }
  });

  outputOptions(rpcOption(
    program
      .command('rpc <method> [params]')
      .description('call any JSON-RPC method; params as JSON (array or object)')
      .addHelpText('after', `\nExamples:\n  sessionchain rpc chain.Head\n  sessionchain rpc chain.GetBlock '[1, true]'\n  sessionchain rpc dev.Mine '[5]'`),
  )).action(async (method: string, params: string | undefined, o: OutputOpts & { rpc: string }) => {
    const p = parseJsonArg(params, 'params');
    if (p !== undefined && (typeof p !== 'object' || p === null)) fail('params must be a JSON array or object');
    const rpc = client(o);
    try {
      emit(await rpc.call(method, (p ?? []) as unknown[]), o);
    } finally {
      rpc.close();
    }
  });
}

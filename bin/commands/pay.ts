/**
 * `sessionchain pay URL [--data JSON] [--count N] [--sse] [--ws] [--max-deposit N]`: pays for a
 * 402-protected resource with a session channel (opened, reused or topped up as needed) and prints
 * one JSON object: channelId, units bought in this run, spent in all, and what came back.
 * `sessionchain pay --close URL` closes the channel held for that server. Channel state is kept
 * under the keystore directory (`payment-channels/<payer>.json`), so later runs reuse the channel.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { NamedError } from '../../chain/index.js';
import { FileClientStore, SessionManager } from '../../payments/index.js';
import { emit, fail, int, optRawUnits, outputOptions, parseJsonArg, resolveSigner, rpcOption, signerOptions, type OutputOpts, type SignerOpts, defaultKeystoreDir } from '../common.js';

type Opts = SignerOpts & OutputOpts & { rpc: string; data?: string; count: string; sse?: boolean; ws?: boolean; maxDeposit?: string; deposit?: string; close?: boolean };

function inputsOf(data: string | undefined): string[] {
  if (data === undefined) return fail('--ws needs --data \'{"inputs":["0x…", …]}\'');
  const v = parseJsonArg(data, '--data');
  const rows = v !== null && typeof v === 'object' ? (v as { inputs?: unknown }).inputs : undefined;
  if (!Array.isArray(rows) || !rows.every((r) => typeof r === 'string')) fail('--data must hold "inputs": a list of strings');
  return rows as string[];
}

export function register(program: Command): void {
  outputOptions(signerOptions(rpcOption(program.command('pay'))))
    .description('pay for a 402-protected URL with a session channel (HTTP, --sse or --ws); --close closes it')
    .argument('<url>', 'the paid resource, e.g. http://127.0.0.1:8402/v1/infer')
    .option('--data <json>', 'request body (JSON)')
    .option('--count <n>', 'paid HTTP requests to make', '1')
    .option('--sse', 'POST --data and read a paid SSE stream')
    .option('--ws', 'send each of --data\'s "inputs" as a paid WebSocket message')
    .option('--max-deposit <units>', 'never lock more than this in the channel')
    .option('--deposit <units>', 'opening deposit (default: the server\'s suggestion)')
    .option('--close', 'close the channel held for this server (on chain) and print the receipt')
    .action(async (url: string, o: Opts) => {
      const count = int(o.count, '--count', 1, 100_000)!;
      const maxDeposit = optRawUnits(o.maxDeposit, '--max-deposit');
      const deposit = optRawUnits(o.deposit, '--deposit');
      if (o.sse && o.ws) fail('choose one of --sse and --ws');
      const inputs = o.ws && !o.close ? inputsOf(o.data) : [];
      const signer = await resolveSigner(o);
      const pay = new SessionManager({
        signer,
        rpc: o.rpc,
        store: new FileClientStore(join(o.keystore ?? defaultKeystoreDir(), 'payment-channels'), signer.address),
        maxDeposit,
        deposit,
      });
      try {
        if (o.close) {
          const { receipt, channel } = await pay.close(url);
          emit({ channelId: channel.channelId, closed: true, spent: receipt.spent, units: channel.deliveredUnits, txHash: receipt.txHash, receipt }, o);
          return;
        }
        let messages: string[] = [];
        let channelId = '';
        if (o.sse) {
          const r = await pay.sse(url, o.data ?? '{}');
          messages = r.messages;
          channelId = r.channelId;
        } else if (o.ws) {
          const r = await pay.ws(url, inputs);
          messages = r.messages;
          channelId = r.channelId;
        } else {
          for (let i = 0; i < count; i++) {
            const r = await pay.fetch(url, { body: o.data });
            messages.push(r.body);
            channelId = r.channelId;
          }
        }
        const entry = pay.store.all().find((e) => e.channelId === channelId)!;
        emit({ channelId, units: messages.length, spent: entry.spent.toString(), deposit: entry.deposit.toString(), cumulative: entry.cumulative.toString(), results: messages.map((m) => safeJson(m)) }, o);
      } catch (e) {
        if (e instanceof NamedError) fail(`${e.name}: ${e.message}`);
        throw e;
      } finally {
        pay.closeConnections();
      }
    });
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

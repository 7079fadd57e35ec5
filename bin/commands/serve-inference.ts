/**
 * `sessionchain serve-inference --model FILE --price N [--port P] [--rpc URL]`: paid AI inference.
 * The AIVM tiny classifier behind HTTP 402 session payments (sessionchain/payments), paid by
 * vouchers on TIP-1034 channels to the signer (the payee), and settled on chain.
 *
 *   POST /v1/infer {"input":"0x…"} · POST /v1/infer/stream {"inputs":[…]} (SSE) · WS /v1/infer/ws
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { toHex } from '../../chain/index.js';
import { InferenceService, ROUTES, startPayments, StoreLockedError } from '../../payments/index.js';
import { fail, int, optRawUnits, printJson, resolveSigner, rpcOption, sessionchainHome, signerOptions, type SignerOpts } from '../common.js';

type Opts = SignerOpts & { rpc: string; model: string; price: string; port: string; host: string; store?: string; memory?: boolean; suggestedDeposit?: string; settleUnits?: string; settleIntervalMs?: string; pidFile?: string };

export function register(program: Command): void {
  signerOptions(rpcOption(program.command('serve-inference')))
    .description('serve paid AI inference (AIVM tiny classifier) over HTTP, SSE and WebSocket, paid by session vouchers')
    .requiredOption('--model <file>', 'a 630-byte tiny-classifier model file')
    .requiredOption('--price <units>', 'raw units of the channel token (the dev stablecoin) per inference')
    .option('--port <port>', 'HTTP port', '8402')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--store <dir>', 'channel store directory (classic-level)', join(sessionchainHome(), 'payments'))
    .option('--memory', 'keep the channel store in memory (nothing survives a restart)')
    .option('--suggested-deposit <units>', 'deposit suggested to clients (default 1000 × price)')
    .option('--settle-units <n>', 'settle a channel on chain every N inferences', '100')
    .option('--settle-interval-ms <ms>', 'and at least this often while it has unsettled payments', '60000')
    .option('--pid-file <file>', 'write this process id here once listening (removed on exit)')
    .action(async (o: Opts) => {
      const price = optRawUnits(o.price, '--price')!;
      if (price === 0n) fail('--price must be positive');
      const port = int(o.port, '--port', 0, 65535)!;
      const settleUnits = int(o.settleUnits, '--settle-units', 1, 1_000_000_000)!;
      const settleIntervalMs = int(o.settleIntervalMs, '--settle-interval-ms', 1, 2_147_483_647)!;
      const suggestedDeposit = optRawUnits(o.suggestedDeposit, '--suggested-deposit') ?? price * 1000n;
      let model: Uint8Array;
      try {
        model = new Uint8Array(readFileSync(o.model));
      } catch (e) {
        return fail(`cannot read --model ${o.model}: ${(e as Error).message}`);
      }
      let service: InferenceService;
      try {
        service = new InferenceService(model);
      } catch (e) {
        return fail(`${o.model}: ${(e as Error).message}`, 'a tiny-classifier model file is 630 bytes (encodeModelFile in sessionchain/aivm)');
      }
      const payee = await resolveSigner(o);
      let payments;
      try {
        payments = await startPayments({
          rpc: o.rpc,
          payee,
          price,
          unitType: 'inference',
          suggestedDeposit,
          storeDir: o.memory ? undefined : o.store,
          settlement: { units: settleUnits, intervalMs: settleIntervalMs, pollMs: 5000 },
        });
      } catch (e) {
        if (e instanceof StoreLockedError) fail(e.message);
        throw e;
      }
      const { server, url } = await service.listen(payments, port, o.host);
      printJson({ url, routes: Object.values(ROUTES), payee: payee.address, price: price.toString(), store: o.memory ? 'memory' : o.store, model: toHex(service.modelHash) });
      if (o.pidFile) writeFileSync(o.pidFile, `${process.pid}\n`);
      console.log(`Listening on ${url}`);
      const stop = async () => {
        if (o.pidFile) rmSync(o.pidFile, { force: true });
        server.closeAllConnections();
        server.close();
        await payments.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}

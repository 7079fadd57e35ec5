/**
 * Paid AI inference, the flagship of session payments: the AIVM tiny classifier (`runInference`
 * from `vm/aivm`, which runs the `gpu` kernel) behind three paid routes, one unit per inference:
 *
 *   POST /v1/infer         {"input":"0x<32 bytes>"}        → JSON {input, output, outputCommitment}
 *   POST /v1/infer/stream  {"inputs":["0x…", …]}           → SSE, one `message` event per row
 *   WS   /v1/infer/ws      one message per row sent         (the HTTP URL gives the challenge)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromHex, isHex, keccak256, requestTarget, toHex } from '../../chain/index.js';
import { loadModelFile, runInference } from '../../vm/aivm/index.js';
import { badInput, managementRoute, paidRoute, paidSseRoute } from '../server/http.js';
import type { Payments } from '../server/open.js';
import { sendProblem } from '../server/respond.js';
import { attachPaidWebSocket } from '../server/ws.js';
import { problem } from '../wire/index.js';

export const ROUTES = { infer: '/v1/infer', stream: '/v1/infer/stream', ws: '/v1/infer/ws' } as const;
/** Most rows one stream request may carry. */
export const MAX_ROWS = 10_000;

export interface InferenceAnswer {
  input: string;
  output: number;
  outputCommitment: string;
}

function inputRow(v: unknown, path: string): Uint8Array {
  if (typeof v !== 'string' || !isHex(v) || v.length !== 66) throw badInput(`${path} must be 32 bytes of 0x hex (64 hex digits)`);
  return fromHex(v);
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(body.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw badInput('the body must be a JSON object');
}

export class InferenceService {
  readonly modelHash: Uint8Array;

  constructor(readonly model: Uint8Array) {
    loadModelFile(model); // refuses a malformed model file by name
    this.modelHash = keccak256(model);
  }

  /** One inference; the salt is the input's hash, so the same row always answers the same. */
  infer(input: Uint8Array): InferenceAnswer {
    const out = runInference(this.model, input, keccak256(input), 0n, 0n);
    if (out.status !== 0) throw badInput(`the kernel refused the input (status ${out.status})`);
    return { input: toHex(input), output: out.output, outputCommitment: toHex(out.outputCommitment) };
  }

  /** The HTTP server with the three paid routes. */
  listen(payments: Payments, port = 0, host = '127.0.0.1'): Promise<{ server: http.Server; url: string }> {
    const p = payments.server;
    const one = paidRoute(p, async (_req, body) => ({ body: JSON.stringify(this.infer(inputRow(parseBody(body).input, 'input'))) }));
    const stream = paidSseRoute(p, async (_req, body) => {
      const rows = parseBody(body).inputs;
      if (!Array.isArray(rows) || rows.length === 0 || rows.length > MAX_ROWS) throw badInput(`inputs must be a list of 1..${MAX_ROWS} rows`);
      const parsed = rows.map((r, i) => inputRow(r, `inputs[${i}]`));
      return parsed.map((row) => () => JSON.stringify(this.infer(row)));
    });
    const wsProbe = managementRoute(p);
    const server = http.createServer({ maxHeaderSize: 128 * 1024 }, (req, res) => {
      const path = requestTarget(req.url)?.pathname;
      if (path === undefined) return sendProblem(res, problem('BadRequest', `the request target ${JSON.stringify((req.url ?? '').slice(0, 100))} is not a path`), p.challenge());
      if (path === ROUTES.infer) return void one(req, res);
      if (path === ROUTES.stream) return void stream(req, res);
      if (path === ROUTES.ws) return void wsProbe(req, res);
      sendProblem(res, problem('BadRequest', `no route ${path}; try ${Object.values(ROUTES).join(', ')}`), p.challenge());
    });
    attachPaidWebSocket(server, ROUTES.ws, p, (data) => JSON.stringify(this.infer(inputRow(data, 'message'))));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address() as AddressInfo;
        resolve({ server, url: `http://${host}:${a.port}` });
      });
    });
  }
}

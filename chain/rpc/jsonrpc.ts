/**
 * JSON-RPC 2.0 envelopes, independent of the transport. Every input, however broken, gets a valid
 * response envelope (or, for notifications, deliberately none):
 *
 *   invalid JSON              → -32700, id null
 *   not a request object      → -32600, id echoed when it is a valid id, else null
 *   []                        → one -32600 object (not an array)
 *   [1,2,3]                   → three -32600 objects
 *   batch over the limit      → one -32600 "batch too large" carrying the first call's id
 *   only notifications        → no body
 *   unknown method            → -32601; bad params → -32602; unexpected failure → -32603 (no stack)
 *   named errors              → their code, message, and data { name, ... }
 *   oversize response         → -32003
 *   nested deeper than 128    → -32602 NestingTooDeep, id null (refused before parsing)
 */
import { CodecError, NamedError, RpcCode } from '../errors.js';
import { jsonDepth, MAX_JSON_DEPTH } from './depth.js';

export type JsonRpcId = string | number | null;

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result?: unknown;
  error?: JsonRpcError;
}

export interface CallContext {
  transport: 'http' | 'ws';
  ip: string;
}

export type MethodHandler = (params: unknown, ctx: CallContext) => Promise<unknown>;

export interface Dispatcher {
  lookup(method: string, ctx: CallContext): MethodHandler | undefined;
}

export interface EnvelopeLimits {
  maxBatch: number;
  maxResponseBytes: number;
}

export class InvalidParams extends NamedError {
  constructor(message: string) {
    super('InvalidParams', message, { rpcCode: RpcCode.InvalidParams });
  }
}

const isId = (v: unknown): v is JsonRpcId => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

export function errorResponse(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse {
  return data === undefined ? { jsonrpc: '2.0', id, error: { code, message } } : { jsonrpc: '2.0', id, error: { code, message, data } };
}

/** Converts anything a handler threw into an error object; internal failures stay opaque. */
export function toRpcError(e: unknown): JsonRpcError {
  if (e instanceof CodecError) return { code: RpcCode.InvalidParams, message: `invalid params: ${e.message}`, data: { name: 'InvalidParams' } };
  if (e instanceof NamedError) return { code: e.rpcCode, message: e.message, data: { name: e.name, ...(e.data ?? {}) } };
  return { code: RpcCode.InternalError, message: 'internal error', data: { name: 'InternalError' } };
}

/** Handles one request object; undefined for a notification. */
async function handleOne(req: unknown, d: Dispatcher, ctx: CallContext): Promise<JsonRpcResponse | undefined> {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) return errorResponse(null, RpcCode.InvalidRequest, 'invalid request: expected a JSON-RPC request object');
  const r = req as Record<string, unknown>;
  const hasId = 'id' in r;
  const id: JsonRpcId = hasId && isId(r.id) ? r.id : null;
  if (hasId && !isId(r.id)) return errorResponse(null, RpcCode.InvalidRequest, 'invalid request: id must be a string, a number or null');
  if (r.jsonrpc !== '2.0') return errorResponse(id, RpcCode.InvalidRequest, 'invalid request: "jsonrpc" must be "2.0"');
  if (typeof r.method !== 'string' || r.method.length === 0) return errorResponse(id, RpcCode.InvalidRequest, 'invalid request: "method" must be a non-empty string');
  if ('params' in r && r.params !== undefined && (r.params === null || typeof r.params !== 'object')) {
    return errorResponse(id, RpcCode.InvalidRequest, 'invalid request: "params" must be an array or an object');
  }
  const handler = d.lookup(r.method, ctx);
  if (!handler) {
    if (!hasId) return undefined;
    return errorResponse(id, RpcCode.MethodNotFound, `method not found: ${r.method.slice(0, 100)}`);
  }
  let response: JsonRpcResponse;
  try {
    const result = await handler(r.params, ctx);
    response = { jsonrpc: '2.0', id, result: result === undefined ? null : result };
  } catch (e) {
    if (!(e instanceof NamedError)) console.error(`[rpc] ${r.method} failed:`, e);
    response = { jsonrpc: '2.0', id, error: toRpcError(e) };
  }
  if (!hasId) return undefined;
  return response;
}

function serializeOne(res: JsonRpcResponse, limits: EnvelopeLimits): string {
  const text = JSON.stringify(res, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  if (Buffer.byteLength(text) > limits.maxResponseBytes) {
    return JSON.stringify(errorResponse(res.id, RpcCode.ResponseTooLarge, `response too large (limit ${limits.maxResponseBytes} bytes); narrow the query`));
  }
  return text;
}

/** Handles a request body. Returns the response text, or null when nothing must be sent back. */
export async function handleBody(body: string, d: Dispatcher, ctx: CallContext, limits: EnvelopeLimits): Promise<string | null> {
  if (jsonDepth(body) > MAX_JSON_DEPTH) return JSON.stringify(errorResponse(null, RpcCode.InvalidParams, `invalid params: JSON nested deeper than ${MAX_JSON_DEPTH} levels`, { name: 'NestingTooDeep' }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return JSON.stringify(errorResponse(null, RpcCode.ParseError, `parse error: ${(e as Error).message}`));
  }
  if (!Array.isArray(parsed)) {
    const res = await handleOne(parsed, d, ctx);
    return res ? serializeOne(res, limits) : null;
  }
  if (parsed.length === 0) return JSON.stringify(errorResponse(null, RpcCode.InvalidRequest, 'invalid request: empty batch'));
  if (parsed.length > limits.maxBatch) {
    const first = parsed[0] as Record<string, unknown> | null;
    const id = first && typeof first === 'object' && isId(first.id) ? first.id : null;
    return JSON.stringify(errorResponse(id, RpcCode.InvalidRequest, `batch too large: ${parsed.length} calls, the limit is ${limits.maxBatch}`));
  }
  const responses = await Promise.all(parsed.map((req) => handleOne(req, d, ctx)));
  const parts: string[] = [];
  let total = 2;
  for (const r of responses) {
    if (!r) continue;
    let text = serializeOne(r, limits);
    total += Buffer.byteLength(text) + 1;
    if (total > limits.maxResponseBytes) text = JSON.stringify(errorResponse(r.id, RpcCode.ResponseTooLarge, 'batch response too large; split the batch'));
    parts.push(text);
  }
  return parts.length === 0 ? null : `[${parts.join(',')}]`;
}

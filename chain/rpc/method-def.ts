/** What a JSON-RPC method is: its params schema, where it is served, and its handler. */
import { CodecError } from '../errors.js';
import type { StructType } from '../codec.js';
import { InvalidParams, type CallContext } from './jsonrpc.js';

export interface MethodDef {
  params: StructType<any>;
  /** Only over WebSocket (subscriptions). */
  wsOnly?: boolean;
  /** Only on a producing node. */
  producerOnly?: boolean;
  /** A `dev.*` helper: off with `--no-dev` and on any non-loopback bind. */
  dev?: boolean;
  description: string;
  handler(params: any, ctx: CallContext): Promise<unknown> | unknown;
}

export function parseParams(def: MethodDef, raw: unknown): any {
  try {
    return def.params.fromJson(raw === undefined ? [] : raw, 'params');
  } catch (e) {
    if (e instanceof CodecError) throw new InvalidParams(`invalid params: ${e.message}`);
    throw e;
  }
}

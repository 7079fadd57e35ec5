/**
 * The workload-session JSON-RPC methods of SPEC §5 (`sessionvm.*`). Each runs a module query at the
 * head and returns its JSON form. Parameters may be positional or by name; optional ones may be
 * left out.
 */
import { type Json, type StructType, t, type Type } from '../../../chain/index.js';
import type { NodeApi, RpcMethodDef } from '../../../chain/index.js';
import { workQueries } from './queries.js';

const MODULE = 'sessionwork';

/** A params struct whose optional (nullable) fields may be omitted in by-name form. */
function params<F extends Record<string, Type<any>>>(fields: F, optional: (keyof F & string)[] = []): StructType<F> {
  const base = t.struct(fields);
  return {
    ...base,
    fromJson(v: unknown, path?: string) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const filled: Record<string, unknown> = { ...(v as object) };
        for (const k of optional) if (!(k in filled)) filled[k] = null;
        return base.fromJson(filled, path);
      }
      if (Array.isArray(v) && v.length < base.keys.length) {
        const filled = [...v];
        while (filled.length < base.keys.length && optional.includes(base.keys[filled.length]!)) filled.push(null);
        return base.fromJson(filled, path);
      }
      return base.fromJson(v ?? {}, path);
    },
  };
}

function viaQuery<Q extends keyof typeof workQueries>(name: Q, p: StructType<any>, description: string): RpcMethodDef {
  const q = workQueries[name];
  return {
    params: p,
    description,
    async handler(node: NodeApi, args: unknown): Promise<Json> {
      const result = await node.query(node.moduleAddress(MODULE), name, args);
      return (q.returns as Type<unknown>).toJson(result);
    },
  };
}

export const workRpc: Record<string, RpcMethodDef> = {
  'sessionvm.GetWorkSession': viaQuery('getSession', params({ sessionId: t.bytes32 }), 'A workload session with its committee, state, roots and S1 record.'),
  'sessionvm.GetStep': viaQuery('getStep', params({ sessionId: t.bytes32, stepIndex: t.uint32 }), 'One step of a workload session with its oracle request.'),
  'sessionvm.GetPendingRequests': viaQuery(
    'getPendingRequests',
    params({ sessionId: t.optional(t.bytes32), nodeId: t.optional(t.bytes32) }, ['sessionId', 'nodeId']),
    'Open oracle requests, optionally of one session or for one committee node.',
  ),
  'sessionvm.GetCommittee': viaQuery('getCommittee', params({ sessionId: t.bytes32 }), 'The committee of a session, with the quorum size.'),
  'sessionvm.GetNode': viaQuery('getNode', params({ nodeId: t.bytes32 }), 'A service node: key, operator, endpoint, stake and status.'),
};

/**
 * JSON-RPC methods of the messaging SessionVM, with the seed's names and reply shapes:
 *
 *   sessionvm.CreateSession {tx}                      → {sessionId, expires}
 *   sessionvm.GetSession    {sessionId}               → {session}
 *   sessionvm.SendMessage   {tx}                      → {messageId, sequence}
 *   sessionvm.CloseSession  {tx}                      → {success}
 *   sessionvm.Health        {}                        → {healthy, sessions, channels, pending}
 *   sessionvm.GetMessages   {sessionId, fromSeq?, limit?} → {messages, next, firstSeq}
 *
 * State-changing methods take the signed transaction (`tx`, raw 0x hex) calling the matching
 * module method, and answer once its block is committed; a failed call becomes an RPC error named
 * like the receipt's (`unauthorized`, `session expired`, ...). IDs and bytes are 0x hex (upstream
 * used CB58); heights, sequence numbers and counts are JSON numbers; `expires` is a block height.
 */
import { decodeValue, NamedError, RpcCode, t, toHex, Transaction, type Json, type StructType, type Type } from '../../../chain/index.js';
import type { NodeApi, RpcMethodDef } from '../../../chain/index.js';
import { sessionIdFromIdentityId } from '../identity.js';
import { SESSIONVM_NAME } from './address.js';
import { fail, MessagingErrors } from './errors.js';
import * as S from './schemas.js';

const num = (v: bigint): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NamedError('InternalError', 'value exceeds the JSON safe integer range', { rpcCode: RpcCode.InternalError });
  return Number(v);
};

/** A by-name params struct whose listed keys may be left out. */
function withDefaults<F extends Record<string, Type<any>>>(struct: StructType<F>, defaults: Partial<Record<keyof F, unknown>>): StructType<F> {
  return {
    ...struct,
    fromJson(v, path) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) v = { ...defaults, ...(v as object) };
      return struct.fromJson(v, path);
    },
  };
}

const txParams = t.struct({ tx: t.bytes(4 * 1024 * 1024) });

async function submitCall<R>(node: NodeApi, raw: Uint8Array, method: string, returns: Type<R>): Promise<R> {
  let tx: Transaction;
  try {
    tx = Transaction.decode(raw);
  } catch (e) {
    throw new NamedError('InvalidParams', `tx is not a signed transaction: ${(e as Error).message}`, { rpcCode: RpcCode.InvalidParams });
  }
  const to = node.moduleAddress(SESSIONVM_NAME);
  if (tx.to !== to || tx.method !== method) {
    throw new NamedError('InvalidParams', `expected a signed ${SESSIONVM_NAME}.${method} transaction (to ${to}); this one calls ${tx.method} at ${tx.to}`, { rpcCode: RpcCode.InvalidParams });
  }
  const { receipt } = await node.submit(raw, { wait: true });
  if (!receipt) throw new NamedError('InternalError', 'the node returned no receipt', { rpcCode: RpcCode.InternalError });
  // The receipt's error, forwarded as it was recorded (a module's or the engine's name).
  if (receipt.status !== 1) throw new NamedError(receipt.error, receipt.errorMessage, { rpcCode: RpcCode.ExecutionFailed, data: { txHash: toHex(tx.hash) } });
  return decodeValue(returns, receipt.returnData, 'returnData');
}

export function sessionJson(s: S.SessionView): Json {
  return {
    sessionId: toHex(s.sessionId),
    creator: s.creator,
    status: s.status,
    envelopeVersion: s.envelopeVersion,
    createdHeight: num(s.createdHeight),
    createdAt: num(s.createdAt),
    expires: num(s.expires),
    nextSeq: num(s.nextSeq),
    firstSeq: num(s.firstSeq),
    endedAt: num(s.endedAt),
    participants: s.participants.map((p) => ({ id: toHex(p.id), identity: sessionIdFromIdentityId(p.id), kemKey: toHex(p.kemKey), dsaKey: toHex(p.dsaKey) })),
  };
}

export function messageJson(m: S.MessageView): Json {
  return {
    seq: num(m.seq),
    sender: toHex(m.sender),
    messageId: toHex(m.messageId),
    height: num(m.height),
    timestamp: num(m.timestamp),
    ciphertext: toHex(m.ciphertext),
    signature: toHex(m.signature),
  };
}

async function getSession(node: NodeApi, sessionId: Uint8Array): Promise<S.SessionView> {
  const s = await node.query<S.SessionView | null>(node.moduleAddress(SESSIONVM_NAME), 'getSession', { sessionId });
  if (!s) fail(MessagingErrors.UnknownSession, 'no session with this ID (it may have been pruned after its retention period)');
  return s;
}

export const messagingRpc: Record<string, RpcMethodDef> = {
  'sessionvm.CreateSession': {
    params: txParams,
    description: 'Submit a signed createSession transaction; answers {sessionId, expires (height)}.',
    async handler(node, { tx }: { tx: Uint8Array }) {
      const r = await submitCall(node, tx, 'createSession', S.createSessionResult);
      return { sessionId: toHex(r.sessionId), expires: num(r.expires) };
    },
  },
  'sessionvm.GetSession': {
    params: S.getSessionArgs,
    description: 'A session with its participants and their keys.',
    async handler(node, { sessionId }: { sessionId: Uint8Array }) {
      return { session: sessionJson(await getSession(node, sessionId)) };
    },
  },
  'sessionvm.SendMessage': {
    params: txParams,
    description: 'Submit a signed sendMessage transaction; answers {messageId, sequence}.',
    async handler(node, { tx }: { tx: Uint8Array }) {
      const r = await submitCall(node, tx, 'sendMessage', S.sendMessageResult);
      return { messageId: toHex(r.messageId), sequence: num(r.sequence) };
    },
  },
  'sessionvm.CloseSession': {
    params: txParams,
    description: 'Submit a signed closeSession transaction; answers {success}.',
    async handler(node, { tx }: { tx: Uint8Array }) {
      const r = await submitCall(node, tx, 'closeSession', S.closeSessionResult);
      return { success: r.success };
    },
  },
  'sessionvm.Health': {
    params: t.none,
    description: 'Stored sessions, open sessions (channels) and retained messages (pending).',
    async handler(node) {
      const h = await node.query<S.HealthView>(node.moduleAddress(SESSIONVM_NAME), 'health', {});
      return { healthy: h.healthy, sessions: num(h.sessions), channels: num(h.channels), pending: num(h.pending) };
    },
  },
  'sessionvm.GetMessages': {
    params: withDefaults(S.getMessagesArgs, { fromSeq: 0, limit: 0 }),
    description: `A page of a session's messages from fromSeq (default 0), at most limit (default and maximum ${S.MAX_PAGE}).`,
    async handler(node, args: { sessionId: Uint8Array; fromSeq: bigint; limit: number }) {
      const page = await node.query<S.MessagePage>(node.moduleAddress(SESSIONVM_NAME), 'getMessages', args);
      return { messages: page.messages.map(messageJson), next: num(page.next), firstSeq: num(page.firstSeq) };
    },
  },
};

/**
 * The messaging SessionVM over JSON-RPC, for the CLI and SDK users: builds and signs the
 * transactions, submits them through the `sessionvm.*` methods, and reads (decrypting locally).
 *
 *   const m = new MessagingRpcClient(new RpcClient(url));
 *   const { sessionId } = await m.createSession(payer, [alice, bob], { ttlBlocks: 100n });
 *   await m.sendMessage(payer, alice, sessionId, utf8('hi'));
 *   for (const msg of await m.readMessages(bob, sessionId)) ...
 */
import { type Identity, type PublicIdentity, SESSIONVM_ADDRESS, SESSIONVM_NAME } from '../../../vm/session/index.js';
import { equals, type Json, NamedError, type Signer, fromHex, toHex, type MethodDef } from '../../../chain/index.js';
import { RpcClient } from '../../rpc-client.js';
import { TxSender } from '../../sender.js';
import { closeSessionCall, createSessionCall, type CreateSessionOptions, type OpenedMessage, openMessage, sealMessage } from './client.js';
import * as S from '../../../vm/session/index.js';

export interface TxOptions {
  /** Skip the estimate and send with this gas limit (a failing call then fails on chain). */
  gasLimit?: bigint;
}

export type ReadResult = OpenedMessage | { seq: bigint; sender: string; error: string; message: string };

const METHOD_ARGS: Record<string, MethodDef['args']> = {
  createSession: S.createSessionArgs,
  sendMessage: S.sendMessageArgs,
  closeSession: S.closeSessionArgs,
};

/** Parses `sessionvm.GetSession`'s `session` back to typed values. */
export function sessionFromJson(j: Record<string, any>): S.SessionView {
  return S.sessionView.fromJson({ ...j, participants: (j.participants as Record<string, unknown>[]).map(({ id, kemKey, dsaKey }) => ({ id, kemKey, dsaKey })) }, 'session');
}

export function messageFromJson(j: Json): S.MessageView {
  return S.messageView.fromJson(j, 'message');
}

export class MessagingRpcClient {
  constructor(readonly rpc: RpcClient) {}

  /** Estimates gas (unless given), signs a call of the module and submits it through `rpcMethod`. */
  #send<R>(signer: Signer, method: keyof typeof METHOD_ARGS, args: unknown, rpcMethod: string, opts: TxOptions): Promise<R> {
    const sender = TxSender.for(this.rpc, signer);
    const call = { to: SESSIONVM_ADDRESS, method, def: { args: METHOD_ARGS[method]! }, args };
    return sender.sendWith(
      (nonce) => sender.unsigned(call, { gasLimit: opts.gasLimit, nonce }),
      (tx) => this.rpc.call<R>(`${SESSIONVM_NAME}.${rpcMethod}`, { tx: toHex(tx.raw) }),
    );
  }

  async createSession(signer: Signer, participants: readonly PublicIdentity[], opts: CreateSessionOptions & TxOptions = {}): Promise<{ sessionId: Uint8Array; expires: bigint }> {
    const r = await this.#send<{ sessionId: string; expires: number }>(signer, 'createSession', createSessionCall(participants, opts), 'CreateSession', opts);
    return { sessionId: fromHex(r.sessionId), expires: BigInt(r.expires) };
  }

  async getSession(sessionId: Uint8Array): Promise<S.SessionView> {
    const r = await this.rpc.call<{ session: Record<string, unknown> }>(`${SESSIONVM_NAME}.GetSession`, { sessionId: toHex(sessionId) });
    return sessionFromJson(r.session);
  }

  /** The signed arguments of the session's next message from `sender` (to send or relay). */
  async sealNext(sender: Identity, sessionId: Uint8Array, plaintext: Uint8Array): Promise<S.SendMessageArgs> {
    const s = await this.getSession(sessionId);
    return sealMessage(sender, s, s.nextSeq, plaintext);
  }

  async sendMessage(signer: Signer, sender: Identity, sessionId: Uint8Array, plaintext: Uint8Array, opts: TxOptions = {}): Promise<{ messageId: Uint8Array; sequence: bigint }> {
    const r = await this.#send<{ messageId: string; sequence: number }>(signer, 'sendMessage', await this.sealNext(sender, sessionId, plaintext), 'SendMessage', opts);
    return { messageId: fromHex(r.messageId), sequence: BigInt(r.sequence) };
  }

  async closeSession(signer: Signer, participant: Identity, sessionId: Uint8Array, opts: TxOptions = {}): Promise<{ success: boolean }> {
    return this.#send<{ success: boolean }>(signer, 'closeSession', closeSessionCall(participant, sessionId), 'CloseSession', opts);
  }

  /**
   * Every stored message from `fromSeq` on, checked and decrypted for `reader`. A message that
   * does not verify or decrypt is returned with its error instead of its plaintext.
   */
  async readMessages(reader: Identity, sessionId: Uint8Array, fromSeq = 0n): Promise<ReadResult[]> {
    const s = await this.getSession(sessionId);
    openMessageGuard(reader, s);
    const out: ReadResult[] = [];
    let next = fromSeq;
    for (;;) {
      const page = await this.rpc.call<{ messages: Json[]; next: number }>(`${SESSIONVM_NAME}.GetMessages`, { sessionId: toHex(sessionId), fromSeq: next.toString(), limit: S.MAX_PAGE });
      for (const j of page.messages) {
        const m = messageFromJson(j);
        try {
          out.push(openMessage(reader, s, m));
        } catch (e) {
          out.push({ seq: m.seq, sender: toHex(m.sender), error: (e as Error).name, message: (e as Error).message });
        }
      }
      if (page.messages.length === 0 || BigInt(page.next) <= next) break;
      next = BigInt(page.next);
    }
    return out;
  }

  health(): Promise<{ healthy: boolean; sessions: number; channels: number; pending: number }> {
    return this.rpc.call(`${SESSIONVM_NAME}.Health`, {});
  }
}

/** Fails early (one error rather than one per message) when the reader is not a participant. */
function openMessageGuard(reader: Identity, s: S.SessionView): void {
  if (!s.participants.some((p) => equals(p.id, reader.id))) {
    throw new NamedError('NotAParticipant', `${reader.sessionId} is not a participant of this session; only participants can read it`);
  }
}

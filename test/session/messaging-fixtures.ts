/** Shared helpers of the messaging SessionVM tests: a dev chain with the module and fixed identities. */
import { expect } from 'chai';
import { sha256 } from '@noble/hashes/sha2.js';
import { createDevChain, utf8, type DevChain, type Receipt, type SendResult, type Signer } from '../../sdk/chain.js';
import { Identity } from '../../vm/session/identity.js';
import { createSessionCall, sealMessage, closeSessionCall, type CreateSessionOptions, type SessionView, type MessagePage, type HealthView } from '../../sdk/session/index.js';

const cache = new Map<string, Identity>();
/** A deterministic identity per name (key generation is not free). */
export function identity(name: string): Identity {
  let id = cache.get(name);
  if (!id) {
    id = Identity.fromSeed(sha256(utf8(`test identity ${name}`)));
    cache.set(name, id);
  }
  return id;
}

export function messagingChain(params: Record<string, unknown> = {}, mining: 'auto' | 'manual' = 'auto'): Promise<DevChain> {
  return createDevChain({ mining, genesis: { modules: { sessionvm: params } } });
}

/** A fast (secp256k1) dev account that pays for transactions; the scheme does not matter here. */
export const payer = (chain: DevChain, i = 0): Signer => chain.signer(i, 'secp256k1');

export async function openSession(chain: DevChain, members: Identity[], opts: CreateSessionOptions = {}, from = 0): Promise<{ sessionId: Uint8Array; expires: bigint; height: bigint }> {
  const r = await chain.send<{ sessionId: Uint8Array; expires: bigint }>(payer(chain, from), 'sessionvm', 'createSession', createSessionCall(members, opts));
  expectOk(r.receipt);
  return { ...r.result, height: r.height };
}

export async function session(chain: DevChain, sessionId: Uint8Array): Promise<SessionView> {
  const s = await chain.call<SessionView | null>('sessionvm', 'getSession', { sessionId });
  expect(s, 'session exists').to.not.equal(null);
  return s!;
}

export function messages(chain: DevChain, sessionId: Uint8Array, fromSeq = 0n, limit = 0): Promise<MessagePage> {
  return chain.call<MessagePage>('sessionvm', 'getMessages', { sessionId, fromSeq, limit });
}

export function health(chain: DevChain): Promise<HealthView> {
  return chain.call<HealthView>('sessionvm', 'health', {});
}

/** Seals `text` from `sender` as the session's next message (or `seq`) and sends it. */
export async function say(chain: DevChain, sender: Identity, sessionId: Uint8Array, text: string, opts: { seq?: bigint; from?: number } = {}): Promise<SendResult<{ messageId: Uint8Array; sequence: bigint }>> {
  const s = await session(chain, sessionId);
  const args = sealMessage(sender, s, opts.seq ?? s.nextSeq, utf8(text));
  return chain.send(payer(chain, opts.from ?? 0), 'sessionvm', 'sendMessage', args);
}

export function close(chain: DevChain, who: Identity, sessionId: Uint8Array, from = 0) {
  return chain.send<{ success: boolean }>(payer(chain, from), 'sessionvm', 'closeSession', closeSessionCall(who, sessionId));
}

export function expectOk(receipt: Receipt): void {
  expect(receipt.error, receipt.errorMessage).to.equal('');
  expect(receipt.status).to.equal(1);
}

export function expectError(receipt: Receipt, name: string): void {
  expect(receipt.status, `expected ${name}`).to.equal(0);
  expect(receipt.error).to.equal(name);
  expect(receipt.events).to.deep.equal([]);
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

import { expect } from 'chai';
import { toHex, type DevChain, type Json, utf8 } from '../../sdk/chain.js';
import { closeSessionCall, createSessionCall, messagingModule, sealMessage, type SessionView } from '../../sdk/session/index.js';
import { identity, messagingChain, payer, session } from './messaging-fixtures.js';

/** Calls a `sessionvm.*` method the way the JSON-RPC server does: params from JSON, then the handler. */
async function rpc(chain: DevChain, method: string, params: unknown): Promise<Json> {
  const def = messagingModule.rpc![method];
  if (!def) throw new Error(`no RPC method ${method}`);
  return def.handler(chain.node, def.params.fromJson(params));
}

async function rpcError(chain: DevChain, method: string, params: unknown): Promise<Error & { rpcCode?: number; data?: Record<string, unknown> }> {
  try {
    await rpc(chain, method, params);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${method} did not fail`);
}

describe('sessionvm.* JSON-RPC (seed names and reply shapes)', function () {
  const alice = identity('alice');
  const bob = identity('bob');
  const carol = identity('carol');
  let chain: DevChain;
  afterEach(async () => chain?.stop());

  const signed = async (method: string, args: Record<string, unknown>, from = 0) => toHex((await chain.buildTx(payer(chain, from), 'sessionvm', method, args)).raw);

  it('CreateSession → {sessionId, expires}; GetSession → {session}', async () => {
    chain = await messagingChain();
    const created = (await rpc(chain, 'sessionvm.CreateSession', { tx: await signed('createSession', createSessionCall([alice, bob], { ttlBlocks: 10n })) })) as Record<string, Json>;
    expect(Object.keys(created).sort()).to.deep.equal(['expires', 'sessionId']);
    expect(created.sessionId).to.match(/^0x[0-9a-f]{64}$/);
    expect(created.expires).to.equal(Number(chain.node.head().height) + 10);

    const got = (await rpc(chain, 'sessionvm.GetSession', [created.sessionId])) as { session: Record<string, Json> };
    expect(Object.keys(got)).to.deep.equal(['session']);
    expect(got.session.sessionId).to.equal(created.sessionId);
    expect(got.session.status).to.equal('active');
    expect(got.session.expires).to.equal(created.expires);
    const members = got.session.participants as Record<string, string>[];
    expect(members.map((p) => p.identity).sort()).to.deep.equal([alice.sessionId, bob.sessionId].sort());
    expect(members.find((p) => p.identity === alice.sessionId)!.kemKey).to.equal(toHex(alice.kemPublicKey));
  });

  it('SendMessage → {messageId, sequence}; GetMessages pages; Health counts', async () => {
    chain = await messagingChain();
    const { sessionId } = (await rpc(chain, 'sessionvm.CreateSession', { tx: await signed('createSession', createSessionCall([alice, bob])) })) as { sessionId: string };
    const sid = Buffer.from(sessionId.slice(2), 'hex');
    for (let i = 0; i < 3; i++) {
      const s = await session(chain, sid);
      const reply = (await rpc(chain, 'sessionvm.SendMessage', { tx: await signed('sendMessage', sealMessage(alice, s, s.nextSeq, utf8(`hi ${i}`))) })) as Record<string, Json>;
      expect(Object.keys(reply).sort()).to.deep.equal(['messageId', 'sequence']);
      expect(reply.sequence).to.equal(i);
      expect(reply.messageId).to.match(/^0x[0-9a-f]{64}$/);
    }
    const page = (await rpc(chain, 'sessionvm.GetMessages', { sessionId, limit: 2 })) as { messages: Record<string, Json>[]; next: number; firstSeq: number };
    expect(page.messages.map((m) => m.seq)).to.deep.equal([0, 1]);
    expect(page.next).to.equal(2);
    const rest = (await rpc(chain, 'sessionvm.GetMessages', { sessionId, fromSeq: page.next })) as { messages: Record<string, Json>[] };
    expect(rest.messages.map((m) => m.seq)).to.deep.equal([2]);
    expect(rest.messages[0]!.sender).to.equal(toHex(alice.id));
    expect(await rpc(chain, 'sessionvm.Health', {})).to.deep.equal({ healthy: true, sessions: 1, channels: 1, pending: 3 });
    expect(await rpc(chain, 'sessionvm.Health', [])).to.deep.equal({ healthy: true, sessions: 1, channels: 1, pending: 3 });
  });

  it('CloseSession → {success}, and failures are RPC errors named like the receipt', async () => {
    chain = await messagingChain();
    const { sessionId } = (await rpc(chain, 'sessionvm.CreateSession', { tx: await signed('createSession', createSessionCall([alice, bob])) })) as { sessionId: string };
    const sid = Buffer.from(sessionId.slice(2), 'hex');
    const s: SessionView = await session(chain, sid);

    const intruder = sealMessage(alice, s, 0n, utf8('x'));
    const bad = await rpcError(chain, 'sessionvm.SendMessage', { tx: await signed('sendMessage', { ...intruder, sender: carol.id }) });
    expect(bad.name).to.equal('unauthorized');
    expect(bad.data?.txHash).to.match(/^0x[0-9a-f]{64}$/);

    expect(await rpc(chain, 'sessionvm.CloseSession', { tx: await signed('closeSession', closeSessionCall(bob, sid)) })).to.deep.equal({ success: true });
    const late = await rpcError(chain, 'sessionvm.SendMessage', { tx: await signed('sendMessage', sealMessage(alice, s, 0n, utf8('late'))) });
    expect(late.name).to.equal('session closed');
  });

  it('refuses a transaction for another method or module, bad hex and unknown sessions', async () => {
    chain = await messagingChain();
    const create = await signed('createSession', createSessionCall([alice, bob]));
    const wrongMethod = await rpcError(chain, 'sessionvm.SendMessage', { tx: create });
    expect(wrongMethod.name).to.equal('InvalidParams');
    expect(wrongMethod.message).to.match(/expected a signed sessionvm.sendMessage transaction/);
    const transfer = toHex((await chain.buildTx(payer(chain, 1), 'lux', 'transfer', { to: payer(chain, 2).address, amount: 1n })).raw);
    expect((await rpcError(chain, 'sessionvm.CreateSession', { tx: transfer })).name).to.equal('InvalidParams');
    expect((await rpcError(chain, 'sessionvm.CreateSession', { tx: '0x1234' })).name).to.equal('InvalidParams');
    expect((await rpcError(chain, 'sessionvm.CreateSession', { tx: 'zz' })).name).to.equal('InvalidEncoding');
    expect((await rpcError(chain, 'sessionvm.GetSession', { sessionId: toHex(new Uint8Array(32)) })).name).to.equal('unknown session');
    expect((await rpcError(chain, 'sessionvm.GetSession', { sessionId: '0x12' })).name).to.equal('InvalidEncoding');
    expect((await rpcError(chain, 'sessionvm.GetMessages', { sessionId: toHex(new Uint8Array(32)), limit: 500 })).name).to.equal('PageTooLarge');
    expect((await rpc(chain, 'sessionvm.Health', {})) as Record<string, Json>).to.deep.equal({ healthy: true, sessions: 0, channels: 0, pending: 0 });
  });
});

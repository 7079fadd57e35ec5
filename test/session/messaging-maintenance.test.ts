import { expect } from 'chai';
import { type DevChain } from '../../sdk/chain.js';
import { createSessionCall, MessagingErrors, SESSIONVM_ADDRESS } from '../../sdk/session/index.js';
import { close, expectError, expectOk, health, identity, messages, messagingChain, openSession, payer, say, session } from './messaging-fixtures.js';

const DAY = 86_400_000n;

describe('messaging SessionVM endBlock: expiry, retention, pruning', function () {
  const alice = identity('alice');
  const bob = identity('bob');
  let chain: DevChain;
  afterEach(async () => chain?.stop());

  const eventsAt = (height: bigint, name: string) => chain.node.chain.getEvents({ fromHeight: height, toHeight: height, address: SESSIONVM_ADDRESS, name });

  it('marks a session expired at its height and frees its channel', async () => {
    chain = await messagingChain({}, 'manual');
    const p = await chain.submit(payer(chain), 'sessionvm', 'createSession', createSessionCall([alice, bob], { ttlBlocks: 2n }));
    await chain.mine(1);
    const created = await p.receipt;
    const { expires } = created.result as { expires: bigint };
    await chain.mine(1); // height expires - 1
    expect((await health(chain)).channels).to.equal(1n);
    await chain.mine(1); // height expires
    expect(chain.node.head().height).to.equal(expires);
    expect(await eventsAt(expires, 'SessionExpired')).to.have.length(1);
    expect(await health(chain)).to.deep.include({ sessions: 1n, channels: 0n });
  });

  it('does at most maintenancePerBlock units of work per block and carries on in the next', async () => {
    chain = await messagingChain({ maintenancePerBlock: 3 }, 'manual');
    for (let i = 0; i < 5; i++) await chain.submit(payer(chain, i), 'sessionvm', 'createSession', createSessionCall([alice, bob], { ttlBlocks: 2n }));
    const [b] = await chain.mine(1);
    const expires = b!.block.header.height + 2n;
    await chain.mine(2);
    expect(await eventsAt(expires, 'SessionExpired')).to.have.length(3);
    expect((await health(chain)).channels).to.equal(2n);
    await chain.mine(1);
    expect(await eventsAt(expires + 1n, 'SessionExpired')).to.have.length(2);
    expect((await health(chain)).channels).to.equal(0n);
  });

  it('prunes messages retentionDays of block time after they were sent, not before', async () => {
    chain = await messagingChain({ retentionDays: 1 });
    const { sessionId } = await openSession(chain, [alice, bob]);
    for (const text of ['a', 'b', 'c']) expectOk((await say(chain, alice, sessionId, text)).receipt);
    const sent = (await messages(chain, sessionId)).messages;
    const firstAt = sent[0]!.timestamp;
    const lastAt = sent[2]!.timestamp;

    chain.setNextBlockTimestamp(firstAt + DAY - 1n);
    await chain.mine(1);
    expect((await health(chain)).pending).to.equal(3n);

    chain.setNextBlockTimestamp(lastAt + DAY);
    await chain.mine(1);
    expect((await health(chain)).pending).to.equal(0n);
    const page = await messages(chain, sessionId);
    expect(page.messages).to.deep.equal([]);
    expect(page.firstSeq).to.equal(3n);
    expect(page.next).to.equal(3n);
    const s = await session(chain, sessionId);
    expect(s.firstSeq).to.equal(3n);
    expect(s.status).to.equal('active');
    // The sequence goes on where it was.
    const next = await say(chain, bob, sessionId, 'd');
    expectOk(next.receipt);
    expect(next.result.sequence).to.equal(3n);
  });

  it('prunes an ended session after retention, its messages first, then answers `unknown session`', async () => {
    chain = await messagingChain({ retentionDays: 1, maintenancePerBlock: 3 }, 'auto');
    const { sessionId } = await openSession(chain, [alice, bob]);
    for (const text of ['a', 'b', 'c']) expectOk((await say(chain, alice, sessionId, text)).receipt);
    const c = await close(chain, bob, sessionId);
    expectOk(c.receipt);
    const endedAt = (await session(chain, sessionId)).endedAt;
    expect(endedAt > 0n).to.equal(true);

    chain.setNextBlockTimestamp(endedAt + DAY);
    const [b1] = await chain.mine(1); // budget 3: the expiry cursor's step to this height, two messages
    expect((await health(chain)).pending).to.equal(1n);
    expect(await eventsAt(b1!.block.header.height, 'SessionPruned')).to.have.length(0);
    const [b2] = await chain.mine(1); // last message, then the session
    expect(await eventsAt(b2!.block.header.height, 'SessionPruned')).to.have.length(1);
    expect(await health(chain)).to.deep.equal({ healthy: true, sessions: 0n, channels: 0n, pending: 0n });
    expect(await chain.call('sessionvm', 'getSession', { sessionId })).to.equal(null);
    expectError((await close(chain, alice, sessionId)).receipt, MessagingErrors.UnknownSession);
  });

  it('pages messages with getMessages', async () => {
    chain = await messagingChain();
    const { sessionId } = await openSession(chain, [alice, bob]);
    for (let i = 0; i < 5; i++) expectOk((await say(chain, alice, sessionId, `m${i}`)).receipt);
    const p1 = await messages(chain, sessionId, 0n, 2);
    expect(p1.messages.map((m) => m.seq)).to.deep.equal([0n, 1n]);
    expect(p1.next).to.equal(2n);
    const p2 = await messages(chain, sessionId, p1.next, 2);
    expect(p2.messages.map((m) => m.seq)).to.deep.equal([2n, 3n]);
    const p3 = await messages(chain, sessionId, p2.next, 2);
    expect(p3.messages.map((m) => m.seq)).to.deep.equal([4n]);
    expect(p3.next).to.equal(5n);
    expect((await messages(chain, sessionId, 99n, 2)).messages).to.deep.equal([]);
    expect((await messages(chain, sessionId, 99n, 2)).next).to.equal(5n);
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e.name);
    expect(await failure(messages(chain, sessionId, 0n, 101))).to.equal(MessagingErrors.PageTooLarge);
    expect(await failure(messages(chain, new Uint8Array(32), 0n, 1))).to.equal(MessagingErrors.UnknownSession);
  });
});

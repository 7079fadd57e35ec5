import { expect } from 'chai';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, createDevChain, fromHex, toAddress, u32be, u64be, utf8, type DevChain } from '../../sdk/chain.js';
import { builtinModules } from '../../genesis/index.js';
import { defineModule, method } from '../../chain/module/contract.js';
import { createSessionArgs } from '../../vm/session/messaging/schemas.js';
import { messageSigningPayload, createSessionCall, sealMessage, MessagingErrors, SESSIONVM_ADDRESS } from '../../sdk/session/index.js';
import { close, expectError, expectOk, health, hex, identity, messages, messagingChain, openSession, payer, say, session } from './messaging-fixtures.js';

const E = MessagingErrors;

describe('messaging SessionVM', function () {
  const alice = identity('alice');
  const bob = identity('bob');
  const carol = identity('carol');
  let chain: DevChain;
  afterEach(async () => chain?.stop());

  describe('createSession', () => {
    it('opens a session whose ID is the [P] formula over creator, nonce and sorted participants', async () => {
      chain = await messagingChain();
      const creator = payer(chain, 3);
      const { nonce } = await chain.call<{ nonce: bigint }>('lux', 'getAccount', { address: creator.address });
      const r = await chain.send<{ sessionId: Uint8Array; expires: bigint }>(creator, 'sessionvm', 'createSession', createSessionCall([bob, alice], { ttlBlocks: 50n }));
      expectOk(r.receipt);

      const [first, second] = hex(alice.id) < hex(bob.id) ? [alice, bob] : [bob, alice];
      const expected = sha256(
        concat(utf8('LUX:SessionVM:v1'), new Uint8Array(12), fromHex(creator.address), u64be(nonce), u32be(2), first.id, second.id, sha256(concat(first.kemPublicKey, second.kemPublicKey))),
      );
      expect(hex(r.result.sessionId)).to.equal(hex(expected));
      expect(r.result.expires).to.equal(r.height + 50n);
      expect(r.receipt.events.map((e) => e.name)).to.deep.equal(['SessionCreated']);

      const s = await session(chain, r.result.sessionId);
      expect(s.status).to.equal('active');
      expect(s.creator).to.equal(creator.address);
      expect(s.createdHeight).to.equal(r.height);
      expect(s.expires).to.equal(r.height + 50n);
      expect(s.envelopeVersion).to.equal(2);
      expect(s.nextSeq).to.equal(0n);
      expect(s.participants.map((p) => hex(p.id))).to.deep.equal([hex(first.id), hex(second.id)]);
      expect(hex(s.participants[0]!.kemKey)).to.equal(hex(first.kemPublicKey));
      expect(hex(s.participants[1]!.dsaKey)).to.equal(hex(second.dsaPublicKey));
      expect(await health(chain)).to.deep.equal({ healthy: true, sessions: 1n, channels: 1n, pending: 0n });
    });

    it('takes the default TTL for 0 and records the envelope version', async () => {
      chain = await messagingChain({ sessionTtlBlocks: 77 });
      const { sessionId, expires, height } = await openSession(chain, [alice, bob], { envelopeVersion: 1 });
      expect(expires).to.equal(height + 77n);
      expect((await session(chain, sessionId)).envelopeVersion).to.equal(1);
    });

    it('TestSessionIDGeneration: 100 sessions get 100 distinct IDs', async () => {
      chain = await messagingChain({}, 'manual');
      const pending = [];
      for (let i = 0; i < 100; i++) pending.push(await chain.submit(payer(chain, i % 3), 'sessionvm', 'createSession', createSessionCall([alice, bob])));
      await chain.mine(1);
      const ids = new Set<string>();
      for (const p of pending) {
        const r = await p.receipt;
        expectOk(r.receipt);
        ids.add(hex((r.result as { sessionId: Uint8Array }).sessionId));
      }
      expect(ids.size).to.equal(100);
      expect((await health(chain)).sessions).to.equal(100n);
    });

    it('refuses bad participant lists with named errors and changes nothing', async () => {
      chain = await messagingChain({ maxParticipants: 3 });
      const send = (args: ReturnType<typeof createSessionCall>) => chain.send(payer(chain), 'sessionvm', 'createSession', args);
      expectError((await send(createSessionCall([]))).receipt, E.NoParticipants);
      expectError((await send(createSessionCall([alice, bob, carol, identity('dave')]))).receipt, E.TooManyParticipants);
      expectError((await send(createSessionCall([alice, bob, alice]))).receipt, E.DuplicateParticipant);
      expectOk((await send(createSessionCall([alice, bob, carol]))).receipt);
      expect((await health(chain)).sessions).to.equal(1n);
    });

    it('allows at most 32 participants by default', async () => {
      chain = await messagingChain();
      const many = Array.from({ length: 33 }, (_, i) => identity(`member ${i}`));
      expectError((await chain.send(payer(chain), 'sessionvm', 'createSession', createSessionCall(many))).receipt, E.TooManyParticipants);
      const { sessionId } = await openSession(chain, many.slice(0, 32));
      expect((await session(chain, sessionId)).participants).to.have.length(32);
    });

    it('refuses a TTL above maxTtlBlocks and unknown envelope versions', async () => {
      chain = await messagingChain({ maxTtlBlocks: 1000, sessionTtlBlocks: 10 });
      const send = (args: ReturnType<typeof createSessionCall>) => chain.send(payer(chain), 'sessionvm', 'createSession', args);
      expectError((await send(createSessionCall([alice, bob], { ttlBlocks: 1001n }))).receipt, E.TtlTooLong);
      expectOk((await send(createSessionCall([alice, bob], { ttlBlocks: 1000n }))).receipt);
      expectError((await send({ ...createSessionCall([alice, bob]), envelopeVersion: 3 })).receipt, E.InvalidEnvelopeVersion);
      expectError((await send({ ...createSessionCall([alice, bob]), envelopeVersion: 0 })).receipt, E.InvalidEnvelopeVersion);
    });

    it('a module creating the same session twice in one transaction gets SessionExists; the creator is the origin', async () => {
      const probe = defineModule({
        name: 'probe',
        address: toAddress('0x5052' + '00'.repeat(18)),
        methods: {
          createTwice: method({
            args: createSessionArgs,
            handler: async (ctx, args) => {
              await ctx.call(SESSIONVM_ADDRESS, 'createSession', args);
              await ctx.call(SESSIONVM_ADDRESS, 'createSession', args);
            },
          }),
          createOnce: method({ args: createSessionArgs, handler: (ctx, args) => ctx.call(SESSIONVM_ADDRESS, 'createSession', args) }),
        },
      });
      chain = await createDevChain({ modules: [...builtinModules(), probe] });
      expectError((await chain.send(payer(chain), 'probe', 'createTwice', createSessionCall([alice, bob]))).receipt, E.SessionExists);
      const once = await chain.send(payer(chain), 'probe', 'createOnce', createSessionCall([alice, bob]));
      expectOk(once.receipt);
      const created = once.receipt.events.find((e) => e.name === 'SessionCreated')!;
      expect(created.topics[2]!.subarray(12)).to.deep.equal(fromHex(payer(chain).address));
    });

    it('caps open sessions at maxChannels; closing one frees a channel', async () => {
      chain = await messagingChain({ maxChannels: 2 });
      const a = await openSession(chain, [alice, bob]);
      await openSession(chain, [alice, carol]);
      const third = await chain.send(payer(chain), 'sessionvm', 'createSession', createSessionCall([bob, carol]));
      expectError(third.receipt, E.TooManyChannels);
      expectOk((await close(chain, alice, a.sessionId)).receipt);
      expect((await health(chain)).channels).to.equal(1n);
      await openSession(chain, [bob, carol]);
      expect(await health(chain)).to.deep.include({ sessions: 3n, channels: 2n });
    });
  });

  describe('sendMessage', () => {
    it('TestMessageSequencing: messages get sequence 0..4 and the spec message IDs', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      for (let i = 0; i < 5; i++) {
        const r = await say(chain, i % 2 ? bob : alice, sessionId, `message ${i}`);
        expectOk(r.receipt);
        expect(r.result.sequence).to.equal(BigInt(i));
        expect(r.receipt.events.map((e) => e.name)).to.deep.equal(['MessageSent']);
      }
      const page = await messages(chain, sessionId);
      expect(page.messages.map((m) => m.seq)).to.deep.equal([0n, 1n, 2n, 3n, 4n]);
      expect(page.next).to.equal(5n);
      for (const m of page.messages) {
        const expectedId = sha256(concat(utf8('LUX:SessionMsg:v1'), sessionId, u64be(m.seq), sha256(m.ciphertext)));
        expect(hex(m.messageId)).to.equal(hex(expectedId));
        expect(hex(m.sender)).to.equal(hex(m.seq % 2n ? bob.id : alice.id));
      }
      expect((await session(chain, sessionId)).nextSeq).to.equal(5n);
      expect((await health(chain)).pending).to.equal(5n);
    });

    it('any account may relay a participant-signed message', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      expectOk((await say(chain, alice, sessionId, 'via account 7', { from: 7 })).receipt);
    });

    it('TestSendMessageUnauthorized: a non-participant is rejected `unauthorized`', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const s = await session(chain, sessionId);
      const args = sealMessage(alice, s, 0n, utf8('x'));
      const signedByCarol = { ...args, sender: carol.id, senderKey: carol.dsaPublicKey, signature: carol.sign(messageSigningPayload(sessionId, 0n, args.ciphertext)) };
      expectError((await chain.send(payer(chain), 'sessionvm', 'sendMessage', signedByCarol)).receipt, E.Unauthorized);
      expect((await session(chain, sessionId)).nextSeq).to.equal(0n);
    });

    it('impersonating a participant is `unauthorized` (wrong key or wrong signature)', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const args = sealMessage(alice, await session(chain, sessionId), 0n, utf8('x'));
      const carolSig = carol.sign(messageSigningPayload(sessionId, 0n, args.ciphertext));
      const withCarolKey = { ...args, senderKey: carol.dsaPublicKey, signature: carolSig };
      const withAliceKey = { ...args, signature: carolSig };
      expectError((await chain.send(payer(chain), 'sessionvm', 'sendMessage', withCarolKey)).receipt, E.Unauthorized);
      expectError((await chain.send(payer(chain), 'sessionvm', 'sendMessage', withAliceKey)).receipt, E.Unauthorized);
      expectOk((await chain.send(payer(chain), 'sessionvm', 'sendMessage', args)).receipt);
    });

    it('a tampered ciphertext is rejected `unauthorized` and stores nothing', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const args = sealMessage(alice, await session(chain, sessionId), 0n, utf8('pay bob 5'));
      const tampered = args.ciphertext.slice();
      tampered[tampered.length - 1]! ^= 1;
      expectError((await chain.send(payer(chain), 'sessionvm', 'sendMessage', { ...args, ciphertext: tampered })).receipt, E.Unauthorized);
      expect((await messages(chain, sessionId)).messages).to.deep.equal([]);
      expect((await health(chain)).pending).to.equal(0n);
    });

    it('a replayed or out-of-order message is `SequenceMismatch`', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const first = sealMessage(alice, await session(chain, sessionId), 0n, utf8('once'));
      expectOk((await chain.send(payer(chain), 'sessionvm', 'sendMessage', first)).receipt);
      const replay = await chain.send(payer(chain, 1), 'sessionvm', 'sendMessage', first);
      expectError(replay.receipt, E.SequenceMismatch);
      expect(replay.receipt.errorMessage).to.match(/next \(1\)/);
      expectError((await say(chain, bob, sessionId, 'skip', { seq: 2n })).receipt, E.SequenceMismatch);
      expect((await session(chain, sessionId)).nextSeq).to.equal(1n);
    });

    it('the signature is pre-verified at admission (signatures() hook): execution hits the cache', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const cache = chain.node.chain.executor.sigCache;
      const before = { hits: cache.hits, misses: cache.misses };
      expectOk((await say(chain, alice, sessionId, 'cached')).receipt);
      expect(cache.hits - before.hits).to.equal(1);
      expect(cache.misses - before.misses).to.equal(0);
    });

    it('limits: MessageTooLarge over maxCiphertextBytes, TooManyMessages past maxMessages', async () => {
      chain = await messagingChain({ maxCiphertextBytes: 3000, maxMessages: 2 });
      const { sessionId } = await openSession(chain, [alice, bob]);
      expectError((await say(chain, alice, sessionId, 'x'.repeat(500))).receipt, E.MessageTooLarge);
      expectOk((await say(chain, alice, sessionId, 'one')).receipt);
      expectOk((await say(chain, bob, sessionId, 'two')).receipt);
      expectError((await say(chain, alice, sessionId, 'three')).receipt, E.TooManyMessages);
    });

    it('ciphertexts up to 64 KiB are accepted, one byte more is MessageTooLarge', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const raw = (n: number, seq: bigint) => {
        const ciphertext = new Uint8Array(n).fill(0xab);
        return { sessionId, sender: alice.id, seq, ciphertext, senderKey: alice.dsaPublicKey, signature: alice.sign(messageSigningPayload(sessionId, seq, ciphertext)) };
      };
      expectError((await chain.send(payer(chain), 'sessionvm', 'sendMessage', raw(65537, 0n))).receipt, E.MessageTooLarge);
      expectOk((await chain.send(payer(chain), 'sessionvm', 'sendMessage', raw(65536, 0n))).receipt);
      expect((await messages(chain, sessionId)).messages[0]!.ciphertext.length).to.equal(65536);
    });
  });

  describe('closeSession, expiry and the order of checks', () => {
    it('TestCloseNonExistentSession: closing or sending to an unknown session is `unknown session`', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const unknown = sha256(utf8('nope'));
      expectError((await close(chain, alice, unknown)).receipt, E.UnknownSession);
      const args = sealMessage(alice, await session(chain, sessionId), 0n, utf8('x'));
      const toUnknown = { ...args, sessionId: unknown, signature: alice.sign(messageSigningPayload(unknown, 0n, args.ciphertext)) };
      expectError((await chain.send(payer(chain), 'sessionvm', 'sendMessage', toUnknown)).receipt, E.UnknownSession);
      expect(await chain.call('sessionvm', 'getSession', { sessionId: unknown })).to.equal(null);
    });

    it('TestSendMessageToClosedSession: after close, sending is `session closed`; close is idempotent', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const s = await session(chain, sessionId);
      const r1 = await close(chain, bob, sessionId);
      expectOk(r1.receipt);
      expect(r1.result.success).to.equal(true);
      expect(r1.receipt.events.map((e) => e.name)).to.deep.equal(['SessionClosed']);
      const r2 = await close(chain, alice, sessionId);
      expectOk(r2.receipt);
      expect(r2.receipt.events).to.deep.equal([]);
      expect(await health(chain)).to.deep.include({ channels: 0n });
      expect((await session(chain, sessionId)).status).to.equal('closed');
      expectError((await chain.send(payer(chain), 'sessionvm', 'sendMessage', sealMessage(alice, s, 0n, utf8('late')))).receipt, E.SessionClosed);
    });

    it('only participants may close, with a valid signature', async () => {
      chain = await messagingChain();
      const { sessionId } = await openSession(chain, [alice, bob]);
      const other = await openSession(chain, [alice, bob]);
      expectError((await close(chain, carol, sessionId)).receipt, E.Unauthorized);
      const { closeSessionCall } = await import('../../sdk/session/index.js');
      const forOther = closeSessionCall(alice, other.sessionId);
      expectError((await chain.send(payer(chain), 'sessionvm', 'closeSession', { ...forOther, sessionId })).receipt, E.Unauthorized);
      expectError((await chain.send(payer(chain), 'sessionvm', 'closeSession', { ...closeSessionCall(alice, sessionId), participantKey: bob.dsaPublicKey })).receipt, E.Unauthorized);
      expect((await session(chain, sessionId)).status).to.equal('active');
    });

    it('expires at its height: messages before it are accepted, at it `session expired`', async () => {
      chain = await messagingChain();
      const { sessionId, height, expires } = await openSession(chain, [alice, bob], { ttlBlocks: 3n });
      expect(expires).to.equal(height + 3n);
      const r1 = await say(chain, alice, sessionId, 'one');
      const r2 = await say(chain, bob, sessionId, 'two');
      expectOk(r1.receipt);
      expectOk(r2.receipt);
      expect(r2.height).to.equal(expires - 1n);
      const r3 = await say(chain, alice, sessionId, 'too late');
      expect(r3.height).to.equal(expires);
      expectError(r3.receipt, E.SessionExpired);
      const s = await session(chain, sessionId);
      expect(s.status).to.equal('expired');
      expect(s.nextSeq).to.equal(2n);
      expect((await health(chain)).channels).to.equal(0n);
      // Closing an expired session succeeds and changes nothing.
      const c = await close(chain, alice, sessionId);
      expectOk(c.receipt);
      expect(c.receipt.events).to.deep.equal([]);
      expect((await session(chain, sessionId)).status).to.equal('expired');
    });

    it('checks in the §1.9 order: unknown, closed, expired, then unauthorized', async () => {
      chain = await messagingChain();
      const closed = await openSession(chain, [alice, bob], { ttlBlocks: 3n });
      const expiring = await openSession(chain, [alice, bob], { ttlBlocks: 3n });
      const carolTo = async (sid: Uint8Array) => {
        const ciphertext = utf8('c');
        const args = { sessionId: sid, sender: carol.id, seq: 0n, ciphertext, senderKey: carol.dsaPublicKey, signature: carol.sign(messageSigningPayload(sid, 0n, ciphertext)) };
        return (await chain.send(payer(chain), 'sessionvm', 'sendMessage', args)).receipt;
      };
      expectOk((await close(chain, alice, closed.sessionId)).receipt);
      // Both are now past their expiry height; the closed one still answers `session closed`.
      expectError(await carolTo(closed.sessionId), E.SessionClosed);
      expectError(await carolTo(expiring.sessionId), E.SessionExpired);
      const live = await openSession(chain, [alice, bob]);
      expectError(await carolTo(live.sessionId), E.Unauthorized);
    });
  });

  it('lives at its fixed address', async () => {
    chain = await messagingChain();
    expect(chain.address('sessionvm')).to.equal(SESSIONVM_ADDRESS);
  });
});

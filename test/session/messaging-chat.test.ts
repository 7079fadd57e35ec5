/**
 * Acceptance 2 of issue 4, in process: Alice and Bob chat through the chain, only they can read
 * it, a third key is refused, the session expires at its height, replays and tampering are refused.
 * (The same flow through the CLI against a devnet process is in messaging-cli.test.ts.)
 */
import { expect } from 'chai';
import { fromUtf8, utf8, type DevChain } from '../../sdk/chain.js';
import { decryptFrom, generateIdentity } from '../../vm/session/identity.js';
import { closeSessionCall, createSessionCall, openMessage, sealMessage, decodeBundle, MessagingErrors as E } from '../../sdk/session/index.js';
import { expectError, expectOk, messages, messagingChain, payer, session } from './messaging-fixtures.js';

const ONE_LUX = 10n ** 18n;

describe('two-party encrypted chat (acceptance 2, in process)', function () {
  let chain: DevChain;
  afterEach(async () => chain?.stop());

  it('Alice and Bob talk; Carol can neither read nor write; replay, tampering and expiry are refused', async () => {
    chain = await messagingChain();
    const alice = generateIdentity();
    const bob = generateIdentity();
    const carol = generateIdentity();

    // Alice's identity key is also an ML-DSA-65 account: fund it and let her pay for herself.
    const aliceAccount = alice.accountSigner();
    expectOk((await chain.send(payer(chain), 'lux', 'transfer', { to: aliceAccount.address, amount: 10n * ONE_LUX })).receipt);

    const created = await chain.send<{ sessionId: Uint8Array; expires: bigint }>(aliceAccount, 'sessionvm', 'createSession', createSessionCall([alice, bob], { ttlBlocks: 8n }));
    expectOk(created.receipt);
    const { sessionId, expires } = created.result;
    let view = await session(chain, sessionId);

    const hello = sealMessage(alice, view, 0n, utf8('hi bob, it is alice'));
    expectOk((await chain.send(aliceAccount, 'sessionvm', 'sendMessage', hello)).receipt);
    view = await session(chain, sessionId);
    const reply = sealMessage(bob, view, 1n, utf8('hello alice'));
    const replyTx = await chain.send(payer(chain, 1), 'sessionvm', 'sendMessage', reply);
    expectOk(replyTx.receipt);

    const page = await messages(chain, sessionId);
    expect(page.messages).to.have.length(2);
    view = await session(chain, sessionId);
    const byBob = page.messages.map((m) => openMessage(bob, view, m));
    const byAlice = page.messages.map((m) => openMessage(alice, view, m));
    expect(byBob.map((m) => fromUtf8(m.plaintext))).to.deep.equal(['hi bob, it is alice', 'hello alice']);
    expect(byAlice.map((m) => fromUtf8(m.plaintext))).to.deep.equal(['hi bob, it is alice', 'hello alice']);
    expect(byBob.map((m) => m.sender)).to.deep.equal([alice.sessionId, bob.sessionId]);

    // Carol sees the ciphertexts on chain but opens none of the envelopes.
    expect(() => openMessage(carol, view, page.messages[0]!)).to.throw().with.property('name', 'NotAParticipant');
    for (const m of page.messages) {
      for (const entry of decodeBundle(m.ciphertext)) {
        expect(() => decryptFrom(carol.kemSecretKey, entry.envelope)).to.throw().with.property('name', 'ErrDecryptionFailed');
      }
    }
    // A node that alters a stored message is caught by the reader's own signature check.
    const altered = { ...page.messages[0]!, ciphertext: page.messages[1]!.ciphertext };
    expect(() => openMessage(bob, view, altered)).to.throw().with.property('name', 'InvalidMessageSignature');

    // Carol writing into the session: refused, whoever relays it.
    const intruder = sealMessage(carol, { ...view, participants: [...view.participants, { id: carol.id, kemKey: carol.kemPublicKey, dsaKey: carol.dsaPublicKey }] }, 2n, utf8('let me in'));
    expectError((await chain.send(payer(chain, 2), 'sessionvm', 'sendMessage', intruder)).receipt, E.Unauthorized);
    expectError((await chain.send(payer(chain, 2), 'sessionvm', 'closeSession', closeSessionCall(carol, sessionId))).receipt, E.Unauthorized);

    // Replays: the same transaction is refused at admission; the same message in a new one by sequence.
    const resent = await chain.node.submit(replyTx.tx.raw).then(() => undefined, (e: Error) => e.name);
    expect(resent).to.equal('AlreadyKnown');
    const again = await chain.send(payer(chain, 4), 'sessionvm', 'sendMessage', hello);
    expectError(again.receipt, E.SequenceMismatch);
    // Tampering: a flipped byte breaks Alice's signature.
    const next = sealMessage(alice, view, 2n, utf8('pay carol'));
    const tampered = next.ciphertext.slice();
    tampered[100]! ^= 0x80;
    expectError((await chain.send(aliceAccount, 'sessionvm', 'sendMessage', { ...next, ciphertext: tampered })).receipt, E.Unauthorized);
    expectOk((await chain.send(aliceAccount, 'sessionvm', 'sendMessage', next)).receipt);

    // Expiry at its height.
    while (chain.node.head().height < expires - 1n) await chain.mine(1);
    const late = await chain.send(payer(chain, 1), 'sessionvm', 'sendMessage', sealMessage(bob, await session(chain, sessionId), 3n, utf8('still there?')));
    expect(late.height).to.equal(expires);
    expectError(late.receipt, E.SessionExpired);
    expect((await session(chain, sessionId)).status).to.equal('expired');
  });
});

import { expect } from 'chai';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromUtf8, mldsaAddress, toAddress, toHex, utf8 } from '../../sdk/chain.js';
import { encryptTo, generateIdentity, type Identity } from '../../vm/session/identity.js';
import {
  computeMessagingSessionId,
  encodeBundle,
  identityFromFile,
  messageSigningPayload,
  openMessage,
  publicIdentityFileJson,
  publicIdentityFromFile,
  sealMessage,
  secretIdentityFileJson,
  sortParticipants,
  type MessageView,
  type SessionView,
} from '../../sdk/session/index.js';
import { identity } from './messaging-fixtures.js';

/** A session view as GetSession would return it (no chain needed for the client functions). */
function viewOf(members: Identity[], envelopeVersion = 2): SessionView {
  const participants = sortParticipants(members.map((m) => ({ id: m.id, kemKey: m.kemPublicKey, dsaKey: m.dsaPublicKey })));
  const creator = toAddress(new Uint8Array(20).fill(1));
  return {
    sessionId: computeMessagingSessionId(creator, 0n, participants),
    creator,
    status: 'active',
    envelopeVersion,
    createdHeight: 1n,
    createdAt: 0n,
    expires: 100n,
    nextSeq: 0n,
    firstSeq: 0n,
    endedAt: 0n,
    participants,
  };
}

function asStored(args: ReturnType<typeof sealMessage>): MessageView {
  return { seq: args.seq, sender: args.sender, messageId: new Uint8Array(32), height: 2n, timestamp: 0n, ciphertext: args.ciphertext, signature: args.signature };
}

const errorName = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).name;
  }
  return 'no error';
};

describe('messaging client (seal / open, identity files)', function () {
  const alice = identity('alice');
  const bob = identity('bob');
  const carol = identity('carol');

  it('seals one envelope per participant; each opens it, with the sender named', () => {
    for (const version of [1, 2]) {
      const s = viewOf([alice, bob, carol], version);
      const sealed = sealMessage(alice, s, 0n, utf8('to all'));
      for (const reader of [alice, bob, carol]) {
        const opened = openMessage(reader, s, asStored(sealed));
        expect(fromUtf8(opened.plaintext)).to.equal('to all');
        expect(opened.sender).to.equal(alice.sessionId);
      }
    }
  });

  it('refuses a reader outside the session, a message without the reader\'s envelope, and a bad signature', () => {
    const s = viewOf([alice, bob]);
    const sealed = sealMessage(alice, s, 0n, utf8('hi'));
    expect(errorName(() => openMessage(carol, s, asStored(sealed)))).to.equal('NotAParticipant');

    const bobIndex = s.participants.findIndex((p) => toHex(p.id) === toHex(bob.id));
    const onlyBob = encodeBundle([{ recipient: bobIndex, envelope: encryptTo(bob.kemPublicKey, utf8('just bob')) }]);
    const msg = { ...sealed, ciphertext: onlyBob, signature: alice.sign(messageSigningPayload(s.sessionId, 0n, onlyBob)) };
    expect(fromUtf8(openMessage(bob, s, asStored(msg)).plaintext)).to.equal('just bob');
    expect(errorName(() => openMessage(alice, s, asStored(msg)))).to.equal('NotForYou');

    expect(errorName(() => openMessage(bob, s, { ...asStored(sealed), seq: 1n }))).to.equal('InvalidMessageSignature');
    expect(errorName(() => openMessage(bob, s, { ...asStored(sealed), sender: carol.id }))).to.equal('InvalidMessageSignature');
  });

  it('refuses to seal a message that will not fit in 64 KiB once encrypted to everyone', () => {
    const many = Array.from({ length: 32 }, (_, i) => identity(`member ${i}`));
    const s = viewOf(many);
    expect(sealMessage(many[0]!, s, 0n, new Uint8Array(800)).ciphertext.length).to.be.at.most(65536);
    expect(errorName(() => sealMessage(many[0]!, s, 0n, new Uint8Array(1000)))).to.equal('MessageTooLarge');
  });

  describe('identity files', () => {
    const id = generateIdentity(sha256(utf8('file test')));

    it('round-trip: the secret file gives the identity back, the public file its public part', () => {
      const secret = JSON.parse(JSON.stringify(secretIdentityFileJson(id)));
      const pub = JSON.parse(JSON.stringify(publicIdentityFileJson(id)));
      expect(identityFromFile(secret).sessionId).to.equal(id.sessionId);
      expect(publicIdentityFromFile(pub).sessionId).to.equal(id.sessionId);
      expect(publicIdentityFromFile(secret).sessionId).to.equal(id.sessionId);
      expect(pub).to.not.have.property('seed');
      expect(pub.account).to.equal(mldsaAddress(id.dsaPublicKey));
    });

    it('refuses broken files with ErrInvalidIdentityFile', () => {
      const secret = secretIdentityFileJson(id);
      const other = secretIdentityFileJson(generateIdentity(sha256(utf8('other'))));
      const cases: unknown[] = [
        null,
        [],
        { ...secret, type: 'something-else' },
        { ...secret, version: 2 },
        { ...secret, sessionId: other.sessionId },
        { ...secret, seed: other.seed },
        { ...secret, seed: '0x1234' },
        { ...secret, kemPublicKey: 'not hex' },
        publicIdentityFileJson(id),
      ];
      for (const c of cases) expect(errorName(() => identityFromFile(c)), JSON.stringify(c)?.slice(0, 60)).to.equal('ErrInvalidIdentityFile');
      expect(errorName(() => publicIdentityFromFile({ ...secret, kemPublicKey: '0x00' }))).to.equal('ErrInvalidPublicKey');
    });
  });
});

/**
 * Determinism: a follower that re-executes the blocks of a messaging history (sessions, messages,
 * failures, closes, expiries, pruning in endBlock) reproduces every root; importBlock checks the
 * state, receipts and extra roots of each block and throws on the first difference.
 */
import { expect } from 'chai';
import { importBlock, Node, toHex, utf8, type DevChain } from '../../sdk/chain.js';
import { devGenesis, startNode } from '../../genesis/index.js';
import { closeSessionCall, createSessionCall, sealMessage } from '../../sdk/session/index.js';
import { identity, messagingChain, payer, session } from './messaging-fixtures.js';

const PARAMS = { retentionDays: 1, maintenancePerBlock: 4 };

describe('messaging SessionVM replay', function () {
  let chain: DevChain;
  let follower: Node | undefined;
  afterEach(async () => {
    await chain?.stop();
    await follower?.stop();
  });

  it('a follower re-executing the blocks ends with the same state root and the same sessions', async () => {
    chain = await messagingChain(PARAMS, 'manual');
    const [alice, bob, carol] = [identity('alice'), identity('bob'), identity('carol')];
    const p1 = await chain.submit(payer(chain, 0), 'sessionvm', 'createSession', createSessionCall([alice, bob], { ttlBlocks: 3n }));
    const p2 = await chain.submit(payer(chain, 1), 'sessionvm', 'createSession', createSessionCall([bob, carol], { ttlBlocks: 50n }));
    await chain.mine(1);
    const s1 = ((await p1.receipt).result as { sessionId: Uint8Array }).sessionId;
    const s2 = ((await p2.receipt).result as { sessionId: Uint8Array }).sessionId;
    const v1 = await session(chain, s1);
    const v2 = await session(chain, s2);
    await chain.submit(payer(chain, 2), 'sessionvm', 'sendMessage', sealMessage(alice, v1, 0n, utf8('a0')));
    await chain.submit(payer(chain, 3), 'sessionvm', 'sendMessage', sealMessage(carol, v2, 0n, utf8('c0')));
    const asCarol = { ...v1, participants: [...v1.participants, { id: carol.id, kemKey: carol.kemPublicKey, dsaKey: carol.dsaPublicKey }] };
    const intruder = await chain.submit(payer(chain, 4), 'sessionvm', 'sendMessage', sealMessage(carol, asCarol, 1n, utf8('intruder')));
    await chain.mine(1);
    expect((await intruder.receipt).receipt.error).to.equal('unauthorized');
    await chain.submit(payer(chain, 2), 'sessionvm', 'sendMessage', sealMessage(bob, v1, 1n, utf8('b1')));
    await chain.submit(payer(chain, 3), 'sessionvm', 'closeSession', closeSessionCall(bob, s2));
    await chain.mine(3); // s1 expires on the way
    chain.setNextBlockTimestamp(chain.node.head().timestamp + 2n * 86_400_000n);
    await chain.mine(3); // retention: messages, then both ended sessions, are pruned
    const head = chain.node.head();

    follower = await startNode({ memory: true, genesis: devGenesis({ modules: { sessionvm: PARAMS } }), produce: false });
    for (let h = 1n; h <= head.height; h++) {
      const block = await chain.node.chain.getBlock(h);
      await importBlock(follower.chain, follower.verifier, block!);
    }
    expect(toHex(follower.head().stateRoot)).to.equal(toHex(head.stateRoot));
    const addr = chain.address('sessionvm');
    expect(await follower.query(addr, 'health', {})).to.deep.equal(await chain.node.query(addr, 'health', {}));
    expect(await follower.query(addr, 'health', {})).to.deep.equal({ healthy: true, sessions: 0n, channels: 0n, pending: 0n });
    const pruned = await chain.node.chain.getEvents({ fromHeight: 1n, toHeight: head.height, address: addr, name: 'SessionPruned' });
    expect(pruned).to.have.length(2);
  });
});

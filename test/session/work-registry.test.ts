/**
 * The service node registry on chain: stake in module custody, the status machine of spec §1.7 with
 * the [P] rules (stake checked, proof of key possession, unbonding, slashing is terminal), and every
 * registry error through a real transaction.
 */
import { expect } from 'chai';
import { type DevChain } from '../../sdk/chain.js';
import { SESSION_WORK_ADDRESS } from '../../sdk/session/index.js';
import { block, fails, ok, ONE, registerArgs, send, testNode, workChain } from './work-fixture.js';

describe('session work: node registry', function () {
  let chain: DevChain;
  before(async () => {
    chain = await workChain({ maxActiveNodes: 2 });
  });
  after(async () => chain?.stop());

  it('registers with stake moved into custody, then walks registered → active → suspended → active → exited', async () => {
    const n = testNode(10, chain);
    const bal0 = await chain.balance(n.operator.address);
    const custody0 = await chain.balance(SESSION_WORK_ADDRESS);
    const r = await send(chain, n.operator, 'registerNode', registerArgs(n, 1500n * ONE));
    expect(r.receipt.status, r.receipt.errorMessage).to.equal(1);
    expect(Buffer.from(r.result).toString('hex')).to.equal(Buffer.from(n.id).toString('hex'));
    expect(await chain.balance(n.operator.address)).to.equal(bal0 - 1500n * ONE - r.receipt.gasUsed * 1_000_000_000n);
    expect(await chain.balance(SESSION_WORK_ADDRESS)).to.equal(custody0 + 1500n * ONE);
    const status = async () => (await chain.call<any>('sessionwork', 'getNode', { nodeId: n.id })).status;
    expect(await status()).to.equal('registered');
    const node = await chain.call<any>('sessionwork', 'getNode', { nodeId: n.id });
    expect([node.operator, node.endpoint, node.stake]).to.deep.equal([n.operator.address, n.endpoint, 1500n * ONE]);
    expect(Buffer.from(node.publicKey).equals(Buffer.from(n.key.publicKey))).to.equal(true);

    await fails(chain, n.operator, 'suspendNode', { nodeId: n.id, reason: 'x' }, 'InvalidNodeStatus');
    await ok(chain, n.operator, 'activateNode', { nodeId: n.id });
    expect(await status()).to.equal('active');
    await fails(chain, n.operator, 'activateNode', { nodeId: n.id }, 'InvalidNodeStatus');
    await ok(chain, n.operator, 'suspendNode', { nodeId: n.id, reason: 'maintenance' });
    const suspended = await chain.call<any>('sessionwork', 'getNode', { nodeId: n.id });
    expect([suspended.status, suspended.reason]).to.deep.equal(['suspended', 'maintenance']);
    expect(await chain.call<Uint8Array[]>('sessionwork', 'getActiveNodes', {})).to.have.length(0);
    await ok(chain, n.operator, 'activateNode', { nodeId: n.id });
    await ok(chain, n.operator, 'heartbeat', { nodeId: n.id });
    await ok(chain, n.operator, 'exitNode', { nodeId: n.id });
    expect(await status()).to.equal('exited');
    await fails(chain, n.operator, 'exitNode', { nodeId: n.id }, 'InvalidNodeStatus');
    await fails(chain, n.operator, 'activateNode', { nodeId: n.id }, 'InvalidNodeStatus');

    // the stake unbonds for unbondingBlocks (5), then goes back to the operator once
    await fails(chain, n.operator, 'withdrawStake', { nodeId: n.id }, 'StakeLocked');
    await chain.mine(4);
    const before = await chain.balance(n.operator.address);
    const w = await send(chain, n.operator, 'withdrawStake', { nodeId: n.id });
    expect(w.receipt.status, w.receipt.errorMessage).to.equal(1);
    expect(await chain.balance(n.operator.address)).to.equal(before + 1500n * ONE - w.receipt.gasUsed * 1_000_000_000n);
    await fails(chain, n.operator, 'withdrawStake', { nodeId: n.id }, 'NothingToWithdraw');
    // the endpoint is free again after exit
    const again = testNode(11, chain);
    await ok(chain, again.operator, 'registerNode', registerArgs(again, 1000n * ONE, n.endpoint));
  });

  it('refuses bad registrations by name and takes no stake', async () => {
    const n = testNode(20, chain);
    const other = testNode(21, chain);
    const bal0 = await chain.balance(n.operator.address);
    const custody0 = await chain.balance(SESSION_WORK_ADDRESS);
    const rs = await block(chain, [
      [n.operator, 'registerNode', registerArgs(n, 999n * ONE)],
      [n.operator, 'registerNode', { ...registerArgs(n), proof: other.key.signRaw(new Uint8Array(32)) }],
      [n.operator, 'registerNode', { ...registerArgs(n), proof: registerArgs(n).proof.map((b, i) => (i === 10 ? b ^ 1 : b)) }],
      [n.operator, 'registerNode', registerArgs(n, 1000n * ONE, '')],
      [n.operator, 'registerNode', registerArgs(n, 10_000_000n * ONE)],
    ]);
    expect(rs.map((r) => r.receipt.error)).to.deep.equal(['InsufficientStake', 'InvalidProofOfPossession', 'InvalidProofOfPossession', 'InvalidEndpoint', 'InsufficientBalance']);
    const fees = rs.reduce((a, r) => a + r.receipt.gasUsed * 1_000_000_000n, 0n);
    expect(await chain.balance(n.operator.address)).to.equal(bal0 - fees);
    expect(await chain.balance(SESSION_WORK_ADDRESS)).to.equal(custody0);
    // a proof made for another operator does not transfer: the operator is in the signed message
    const stolen = { ...registerArgs(n), proof: registerArgs({ ...n, operator: chain.signer(5, 'secp256k1') }).proof };
    await fails(chain, n.operator, 'registerNode', stolen, 'InvalidProofOfPossession');

    await ok(chain, n.operator, 'registerNode', registerArgs(n));
    await fails(chain, n.operator, 'registerNode', registerArgs(n), 'NodeExists');
    await fails(chain, other.operator, 'registerNode', registerArgs(other, 1000n * ONE, n.endpoint), 'EndpointTaken');
    await fails(chain, other.operator, 'activateNode', { nodeId: n.id }, 'NotNodeOperator');
    await fails(chain, other.operator, 'activateNode', { nodeId: other.id }, 'NodeNotFound');
  });

  it('caps the active set at maxActiveNodes', async () => {
    const ns = [30, 31, 32].map((i) => testNode(i, chain));
    for (const n of ns) await ok(chain, n.operator, 'registerNode', registerArgs(n));
    const active = (await chain.call<Uint8Array[]>('sessionwork', 'getActiveNodes', {})).length;
    for (const n of ns.slice(0, 2 - active)) await ok(chain, n.operator, 'activateNode', { nodeId: n.id });
    await fails(chain, ns[2]!.operator, 'activateNode', { nodeId: ns[2]!.id }, 'TooManyActiveNodes');
  });
});

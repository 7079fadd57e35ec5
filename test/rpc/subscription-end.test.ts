/**
 * RpcClient subscriptions that end without their unsubscribe function (the node stopped, or dropped
 * the socket) tell `onEnd` with SubscriptionEnded; unsubscribed ones do not; none are kept.
 */
import { expect } from 'chai';
import { RpcServer, type Node } from '../../sdk/chain.js';
import { RpcClient, SubscriptionEnded } from '../../sdk/index.js';
import { startNode } from '../../genesis/index.js';
import { until } from '../helpers/until.js';

describe('RpcClient: a subscription whose WebSocket closes ends with SubscriptionEnded', function () {
  this.timeout(60_000);
  let node: Node;

  beforeEach(async () => {
    node = await startNode({ memory: true, verifier: { threads: 0 } });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('the node stops: onEnd hears it once per live subscription, with the close code; unsubscribed ones stay silent', async () => {
    const server = new RpcServer(node, { port: 0 });
    const c = new RpcClient((await server.listen()).url);
    const ended: SubscriptionEnded[] = [];
    const heads: number[] = [];
    await c.subscribe('newHeads', (h) => heads.push(h.height), { onEnd: (e) => ended.push(e) });
    await c.subscribe('events', { name: 'Transfer' }, () => {}, { onEnd: (e) => ended.push(e) });
    const unsubscribe = await c.subscribe('newHeads', () => {}, { onEnd: () => expect.fail('an unsubscribed subscription must not end') });
    await unsubscribe();
    await node.mine(1);
    await until('the new head', async () => heads.length > 0);
    expect(heads).to.deep.equal([1]);

    await server.close();
    await until('both subscriptions to end', async () => ended.length >= 2);
    expect(ended).to.have.length(2);
    for (const e of ended) {
      expect(e).to.be.instanceOf(SubscriptionEnded);
      expect(e.name).to.equal('SubscriptionEnded');
      expect(e.code).to.be.a('number').and.to.be.at.least(1000);
      expect(e.message).to.match(/subscribe again/);
    }
    c.close();
  });

  it('a new subscription after the end works on a new socket, and the old callbacks are gone', async () => {
    const server = new RpcServer(node, { port: 0 });
    const { url } = await server.listen();
    const port = Number(new URL(url).port);
    const c = new RpcClient(url);
    const first: number[] = [];
    let ends = 0;
    await c.subscribe('newHeads', (h) => first.push(h.height), { onEnd: () => ends++ });
    await server.close();
    await until('the subscription to end', async () => ends > 0);
    expect(ends).to.equal(1);

    const again = new RpcServer(node, { port });
    await again.listen();
    const second: number[] = [];
    await c.subscribe('newHeads', (h) => second.push(h.height));
    await node.mine(1);
    await until('the new head on the new socket', async () => second.length > 0);
    expect(second).to.deep.equal([1]);
    expect(first).to.deep.equal([]); // the ended subscription's callback is not called again
    c.close();
    await again.close();
  });
});

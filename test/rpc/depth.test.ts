/**
 * Issue 12, "deep JSON": params nested 50k–100k deep answered -32603 from a stack overflow. A linear
 * scan before parsing refuses anything nested deeper than MAX_JSON_DEPTH with -32602 NestingTooDeep,
 * over HTTP and WebSocket, and the node goes on.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Node, RpcServer, startNode, jsonDepth, preview, MAX_JSON_DEPTH } from '../../sdk/chain.js';
import { rawRequest, rpcCall } from '../helpers/jsonrpc.js';
import { openWs } from '../helpers/ws.js';

const nested = (depth: number, open = '[', close = ']', inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

describe('JSON nesting limit (issue 12)', function () {
  this.timeout(60_000);
  let node: Node;
  let server: RpcServer;
  let url: string;
  before(async () => {
    node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
    server = new RpcServer(node, { port: 0 });
    url = (await server.listen()).url;
  });
  after(async () => {
    await server.close();
    await node.stop();
  });

  it('params nested 50k and 100k deep → -32602 NestingTooDeep (not -32603), and blocks keep coming', async () => {
    for (const depth of [50_000, 100_000]) {
      for (const body of [
        `{"jsonrpc":"2.0","id":7,"method":"chain.GetBlock","params":${nested(depth)}}`,
        `{"jsonrpc":"2.0","id":7,"method":"chain.GetTransaction","params":${nested(depth)}}`, // was -32603 (stack overflow)
        `{"jsonrpc":"2.0","id":7,"method":"dev.Mine","params":[${nested(depth)}]}`, // was -32603
        `{"jsonrpc":"2.0","id":7,"method":"chain.Call","params":{"to":"lux","method":"balanceOf","args":${nested(depth, '{"a":', '}')}}}`,
        `[${nested(depth)}]`,
      ]) {
        const r = await rawRequest(url, { body });
        expect(r.status).to.equal(200);
        const env = JSON.parse(r.body);
        expect(env.error.code, r.body.slice(0, 200)).to.equal(-32602);
        expect(env.error.data.name).to.equal('NestingTooDeep');
        expect(env.id).to.equal(null);
      }
    }
    const before = node.chain.head.height;
    expect((await rpcCall(url, 'dev.Mine', [1])).result.head.height).to.equal(Number(before) + 1);
  });

  it('the same over WebSocket', async () => {
    const u = await openWs(url.replace('http', 'ws'));
    if (!u.ok) throw new Error(`upgrade refused: ${u.status}`);
    const reply = new Promise<any>((resolve) => u.ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    u.ws.send(`{"jsonrpc":"2.0","id":1,"method":"chain.Head","params":${nested(60_000)}}`);
    const env = await reply;
    expect(env.error.code).to.equal(-32602);
    expect(env.error.data.name).to.equal('NestingTooDeep');
    u.ws.close();
  });

  it('up to the limit the request is parsed and judged on its params; brackets inside strings do not count', async () => {
    const atLimit = await rpcCall(url, 'chain.GetBlock', JSON.parse(nested(MAX_JSON_DEPTH - 2)));
    expect(atLimit.error?.code).to.equal(-32602);
    expect(atLimit.error?.data?.name).to.equal('InvalidParams');
    const brackets = await rpcCall(url, 'chain.Call', ['lux', '['.repeat(10_000), []]);
    expect(brackets.error?.data?.name).to.not.equal('NestingTooDeep');
  });

  it('jsonDepth agrees with the structure of any JSON value (strings with brackets and escapes included)', () => {
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (v) => {
        expect(jsonDepth(JSON.stringify(v), 1000)).to.equal(depthOf(v));
      }),
      { seed: 1207, numRuns: 500 },
    );
    expect(jsonDepth(nested(10_000), 128)).to.equal(129); // the scan stops past the limit
    expect(jsonDepth('"\\"[[["', 128)).to.equal(0);
  });

  it('jsonDepth on any text (invalid JSON too) counts as a character-by-character scanner would', () => {
    // The model: one character at a time; inside a string a backslash skips the next character.
    const model = (text: string, limit: number): number => {
      let depth = 0;
      let max = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '[' || c === '{') {
          max = Math.max(max, ++depth);
          if (max > limit) return max;
        } else if (c === ']' || c === '}') depth--;
      }
      return max;
    };
    const text = fc.array(fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ',', ':'), { maxLength: 200 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 20 }), (t, limit) => {
        expect(jsonDepth(t, limit)).to.equal(model(t, limit));
      }),
      { seed: 1208, numRuns: 3000 },
    );
  });
});

describe('error messages of deep values', () => {
  it('preview() of a value too deep to render names its type instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(preview(deep)).to.equal('an array');
    expect(preview({ a: 1 })).to.equal('{"a":1}');
  });
});

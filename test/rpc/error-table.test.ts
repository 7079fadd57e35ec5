/**
 * Issue 12: "dev.SetBalance above 2^256-1 answers code -32000, which the README's table does not
 * list". Every code the node can emit comes from RpcCode (no literal codes in the sources), and every
 * RpcCode, HTTP status, WebSocket close code and RPC-level error name of the server is in the README.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcCode, WsClose } from '../../sdk/chain.js';
import { ROOT } from '../helpers/processes.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const rpcSection = readme.slice(readme.indexOf('## JSON-RPC reference'), readme.indexOf('## Architecture'));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
const nodeSources = ['chain', 'vm', 'precompiles', 'genesis'].flatMap(sources).map((f) => ({ f, text: readFileSync(join(ROOT, f), 'utf8') }));

describe('the README lists every error the node emits (issue 12)', () => {
  it('every RpcCode is a row of the JSON-RPC error table', () => {
    const rows = new Set([...rpcSection.matchAll(/^\| `(-32\d{3})` \|/gm)].map((m) => Number(m[1])));
    const missing = Object.entries(RpcCode).filter(([, code]) => !rows.has(code));
    expect(missing, `not in the README table: ${missing.map(([n, c]) => `${n} ${c}`).join(', ')}`).to.deep.equal([]);
  });

  it('the node sources only ever use RpcCode constants (no literal codes the table could miss)', () => {
    const literal = nodeSources.flatMap(({ f, text }) => [...text.matchAll(/rpcCode:\s*-?\d+|errorResponse\([^,]+,\s*-?\d+/g)].map((m) => `${f}: ${m[0]}`));
    expect(literal).to.deep.equal([]);
  });

  it('every HTTP status and WebSocket close code of the server is documented', () => {
    const server = ['chain/rpc/server.ts', 'chain/rpc/limits.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const statuses = new Set([...server.matchAll(/(?:#send\(res, |refuseUpgrade\(socket, |status: )(\d{3})/g)].map((m) => m[1]!));
    expect(statuses.size).to.be.greaterThan(8); // the pattern really finds them
    for (const s of statuses) expect(rpcSection, `HTTP ${s}`).to.match(new RegExp(`\\b${s}\\b`));
    for (const [name, code] of Object.entries(WsClose)) expect(rpcSection, `close code ${name}`).to.include(String(code));
  });

  it('every error name the RPC layer gives is documented', () => {
    const rpc = sources('chain/rpc')
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n');
    const names = new Set([...rpc.matchAll(/(?:boundedUint\(|NamedError\(|name: )'([A-Z][A-Za-z]+)'/g)].map((m) => m[1]!));
    for (const n of ['TimestampOutOfRange', 'TimestampLimitReached', 'NestingTooDeep', 'OriginNotAllowed', 'HostNotAllowed']) names.add(n);
    expect(names.size).to.be.greaterThan(10);
    const missing = [...names].filter((n) => !rpcSection.includes(n));
    expect(missing, `not in the README: ${missing.join(', ')}`).to.deep.equal([]);
  });
});

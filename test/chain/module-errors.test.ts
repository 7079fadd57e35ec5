/**
 * Typed error names: every module declares its error names in one table and fails through it, so a
 * receipt's `error`, a query's RPC `error.data.name` and the table are the same strings.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDevChain, engineErrors, RpcClient, RpcError, RpcServer, startNode } from '../../sdk/chain.js';
import { ROOT } from '../helpers/processes.js';

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('module error names', function () {
  it('every built-in module declares its error names', async () => {
    const chain = await createDevChain();
    try {
      for (const m of chain.node.chain.registry.modules) {
        expect(m.def.errors, `${m.def.name} declares no errors`).to.be.an('array').that.is.not.empty;
        expect(new Set(m.def.errors).size, `${m.def.name} lists a name twice`).to.equal(m.def.errors!.length);
      }
    } finally {
      await chain.stop();
    }
  });

  it('module code throws only through its table (no free-string ModuleError outside chain/)', () => {
    const offenders = [...files('vm'), ...files('precompiles')].filter((f) => !f.endsWith('errors.ts') && /new ModuleError\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).to.deep.equal([]);
  });

  it('a failing transaction records a declared name in its receipt', async () => {
    const chain = await createDevChain();
    try {
      const poor = chain.signer(0);
      const { receipt } = await chain.send(poor, 'lux', 'transfer', { to: chain.signer(1).address, amount: 10n ** 40n });
      expect(receipt.status).to.equal(0);
      expect(receipt.error).to.equal('InsufficientBalance');
      expect(chain.node.chain.registry.byName('lux')!.def.errors).to.include(receipt.error);
    } finally {
      await chain.stop();
    }
  });

  it('a failed call records the declared name in its receipt and RPC error.data.name carries the same string', async () => {
    const node = await startNode({ memory: true, verifier: { threads: 0 } });
    const server = new RpcServer(node, { port: 0 });
    const { url } = await server.listen();
    const rpc = new RpcClient(url);
    try {
      const lux = node.chain.registry.byName('lux')!.def;
      // A query that fails inside the module: balance of an unknown token via tip20 fails with a declared name.
      const err = await rpc.query('0x20c0000000000000000000000000000000000999', 'balanceOf', { account: '0x' + '11'.repeat(20) }).then(
        () => undefined,
        (e) => e as RpcError,
      );
      expect(err).to.be.instanceOf(RpcError);
      const tip20 = node.chain.registry.byName('tip20')!.def;
      expect(tip20.errors).to.include(err!.name);
      expect(err!.data?.name ?? err!.name).to.equal(err!.name);
      // An engine failure (unknown query) is named from the engine's table.
      const unknown = await rpc.query(lux.address, 'noSuchQuery', {}).then(
        () => undefined,
        (e) => e as RpcError,
      );
      expect(engineErrors.names).to.include(unknown!.name);
    } finally {
      rpc.close();
      await server.close();
      await node.stop();
    }
  });
});

import { expect } from 'chai';
import { DevChain, toHex, utf8, t, toAddress } from '../../sdk/chain.js';
import { defineModule, method } from '../../chain/module/contract.js';
import { builtinModules, startNode } from '../../genesis/index.js';
import { tempDir, removeDir } from '../helpers/processes.js';

/** A module that mutates, in place, the bytes it read from state before writing them back. */
const MUTATOR = toAddress('0x4d55544154450000000000000000000000000000');
const mutator = defineModule({
  name: 'mutator',
  address: MUTATOR,
  methods: {
    bump: method({
      args: t.none,
      handler: async (ctx) => {
        const v = (await ctx.state.get(utf8('v'))) ?? new Uint8Array(8);
        v[7] = (v[7]! + 1) & 0xff; // in place
        ctx.state.set(utf8('v'), v);
        v[0] = 0xee; // after set: must not leak into the pending value
      },
    }),
  },
  queries: {},
});

describe('state values are never aliased', function () {
  it('mutating values read from state (and after writing them) changes nothing behind the module\'s back, on disk too', async () => {
    const dir = tempDir();
    try {
      for (let round = 0; round < 3; round++) {
        // A restart in between makes values come back from classic-level as Buffers.
        const node = await startNode({ dataDir: dir, modules: [...builtinModules(), mutator], verifier: { threads: 0 } });
        const c = new DevChain(node);
        const r = await c.send(c.signer(0, 'secp256k1'), 'mutator', 'bump');
        expect(r.receipt.status).to.equal(1);
        const v = await node.readState(MUTATOR, utf8('v'));
        expect(toHex(v!)).to.equal('0x00000000000000' + (round + 1).toString(16).padStart(2, '0'));
        await node.stop();
      }
    } finally {
      removeDir(dir);
    }
  });
});

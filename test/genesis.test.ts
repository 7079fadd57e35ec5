import { expect } from 'chai';
import { join } from 'node:path';
import { devGenesis, devGenesisDoc, loadGenesis, readGenesisFile, builtinModules } from '../genesis/index.js';
import { canonicalJson, writeGenesisFile, GenesisError, type GenesisDoc } from '../sdk/chain.js';
import { toHex, keccak256, utf8 } from '../sdk/chain.js';
import { tempDir, removeDir } from './helpers/processes.js';

const withDoc = (f: (d: any) => void): GenesisDoc => {
  const d = JSON.parse(JSON.stringify(devGenesisDoc()));
  f(d);
  return d;
};

function rejects(doc: unknown, re: RegExp): void {
  expect(() => loadGenesis(doc)).to.throw(GenesisError, re);
}

describe('genesis', () => {
  it('the default devnet genesis lists every module at its address and validates', () => {
    const g = devGenesis();
    for (const m of builtinModules()) expect((g.doc.modules as Record<string, { address: string }>)[m.name]!.address).to.equal(m.address);
    expect(g.chainId).to.equal(1337n);
    expect(toHex(g.hash)).to.equal(toHex(keccak256(utf8(canonicalJson(g.doc)))));
  });

  it('canonical JSON is independent of key order and whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } })).to.equal('{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
    const doc = devGenesisDoc();
    const shuffled = Object.fromEntries(Object.entries(doc).reverse());
    expect(toHex(loadGenesis(shuffled).hash)).to.equal(toHex(loadGenesis(doc).hash));
  });

  it('write → validate round-trips through a file', () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'g.json');
      writeGenesisFile(file, devGenesisDoc({ chainId: 77 }));
      const g = readGenesisFile(file);
      expect(g.chainId).to.equal(77n);
    } finally {
      removeDir(dir);
    }
  });

  it('refuses bad documents with messages that name the field', () => {
    rejects(null, /JSON object/);
    rejects(withDoc((d) => (d.chainId = 0)), /chainId/);
    rejects(withDoc((d) => (d.chainId = 1.5)), /chainId/);
    rejects(withDoc((d) => (d.timestamp = -1)), /timestamp/);
    rejects(withDoc((d) => (d.producer = '0x12')), /producer/);
    rejects(withDoc((d) => (d.extra = 1)), /unknown genesis field "extra"/);
    rejects(withDoc((d) => (d.params.gasPrice = '1')), /unknown params field "gasPrice"/);
    rejects(withDoc((d) => (d.params.minGasPrice = '-1')), /minGasPrice/);
    rejects(withDoc((d) => (d.params.maxTxBytes = 10)), /maxTxBytes/);
    rejects(withDoc((d) => (d.modules.lux.address = '0x' + '11'.repeat(20))), /modules\.lux\.address .* lives at/);
    rejects(withDoc((d) => (d.modules.nope = {})), /unknown module "nope"/);
    rejects(withDoc((d) => (d.modules.dev = 5)), /modules\.dev must be an object/);
    rejects(withDoc((d) => (d.alloc = { '0x12': '1' })), /lux/);
    rejects(withDoc((d) => (d.alloc[Object.keys(d.alloc)[0]!] = '1.5')), /alloc/);
  });
});

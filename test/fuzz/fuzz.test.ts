/**
 * The fuzz targets (test/fuzz/targets.ts) at a few hundred cases each, fixed seeds; `npm run fuzz --
 * --cases N` runs them at length. A failure prints the reproducing input and how to replay it.
 */
import { expect } from 'chai';
import { FUZZ_TARGETS } from './targets.js';
import { failureReport } from './report.js';

const CASES: Record<string, number> = { 'tx-codec': 300, 'voucher-codec': 400, jsonrpc: 400 };

describe('fuzzing (issue 12): tx codec, voucher codec, JSON-RPC surface', function () {
  this.timeout(120_000);
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: ${target.description}`, async () => {
      const d = await target.run({ numRuns: CASES[target.name] ?? 200, seed: 1207 });
      if (d.failed) console.error(failureReport(target.name, d));
      expect(d.failed, d.failed ? failureReport(target.name, d) : '').to.equal(false);
      expect(d.numRuns).to.equal(CASES[target.name] ?? 200);
    });
  }
});

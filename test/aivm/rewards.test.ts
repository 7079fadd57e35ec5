import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { capabilityBonusPct, computeClass, computeReward, confidentialComputeOf, legacyMerkleRoot, legacyReceiptHash } from '../../vm/aivm/rewards.js';

const S = (...parts: (Buffer | Uint8Array)[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

describe('aivm legacy rewards (§2.2)', () => {
  it('reproduces the spec examples', () => {
    expect(computeReward({ computeMs: 500, gpuModel: 'NVIDIA H100 80GB', uptimePpm: 950_000 })).to.equal(1_785_000_000_000_000n);
    expect(computeReward({ computeMs: 500, gpuModel: 'A100', uptimePpm: 950_000 })).to.equal(1_650_000_000_000_000n);
    expect(computeReward({ computeMs: 500, gpuModel: 'RTX 4090', uptimePpm: 950_000 })).to.equal(1_590_000_000_000_000n);
    expect(computeReward({ computeMs: 50, gpuModel: 'A100', uptimePpm: 950_000 })).to.equal(1_155_000_000_000_000n);
    expect(computeReward({ computeMs: 500, gpuModel: 'A100', uptimePpm: 999_000 })).to.equal(1_815_000_000_000_000n);
    expect(computeReward({ computeMs: 20_000, gpuModel: 'GB200', uptimePpm: 999_000 })).to.equal(4_092_000_000_000_000n);
  });

  it('classifies by the first matching keyword class', () => {
    expect(computeClass('gb200 nvl').name).to.equal('frontier-datacenter');
    expect(computeClass('  NVIDIA GH200 ').name).to.equal('premium-datacenter');
    expect(computeClass('DGX Spark').name).to.equal('prosumer');
    expect(computeClass('Intel Xeon').name).to.equal('cpu');
    expect(confidentialComputeOf('DGX Spark GB10')).to.equal('none');
    expect(confidentialComputeOf('RTX PRO 6000 Blackwell')).to.equal('capable-gpu-tee');
    expect(capabilityBonusPct('H200')).to.equal(19n);
    expect(capabilityBonusPct('')).to.equal(1n);
  });

  it('is monotone in the uptime bonus and never below the base for fast tasks', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.string(), fc.nat(1_000_000), (ms, model, up) => {
        const r = computeReward({ computeMs: ms, gpuModel: model, uptimePpm: up });
        const full = computeReward({ computeMs: ms, gpuModel: model, uptimePpm: 1_000_000 });
        expect(full >= r).to.equal(true);
        expect(r >= 10n ** 15n).to.equal(true);
      }),
    );
  });

  it('receipt hash is SHA256 of the plain concatenation; the root sorts by job id and duplicates odd tails', () => {
    const m = new Uint8Array(32).fill(1);
    const i = new Uint8Array(32).fill(2);
    const o = new Uint8Array(32).fill(3);
    const h = legacyReceiptHash({ jobId: 'job', providerId: 'prov', modelHash: m, inputHash: i, outputHash: o });
    expect(Buffer.from(h)).to.deep.equal(S(Buffer.from('jobprov'), m, i, o));
    const hs = ['b', 'a', 'c'].map((j) => ({ jobId: j, hash: S(Buffer.from(j)) }));
    const [a, b, c] = ['a', 'b', 'c'].map((j) => S(Buffer.from(j)));
    expect(Buffer.from(legacyMerkleRoot(hs))).to.deep.equal(S(S(a!, b!), S(c!, c!)));
    expect(legacyMerkleRoot([...hs].reverse())).to.deep.equal(legacyMerkleRoot(hs));
    expect(legacyMerkleRoot([])).to.deep.equal(new Uint8Array(32));
  });
});

import { expect } from 'chai';
import { devGenesisDoc, loadGenesis } from '../../genesis/index.js';
import { chainIdFromString, DEFAULT_AIVM_PARAMS, parseAivmParams } from '../../sdk/aivm/index.js';

describe('aivm genesis parameters', () => {
  it('defaults are the spec constants', () => {
    const p = parseAivmParams(undefined);
    expect(p.minProviderBond).to.equal(10n ** 18n);
    expect(p.slashPerOperator).to.equal(10n ** 17n);
    expect(p.requestFeePerOperator).to.equal(10n ** 16n);
    expect([p.commitBlocks, p.revealBlocks, p.unbondCooldownBlocks, p.challengeWindowBlocks]).to.deep.equal([30n, 30n, 60n, 100n]);
    expect([p.marginFloor, p.marginBps, p.escalationN, p.escalationThreshold, p.minTrustScore]).to.deep.equal([2, 5000, 5, 3, 50]);
    expect([p.attestationSlots, p.modelSlots, p.anchorSlots]).to.deep.equal([1024, 512, 4096]);
    expect(p.slashDissenters).to.equal(false);
    expect(p.cChain).to.deep.equal(chainIdFromString('c-chain'));
    expect(p.aChain).to.deep.equal(chainIdFromString(DEFAULT_AIVM_PARAMS.aChain));
  });

  it('accepts decimal strings and allow-list entries', () => {
    const p = parseAivmParams({ minProviderBond: '5', aChain: 'my-a', teeAllowList: [{ spec: '0x' + '11'.repeat(32), measurement: '0x' + '22'.repeat(32), trust: 70 }] });
    expect(p.minProviderBond).to.equal(5n);
    expect(p.aChain).to.deep.equal(chainIdFromString('my-a'));
    expect(p.teeAllowList[0]!.trust).to.equal(70);
  });

  it('refuses bad values with a message naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ nope: 1 }, /unknown aivm parameter "nope"/],
      [{ minProviderBond: '-1' }, /minProviderBond/],
      [{ minProviderBond: 0 }, /minProviderBond must be between 1/],
      [{ modelSlots: 500 }, /power of two/],
      [{ commitBlocks: 0 }, /commitBlocks/],
      [{ escalationN: 5, escalationThreshold: 2 }, /escalationThreshold/],
      [{ minChallengeWindowBlocks: 200 }, /minChallengeWindowBlocks must not exceed/],
      [{ slashDissenters: 'yes' }, /slashDissenters must be true or false/],
      [{ aChain: '' }, /aChain must be a chain name/],
      [{ teeAllowList: [{ spec: '0x11', measurement: '0x' + '22'.repeat(32), trust: 1 }] }, /spec must be 32 bytes/],
      [{ teeAllowList: [{ spec: '0x' + '11'.repeat(32), measurement: '0x' + '22'.repeat(32) }] }, /trust is missing/],
      [{ teeAllowList: [{ spec: '0x' + '11'.repeat(32), measurement: '0x' + '22'.repeat(32), trust: 101 }] }, /trust must be between 0 and 100/],
    ];
    for (const [json, re] of bad) expect(() => parseAivmParams(json), JSON.stringify(json)).to.throw(re);
  });

  it('a genesis with bad aivm parameters is refused as InvalidGenesis', () => {
    expect(() => loadGenesis(devGenesisDoc({ modules: { aivm: { anchorSlots: 3000 } } }))).to.throw(/genesis parameters of module aivm: .*power of two/);
  });
});

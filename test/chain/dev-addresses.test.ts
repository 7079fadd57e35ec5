/** The dev account and producer addresses the start-up uses without deriving keys are the derived ones. */
import { expect } from 'chai';
import { DEV_ACCOUNT_COUNT, DEV_PRODUCER_ADDRESS, devAddress, devProducerSeed, devSeed, signerFromSeed } from '../../chain/index.js';

describe('dev addresses', () => {
  it('equal the addresses derived from the documented seeds, under both schemes', () => {
    for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) {
      for (const scheme of ['ml-dsa-65', 'secp256k1'] as const) expect(devAddress(i, scheme), `${scheme} ${i}`).to.equal(signerFromSeed(devSeed(i), scheme).address);
    }
    expect(DEV_PRODUCER_ADDRESS).to.equal(signerFromSeed(devProducerSeed(), 'ml-dsa-65').address);
    expect(devAddress(12, 'secp256k1')).to.equal(signerFromSeed(devSeed(12), 'secp256k1').address); // beyond the table: derived
  });
});

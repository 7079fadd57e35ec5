/**
 * Acceptance 1: the public `precompiles` API reproduces the wevm/ox vectors of spec tip1034.md §10,
 * and the constants, event ids and error selectors of §1.1, §1.6 and §1.7.
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ModuleRegistry } from '../../chain/module/registry.js';
import { toHex, utf8 } from '../../sdk/chain.js';
import {
  computeChannelId,
  domainSeparator,
  ESCROW_ADDRESS,
  ESCROW_ERRORS,
  errorSelector,
  escrowModule,
  VOUCHER_TYPEHASH,
  voucherDigest,
  CLOSE_GRACE_PERIOD,
} from '../../sdk/precompiles/index.js';

const OX_DESCRIPTOR = {
  payer: '0x1111111111111111111111111111111111111111',
  payee: '0x2222222222222222222222222222222222222222',
  operator: '0x0000000000000000000000000000000000000000',
  token: '0x20c0000000000000000000000000000000000001',
  salt: '0x0000000000000000000000000000000000000000000000000000000000000001',
  authorizedSigner: '0x3333333333333333333333333333333333333333',
  expiringNonceHash: '0x0000000000000000000000000000000000000000000000000000000000000002',
};

describe('TIP-1034 vectors (spec §10) through the public API', () => {
  it('domainSeparator(4217n) matches ox', () => {
    expect(domainSeparator(4217n)).to.equal('0x6465ffa0b0c1e7cfc1a894ba54d79615bc06fd7cc9cfec558f3df82189d17367');
  });

  it('computeChannelId(descriptor, 4217n) matches ox', () => {
    expect(computeChannelId(OX_DESCRIPTOR, 4217n)).to.equal('0xa392474fdbb5c6753e8789236893343f11200f43ba53cca09c0cda3651946ef2');
  });

  it('voucherDigest(id, 100n, 4217n) matches ox', () => {
    expect(voucherDigest('0xa392474fdbb5c6753e8789236893343f11200f43ba53cca09c0cda3651946ef2', 100n, 4217n)).to.equal(
      '0x22bb33a0c0d3e04c9312dd8c70c80154e953fef495dd76ffa14388a9c7f987d3',
    );
  });

  it('accepts checksummed and upper-case hex and number chain ids alike', () => {
    const upper = Object.fromEntries(Object.entries(OX_DESCRIPTOR).map(([k, v]) => [k, '0x' + v.slice(2).toUpperCase()]));
    expect(computeChannelId(upper as typeof OX_DESCRIPTOR, 4217)).to.equal(computeChannelId(OX_DESCRIPTOR, 4217n));
    expect(domainSeparator(4217)).to.equal(domainSeparator('4217'));
  });

  it('rejects malformed descriptors by field name', () => {
    expect(() => computeChannelId({ ...OX_DESCRIPTOR, salt: '0x01' }, 1n)).to.throw(/salt/);
    expect(() => computeChannelId({ ...OX_DESCRIPTOR, payee: '0x1234' }, 1n)).to.throw(/payee/);
    const { payer: _p, ...missing } = OX_DESCRIPTOR;
    expect(() => computeChannelId(missing as typeof OX_DESCRIPTOR, 1n)).to.throw(/payer/);
    expect(() => voucherDigest('0xa392474fdbb5c6753e8789236893343f11200f43ba53cca09c0cda3651946ef2', 1n << 96n, 1n)).to.throw(/uint96/);
    expect(() => voucherDigest('0xa392474fdbb5c6753e8789236893343f11200f43ba53cca09c0cda3651946ef2', -1n, 1n)).to.throw();
  });

  it('the id and digest bind the chain and the escrow address', () => {
    const id = computeChannelId(OX_DESCRIPTOR, 4217n);
    expect(computeChannelId(OX_DESCRIPTOR, 42431n)).to.not.equal(id);
    expect(computeChannelId(OX_DESCRIPTOR, 4217n, '0x' + '44'.repeat(20))).to.not.equal(id);
    expect(computeChannelId(OX_DESCRIPTOR, 4217n, ESCROW_ADDRESS)).to.equal(id);
    expect(voucherDigest(id, 100n, 4217n, '0x' + '44'.repeat(20))).to.not.equal(voucherDigest(id, 100n, 4217n));
  });

  it('constants: address, grace period, voucher typehash', () => {
    expect(ESCROW_ADDRESS).to.equal('0x4d50500000000000000000000000000000000000');
    expect(CLOSE_GRACE_PERIOD).to.equal(900n);
    expect(VOUCHER_TYPEHASH).to.equal('0x4730b4b2fe8de522475e80e010877c5b58ad10eb07fd0436615ee123f743bbe8');
    expect(VOUCHER_TYPEHASH).to.equal(toHex(keccak_256(utf8('Voucher(bytes32 channelId,uint96 cumulativeAmount)'))));
  });

  it('event topic0 values equal the spec (§1.6)', () => {
    const registry = new ModuleRegistry([escrowModule]);
    const topic0 = registry.byName('escrow')!.topic0;
    const spec: Record<string, string> = {
      ChannelOpened: 'debaba36f0e9c7978f536fed432d9360b1f9646d7ca88531c34c3eae43f154a7',
      Settled: '11c4e4c79ad8802431b44c15047ed1ddb82fbfc1abd452c765f7ee3990df1399',
      TopUp: '2a96f534665f3150977dd4c35d91373c74030288edbb3cf83c527dd25012364f',
      CloseRequested: 'f5a36fc00a96cbb9cf1f8f59299165e1d8ffffe94396d82904b4da524d16bbce',
      ChannelClosed: '5613aed96d5bf39f928408dbe1d4143490b9bb5957eac2dd8e69b5dc4b2206e6',
      CloseRequestCancelled: '6bbcbc59913c43e567847487b95410b0b65cf253531b1c6505b21f8359c838fe',
    };
    expect([...topic0.keys()].sort()).to.deep.equal(Object.keys(spec).sort());
    for (const [name, hex] of Object.entries(spec)) expect(toHex(topic0.get(name)!), name).to.equal('0x' + hex);
  });

  it('error selectors equal the spec (§1.7)', () => {
    const spec: Record<string, string> = {
      ChannelAlreadyExists: '0ec0f149',
      ChannelNotFound: '1e07dd94',
      NotPayer: '1435e357',
      NotPayeeOrOperator: '626a2a3d',
      InvalidPayee: 'b387a238',
      InvalidToken: 'c1ab6dc1',
      ZeroDeposit: '56316e87',
      ExpiringNonceHashNotSet: '102f04a9',
      InvalidSignature: '8baa579f',
      AmountExceedsDeposit: 'bd0d7138',
      AmountNotIncreasing: '32d2c1a3',
      CaptureAmountInvalid: 'c91833a1',
      CloseNotReady: '02b81e29',
      DepositOverflow: '1132981b',
    };
    expect([...ESCROW_ERRORS].sort()).to.deep.equal(Object.keys(spec).sort());
    for (const [name, sel] of Object.entries(spec)) expect(errorSelector(name), name).to.equal('0x' + sel);
  });
});

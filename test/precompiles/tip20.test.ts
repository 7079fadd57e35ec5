/** TIP-20 tokens: ERC-20 surface, issuer powers, TIP-403 policies, the factory and the dev stablecoin. */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { addressBytes, concat, decodeValue, devSigner, encodeValue, fromHex, signTx, toAddress, utf8, ZERO_ADDRESS, type Address, type DevChain, type Signer } from '../../sdk/chain.js';
import {
  computeTokenAddress,
  DEV_STABLECOIN_ADDRESS,
  DEV_STABLECOIN_BALANCE,
  ESCROW_ADDRESS,
  hasTip20Prefix,
  parseFactoryParams,
  policyModeType,
  POLICY_MODES,
  TIP20_FACTORY_ADDRESS,
  tip20Address,
  tip20FactoryModule,
  tip20Module,
  type TokenInfo,
} from '../../sdk/precompiles/index.js';
import { balances, expectError, expectOk, salt, startChain } from './helpers.js';

const MAX_UINT256 = (1n << 256n) - 1n;

describe('TIP-20 tokens', function () {
  let chain: DevChain;
  let issuer: Signer;
  let token: Address;
  const alice = () => chain.signer(1, 'secp256k1');
  const bob = () => chain.signer(2, 'secp256k1');
  const carol = () => chain.signer(3, 'secp256k1');
  const bal = (a: Address, tk = token) => chain.call<bigint>(tk, 'balanceOf', { account: a });

  before(async () => {
    chain = await startChain();
    issuer = chain.signer(9, 'secp256k1');
    const created = await chain.send<Address>(issuer, 'tip20Factory', 'createToken', { name: 'Test Dollar', symbol: 'TDOL', issuer: issuer.address, salt: salt(1) });
    expectOk(created.receipt);
    token = created.result;
    expectOk((await chain.send(issuer, token, 'mint', { to: alice().address, amount: 1_000_000n })).receipt);
  });
  after(() => chain.stop());

  describe('dev stablecoin from genesis', () => {
    it('lives at 0x20c0…0000 with 6 decimals and funds every dev account under both schemes', async () => {
      const info = await chain.call<TokenInfo>(DEV_STABLECOIN_ADDRESS, 'tokenInfo');
      expect(info).to.deep.include({ address: DEV_STABLECOIN_ADDRESS, decimals: 6, symbol: 'DUSD', policy: 'open', issuer: devSigner(0, 'ml-dsa-65').address });
      expect(info.totalSupply).to.equal(20n * DEV_STABLECOIN_BALANCE);
      for (let i = 0; i < 10; i++) {
        for (const scheme of ['ml-dsa-65', 'secp256k1'] as const) {
          expect(await bal(devSigner(i, scheme).address, DEV_STABLECOIN_ADDRESS), `dev ${i} ${scheme}`).to.satisfy((b: bigint) => b >= DEV_STABLECOIN_BALANCE - 10n ** 7n);
        }
      }
    });

    it('the factory reports tokens that exist, not just the prefix', async () => {
      expect(await chain.call('tip20Factory', 'isTip20', { token: DEV_STABLECOIN_ADDRESS })).to.equal(true);
      expect(await chain.call('tip20Factory', 'isTip20', { token })).to.equal(true);
      expect(await chain.call('tip20Factory', 'isTip20', { token: tip20Address(500n) })).to.equal(false);
      expect(await chain.call('tip20Factory', 'isTip20', { token: ESCROW_ADDRESS })).to.equal(false);
    });
  });

  describe('factory', () => {
    it('puts a token at the deterministic address keccak256(domain ‖ creator ‖ salt)[0..8] under the prefix', async () => {
      const expected = toAddress(concat(fromHex('0x20c000000000000000000000'), keccak_256(concat(utf8('SESSIONCHAIN:TIP20:v1'), addressBytes(issuer.address), fromHex(salt(1)))).subarray(0, 8)));
      expect(token).to.equal(expected);
      expect(computeTokenAddress(issuer.address, salt(1))).to.equal(expected);
      expect(await chain.call('tip20Factory', 'computeTokenAddress', { creator: issuer.address, salt: salt(1) })).to.equal(expected);
      const info = await chain.call<TokenInfo>(token, 'tokenInfo');
      expect(info).to.deep.equal({ address: token, name: 'Test Dollar', symbol: 'TDOL', decimals: 6, totalSupply: 1_000_000n, issuer: issuer.address, policy: 'open' });
    });

    it('the same creator and salt twice fails with TokenAlreadyExists; another creator gets another address', async () => {
      expectError((await chain.send(issuer, 'tip20Factory', 'createToken', { name: 'Again', symbol: 'AGN', issuer: issuer.address, salt: salt(1) })).receipt, 'TokenAlreadyExists');
      const other = await chain.send<Address>(alice(), 'tip20Factory', 'createToken', { name: 'Again', symbol: 'AGN', issuer: alice().address, salt: salt(1) });
      expectOk(other.receipt);
      expect(other.result).to.not.equal(token);
      expect(hasTip20Prefix(other.result)).to.equal(true);
      expect(other.receipt.events.map((e) => e.name)).to.deep.equal(['TokenCreated']);
    });

    it('bad metadata fails with InvalidTokenMetadata, a zero issuer with InvalidIssuer', async () => {
      for (const [name, symbol] of [['', 'X'], ['Name', ''], [' padded', 'X'], ['Tab\there', 'X']]) {
        expectError((await chain.send(alice(), 'tip20Factory', 'createToken', { name, symbol, issuer: alice().address, salt: salt(50) })).receipt, 'InvalidTokenMetadata');
      }
      expectError((await chain.send(alice(), 'tip20Factory', 'createToken', { name: 'Z', symbol: 'Z', issuer: ZERO_ADDRESS, salt: salt(51) })).receipt, 'InvalidIssuer');
    });

    it('initialize and systemTransferFrom are internal: transactions cannot reach them', async () => {
      for (const [method, args] of [
        ['initialize', { name: 'X', symbol: 'X', issuer: alice().address, balances: [] }],
        ['systemTransferFrom', { from: alice().address, to: bob().address, amount: 1n }],
      ] as const) {
        // Signed by hand and submitted to the node: DevChain.send would advance its local nonce.
        const a = alice();
        const tx = signTx({ chainId: chain.chainId, nonce: await chain.nextNonce(a.address), from: a.address, to: token, method, args: tip20Module.methods[method]!.args.encode(args) as never, gasLimit: 1_000_000n, gasPrice: 1_000_000_000n }, a);
        const err = await chain.node.submit(tx.raw).then(
          () => null,
          (e: Error) => e,
        );
        expect(err, method).to.have.property('name', 'UnknownMethod');
      }
    });

    it('an address nobody created answers UnknownToken', async () => {
      const ghost = tip20Address(900n);
      expectError((await chain.send(alice(), ghost, 'transfer', { to: bob().address, amount: 0n })).receipt, 'UnknownToken');
      const err = await chain.call(ghost, 'balanceOf', { account: alice().address }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).to.have.property('name', 'UnknownToken');
      expect(await chain.call(ghost, 'exists')).to.equal(false);
    });
  });

  describe('transfers and allowances', () => {
    it('transfer moves the amount and emits Transfer', async () => {
      const before = await balances(chain, [alice().address, bob().address], token);
      const { receipt } = await chain.send(alice(), token, 'transfer', { to: bob().address, amount: 1234n });
      expectOk(receipt);
      expect(await balances(chain, [alice().address, bob().address], token)).to.deep.equal([before[0]! - 1234n, before[1]! + 1234n]);
      expect(receipt.events.map((e) => e.name)).to.deep.equal(['Transfer']);
    });

    it('more than the balance fails with InsufficientBalance; zero and TIP-20 recipients with InvalidRecipient', async () => {
      const b = await bal(bob().address);
      expectError((await chain.send(bob(), token, 'transfer', { to: alice().address, amount: b + 1n })).receipt, 'InsufficientBalance');
      expectError((await chain.send(alice(), token, 'transfer', { to: ZERO_ADDRESS, amount: 1n })).receipt, 'InvalidRecipient');
      expectError((await chain.send(alice(), token, 'transfer', { to: token, amount: 1n })).receipt, 'InvalidRecipient');
      expectError((await chain.send(alice(), token, 'transfer', { to: DEV_STABLECOIN_ADDRESS, amount: 1n })).receipt, 'InvalidRecipient');
    });

    it('approve + transferFrom spends the allowance; beyond it fails with InsufficientAllowance', async () => {
      expectOk((await chain.send(alice(), token, 'approve', { spender: carol().address, amount: 500n })).receipt);
      expect(await chain.call(token, 'allowance', { owner: alice().address, spender: carol().address })).to.equal(500n);
      const before = await balances(chain, [alice().address, bob().address], token);
      expectOk((await chain.send(carol(), token, 'transferFrom', { from: alice().address, to: bob().address, amount: 300n })).receipt);
      expect(await balances(chain, [alice().address, bob().address], token)).to.deep.equal([before[0]! - 300n, before[1]! + 300n]);
      expect(await chain.call(token, 'allowance', { owner: alice().address, spender: carol().address })).to.equal(200n);
      expectError((await chain.send(carol(), token, 'transferFrom', { from: alice().address, to: bob().address, amount: 201n })).receipt, 'InsufficientAllowance');
    });

    it('an unlimited (2^256-1) allowance is not decremented', async () => {
      expectOk((await chain.send(alice(), token, 'approve', { spender: carol().address, amount: MAX_UINT256 })).receipt);
      expectOk((await chain.send(carol(), token, 'transferFrom', { from: alice().address, to: bob().address, amount: 10n })).receipt);
      expect(await chain.call(token, 'allowance', { owner: alice().address, spender: carol().address })).to.equal(MAX_UINT256);
      expectOk((await chain.send(alice(), token, 'approve', { spender: carol().address, amount: 0n })).receipt);
    });
  });

  describe('issuer powers', () => {
    it('mint and burn by the issuer move the supply; anyone else fails with Unauthorized', async () => {
      const supply = await chain.call<bigint>(token, 'totalSupply');
      expectOk((await chain.send(issuer, token, 'mint', { to: issuer.address, amount: 700n })).receipt);
      expectOk((await chain.send(issuer, token, 'burn', { amount: 200n })).receipt);
      expect(await chain.call(token, 'totalSupply')).to.equal(supply + 500n);
      expectError((await chain.send(alice(), token, 'mint', { to: alice().address, amount: 1n })).receipt, 'Unauthorized');
      expectError((await chain.send(alice(), token, 'burn', { amount: 1n })).receipt, 'Unauthorized');
      expectError((await chain.send(alice(), token, 'setTransferPolicy', { mode: 'blocklist' })).receipt, 'Unauthorized');
      expectError((await chain.send(alice(), token, 'setPolicyMember', { account: bob().address, member: true })).receipt, 'Unauthorized');
      expectError((await chain.send(issuer, token, 'burn', { amount: (await bal(issuer.address)) + 1n })).receipt, 'InsufficientBalance');
    });

    it('minting past 2^128-1 fails with SupplyCapExceeded', async () => {
      const supply = await chain.call<bigint>(token, 'totalSupply');
      expectError((await chain.send(issuer, token, 'mint', { to: issuer.address, amount: (1n << 128n) - supply })).receipt, 'SupplyCapExceeded');
    });

    it('setIssuer hands the role over', async () => {
      const { result: t2 } = await chain.send<Address>(alice(), 'tip20Factory', 'createToken', { name: 'Handover', symbol: 'HND', issuer: alice().address, salt: salt(60) });
      expectOk((await chain.send(alice(), t2, 'setIssuer', { issuer: bob().address })).receipt);
      expectError((await chain.send(alice(), t2, 'mint', { to: alice().address, amount: 1n })).receipt, 'Unauthorized');
      expectOk((await chain.send(bob(), t2, 'mint', { to: alice().address, amount: 1n })).receipt);
      expectError((await chain.send(bob(), t2, 'setIssuer', { issuer: ZERO_ADDRESS })).receipt, 'InvalidIssuer');
    });
  });

  describe('TIP-403 policies', () => {
    afterEach(async () => {
      expectOk((await chain.send(issuer, token, 'setTransferPolicy', { mode: 'open' })).receipt);
      for (const a of [alice(), bob()]) expectOk((await chain.send(issuer, token, 'setPolicyMember', { account: a.address, member: false })).receipt);
    });

    it('blocklist: a listed sender or recipient fails with PolicyForbids, others transfer', async () => {
      expectOk((await chain.send(issuer, token, 'setTransferPolicy', { mode: 'blocklist' })).receipt);
      expectOk((await chain.send(issuer, token, 'setPolicyMember', { account: bob().address, member: true })).receipt);
      expect(await chain.call(token, 'isAuthorized', { account: bob().address })).to.equal(false);
      expectError((await chain.send(alice(), token, 'transfer', { to: bob().address, amount: 1n })).receipt, 'PolicyForbids');
      expectError((await chain.send(bob(), token, 'transfer', { to: alice().address, amount: 1n })).receipt, 'PolicyForbids');
      expectError((await chain.send(issuer, token, 'mint', { to: bob().address, amount: 1n })).receipt, 'PolicyForbids');
      expectOk((await chain.send(alice(), token, 'transfer', { to: carol().address, amount: 1n })).receipt);
    });

    it('allowlist: only listed accounts send and receive; transferFrom checks owner and recipient', async () => {
      expectOk((await chain.send(issuer, token, 'setTransferPolicy', { mode: 'allowlist' })).receipt);
      expectOk((await chain.send(issuer, token, 'setPolicyMember', { account: alice().address, member: true })).receipt);
      expectError((await chain.send(alice(), token, 'transfer', { to: bob().address, amount: 1n })).receipt, 'PolicyForbids');
      expectOk((await chain.send(issuer, token, 'setPolicyMember', { account: bob().address, member: true })).receipt);
      expectOk((await chain.send(alice(), token, 'transfer', { to: bob().address, amount: 1n })).receipt);
      expectOk((await chain.send(alice(), token, 'approve', { spender: carol().address, amount: 5n })).receipt);
      // The spender (carol) is not listed and does not need to be: the tokens go alice → bob.
      expectOk((await chain.send(carol(), token, 'transferFrom', { from: alice().address, to: bob().address, amount: 5n })).receipt);
      expect(await chain.call(token, 'transferPolicy')).to.equal('allowlist');
    });
  });

  describe('codecs and genesis parameters', () => {
    it('policy modes round-trip and non-canonical encodings are rejected', () => {
      fc.assert(
        fc.property(fc.constantFrom(...POLICY_MODES), (m) => {
          expect(decodeValue(policyModeType, encodeValue(policyModeType, m))).to.equal(m);
          expect(policyModeType.fromJson(policyModeType.toJson(m))).to.equal(m);
        }),
      );
      for (const bad of ['0x8100', '0x03', '0x820001']) expect(() => decodeValue(policyModeType, fromHex(bad))).to.throw();
      expect(() => policyModeType.fromJson('whitelist')).to.throw(/open, allowlist, blocklist/);
    });

    it('genesis tokens must use reserved addresses, valid metadata and unique balances', () => {
      const ok = { address: tip20Address(3n), name: 'G', symbol: 'G', issuer: alice().address, balances: { [bob().address]: '5' } };
      expect(parseFactoryParams({ tokens: [ok] }).tokens[0]!.balances).to.deep.equal([{ account: bob().address, amount: 5n }]);
      expect(() => parseFactoryParams({ tokens: [{ ...ok, address: tip20Address(5000n) }] })).to.throw(/reserved/);
      expect(() => parseFactoryParams({ tokens: [{ ...ok, address: TIP20_FACTORY_ADDRESS }] })).to.throw(/reserved/);
      expect(() => parseFactoryParams({ tokens: [{ ...ok, name: '' }] })).to.throw(/name/);
      expect(() => parseFactoryParams({ tokens: [{ ...ok, issuer: ZERO_ADDRESS }] })).to.throw(/issuer/);
      expect(() => parseFactoryParams({ tokens: [{ ...ok, balances: { [bob().address]: '-1' } }] })).to.throw();
      expect(() => parseFactoryParams({ tokens: [ok, ok] })).to.throw(/twice/);
      expect(() => parseFactoryParams({ tokens: [{ ...ok, extra: 1 }] })).to.throw(/extra/);
      expect(() => parseFactoryParams({ tokenz: [] })).to.throw(/tokenz/);
      expect(tip20FactoryModule.name).to.equal('tip20Factory');
    });
  });
});

/** The escrow's views, the `escrow.*` / `tip20.*` RPC handlers, and the packed slot codec. */
import { expect } from 'chai';
import fc from 'fast-check';
import { bigToBytes, bytesToBig, decodeValue, encodeValue, type DevChain } from '../../sdk/chain.js';
import {
  CLOSE_GRACE_PERIOD,
  computeChannelId,
  descriptorType,
  DEV_STABLECOIN_ADDRESS,
  domainSeparator,
  escrowModule,
  MAX_UINT96,
  packSlot,
  tip20FactoryModule,
  tip20Module,
  unpackSlot,
  VOUCHER_TYPEHASH,
  voucherDigest,
  type ChannelState,
} from '../../sdk/precompiles/index.js';
import { close, DEPOSIT, expectOk, openChannel, salt, settle, startChain, voucher } from './helpers.js';

const rpcCall = async (chain: DevChain, mod: { rpc?: Record<string, { params: { fromJson(v: unknown): unknown }; handler(n: never, p: unknown): unknown }> }, name: string, params: unknown) => {
  const def = mod.rpc![name]!;
  return def.handler(chain.node as never, def.params.fromJson(params));
};

describe('escrow views and RPC', function () {
  let chain: DevChain;
  const payer = () => chain.signer(1, 'secp256k1');
  const payee = () => chain.signer(2, 'secp256k1');

  before(async () => {
    chain = await startChain();
  });
  after(() => chain.stop());

  it('computeChannelId, getVoucherDigest and domainSeparator agree with the SDK on this chain (pinned to the precompile)', async () => {
    const d = { payer: payer().address, payee: payee().address, operator: payee().address, token: DEV_STABLECOIN_ADDRESS, salt: salt(5), authorizedSigner: payer().address, expiringNonceHash: salt(6) };
    const id = computeChannelId(d, chain.chainId);
    expect(await chain.call('escrow', 'computeChannelId', d)).to.equal(id);
    expect(await chain.call('escrow', 'computeChannelId', d)).to.not.equal(computeChannelId(d, chain.chainId, '0x' + '12'.repeat(20)));
    expect(await chain.call('escrow', 'getVoucherDigest', { channelId: id, cumulativeAmount: 77n })).to.equal(voucherDigest(id, 77n, chain.chainId));
    expect(await chain.call('escrow', 'domainSeparator')).to.equal(domainSeparator(chain.chainId));
    expect(await chain.call('escrow', 'CLOSE_GRACE_PERIOD')).to.equal(900n);
    expect(await chain.call('escrow', 'VOUCHER_TYPEHASH')).to.equal(VOUCHER_TYPEHASH);
  });

  it('getChannelStatesBatch answers open, settled, closed and unknown ids in order', async () => {
    const a = await openChannel(chain, payer(), { payee: payee().address, salt: salt(1) });
    const b = await openChannel(chain, payer(), { payee: payee().address, salt: salt(2) });
    const c = await openChannel(chain, payer(), { payee: payee().address, salt: salt(3) });
    expectOk((await settle(chain, payee(), b.descriptor, 9n, voucher(chain, payer(), b.channelId, 9n))).receipt);
    expectOk((await close(chain, payee(), c.descriptor, 0n, 0n, '0x')).receipt);
    const states = await chain.call<ChannelState[]>('escrow', 'getChannelStatesBatch', { channelIds: [a.channelId, b.channelId, c.channelId, salt(42)] });
    expect(states).to.deep.equal([
      { settled: 0n, deposit: DEPOSIT, closeRequestedAt: 0 },
      { settled: 9n, deposit: DEPOSIT, closeRequestedAt: 0 },
      { settled: 0n, deposit: 0n, closeRequestedAt: 0 },
      { settled: 0n, deposit: 0n, closeRequestedAt: 0 },
    ]);
  });

  it('escrow.* RPC methods answer in JSON, by name or by position', async () => {
    const { descriptor, channelId } = await openChannel(chain, payer(), { payee: payee().address, salt: salt(10) });
    expect(await rpcCall(chain, escrowModule, 'escrow.GetChannelState', { channelId })).to.deep.equal({ settled: '0', deposit: DEPOSIT.toString(), closeRequestedAt: 0 });
    expect(await rpcCall(chain, escrowModule, 'escrow.GetChannelState', [channelId])).to.deep.equal({ settled: '0', deposit: DEPOSIT.toString(), closeRequestedAt: 0 });
    expect(await rpcCall(chain, escrowModule, 'escrow.GetChannel', { descriptor })).to.deep.equal({ descriptor, state: { settled: '0', deposit: DEPOSIT.toString(), closeRequestedAt: 0 } });
    expect(await rpcCall(chain, escrowModule, 'escrow.GetChannelStatesBatch', { channelIds: [channelId] })).to.have.length(1);
    expect(await rpcCall(chain, escrowModule, 'escrow.ComputeChannelId', descriptor)).to.equal(channelId);
    expect(await rpcCall(chain, escrowModule, 'escrow.GetVoucherDigest', { channelId, cumulativeAmount: '5' })).to.equal(voucherDigest(channelId, 5n, chain.chainId));
    expect(await rpcCall(chain, escrowModule, 'escrow.DomainSeparator', {})).to.equal(domainSeparator(chain.chainId));
    expect(await rpcCall(chain, escrowModule, 'escrow.CloseGracePeriod', [])).to.equal(CLOSE_GRACE_PERIOD.toString());
    // Bad params are refused by the schema, naming the field.
    expect(() => escrowModule.rpc!['escrow.GetVoucherDigest']!.params.fromJson({ channelId, cumulativeAmount: 2 ** 60 })).to.throw(/cumulativeAmount/);
    expect(() => escrowModule.rpc!['escrow.GetChannelState']!.params.fromJson({ channelId: '0x1234' })).to.throw(/channelId/);
  });

  it('tip20.* RPC methods answer in JSON', async () => {
    const info = (await rpcCall(chain, tip20Module, 'tip20.GetToken', { token: DEV_STABLECOIN_ADDRESS })) as Record<string, unknown>;
    expect(info).to.deep.include({ address: DEV_STABLECOIN_ADDRESS, decimals: 6, symbol: 'DUSD', policy: 'open' });
    const bal = await chain.call<bigint>(DEV_STABLECOIN_ADDRESS, 'balanceOf', { account: payee().address });
    expect(await rpcCall(chain, tip20Module, 'tip20.BalanceOf', [DEV_STABLECOIN_ADDRESS, payee().address])).to.equal(bal.toString());
    expect(await rpcCall(chain, tip20Module, 'tip20.Allowance', { token: DEV_STABLECOIN_ADDRESS, owner: payee().address, spender: payer().address })).to.equal('0');
    expect(await rpcCall(chain, tip20Module, 'tip20.IsAuthorized', { token: DEV_STABLECOIN_ADDRESS, account: payee().address })).to.equal(true);
    expect(await rpcCall(chain, tip20Module, 'tip20.GetPolicy', { token: DEV_STABLECOIN_ADDRESS })).to.equal('open');
    expect(await rpcCall(chain, tip20FactoryModule, 'tip20.IsTip20', { token: DEV_STABLECOIN_ADDRESS })).to.equal(true);
    const err = await Promise.resolve(rpcCall(chain, tip20Module, 'tip20.GetToken', { token: payee().address })).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).to.have.property('name', 'UnknownToken');
  });
});

describe('packed channel slot', () => {
  const u96 = fc.bigInt({ min: 0n, max: MAX_UINT96 });
  const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });

  it('round-trips every state and puts each field at its bit range', () => {
    fc.assert(
      fc.property(u96, u96, u32, (settled, deposit, closeRequestedAt) => {
        const word = packSlot({ settled, deposit, closeRequestedAt });
        expect(word.length).to.equal(32);
        expect(unpackSlot(word)).to.deep.equal({ settled, deposit, closeRequestedAt });
        const v = bytesToBig(word);
        // Independent reading of the layout: each field as a slice of the decimal value.
        expect(v % 2n ** 96n).to.equal(settled);
        expect((v / 2n ** 96n) % 2n ** 96n).to.equal(deposit);
        expect(v / 2n ** 192n).to.equal(BigInt(closeRequestedAt));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses out-of-range fields and words with bits above 223', () => {
    expect(() => packSlot({ settled: MAX_UINT96 + 1n, deposit: 0n, closeRequestedAt: 0 })).to.throw(RangeError);
    expect(() => packSlot({ settled: 0n, deposit: 0n, closeRequestedAt: 2 ** 32 })).to.throw(RangeError);
    expect(() => unpackSlot(bigToBytes(1n << 224n, 32))).to.throw(RangeError);
    expect(() => unpackSlot(new Uint8Array(31))).to.throw(RangeError);
  });

  it('descriptors round-trip through the transaction codec', () => {
    const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ('0x' + Buffer.from(b).toString('hex')) as never);
    const addr = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ('0x' + Buffer.from(b).toString('hex')) as never);
    fc.assert(
      fc.property(addr, addr, addr, addr, hex32, addr, hex32, (payer, payee, operator, token, s, authorizedSigner, expiringNonceHash) => {
        const d = { payer, payee, operator, token, salt: s, authorizedSigner, expiringNonceHash };
        expect(decodeValue(descriptorType, encodeValue(descriptorType, d))).to.deep.equal(d);
        expect(descriptorType.fromJson(descriptorType.toJson(d))).to.deep.equal(d);
      }),
      { numRuns: 100 },
    );
  });
});

/**
 * TIP-403 along the logical payer → payee path (spec §1.8): funding needs an authorized payee
 * (recipient), new payouts an authorized payer (sender); settled value is not re-checked and
 * requestClose → withdraw stays open to the payer. Failures carry the token's PolicyForbids.
 */
import { expect } from 'chai';
import type { Address, DevChain, Signer } from '../../sdk/chain.js';
import { ESCROW_ADDRESS } from '../../sdk/precompiles/index.js';
import { balances, close, DEPOSIT, expectError, expectOk, nextWholeSecond, openChannel, salt, settle, startChain, voucher } from './helpers.js';

describe('escrow: TIP-403 policy along payer → payee', function () {
  let chain: DevChain;
  let token: Address;
  let issuer: Signer;
  const payer = () => chain.signer(1, 'secp256k1');
  const payee = () => chain.signer(2, 'secp256k1');
  let n = 1;
  const open = () => openChannel(chain, payer(), { payee: payee().address, token, salt: salt(n++) });

  const setMode = async (mode: 'open' | 'allowlist' | 'blocklist') => expectOk((await chain.send(issuer, token, 'setTransferPolicy', { mode })).receipt);
  const list = async (account: Address, member: boolean) => expectOk((await chain.send(issuer, token, 'setPolicyMember', { account, member })).receipt);

  before(async () => {
    chain = await startChain();
    issuer = chain.signer(8, 'secp256k1');
    ({ result: token } = await chain.send<Address>(issuer, 'tip20Factory', 'createToken', { name: 'Policy USD', symbol: 'PUSD', issuer: issuer.address, salt: salt(403) }));
    expectOk((await chain.send(issuer, token, 'mint', { to: payer().address, amount: 100n * DEPOSIT })).receipt);
  });
  after(() => chain.stop());
  afterEach(async () => {
    await setMode('open');
    await list(payer().address, false);
    await list(payee().address, false);
  });

  it('a blocked payee: open and a funding topUp fail with PolicyForbids; settling to it still works', async () => {
    const { descriptor, channelId } = await open();
    await setMode('blocklist');
    await list(payee().address, true);
    const before = await balances(chain, [payer().address, ESCROW_ADDRESS], token);
    expectError((await chain.send(payer(), 'escrow', 'open', { payee: payee().address, operator: descriptor.operator, token, deposit: DEPOSIT, salt: salt(n++), authorizedSigner: descriptor.authorizedSigner })).receipt, 'PolicyForbids');
    expectError((await chain.send(payer(), 'escrow', 'topUp', { descriptor, additionalDeposit: 1n })).receipt, 'PolicyForbids');
    expect(await balances(chain, [payer().address, ESCROW_ADDRESS], token)).to.deep.equal(before);
    expectOk((await settle(chain, payee(), descriptor, 10n, voucher(chain, payer(), channelId, 10n))).receipt);
    expectOk((await close(chain, payee(), descriptor, 20n, 20n, voucher(chain, payer(), channelId, 20n))).receipt);
  });

  it('a blocked payer: settle and a paying close fail with PolicyForbids; a close at the settled amount and withdraw still refund it', async () => {
    const a = await open();
    const b = await open();
    expectOk((await settle(chain, payee(), a.descriptor, 5n, voucher(chain, payer(), a.channelId, 5n))).receipt);
    await setMode('blocklist');
    await list(payer().address, true);
    expectError((await settle(chain, payee(), a.descriptor, 10n, voucher(chain, payer(), a.channelId, 10n))).receipt, 'PolicyForbids');
    expectError((await close(chain, payee(), a.descriptor, 10n, 10n, voucher(chain, payer(), a.channelId, 10n))).receipt, 'PolicyForbids');
    const before = await balances(chain, [payer().address], token);
    expectOk((await close(chain, payee(), a.descriptor, 5n, 5n, '0x')).receipt);
    expect(await balances(chain, [payer().address], token)).to.deep.equal([before[0]! + DEPOSIT - 5n]);
    // The payer's exit (requestClose → withdraw) is never blocked.
    const t0 = nextWholeSecond(chain);
    chain.setNextBlockTimestamp(t0);
    expectOk((await chain.send(payer(), 'escrow', 'requestClose', { descriptor: b.descriptor })).receipt);
    chain.setNextBlockTimestamp(t0 + 900_000n);
    expectOk((await chain.send(payer(), 'escrow', 'withdraw', { descriptor: b.descriptor })).receipt);
  });

  it('allowlist mode: a payee off the list cannot be funded; on the list it can', async () => {
    await setMode('allowlist');
    await list(payer().address, true);
    const args = { payee: payee().address, operator: '0x' + '00'.repeat(20), token, deposit: DEPOSIT, salt: salt(n++), authorizedSigner: '0x' + '00'.repeat(20) };
    expectError((await chain.send(payer(), 'escrow', 'open', args)).receipt, 'PolicyForbids');
    await list(payee().address, true);
    expectOk((await chain.send(payer(), 'escrow', 'open', args)).receipt);
  });
});

/**
 * Shared test helpers for the precompiles: a dev chain, channels opened through real signed
 * transactions (built with the SDK's `buildOpenTx`), token balances and block-time control.
 */
import { expect } from 'chai';
import {
  asList,
  createDevChain,
  rlpDecode,
  type ChainEvent,
  fromHex,
  signerFromSeed,
  signTx,
  ZERO_ADDRESS,
  type Address,
  type DevChain,
  type DevChainOptions,
  type Receipt,
  type SendResult,
  type Signer,
} from '../../sdk/chain.js';
import { builtinModules } from '../../genesis/index.js';
import {
  buildOpenTx,
  DEV_STABLECOIN_ADDRESS,
  ESCROW_ADDRESS,
  escrowEvents,
  signVoucher,
  toHex32,
  type ChannelDescriptor,
  type ChannelState,
  type Hex32,
} from '../../sdk/precompiles/index.js';
import { batcherModule } from './batcher.js';

export const DEPOSIT = 1_000_000n;
export const TOKEN = DEV_STABLECOIN_ADDRESS;

/** A key that holds nothing on chain: for delegated voucher signers. */
export const keyFromByte = (b: number, scheme: 'secp256k1' | 'ml-dsa-65' = 'secp256k1'): Signer => signerFromSeed(fromHex('0x' + b.toString(16).padStart(2, '0').repeat(32)), scheme);

export async function startChain(opts: DevChainOptions = {}): Promise<DevChain> {
  return createDevChain({ modules: [...builtinModules(), batcherModule], ...opts });
}

export function salt(n: number | bigint): Hex32 {
  return toHex32('0x' + BigInt(n).toString(16).padStart(64, '0'));
}

export interface OpenOptions {
  payee: Address;
  deposit?: bigint;
  operator?: Address;
  authorizedSigner?: Address;
  salt?: Hex32;
  token?: Address;
}

export interface Opened {
  descriptor: ChannelDescriptor;
  channelId: Hex32;
  result: SendResult;
}

/** Opens a channel from `payer` with a transaction built by the SDK; checks the id the chain returns. */
export async function openChannel(chain: DevChain, payer: Signer, o: OpenOptions): Promise<Opened> {
  const plan = buildOpenTx({
    chainId: chain.chainId,
    nonce: await chain.nextNonce(payer.address),
    from: payer.address,
    payee: o.payee,
    token: o.token ?? TOKEN,
    deposit: o.deposit ?? DEPOSIT,
    operator: o.operator,
    authorizedSigner: o.authorizedSigner,
    salt: o.salt,
    gasLimit: 50_000_000n,
    gasPrice: chain.node.chain.genesis.params.minGasPrice,
  });
  const result = await chain.sendTx(signTx(plan.tx, payer));
  expectOk(result.receipt);
  expect(result.result, 'open returns the id the client computed').to.equal(plan.channelId);
  return { descriptor: plan.descriptor, channelId: plan.channelId, result };
}

export function expectOk(r: Receipt): void {
  expect(r.error, `unexpected failure: ${r.errorMessage}`).to.equal('');
  expect(r.status).to.equal(1);
}

export function expectError(r: Receipt, name: string): void {
  expect(r.status, `expected ${name}, got success`).to.equal(0);
  expect(r.error, r.errorMessage).to.equal(name);
  expect(r.events).to.deep.equal([]);
}

export async function tokenBalance(chain: DevChain, account: Address, token: Address = TOKEN): Promise<bigint> {
  return chain.call<bigint>(token, 'balanceOf', { account });
}

/** Balances of several accounts at once, in order. */
export function balances(chain: DevChain, accounts: Address[], token: Address = TOKEN): Promise<bigint[]> {
  return Promise.all(accounts.map((a) => tokenBalance(chain, a, token)));
}

export function channelState(chain: DevChain, channelId: Hex32): Promise<ChannelState> {
  return chain.call<ChannelState>('escrow', 'getChannelState', { channelId });
}

/** The raw packed slot of a channel, or undefined when deleted. */
export function rawSlot(chain: DevChain, channelId: Hex32): Promise<Uint8Array | undefined> {
  return chain.node.readState(ESCROW_ADDRESS, fromHex(channelId));
}

export function settle(chain: DevChain, caller: Signer, d: ChannelDescriptor, cumulativeAmount: bigint, signature: string | Uint8Array): Promise<SendResult> {
  return chain.send(caller, 'escrow', 'settle', { descriptor: d, cumulativeAmount, signature: asBytes(signature) });
}

export function close(chain: DevChain, caller: Signer, d: ChannelDescriptor, cumulativeAmount: bigint, captureAmount: bigint, signature: string | Uint8Array): Promise<SendResult> {
  return chain.send(caller, 'escrow', 'close', { descriptor: d, cumulativeAmount, captureAmount, signature: asBytes(signature) });
}

export const asBytes = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? fromHex(s) : s);

/** Signs a voucher for the chain the test runs on. */
export function voucher(chain: DevChain, signer: Signer, channelId: Hex32, amount: bigint): Uint8Array {
  return fromHex(signVoucher(signer, channelId, amount, chain.chainId));
}

/** A whole-second block time comfortably after the head, for exact timing. */
export function nextWholeSecond(chain: DevChain, aheadSeconds = 10n): bigint {
  return (chain.node.head().timestamp / 1000n + aheadSeconds) * 1000n;
}

export { ZERO_ADDRESS };

/** The non-indexed fields of an escrow event, decoded from its RLP data. */
export function eventData(e: ChainEvent): Record<string, unknown> {
  const def = escrowEvents[e.name as keyof typeof escrowEvents];
  if (!def) throw new Error(`not an escrow event: ${e.name}`);
  const keys = def.fields.keys.filter((k) => !def.indexed!.includes(k));
  const items = asList(rlpDecode(e.data), 'event data', keys.length);
  return Object.fromEntries(keys.map((k, i) => [k, def.fields.fields[k]!.decode(items[i]!, k)]));
}

export const eventNames = (r: Receipt) => r.events.map((e) => e.name);

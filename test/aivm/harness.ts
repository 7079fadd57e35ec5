/**
 * Shared helpers for AIVM chain tests: a manual-mining dev chain with the AIVM module, freshly
 * funded signers, "run these transactions at height h", and the conservation checks the spec asks
 * for after every block (LUX supply against all balances; the escrow account against stakes, open
 * escrows, credits and bonds, each summed independently from per-entity queries).
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createDevChain, type DevChain, type Receipt, type SendResult, type Signer, signerFromSeed, type Address, toHex } from '../../sdk/chain.js';
import { AIVM_ADDRESS, BURN_ADDRESS, ESCROW_ADDRESS, POOL_ADDRESS, TaskStatus, type ProviderView, type TaskView } from '../../sdk/aivm/index.js';

export const ONE = 10n ** 18n;

/** A BLS12-381 secret key from a tag (keccak of it, first byte 0x01: below the group order). */
export function blsSecret(tag: string): Uint8Array {
  const sk = new Uint8Array(keccak_256(new TextEncoder().encode(tag)));
  sk[0] = 0x01;
  return sk;
}
export const h32 = (b: number) => {
  const x = new Uint8Array(32);
  x[31] = b;
  return x;
};

/**
 * A manual-mining dev chain. It runs the original AIVM rules (version 1, what a chain whose genesis
 * names no version runs) unless `params.version` says otherwise: the tests of this folder pin them,
 * and the trust-*.test.ts files cover rules 2, the dev genesis default.
 */
export async function aivmChain(params: Record<string, unknown> = {}): Promise<DevChain> {
  return createDevChain({ mining: 'manual', genesis: { modules: { aivm: { version: 1, ...params } } } });
}

/** Signers from deterministic seeds, each funded with `amount` from dev account 9. */
export async function fundedSigners(chain: DevChain, tag: string, count: number, amount = 100n * ONE): Promise<Signer[]> {
  const out: Signer[] = [];
  const funder = chain.signer(9, 'secp256k1');
  const pending: Promise<SendResult>[] = [];
  for (let i = 0; i < count; i++) {
    const s = signerFromSeed(keccak_256(new TextEncoder().encode(`${tag}/${i}`)), 'secp256k1');
    out.push(s);
    pending.push((await chain.submit(funder, 'lux', 'transfer', { to: s.address, amount })).receipt);
  }
  await chain.mine(1);
  for (const r of await Promise.all(pending)) expect(r.receipt.status).to.equal(1);
  return out;
}

export function head(chain: DevChain): bigint {
  return chain.node.chain.headHeader.height;
}

/** Mines empty blocks until the next block is `height`. */
export async function mineTo(chain: DevChain, height: bigint | number, onBlock?: () => Promise<void>): Promise<void> {
  const target = BigInt(height);
  if (head(chain) >= target) throw new Error(`head ${head(chain)} is already at or past ${target}`);
  while (head(chain) < target - 1n) {
    await chain.mine(1);
    if (onBlock) await onBlock();
  }
}

export type Call = [Signer, string, object];

/** Puts `calls` (in order) into block `height` and returns their results. */
export async function at(chain: DevChain, height: bigint | number, calls: Call[], onBlock?: () => Promise<void>): Promise<SendResult[]> {
  await mineTo(chain, height, onBlock);
  const pending = [];
  for (const [signer, method, args] of calls) pending.push((await chain.submit(signer, "aivm", method, args as Record<string, unknown>)).receipt);
  const [block] = await chain.mine(1);
  expect(block!.block.header.height).to.equal(BigInt(height));
  const results = await Promise.all(pending);
  for (const r of results) expect(r.height).to.equal(BigInt(height));
  if (onBlock) await onBlock();
  return results;
}

export function ok(r: SendResult): SendResult {
  if (r.receipt.status !== 1) throw new Error(`expected success, got ${r.receipt.error}: ${r.receipt.errorMessage}`);
  return r;
}

export function failed(r: SendResult | Receipt, name: string): void {
  const receipt = 'receipt' in r ? r.receipt : r;
  expect(receipt.status, `expected ${name}`).to.equal(0);
  expect(receipt.error).to.equal(name);
}

export async function task(chain: DevChain, id: Uint8Array): Promise<TaskView> {
  const v = await chain.call<TaskView | null>('aivm', 'getTask', { id });
  if (!v) throw new Error(`no task ${toHex(id)}`);
  return v;
}

export const credit = (chain: DevChain, a: Address) => chain.call<bigint>('aivm', 'credit', { address: a });
export const provider = (chain: DevChain, a: Address) => chain.call<ProviderView>('aivm', 'getProvider', { address: a });
export const stakeOf = async (chain: DevChain, a: Address) => (await provider(chain, a)).operator?.stake ?? 0n;

/** Every account that can hold LUX in these tests. */
export function accountsOf(chain: DevChain, extra: readonly Signer[] = []): Address[] {
  const set = new Set<Address>();
  for (let i = 0; i < 10; i++) for (const s of ['ml-dsa-65', 'secp256k1'] as const) set.add(chain.signer(i, s).address);
  for (const s of extra) set.add(s.address);
  set.add(chain.node.chain.genesis.producer);
  for (const a of [ESCROW_ADDRESS, BURN_ADDRESS, POOL_ADDRESS, AIVM_ADDRESS]) set.add(a);
  return [...set];
}

/**
 * The conservation invariants. (1) LUX: the supply equals the sum of all balances and never changes.
 * (2) Escrow identity: balance(escrow) = Σ stake + Σ open task escrow + Σ credit + Σ open bonds,
 * each side computed from per-entity queries, and equal to the module's own buckets.
 */
export async function checkConservation(chain: DevChain, accounts: readonly Address[], supply?: bigint): Promise<bigint> {
  const total = await chain.call<bigint>('lux', 'totalSupply');
  if (supply !== undefined) expect(total, 'LUX supply changed').to.equal(supply);
  let sum = 0n;
  for (const a of accounts) sum += await chain.balance(a);
  expect(sum, 'sum of balances != supply').to.equal(total);

  const providers = await chain.call<ProviderView[]>('aivm', 'getProviders');
  let stake = 0n;
  for (const p of providers) stake += p.operator?.stake ?? 0n;
  let credits = 0n;
  for (const a of accounts) credits += await credit(chain, a);
  const ids = await chain.call<Uint8Array[]>('aivm', 'listTasks', { offset: 0n, limit: 1000 });
  let escrow = 0n;
  let bonds = 0n;
  for (const id of ids) {
    const v = await task(chain, id);
    escrow += v.escrow;
    if (v.post && (v.status === TaskStatus.Posted || v.status === TaskStatus.Challenged)) bonds += v.post.bond + v.post.challengerBond;
  }
  const acc = await chain.call<{ escrowBalance: bigint; totals: { stake: bigint; escrow: bigint; credit: bigint; bonds: bigint } }>('aivm', 'accounting');
  expect(acc.totals, 'module buckets vs per-entity sums').to.deep.equal({ stake, escrow, credit: credits, bonds });
  expect(acc.escrowBalance, 'escrow identity').to.equal(stake + escrow + credits + bonds);
  return total;
}

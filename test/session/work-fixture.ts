/**
 * Shared setup for the workload-session tests: a manual-mining dev chain with the sessionwork module,
 * service nodes (ML-DSA-65 node keys, secp256k1 operator accounts for fast transactions), and helpers
 * that send a batch of transactions in one block.
 */
import { expect } from 'chai';
import { createDevChain, type DevChain, MlDsaSigner, type Signer, sha256, utf8, u32be, concat, type Receipt, extraRoot } from '../../sdk/chain.js';
import { nodeIdFromPublicKey, proofOfPossessionMessage, signAttestation, type AttestationDomain } from '../../sdk/session/index.js';

export const ONE = 10n ** 18n;
export const MODULE = 'sessionwork';

const keyCache = new Map<number, MlDsaSigner>();
/** Deterministic node key `i` (ML-DSA-65). */
export function nodeKey(i: number): MlDsaSigner {
  let k = keyCache.get(i);
  if (!k) {
    k = new MlDsaSigner(sha256(concat(utf8('test/sessionwork/node-key'), u32be(i))));
    keyCache.set(i, k);
  }
  return k;
}

export interface TestNode {
  key: MlDsaSigner;
  id: Uint8Array;
  operator: Signer;
  endpoint: string;
}

export function testNode(i: number, chain: DevChain): TestNode {
  const key = nodeKey(i);
  return { key, id: nodeIdFromPublicKey(key.publicKey), operator: chain.signer(i % 10, 'secp256k1'), endpoint: `https://node${i}.example` };
}

/**
 * The chain-level tests pin the original sessionwork rules (version 1, what a chain whose genesis
 * names no version runs); work-outputs.test.ts covers rules 2, the dev genesis default.
 */
export const DEFAULT_TEST_PARAMS = {
  version: 1,
  minStake: (1000n * ONE).toString(),
  committeeMin: 3,
  committeeMax: 4,
  epochBlocks: 1000,
  stepTimeoutBlocks: 20,
  sessionTimeoutBlocks: 200,
  unbondingBlocks: 5,
};

export async function workChain(params: Record<string, unknown> = {}): Promise<DevChain> {
  return createDevChain({ mining: 'manual', genesis: { modules: { sessionwork: { ...DEFAULT_TEST_PARAMS, ...params } } } });
}

export type Call = [signer: Signer, method: string, args: Record<string, unknown>];

/** Sends the calls in one block (in order); returns their receipts and decoded results. */
export async function block(chain: DevChain, calls: Call[]): Promise<{ receipt: Receipt; result: any; hash: Uint8Array; height: bigint }[]> {
  const pending = [];
  for (const [signer, m, args] of calls) pending.push(await chain.submit(signer, MODULE, m, args));
  await chain.mine(1);
  return Promise.all(pending.map((p) => p.receipt)) as never;
}

/** Sends one call in its own block. */
export async function send(chain: DevChain, signer: Signer, m: string, args: Record<string, unknown>) {
  const [r] = await block(chain, [[signer, m, args]]);
  return r!;
}

/** Sends one call and expects success; returns the decoded result. */
export async function ok<R = any>(chain: DevChain, signer: Signer, m: string, args: Record<string, unknown>): Promise<R> {
  const r = await send(chain, signer, m, args);
  expect(r.receipt.status, `${m} failed: ${r.receipt.error} ${r.receipt.errorMessage}`).to.equal(1);
  return r.result as R;
}

/** Sends one call and expects the named failure. */
export async function fails(chain: DevChain, signer: Signer, m: string, args: Record<string, unknown>, error: string): Promise<Receipt> {
  const r = await send(chain, signer, m, args);
  expect(r.receipt.status, `${m} should fail with ${error}`).to.equal(0);
  expect(r.receipt.error, r.receipt.errorMessage).to.equal(error);
  return r.receipt;
}

export function registerArgs(n: TestNode, stake = 1000n * ONE, endpoint = n.endpoint) {
  return { publicKey: n.key.publicKey, endpoint, stake, proof: n.key.signRaw(proofOfPossessionMessage(n.operator.address, n.id)) };
}

/** Registers and activates nodes (two blocks). */
export async function addNodes(chain: DevChain, nodes: TestNode[]): Promise<void> {
  for (const r of await block(chain, nodes.map((n) => [n.operator, 'registerNode', registerArgs(n)] as Call))) expect(r.receipt.status, r.receipt.errorMessage).to.equal(1);
  for (const r of await block(chain, nodes.map((n) => [n.operator, 'activateNode', { nodeId: n.id }] as Call))) expect(r.receipt.status, r.receipt.errorMessage).to.equal(1);
}

export function byId(nodes: TestNode[], id: Uint8Array): TestNode {
  const hex = Buffer.from(id).toString('hex');
  const n = nodes.find((x) => Buffer.from(x.id).toString('hex') === hex);
  if (!n) throw new Error(`no test node ${hex}`);
  return n;
}

/** Signatures of `signers` over an attestation, as completeStep/finalizeSession take them. */
export function attest(signers: TestNode[], domain: AttestationDomain, subjectId: Uint8Array, commitRoot: Uint8Array, epoch: bigint) {
  return { domain, subjectId, commitRoot, epoch, signatures: signers.map((n) => signAttestation(n.key, domain, subjectId, commitRoot, epoch)) };
}

export async function headRoot(chain: DevChain, name: string): Promise<Uint8Array | undefined> {
  const head = chain.node.chain.headHeader;
  return extraRoot(head, name);
}

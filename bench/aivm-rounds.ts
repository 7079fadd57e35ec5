/**
 * The AIVM per-block round driven directly, with the state it reads and writes counted: a
 * load-independent measure of what a block costs the module (`bench/aivm.ts` prints it; the anchor
 * arena test asserts on it). Each `round()` is one endBlock round at the next height, after queuing
 * the given number of inference artifacts (what posts, re-executions and receipts queue).
 */
import { concat, decodeValue, encodeValue, keccak256, t, u64be, ZERO_ADDRESS, type CallContext, type StateWriter, type Type } from '../chain/index.js';
import { parseAivmParams, type AivmParams } from '../vm/aivm/index.js';
import { addArtifact } from '../vm/aivm/artifacts.js';
import { Env } from '../vm/aivm/env.js';
import { encodeAnchorOp } from '../vm/aivm/kernels.js';
import { anchorArenaView, runRound } from '../vm/aivm/round.js';
import { AivmReader, K } from '../vm/aivm/state.js';

export interface RoundWork {
  reads: number;
  bytesRead: number;
  writes: number;
  bytesWritten: number;
  deletes: number;
}

const key = (k: Uint8Array) => Buffer.from(k).toString('latin1');

/** An in-memory module state that counts every access. */
export class CountingState implements StateWriter {
  readonly #map = new Map<string, Uint8Array>();
  work: RoundWork = { reads: 0, bytesRead: 0, writes: 0, bytesWritten: 0, deletes: 0 };
  async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    const v = this.#map.get(key(k));
    this.work.reads++;
    this.work.bytesRead += v?.length ?? 0;
    return v === undefined ? undefined : new Uint8Array(v);
  }
  async has(k: Uint8Array): Promise<boolean> {
    return (await this.get(k)) !== undefined;
  }
  async getValue<T>(type: Type<T>, k: Uint8Array): Promise<T | undefined> {
    const raw = await this.get(k);
    return raw === undefined ? undefined : decodeValue(type, raw);
  }
  set(k: Uint8Array, v: Uint8Array): void {
    this.work.writes++;
    this.work.bytesWritten += v.length;
    this.#map.set(key(k), new Uint8Array(v));
  }
  setValue<T>(type: Type<T>, k: Uint8Array, v: T): void {
    this.set(k, encodeValue(type, v));
  }
  delete(k: Uint8Array): void {
    this.work.deletes++;
    this.#map.delete(key(k));
  }
  /** Keys held now (pruned keys are gone). */
  get size(): number {
    return this.#map.size;
  }
}

export class RoundDriver {
  readonly state = new CountingState();
  readonly params: AivmParams;
  readonly events: { name: string; fields: Record<string, unknown>; height: bigint }[] = [];
  height = 0n;

  constructor(params: Record<string, unknown>) {
    this.params = parseAivmParams(params);
  }

  #ctx(): CallContext<AivmParams> {
    const height = this.height;
    return {
      self: ZERO_ADDRESS,
      caller: ZERO_ADDRESS,
      origin: ZERO_ADDRESS,
      block: { chainId: 1337n, height, timestamp: 1_767_225_600_000n + height * 1000n, producer: ZERO_ADDRESS },
      tx: { hash: new Uint8Array(32), from: ZERO_ADDRESS, nonce: 0n, gasPrice: 0n, unsignedEncoding: new Uint8Array(0) },
      params: this.params,
      state: this.state,
      gas: { charge: () => {} } as never,
      transient: new Map(),
      emit: (name, fields) => this.events.push({ name, fields, height }),
      call: () => Promise.reject(new Error('no cross-module calls in a round')),
      query: () => Promise.reject(new Error('no queries in a round')),
      verifySignature: () => null,
      verifyMlDsa: () => false,
      accountKey: async () => undefined,
    } as CallContext<AivmParams>;
  }

  /** One block: `artifacts` inference artifacts, then the round. Returns the round's own work. */
  async round(artifacts = 1): Promise<RoundWork> {
    this.height++;
    const e = new Env(this.#ctx());
    for (let i = 0; i < artifacts; i++) await addArtifact(e, 'bench', concat(u64be(this.height), u64be(BigInt(i))));
    this.state.work = { reads: 0, bytesRead: 0, writes: 0, bytesWritten: 0, deletes: 0 };
    await runRound(e);
    return this.state.work;
  }

  /** The module's anchor-arena view now. */
  arena() {
    return anchorArenaView(new AivmReader(this.state), this.params);
  }

  /**
   * Rules 1 only: fills the arena with `n` chained anchors at once (what `n` anchored blocks leave),
   * so the cost of a block over a large arena is measured without running the blocks before it.
   */
  prefillAnchors(n: number): void {
    let parent: Uint8Array = new Uint8Array(32);
    for (let i = 0; i < n; i++) {
      const commitRoot = keccak256(concat(parent, u64be(BigInt(i))));
      const slot = encodeAnchorOp({ commitRoot, parentRoot: parent, validatorSetRootAtCommit: new Uint8Array(32), height: BigInt(i + 1), timestampNs: BigInt(i + 1), epoch: 1 });
      new DataView(slot.buffer, slot.byteOffset).setUint32(112, 1, true); // AuditAnchor.occupied
      this.state.set(K.anchorSlot(i), slot);
      parent = commitRoot;
    }
    this.state.setValue(t.uint32, K.anchorCount, n);
    this.height = BigInt(n);
  }
}

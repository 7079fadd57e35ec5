/**
 * The AIVM module's state layout: one typed record per key in the module's namespace. Keys are an
 * ASCII tag followed by fixed-width binary parts, so nothing here depends on iteration order: every
 * list is an explicit count plus indexed entries.
 */
import { addressBytes, concat, t, u32be, u64be, utf8, type Address, type Infer, type Type } from '../../chain/index.js';
import type { StateReader, StateWriter } from '../../chain/index.js';

// ---- schemas ------------------------------------------------------------------------------------

export const operatorT = t.struct({
  unbonding: t.bool,
  spec: t.bytes32,
  endpoint: t.bytes32,
  stake: t.uint256,
  unbondBlock: t.uint64,
  /** Tasks this operator was selected or assigned for that have not reached a final state. */
  openTasks: t.uint32,
  gpuModel: t.string(128),
  registeredHeight: t.uint64,
});
export type OperatorRecord = Infer<typeof operatorT>;

/** Per-provider statistics that outlive a registration (legacy reward surface). */
export const providerStatsT = t.struct({
  assigned: t.uint64,
  missed: t.uint64,
  tasksCompleted: t.uint64,
  totalRewards: t.uint256,
  pendingMining: t.uint256,
  avgLatencyMs: t.uint64,
  disputesLost: t.uint32,
  slashed: t.bool,
  slashedAmount: t.uint256,
});
export type ProviderStats = Infer<typeof providerStatsT>;
export const EMPTY_STATS: ProviderStats = {
  assigned: 0n,
  missed: 0n,
  tasksCompleted: 0n,
  totalRewards: 0n,
  pendingMining: 0n,
  avgLatencyMs: 0n,
  disputesLost: 0,
  slashed: false,
  slashedAmount: 0n,
};

export const taskT = t.struct({
  mode: t.uint8,
  status: t.uint8,
  n: t.uint32,
  threshold: t.uint32,
  requester: t.address,
  spec: t.bytes32,
  prompt: t.bytes32,
  /** Raw model input (32 int8 values for the on-chain int8 class); empty when off-chain only. */
  input: t.bytes(64),
  requestHeight: t.uint64,
  /** Quorum: last commit height. Optimistic: last height the assigned provider may post. */
  commitDeadline: t.uint64,
  /** Quorum: last reveal height. Optimistic: challenge deadline once posted (0 before). */
  revealDeadline: t.uint64,
  rewardPerOperator: t.uint256,
  escrow: t.uint256,
  feePaid: t.uint256,
  intentId: t.bytes32,
  canonical: t.bytes32,
  settledHeight: t.uint64,
  revealCount: t.uint32,
  /** An escalated quorum task points at the optimistic task whose dispute it decides. */
  parent: t.bytes32,
  /** 1 + index of the task's receipt in the receipt root (0 before settlement). */
  receiptIndex: t.uint32,
});
export type TaskRecord = Infer<typeof taskT>;

export const revealT = t.struct({ output: t.bytes32, embedding: t.bytes32 });

export const postT = t.struct({
  provider: t.address,
  outputHash: t.bytes32,
  computeMs: t.uint64,
  bond: t.uint256,
  postedHeight: t.uint64,
  deadline: t.uint64,
  challenger: t.optional(t.address),
  claim: t.bytes32,
  challengerBond: t.uint256,
  /** Quorum task deciding the dispute, when it could not be re-executed on chain. */
  escalation: t.bytes32,
});
export type PostRecord = Infer<typeof postT>;

export const intentCommitT = t.struct({ caller: t.address, reward: t.uint256, height: t.uint64 });
export const intentUseT = t.struct({ task: t.bytes32 });

export const totalsT = t.struct({ stake: t.uint256, escrow: t.uint256, credit: t.uint256, bonds: t.uint256 });
export type Totals = Infer<typeof totalsT>;
export const ZERO_TOTALS: Totals = { stake: 0n, escrow: 0n, credit: 0n, bonds: 0n };

export const statsT = t.struct({
  tasks: t.uint64,
  settled: t.uint64,
  failed: t.uint64,
  challenges: t.uint64,
  reexecutions: t.uint64,
  escalations: t.uint64,
  slashed: t.uint256,
  burned: t.uint256,
  mined: t.uint256,
});
export type Stats = Infer<typeof statsT>;
export const ZERO_STATS: Stats = { tasks: 0n, settled: 0n, failed: 0n, challenges: 0n, reexecutions: 0n, escalations: 0n, slashed: 0n, burned: 0n, mined: 0n };

export const modelT = t.struct({
  weightHash: t.bytes32,
  licenseRoot: t.bytes32,
  owner: t.address,
  version: t.uint64,
  parameterCount: t.uint64,
  modality: t.uint32,
  /** The 630-byte tiny-classifier file is stored: results can be re-executed on chain. */
  executable: t.bool,
  registeredHeight: t.uint64,
});
export type ModelRecord = Infer<typeof modelT>;

export const attestationT = t.struct({
  provider: t.address,
  measurement: t.bytes32,
  attestingKey: t.bytesN(48),
  expiryNs: t.uint64,
  kind: t.uint32,
  registeredHeight: t.uint64,
});
export type AttestationRecord = Infer<typeof attestationT>;

export const legacyReceiptT = t.struct({
  provider: t.address,
  hash: t.bytes32,
  reward: t.uint256,
  computeMs: t.uint64,
  height: t.uint64,
});

export const dueT = t.list(t.struct({ kind: t.uint8, id: t.bytes32 }), 100_000);
export type DueEntry = { kind: number; id: Uint8Array };
/** What endBlock does for a due entry. */
export const DueKind = { SettleQuorum: 1, PostTimeout: 2, FinalizeOptimistic: 3, DisputeDeadline: 4 } as const;

/** Rules 2: a dispute nobody could decide yet, open for evidence until `deadline`. */
export const disputeT = t.struct({ deadline: t.uint64, escalated: t.bool, openedHeight: t.uint64 });

/** Rules 2: an archived anchor-arena segment (its anchors are pruned from state). */
export const anchorSegmentT = t.struct({ auditRoot: t.bytes32, anchors: t.uint32, firstHeight: t.uint64, lastHeight: t.uint64, lastCommit: t.bytes32 });

export const slotListT = t.list(t.uint32, 1 << 16);

// ---- keys ---------------------------------------------------------------------------------------

const tag = (s: string) => utf8(s);
const A = (a: Address) => addressBytes(a);

export const K = {
  operator: (a: Address) => concat(tag('op/'), A(a)),
  stats: (a: Address) => concat(tag('ps/'), A(a)),
  providerCount: tag('prov.n'),
  providerAt: (i: number) => concat(tag('prov/'), u32be(i)),
  providerSeen: (a: Address) => concat(tag('prov.seen/'), A(a)),
  specCount: (spec: Uint8Array) => concat(tag('spec.n/'), spec),
  specMember: (spec: Uint8Array, i: number) => concat(tag('spec/'), spec, u32be(i)),
  specSeen: (spec: Uint8Array, a: Address) => concat(tag('spec.seen/'), spec, A(a)),
  credit: (a: Address) => concat(tag('cred/'), A(a)),
  reqNonce: (a: Address) => concat(tag('nonce/'), A(a)),
  task: (id: Uint8Array) => concat(tag('task/'), id),
  taskCount: tag('task.n'),
  taskAt: (i: bigint) => concat(tag('task.i/'), u64be(i)),
  selected: (id: Uint8Array, i: number) => concat(tag('sel/'), id, u32be(i)),
  selectedFlag: (id: Uint8Array, a: Address) => concat(tag('sel.f/'), id, A(a)),
  commit: (id: Uint8Array, a: Address) => concat(tag('commit/'), id, A(a)),
  reveal: (id: Uint8Array, a: Address) => concat(tag('reveal/'), id, A(a)),
  revealAt: (id: Uint8Array, i: number) => concat(tag('reveal.i/'), id, u32be(i)),
  post: (id: Uint8Array) => concat(tag('post/'), id),
  intentCommitted: (id: Uint8Array) => concat(tag('intent.c/'), id),
  intentUsed: (id: Uint8Array) => concat(tag('intent.u/'), id),
  receiptCount: tag('rcpt.n'),
  receiptLeaf: (i: number) => concat(tag('rcpt/'), u32be(i)),
  receiptRoot: tag('rcpt.root'),
  receiptEncoding: (taskId: Uint8Array) => concat(tag('rcpt.enc/'), taskId),
  due: (height: bigint) => concat(tag('due/'), u64be(height)),
  totals: tag('totals'),
  globalStats: tag('stats'),
  model: (root: Uint8Array) => concat(tag('model/'), root),
  modelFile: (root: Uint8Array) => concat(tag('model.file/'), root),
  modelCount: tag('model.n'),
  modelAt: (i: number) => concat(tag('model.i/'), u32be(i)),
  attestation: (digest: Uint8Array) => concat(tag('att/'), digest),
  attestationOf: (a: Address) => concat(tag('att.of/'), A(a)),
  attestationCount: tag('att.n'),
  /** Arena slot of an applied attestation (written by the round). */
  attestationSlot: (digest: Uint8Array) => concat(tag('att.slot/'), digest),
  teeAllow: (spec: Uint8Array, measurement: Uint8Array) => concat(tag('tee/'), spec, measurement),
  // Rules 2 only (never written under rules 1).
  teeCert: (keyHash: Uint8Array) => concat(tag('tee.cert/'), keyHash),
  modelRequireTee: (spec: Uint8Array) => concat(tag('tee.req/'), spec),
  taskTee: (id: Uint8Array) => concat(tag('task.tee/'), id),
  dispute: (id: Uint8Array) => concat(tag('dispute/'), id),
  anchorLast: tag('ar.anc.last'),
  anchorTotal: tag('ar.anc.total'),
  anchorSegmentCount: tag('ar.anc.seg.n'),
  anchorSegment: (i: number) => concat(tag('ar.anc.seg/'), u32be(i)),
  legacyReceipt: (jobId: Uint8Array) => concat(tag('lr/'), jobId),
  legacyCount: tag('lr.n'),
  legacyAt: (i: number) => concat(tag('lr.i/'), u32be(i)),
  // Per-block queues, emptied by endBlock.
  blockAttCount: tag('blk.att.n'),
  blockAtt: (i: number) => concat(tag('blk.att/'), u32be(i)),
  blockModelCount: tag('blk.mod.n'),
  blockModel: (i: number) => concat(tag('blk.mod/'), u32be(i)),
  blockArtifactCount: tag('blk.art.n'),
  blockArtifact: (i: number) => concat(tag('blk.art/'), u32be(i)),
  // Kernel arenas and the round state.
  attSlot: (i: number) => concat(tag('ar.att/'), u32be(i)),
  attOccupied: tag('ar.att.occ'),
  modelSlot: (i: number) => concat(tag('ar.mod/'), u32be(i)),
  modelOccupied: tag('ar.mod.occ'),
  anchorSlot: (i: number) => concat(tag('ar.anc/'), u32be(i)),
  anchorCount: tag('ar.anc.n'),
  epochState: tag('epoch'),
  stateRoot: tag('root'),
  roundResult: tag('round'),
};

/** Read helpers shared by queries and methods. */
export class AivmReader {
  constructor(readonly state: StateReader) {}
  operator(a: Address) {
    return this.state.getValue(operatorT, K.operator(a));
  }
  async stats(a: Address): Promise<ProviderStats> {
    return (await this.state.getValue(providerStatsT, K.stats(a))) ?? { ...EMPTY_STATS };
  }
  task(id: Uint8Array) {
    return this.state.getValue(taskT, K.task(id));
  }
  post(id: Uint8Array) {
    return this.state.getValue(postT, K.post(id));
  }
  async credit(a: Address): Promise<bigint> {
    return (await this.state.getValue(t.uint256, K.credit(a))) ?? 0n;
  }
  async count(key: Uint8Array): Promise<number> {
    return (await this.state.getValue(t.uint32, key)) ?? 0;
  }
  async totals(): Promise<Totals> {
    return (await this.state.getValue(totalsT, K.totals)) ?? { ...ZERO_TOTALS };
  }
  async globalStats(): Promise<Stats> {
    return (await this.state.getValue(statsT, K.globalStats)) ?? { ...ZERO_STATS };
  }
  model(root: Uint8Array) {
    return this.state.getValue(modelT, K.model(root));
  }
  attestation(digest: Uint8Array) {
    return this.state.getValue(attestationT, K.attestation(digest));
  }
  async selected(id: Uint8Array, n: number): Promise<Address[]> {
    const out: Address[] = [];
    for (let i = 0; i < n; i++) {
      const a = await this.state.getValue(t.address, K.selected(id, i));
      if (a) out.push(a);
    }
    return out;
  }
  async revealers(id: Uint8Array, count: number): Promise<Address[]> {
    const out: Address[] = [];
    for (let i = 0; i < count; i++) out.push((await this.state.getValue(t.address, K.revealAt(id, i)))!);
    return out;
  }
  async receiptLeaves(): Promise<Uint8Array[]> {
    const n = await this.count(K.receiptCount);
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) out.push((await this.state.getValue(t.bytes32, K.receiptLeaf(i)))!);
    return out;
  }
}

export class AivmWriter extends AivmReader {
  constructor(override readonly state: StateWriter) {
    super(state);
  }
  setOperator(a: Address, r: OperatorRecord) {
    this.state.setValue(operatorT, K.operator(a), r);
  }
  setStats(a: Address, s: ProviderStats) {
    this.state.setValue(providerStatsT, K.stats(a), s);
  }
  setTask(id: Uint8Array, r: TaskRecord) {
    this.state.setValue(taskT, K.task(id), r);
  }
  setPost(id: Uint8Array, r: PostRecord) {
    this.state.setValue(postT, K.post(id), r);
  }
  setCount(key: Uint8Array, n: number) {
    this.state.setValue(t.uint32, key, n);
  }
  setCreditRaw(a: Address, v: bigint) {
    if (v === 0n) this.state.delete(K.credit(a));
    else this.state.setValue(t.uint256, K.credit(a), v);
  }
  setTotals(v: Totals) {
    this.state.setValue(totalsT, K.totals, v);
  }
  setGlobalStats(v: Stats) {
    this.state.setValue(statsT, K.globalStats, v);
  }
  async bumpStats(f: (s: Stats) => void): Promise<void> {
    const s = await this.globalStats();
    f(s);
    this.setGlobalStats(s);
  }
  async bumpProviderStats(a: Address, f: (s: ProviderStats) => void): Promise<void> {
    const s = await this.stats(a);
    f(s);
    this.setStats(a, s);
  }
  /** Appends to an indexed list kept as `count` + entries. */
  async append<T>(countKey: Uint8Array, at: (i: number) => Uint8Array, type: Type<T>, v: T): Promise<number> {
    const n = await this.count(countKey);
    this.state.setValue(type, at(n), v);
    this.setCount(countKey, n + 1);
    return n;
  }
}

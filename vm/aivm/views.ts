/**
 * Read-only views of AIVM state for queries, JSON-RPC and the CLI. Each view is a `t` schema, so it
 * has one RLP form (for `chain.Call`) and one JSON form (for `aivm.*` RPC replies).
 */
import { t, type Address, type Infer } from '../../chain/index.js';
import { MODE_NAMES, TASK_STATUS_NAMES, TaskStatus, type Mode } from './constants.js';
import { uptimePpm } from './mining.js';
import { AivmReader, attestationT, K, legacyReceiptT, modelT, operatorT, postT, providerStatsT, revealT, statsT, totalsT } from './state.js';
import { ReceiptStatus } from './wire.js';

export const taskViewT = t.struct({
  taskId: t.bytes32,
  mode: t.uint8,
  modeName: t.string(),
  status: t.uint8,
  statusName: t.string(),
  /** The status a receipt of the task would carry now (Pending, Challenged, Completed, Failed). */
  receiptStatus: t.uint8,
  n: t.uint32,
  threshold: t.uint32,
  requester: t.address,
  spec: t.bytes32,
  prompt: t.bytes32,
  input: t.bytes(),
  requestHeight: t.uint64,
  commitDeadline: t.uint64,
  revealDeadline: t.uint64,
  rewardPerOperator: t.uint256,
  escrow: t.uint256,
  feePaid: t.uint256,
  intentId: t.bytes32,
  canonical: t.bytes32,
  settledHeight: t.uint64,
  selected: t.list(t.address, 256),
  committed: t.list(t.address, 256),
  reveals: t.list(t.struct({ operator: t.address, output: t.bytes32 }), 256),
  post: t.optional(postT),
  parent: t.bytes32,
  receiptIndex: t.uint32,
});
export type TaskView = Infer<typeof taskViewT>;

function receiptStatusOf(status: number): number {
  switch (status) {
    case TaskStatus.Settled:
      return ReceiptStatus.Completed;
    case TaskStatus.Failed:
      return ReceiptStatus.Failed;
    case TaskStatus.Challenged:
      return ReceiptStatus.Challenged;
    default:
      return ReceiptStatus.Pending;
  }
}

export async function taskView(r: AivmReader, id: Uint8Array): Promise<TaskView | null> {
  const task = await r.task(id);
  if (!task) return null;
  const selected = await r.selected(id, task.n);
  const committed: Address[] = [];
  for (const op of selected) if (await r.state.has(K.commit(id, op))) committed.push(op);
  const reveals = [];
  for (const op of await r.revealers(id, task.revealCount)) reveals.push({ operator: op, output: (await r.state.getValue(revealT, K.reveal(id, op)))!.output });
  return {
    taskId: id,
    ...task,
    modeName: MODE_NAMES[task.mode as Mode] ?? 'unknown',
    statusName: TASK_STATUS_NAMES[task.status] ?? 'unknown',
    receiptStatus: receiptStatusOf(task.status),
    selected,
    committed,
    reveals,
    post: (await r.post(id)) ?? null,
  };
}

export const providerViewT = t.struct({
  address: t.address,
  registered: t.bool,
  operator: t.optional(operatorT),
  stats: providerStatsT,
  uptimePpm: t.uint64,
  credit: t.uint256,
  attestation: t.optional(attestationT),
});
export type ProviderView = Infer<typeof providerViewT>;

export async function providerView(r: AivmReader, a: Address): Promise<ProviderView> {
  const operator = (await r.operator(a)) ?? null;
  const stats = await r.stats(a);
  const digest = await r.state.getValue(t.bytes32, K.attestationOf(a));
  return {
    address: a,
    registered: operator !== null,
    operator,
    stats,
    uptimePpm: uptimePpm(stats),
    credit: await r.credit(a),
    attestation: digest ? ((await r.attestation(digest)) ?? null) : null,
  };
}

export async function providerList(r: AivmReader): Promise<ProviderView[]> {
  const n = await r.count(K.providerCount);
  const out: ProviderView[] = [];
  for (let i = 0; i < n; i++) out.push(await providerView(r, (await r.state.getValue(t.address, K.providerAt(i)))!));
  return out;
}

export const modelViewT = t.struct({ modelRoot: t.bytes32, record: modelT });
export async function modelList(r: AivmReader): Promise<Infer<typeof modelViewT>[]> {
  const n = await r.count(K.modelCount);
  const out = [];
  for (let i = 0; i < n; i++) {
    const root = (await r.state.getValue(t.bytes32, K.modelAt(i)))!;
    out.push({ modelRoot: root, record: (await r.model(root))! });
  }
  return out;
}

export const statsViewT = t.struct({
  stats: statsT,
  totals: totalsT,
  providers: t.uint32,
  models: t.uint32,
  attestations: t.uint32,
  tasks: t.uint64,
  receipts: t.uint32,
  receiptRoot: t.bytes32,
  stateRoot: t.bytes32,
  epoch: t.uint64,
  anchors: t.uint32,
});

export const rewardStatsViewT = t.struct({
  providerId: t.address,
  tasksCompleted: t.uint64,
  totalRewards: t.uint256,
  pendingRewards: t.uint256,
  credit: t.uint256,
  uptimePpm: t.uint64,
  avgLatencyMs: t.uint64,
  slashed: t.bool,
  slashedAmount: t.uint256,
});

export const legacyReceiptViewT = t.struct({ jobId: t.string(), record: legacyReceiptT });

export const receiptViewT = t.struct({
  taskId: t.bytes32,
  receipt: t.bytes(),
  receiptHash: t.bytes32,
  index: t.uint32,
});

export const exportViewT = t.struct({
  taskId: t.bytes32,
  receipt: t.bytes(),
  receiptHash: t.bytes32,
  proof: t.struct({ index: t.uint32, siblings: t.list(t.bytes32, 64) }),
  root: t.bytes32,
});

export const accountingViewT = t.struct({ escrowBalance: t.uint256, totals: totalsT, burned: t.uint256, pool: t.uint256 });


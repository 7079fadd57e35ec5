/**
 * The reference committee worker: one service node's off-chain agent. On every new block (and on a
 * poll timer) it looks at the chain and does the next thing its node owes:
 *
 *  1. an open request of a session it serves, without its record → perform the I/O through the
 *     handler and submit the record;
 *  2. records from a quorum, not committed, and this node is the first record submitter in
 *     committee order → commit the records;
 *  3. committed records it has not co-signed → recompute the tree (b) root from the records on
 *     chain and, if it matches, submit its signature share;
 *  4. a quorum of shares and this node is the first share submitter in committee order → assemble
 *     the attestation and complete the step (output hash = the body hash most records agree on);
 *  5. a requested finalization → check the roots, co-sign session/complete, and the designated
 *     node finalizes.
 *
 * Designations are computed from chain state alone, so every worker agrees who acts and duplicate
 * transactions are rare; a lost race only costs a failed transaction.
 */
import { addressBytes, compareBytes, equals, toHex, type Signer } from '../../../chain/index.js';
import type { RpcClient } from '../../rpc-client.js';
import { signAttestation, quorumSize, nodeIdFromPublicKey, sessionCompleteCommit, merkleRoot, oracleRecordsRoot, proofOfPossessionMessage, domainForStepKind, StepKind, type StepKindName } from '../../../vm/session/index.js';
import type { FinalizationView, PendingView, RecordView } from '../../../vm/session/index.js';
import { type SendOutcome, WorkClient } from './client.js';
import type { OracleHandler } from './handlers.js';

export interface NodeKey {
  readonly publicKey: Uint8Array;
  signRaw(message: Uint8Array): Uint8Array;
}

export interface WorkerOptions {
  /** The node's operator account (signs transactions). */
  operator: Signer;
  /** The node's ML-DSA-65 attestation key (may be the operator's own ML-DSA signer). */
  nodeKey: NodeKey;
  handler: OracleHandler;
  /** JSON-RPC URL or a client. */
  rpc: string | RpcClient;
  /** Poll interval besides newHeads notifications (default 500 ms). */
  pollMs?: number;
  /** Use WebSocket newHeads notifications (default true). */
  subscribe?: boolean;
  log?: (line: string) => void;
}

export interface WorkerAction {
  action: 'record' | 'commit' | 'share' | 'complete' | 'finalize-share' | 'finalize';
  subject: string;
  status: 0 | 1;
  error: string | null;
}

export class CommitteeWorker {
  readonly nodeId: Uint8Array;
  readonly client: WorkClient;
  readonly #opts: WorkerOptions;
  readonly #log: (line: string) => void;
  readonly actions: WorkerAction[] = [];
  #running = false;
  #ticking: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(opts: WorkerOptions) {
    this.#opts = opts;
    this.nodeId = nodeIdFromPublicKey(opts.nodeKey.publicKey);
    this.client = new WorkClient(opts.rpc, opts.operator);
    this.#log = opts.log ?? (() => {});
  }

  get nodeIdHex(): string {
    return toHex(this.nodeId);
  }

  /** Registers (with `stake` wei) and activates the node unless it already is; returns its status. */
  /**
   * Registers and activates this worker's node if needed. Both transactions are simulated first: a
   * doomed one (stake below the minimum, a taken endpoint) throws WouldFailError and is not sent,
   * unless `force`.
   */
  async ensureRegistered(endpoint: string, stake: bigint, opts: { force?: boolean } = {}): Promise<string> {
    const send = { simulate: true, force: opts.force };
    let node = await this.client.query('getNode', { nodeId: this.nodeId }).catch(() => undefined);
    if (!node) {
      const proof = this.#opts.nodeKey.signRaw(proofOfPossessionMessage(this.#opts.operator.address, this.nodeId));
      this.#check(await this.client.send('registerNode', { publicKey: this.#opts.nodeKey.publicKey, endpoint, stake, proof }, send), 'registerNode');
      node = await this.client.query('getNode', { nodeId: this.nodeId });
    }
    if (node.status === 'registered' || node.status === 'suspended') {
      this.#check(await this.client.send('activateNode', { nodeId: this.nodeId }, send), 'activateNode');
      node = await this.client.query('getNode', { nodeId: this.nodeId });
    }
    return node.status;
  }

  #check(r: SendOutcome, what: string): void {
    if (r.status !== 1) throw new Error(`${what} failed: ${r.error}: ${r.errorMessage}`);
  }

  /** Starts reacting to new blocks (and polling). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (this.#opts.subscribe !== false) {
      try {
        this.#unsubscribe = await this.client.rpc.subscribe('newHeads', () => this.poke());
      } catch (e) {
        this.#log(`no newHeads subscription (${(e as Error).message}); polling only`);
      }
    }
    const every = this.#opts.pollMs ?? 500;
    const loop = () => {
      if (!this.#running) return;
      this.poke();
      this.#timer = setTimeout(loop, every);
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#unsubscribe?.().catch(() => {});
    await this.#ticking;
    this.client.close();
  }

  /** Schedules a tick (coalesced: at most one runs, one more is queued). */
  poke(): void {
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = this.tick()
      .then(() => undefined)
      .catch((e) => this.#log(`tick failed: ${(e as Error).message}`))
      .finally(() => {
        this.#ticking = undefined;
        if (this.#again && this.#running) {
          this.#again = false;
          this.poke();
        }
      });
  }

  /** One pass over everything this node owes; returns how many transactions it sent. */
  async tick(): Promise<number> {
    let sent = 0;
    const pending = await this.client.query('getPendingRequests', { sessionId: null, nodeId: this.nodeId });
    for (const p of pending) sent += await this.#onRequest(p);
    const finals = await this.client.query('getPendingFinalizations', { nodeId: this.nodeId });
    for (const f of finals) sent += await this.#onFinalization(f);
    return sent;
  }

  async #act(action: WorkerAction['action'], subject: Uint8Array, method: string, args: Record<string, unknown>): Promise<number> {
    const r = await this.client.send(method, args);
    this.actions.push({ action, subject: toHex(subject), status: r.status, error: r.error });
    this.#log(`${action} ${toHex(subject).slice(0, 18)}… → ${r.status === 1 ? 'ok' : `${r.error}: ${r.errorMessage}`}`);
    return 1;
  }

  /** The first member, in committee order, of those in `present`. */
  #designated(committee: Uint8Array[], present: Uint8Array[]): Uint8Array | undefined {
    const have = new Set(present.map((p) => toHex(p)));
    return committee.find((m) => have.has(toHex(m)));
  }

  async #onRequest(p: PendingView): Promise<number> {
    const quorum = quorumSize(p.committee.length);
    if (!p.committed && !p.recorded) {
      const result = await this.#opts.handler({ requestId: p.requestId, sessionId: p.sessionId, stepIndex: p.stepIndex, kind: p.kind as StepKindName, input: p.input });
      const head = await this.client.head();
      const now = BigInt(Date.now());
      const ts = now < p.createdAt ? p.createdAt : now > head.timestamp ? (head.timestamp < p.createdAt ? p.createdAt : head.timestamp) : now;
      return this.#act('record', p.requestId, 'submitRecord', {
        requestId: p.requestId,
        nodeId: this.nodeId,
        timestamp: ts,
        endpoint: new TextEncoder().encode(result.endpoint).slice(0, 256),
        body: result.body,
        resultCode: result.resultCode,
        externalRef: new TextEncoder().encode(result.externalRef ?? '').slice(0, 256),
      });
    }
    const records = await this.client.query('getRecords', { requestId: p.requestId });
    if (!p.committed) {
      const enough = records.length >= quorum || records.length === p.committee.length;
      const first = this.#designated(p.committee, records.map((r) => r.nodeId));
      if (enough && first && equals(first, this.nodeId)) return this.#act('commit', p.requestId, 'commitRecords', { requestId: p.requestId, nodeId: this.nodeId });
      return 0;
    }
    const domain = domainForStepKind(StepKind[p.kind as StepKindName]);
    if (!p.shared) {
      if (!this.#recordsMatch(p, records)) {
        this.#log(`request ${toHex(p.requestId)}: the committed root does not match the records; not signing`);
        return 0;
      }
      const share = signAttestation(this.#opts.nodeKey, domain, p.requestId, p.recordsRoot, p.epoch);
      return this.#act('share', p.requestId, 'submitShare', { domain, subjectId: p.requestId, commitRoot: p.recordsRoot, epoch: p.epoch, ...share });
    }
    if (p.shares < quorum) return 0;
    const shares = await this.client.query('getShares', { subjectId: p.requestId });
    const first = this.#designated(p.committee, shares.map((s) => s.nodeId));
    if (!first || !equals(first, this.nodeId)) return 0;
    return this.#act('complete', p.requestId, 'completeStep', {
      sessionId: p.sessionId,
      stepIndex: p.stepIndex,
      oracleCommitRoot: p.recordsRoot,
      outputHash: majorityBodyHash(records),
      nodeId: this.nodeId,
      attestation: { domain, subjectId: p.requestId, commitRoot: p.recordsRoot, epoch: p.epoch, signatures: shares.map((s) => ({ publicKey: s.publicKey, signature: s.signature })) },
    });
  }

  /** Recomputes the tree (b) root from the records as stored on chain. */
  #recordsMatch(p: PendingView, records: RecordView[]): boolean {
    const root = oracleRecordsRoot(
      records.map((r) => ({ requestId: p.requestId, executor: addressBytes(r.executor), timestamp: r.timestamp, endpoint: r.endpoint, bodyHash: r.bodyHash, resultCode: r.resultCode, externalRef: r.externalRef })),
    );
    return equals(root, p.recordsRoot);
  }

  async #onFinalization(f: FinalizationView): Promise<number> {
    if (!f.shared) {
      const session = await this.client.query('getSession', { sessionId: f.sessionId });
      const stepRoots = [];
      for (let i = 0; i < session.stepCount; i++) stepRoots.push((await this.client.query('getStep', { sessionId: f.sessionId, stepIndex: i })).oracleCommitRoot);
      const receipts = await this.client.query('getReceipts', { sessionId: f.sessionId });
      const commit = sessionCompleteCommit(f.outputHash, merkleRoot(stepRoots), merkleRoot(receipts.map((r) => r.receiptId)));
      if (!equals(commit, f.commitRoot)) {
        this.#log(`session ${toHex(f.sessionId)}: the finalization roots do not match the chain; not signing`);
        return 0;
      }
      const share = signAttestation(this.#opts.nodeKey, 'session/complete', f.sessionId, f.commitRoot, f.epoch);
      return this.#act('finalize-share', f.sessionId, 'submitShare', { domain: 'session/complete', subjectId: f.sessionId, commitRoot: f.commitRoot, epoch: f.epoch, ...share });
    }
    if (f.shares < quorumSize(f.committee.length)) return 0;
    const shares = await this.client.query('getShares', { subjectId: f.sessionId });
    const first = this.#designated(f.committee, shares.map((s) => s.nodeId));
    if (!first || !equals(first, this.nodeId)) return 0;
    return this.#act('finalize', f.sessionId, 'finalizeSession', {
      sessionId: f.sessionId,
      outputHash: f.outputHash,
      oracleRoot: f.oracleRoot,
      receiptsRoot: f.receiptsRoot,
      nodeId: this.nodeId,
      attestation: { domain: 'session/complete', subjectId: f.sessionId, commitRoot: f.commitRoot, epoch: f.epoch, signatures: shares.map((s) => ({ publicKey: s.publicKey, signature: s.signature })) },
    });
  }
}

/** The body hash the most records share (ties: the smallest hash), the step's output. */
export function majorityBodyHash(records: { bodyHash: Uint8Array }[]): Uint8Array {
  const counts = new Map<string, { hash: Uint8Array; n: number }>();
  for (const r of records) {
    const k = toHex(r.bodyHash);
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { hash: r.bodyHash, n: 1 });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n || compareBytes(a.hash, b.hash))[0];
  return best ? best.hash : new Uint8Array(32);
}

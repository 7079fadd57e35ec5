/**
 * The reference committee worker: one service node's off-chain agent. On every new block (and on a
 * poll timer) it looks at the chain and does the next thing its node owes:
 *
 *  1. an open request of a session it serves, without its record → perform the I/O through the
 *     handler and submit the record;
 *  2. records from a quorum (under rules 2: a quorum carrying one body hash), not committed, and
 *     this node is the first record submitter in committee order → commit the records;
 *  3. committed records it has not co-signed → recompute the tree (b) root from the records on
 *     chain and, under rules 2, the agreed output, which must also be the body this node itself
 *     recorded; only then submit its signature share;
 *  4. a quorum of shares from unslashed members and this node is the first of them in committee
 *     order → assemble the attestation and complete the step with the attested output;
 *  5. a requested finalization → check the roots and, under rules 2, that the proposed output is
 *     the tree (a) root over the steps' attested outputs; co-sign session/complete; the designated
 *     node finalizes;
 *  6. a step it delivered an output for completed → submit a delivery receipt (message = the
 *     output, sender = this node, receiver = the session);
 *  7. two valid signatures of one node key over different commit roots for the same subject, in any
 *     block (shares, also refused ones, and attestations) → report the equivocation with both; the
 *     first committee member other than the culprit reports at once, anyone else after
 *     `reportGraceBlocks` if the node is still not slashed.
 *
 * Designations are computed from chain state alone, so every worker agrees who acts and duplicate
 * transactions are rare; a lost race only costs a failed transaction.
 */
import { addressBytes, compareBytes, concat, equals, fromHex, sha256, toHex, utf8, type Json, type Signer } from '../../../chain/index.js';
import type { RpcClient } from '../../rpc-client.js';
import {
  agreedOutput,
  signAttestation,
  quorumSize,
  nodeIdFromPublicKey,
  sessionCompleteCommit,
  sessionOutput,
  merkleRoot,
  oracleRecordsRoot,
  proofOfPossessionMessage,
  domainForStepKind,
  StepKind,
  WORK_RULES,
  type StepKindName,
} from '../../../vm/session/index.js';
import type { FinalizationView, PendingView, RecordView, ShareView } from '../../../vm/session/index.js';
import { type SendOutcome, WorkClient } from './client.js';
import { EquivocationWatch, signedCommitsOf, type EquivocationReport } from './equivocation.js';
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
  /** First block the chain watch reads (receipts, equivocation); default: 256 blocks before the head at the first pass. */
  watchFrom?: bigint;
  /** Blocks a non-designated worker waits before reporting an equivocation itself (default 3). */
  reportGraceBlocks?: number;
  /**
   * For demos and tests only: after each oracle share, also sign and submit a share over a different
   * commit root (the chain refuses it, but the signed share is public): an equivocating node.
   */
  equivocate?: boolean;
  log?: (line: string) => void;
}

export interface WorkerAction {
  action: 'record' | 'commit' | 'share' | 'complete' | 'finalize-share' | 'finalize' | 'receipt' | 'report' | 'equivocate';
  subject: string;
  status: 0 | 1;
  error: string | null;
}

/** Blocks the chain watch reads per pass at most (a worker that was down catches up over several passes). */
const WATCH_BATCH = 500n;

interface PendingReport {
  report: EquivocationReport;
  culprit: Uint8Array;
  seenAt: bigint;
}

/** Steps whose delivery receipt this worker sent, remembered at most (oldest forgotten first). */
const MAX_RECEIPTED = 65_536;

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
  #rules: number | undefined;
  /** Last block the chain watch has read. */
  #watched: bigint | undefined;
  readonly #watch = new EquivocationWatch();
  readonly #reports: PendingReport[] = [];
  readonly #receipted = new Set<string>();

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
        this.#unsubscribe = await this.client.rpc.subscribe('newHeads', () => this.poke(), {
          onEnd: (e) => {
            this.#unsubscribe = undefined;
            if (this.#running) this.#log(`${e.message}; polling only`);
          },
        });
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
    sent += await this.#watchChain();
    return sent;
  }

  /** The chain's sessionwork rules version (read once). */
  async #rulesVersion(): Promise<number> {
    this.#rules ??= (await this.client.query('params')).version;
    return this.#rules;
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
    const attested = (await this.#rulesVersion()) >= WORK_RULES.attestedOutputs;
    if (!p.committed) {
      const enough = attested ? agreedOutput(records.map((r) => r.bodyHash), p.committee.length) !== null : records.length >= quorum || records.length === p.committee.length;
      const first = this.#designated(p.committee, records.map((r) => r.nodeId));
      if (enough && first && equals(first, this.nodeId)) return this.#act('commit', p.requestId, 'commitRecords', { requestId: p.requestId, nodeId: this.nodeId });
      return 0;
    }
    const domain = domainForStepKind(StepKind[p.kind as StepKindName]);
    if (!p.shared) {
      const refusal = this.#checkStep(p, records, attested);
      if (refusal) {
        this.#log(`request ${toHex(p.requestId)}: ${refusal}; not signing`);
        return 0;
      }
      const share = signAttestation(this.#opts.nodeKey, domain, p.requestId, p.recordsRoot, p.epoch);
      const sent = await this.#act('share', p.requestId, 'submitShare', { domain, subjectId: p.requestId, commitRoot: p.recordsRoot, epoch: p.epoch, ...share });
      if (this.#opts.equivocate) {
        const other = sha256(concat(p.recordsRoot, utf8('equivocation')));
        await this.#act('equivocate', p.requestId, 'submitShare', { domain, subjectId: p.requestId, commitRoot: other, epoch: p.epoch, ...signAttestation(this.#opts.nodeKey, domain, p.requestId, other, p.epoch) });
      }
      return sent;
    }
    const shares = await this.#liveShares(p.requestId, p.sessionId);
    if (shares.length < quorum) return 0;
    const first = this.#designated(p.committee, shares.map((s) => s.nodeId));
    if (!first || !equals(first, this.nodeId)) return 0;
    return this.#act('complete', p.requestId, 'completeStep', {
      sessionId: p.sessionId,
      stepIndex: p.stepIndex,
      oracleCommitRoot: p.recordsRoot,
      outputHash: p.attestedOutput ?? majorityBodyHash(records),
      nodeId: this.nodeId,
      attestation: { domain, subjectId: p.requestId, commitRoot: p.recordsRoot, epoch: p.epoch, signatures: shares.map((s) => ({ publicKey: s.publicKey, signature: s.signature })) },
    });
  }

  /** Why this node will not co-sign a committed step, or undefined when it will. */
  #checkStep(p: PendingView, records: RecordView[], attested: boolean): string | undefined {
    if (!this.#recordsMatch(p, records)) return 'the committed root does not match the records';
    if (!attested) return undefined;
    const agreed = agreedOutput(records.map((r) => r.bodyHash), p.committee.length);
    if (!agreed || !p.attestedOutput || !equals(agreed.outputHash, p.attestedOutput)) return 'the chain\'s attested output is not what a quorum of the records carry';
    const mine = records.find((r) => equals(r.nodeId, this.nodeId));
    if (!mine || !equals(mine.bodyHash, agreed.outputHash)) return 'this node did not observe the attested output itself';
    return undefined;
  }

  /** The shares of a subject whose signers are not slashed (a slashed signer's share no longer counts). */
  async #liveShares(subjectId: Uint8Array, sessionId: Uint8Array): Promise<ShareView[]> {
    const shares = await this.client.query('getShares', { subjectId });
    const committee = await this.client.query('getCommittee', { sessionId });
    const slashed = new Set(committee.members.filter((m) => m.status === 'slashed').map((m) => toHex(m.nodeId)));
    return shares.filter((s) => !slashed.has(toHex(s.nodeId)));
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
      const steps = [];
      for (let i = 0; i < session.stepCount; i++) steps.push(await this.client.query('getStep', { sessionId: f.sessionId, stepIndex: i }));
      const receipts = await this.client.query('getReceipts', { sessionId: f.sessionId });
      const commit = sessionCompleteCommit(f.outputHash, merkleRoot(steps.map((s) => s.oracleCommitRoot)), merkleRoot(receipts.map((r) => r.receiptId)));
      if (!equals(commit, f.commitRoot)) {
        this.#log(`session ${toHex(f.sessionId)}: the finalization roots do not match the chain; not signing`);
        return 0;
      }
      if ((await this.#rulesVersion()) >= WORK_RULES.attestedOutputs && !equals(f.outputHash, sessionOutput(steps.map((s) => s.outputHash)))) {
        this.#log(`session ${toHex(f.sessionId)}: the proposed output is not the root over the steps' attested outputs; not signing`);
        return 0;
      }
      const share = signAttestation(this.#opts.nodeKey, 'session/complete', f.sessionId, f.commitRoot, f.epoch);
      return this.#act('finalize-share', f.sessionId, 'submitShare', { domain: 'session/complete', subjectId: f.sessionId, commitRoot: f.commitRoot, epoch: f.epoch, ...share });
    }
    const shares = await this.#liveShares(f.sessionId, f.sessionId);
    if (shares.length < quorumSize(f.committee.length)) return 0;
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
  /**
   * Reads the blocks since the last pass: files every node-key signature with the equivocation
   * watch, and answers each completed step this node delivered the output of with a receipt.
   */
  async #watchChain(): Promise<number> {
    const tip = (await this.client.head()).height;
    const from = this.#watched === undefined ? (this.#opts.watchFrom ?? (tip > 256n ? tip - 256n : 1n)) : this.#watched + 1n;
    const head = tip - from >= WATCH_BATCH ? from + WATCH_BATCH - 1n : tip; // catch up in batches
    let sent = 0;
    for (let h = from; h <= head; h++) {
      const block = await this.client.rpc.call<{ transactions: { module: string | null; method: string; args: Json }[] }>('chain.GetBlock', [Number(h), true]);
      for (const tx of block.transactions) {
        if (tx.module !== 'sessionwork') continue;
        for (const signed of signedCommitsOf(tx.method, tx.args)) {
          const report = this.#watch.observe(signed);
          if (report) this.#reports.push({ report, culprit: nodeIdFromPublicKey(report.publicKey), seenAt: h });
        }
      }
    }
    if (from <= head) {
      for (const ev of await this.client.rpc.call<{ args: Record<string, string> | null }[]>('chain.GetEvents', { address: 'sessionwork', name: 'StepCompleted', fromBlock: from.toString(), toBlock: head.toString() })) {
        if (ev.args) sent += await this.#deliveryReceipt(fromHex(ev.args.sessionId!), Number(ev.args.stepIndex), fromHex(ev.args.requestId!), fromHex(ev.args.outputHash!));
      }
    }
    this.#watched = head;
    return sent + (await this.#reportEquivocations(head));
  }

  /** A receipt for a completed step whose attested output this node's own record carried. */
  async #deliveryReceipt(sessionId: Uint8Array, stepIndex: number, requestId: Uint8Array, outputHash: Uint8Array): Promise<number> {
    const key = `${toHex(sessionId)}/${stepIndex}`;
    if (this.#receipted.has(key)) return 0;
    const mine = (await this.client.query('getRecords', { requestId })).find((r) => equals(r.nodeId, this.nodeId));
    if (!mine || !equals(mine.bodyHash, outputHash)) return 0;
    this.#receipted.add(key);
    if (this.#receipted.size > MAX_RECEIPTED) this.#receipted.delete(this.#receipted.values().next().value!); // a long-running worker forgets the oldest (the chain refuses a repeat)
    return this.#act('receipt', sessionId, 'submitReceipt', { sessionId, nodeId: this.nodeId, stepIndex, messageHash: outputHash, senderId: this.nodeId, receiverId: sessionId });
  }

  /** Reports what the watch found: the designated member at once, anyone after the grace period. */
  async #reportEquivocations(head: bigint): Promise<number> {
    let sent = 0;
    for (let i = this.#reports.length - 1; i >= 0; i--) {
      const r = this.#reports[i]!;
      const node = await this.client.query('getNode', { nodeId: r.culprit }).catch(() => undefined);
      if (!node || node.status === 'slashed' || equals(r.culprit, this.nodeId)) {
        this.#reports.splice(i, 1);
        continue;
      }
      const designated = await this.#designatedReporter(r);
      if (!designated && head < r.seenAt + BigInt(this.#opts.reportGraceBlocks ?? 3)) continue;
      this.#reports.splice(i, 1);
      sent += await this.#act('report', r.culprit, 'reportEquivocation', { ...r.report });
    }
    return sent;
  }

  /** Whether this node is the first member, in committee order, of the subject's session other than the culprit. */
  async #designatedReporter(r: PendingReport): Promise<boolean> {
    try {
      const sessionId = r.report.domain === 'session/complete' ? r.report.subjectId : (await this.client.query('getRequest', { requestId: r.report.subjectId })).sessionId;
      const { committee } = await this.client.query('getSession', { sessionId });
      const first = committee.find((m) => !equals(m, r.culprit));
      return first !== undefined && equals(first, this.nodeId);
    } catch {
      return false; // an unknown subject: nobody is designated
    }
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

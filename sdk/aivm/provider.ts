/**
 * The reference AIVM provider: registers with a bond for its model's spec, watches the tasks
 * assigned to it, runs the tiny classifier through the gpu API, and answers each task in its mode:
 * optimistic results are posted with a bond; redundant tasks are committed, then revealed once the
 * commit window has closed. It also watches results other providers post for its spec and
 * challenges the ones its own run contradicts. Under the AIVM trust rules (2), when a dispute on its
 * spec waits for evidence (nobody could re-execute it at the challenge), it substantiates it with its
 * own model file and the task's input, so the chain re-executes and decides.
 *
 * `dishonest` is for demos and tests: it posts corrupted optimistic results and, on redundant
 * tasks, commits but never reveals (a withholder), and it challenges nothing.
 *
 * The output of a task is the kernel's output commitment `K(taskId ‖ y)`: every honest provider
 * (and the chain's re-execution) computes the same 32 bytes.
 */
import { randomBytes } from 'node:crypto';
import type { Signer } from '../../chain/index.js';
import { concat, equals, fromHex, keccak256, toHex, utf8 } from '../../chain/index.js';
import { AivmClient, type EventJson } from './client.js';
import { Mode, TaskStatus, runInference, commitHash } from '../../vm/aivm/index.js';
import type { TaskView } from '../../vm/aivm/index.js';

export interface ProviderOptions {
  client: AivmClient;
  signer: Signer;
  /** The 630-byte tiny-classifier model file. */
  model: Uint8Array;
  /** The spec this provider serves (default: keccak256 of the model file). */
  spec?: Uint8Array;
  stake?: bigint;
  /** Bond posted with each optimistic result, and with each challenge. */
  bond?: bigint;
  gpuModel?: string;
  endpoint?: Uint8Array;
  dishonest?: boolean;
  /** Challenge contradicted results of other providers (default: true unless dishonest). */
  watch?: boolean;
  pollMs?: number;
  log?: (line: string) => void;
}

interface Job {
  id: Uint8Array;
  phase: 'new' | 'committed' | 'revealed' | 'posted' | 'done';
  nonce?: Uint8Array;
  output?: Uint8Array;
  embedding?: Uint8Array;
}

const ONE = 10n ** 18n;

export class ReferenceProvider {
  readonly spec: Uint8Array;
  readonly address: string;
  readonly #o: Required<Omit<ProviderOptions, 'endpoint' | 'spec'>> & { endpoint: Uint8Array };
  readonly #jobs = new Map<string, Job>();
  readonly #checked = new Set<string>();
  #scanned = 0n;
  /** The head the last completed pass looked at (-1 before the first). */
  #seenHead = -1n;
  /** Transactions sent and not yet answered with a receipt. */
  #inFlight = 0;
  #running = false;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  /** What the provider did, for logs and tests. */
  readonly actions: { kind: string; taskId: string; height?: number; error?: string }[] = [];

  constructor(opts: ProviderOptions) {
    this.spec = opts.spec ?? keccak256(opts.model);
    this.address = opts.signer.address;
    this.#o = {
      client: opts.client,
      signer: opts.signer,
      model: opts.model,
      stake: opts.stake ?? ONE,
      bond: opts.bond ?? ONE,
      gpuModel: opts.gpuModel ?? 'cpu',
      endpoint: opts.endpoint ?? keccak256(utf8(`provider/${opts.signer.address}`)),
      dishonest: opts.dishonest ?? false,
      watch: opts.watch ?? !opts.dishonest,
      pollMs: opts.pollMs ?? 250,
      log: opts.log ?? (() => {}),
    };
  }

  /** Registers (if needed), then polls until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        try {
          await this.tick();
        } catch (e) {
          this.#o.log(`tick failed: ${(e as Error).name}: ${(e as Error).message}`);
        }
        if (!this.#running) break;
        await new Promise<void>((res) => {
          this.#wake = res;
          this.#timer = setTimeout(res, this.#o.pollMs);
        });
      }
    })();
  }

  /** Wakes the poll loop now (a harness that mines calls it after each block). */
  poke(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
  }

  /** The head height the last completed pass looked at (-1 before the first pass). */
  get seenHead(): bigint {
    return this.#seenHead;
  }

  /** Whether a transaction of this provider is on its way (sent, receipt not yet back). */
  get sending(): boolean {
    return this.#inFlight > 0;
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
    await this.#loop;
  }

  /** The output hash this provider's model gives for a task (undefined without an input). */
  outputFor(task: Pick<TaskView, 'taskId' | 'input'>): { output: Uint8Array; embedding: Uint8Array; result: Uint8Array } | undefined {
    if (task.input.length !== 32) return undefined;
    const r = runInference(this.#o.model, task.input, task.taskId, 0n, 0n);
    if (r.status !== 0) return undefined;
    return { output: r.outputCommitment, embedding: r.inputCommitment, result: r.result };
  }

  async #send(method: string, args: Record<string, unknown>) {
    this.#inFlight++;
    try {
      return await this.#o.client.send(this.#o.signer, method, args);
    } finally {
      this.#inFlight--;
    }
  }

  async ensureRegistered(): Promise<void> {
    const me = await this.#o.client.provider(this.address);
    if (me.registered) return;
    const r = await this.#send('registerProvider', { stake: this.#o.stake, spec: this.spec, endpoint: this.#o.endpoint, gpuModel: this.#o.gpuModel });
    this.#record('register', '', r);
  }

  /** One pass: new assignments, due commits/reveals/posts, and (watching) challenges. */
  async tick(): Promise<void> {
    const c = this.#o.client;
    const head = await c.head();
    if (this.#scanned === 0n) await this.ensureRegistered();
    const from = this.#scanned + 1n;
    for (const ev of await c.events('OperatorSelected', from, head)) {
      if (ev.args?.operator !== this.address) continue;
      const key = ev.args.taskId as string;
      if (!this.#jobs.has(key)) this.#jobs.set(key, { id: fromHex(key), phase: 'new' });
    }
    const posted = this.#o.watch ? await c.events('ResultPosted', from, head) : [];
    const disputes = this.#o.watch ? await c.events('DisputeAwaitingEvidence', from, head) : [];
    this.#scanned = head;
    for (const [key, job] of this.#jobs) {
      if (job.phase === 'done') continue;
      try {
        await this.#advance(job, head);
      } catch (e) {
        this.actions.push({ kind: 'error', taskId: key, error: (e as Error).name });
        this.#o.log(`${key}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    for (const ev of posted) await this.#maybeChallenge(ev, head);
    for (const ev of disputes) await this.#maybeSubstantiate(ev);
    this.#seenHead = head;
  }

  async #advance(job: Job, head: bigint): Promise<void> {
    const c = this.#o.client;
    const task = await c.task(job.id);
    if (!task || task.status === TaskStatus.Settled || task.status === TaskStatus.Failed) {
      job.phase = 'done';
      return;
    }
    const key = toHex(job.id);
    const started = performance.now();
    const answer = this.outputFor(task);
    const computeMs = BigInt(Math.max(1, Math.round(performance.now() - started)));
    if (!answer) {
      job.phase = 'done';
      this.#o.log(`${key}: no 32-byte input for this model; skipping`);
      return;
    }
    const next = head + 1n; // the height our transaction will land at, at the earliest
    if (task.mode !== Mode.MultiPartyRedundant) {
      if (job.phase !== 'new' || task.status !== TaskStatus.Open || next > task.commitDeadline) return;
      const output = this.#o.dishonest ? keccak256(concat(utf8('dishonest'), answer.output)) : answer.output;
      const r = await this.#send('submitResult', { taskId: job.id, outputHash: output, bond: this.#o.bond, computeMs, proof: answer.result });
      job.phase = 'posted';
      this.#record('post', key, r);
      return;
    }
    if (job.phase === 'new' && next <= task.commitDeadline) {
      job.nonce = new Uint8Array(randomBytes(32));
      job.output = answer.output;
      job.embedding = answer.embedding;
      const commit = commitHash({ taskId: job.id, spec: task.spec, prompt: task.prompt, outputHash: job.output, embeddingHash: job.embedding, operator: this.address, nonce: job.nonce });
      const r = await this.#send('commitResult', { taskId: job.id, commit });
      job.phase = 'committed';
      this.#record('commit', key, r);
    } else if (job.phase === 'committed' && next > task.commitDeadline && next <= task.revealDeadline) {
      if (this.#o.dishonest) return; // withhold: never reveal
      const r = await this.#send('revealResult', { taskId: job.id, output: job.output!, embedding: job.embedding!, nonce: job.nonce! });
      job.phase = 'revealed';
      this.#record('reveal', key, r);
    }
  }

  async #maybeChallenge(ev: EventJson, head: bigint): Promise<void> {
    const key = ev.args?.taskId as string;
    if (!key || ev.args?.provider === this.address || this.#checked.has(key)) return;
    this.#checked.add(key);
    const task = await this.#o.client.task(key);
    if (!task || !equals(task.spec, this.spec) || task.status !== TaskStatus.Posted || !task.post) return;
    const answer = this.outputFor(task);
    if (!answer || equals(answer.output, task.post.outputHash) || head + 1n > task.post.deadline) return;
    try {
      const r = await this.#send('challenge', { taskId: task.taskId, claimedOutput: answer.output, bond: this.#o.bond });
      this.#record('challenge', key, r);
    } catch (e) {
      this.actions.push({ kind: 'challenge-error', taskId: key, error: (e as Error).name });
    }
  }

  /** A dispute on this spec waiting for evidence: re-execution on chain with this provider's file settles it. */
  async #maybeSubstantiate(ev: EventJson): Promise<void> {
    const key = ev.args?.taskId as string;
    if (!key) return;
    const task = await this.#o.client.task(key);
    if (!task || !equals(task.spec, this.spec) || task.status !== TaskStatus.Challenged || !task.post) return;
    const answer = this.outputFor(task);
    if (!answer) return; // the input is not on chain: nothing this provider can prove
    try {
      const r = await this.#send('substantiate', { taskId: task.taskId, modelFile: this.#o.model, input: task.input });
      this.#record('substantiate', key, r);
    } catch (e) {
      this.actions.push({ kind: 'substantiate-error', taskId: key, error: (e as Error).name });
    }
  }

  #record(kind: string, taskId: string, r: { status: number; error: string | null; height?: number }): void {
    this.actions.push({ kind, taskId, height: r.height, error: r.status === 1 ? undefined : (r.error ?? 'failed') });
    this.#o.log(`${kind} ${taskId} ${r.status === 1 ? 'ok' : `failed: ${r.error}`}${r.height !== undefined ? ` @${r.height}` : ''}`);
  }
}

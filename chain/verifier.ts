/**
 * The verifier pool. Signature verification dominates the cost of a transaction (ML-DSA-65 verify is
 * ~1.5 ms in pure JS), so it runs once per transaction, in parallel, in worker threads: at admission
 * for the mempool, and per block for followers and replay. Jobs submitted in the same tick are
 * batched into one message per worker.
 *
 * `threads: 0` verifies inline on the calling thread (small in-process chains, tests).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { runCheck, type CheckResult } from './module/sigcache.js';
import type { SignatureCheck } from './module/contract.js';
import { mlDsaBackend, setMlDsaBackend, type MlDsaBackend } from './keys/schemes.js';
import { signerVerdict, verifyDecodedTx, verifyRawTx, type TxVerdict, type VerifyJob, type VerifyResult } from './verify-job.js';
import type { Transaction } from './tx.js';
import type { RecoveredSigner } from './keys/schemes.js';

export interface VerifierOptions {
  /** Worker threads; 0 = verify inline. Default: the number of cores. */
  threads?: number;
  /** ML-DSA-65 backend: noble (reference), pqclean (native) or auto (pqclean if installed). */
  backend?: MlDsaBackend | 'auto';
}

/** When running from sources with ts-node registered in-process, workers must register it too. */
function tsNodeRegister(): string {
  const root = new URL('../', import.meta.url).href;
  return `data:text/javascript,import { register } from "node:module"; register("ts-node/esm", ${JSON.stringify(root)});`;
}

interface Pending {
  job: VerifyJob;
  resolve: (r: VerifyResult) => void;
  reject: (e: Error) => void;
}

/**
 * Noble's verifier costs ~1.5 ms: every core verifies. The native one costs ~0.15 ms, less than
 * handing a job to a thread and back on a busy machine: with few cores it runs inline and leaves the
 * cores to the node; with many, all but one verify. (`npm run bench` shows both trade-offs.)
 */
function defaultThreads(backend: MlDsaBackend): number {
  const cores = availableParallelism();
  if (backend === 'noble') return cores;
  return cores > 2 ? cores - 1 : 0;
}

/** Largest batch handed to one worker at a time (bounds the latency of jobs behind it). */
const MAX_BATCH = 256;

interface Slot {
  worker: Worker;
  inFlight: number;
  batches: Map<number, Pending[]>;
}

export class VerifierPool {
  readonly threads: number;
  readonly backend: MlDsaBackend;
  readonly #slots: Slot[] = [];
  #queue: Pending[] = [];
  #flushScheduled = false;
  #nextId = 1;
  #closed = false;

  constructor(opts: VerifierOptions = {}) {
    this.backend = setMlDsaBackend(opts.backend ?? 'auto');
    this.threads = opts.threads ?? defaultThreads(this.backend);
    const isTs = import.meta.url.endsWith('.ts');
    const url = new URL(isTs ? './verify-worker.ts' : './verify-worker.js', import.meta.url);
    // Workers take no process flags (many are refused in workers); from sources they only need ts-node.
    const execArgv = isTs ? ['--no-warnings', '--import', tsNodeRegister()] : [];
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(url, { workerData: { backend: this.backend }, execArgv });
      worker.unref();
      const slot: Slot = { worker, inFlight: 0, batches: new Map() };
      worker.on('message', (msg: { id: number; results: VerifyResult[] }) => {
        const batch = slot.batches.get(msg.id);
        if (!batch) return;
        slot.batches.delete(msg.id);
        slot.inFlight -= batch.length;
        batch.forEach((p, i) => p.resolve(msg.results[i]!));
        this.#dispatch();
      });
      worker.on('error', (e) => this.#failSlot(slot, e));
      worker.on('exit', (code) => {
        if (!this.#closed) this.#failSlot(slot, new Error(`verifier worker exited with code ${code}`));
      });
      this.#slots.push(slot);
    }
  }

  #failSlot(slot: Slot, e: Error): void {
    for (const batch of slot.batches.values()) for (const p of batch) this.#runInline(p); // fall back, never lose a job
    slot.batches.clear();
    slot.inFlight = 0;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    this.#dispatch();
    if (!this.#closed) console.error(`[verifier] a worker failed (${e.message}); continuing with ${this.#slots.length} worker(s)`);
  }

  #runInline(p: Pending): void {
    try {
      p.resolve(p.job.type === 'tx' ? verifyRawTx(p.job.raw) : { type: 'check', result: runCheck(p.job.check) });
    } catch (e) {
      p.reject(e as Error);
    }
  }

  #submit(job: VerifyJob): Promise<VerifyResult> {
    return new Promise((resolve, reject) => {
      const p: Pending = { job, resolve, reject };
      if (this.#slots.length === 0) {
        if (mlDsaBackend() !== this.backend) setMlDsaBackend(this.backend);
        this.#runInline(p);
        return;
      }
      this.#queue.push(p);
      // Jobs of the same tick travel together; while every worker is busy they keep gathering and
      // go out as one batch when a worker frees up (per-message overhead dwarfs per-job cost).
      if (!this.#flushScheduled && this.#slots.some((s) => s.inFlight === 0)) {
        this.#flushScheduled = true;
        setImmediate(() => {
          this.#flushScheduled = false;
          this.#dispatch();
        });
      }
    });
  }

  /** Hands the queued jobs to the idle workers, evenly. */
  #dispatch(): void {
    if (this.#queue.length === 0) return;
    if (this.#slots.length === 0) {
      const q = this.#queue;
      this.#queue = [];
      q.forEach((p) => this.#runInline(p));
      return;
    }
    const idle = this.#slots.filter((s) => s.inFlight === 0);
    if (idle.length === 0) return;
    const per = Math.min(MAX_BATCH, Math.ceil(this.#queue.length / idle.length));
    for (const slot of idle) {
      const list = this.#queue.splice(0, per);
      if (list.length === 0) break;
      const id = this.#nextId++;
      slot.batches.set(id, list);
      slot.inFlight += list.length;
      slot.worker.postMessage({ id, jobs: list.map((p) => p.job) });
    }
  }

  /** Resolves once every worker has loaded and answered (so the node is ready when it says so). */
  async ready(): Promise<void> {
    await Promise.all(
      this.#slots.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            const id = this.#nextId++;
            const p: Pending = { job: { type: 'check', check: { kind: 'encoded', signature: new Uint8Array(0), digest: new Uint8Array(32) } }, resolve: () => resolve(), reject };
            slot.batches.set(id, [p]);
            slot.inFlight += 1;
            slot.worker.postMessage({ id, jobs: [p.job] });
          }),
      ),
    );
  }

  async verifyTx(raw: Uint8Array): Promise<TxVerdict> {
    return (await this.#submit({ type: 'tx', raw })) as TxVerdict;
  }

  /**
   * Verifies an already decoded (and hashed) transaction: only its signature travels to a worker,
   * nothing is decoded or hashed twice.
   */
  async verifyDecoded(tx: Transaction): Promise<TxVerdict> {
    if (this.#slots.length === 0) {
      if (mlDsaBackend() !== this.backend) setMlDsaBackend(this.backend);
      return verifyDecodedTx(tx);
    }
    const who = (await this.check({ kind: 'encoded', signature: tx.signature, digest: tx.signingDigest })) as RecoveredSigner | null;
    return signerVerdict(tx, who);
  }

  async check(c: SignatureCheck): Promise<CheckResult> {
    return ((await this.#submit({ type: 'check', check: c })) as { result: CheckResult }).result;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
    this.#slots.length = 0;
  }
}

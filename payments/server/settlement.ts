/**
 * Settlement (spec tip1034.md §6): the payee captures vouchers on chain. A scheduler, fed after
 * every committed charge, marks a channel due when units, amount or time since its last settlement
 * cross a threshold; due channels are settled in the background (a response never waits), at most
 * one settlement per channel at a time, skipping dust below `minDelta`, and ALL due channels in one
 * `settleBatch` call — one transaction, one block. A poll watches for payers' close requests and
 * settles those channels at once, well inside the grace period.
 *
 * What is captured is the highest voucher already covered by `spent` (`settleVoucher`), so the payee
 * never holds on chain more than was delivered.
 */
import { NamedError, fromHex, type Address } from '../../chain/index.js';
import { MAX_SETTLE_BATCH, settleBatchArgs, ESCROW_ADDRESS, type Hex32 } from '../../sdk/precompiles/index.js';
import { TxSender, WouldFailError, type ReceiptJson } from '../../sdk/index.js';
import type { ChannelRecord } from '../store/record.js';
import type { PaymentServer } from './payment-server.js';

export interface SettlementSchedule {
  /** Settle after this many units since the last settlement. */
  units?: number;
  /** … or this much spent since the last settlement. */
  amount?: bigint;
  /** … or this long since the last settlement (or the open). */
  intervalMs?: number;
  /** Skip settlements smaller than this (default 0: any increase). */
  minDelta?: bigint;
  /** How often to look for close requests and interval thresholds (default 5 s; 0 = never). */
  pollMs?: number;
}

export interface SettleResult {
  txHash: string;
  height: number;
  channels: { channelId: Hex32; amount: bigint }[];
}

/** What a channel would settle now, or undefined when nothing (or only dust) is due. */
function settleable(r: ChannelRecord, minDelta: bigint, force: boolean): { amount: bigint; signature: string } | undefined {
  const v = r.settleVoucher;
  if (!v || r.finalized || v.cumulativeAmount <= r.settledOnChain) return undefined;
  if (!force && v.cumulativeAmount - r.settledOnChain < minDelta) return undefined;
  return { amount: v.cumulativeAmount, signature: v.signature };
}

export class Settlement {
  readonly #server: PaymentServer;
  readonly #s: SettlementSchedule;
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #due = new Set<Hex32>();
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Failures of background settlements (the last few), for logs and tests. */
  readonly errors: Error[] = [];
  /** Called after each settlement transaction. */
  onSettled: ((r: SettleResult) => void) | undefined;

  constructor(server: PaymentServer, schedule: SettlementSchedule = {}) {
    this.#server = server;
    this.#s = schedule;
    server.onCharge = (r) => {
      if (this.isDue(r)) this.#enqueue(r.channelId);
    };
  }

  isDue(r: ChannelRecord, now = Date.now()): boolean {
    if (!settleable(r, this.#s.minDelta ?? 0n, false)) return false;
    const s = this.#s;
    if (s.units !== undefined && r.units - (r.lastSettlementUnits ?? 0) >= s.units) return true;
    if (s.amount !== undefined && r.spent - (r.lastSettlementSpent ?? r.settledOnChain) >= s.amount) return true;
    if (s.intervalMs !== undefined && now - (r.lastSettlementAt ?? r.createdAt) >= s.intervalMs) return true;
    return false;
  }

  #enqueue(id: Hex32): void {
    this.#due.add(id);
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const ids = [...this.#due];
      this.#due.clear();
      this.#flushing = undefined;
      try {
        await this.settleBatch(ids);
      } catch (e) {
        this.#remember(e as Error);
      }
    });
  }

  #remember(e: Error): void {
    this.errors.push(e);
    if (this.errors.length > 20) this.errors.shift();
  }

  /** Resolves once queued background settlements are done. */
  async idle(): Promise<void> {
    while (this.#flushing || this.#inflight.size > 0) {
      await this.#flushing;
      await Promise.allSettled([...this.#inflight.values()]);
    }
  }

  /** Settles one channel now (single-flight: a second call joins the first). */
  settle(id: Hex32, o: { force?: boolean } = {}): Promise<SettleResult | undefined> {
    return this.settleBatch([id], o).then((r) => r[0]);
  }

  /**
   * Settles every given channel that has something to capture, all in ONE transaction (batches of
   * up to 64). Channels with a settlement in flight, or nothing beyond dust, are skipped.
   */
  async settleBatch(ids: Hex32[], o: { force?: boolean } = {}): Promise<SettleResult[]> {
    const waiting = ids.filter((id) => this.#inflight.has(id)).map((id) => this.#inflight.get(id)!);
    const free = [...new Set(ids)].filter((id) => !this.#inflight.has(id));
    const run = this.#settleNow(free, o.force ?? false);
    for (const id of free) this.#inflight.set(id, run);
    try {
      await Promise.allSettled(waiting);
      return await run;
    } finally {
      for (const id of free) if (this.#inflight.get(id) === run) this.#inflight.delete(id);
    }
  }

  async #settleNow(ids: Hex32[], force: boolean): Promise<SettleResult[]> {
    const items: { r: ChannelRecord; amount: bigint; signature: string }[] = [];
    for (const id of ids) {
      const r = await this.#server.store.get(id);
      const s = r && settleable(r, this.#s.minDelta ?? 0n, force);
      if (r && s) items.push({ r, ...s });
    }
    const out: SettleResult[] = [];
    for (let i = 0; i < items.length; i += MAX_SETTLE_BATCH) out.push(await this.#send(items.slice(i, i + MAX_SETTLE_BATCH)));
    return out;
  }

  async #send(items: { r: ChannelRecord; amount: bigint; signature: string }[]): Promise<SettleResult> {
    const server = this.#server;
    const sender = TxSender.for(server.chain.rpc, server.payee);
    const call = {
      to: ESCROW_ADDRESS as Address,
      method: 'settleBatch',
      def: { args: settleBatchArgs },
      args: { items: items.map((it) => ({ descriptor: it.r.descriptor, cumulativeAmount: it.amount, signature: fromHex(it.signature) })) },
    };
    let receipt: ReceiptJson;
    try {
      receipt = (await sender.send(call)).receipt!;
    } catch (e) {
      if (e instanceof WouldFailError) throw new NamedError('SettlementFailed', `settleBatch would fail: ${e.name}: ${e.message}`, { data: (e as NamedError).data });
      throw e;
    }
    if (receipt.status !== 1) throw new NamedError('SettlementFailed', `settleBatch reverted: ${receipt.error}: ${receipt.errorMessage}`);
    const height = receipt.height!;
    const settledEvents = receipt.events.filter((e) => e.name === 'Settled');
    if (settledEvents.length !== items.length) throw new NamedError('SettlementFailed', `expected ${items.length} Settled events, got ${settledEvents.length}`);
    for (const it of items) {
      const ev = settledEvents.find((e) => (e.args as { channelId?: string }).channelId === it.r.channelId);
      const newSettled = BigInt((ev?.args as { newSettled?: string } | undefined)?.newSettled ?? -1);
      if (newSettled < it.amount) throw new NamedError('SettlementFailed', `channel ${it.r.channelId}: Settled says ${newSettled}, expected ${it.amount}`);
      const state = await server.chain.stateAt(it.r.channelId, height);
      if (state.settled < newSettled) throw new NamedError('SettlementFailed', `channel ${it.r.channelId}: read back settled ${state.settled} < ${newSettled}`);
      await server.store.update(
        it.r.channelId,
        (cur) => cur && { ...cur, settledOnChain: state.settled > cur.settledOnChain ? state.settled : cur.settledOnChain, lastSettlementAt: Date.now(), lastSettlementSpent: cur.spent, lastSettlementUnits: cur.units },
        { sync: true },
      );
    }
    const result = { txHash: receipt.txHash, height, channels: items.map((it) => ({ channelId: it.r.channelId, amount: it.amount })) };
    this.onSettled?.(result);
    return result;
  }

  /**
   * One look at the chain: close requests are recorded and their channels settled now (before the
   * grace period ends); channels past the interval threshold are settled.
   */
  async tick(): Promise<void> {
    const server = this.#server;
    const open = (await server.store.list()).filter((r) => !r.finalized);
    const urgent: Hex32[] = [];
    const due: Hex32[] = [];
    for (let i = 0; i < open.length; i += 1024) {
      const batch = open.slice(i, i + 1024);
      const states = await server.chain.rpc.call<{ settled: string; deposit: string; closeRequestedAt: number }[]>('escrow.GetChannelStatesBatch', { channelIds: batch.map((r) => r.channelId) });
      for (let k = 0; k < batch.length; k++) {
        const r = batch[k]!;
        const s = states[k]!;
        if (s.closeRequestedAt !== 0 && r.closeRequestedAt === 0) {
          await server.store.update(r.channelId, (cur) => cur && { ...cur, closeRequestedAt: s.closeRequestedAt }, { sync: true });
          urgent.push(r.channelId);
        } else if (s.closeRequestedAt !== 0) urgent.push(r.channelId);
        else if (this.isDue(r)) due.push(r.channelId);
      }
    }
    if (urgent.length) await this.settleBatch(urgent, { force: true });
    if (due.length) await this.settleBatch(due);
  }

  start(): void {
    const ms = this.#s.pollMs ?? 5000;
    if (ms <= 0 || this.#timer) return;
    const loop = () => {
      this.#timer = setTimeout(() => {
        this.tick()
          .catch((e) => this.#remember(e as Error))
          .finally(() => {
            if (this.#timer) loop();
          });
      }, ms);
      this.#timer.unref?.();
    };
    loop();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.idle();
  }
}

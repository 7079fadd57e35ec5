/**
 * The transport-independent core of a paid route (spec tip1034.md §5–§6): it issues challenges,
 * verifies credentials action by action (open, topUp, voucher, close) against the chain and the
 * channel store, and charges: per request (reserve → handler → commit) or per streamed chunk.
 * The HTTP, SSE and WebSocket front ends (`http.ts`, `sse.ts`, `ws.ts`) only frame what it decides.
 *
 * An accepted voucher is written (fsync) before any response says so; charges are written before
 * the unit they pay for goes out.
 */
import { setMlDsaBackend, toAddress, type Address, type MlDsaBackend, type Signer } from '../../chain/index.js';
import { DEV_STABLECOIN_ADDRESS, ESCROW_ADDRESS, VoucherVerifier, type ChannelDescriptor, type ChannelState, type Hex32 } from '../../sdk/precompiles/index.js';
import type { RpcClient } from '../../sdk/index.js';
import { available, chargeable, withCharge, withVoucher, type ChannelRecord } from '../store/record.js';
import type { ChannelStore } from '../store/channel-store.js';
import {
  createChallenge,
  createReceipt,
  PAYMENT_METHOD,
  problem,
  SESSION_INTENT,
  sessionRequestJson,
  type Challenge,
  type ClosePayload,
  type OpenPayload,
  type RawCredential,
  type SessionAction,
  type SessionReceipt,
  type SessionSnapshot,
  type TopUpPayload,
  type VoucherPayload,
} from '../wire/index.js';
import { ChainView } from './chain-view.js';
import { checkChallenge, checkOpenTx, checkPayload, checkSessionTerms, checkSource, checkTopUpTx, NO_OPERATOR, requireSameDescriptor, type RouteTerms } from './verify.js';

export interface PaymentServerOptions {
  rpc: RpcClient;
  /** Who is paid; it also signs the settle and close transactions (it pays their gas). */
  payee: Signer;
  /** Raw token units per unit of service. */
  price: bigint;
  store: ChannelStore;
  /** HMAC key of challenge ids (keep it across restarts: outstanding challenges stay valid). */
  secret: Uint8Array;
  chainId: number;
  token?: string;
  realm?: string;
  unitType?: string;
  suggestedDeposit?: bigint;
  minVoucherDelta?: bigint;
  /** Challenge lifetime (default 5 minutes). */
  challengeTtlMs?: number;
  /** Reuse of a channel-state read on the voucher path (default 5 s). */
  channelStateTtlMs?: number;
  /**
   * ML-DSA-65 voucher verifier for this thread (`setMlDsaBackend`): `auto` takes the native
   * pqclean build when installed (about 8× noble, same verdicts: both pass the NIST vectors), else
   * noble. Omitted, the thread keeps its choice (`auto` unless something pinned one).
   */
  mlDsaBackend?: MlDsaBackend | 'auto';
}

export interface Verified {
  action: SessionAction;
  challenge: Challenge;
  record: ChannelRecord;
  txHash?: string;
}

export class PaymentServer {
  readonly terms: RouteTerms;
  readonly chain: ChainView;
  readonly store: ChannelStore;
  readonly unitType: string;
  readonly #o: PaymentServerOptions;
  readonly #verifier: VoucherVerifier;
  /** In-flight reservations per channel (not persisted: a crash releases them). */
  readonly #reserved = new Map<string, bigint>();
  /** Called after every committed charge (the settlement scheduler listens). */
  onCharge: ((r: ChannelRecord) => void) | undefined;

  constructor(o: PaymentServerOptions) {
    this.#o = o;
    this.store = o.store;
    this.unitType = o.unitType ?? 'request';
    this.chain = new ChainView(o.rpc, o.channelStateTtlMs ?? 5000);
    this.terms = {
      secret: o.secret,
      realm: o.realm ?? 'sessionchain',
      price: o.price,
      token: toAddress(o.token ?? DEV_STABLECOIN_ADDRESS),
      payee: o.payee.address,
      escrow: ESCROW_ADDRESS,
      chainId: o.chainId,
      operator: NO_OPERATOR,
    };
    if (o.mlDsaBackend) setMlDsaBackend(o.mlDsaBackend);
    this.#verifier = new VoucherVerifier({ chainId: o.chainId, escrow: ESCROW_ADDRESS });
  }

  get payee(): Signer {
    return this.#o.payee;
  }

  /** A fresh challenge; with a record, its snapshot rides along (requiredCumulative = spent + amount). */
  challenge(o: { record?: ChannelRecord; amount?: bigint } = {}): Challenge {
    const snap = o.record ? this.snapshot(o.record, o.amount ?? this.terms.price) : undefined;
    return createChallenge(this.terms.secret, {
      realm: this.terms.realm,
      method: PAYMENT_METHOD,
      intent: SESSION_INTENT,
      expires: new Date(Date.now() + (this.#o.challengeTtlMs ?? 300_000)).toISOString(),
      request: sessionRequestJson({
        amount: this.terms.price,
        currency: this.terms.token,
        recipient: this.terms.payee,
        unitType: this.unitType,
        ...(this.#o.suggestedDeposit !== undefined ? { suggestedDeposit: this.#o.suggestedDeposit } : {}),
        escrowContract: this.terms.escrow,
        chainId: this.terms.chainId,
        ...(this.#o.minVoucherDelta !== undefined ? { minVoucherDelta: this.#o.minVoucherDelta } : {}),
        ...(snap ? { sessionSnapshot: snap } : {}),
      }),
    });
  }

  /** The snapshot of a live channel, or undefined for one that is closing, closed or unsigned. */
  snapshot(r: ChannelRecord, amount: bigint): SessionSnapshot | undefined {
    if (!r.highestVoucher || r.finalized || r.closing || r.closeRequestedAt !== 0 || r.highestVoucher.cumulativeAmount !== r.highestVoucherAmount) return undefined;
    return {
      channelId: r.channelId,
      chainId: r.chainId,
      escrow: r.escrow,
      descriptor: r.descriptor,
      deposit: r.deposit,
      settled: r.settledOnChain,
      acceptedCumulative: r.highestVoucherAmount,
      requiredCumulative: r.spent + amount,
      spent: r.spent,
      units: r.units,
      highestVoucher: { channelId: r.channelId, cumulativeAmount: r.highestVoucherAmount, signature: r.highestVoucher.signature },
    };
  }

  receipt(challengeId: string, r: ChannelRecord, extra: { txHash?: string; acceptedCumulative?: bigint } = {}): SessionReceipt {
    return createReceipt({ challengeId, channelId: r.channelId, acceptedCumulative: extra.acceptedCumulative ?? r.highestVoucherAmount, spent: r.spent, units: r.units, ...(extra.txHash ? { txHash: extra.txHash } : {}) });
  }

  // ---- verification ------------------------------------------------------------------------------

  /** Runs every check of §5 for the credential's action and applies it (open, topUp, voucher, close). */
  async process(raw: RawCredential): Promise<Verified> {
    checkChallenge(raw.challenge, this.terms);
    checkSessionTerms(raw.challenge, this.terms);
    const p = checkPayload(raw, this.terms);
    // Vouchers and closes must name their payer or signer as source (mppx #628); a transaction names its sender itself.
    checkSource(raw.source, p.descriptor, this.terms.chainId, p.action === 'voucher' || p.action === 'close');
    switch (p.action) {
      case 'open':
        return this.#open(raw.challenge, p);
      case 'topUp':
        return this.#topUp(raw.challenge, p);
      case 'voucher':
        return this.#voucher(raw.challenge, p);
      case 'close':
        return this.#close(raw.challenge, p);
    }
  }

  #checkSignature(d: ChannelDescriptor, amount: bigint, signature: string): void {
    const v = this.#verifier.verify({ descriptor: d, cumulativeAmount: amount, signature });
    if (!v.ok) throw problem('InvalidSignature', `the voucher for ${amount} does not verify: ${v.message}`);
  }

  async #open(challenge: Challenge, p: OpenPayload): Promise<Verified> {
    const existing = await this.store.get(p.channelId);
    if (existing) {
      // A retried open of a channel we already hold: treat its voucher like any other.
      return this.#voucher(challenge, { action: 'voucher', channelId: p.channelId, descriptor: p.descriptor, cumulativeAmount: p.cumulativeAmount, signature: p.signature });
    }
    const { deposit } = checkOpenTx(p.transaction, p.descriptor, this.terms);
    const price = this.terms.price;
    if (deposit < price) throw problem('InsufficientBalance', `the opening deposit ${deposit} does not cover one unit (${price})`);
    if (p.cumulativeAmount > deposit) throw problem('AmountExceedsDeposit', `the opening voucher ${p.cumulativeAmount} exceeds the deposit ${deposit}`);
    if (p.cumulativeAmount < price) throw problem('InsufficientBalance', `the opening voucher ${p.cumulativeAmount} does not cover one unit (${price})`);
    this.#checkSignature(p.descriptor, p.cumulativeAmount, p.signature);
    const receipt = await this.chain.broadcast(p.transaction);
    const opened = receipt.events.filter((e) => e.name === 'ChannelOpened' && (e.args as { channelId?: string } | null)?.channelId === p.channelId);
    if (opened.length !== 1) throw problem('TransactionFailed', `expected one ChannelOpened event for ${p.channelId}, found ${opened.length}`);
    const args = opened[0]!.args as { expiringNonceHash?: string; deposit?: string };
    if (args.expiringNonceHash !== p.descriptor.expiringNonceHash || BigInt(args.deposit ?? -1) !== deposit) throw problem('TransactionFailed', 'the ChannelOpened event does not match the descriptor and deposit');
    const state = await this.chain.stateAt(p.channelId, receipt.height);
    if (state.deposit !== deposit || state.settled !== 0n || state.closeRequestedAt !== 0) throw problem('TransactionFailed', `read back after open: expected deposit ${deposit}, settled 0, no close request; actual ${state.deposit}/${state.settled}/${state.closeRequestedAt}`);
    const voucher = { cumulativeAmount: p.cumulativeAmount, signature: p.signature };
    const record = await this.store.update(
      p.channelId,
      (cur) => {
        const base: ChannelRecord = cur ?? {
          channelId: p.channelId,
          descriptor: p.descriptor,
          chainId: this.terms.chainId,
          escrow: this.terms.escrow,
          deposit,
          settledOnChain: 0n,
          closeRequestedAt: 0,
          highestVoucherAmount: 0n,
          spent: 0n,
          units: 0,
          closing: false,
          finalized: false,
          createdAt: Date.now(),
        };
        return withVoucher({ ...base, deposit: base.deposit > deposit ? base.deposit : deposit }, voucher);
      },
      { sync: true },
    );
    return { action: 'open', challenge, record, txHash: receipt.txHash };
  }

  async #topUp(challenge: Challenge, p: TopUpPayload): Promise<Verified> {
    const stored = await this.store.get(p.channelId);
    if (!stored || stored.finalized) throw problem('ChannelNotFound', `no open channel ${p.channelId} on this server to top up; open one first`);
    requireSameDescriptor(stored.descriptor, p.descriptor);
    checkTopUpTx(p.transaction, p.descriptor, p.additionalDeposit, this.terms);
    const receipt = await this.chain.broadcast(p.transaction);
    const ev = receipt.events.filter((e) => e.name === 'TopUp' && (e.args as { channelId?: string } | null)?.channelId === p.channelId);
    if (ev.length !== 1) throw problem('TransactionFailed', `expected one TopUp event for ${p.channelId}, found ${ev.length}`);
    const newDeposit = BigInt((ev[0]!.args as { newDeposit: string }).newDeposit);
    const state = await this.chain.stateAt(p.channelId, receipt.height);
    if (state.deposit !== newDeposit || state.closeRequestedAt !== 0) throw problem('TransactionFailed', `read back after topUp: expected deposit ${newDeposit} and no close request`);
    const record = await this.store.update(p.channelId, (cur) => ({ ...cur!, deposit: cur!.deposit > newDeposit ? cur!.deposit : newDeposit, closeRequestedAt: 0 }), { sync: true });
    return { action: 'topUp', challenge, record, txHash: receipt.txHash };
  }

  /** A record rebuilt from chain state for a channel this server has no record of (lost store). */
  async #recover(p: { channelId: Hex32; descriptor: ChannelDescriptor }): Promise<ChannelRecord> {
    const state = await this.chain.state(p.channelId, true);
    if (state.deposit === 0n) throw problem('ChannelNotFound', `channel ${p.channelId} is not open on chain ${this.terms.chainId}`);
    return this.store.update(
      p.channelId,
      (cur) =>
        cur ?? {
          channelId: p.channelId,
          descriptor: p.descriptor,
          chainId: this.terms.chainId,
          escrow: this.terms.escrow,
          deposit: state.deposit,
          settledOnChain: state.settled,
          closeRequestedAt: state.closeRequestedAt,
          // Everything settled was delivered; what the client authorized beyond it is accepted again.
          highestVoucherAmount: state.settled,
          spent: state.settled,
          units: 0,
          closing: false,
          finalized: false,
          createdAt: Date.now(),
        },
      { sync: true },
    );
  }

  /** Chain state seen on the voucher path: a close request is recorded and ends the channel's service. */
  async #liveState(r: ChannelRecord, fresh: boolean): Promise<ChannelState> {
    const state = await this.chain.state(r.channelId, fresh);
    if (state.closeRequestedAt !== 0 && r.closeRequestedAt === 0) await this.store.update(r.channelId, (cur) => (cur && cur.closeRequestedAt === 0 ? { ...cur, closeRequestedAt: state.closeRequestedAt } : cur));
    if (state.deposit === 0n) throw problem('ChannelFinalized', `channel ${r.channelId} is closed on chain`);
    if (state.closeRequestedAt !== 0) throw problem('ChannelFinalized', `the payer requested to close channel ${r.channelId}; it takes no more payments`);
    return state;
  }

  async #voucher(challenge: Challenge, p: VoucherPayload): Promise<Verified> {
    const known = await this.store.get(p.channelId);
    // A channel this server has no record of is rebuilt from chain state, and stored: only for a
    // voucher its signer really signed (else anyone could make records for any open channel).
    if (!known) this.#checkSignature(p.descriptor, p.cumulativeAmount, p.signature);
    const stored = known ?? (await this.#recover(p));
    requireSameDescriptor(stored.descriptor, p.descriptor);
    if (stored.finalized) throw problem('ChannelFinalized', `channel ${p.channelId} is closed`);
    if (stored.closing) throw problem('CloseInProgress', `channel ${p.channelId} is being closed`);
    const state = await this.#liveState(stored, false);
    const deposit = state.deposit > stored.deposit ? state.deposit : stored.deposit;
    if (p.cumulativeAmount > deposit) throw problem('AmountExceedsDeposit', `voucher ${p.cumulativeAmount} exceeds the deposit ${deposit}; top up first`);
    if (p.cumulativeAmount < stored.highestVoucherAmount) throw problem('VoucherNotIncreasing', `voucher ${p.cumulativeAmount} is below the accepted ${stored.highestVoucherAmount}; vouchers are cumulative`);
    this.#checkSignature(p.descriptor, p.cumulativeAmount, p.signature);
    const settled = state.settled > stored.settledOnChain ? state.settled : stored.settledOnChain;
    if (p.cumulativeAmount <= settled) throw problem('VoucherNotIncreasing', `voucher ${p.cumulativeAmount} is not above the ${settled} already settled on chain`);
    if (p.cumulativeAmount === stored.highestVoucherAmount) return { action: 'voucher', challenge, record: stored }; // an exact replay changes nothing
    const min = this.#o.minVoucherDelta ?? 0n;
    if (p.cumulativeAmount - stored.highestVoucherAmount < min) throw problem('DeltaTooSmall', `the voucher adds ${p.cumulativeAmount - stored.highestVoucherAmount}; the minimum increase is ${min}`);
    const record = await this.store.update(
      p.channelId,
      (cur) => {
        if (!cur || cur.finalized) throw problem('ChannelFinalized', `channel ${p.channelId} is closed`);
        if (cur.closing) throw problem('CloseInProgress', `channel ${p.channelId} is being closed`);
        const merged = withVoucher(cur, { cumulativeAmount: p.cumulativeAmount, signature: p.signature });
        return { ...merged, deposit: deposit > merged.deposit ? deposit : merged.deposit, settledOnChain: settled > merged.settledOnChain ? settled : merged.settledOnChain };
      },
      { sync: true },
    );
    return { action: 'voucher', challenge, record };
  }

  async #close(challenge: Challenge, p: ClosePayload): Promise<Verified> {
    const stored = await this.store.get(p.channelId);
    if (!stored) throw problem('ChannelNotFound', `no channel ${p.channelId} on this server to close`);
    requireSameDescriptor(stored.descriptor, p.descriptor);
    if (stored.finalized) throw problem('ChannelFinalized', `channel ${p.channelId} is already closed`);
    if (stored.closing) throw problem('CloseInProgress', `channel ${p.channelId} is already being closed`);
    if (this.reserved(p.channelId) > 0n) throw problem('CloseInProgress', `a unit on channel ${p.channelId} is being delivered; close once it is done`);
    const state = await this.#liveState(stored, true);
    const settled = state.settled > stored.settledOnChain ? state.settled : stored.settledOnChain;
    if (p.cumulativeAmount < stored.spent || p.cumulativeAmount < settled) throw problem('VoucherNotIncreasing', `a close voucher must cover max(spent ${stored.spent}, settled ${settled}); it says ${p.cumulativeAmount}`);
    this.#checkSignature(p.descriptor, p.cumulativeAmount, p.signature);
    const capture = stored.spent > settled ? stored.spent : settled;
    if (capture > state.deposit) throw problem('AmountExceedsDeposit', `capture ${capture} exceeds the deposit ${state.deposit}`);
    // Mark before broadcasting: concurrent charges fail from here on.
    await this.store.update(
      p.channelId,
      (cur) => {
        if (!cur || cur.finalized) throw problem('ChannelFinalized', `channel ${p.channelId} is closed`);
        if (cur.closing) throw problem('CloseInProgress', `channel ${p.channelId} is already being closed`);
        if (cur.spent !== stored.spent) throw problem('CloseInProgress', 'the channel was charged while the close was being checked; retry the close');
        return { ...cur, closing: true };
      },
      { sync: true },
    );
    let receipt;
    try {
      receipt = await this.chain.escrow.close(this.payee, p.descriptor, p.cumulativeAmount, capture, p.signature);
      if (receipt.status !== 1) throw problem('TransactionFailed', `close reverted on chain: ${receipt.error}: ${receipt.errorMessage}`);
      const ev = receipt.events.find((e) => e.name === 'ChannelClosed');
      const paid = BigInt((ev?.args as { settledToPayee?: string } | null)?.settledToPayee ?? -1);
      if (!ev || paid > capture) throw problem('TransactionFailed', `the close did not pay the expected capture ${capture}`);
    } catch (e) {
      await this.store.update(p.channelId, (cur) => (cur ? { ...cur, closing: false } : cur), { sync: true });
      throw e;
    }
    this.chain.forget(p.channelId);
    const record = await this.store.update(
      p.channelId,
      (cur) => ({ ...withVoucher(cur!, { cumulativeAmount: p.cumulativeAmount, signature: p.signature }), settledOnChain: capture, finalized: true, closing: false, closeTxHash: receipt.txHash }),
      { sync: true },
    );
    return { action: 'close', challenge, record, txHash: receipt.txHash };
  }

  // ---- charging ----------------------------------------------------------------------------------

  #refuseCharge(r: ChannelRecord | undefined, id: Hex32): asserts r is ChannelRecord {
    if (!r) throw problem('ChannelNotFound', `no channel ${id}`);
    if (r.finalized) throw problem('ChannelFinalized', `channel ${id} is closed`);
    if (r.closing) throw problem('CloseInProgress', `channel ${id} is being closed`);
    if (!chargeable(r)) throw problem('ChannelFinalized', `channel ${id} takes no more payments (close requested)`);
  }

  reserved(id: string): bigint {
    return this.#reserved.get(id) ?? 0n;
  }

  /**
   * Reserves `amount` of the channel's available balance, or says how much must be authorized:
   * `{ ok: false, required }` with required = spent + reserved + amount.
   */
  async reserve(id: Hex32, amount: bigint): Promise<{ ok: true; record: ChannelRecord } | { ok: false; required: bigint; record: ChannelRecord }> {
    const r = await this.store.get(id);
    this.#refuseCharge(r, id);
    const held = this.reserved(id);
    if (available(r) - held >= amount) {
      this.#reserved.set(id, held + amount);
      return { ok: true, record: r };
    }
    return { ok: false, required: r.spent + held + amount, record: r };
  }

  release(id: Hex32, amount: bigint): void {
    const left = this.reserved(id) - amount;
    if (left > 0n) this.#reserved.set(id, left);
    else this.#reserved.delete(id);
  }

  /** Turns a reservation into a charge (atomic; fails if the channel stopped taking payments). */
  async commit(id: Hex32, amount: bigint, units = 1): Promise<ChannelRecord> {
    try {
      const r = await this.store.update(id, (cur) => {
        this.#refuseCharge(cur, id);
        if (available(cur) < amount) throw problem('InsufficientBalance', `channel ${id} has ${available(cur)} available, the charge is ${amount}`);
        return withCharge(cur, amount, units);
      });
      this.onCharge?.(r);
      return r;
    } finally {
      this.release(id, amount);
    }
  }

  /** Charges one unit now (reserve + commit), or fails with `InsufficientBalance`. */
  async charge(id: Hex32, amount = this.terms.price): Promise<ChannelRecord> {
    const res = await this.reserve(id, amount);
    if (!res.ok) throw problem('InsufficientBalance', `channel ${id} needs a voucher for ${res.required} to pay ${amount} more`);
    return this.commit(id, amount);
  }
}

export type { Address };

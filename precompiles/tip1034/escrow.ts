/**
 * The TIP-1034 escrow channel precompile at 0x4D50…: unidirectional payment channels in a TIP-20
 * token, paid out against cumulative EIP-712 vouchers. Checks run in the order of Tempo's Rust
 * precompile (spec tip1034.md §1.4); each failure is a named error that reverts the call.
 *
 * Storage is one packed slot per channel keyed by channelId; the descriptor is never stored, every
 * call passes it and the id is recomputed, so a wrong field lands on an empty slot
 * (`ChannelNotFound`). Close and withdraw delete the slot. Token movements go through the token's
 * internal `systemTransferFrom` (no approve); TIP-403 is applied here, along payer → payee.
 */
import { addressBytes, concat, keccak256, schemeOf, toHex, ZERO_ADDRESS, type Address, defineModule, method, type CallContext, type ReadContext, type SignatureCheck, ModuleError, engineErrors, withErrorContext } from '../../chain/index.js';
import { hasTip20Prefix } from '../tip20/addresses.js';
import { hex32Bytes, word32, type Hex32 } from '../hex.js';
import { closeArgs, descriptorArgs, MAX_SETTLE_BATCH, openArgs, settleArgs, settleBatchArgs, topUpArgs } from './args.js';
import { CLOSE_GRACE_PERIOD, ESCROW_ADDRESS, MAX_UINT96 } from './constants.js';
import { voucherSigner, type ChannelDescriptor } from './descriptor.js';
import { escrowError, escrowErrors } from './errors.js';
import { escrowEvents } from './events.js';
import { channelIdBytes, voucherDigestBytes } from './hashing.js';
import { escrowRpc } from './rpc.js';
import { packSlot, unpackSlot, type ChannelState } from './slot.js';
import { escrowQueries } from './views.js';

interface LoadedChannel {
  id: Uint8Array;
  state: ChannelState;
}

const openedKey = (id: Uint8Array) => `opened:${toHex(id)}`;

/** Block time in whole unix seconds (block timestamps are milliseconds). */
const nowSeconds = (ctx: ReadContext) => ctx.block.timestamp / 1000n;

/**
 * The transaction-context hash `keccak256(unsigned tx encoding ‖ sender)`: unique per transaction
 * (the nonce is inside) and computable by the client before broadcasting. Calls outside a
 * transaction (genesis, endBlock, simulations) have none.
 */
function contextHash(ctx: CallContext): Hex32 | undefined {
  if (ctx.tx.unsignedEncoding.length === 0) return undefined;
  return toHex(keccak256(concat(ctx.tx.unsignedEncoding, addressBytes(ctx.tx.from)))) as Hex32;
}

async function readChannel(ctx: ReadContext, id: Uint8Array): Promise<ChannelState | undefined> {
  const raw = await ctx.state.get(id);
  return raw === undefined ? undefined : unpackSlot(raw);
}

async function loadChannel(ctx: CallContext, d: ChannelDescriptor): Promise<LoadedChannel> {
  const id = channelIdBytes(d, ctx.block.chainId, ctx.self);
  const state = await readChannel(ctx, id);
  if (!state || state.deposit === 0n) {
    throw escrowError('ChannelNotFound', `no open channel ${toHex(id)} matches this descriptor on chain ${ctx.block.chainId}; check every descriptor field (it may also have been closed)`);
  }
  return { id, state };
}

const writeChannel = (ctx: CallContext, id: Uint8Array, s: ChannelState) => ctx.state.set(id, packSlot(s));

function requirePayeeOrOperator(ctx: CallContext, d: ChannelDescriptor): void {
  if (ctx.caller === d.payee) return;
  if (d.operator !== ZERO_ADDRESS && ctx.caller === d.operator) return;
  throw escrowError('NotPayeeOrOperator', `only the payee ${d.payee}${d.operator !== ZERO_ADDRESS ? ` or the operator ${d.operator}` : ''} may settle or close this channel`);
}

function requirePayer(ctx: CallContext, d: ChannelDescriptor): void {
  if (ctx.caller !== d.payer) throw escrowError('NotPayer', `only the payer ${d.payer} may do this; send the transaction from the payer account`);
}

/** TIP-403 along payer → payee: funding needs an authorized recipient, payouts an authorized sender. */
async function requirePolicy(ctx: CallContext, token: Address, account: Address, role: 'recipient' | 'sender'): Promise<void> {
  if (await ctx.query<boolean>(token, 'isAuthorized', { account })) return;
  throw escrowError('PolicyForbids', `the transfer policy of token ${token} forbids ${account} as a ${role}; the token issuer controls this list`, { account, role });
}

async function pay(ctx: CallContext, token: Address, from: Address, to: Address, amount: bigint): Promise<void> {
  if (amount > 0n) await ctx.call(token, 'systemTransferFrom', { from, to, amount });
}

/** Checks a voucher for `cumulativeAmount` against the descriptor's signer (metered, cached). */
function verifyVoucher(ctx: CallContext, d: ChannelDescriptor, id: Uint8Array, cumulativeAmount: bigint, signature: Uint8Array): void {
  if (schemeOf(signature) === null) {
    throw escrowError('InvalidSignature', `a voucher signature is 65-byte secp256k1 r‖s‖v or 0x07 ‖ ML-DSA-65 pk ‖ sig (${signature.length} bytes given)`);
  }
  const signer = ctx.verifySignature(signature, voucherDigestBytes(id, cumulativeAmount, ctx.block.chainId, ctx.self));
  const expected = voucherSigner(d);
  if (!signer || signer.address !== expected) {
    throw escrowError('InvalidSignature', `the voucher for ${cumulativeAmount} on channel ${toHex(id)} is not signed by ${expected}; sign voucherDigest(channelId, amount, chainId) with that key`);
  }
}

/** Voucher signatures for the mempool to verify ahead of execution. */
function voucherChecks(args: { descriptor: ChannelDescriptor; cumulativeAmount: bigint; signature: Uint8Array }, chainId: bigint): SignatureCheck[] {
  if (schemeOf(args.signature) === null) return [];
  const id = channelIdBytes(args.descriptor, chainId);
  return [{ kind: 'encoded', signature: args.signature, digest: voucherDigestBytes(id, args.cumulativeAmount, chainId) }];
}

const eventHead = (id: Uint8Array, d: ChannelDescriptor) => ({ channelId: id, payer: d.payer, payee: d.payee });

/** `settle` (§1.4): checks in the Rust order, then pays `cumulative − settled` to the payee. */
async function settleOne(ctx: CallContext, { descriptor: d, cumulativeAmount, signature }: { descriptor: ChannelDescriptor; cumulativeAmount: bigint; signature: Uint8Array }): Promise<void> {
  const { id, state } = await loadChannel(ctx, d);
  requirePayeeOrOperator(ctx, d);
  if (cumulativeAmount > state.deposit) throw escrowError('AmountExceedsDeposit', `voucher amount ${cumulativeAmount} exceeds the deposit ${state.deposit}; the payer must top up first`);
  if (cumulativeAmount <= state.settled) throw escrowError('AmountNotIncreasing', `voucher amount ${cumulativeAmount} is not above the settled ${state.settled}; vouchers are cumulative`);
  verifyVoucher(ctx, d, id, cumulativeAmount, signature);
  await requirePolicy(ctx, d.token, d.payer, 'sender');
  const delta = cumulativeAmount - state.settled;
  writeChannel(ctx, id, { ...state, settled: cumulativeAmount });
  await pay(ctx, d.token, ctx.self, d.payee, delta);
  ctx.emit('Settled', { ...eventHead(id, d), cumulativeAmount, deltaPaid: delta, newSettled: cumulativeAmount });
}

export const escrowModule = defineModule({
  name: 'escrow',
  errors: escrowErrors.names,
  address: ESCROW_ADDRESS,
  events: escrowEvents,
  methods: {
    open: method({
      args: openArgs,
      returns: word32,
      description: 'Open a channel funded by the sender (the payer) with `deposit` of `token`; returns the channelId.',
      async handler(ctx, a): Promise<Hex32> {
        if (a.payee === ZERO_ADDRESS || hasTip20Prefix(a.payee)) {
          throw escrowError('InvalidPayee', `the payee cannot be ${a.payee === ZERO_ADDRESS ? 'the zero address' : 'a TIP-20 token address'}`);
        }
        if (!hasTip20Prefix(a.token) || !(await ctx.query<boolean>(a.token, 'exists', {}))) {
          throw escrowError('InvalidToken', `${a.token} is not a TIP-20 token; create one with tip20Factory.createToken or use the dev stablecoin`);
        }
        if (a.deposit === 0n) throw escrowError('ZeroDeposit', 'a channel needs a positive deposit');
        const expiringNonceHash = contextHash(ctx);
        if (!expiringNonceHash) throw escrowError('ExpiringNonceHashNotSet', 'open must run inside a signed transaction: the channelId binds the transaction that opens it');
        const d: ChannelDescriptor = { payer: ctx.caller, payee: a.payee, operator: a.operator, token: a.token, salt: a.salt, authorizedSigner: a.authorizedSigner, expiringNonceHash };
        const id = channelIdBytes(d, ctx.block.chainId, ctx.self);
        if ((await readChannel(ctx, id)) || ctx.transient.get(openedKey(id)) === true) {
          throw escrowError('ChannelAlreadyExists', `channel ${toHex(id)} already exists or was opened earlier in this transaction; use another salt`);
        }
        await requirePolicy(ctx, a.token, a.payee, 'recipient');
        await pay(ctx, a.token, d.payer, ctx.self, a.deposit);
        writeChannel(ctx, id, { settled: 0n, deposit: a.deposit, closeRequestedAt: 0 });
        ctx.transient.set(openedKey(id), true);
        ctx.emit('ChannelOpened', {
          ...eventHead(id, d),
          operator: d.operator,
          token: d.token,
          authorizedSigner: d.authorizedSigner,
          salt: hex32Bytes(d.salt),
          expiringNonceHash: hex32Bytes(d.expiringNonceHash),
          deposit: a.deposit,
        });
        return toHex(id) as Hex32;
      },
    }),
    settle: method({
      args: settleArgs,
      description: 'Payee or operator: collect up to a signed cumulative voucher amount (funds go to the payee).',
      signatures: (args, tx) => voucherChecks(args, tx.chainId),
      handler: (ctx, args) => settleOne(ctx, args),
    }),
    settleBatch: method({
      args: settleBatchArgs,
      description: `Payee or operator: settle up to ${MAX_SETTLE_BATCH} channels in one call, in order; any failing item reverts the whole call (its error names the item's index).`,
      signatures: (args, tx) => args.items.flatMap((item) => voucherChecks(item, tx.chainId)),
      async handler(ctx, { items }) {
        if (items.length === 0) throw engineErrors.error('InvalidArguments', `settleBatch takes 1 to ${MAX_SETTLE_BATCH} items, not 0`);
        for (let i = 0; i < items.length; i++) {
          try {
            await settleOne(ctx, items[i]!);
          } catch (e) {
            // The item's own error (an escrow error with its selector, another module's as it is), with its index.
            if (e instanceof ModuleError) throw withErrorContext(e, `item ${i}`, { index: i });
            throw e;
          }
        }
      },
    }),
    topUp: method({
      args: topUpArgs,
      description: 'Payer: add to the deposit; any top-up (even zero) cancels a pending close request.',
      async handler(ctx, { descriptor: d, additionalDeposit }) {
        const { id, state } = await loadChannel(ctx, d);
        requirePayer(ctx, d);
        if (additionalDeposit === 0n && state.closeRequestedAt === 0) return;
        let deposit = state.deposit;
        if (additionalDeposit > 0n) {
          deposit = state.deposit + additionalDeposit;
          if (deposit > MAX_UINT96) throw escrowError('DepositOverflow', `deposit ${state.deposit} + ${additionalDeposit} exceeds 2^96-1; open another channel`);
          await requirePolicy(ctx, d.token, d.payee, 'recipient');
          await pay(ctx, d.token, d.payer, ctx.self, additionalDeposit);
        }
        writeChannel(ctx, id, { ...state, deposit, closeRequestedAt: 0 });
        if (state.closeRequestedAt !== 0) ctx.emit('CloseRequestCancelled', eventHead(id, d));
        ctx.emit('TopUp', { ...eventHead(id, d), additionalDeposit, newDeposit: deposit });
      },
    }),
    requestClose: method({
      args: descriptorArgs,
      description: `Payer: start the ${CLOSE_GRACE_PERIOD} s grace period after which withdraw refunds the unsettled deposit.`,
      async handler(ctx, { descriptor: d }) {
        const { id, state } = await loadChannel(ctx, d);
        requirePayer(ctx, d);
        if (state.closeRequestedAt !== 0) return;
        const now = nowSeconds(ctx);
        writeChannel(ctx, id, { ...state, closeRequestedAt: Number(now) });
        ctx.emit('CloseRequested', { ...eventHead(id, d), closeGraceEnd: now + CLOSE_GRACE_PERIOD });
      },
    }),
    close: method({
      args: closeArgs,
      description: 'Payee or operator: capture up to a voucher amount, refund the rest to the payer and delete the channel.',
      signatures: (args, tx) => (args.signature.length === 0 ? [] : voucherChecks(args, tx.chainId)),
      async handler(ctx, { descriptor: d, cumulativeAmount, captureAmount, signature }) {
        const { id, state } = await loadChannel(ctx, d);
        requirePayeeOrOperator(ctx, d);
        if (captureAmount < state.settled || captureAmount > cumulativeAmount) {
          throw escrowError('CaptureAmountInvalid', `capture ${captureAmount} must lie between the settled ${state.settled} and the voucher amount ${cumulativeAmount}`);
        }
        if (captureAmount > state.deposit) throw escrowError('AmountExceedsDeposit', `capture ${captureAmount} exceeds the deposit ${state.deposit}`);
        if (captureAmount > state.settled) verifyVoucher(ctx, d, id, cumulativeAmount, signature);
        ctx.state.delete(id);
        const delta = captureAmount - state.settled;
        if (delta > 0n) {
          await requirePolicy(ctx, d.token, d.payer, 'sender');
          await pay(ctx, d.token, ctx.self, d.payee, delta);
        }
        const refund = state.deposit - captureAmount;
        await pay(ctx, d.token, ctx.self, d.payer, refund);
        ctx.emit('ChannelClosed', { ...eventHead(id, d), settledToPayee: captureAmount, refundedToPayer: refund });
      },
    }),
    withdraw: method({
      args: descriptorArgs,
      description: `Payer: after requestClose and ${CLOSE_GRACE_PERIOD} s of block time, refund the unsettled deposit and delete the channel.`,
      async handler(ctx, { descriptor: d }) {
        const { id, state } = await loadChannel(ctx, d);
        requirePayer(ctx, d);
        const readyAt = BigInt(state.closeRequestedAt) + CLOSE_GRACE_PERIOD;
        if (state.closeRequestedAt === 0 || nowSeconds(ctx) < readyAt) {
          throw escrowError(
            'CloseNotReady',
            state.closeRequestedAt === 0 ? 'call requestClose first, then withdraw after the grace period' : `withdraw is possible from unix time ${readyAt} s (block time is ${nowSeconds(ctx)} s)`,
          );
        }
        ctx.state.delete(id);
        const refund = state.deposit - state.settled;
        await pay(ctx, d.token, ctx.self, d.payer, refund);
        ctx.emit('ChannelClosed', { ...eventHead(id, d), settledToPayee: state.settled, refundedToPayer: refund });
      },
    }),
  },
  queries: escrowQueries,
  rpc: escrowRpc,
});

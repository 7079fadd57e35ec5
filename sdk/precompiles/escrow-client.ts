/**
 * The escrow over JSON-RPC, for the CLI and SDK users: opens channels (computing the channelId
 * before broadcasting), sends the channel calls, signs and checks vouchers, reads state, and finds
 * a channel's descriptor from its `ChannelOpened` event.
 *
 *   const escrow = new EscrowRpcClient(new RpcClient(url));
 *   const { channelId, descriptor } = await escrow.open(payer, { payee, deposit: 1_000_000n });
 *   const sig = await escrow.signVoucher(payer, channelId, 250_000n);
 *   await escrow.settle(payee, descriptor, 250_000n, sig);
 */
import { fromHex, keccak256, NamedError, toHex, utf8, type Address, type Signer } from '../../chain/index.js';
import {
  closeArgs,
  descriptorArgs,
  DEV_STABLECOIN_ADDRESS,
  ESCROW_ADDRESS,
  escrowEvents,
  channelStateType,
  openArgs,
  settleArgs,
  toDescriptor,
  toHex32,
  topUpArgs,
  type ChannelDescriptor,
  type ChannelState,
  type Hex,
  type Hex32,
} from '../../precompiles/index.js';
import type { ReceiptJson, RpcClient } from '../index.js';
import { TxSender } from '../index.js';
import { decodeChannelOpened, type OpenedChannel } from './indexer.js';
import { buildOpenTx, openCallArgs } from './open.js';
import { signVoucherBytes, toUint96, VoucherVerifier, type Amount, type VoucherVerdict } from './voucher.js';

/**
 * Gas limit of escrow transactions unless one is given: enough for an ML-DSA-65 sender and an
 * ML-DSA-65 voucher (about 300 000); unused gas is refunded. Escrow calls are not estimated by
 * simulation because `open` needs a transaction context and `withdraw` depends on the next block's time.
 */
export const ESCROW_GAS_LIMIT = 1_000_000n;

export interface EscrowTxOptions {
  gasLimit?: bigint;
  /**
   * Simulate first (the gas is then estimated): a call that would fail throws WouldFailError and is
   * not sent, unless `force`. Without it (and without `gasLimit`) calls go out with ESCROW_GAS_LIMIT.
   */
  simulate?: boolean;
  force?: boolean;
}

export interface OpenParams {
  payee: string;
  deposit: Amount;
  /** Default: the dev stablecoin. */
  token?: string;
  operator?: string;
  authorizedSigner?: string;
  salt?: string | Uint8Array;
}

const METHODS = { settle: settleArgs, topUp: topUpArgs, close: closeArgs, requestClose: descriptorArgs, withdraw: descriptorArgs } as const;
type ChannelMethod = keyof typeof METHODS;

const OPENED_TOPIC0 = toHex(keccak256(utf8(escrowEvents.ChannelOpened.signature!)));
/** chain.GetEvents answers at most this many blocks per query. */
const EVENT_WINDOW = 10_000;

export class EscrowRpcClient {
  #chainId: bigint | undefined;
  #verifier: VoucherVerifier | undefined;

  constructor(
    readonly rpc: RpcClient,
    readonly escrow: Address = ESCROW_ADDRESS,
  ) {}

  async chainId(): Promise<bigint> {
    return (this.#chainId ??= BigInt(await this.rpc.chainId()));
  }

  async #send(signer: Signer, method: ChannelMethod, args: unknown, opts: EscrowTxOptions): Promise<ReceiptJson> {
    const call = { to: this.escrow, method, def: { args: METHODS[method] }, args };
    const { receipt } = await TxSender.for(this.rpc, signer).send(call, { gasLimit: opts.gasLimit ?? (opts.simulate ? undefined : ESCROW_GAS_LIMIT), force: opts.force });
    return receipt!;
  }

  /**
   * Opens a channel paid by `payer`. The channelId is computed before broadcasting; the receipt
   * says whether the open succeeded (status 0 carries the named error).
   */
  async open(payer: Signer, p: OpenParams, opts: EscrowTxOptions = {}): Promise<{ channelId: Hex32; descriptor: ChannelDescriptor; receipt: ReceiptJson }> {
    const sender = TxSender.for(this.rpc, payer);
    const token = p.token ?? DEV_STABLECOIN_ADDRESS;
    // The simulation binds a placeholder transaction context (another channel id); every check of
    // the real open runs the same.
    const gasLimit = opts.gasLimit ?? (opts.simulate ? await sender.estimate({ to: this.escrow, method: 'open', def: { args: openArgs }, args: openCallArgs({ ...p, token }) }, { force: opts.force }) : ESCROW_GAS_LIMIT);
    let plan!: ReturnType<typeof buildOpenTx>;
    const { receipt } = await sender.sendWith(
      async (nonce) => {
        const { chainId, minGasPrice } = await sender.chainParams();
        plan = buildOpenTx({
          chainId,
          nonce,
          from: payer.address,
          payee: p.payee,
          token,
          deposit: p.deposit,
          operator: p.operator,
          authorizedSigner: p.authorizedSigner,
          salt: p.salt,
          gasLimit,
          gasPrice: minGasPrice,
          escrow: this.escrow,
        });
        return plan.tx;
      },
      (tx) => this.rpc.sendTransaction(tx.raw, { wait: true }),
    );
    if (receipt!.status === 1 && receipt!.result !== plan.channelId) {
      throw new NamedError('ChannelIdMismatch', `the escrow opened ${String(receipt!.result)}, the client computed ${plan.channelId}`);
    }
    return { channelId: plan.channelId, descriptor: plan.descriptor, receipt: receipt! };
  }

  /** Sends one of the post-open calls with typed arguments. */
  call(signer: Signer, method: ChannelMethod, args: Record<string, unknown>, opts: EscrowTxOptions = {}): Promise<ReceiptJson> {
    return this.#send(signer, method, args, opts);
  }

  settle(caller: Signer, d: ChannelDescriptor, cumulativeAmount: Amount, signature: string | Uint8Array, opts?: EscrowTxOptions): Promise<ReceiptJson> {
    return this.call(caller, 'settle', { descriptor: d, cumulativeAmount: toUint96(cumulativeAmount), signature: sigBytes(signature) }, opts);
  }

  close(caller: Signer, d: ChannelDescriptor, cumulativeAmount: Amount, captureAmount: Amount, signature: string | Uint8Array, opts?: EscrowTxOptions): Promise<ReceiptJson> {
    return this.call(caller, 'close', { descriptor: d, cumulativeAmount: toUint96(cumulativeAmount), captureAmount: toUint96(captureAmount, 'captureAmount'), signature: sigBytes(signature) }, opts);
  }

  topUp(payer: Signer, d: ChannelDescriptor, additionalDeposit: Amount, opts?: EscrowTxOptions): Promise<ReceiptJson> {
    return this.call(payer, 'topUp', { descriptor: d, additionalDeposit: toUint96(additionalDeposit, 'additionalDeposit') }, opts);
  }

  requestClose(payer: Signer, d: ChannelDescriptor, opts?: EscrowTxOptions): Promise<ReceiptJson> {
    return this.call(payer, 'requestClose', { descriptor: d }, opts);
  }

  withdraw(payer: Signer, d: ChannelDescriptor, opts?: EscrowTxOptions): Promise<ReceiptJson> {
    return this.call(payer, 'withdraw', { descriptor: d }, opts);
  }

  async state(channelId: string): Promise<ChannelState> {
    return channelStateType.fromJson(await this.rpc.call('escrow.GetChannelState', { channelId: toHex32(channelId, 'channelId') }), 'state');
  }

  /** Signs a voucher for this chain and escrow. */
  async signVoucher(signer: Signer, channelId: string, cumulativeAmount: Amount): Promise<Hex> {
    return toHex(signVoucherBytes(signer, channelId, cumulativeAmount, await this.chainId(), this.escrow)) as Hex;
  }

  /** Checks a voucher off chain, the way the precompile will (results are cached). */
  async verifyVoucher(d: ChannelDescriptor, cumulativeAmount: Amount, signature: string | Uint8Array): Promise<VoucherVerdict> {
    this.#verifier ??= new VoucherVerifier({ chainId: await this.chainId(), escrow: this.escrow });
    return this.#verifier.verify({ descriptor: d, cumulativeAmount, signature });
  }

  /** The descriptor of a channel, from its ChannelOpened event (searching back from the head). */
  async findChannel(channelId: string): Promise<OpenedChannel | null> {
    const id = toHex32(channelId, 'channelId');
    const head = (await this.rpc.head()).height;
    for (let to = head; to >= 0; to -= EVENT_WINDOW) {
      const from = Math.max(0, to - EVENT_WINDOW + 1);
      const found = await this.rpc.call<{ address: Address; name: string; topics: string[]; data: string }[]>('chain.GetEvents', {
        address: this.escrow,
        name: 'ChannelOpened',
        fromBlock: from,
        toBlock: to,
        topics: [OPENED_TOPIC0, id],
      });
      for (const e of found) {
        const opened = decodeChannelOpened({ address: e.address, name: e.name, topics: e.topics.map(fromHex), data: fromHex(e.data) }, this.escrow);
        if (opened?.channelId === id) return opened;
      }
      if (from === 0) break;
    }
    return null;
  }

  /** A descriptor given as JSON, validated. */
  static descriptor(json: unknown): ChannelDescriptor {
    return toDescriptor(json as never);
  }
}

function sigBytes(s: string | Uint8Array): Uint8Array {
  if (s instanceof Uint8Array) return s;
  if (s === '' || s === '0x') return new Uint8Array(0);
  return fromHex(s);
}

/**
 * Building the client's credentials: vouchers (secp256k1 or ML-DSA-65, by the signer's scheme),
 * and the payer's signed `open` / `topUp` transactions, which the server broadcasts.
 */
import { randomBytes } from 'node:crypto';
import { toHex, type Signer, type UnsignedTx } from '../../chain/index.js';
import { buildOpenTx, ESCROW_ADDRESS, ESCROW_GAS_LIMIT, signVoucher, topUpArgs, type ChannelDescriptor, type Hex32 } from '../../sdk/precompiles/index.js';
import { TxSender, type RpcClient } from '../../sdk/index.js';
import { serializeCredential, sourceDid, type Challenge, type SessionPayload } from '../wire/index.js';

export function credential(challenge: Challenge, signer: Signer, chainId: number, payload: SessionPayload): string {
  return serializeCredential({ challenge, source: sourceDid(chainId, signer.address), payload });
}

export function voucherPayload(signer: Signer, chainId: number, channelId: Hex32, descriptor: ChannelDescriptor, amount: bigint, action: 'voucher' | 'close' = 'voucher'): SessionPayload {
  return { action, channelId, descriptor, cumulativeAmount: amount, signature: signVoucher(signer, channelId, amount, chainId) };
}

export interface OpenDraft {
  channelId: Hex32;
  descriptor: ChannelDescriptor;
  deposit: bigint;
  payload: SessionPayload;
}

/**
 * Signs an open transaction for the next nonce of `signer` (through its TxSender, so nonces never
 * race) and hands the open payload to `submit`, which must throw if the server did not broadcast it.
 */
export function withOpen<R>(rpc: RpcClient, signer: Signer, p: { payee: string; token: string; deposit: bigint; firstVoucher: bigint }, submit: (d: OpenDraft) => Promise<R>): Promise<R> {
  const sender = TxSender.for(rpc, signer);
  let draft!: OpenDraft;
  return sender.sendWith(
    async (nonce) => {
      const { chainId, minGasPrice } = await sender.chainParams();
      const plan = buildOpenTx({
        chainId,
        nonce,
        from: signer.address,
        payee: p.payee,
        token: p.token,
        deposit: p.deposit,
        salt: new Uint8Array(randomBytes(32)),
        authorizedSigner: signer.address,
        gasLimit: ESCROW_GAS_LIMIT,
        gasPrice: minGasPrice,
      });
      const id = Number(chainId);
      draft = { channelId: plan.channelId, descriptor: plan.descriptor, deposit: p.deposit, payload: undefined as never };
      draft.payload = { action: 'open', type: 'transaction', channelId: plan.channelId, descriptor: plan.descriptor, transaction: '', cumulativeAmount: p.firstVoucher, signature: signVoucher(signer, plan.channelId, p.firstVoucher, id) };
      return plan.tx;
    },
    (tx) => {
      (draft.payload as { transaction: string }).transaction = toHex(tx.raw);
      return submit(draft);
    },
  );
}

/** Same for a topUp transaction of `additional`. */
export function withTopUp<R>(rpc: RpcClient, signer: Signer, channelId: Hex32, descriptor: ChannelDescriptor, additional: bigint, submit: (payload: SessionPayload) => Promise<R>): Promise<R> {
  const sender = TxSender.for(rpc, signer);
  const call = { to: ESCROW_ADDRESS, method: 'topUp', def: { args: topUpArgs }, args: { descriptor, additionalDeposit: additional } };
  return sender.sendWith(
    (nonce): Promise<UnsignedTx> => sender.unsigned(call, { nonce, gasLimit: ESCROW_GAS_LIMIT }),
    (tx) => submit({ action: 'topUp', type: 'transaction', channelId, descriptor, transaction: toHex(tx.raw), additionalDeposit: additional }),
  );
}

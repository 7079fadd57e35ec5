/**
 * The `aivm.*` JSON-RPC surface (legacy service names). Reads run the module's queries against the
 * head state; the four legacy transactions take a signed transaction (hex), check that it calls the
 * matching method, submit it, wait for its block and answer with the outcome.
 */
import { decodeValue, Transaction, t, toHex, type Json, type Type, type NodeApi, type RpcMethodDef } from '../../chain/index.js';
import { AIVM_ADDRESS } from './constants.js';
import { exportViewT, modelViewT, providerViewT, receiptViewT, rewardStatsViewT, statsViewT, taskViewT } from './views.js';
import { aivmErrors } from './errors.js';

function read<R>(name: string, returns: Type<R>, toArgs: (p: any) => unknown = () => ({})) {
  return async (node: NodeApi, params: unknown): Promise<Json> => returns.toJson(await node.query<R>(node.moduleAddress('aivm'), name, toArgs(params)));
}

const byId = t.struct({ id: t.bytes32 });

function legacyTx(method: string, returns: Type<any> | undefined, description: string): RpcMethodDef {
  return {
    params: t.struct({ tx: t.bytes(4 * 1024 * 1024) }),
    description,
    async handler(node, { tx: raw }) {
      let tx: Transaction;
      try {
        tx = Transaction.decode(raw);
      } catch (e) {
        throw aivmErrors.error('InvalidArguments', `tx is not a transaction: ${(e as Error).message}`);
      }
      if (tx.to !== AIVM_ADDRESS || tx.method !== method) {
        throw aivmErrors.error('WrongMethod', `this endpoint takes a signed aivm.${method} transaction; got ${tx.method} to ${tx.to} (use chain.SendTransaction for others)`);
      }
      const { hash, receipt, height } = await node.submit(raw, { wait: true });
      const ok = receipt?.status === 1;
      return {
        txHash: toHex(hash),
        height: height?.toString() ?? null,
        status: receipt?.status ?? null,
        error: receipt && !ok ? receipt.error : null,
        message: receipt && !ok ? receipt.errorMessage : null,
        result: ok && returns ? returns.toJson(decodeValue(returns, receipt!.returnData, 'returnData')) : null,
      };
    },
  };
}

export const aivmRpc: Record<string, RpcMethodDef> = {
  'aivm.GetTask': { params: byId, description: 'A task by task id or intent id (null when unknown).', handler: read('getTask', t.optional(taskViewT), (p) => p) },
  'aivm.GetProviders': { params: t.none, description: 'All providers in registration order.', handler: read('getProviders', t.list(providerViewT, 1 << 16)) },
  'aivm.GetProvider': { params: t.struct({ address: t.address }), handler: read('getProvider', providerViewT, (p) => p) },
  'aivm.GetModels': { params: t.none, description: 'The model registry.', handler: read('getModels', t.list(modelViewT, 1 << 16)) },
  'aivm.GetStats': { params: t.none, description: 'Counters, accounting buckets, roots and epoch.', handler: read('getStats', statsViewT) },
  'aivm.GetMerkleRoot': { params: t.none, description: 'SHA-256 root of the legacy reward receipts.', handler: read('getMerkleRoot', t.bytes32) },
  'aivm.GetRewardStats': { params: t.struct({ provider: t.address }), handler: read('getRewardStats', rewardStatsViewT, (p) => ({ address: p.provider })) },
  'aivm.GetReceipt': { params: byId, description: 'The 355-byte settlement receipt (null until settled).', handler: read('getReceipt', t.optional(receiptViewT), (p) => p) },
  'aivm.ExportReceipt': { params: byId, description: 'Receipt, Merkle proof and receipt root.', handler: read('exportReceipt', exportViewT, (p) => p) },
  'aivm.RegisterProvider': legacyTx('registerProvider', undefined, 'Submit a signed registerProvider transaction.'),
  'aivm.SubmitTask': legacyTx('submitTask', t.bytes32, 'Submit a signed submitTask transaction; returns the task id.'),
  'aivm.SubmitResult': legacyTx('submitResult', t.uint64, 'Submit a signed submitResult transaction; returns the challenge deadline.'),
  'aivm.ClaimRewards': legacyTx('claimRewards', t.uint256, 'Submit a signed claimRewards transaction; returns the amount paid.'),
};

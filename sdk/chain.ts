/**
 * `sessionchain/chain`: the engine (`chain/`) with the built-in composition (`genesis/`): modules,
 * the dev genesis, `startNode` and the in-process `createDevChain`; and, as before the layering, the
 * client pieces users reach for beside the engine (RPC client, wallet, keystore, follower upstream).
 */
export * from '../chain/index.js';
export {
  builtinModules,
  createDevChain,
  DevChain,
  devGenesis,
  devGenesisDoc,
  loadGenesis,
  readGenesisFile,
  startNode,
  DEV_BALANCE,
  DEV_PRODUCER_BALANCE,
  type DevChainOptions,
  type DevGenesisOptions,
  type SendResult,
  type SendOptions,
} from '../genesis/index.js';
export { rpcUpstream, fetchUpstreamGenesis } from './upstream.js';
export { RpcClient, RpcError, TransportError, type ReceiptJson, type HeaderJson, type RpcClientOptions } from './rpc-client.js';
export { Wallet, resolveModule, resolveMethod, resolveQuery, type ModuleSchemas, type WalletSendOptions } from './wallet.js';
export { encryptKeystore, decryptKeystore, parseKeystore, KeystoreError, type KeystoreFile, type KdfOptions } from './keystore.js';
export { TxSender, WouldFailError, withGasMargin, type ModuleCall } from './sender.js';

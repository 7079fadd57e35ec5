/**
 * The sessionchain client SDK (package root): keys and keystores, transaction building and signing,
 * a typed JSON-RPC client, the one transaction sender every client uses, and the wallet. Area APIs
 * live at `sessionchain/chain`, `sessionchain/session`, `sessionchain/aivm`,
 * `sessionchain/precompiles` and `sessionchain/gpu` (their entry points are in this folder too).
 *
 *   import { RpcClient, Wallet, signerFromSeed, randomSeed } from 'sessionchain';
 *   const wallet = Wallet.connect('http://127.0.0.1:9651', signerFromSeed(randomSeed()));
 *   const receipt = await wallet.send('lux', 'transfer', { to, amount: '1000' });
 */
import type { Signer } from '../chain/index.js';
import { builtinModules } from '../genesis/index.js';
import { RpcClient } from './rpc-client.js';
import { Wallet as BaseWallet, type ModuleSchemas } from './wallet.js';

export {
  // keys and signatures
  type Signer,
  MlDsaSigner,
  Secp256k1Signer,
  signerFromSeed,
  randomSeed,
  recoverSigner,
  devSigner,
  devSeed,
  type SchemeName,
  // transactions
  Transaction,
  signTx,
  encodeUnsignedTx,
  txSigningDigest,
  type UnsignedTx,
  // values
  t,
  encodeValue,
  decodeValue,
  toAddress,
  isAddress,
  checksumAddress,
  type Address,
  toHex,
  fromHex,
  keccak256,
  keccakReady,
  utf8,
  // errors
  NamedError,
  RpcCode,
} from '../chain/index.js';
export { encryptKeystore, decryptKeystore, parseKeystore, KeystoreError, type KeystoreFile, type KdfOptions } from './keystore.js';
export { RpcClient, RpcError, TransportError, SubscriptionEnded, type ReceiptJson, type HeaderJson, type RpcClientOptions, type SubscriptionOptions } from './rpc-client.js';
export { TxSender, WouldFailError, withGasMargin, type ModuleCall, type SendOptions, type SendResult } from './sender.js';
export { resolveModule, resolveMethod, resolveQuery, toSchemaValue, type ModuleSchemas, type WalletSendOptions } from './wallet.js';
export { rpcUpstream, fetchUpstreamGenesis } from './upstream.js';

/** The modules built into this package (for argument schemas). */
export const builtinSchemas: ModuleSchemas = { modules: builtinModules };

/** A wallet over the built-in module schemas. */
export class Wallet extends BaseWallet {
  constructor(rpc: RpcClient, signer: Signer, schemas: ModuleSchemas = builtinSchemas) {
    super(rpc, signer, schemas);
  }

  static connect(url: string, signer: Signer): Wallet {
    return new Wallet(new RpcClient(url), signer);
  }
}
export { explorerHandler, explorerAssetsDir } from './explorer/index.js';
export { parseAmount, formatAmount, groupDigits, AmountError, LUX_UNIT, type AmountUnit } from './units.js';

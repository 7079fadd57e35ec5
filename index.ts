/**
 * The sessionchain client SDK (package root): keys, transaction building and signing, and a typed
 * JSON-RPC client. Area APIs live at `sessionchain/chain`, `sessionchain/session`,
 * `sessionchain/aivm`, `sessionchain/precompiles` and `sessionchain/gpu`.
 *
 *   import { RpcClient, Wallet, signerFromSeed, randomSeed } from 'sessionchain';
 *   const wallet = Wallet.connect('http://127.0.0.1:9651', signerFromSeed(randomSeed()));
 *   const receipt = await wallet.send('lux', 'transfer', { to, amount: '1000' });
 */
import { Wallet as BaseWallet, type ModuleSchemas } from './chain/wallet.js';
import { RpcClient } from './chain/rpc/client.js';
import type { Signer } from './chain/keys/signer.js';
import { builtinModules } from './genesis/index.js';

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
  encryptKeystore,
  decryptKeystore,
  parseKeystore,
  KeystoreError,
  type KeystoreFile,
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
  // RPC
  RpcClient,
  RpcError,
  TransportError,
  type ReceiptJson,
  type HeaderJson,
  NamedError,
  RpcCode,
} from './chain/index.js';
export { resolveModule, resolveMethod, resolveQuery, type ModuleSchemas, type WalletSendOptions } from './chain/wallet.js';

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

/**
 * Public API of the chain area (`sessionchain/chain`). Other areas import from here only.
 */
export * from './bytes.js';
export * from './address.js';
export { keccakReady, keccak256, keccak256Reference, keccakConcat, keccakUtf8, sha256, sha256Concat, blake2b256 } from './hash.js';
export { t, rlpEncode, rlpDecode, encodeValue, decodeValue, parseUint, asBytes, asList, type Type, type Infer, type Json, type RlpItem, type StructType, type StructOf } from './codec.js';
export { NamedError, TxRejected, ModuleError, CodecError, NodeError, RpcCode, errorName, errorMessage, type TxRejectionName } from './errors.js';
export {
  MLDSA65_TAG,
  MLDSA65_PK_LEN,
  MLDSA65_SK_LEN,
  MLDSA65_SIG_LEN,
  MLDSA65_ENCODED_LEN,
  SECP256K1_SIG_LEN,
  SCHEMES,
  type SchemeName,
  mldsaAddress,
  secpAddress,
  schemeOf,
  recoverSigner,
  recoverSecp256k1,
  nobleMlDsaVerify,
  loadPqcleanVerify,
  setMlDsaBackend,
  mlDsaBackend,
  type MlDsaBackend,
  type RecoveredSigner,
} from './keys/schemes.js';
export { type Signer, MlDsaSigner, Secp256k1Signer, signerFromSeed, randomSeed } from './keys/signer.js';
export { encryptKeystore, decryptKeystore, parseKeystore, KeystoreError, type KeystoreFile, type KdfOptions } from './keys/keystore.js';
export { devSeed, devProducerSeed, devSigner, DEV_ACCOUNT_COUNT } from './keys/dev.js';
export { Transaction, signTx, encodeUnsignedTx, txSigningDigest, TX_DOMAIN, type UnsignedTx, type SignedTx } from './tx.js';
export { type Block, type BlockHeader, encodeBlock, decodeBlock, encodeHeader, blockHash, headerSigningDigest, signHeader, verifyHeaderSignature, extraRoot } from './block.js';
export { type Receipt, type ChainEvent, encodeReceipt, decodeReceipt, receiptHash } from './receipt.js';
export { merkleRoot, merkleProof, verifyMerkleProof, EMPTY_ROOT, type MerkleProofStep } from './merkle.js';
export { Chain, type CommittedBlock, type EventFilter, type FoundEvent, type DiffEntry } from './chain.js';
export { Executor, intrinsicGas, type ChainParams } from './executor.js';
export { Node, type NodeOptions, type SubmitResult, type SimulationResult } from './node.js';
export { Mempool, type MempoolOptions } from './mempool.js';
export { Producer, type MiningMode } from './producer.js';
export { VerifierPool, type VerifierOptions } from './verifier.js';
export { importBlock, BlockImportError, type Divergence } from './importer.js';
export { Store } from './state/store.js';
export { Lru } from './state/lru.js';
export { verifyStateProof, EMPTY_TRIE_ROOT } from './state/trie.js';
export { createDevChain, DevChain, type DevChainOptions, type SendResult, type SendOptions } from './devchain.js';
export { RpcServer, RPC_DEFAULTS, type RpcServerOptions } from './rpc/server.js';
export { RpcClient, RpcError, TransportError, type ReceiptJson, type HeaderJson, type RpcClientOptions } from './rpc/client.js';
export { handleBody, errorResponse, type Dispatcher, type JsonRpcResponse } from './rpc/jsonrpc.js';
export { headerJson, blockJson, txJson, receiptJson, eventJson, eventArgs } from './rpc/views.js';
export { Follower, fetchUpstreamGenesis, type FollowerStatus } from './follower.js';
export { replayInto, storeSource, fileSource, decodeRecord, type ReplaySource, type ReplayResult, type ReplayProgress } from './replay.js';
export { BlockFileWriter, BlockFileReader, BLOCKFILE_MAGIC, type BlockRecord } from './blockfile.js';
export { Wallet, resolveModule, resolveMethod, resolveQuery, type ModuleSchemas, type WalletSendOptions } from './wallet.js';

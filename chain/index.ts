/**
 * Public API of the engine (`chain/`): bytes, hashing, codec, keys, transactions, blocks, receipts,
 * state and storage, the module contract, executor, mempool, producer, node, RPC server, follower and
 * replay. Other areas import from here only. The engine takes its modules and genesis as inputs: it
 * imports no module, no precompile, no kernel, no composition (`genesis/`) and no client (`sdk/`).
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
export { aeadSeal, aeadOpen, AeadError, type AeadErrorName } from './keys/aead.js';
export { devSeed, devProducerSeed, devSigner, devAddress, DEV_ACCOUNT_COUNT, DEV_PRODUCER_ADDRESS } from './keys/dev.js';
export { Transaction, signTx, encodeUnsignedTx, txSigningDigest, TX_DOMAIN, type UnsignedTx, type SignedTx } from './tx.js';
export { type Block, type BlockHeader, encodeBlock, decodeBlock, encodeHeader, blockHash, headerSigningDigest, signHeader, verifyHeaderSignature, extraRoot } from './block.js';
export { type Receipt, type ChainEvent, encodeReceipt, decodeReceipt, receiptHash } from './receipt.js';
export { merkleRoot, merkleProof, verifyMerkleProof, EMPTY_ROOT, type MerkleProofStep } from './merkle.js';
export { Chain, type CommittedBlock, type EventFilter, type FoundEvent, type DiffEntry, type MinedTx } from './chain.js';
export { Executor, intrinsicGas, type ChainParams } from './executor.js';
export { Node, type NodeOptions, type SubmitResult, type SimulationResult } from './node.js';
export { Mempool, type MempoolOptions } from './mempool.js';
export { Producer, type MiningMode } from './producer.js';
export { VerifierPool, type VerifierOptions } from './verifier.js';
export { importBlock, BlockImportError, type Divergence } from './importer.js';
export { Store } from './state/store.js';
export { Lru } from './state/lru.js';
export { verifyStateProof, EMPTY_TRIE_ROOT } from './state/trie.js';
export { RpcServer, RPC_DEFAULTS, type RpcServerOptions, type RpcCallRecord } from './rpc/server.js';
export { CONNECTION_DEFAULTS, WsClose, type ConnectionLimits } from './rpc/limits.js';
export { checkHost, checkOrigin, isLoopbackName, type BrowserPolicy } from './rpc/origin.js';
export { MAX_JSON_DEPTH, jsonDepth } from './rpc/depth.js';
export { requestTarget } from './rpc/target.js';
export { MAX_MINE_BLOCKS, MAX_BLOCK_TIME_MS } from './rpc/dev-methods.js';
export { MAX_BLOCK_TIMESTAMP_MS, MAX_DEV_TIMESTAMP_MS, TimestampOutOfRange } from './time.js';
export { encodeTxBatch, decodeTxBatch, encodeWsTxBatch, decodeWsTxBatch, isWsTxBatch, InvalidTxBatch, MAX_TX_BATCH, TX_BATCH_CONTENT_TYPE, TX_BATCH_MAGIC } from './rpc/txbatch.js';
export { handleBody, errorResponse, type Dispatcher, type JsonRpcResponse } from './rpc/jsonrpc.js';
export { headerJson, blockJson, txJson, receiptJson, eventJson, eventArgs } from './rpc/views.js';
export { Follower, type FollowerStatus, type Upstream, type RawBlockJson } from './follower.js';
export { replayInto, storeSource, fileSource, decodeRecord, type ReplaySource, type ReplayResult, type ReplayProgress } from './replay.js';
export { BlockFileWriter, BlockFileReader, BLOCKFILE_MAGIC, type BlockRecord } from './blockfile.js';
export {
  defineModule,
  method,
  query,
  moduleErrors,
  withErrorContext,
  engineErrors,
  type ModuleErrors,
  type EngineErrorName,
  type BlockInfo,
  type TxInfo,
  type GasMeter,
  type StateReader,
  type StateWriter,
  type ReadContext,
  type CallContext,
  type SystemContext,
  type SignatureCheck,
  type MethodDef,
  type QueryDef,
  type EventDef,
  type NodeApi,
  type RpcMethodDef,
  type ModuleDefinition,
} from './module/contract.js';
export { GAS, Meter, OutOfGas, writeCost } from './module/gas.js';
export { ModuleRegistry, eventSignature, topicWord, type LoadedModule } from './module/registry.js';
export { SignatureCache, runCheck, checkKey, type CheckResult } from './module/sigcache.js';
export { callModule, runQuery, makeCallContext, makeReadContext, NO_TX, type ExecEnv } from './module/context.js';
export {
  LUX_ADDRESS,
  LUX_DECIMALS,
  ONE_LUX,
  accountType,
  EMPTY_ACCOUNT,
  accountSubkey,
  accountKeySubkey,
  accountStateKey,
  accountKeyStateKey,
  readAccount,
  writeAccount,
  readAccountKey,
  writeAccountKey,
  type Account,
} from './state/accounts.js';
export { type StateSource, StateOverlay, MAX_MODULE_KEY_LEN } from './state/overlay.js';
export {
  loadGenesis,
  readGenesisFile,
  writeGenesisFile,
  canonicalJson,
  GenesisError,
  DEFAULT_CHAIN_ID,
  DEFAULT_GENESIS_TIMESTAMP,
  DEFAULT_PARAMS,
  type Genesis,
  type GenesisDoc,
} from './genesis.js';

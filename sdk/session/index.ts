/**
 * `sessionchain/session`: the session area's consensus API (identities, ids, codecs, trees,
 * attestations, the two modules) and its clients: the messaging client and its RPC client, identity
 * files, and the workload-session client with the reference committee worker.
 */
export * from '../../vm/session/index.js';
export { createSessionCall, sealMessage, openMessage, closeSessionCall, MessagingClientError, type OpenedMessage, type CreateSessionOptions, type ClientErrorName } from './messaging/client.js';
export { encodeBundle, decodeBundle, BundleError, BUNDLE_FORMAT, type BundleEntry } from './messaging/bundle.js';
export { MessagingRpcClient, sessionFromJson, messageFromJson, type ReadResult, type TxOptions } from './messaging/rpc-client.js';
export { publicIdentityFileJson, secretIdentityFileJson, identityFromFile, publicIdentityFromFile, IDENTITY_FILE_TYPE, type IdentityFileJson } from './messaging/identity-file.js';
export { CommitteeWorker, majorityBodyHash, type WorkerOptions, type WorkerAction, type NodeKey } from './work/worker.js';
export { WorkClient, type SendOutcome } from './work/client.js';
export { echoHandler, httpHandler, readCapped, type OracleHandler, type OracleTask, type OracleResult, type HttpHandlerOptions } from './work/handlers.js';
export { EquivocationWatch, signedCommitsOf, type SignedCommit, type EquivocationReport } from './work/equivocation.js';

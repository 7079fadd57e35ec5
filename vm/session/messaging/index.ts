/** Public API of the messaging SessionVM (module, ids, client helpers). */
export { messagingModule } from './module.js';
export { SESSIONVM_ADDRESS, SESSIONVM_NAME } from './address.js';
export { MessagingErrors, type MessagingErrorName } from './errors.js';
export { computeMessagingSessionId, messageId, messageSigningPayload, closeSigningPayload, sortParticipants, SESSION_DOMAIN, MESSAGE_DOMAIN, CLOSE_DOMAIN, type ParticipantKeys } from './ids.js';
export { DEFAULT_MESSAGING_PARAMS, parseMessagingParams, type MessagingParams } from './params.js';
export { messagingRpc, sessionJson, messageJson } from './rpc.js';
export type { SessionStatus } from './state.js';
export { createSessionArgs, sendMessageArgs, closeSessionArgs, sessionView, messageView, MAX_PAGE } from './schemas.js';
export type { CreateSessionArgs, SendMessageArgs, CloseSessionArgs, SessionView, ParticipantView, MessageView, MessagePage, HealthView } from './schemas.js';
export { createSessionCall, sealMessage, openMessage, closeSessionCall, MessagingClientError, type OpenedMessage, type CreateSessionOptions, type ClientErrorName } from './client.js';
export { encodeBundle, decodeBundle, BundleError, BUNDLE_FORMAT, type BundleEntry } from './bundle.js';
export { MessagingRpcClient, sessionFromJson, messageFromJson, type ReadResult, type TxOptions } from './rpc-client.js';
export { publicIdentityFileJson, secretIdentityFileJson, identityFromFile, publicIdentityFromFile, IDENTITY_FILE_TYPE, type IdentityFileJson } from './identity-file.js';

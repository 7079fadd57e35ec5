/** Public API of the messaging SessionVM (module, ids, client helpers). */
export { messagingModule } from './module.js';
export { SESSIONVM_ADDRESS, SESSIONVM_NAME } from './address.js';
export { MessagingErrors, type MessagingErrorName } from './errors.js';
export { computeMessagingSessionId, messageId, messageSigningPayload, closeSigningPayload, sortParticipants, SESSION_DOMAIN, MESSAGE_DOMAIN, CLOSE_DOMAIN, type ParticipantKeys } from './ids.js';
export { DEFAULT_MESSAGING_PARAMS, parseMessagingParams, type MessagingParams } from './params.js';
export { messagingRpc, sessionJson, messageJson } from './rpc.js';
export type { SessionStatus } from './state.js';
export type { CreateSessionArgs, SendMessageArgs, CloseSessionArgs, SessionView, ParticipantView, MessageView, MessagePage, HealthView } from './schemas.js';
export { createSessionCall, sealMessage, openMessage, closeSessionCall, MessagingClientError, type OpenedMessage, type CreateSessionOptions, type ClientErrorName } from './client.js';
export { encodeBundle, decodeBundle, BundleError, BUNDLE_FORMAT, type BundleEntry } from './bundle.js';

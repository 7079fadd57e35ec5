/** Public API of the messaging SessionVM (module, ids, schemas; the clients are in `sdk/session/`). */
export { messagingModule } from './module.js';
export { SESSIONVM_ADDRESS, SESSIONVM_NAME } from './address.js';
export { MessagingErrors, type MessagingErrorName } from './errors.js';
export { computeMessagingSessionId, messageId, messageSigningPayload, closeSigningPayload, sortParticipants, SESSION_DOMAIN, MESSAGE_DOMAIN, CLOSE_DOMAIN, type ParticipantKeys } from './ids.js';
export { DEFAULT_MESSAGING_PARAMS, parseMessagingParams, SPEC_MAX_CIPHERTEXT, SPEC_MAX_PARTICIPANTS, type MessagingParams } from './params.js';
export { messagingRpc, sessionJson, messageJson } from './rpc.js';
export type { SessionStatus } from './state.js';
export { createSessionArgs, sendMessageArgs, closeSessionArgs, sessionView, messageView, MAX_PAGE } from './schemas.js';
export type { CreateSessionArgs, SendMessageArgs, CloseSessionArgs, SessionView, ParticipantView, MessageView, MessagePage, HealthView } from './schemas.js';

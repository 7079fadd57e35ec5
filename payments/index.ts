/**
 * `sessionchain/payments`: HTTP 402 session payments over TIP-1034 channels (spec tip1034.md §3–§9),
 * wire-compatible with mppx's Payment scheme, with our transactions in place of Tempo's.
 *
 * Server: `startPayments` (store + secret + settlement) → `paidRoute` / `paidSseRoute` /
 * `attachPaidWebSocket` on a `node:http` server. Client: `SessionManager` (`fetch`, `sse`, `ws`,
 * `topUp`, `close`). The flagship: `InferenceService`, paid AI inference.
 */
export * from './wire/index.js';
export { ChannelStore, StoreLockedError, type UpdateOptions } from './store/channel-store.js';
export { available, chargeable, type ChannelRecord } from './store/record.js';
export { PaymentServer, type PaymentServerOptions, type Verified } from './server/payment-server.js';
export { Settlement, type SettlementSchedule, type SettleResult } from './server/settlement.js';
export { paidRoute, paidSseRoute, managementRoute, badInput, MAX_CREDENTIAL_BYTES, type Content, type ContentHandler, type StreamHandler } from './server/http.js';
export { isContentRequest, HEADERS } from './server/respond.js';
export { attachPaidWebSocket, type WsUnitHandler, type PaidWsOptions } from './server/ws.js';
export { meterSse, type UnitSource } from './server/sse.js';
export { bootstrapChallenge } from './server/bootstrap.js';
export { startPayments, type StartPaymentsOptions, type Payments } from './server/open.js';
export { SessionManager, type SessionManagerOptions, type PaidResponse, type StreamResult } from './client/session-manager.js';
export { FileClientStore, MemoryClientStore, channelKey, type ClientChannel, type ClientChannelStore } from './client/channel-store.js';
export { guardRequired, openingDeposit, topUpAmount, checkReceipt } from './client/policy.js';
export { httpRequest } from './client/transport.js';
export { InferenceService, ROUTES, MAX_ROWS, type InferenceAnswer } from './inference/service.js';

/**
 * Public API of the session area (`sessionchain/session`). This file carries the messaging side
 * (PQ identity + the messaging SessionVM); the workload-session exports live beside them.
 */
export * from './identity.js';
export * from './messaging/index.js';

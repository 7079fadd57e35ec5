/**
 * `sessionchain/aivm`: the AIVM area's consensus API (wire formats, selection, rewards, model files,
 * the module) and its clients: `AivmClient` and the reference provider.
 */
export * from '../../vm/aivm/index.js';
export { AivmClient, AivmCallError, type EventJson } from './client.js';
export { ReferenceProvider, type ProviderOptions } from './provider.js';

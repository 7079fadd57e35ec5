/** The Payment scheme's wire format: challenges, credentials, receipts, snapshots, problems. */
export * from './problems.js';
export * from './encoding.js';
export * from './challenge.js';
export * from './session.js';
export * from './credential.js';
export * from './receipt.js';
export * from './frames.js';
export * from './proof.js';

/** The package root (`sessionchain`): the client SDK, `sdk/index.ts`. */
export * from './sdk/index.js';

/**
 * Public API of the precompiles area (`sessionchain/precompiles`): TIP-20 tokens with their factory
 * and TIP-403 policies, and the TIP-1034 escrow channel (consensus code; vouchers and the client are
 * in `sdk/precompiles/`, which the `sessionchain/precompiles` entry point also exports).
 */
export * from './tip20/index.js';
export * from './tip1034/index.js';
export { word32, toHex32, toBytes, ZERO_WORD, type Hex32, type Hex } from './hex.js';
export { abiEncode, type AbiWord } from './abi.js';

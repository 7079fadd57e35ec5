/**
 * The chain API the AIVM module uses, re-exported from the chain's own files rather than
 * `chain/index.js`: that index also exports the dev chain, which loads the genesis module list,
 * which loads this module, so importing the index from here would be an import cycle (and with
 * the top-level await in chain/hash.ts, an evaluation-order failure). Same approach as vm/lux.ts.
 */
export * from '../../chain/bytes.js';
export * from '../../chain/address.js';
export { keccak256, sha256 } from '../../chain/hash.js';
export { t, decodeValue, encodeValue, parseUint, type Type, type Infer, type Json } from '../../chain/codec.js';
export { NamedError } from '../../chain/errors.js';
export { Transaction } from '../../chain/tx.js';

/**
 * The part of the public chain API the precompiles use, imported from the defining files rather
 * than `chain/index.ts`: the precompile modules are loaded by `genesis/modules.ts`, which the chain
 * index itself reaches (index → node → genesis → modules → precompiles), and `chain/hash.ts` has a
 * top-level await, so going through the index would see uninitialized bindings. Every name here is
 * also exported by `chain/index.ts`.
 */
export { addressBytes, toAddress, isAddress, ZERO_ADDRESS, type Address } from '../chain/address.js';
export { bigToBytes, bytesToBig, concat, equals, fromHex, isHex, preview, toHex, utf8 } from '../chain/bytes.js';
export { keccak256 } from '../chain/hash.js';
export { asBytes, decodeValue, encodeValue, parseUint, t, type Infer, type Json, type StructType, type Type } from '../chain/codec.js';
export { CodecError, ModuleError, NamedError } from '../chain/errors.js';
export { recoverSigner, schemeOf, type SchemeName } from '../chain/keys/schemes.js';
export type { Signer } from '../chain/keys/signer.js';
export { encodeUnsignedTx, type UnsignedTx } from '../chain/tx.js';
export type { ChainEvent } from '../chain/receipt.js';

/**
 * The chain API the SessionVM messaging code uses, imported from the chain's files rather than
 * from chain/index.js. chain/index.js reaches genesis/modules.ts (through devchain), which imports
 * this module; importing chain/index.js from here would close an import cycle in which these files
 * run before chain/codec.js has initialized (hash.ts's top-level await lets the cycle run first).
 * vm/lux.ts does the same. Everything here is also exported by chain/index.js.
 */
export { compareBytes, concat, equals, fromHex, toHex, toRawHex, u32be, u64be, utf8 } from '../../../chain/bytes.js';
export { type Address, addressBytes, toAddress } from '../../../chain/address.js';
export { mldsaAddress } from '../../../chain/keys/schemes.js';
export { blake2b256, sha256 } from '../../../chain/hash.js';
export { decodeValue, encodeValue, parseUint, t, type Infer, type Json, type RlpItem, type StructType, type Type } from '../../../chain/codec.js';
export { CodecError, ModuleError, NamedError, RpcCode } from '../../../chain/errors.js';
export { MlDsaSigner } from '../../../chain/keys/signer.js';
export { Transaction } from '../../../chain/tx.js';
export { signTx } from '../../../chain/tx.js';
export { type Signer } from '../../../chain/keys/signer.js';
export { RpcClient } from '../../../chain/rpc/client.js';

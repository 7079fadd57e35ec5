/**
 * Key layout of the node's LevelDB. Everything lives in one keyspace with a one-byte prefix, so a
 * block's writes (block, receipts, state nodes, flat state, diff, indexes, head pointer) go in one
 * atomic batch.
 *
 *   'H'                     head record  rlp([height, hash, stateRoot, checksum])
 *   'G'                     genesis document (canonical JSON, UTF-8)
 *   'M'                     store metadata rlp([schemaVersion, chainId])
 *   'b' ‖ u64be(height)     block (canonical encoding)
 *   'h' ‖ hash32            height of the block with that hash (u64be)
 *   'r' ‖ u64be(height)     receipts rlp([[receipt...], [systemEvent...]])
 *   'd' ‖ u64be(height)     state diff rlp([[key, newValue?, oldValue?]...]) (undo log + replay diagnostics)
 *   't' ‖ txHash32          tx location rlp([height, index])
 *   's' ‖ stateKey          flat state value (the latest value of every live key)
 *   'n' ‖ nodeHash32        Merkle Patricia trie node
 */
import { concat, u64be } from '../bytes.js';

export const SCHEMA_VERSION = 1;

const p = (c: string) => new Uint8Array([c.charCodeAt(0)]);

export const K = {
  head: p('H'),
  genesis: p('G'),
  meta: p('M'),
  block: (height: bigint) => concat(p('b'), u64be(height)),
  blockHash: (hash: Uint8Array) => concat(p('h'), hash),
  receipts: (height: bigint) => concat(p('r'), u64be(height)),
  diff: (height: bigint) => concat(p('d'), u64be(height)),
  tx: (hash: Uint8Array) => concat(p('t'), hash),
  state: (key: Uint8Array) => concat(p('s'), key),
  node: (hash: Uint8Array) => concat(p('n'), hash),
  statePrefix: p('s'),
  nodePrefix: p('n'),
};

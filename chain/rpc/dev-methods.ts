/**
 * The `dev.*` family (producing nodes only). Every input is range-checked against what the chain can
 * represent before anything changes, and refused with -32602 and a named reason:
 *
 *   dev.Mine(blocks)                   1 ≤ blocks ≤ 10000                  BlockCountOutOfRange
 *   dev.SetBlockTime(ms)               0 (automine) ≤ ms ≤ 3600000         BlockTimeOutOfRange
 *   dev.IncreaseTime(seconds)          block time stays ≤ 2500-01-01       TimestampOutOfRange
 *   dev.SetNextBlockTimestamp(ms)      head < ms ≤ 2500-01-01              TimestampOutOfRange
 *   dev.Revert(id)                     0 ≤ id < 2^32                       SnapshotIdOutOfRange
 *   dev.SetBalance(address, balance)   balance ≤ 2^256 − 1                 BalanceOutOfRange
 *                                      and the dev module accepts it        its error (SupplyOverflow)
 *
 * (chain/time.ts explains the time bound.) dev.SetBalance is simulated before it is sent, so a
 * balance the module would refuse never becomes a failed transaction.
 */
import { type Address } from '../address.js';
import { preview, toHex } from '../bytes.js';
import { CodecError, NamedError, RpcCode } from '../errors.js';
import { type Json, type Type, parseUint, t } from '../codec.js';
import type { Node } from '../node.js';
import { devSeed, DEV_ACCOUNT_COUNT } from '../keys/dev.js';
import { signerFromSeed } from '../keys/signer.js';
import { readAccount } from '../state/accounts.js';
import { MAX_DEV_TIMESTAMP_MS, TimestampOutOfRange } from '../time.js';
import { headerJson } from './views.js';
import type { MethodDef } from './method-def.js';

const MAX_UINT256 = (1n << 256n) - 1n;
export const MAX_MINE_BLOCKS = 10_000;
/** The longest interval dev.SetBlockTime accepts (one hour, as `devnet --block-time`). */
export const MAX_BLOCK_TIME_MS = 3_600_000;

/** An out-of-range dev input: -32602 with a name that says which bound. */
class DevParamError extends NamedError {
  constructor(name: string, message: string, data?: Record<string, unknown>) {
    super(name, message, { rpcCode: RpcCode.InvalidParams, data });
  }
}

/**
 * A non-negative integer in [min, max]. Anything else (a negative, a float, a 5 MB string) is refused
 * with `reason`, before BigInt sees an over-long decimal string.
 */
function boundedUint(reason: string, min: bigint, max: bigint, make: (message: string, data: Record<string, unknown>) => NamedError = (m, d) => new DevParamError(reason, m, d)): Type<bigint> {
  const expected = `an integer from ${min} to ${max}`;
  const refuse = (path: string, actual: string) => make(`invalid params: ${path}: expected ${expected}, actual ${actual}`, { param: path, min: min.toString(), max: max.toString(), actual });
  return {
    ...t.uint256,
    name: `uint[${min}..${max}]`,
    fromJson(v, path = '') {
      if (typeof v === 'string' && v.length > 100) throw refuse(path, `${preview(v)} (${v.length} characters)`);
      let n: bigint;
      try {
        n = parseUint(v, path);
      } catch (e) {
        if (e instanceof CodecError) throw refuse(path, preview(v));
        throw e;
      }
      if (n < min || n > max) throw refuse(path, n.toString());
      return n;
    },
  };
}

const timestampOutOfRange = (message: string, data: Record<string, unknown>) => new TimestampOutOfRange(message, data);

const dev = (def: MethodDef): MethodDef => ({ ...def, producerOnly: true, dev: true });

/** dev.SetBalance would fail in the dev module: say why, and send nothing. */
async function preflightSetBalance(node: Node, address: Address, balance: bigint): Promise<void> {
  const module = node.chain.registry.byName('dev');
  if (!module) throw new NamedError('DevModeDisabled', 'this chain runs no dev module; dev.SetBalance needs one', { rpcCode: RpcCode.MethodNotSupported });
  const sim = await node.simulate({ from: node.producer!.signer.address, to: module.def.address, method: 'setBalance', args: { address, balance } });
  if (sim.status === 1) return;
  const rpcCode = sim.error === 'DevModeDisabled' || sim.error === 'unauthorized' ? RpcCode.MethodNotSupported : sim.error === 'InternalError' ? RpcCode.ExecutionFailed : RpcCode.InvalidParams;
  throw new NamedError(sim.error, `${rpcCode === RpcCode.InvalidParams ? 'invalid params: ' : ''}dev.SetBalance(${address}, ${balance}) would fail: ${sim.errorMessage}`, { rpcCode });
}

export function devMethods(node: Node): [string, MethodDef][] {
  const chain = node.chain;
  return [
    [
      'dev.Mine',
      dev({
        params: t.struct({ blocks: t.optional(boundedUint('BlockCountOutOfRange', 1n, BigInt(MAX_MINE_BLOCKS))) }),
        description: `Mines \`blocks\` blocks now (default 1, at most ${MAX_MINE_BLOCKS}).`,
        handler: async ({ blocks }) => {
          const mined = await node.mine(Number(blocks ?? 1n));
          return { blocks: mined.map((b) => Number(b.block.header.height)), head: headerJson(chain.headHeader) };
        },
      }),
    ],
    [
      'dev.SetAutomine',
      dev({
        params: t.struct({ enabled: t.bool }),
        description: 'Automine on (a block per arriving transaction batch) or off (manual).',
        handler: ({ enabled }) => {
          node.producer!.setMode(enabled ? 'auto' : 'manual');
          return { mode: node.producer!.mode };
        },
      }),
    ],
    [
      'dev.SetBlockTime',
      dev({
        params: t.struct({ ms: boundedUint('BlockTimeOutOfRange', 0n, BigInt(MAX_BLOCK_TIME_MS)) }),
        description: 'Interval mining every `ms` milliseconds (at most an hour); 0 returns to automine.',
        handler: ({ ms }) => {
          const interval = Number(ms);
          node.producer!.setMode(interval === 0 ? 'auto' : 'interval', interval === 0 ? undefined : interval);
          return { mode: node.producer!.mode, blockTimeMs: node.producer!.blockTimeMs };
        },
      }),
    ],
    [
      'dev.IncreaseTime',
      dev({
        params: t.struct({ seconds: boundedUint('TimestampOutOfRange', 0n, MAX_DEV_TIMESTAMP_MS / 1000n, timestampOutOfRange) }),
        description: 'Moves the timestamps of the next blocks forward by `seconds` (block time stays before 2500-01-01).',
        handler: ({ seconds }) => ({ offsetSeconds: Number(node.producer!.increaseTime(seconds * 1000n) / 1000n) }),
      }),
    ],
    [
      'dev.SetNextBlockTimestamp',
      dev({
        params: t.struct({ timestamp: boundedUint('TimestampOutOfRange', 0n, MAX_DEV_TIMESTAMP_MS, timestampOutOfRange) }),
        description: 'Timestamp (unix milliseconds) of the next block: after the head\'s, before 2500-01-01.',
        handler: ({ timestamp }) => {
          const head = chain.headHeader.timestamp;
          if (timestamp <= head) {
            throw new TimestampOutOfRange(`invalid params: params.timestamp: expected a time after the head's ${head} ms, actual ${timestamp}`, { param: 'params.timestamp', min: (head + 1n).toString(), max: MAX_DEV_TIMESTAMP_MS.toString(), actual: timestamp.toString() });
          }
          node.producer!.setNextBlockTimestamp(timestamp);
          return { timestamp: Number(timestamp) };
        },
      }),
    ],
    ['dev.Snapshot', dev({ params: t.none, description: 'Snapshots the chain; returns an id for dev.Revert.', handler: () => node.snapshot() })],
    [
      'dev.Revert',
      dev({
        params: t.struct({ id: boundedUint('SnapshotIdOutOfRange', 0n, 0xffff_ffffn) }),
        description: 'Rolls the chain back to a snapshot (consumes it). False if unknown.',
        handler: ({ id }) => node.revert(Number(id)),
      }),
    ],
    [
      'dev.Accounts',
      dev({
        params: t.none,
        description: 'The funded dev accounts with their 32-byte key seeds.',
        handler: async () => {
          const out: Json[] = [];
          for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) {
            for (const scheme of ['ml-dsa-65', 'secp256k1'] as const) {
              const s = signerFromSeed(devSeed(i), scheme);
              const acc = await chain.withHeadState((st) => readAccount(st, s.address));
              out.push({ index: i, scheme, address: s.address, seed: toHex(devSeed(i)), balance: acc.balance.toString() });
            }
          }
          return out;
        },
      }),
    ],
    [
      'dev.SetBalance',
      dev({
        params: t.struct({ address: t.address, balance: boundedUint('BalanceOutOfRange', 0n, MAX_UINT256) }),
        description: 'Sets an account\'s LUX balance (a producer-signed dev transaction, mined at once).',
        handler: async ({ address, balance }) => {
          await preflightSetBalance(node, address, balance);
          const r = await node.setBalance(address, balance);
          return { txHash: toHex(r.txHash), address, balance: balance.toString() };
        },
      }),
    ],
  ];
}

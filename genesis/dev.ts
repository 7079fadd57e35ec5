/**
 * The default devnet genesis: the dev producer, ten funded dev accounts per scheme, the dev
 * stablecoin and the AIVM mining pool, dev helpers on; and `startNode`, which runs the built-in
 * modules on the engine with it unless told otherwise.
 */
import {
  DEFAULT_CHAIN_ID,
  DEFAULT_GENESIS_TIMESTAMP,
  DEFAULT_PARAMS,
  DEV_ACCOUNT_COUNT,
  devAddress,
  DEV_PRODUCER_ADDRESS,
  loadGenesis as loadGenesisWith,
  Node,
  ONE_LUX,
  readGenesisFile as readGenesisFileWith,
  toHex,
  type Genesis,
  type GenesisDoc,
  type ModuleDefinition,
  type NodeOptions,
} from '../chain/index.js';
import { devStablecoinParams } from '../precompiles/index.js';
import { CURRENT_AIVM_RULES, DEV_TEE_VENDOR } from '../vm/aivm/index.js';
import { CURRENT_WORK_RULES } from '../vm/session/index.js';
import { builtinModules } from './modules.js';

/** Each dev account (both schemes) starts with one million LUX. */
export const DEV_BALANCE = 1_000_000n * ONE_LUX;
export const DEV_PRODUCER_BALANCE = 1_000n * ONE_LUX;

/** `chain`'s `loadGenesis`, checked against the built-in modules unless others are given. */
export function loadGenesis(doc: unknown, modules: readonly ModuleDefinition[] = builtinModules()): Genesis {
  return loadGenesisWith(doc, modules);
}

/** `chain`'s `readGenesisFile`, checked against the built-in modules unless others are given. */
export function readGenesisFile(path: string, modules: readonly ModuleDefinition[] = builtinModules()): Genesis {
  return readGenesisFileWith(path, modules);
}

/** Starts a node; modules default to the built-in set and the genesis to the dev genesis. */
export function startNode(opts: Partial<NodeOptions> = {}): Promise<Node> {
  const modules = opts.modules ?? builtinModules();
  return Node.start({ ...opts, modules, genesis: opts.genesis ?? devGenesis({}, modules) });
}

export interface DevGenesisOptions {
  chainId?: number;
  timestamp?: number;
  /** Extra module parameters merged over the defaults. */
  modules?: Record<string, unknown>;
  alloc?: Record<string, string>;
}

/** The default devnet genesis: dev producer, ten funded dev accounts per scheme, dev helpers on. */
export function devGenesisDoc(opts: DevGenesisOptions = {}, modules: readonly ModuleDefinition[] = builtinModules()): GenesisDoc {
  const alloc: Record<string, string> = {};
  const devAccounts: string[] = [];
  for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) {
    for (const scheme of ['ml-dsa-65', 'secp256k1'] as const) {
      const address = devAddress(i, scheme);
      alloc[address] = DEV_BALANCE.toString();
      devAccounts.push(address);
    }
  }
  const producer = DEV_PRODUCER_ADDRESS;
  alloc[producer] = DEV_PRODUCER_BALANCE.toString(); // pays the fees of dev.SetBalance transactions
  Object.assign(alloc, opts.alloc ?? {});
  // The dev stablecoin (TIP-20), issued by dev account 0 and held by every dev account.
  const devStablecoin = modules.some((m) => m.name === 'tip20Factory') ? { tip20Factory: devStablecoinParams(devAccounts[0]!, devAccounts) } : {};
  // The AIVM legacy mining-reward pool (1000 LUX, minted at genesis) so finalized results earn rewards.
  const devAivm = modules.some((m) => m.name === 'aivm') ? { aivm: { miningPool: (1000n * ONE_LUX).toString() } } : {};
  return {
    chainId: opts.chainId ?? DEFAULT_CHAIN_ID,
    timestamp: opts.timestamp ?? DEFAULT_GENESIS_TIMESTAMP,
    producer,
    params: {
      minGasPrice: DEFAULT_PARAMS.minGasPrice.toString(),
      blockGasLimit: DEFAULT_PARAMS.blockGasLimit.toString(),
      maxTxBytes: DEFAULT_PARAMS.maxTxBytes,
      maxBlockTxs: DEFAULT_PARAMS.maxBlockTxs,
    },
    alloc,
    modules: devModuleEntries(modules, { ...devStablecoin, ...devAivm, ...(opts.modules ?? {}) }),
  };
}

/**
 * What a new devnet starts with beyond the modules' defaults: the current consensus rules (a genesis
 * that names none runs the original ones), and the devnet TEE vendor, whose secret key is public
 * (vm/aivm/README.md: on a devnet a TEE certificate proves nothing about hardware).
 */
const DEV_MODULE_DEFAULTS: Record<string, object> = {
  dev: { enabled: true },
  sessionwork: { version: CURRENT_WORK_RULES },
  aivm: { version: CURRENT_AIVM_RULES, teeVendorKeys: [{ name: DEV_TEE_VENDOR.name, publicKey: toHex(DEV_TEE_VENDOR.publicKey) }] },
};

/** Every module's address and devnet defaults, overlaid with `extra` parameters. */
function devModuleEntries(modules: readonly ModuleDefinition[], extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of modules) out[m.name] = { address: m.address, ...DEV_MODULE_DEFAULTS[m.name] };
  for (const [name, params] of Object.entries(extra)) out[name] = { ...((out[name] as object) ?? {}), ...(params as object) };
  return out;
}

export function devGenesis(opts: DevGenesisOptions = {}, modules: readonly ModuleDefinition[] = builtinModules()): Genesis {
  return loadGenesis(devGenesisDoc(opts, modules), modules);
}

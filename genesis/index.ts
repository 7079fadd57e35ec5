/**
 * The composition root: the built-in module list, the default devnet genesis, and the ways to run
 * them on the engine (`startNode`, the in-process `createDevChain`). The engine (`chain/`) takes
 * modules and a genesis as inputs; this folder is where the built-in ones are chosen.
 */
export { builtinModules } from './modules.js';
export { DEV_BALANCE, DEV_PRODUCER_BALANCE, devGenesis, devGenesisDoc, loadGenesis, readGenesisFile, startNode, type DevGenesisOptions } from './dev.js';
export { createDevChain, DevChain, type DevChainOptions, type SendResult, type SendOptions } from './devchain.js';

/**
 * The modules: consensus code only. The native LUX module and the dev helpers live here; SessionVM
 * (`session/`) and AIVM (`aivm/`) are areas with their own index. Every module reaches the engine
 * through `chain/index.ts`; off-chain clients for these modules are in `sdk/`.
 */
export { luxModule, type LuxParams } from './lux.js';
export { devModule, DEV_ADDRESS, type DevParams } from './dev.js';
export { messagingModule, sessionWorkModule } from './session/index.js';
export { aivmModule } from './aivm/index.js';

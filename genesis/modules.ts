/**
 * The built-in modules, in execution order (genesis hooks and endBlock follow this order; it is part
 * of consensus). Areas add their module here.
 */
import type { ModuleDefinition } from '../chain/index.js';
import { luxModule, devModule } from '../vm/index.js';
import { messagingModule, sessionWorkModule } from '../vm/session/index.js';
import { escrowModule, tip20FactoryModule, tip20Module } from '../precompiles/index.js';
import { aivmModule } from '../vm/aivm/index.js';

export function builtinModules(): ModuleDefinition[] {
  return [luxModule, devModule, messagingModule, sessionWorkModule, tip20Module, tip20FactoryModule, escrowModule, aivmModule];
}

/**
 * The built-in modules, in execution order (genesis hooks and endBlock follow this order; it is part
 * of consensus). Areas add their module here.
 */
import type { ModuleDefinition } from '../vm/module.js';
import { luxModule } from '../vm/lux.js';
import { devModule } from '../vm/dev.js';
import { messagingModule } from '../vm/session/messaging/module.js';
import { sessionWorkModule } from '../vm/session/work/module.js';
import { escrowModule, tip20FactoryModule, tip20Module } from '../precompiles/index.js';
import { aivmModule } from '../vm/aivm/module.js';

export function builtinModules(): ModuleDefinition[] {
  return [luxModule, devModule, messagingModule, sessionWorkModule, tip20Module, tip20FactoryModule, escrowModule, aivmModule];
}

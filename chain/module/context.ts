/**
 * The execution context handed to module code. One `ExecEnv` lives for one transaction (or one
 * endBlock / genesis / simulation); contexts are cheap views over it bound to a module address and
 * a caller. State goes through the block overlay, gas through the transaction's meter, events into
 * the transaction's event list; a failing cross-module call rolls back both state and events.
 */
import { type Address, addressBytes, ZERO_ADDRESS } from '../address.js';
import { concat } from '../bytes.js';
import { decodeValue, encodeValue, rlpEncode, type Type } from '../codec.js';
import type { ChainEvent } from '../receipt.js';
import type { StateOverlay, StateSource } from '../state/overlay.js';
import { MAX_MODULE_KEY_LEN } from '../state/overlay.js';
import type { RecoveredSigner } from '../keys/schemes.js';
import { GAS, Meter, writeCost } from './gas.js';
import type { BlockInfo, CallContext, GasMeter, ReadContext, StateReader, StateWriter, TxInfo } from './contract.js';
import { type LoadedModule, type ModuleRegistry, topicWord } from './registry.js';
import type { SignatureCache } from './sigcache.js';
import { engineErrors } from './contract.js';

export interface ExecEnv {
  readonly registry: ModuleRegistry;
  readonly state: StateOverlay;
  readonly block: BlockInfo;
  readonly tx: TxInfo;
  readonly meter: Meter;
  readonly events: ChainEvent[];
  readonly transient: Map<Address, Map<string, unknown>>;
  readonly sigCache: SignatureCache;
  /** Where account public keys are recorded (the LUX module's namespace). */
  readonly accountKey: (address: Address) => Promise<Uint8Array | undefined>;
}

export const NO_TX: TxInfo = {
  hash: new Uint8Array(32),
  from: ZERO_ADDRESS,
  nonce: 0n,
  gasPrice: 0n,
  unsignedEncoding: new Uint8Array(0),
};

function fullKey(prefix: Uint8Array, key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array)) throw new TypeError('state keys are bytes');
  if (key.length > MAX_MODULE_KEY_LEN) throw engineErrors.error('StateKeyTooLong', `state keys are at most ${MAX_MODULE_KEY_LEN} bytes`);
  return concat(prefix, key);
}

class Reader implements StateReader {
  constructor(
    protected readonly source: StateSource,
    protected readonly prefix: Uint8Array,
    protected readonly meter: GasMeter | undefined,
  ) {}
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.meter?.charge(GAS.stateRead, 'state read');
    return this.source.get(fullKey(this.prefix, key));
  }
  async has(key: Uint8Array): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }
  async getValue<T>(type: Type<T>, key: Uint8Array): Promise<T | undefined> {
    const raw = await this.get(key);
    return raw === undefined ? undefined : decodeValue(type, raw, 'stored value');
  }
}

class Writer extends Reader implements StateWriter {
  constructor(
    private readonly overlay: StateOverlay,
    prefix: Uint8Array,
    meter: GasMeter,
  ) {
    super(overlay, prefix, meter);
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.meter!.charge(writeCost(value.length), 'state write');
    this.overlay.set(fullKey(this.prefix, key), value);
  }
  setValue<T>(type: Type<T>, key: Uint8Array, value: T): void {
    this.set(key, encodeValue(type, value));
  }
  delete(key: Uint8Array): void {
    this.meter!.charge(GAS.stateDelete, 'state delete');
    this.overlay.delete(fullKey(this.prefix, key));
  }
}

/** A read-only context over any state view (RPC queries; unmetered unless a meter is given). */
export function makeReadContext(registry: ModuleRegistry, source: StateSource, block: BlockInfo, mod: LoadedModule, self: Address, meter?: GasMeter): ReadContext {
  return {
    self,
    block,
    params: mod.params,
    state: new Reader(source, addressBytes(self), meter),
    query: (address, name, args) => runQuery(registry, source, block, address, name, args, meter),
  };
}

export async function runQuery<R>(registry: ModuleRegistry, source: StateSource, block: BlockInfo, address: Address, name: string, args: unknown, meter?: GasMeter): Promise<R> {
  const mod = registry.resolve(address);
  if (!mod) throw engineErrors.error('UnknownTarget', `no module or precompile at ${address}`);
  const q = mod.def.queries?.[name];
  if (!q) throw engineErrors.error('UnknownQuery', `${mod.def.name} has no query "${name}"`);
  return (await q.handler(makeReadContext(registry, source, block, mod, address, meter), args)) as R;
}

/** A context for module `mod` running at `self`, called by `caller`. */
export function makeCallContext(env: ExecEnv, mod: LoadedModule, self: Address, caller: Address): CallContext {
  let transient = env.transient.get(self);
  if (!transient) {
    transient = new Map();
    env.transient.set(self, transient);
  }
  const ctx: CallContext = {
    self,
    caller,
    origin: env.tx.from,
    block: env.block,
    tx: env.tx,
    params: mod.params,
    gas: env.meter,
    transient,
    state: new Writer(env.state, addressBytes(self), env.meter),
    query: (address, name, args) => runQuery(env.registry, env.state, env.block, address, name, args, env.meter),
    emit: (name, fields) => emitEvent(env, mod, self, name, fields),
    call: (address, method, args) => callModule(env, self, address, method, args, true),
    verifySignature: (signature, digest): RecoveredSigner | null => {
      env.meter.charge(signature.length === 65 ? GAS.sigSecp256k1 : GAS.sigMlDsa, 'signature check');
      return env.sigCache.check({ kind: 'encoded', signature, digest }) as RecoveredSigner | null;
    },
    verifyMlDsa: (publicKey, message, signature) => {
      env.meter.charge(GAS.sigMlDsa, 'signature check');
      return env.sigCache.check({ kind: 'ml-dsa', publicKey, message, signature }) === true;
    },
    accountKey: (address) => {
      env.meter.charge(GAS.stateRead, 'state read');
      return env.accountKey(address);
    },
  };
  return ctx;
}

function emitEvent(env: ExecEnv, mod: LoadedModule, self: Address, name: string, fields: Record<string, unknown>): void {
  const def = mod.def.events?.[name];
  if (!def) throw engineErrors.error('UnknownEvent', `${mod.def.name} emits undeclared event ${name}`);
  const indexed = new Set(def.indexed ?? []);
  const topics = [mod.topic0.get(name)!];
  const dataItems = [];
  for (const k of def.fields.keys) {
    const type = def.fields.fields[k]!;
    if (!(k in fields)) throw engineErrors.error('InvalidEvent', `event ${name} is missing ${k}`);
    if (indexed.has(k)) topics.push(topicWord(type, fields[k]));
    else dataItems.push(type.encode(fields[k]));
  }
  const data = rlpEncode(dataItems);
  env.meter.charge(GAS.event + GAS.eventTopic * BigInt(topics.length) + GAS.eventByte * BigInt(data.length), 'event');
  env.events.push({ address: self, name, topics, data });
}

/**
 * Invokes `method` at `address` with the given (already decoded) arguments. `fromModule` calls may
 * reach internal methods. State and events of a failed call are rolled back before rethrowing.
 */
export async function callModule(env: ExecEnv, caller: Address, address: Address, method: string, args: unknown, fromModule: boolean): Promise<any> {
  const mod = env.registry.resolve(address);
  if (!mod) throw engineErrors.error('UnknownTarget', `no module or precompile at ${address}`);
  const def = mod.def.methods[method];
  if (!def || (def.visibility === 'internal' && !fromModule)) {
    throw engineErrors.error('UnknownMethod', `${mod.def.name} has no ${fromModule ? '' : 'public '}method "${method}"`);
  }
  if (fromModule) env.meter.charge(GAS.call, 'call');
  const checkpoint = env.state.checkpoint();
  const eventCount = env.events.length;
  try {
    return await def.handler(makeCallContext(env, mod, address, caller), args);
  } catch (e) {
    env.state.revert(checkpoint);
    env.events.length = eventCount;
    throw e;
  }
}

/**
 * The set of modules a chain runs, in a fixed order (genesis and endBlock follow it), with routing
 * from an address to its module: exact addresses first, then address prefixes (TIP-20 tokens).
 */
import { type Address, addressBytes } from '../address.js';
import { concat, utf8 } from '../bytes.js';
import { keccak256 } from '../hash.js';
import { encodeValue, type Type } from '../codec.js';
import type { EventDef, ModuleDefinition } from './contract.js';

export interface LoadedModule {
  readonly def: ModuleDefinition;
  readonly params: unknown;
  /** Precomputed topic0 per event name. */
  readonly topic0: ReadonlyMap<string, Uint8Array>;
}

export function eventSignature(name: string, ev: EventDef): string {
  return ev.signature ?? `${name}(${ev.fields.keys.map((k) => ev.fields.fields[k]!.name).join(',')})`;
}

export class ModuleRegistry {
  readonly modules: readonly LoadedModule[];
  readonly #byAddress = new Map<string, LoadedModule>();
  readonly #byName = new Map<string, LoadedModule>();
  readonly #prefixed: { prefix: Uint8Array; mod: LoadedModule }[] = [];

  /** `params` maps module names to their raw genesis parameters. */
  constructor(defs: readonly ModuleDefinition[], params: Record<string, unknown> = {}) {
    const loaded: LoadedModule[] = [];
    for (const def of defs) {
      if (this.#byName.has(def.name)) throw new Error(`two modules are named ${def.name}`);
      if (this.#byAddress.has(def.address)) throw new Error(`two modules use address ${def.address}`);
      let parsed: unknown = params[def.name];
      try {
        parsed = def.parseParams ? def.parseParams(params[def.name] ?? {}) : (params[def.name] ?? {});
      } catch (e) {
        throw new Error(`genesis parameters of module ${def.name}: ${(e as Error).message}`);
      }
      const topic0 = new Map<string, Uint8Array>();
      for (const [name, ev] of Object.entries(def.events ?? {})) topic0.set(name, keccak256(utf8(eventSignature(name, ev))));
      const mod: LoadedModule = { def, params: parsed, topic0 };
      loaded.push(mod);
      this.#byName.set(def.name, mod);
      this.#byAddress.set(def.address, mod);
      if (def.addressPrefix) this.#prefixed.push({ prefix: def.addressPrefix, mod });
    }
    for (const name of Object.keys(params)) {
      if (!this.#byName.has(name)) throw new Error(`genesis configures unknown module "${name}" (known: ${[...this.#byName.keys()].join(', ')})`);
    }
    this.modules = loaded;
  }

  resolve(address: Address): LoadedModule | undefined {
    const exact = this.#byAddress.get(address);
    if (exact) return exact;
    if (this.#prefixed.length === 0) return undefined;
    const bytes = addressBytes(address);
    for (const { prefix, mod } of this.#prefixed) {
      let ok = true;
      for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) ok = false;
      if (ok) return mod;
    }
    return undefined;
  }

  byName(name: string): LoadedModule | undefined {
    return this.#byName.get(name);
  }

  addressOf(name: string): Address {
    const m = this.#byName.get(name);
    if (!m) throw new Error(`no module named ${name}`);
    return m.def.address;
  }

  /** Resolves a module name or an address string. */
  target(nameOrAddress: string): Address | undefined {
    const m = this.#byName.get(nameOrAddress);
    if (m) return m.def.address;
    return undefined;
  }
}

/** The 32-byte topic word of an indexed event field (Solidity-style). */
export function topicWord(type: Type<any>, value: unknown): Uint8Array {
  const enc = encodeValue(type, value);
  if (type.name === 'address') return concat(new Uint8Array(12), addressBytes(value as Address));
  if (type.name === 'bytes32') return new Uint8Array(value as Uint8Array);
  if (/^uint\d+$/.test(type.name) || type.name === 'bool') {
    const raw = type.encode(value) as Uint8Array;
    const out = new Uint8Array(32);
    out.set(raw, 32 - raw.length);
    return out;
  }
  return keccak256(enc);
}


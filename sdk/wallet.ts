/**
 * A wallet: one signer talking to one node. It resolves module names and encodes arguments with
 * the module's schema; its `TxSender` picks the nonce and the gas, signs, sends and waits.
 *
 *   const wallet = new Wallet(new RpcClient(url), signer, schemas);
 *   const receipt = await wallet.send('lux', 'transfer', { to, amount: '1000' });
 */
import { fromHex, isAddress, NamedError, toAddress, type Address, type MethodDef, type ModuleDefinition, type QueryDef, type Signer, type Transaction } from '../chain/index.js';
import type { ReceiptJson, RpcClient } from './rpc-client.js';
import { TxSender, type SendOptions } from './sender.js';

/** Where a wallet finds module definitions (the built-in set, or your own). */
export interface ModuleSchemas {
  modules(): readonly ModuleDefinition[];
}

export class UnknownTargetError extends NamedError {
  constructor(message: string) {
    super('UnknownTarget', message);
  }
}

/** Resolves a module name or an address (exact, then prefix-routed) to its definition. */
export function resolveModule(schemas: ModuleSchemas, target: string): { address: Address; module: ModuleDefinition } {
  const mods = schemas.modules();
  const byName = mods.find((m) => m.name === target);
  if (byName) return { address: byName.address, module: byName };
  if (!isAddress(target)) throw new UnknownTargetError(`unknown module "${target}" (modules: ${mods.map((m) => m.name).join(', ')})`);
  const address = toAddress(target);
  const exact = mods.find((m) => m.address === address);
  if (exact) return { address, module: exact };
  const bytes = fromHex(address);
  const prefixed = mods.find((m) => m.addressPrefix && m.addressPrefix.every((b, i) => bytes[i] === b));
  if (prefixed) return { address, module: prefixed };
  throw new UnknownTargetError(`no module or precompile at ${address}`);
}

export function resolveMethod(schemas: ModuleSchemas, target: string, method: string): { address: Address; module: ModuleDefinition; def: MethodDef } {
  const r = resolveModule(schemas, target);
  const def = r.module.methods[method];
  if (!def || def.visibility === 'internal') {
    const names = Object.entries(r.module.methods).filter(([, d]) => d.visibility !== 'internal').map(([n]) => n);
    throw new NamedError('UnknownMethod', `${r.module.name} has no method "${method}" (methods: ${names.join(', ') || 'none'})`);
  }
  return { ...r, def };
}

export function resolveQuery(schemas: ModuleSchemas, target: string, query: string): { address: Address; module: ModuleDefinition; def: QueryDef } {
  const r = resolveModule(schemas, target);
  const def = r.module.queries?.[query];
  if (!def) throw new NamedError('UnknownQuery', `${r.module.name} has no query "${query}" (queries: ${Object.keys(r.module.queries ?? {}).join(', ') || 'none'})`);
  return { ...r, def };
}

export type WalletSendOptions = SendOptions;

export class Wallet {
  readonly sender: TxSender;

  constructor(
    readonly rpc: RpcClient,
    readonly signer: Signer,
    readonly schemas: ModuleSchemas,
  ) {
    this.sender = TxSender.for(rpc, signer);
  }

  get address(): Address {
    return this.signer.address;
  }

  #call(target: string, method: string, args: unknown) {
    const { address, def } = resolveMethod(this.schemas, target, method);
    return { to: address, method, def, args: toSchemaValue(def, args) };
  }

  /**
   * Builds and signs a call. `args` are plain values (bigint, Uint8Array, …) or JSON (decimal
   * strings, 0x hex), positional or by name.
   */
  build(target: string, method: string, args: unknown = {}, o: WalletSendOptions = {}): Promise<Transaction> {
    return this.sender.sign(this.#call(target, method, args), o);
  }

  /** Builds, signs and sends a call; returns the receipt (or only the hash with `wait: false`). */
  async send(target: string, method: string, args: unknown = {}, o: WalletSendOptions = {}): Promise<ReceiptJson | { hash: string }> {
    const sent = await this.sender.send(this.#call(target, method, args), o);
    return sent.receipt ?? { hash: sent.hash };
  }

  /** Read-only query (JSON result). */
  async query<T = unknown>(target: string, query: string, args: unknown = {}): Promise<T> {
    const { address, def } = resolveQuery(this.schemas, target, query);
    return this.rpc.query<T>(address, query, def.args.toJson(toSchemaValue(def, args)));
  }
}

/** Accepts schema values or JSON and returns schema values. */
export function toSchemaValue(def: { args: MethodDef['args'] }, args: unknown): unknown {
  try {
    def.args.encode(args as never); // already typed values?
    return args;
  } catch {
    return def.args.fromJson(args ?? [], 'args');
  }
}

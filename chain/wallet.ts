/**
 * A wallet: one signer talking to one node. It resolves module names, encodes arguments with the
 * module's schema, picks the nonce and the gas (estimate + 25%), signs, sends and waits.
 *
 *   const wallet = new Wallet(new RpcClient(url), signer, schemas);
 *   const receipt = await wallet.send('lux', 'transfer', { to, amount: '1000' });
 */
import { type Address, isAddress, toAddress } from './address.js';
import { fromHex } from './bytes.js';
import { NamedError } from './errors.js';
import { signTx, type Transaction } from './tx.js';
import type { Signer } from './keys/signer.js';
import type { ReceiptJson, RpcClient } from './rpc/client.js';
import type { MethodDef, ModuleDefinition, QueryDef } from '../vm/module.js';

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

export interface WalletSendOptions {
  gasLimit?: bigint;
  gasPrice?: bigint;
  nonce?: bigint;
  /** Wait for the receipt (default true). */
  wait?: boolean;
  /** Send even if the simulation says the call fails (the receipt then records the error). */
  force?: boolean;
}

export class Wallet {
  #chainId: bigint | undefined;
  #minGasPrice: bigint | undefined;

  constructor(
    readonly rpc: RpcClient,
    readonly signer: Signer,
    readonly schemas: ModuleSchemas,
  ) {}

  get address(): Address {
    return this.signer.address;
  }

  async #chainParams(): Promise<{ chainId: bigint; minGasPrice: bigint }> {
    if (this.#chainId === undefined || this.#minGasPrice === undefined) {
      const [chainId, genesis] = await Promise.all([this.rpc.chainId(), this.rpc.call<{ params?: { minGasPrice?: string } }>('chain.Genesis')]);
      this.#chainId = BigInt(chainId);
      this.#minGasPrice = BigInt(genesis.params?.minGasPrice ?? '1000000000');
    }
    return { chainId: this.#chainId, minGasPrice: this.#minGasPrice };
  }

  /**
   * Builds and signs a call. `args` are plain values (bigint, Uint8Array, …) or JSON (decimal
   * strings, 0x hex), positional or by name.
   */
  async build(target: string, method: string, args: unknown = {}, o: WalletSendOptions = {}): Promise<Transaction> {
    const { address, def } = resolveMethod(this.schemas, target, method);
    const decoded = toSchemaValue(def, args);
    const { chainId, minGasPrice } = await this.#chainParams();
    const nonce = o.nonce ?? BigInt((await this.rpc.getAccount(this.address)).pendingNonce);
    let gasLimit = o.gasLimit;
    if (gasLimit === undefined) {
      const est = await this.rpc.call<{ gas: string; status: number; error: string | null; errorMessage: string | null }>('chain.EstimateGas', {
        from: this.address,
        to: address,
        method,
        args: def.args.toJson(decoded),
        scheme: this.signer.scheme,
      });
      if (est.status === 0 && !o.force) {
        // The call fails in simulation: say so before anything is signed or sent.
        throw new NamedError(est.error ?? 'ExecutionFailed', `the call would fail: ${est.errorMessage ?? est.error}`, { data: { phase: 'estimate' } });
      }
      gasLimit = (BigInt(est.gas) * 125n) / 100n + 10_000n;
    }
    return signTx({ chainId, nonce, from: this.address, to: address, method, args: def.args.encode(decoded) as never, gasLimit, gasPrice: o.gasPrice ?? minGasPrice }, this.signer);
  }

  /** Builds, signs and sends a call; returns the receipt (or only the hash with `wait: false`). */
  async send(target: string, method: string, args: unknown = {}, o: WalletSendOptions = {}): Promise<ReceiptJson | { hash: string }> {
    const tx = await this.build(target, method, args, o);
    const sent = await this.rpc.sendTransaction(tx.raw, { wait: o.wait !== false });
    return sent.receipt ?? { hash: sent.hash };
  }

  /** Read-only query (JSON result). */
  async query<T = unknown>(target: string, query: string, args: unknown = {}): Promise<T> {
    const { address, def } = resolveQuery(this.schemas, target, query);
    return this.rpc.query<T>(address, query, def.args.toJson(toSchemaValue(def, args)));
  }
}

/** Accepts schema values or JSON and returns schema values. */
function toSchemaValue(def: { args: MethodDef['args'] }, args: unknown): unknown {
  try {
    def.args.encode(args as never); // already typed values?
    return args;
  } catch {
    return def.args.fromJson(args ?? [], 'args');
  }
}

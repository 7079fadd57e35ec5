/**
 * The module interface (SPEC §4). A module is deterministic system code at a fixed address: the
 * native LUX module, SessionVM, AIVM, and the TIP-20 / TIP-1034 precompiles all use it. The engine
 * routes a transaction's `to` to a module, decodes `args` with the method's schema, runs the handler
 * with a context, and records the result in a receipt.
 *
 * Rules for module code (they are consensus rules):
 *  - read and write state only through `ctx.state` (namespaced to the module's address) and reach
 *    other modules only through `ctx.call` / `ctx.query`;
 *  - no clock, randomness, floats, network or storage access: time is `ctx.block.timestamp`
 *    (unix ms), height is `ctx.block.height`;
 *  - never iterate a Map or object whose order depends on insertion history; sort explicitly;
 *  - fail with an error from the module's declared table (`moduleErrors([...])`):
 *    `throw errors.error('Name', 'what to do')`. The call's state changes and events are reverted,
 *    the sender keeps paying the fee and the nonce advances; the name is the receipt's `error` and
 *    the RPC `error.data.name`.
 */
import type { Address } from '../address.js';
import type { Json, StructType, Type } from '../codec.js';
import type { RecoveredSigner } from '../keys/schemes.js';
import { ModuleError } from '../errors.js';

export type { Address } from '../address.js';
export { ModuleError };

/** The block being executed (or, for queries, the head block). */
export interface BlockInfo {
  readonly chainId: bigint;
  readonly height: bigint;
  /** Unix milliseconds, from the block header. */
  readonly timestamp: bigint;
  readonly producer: Address;
}

/** The transaction being executed. */
export interface TxInfo {
  readonly hash: Uint8Array;
  readonly from: Address;
  readonly nonce: bigint;
  readonly gasPrice: bigint;
  /** rlp of the unsigned fields: what the sender signed (after the domain string). */
  readonly unsignedEncoding: Uint8Array;
}

export interface GasMeter {
  readonly limit: bigint;
  readonly used: bigint;
  /** Charges gas; throws `OutOfGas` (reverting the call) when the limit is passed. */
  charge(amount: bigint | number, what?: string): void;
}

/** Read access to one module's namespace. Keys are arbitrary bytes (at most 256). */
export interface StateReader {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  has(key: Uint8Array): Promise<boolean>;
  /** Typed read: decodes the stored value with `type`; undefined when the key is absent. */
  getValue<T>(type: Type<T>, key: Uint8Array): Promise<T | undefined>;
}

/** Read-write access to the module's own namespace, metered and reverted with the call. */
export interface StateWriter extends StateReader {
  set(key: Uint8Array, value: Uint8Array): void;
  setValue<T>(type: Type<T>, key: Uint8Array, value: T): void;
  delete(key: Uint8Array): void;
}

export interface ReadContext<P = unknown> {
  /** The address this call runs at (a prefix-routed module sees the exact address). */
  readonly self: Address;
  readonly block: BlockInfo;
  /** The module's parameters from genesis, as returned by `parseParams`. */
  readonly params: P;
  readonly state: StateReader;
  /** Read-only query on another module (or this one). */
  query<R = unknown>(address: Address, name: string, args: unknown): Promise<R>;
}

export interface CallContext<P = unknown> extends ReadContext<P> {
  /** The transaction sender, or the module that made this call. */
  readonly caller: Address;
  /** The transaction sender. */
  readonly origin: Address;
  readonly tx: TxInfo;
  readonly state: StateWriter;
  readonly gas: GasMeter;
  /**
   * Per-transaction scratch space of this module (TIP-1034's `opened_this_tx`); empty at the start
   * of every transaction and never persisted. Look values up by key; do not iterate it.
   */
  readonly transient: Map<string, unknown>;
  /** Emits an event declared in the module's `events`. */
  emit(name: string, fields: Record<string, unknown>): void;
  /**
   * Calls a method (public or internal) of another module with `caller = self`. The callee's state
   * changes and events are reverted if it throws; the error propagates.
   */
  call<R = unknown>(address: Address, method: string, args: unknown): Promise<R>;
  /** Checks an encoded signature (SPEC §3) over a 32-byte digest; null when invalid. Metered. */
  verifySignature(signature: Uint8Array, digest: Uint8Array): RecoveredSigner | null;
  /** Checks a raw ML-DSA-65 signature (pure mode, empty context) over any message. Metered. */
  verifyMlDsa(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** The public key recorded for an account when it first sent a transaction, if any. */
  accountKey(address: Address): Promise<Uint8Array | undefined>;
}

/** Context of `genesis` and `endBlock`: caller and origin are the zero address, gas is ample. */
export type SystemContext<P = unknown> = CallContext<P>;

/** A signature a method will check, so the mempool can verify it ahead of time in parallel. */
export type SignatureCheck =
  | { kind: 'encoded'; signature: Uint8Array; digest: Uint8Array }
  | { kind: 'ml-dsa'; publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array };

export interface MethodDef<P = any, A = any, R = any> {
  readonly args: StructType<any> & Type<A>;
  readonly returns?: Type<R>;
  /** `internal` methods are callable only by other modules (`ctx.call`), never by transactions. */
  readonly visibility?: 'public' | 'internal';
  readonly description?: string;
  handler(ctx: CallContext<P>, args: A): Promise<R> | R;
  /**
   * Signatures the handler will verify, for parallel pre-verification at admission. `chainId` is
   * the transaction's (already checked to equal the chain's): digests that bind the chain need it.
   */
  signatures?(args: A, tx: { from: Address; chainId: bigint }): SignatureCheck[];
}

export interface QueryDef<P = any, A = any, R = any> {
  readonly args: StructType<any> & Type<A>;
  readonly returns: Type<R>;
  readonly description?: string;
  handler(ctx: ReadContext<P>, args: A): Promise<R> | R;
}

export interface EventDef {
  /** Field order and types; `indexed` fields become 32-byte topics, the rest RLP data. */
  readonly fields: StructType<any>;
  readonly indexed?: readonly string[];
  /**
   * topic0 is keccak256(signature). Defaults to `Name(type1,type2,...)`; set it to reproduce an
   * existing event id (TIP-1034 uses Solidity's).
   */
  readonly signature?: string;
}

/** What module RPC handlers can do with the node. */
export interface NodeApi {
  readonly chainId: bigint;
  head(): { height: bigint; hash: Uint8Array; stateRoot: Uint8Array; timestamp: bigint };
  /** Runs a module query against the head state. */
  query<R = unknown>(address: Address, name: string, args: unknown): Promise<R>;
  /** Reads a raw state value of a module's namespace at the head. */
  readState(address: Address, key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Admits a signed transaction; with `wait`, resolves once its block is committed. */
  submit(raw: Uint8Array, opts?: { wait?: boolean }): Promise<{ hash: Uint8Array; receipt?: import('../receipt.js').Receipt; height?: bigint }>;
  /** The address of a module by name. */
  moduleAddress(name: string): Address;
}

export interface RpcMethodDef<A = any> {
  /** Parameters by name; positional arrays map to the fields in order. */
  readonly params: StructType<any> & Type<A>;
  readonly description?: string;
  handler(node: NodeApi, params: A): Promise<Json> | Json;
}

export interface ModuleDefinition<P = any> {
  readonly name: string;
  readonly address: Address;
  /** Claims every address starting with these bytes (TIP-20 tokens live at `0x20c0…`). */
  readonly addressPrefix?: Uint8Array;
  /** Validates and converts the genesis parameters (throw with a clear message). */
  parseParams?(json: unknown): P;
  genesis?(ctx: SystemContext<P>): Promise<void>;
  readonly methods: Record<string, MethodDef<P>>;
  readonly queries?: Record<string, QueryDef<P>>;
  readonly events?: Record<string, EventDef>;
  /** Runs after the block's transactions, in module order: deadlines, expiries, epochs. */
  endBlock?(ctx: SystemContext<P>): Promise<void>;
  /** Named roots for the block header's extra roots, computed after `endBlock`. */
  blockRoots?(ctx: ReadContext<P>): Promise<Record<string, Uint8Array>>;
  /** Extra JSON-RPC methods, by full name (`sessionvm.GetSession`). */
  readonly rpc?: Record<string, RpcMethodDef>;
  /** Every error name the module's methods and queries fail with (its `moduleErrors` table). */
  readonly errors?: readonly string[];
}

/** A module's error names, declared once; only a declared name type-checks. */
export interface ModuleErrors<N extends string> {
  readonly names: readonly N[];
  /** The error to throw: `throw errors.error('NotFound', 'no such channel; open it first')`. */
  error(name: N, message?: string, data?: Record<string, unknown>): ModuleError;
  /** Whether `name` is one of the declared names. */
  declares(name: string): name is N;
}

/**
 * Declares a module's error names (`as const` is implied). `data` adds fields to every error's
 * data (TIP-1034 adds the Solidity selector).
 */
export function moduleErrors<const N extends string>(names: readonly N[], data?: (name: N) => Record<string, unknown>): ModuleErrors<N> {
  const declared = new Set<string>(names);
  return {
    names,
    error: (name, message, extra) => new ModuleError(name, message, data || extra ? { ...data?.(name), ...extra } : undefined),
    declares: (name): name is N => declared.has(name),
  };
}

/**
 * The same module error (name, data) with context for the caller's level: a batch names the item
 * that failed (`withErrorContext(e, `item ${i}`, { index: i })`), whichever module's error it is.
 */
export function withErrorContext(e: ModuleError, context: string, data: Record<string, unknown>): ModuleError {
  return new ModuleError(e.name, `${context}: ${e.message}`, { ...e.data, ...data });
}

/** Identity helper that keeps the params type flowing into handlers. */
export function defineModule<P>(m: ModuleDefinition<P>): ModuleDefinition<P> {
  return m;
}

export function method<P, A, R = void>(m: MethodDef<P, A, R>): MethodDef<P, A, R> {
  return m;
}

export function query<P, A, R>(q: QueryDef<P, A, R>): QueryDef<P, A, R> {
  return q;
}

/** The errors the engine itself fails a call with, whatever the module. */
export const engineErrors = moduleErrors([
  'OutOfGas',
  'InvalidArguments',
  'UnknownTarget',
  'UnknownMethod',
  'UnknownQuery',
  'UnknownEvent',
  'InvalidEvent',
  'StateKeyTooLong',
]);
export type EngineErrorName = (typeof engineErrors.names)[number];

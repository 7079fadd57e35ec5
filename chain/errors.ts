/**
 * Named errors. Every failure a user can meet has a stable name (`NonceTooLow`, `ChannelNotFound`,
 * `unauthorized`, ...) that travels in receipts and JSON-RPC errors; messages say what to do next.
 * Stack traces never leave the process.
 */

/** JSON-RPC error codes. -32700..-32603 are JSON-RPC 2.0; the rest are ours (documented in README). */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Generic application error. */
  ServerError: -32000,
  /** Block, transaction, receipt or other resource not found. */
  NotFound: -32001,
  /** The method ran past its deadline. */
  Timeout: -32002,
  /** The response would exceed the response size limit. */
  ResponseTooLarge: -32003,
  /** The method exists but is not available on this node (e.g. `dev.*` on a follower). */
  MethodNotSupported: -32004,
  /** Rate limit or another resource limit was hit. */
  LimitExceeded: -32005,
  /** A transaction was refused before entering the mempool (`error.data.name` says why). */
  TransactionRejected: -32010,
  /** A transaction ran and failed, or a read-only call failed (`error.data.name` says why). */
  ExecutionFailed: -32011,
  /** The node cannot serve: corrupt store, replay mismatch, storage failure. */
  NodeUnavailable: -32012,
} as const;
export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode];

/** An error with a stable name. `data` carries structured details (never a stack). */
export class NamedError extends Error {
  readonly rpcCode: number;
  readonly data: Record<string, unknown> | undefined;

  constructor(name: string, message: string, opts: { rpcCode?: number; data?: Record<string, unknown> } = {}) {
    super(message);
    this.name = name;
    this.rpcCode = opts.rpcCode ?? RpcCode.ServerError;
    this.data = opts.data;
  }
}

/** Refusal at admission: the transaction never entered the mempool and changed nothing. */
export class TxRejected extends NamedError {
  constructor(name: TxRejectionName, message: string, data?: Record<string, unknown>) {
    super(name, message, { rpcCode: RpcCode.TransactionRejected, data });
  }
}

export type TxRejectionName =
  | 'MalformedTransaction'
  | 'NonCanonicalEncoding'
  | 'OversizeTransaction'
  | 'WrongChainId'
  | 'InvalidSignature'
  | 'NonceTooLow'
  | 'NonceGap'
  | 'NonceTooHigh'
  | 'SenderQueueFull'
  | 'QueueFull'
  | 'QueuedTooLong'
  | 'Evicted'
  | 'InsufficientFunds'
  | 'GasPriceTooLow'
  | 'IntrinsicGasTooLow'
  | 'GasLimitTooHigh'
  | 'AlreadyKnown'
  | 'ReplacementUnderpriced'
  | 'MempoolFull'
  | 'SenderLimitReached'
  | 'UnknownTarget'
  | 'UnknownMethod'
  | 'InvalidArguments'
  | 'Dropped';

/** Errors in encoding and decoding; `path` names the field (e.g. `args.amount`). */
export class CodecError extends NamedError {
  constructor(
    message: string,
    readonly path = '',
    /** The bytes are a valid encoding of something, but not the canonical one. */
    readonly nonCanonical = false,
  ) {
    super(nonCanonical ? 'NonCanonicalEncoding' : 'InvalidEncoding', path ? `${path}: ${message}` : message);
  }
}

/** A module method failed. The name becomes the receipt's `error`. */
export class ModuleError extends NamedError {
  constructor(name: string, message?: string, data?: Record<string, unknown>) {
    super(name, message ?? name, { rpcCode: RpcCode.ExecutionFailed, data });
  }
}

/** Store or replay problems that make a node refuse to serve. */
export class NodeError extends NamedError {
  constructor(name: string, message: string, data?: Record<string, unknown>) {
    super(name, message, { rpcCode: RpcCode.NodeUnavailable, data });
  }
}

/** Name of any thrown value, for receipts: named errors keep theirs, anything else is internal. */
export function errorName(e: unknown): string {
  return e instanceof NamedError ? e.name : 'InternalError';
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

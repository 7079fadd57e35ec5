/**
 * The named errors of session payments and their RFC 9457 problem types (spec tip1034.md §5).
 * Every refusal is a `PaymentProblem`: a `NamedError` whose name says exactly what was wrong
 * (`WrongPayee`, `VoucherNotIncreasing`, …) and whose kind fixes the wire form: the type URI under
 * `https://paymentauth.org/problems/` and the HTTP status mppx uses for it.
 */
import { NamedError } from '../../chain/index.js';

export const PROBLEM_BASE = 'https://paymentauth.org/problems/';

/** The spec's problem types: path under PROBLEM_BASE, HTTP status and title. */
export const PROBLEM_KINDS = {
  'payment-required': { status: 402, title: 'Payment Required' },
  'malformed-credential': { status: 402, title: 'Malformed Credential' },
  'invalid-challenge': { status: 402, title: 'Invalid Challenge' },
  'payment-expired': { status: 402, title: 'Payment Expired' },
  'verification-failed': { status: 402, title: 'Verification Failed' },
  'bad-request': { status: 400, title: 'Bad Request' },
  'internal-payment-error': { status: 500, title: 'Internal Payment Error' },
  'session/insufficient-balance': { status: 402, title: 'Insufficient Balance' },
  'session/invalid-signature': { status: 402, title: 'Invalid Signature' },
  'session/signer-mismatch': { status: 402, title: 'Signer Mismatch' },
  'session/amount-exceeds-deposit': { status: 402, title: 'Amount Exceeds Deposit' },
  'session/delta-too-small': { status: 402, title: 'Delta Too Small' },
  'session/channel-not-found': { status: 410, title: 'Channel Not Found' },
  'session/channel-finalized': { status: 410, title: 'Channel Closed' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** Every error name the payment server answers with, and its problem kind. */
export const PAYMENT_ERRORS = {
  PaymentRequired: 'payment-required',
  MalformedCredential: 'malformed-credential',
  InvalidChallenge: 'invalid-challenge',
  ChallengeMismatch: 'invalid-challenge',
  ProofReplayed: 'invalid-challenge',
  PaymentExpired: 'payment-expired',
  ForeignEscrow: 'verification-failed',
  WrongChain: 'verification-failed',
  WrongPayee: 'verification-failed',
  WrongToken: 'verification-failed',
  WrongOperator: 'verification-failed',
  ChannelMismatch: 'verification-failed',
  InvalidTransaction: 'verification-failed',
  TransactionFailed: 'verification-failed',
  VoucherNotIncreasing: 'verification-failed',
  InvalidSignature: 'session/invalid-signature',
  SourceMismatch: 'session/signer-mismatch',
  AmountExceedsDeposit: 'session/amount-exceeds-deposit',
  DeltaTooSmall: 'session/delta-too-small',
  InsufficientBalance: 'session/insufficient-balance',
  ChannelNotFound: 'session/channel-not-found',
  ChannelFinalized: 'session/channel-finalized',
  CloseInProgress: 'session/channel-finalized',
  BadRequest: 'bad-request',
  HeaderTooLarge: 'bad-request',
  InternalPaymentError: 'internal-payment-error',
  VerificationFailed: 'verification-failed',
  // Raised by the client (SessionManager) about what a server sent or asked for.
  InvalidReceipt: 'verification-failed',
  UnsupportedChallenge: 'invalid-challenge',
  PriceGuardRefused: 'verification-failed',
  DepositLimitExceeded: 'verification-failed',
  UnexpectedResponse: 'verification-failed',
} as const satisfies Record<string, ProblemKind>;

export type PaymentErrorName = keyof typeof PAYMENT_ERRORS;

/** A status that differs from the kind's default (431 for oversize headers). */
const STATUS_OVERRIDES: Partial<Record<PaymentErrorName, number>> = { HeaderTooLarge: 431 };

export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Our extension member: the error's name. */
  name: PaymentErrorName;
  challengeId?: string;
}

export class PaymentProblem extends NamedError {
  declare readonly name: PaymentErrorName;
  readonly kind: ProblemKind;
  readonly status: number;

  constructor(name: PaymentErrorName, message: string, data?: Record<string, unknown>) {
    super(name, message, { data });
    this.kind = PAYMENT_ERRORS[name];
    this.status = STATUS_OVERRIDES[name] ?? PROBLEM_KINDS[this.kind].status;
  }

  get type(): string {
    return PROBLEM_BASE + this.kind;
  }

  toProblem(challengeId?: string): ProblemJson {
    return { type: this.type, title: PROBLEM_KINDS[this.kind].title, status: this.status, detail: this.message, name: this.name, ...(challengeId ? { challengeId } : {}) };
  }
}

export function problem(name: PaymentErrorName, message: string, data?: Record<string, unknown>): PaymentProblem {
  return new PaymentProblem(name, message, data);
}

export function isPaymentErrorName(v: unknown): v is PaymentErrorName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(PAYMENT_ERRORS, v);
}

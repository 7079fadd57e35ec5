/**
 * The workload-session data model (spec session.md §1.3, §1.5, §1.7): states, step kinds,
 * attestation domains and node statuses, with the numeric values S1 uses on the wire.
 */
import { NamedError } from '../../../chain/index.js';

/** A 32-byte identifier (session, request, service, transaction, node, attestation...). */
export type Id32 = Uint8Array;

export const SessionState = { pending: 0, running: 1, waiting_io: 2, finalized: 3, failed: 4 } as const;
export type SessionStateName = keyof typeof SessionState;
export type SessionStateValue = (typeof SessionState)[SessionStateName];

export const StepKind = { compute: 0, write_external: 1, read_external: 2 } as const;
export type StepKindName = keyof typeof StepKind;
export type StepKindValue = (typeof StepKind)[StepKindName];

export const StepState = { pending: 0, executing: 1, waiting: 2, completed: 3, failed: 4 } as const;
export type StepStateName = keyof typeof StepState;
export type StepStateValue = (typeof StepState)[StepStateName];

export const NodeStatus = { unknown: 0, registered: 1, active: 2, suspended: 3, exited: 4, slashed: 5 } as const;
export type NodeStatusName = keyof typeof NodeStatus;
export type NodeStatusValue = (typeof NodeStatus)[NodeStatusName];

export const ATTESTATION_DOMAINS = ['oracle/write', 'oracle/read', 'session/complete', 'epoch/beacon'] as const;
export type AttestationDomain = (typeof ATTESTATION_DOMAINS)[number];

export function isAttestationDomain(d: unknown): d is AttestationDomain {
  return typeof d === 'string' && (ATTESTATION_DOMAINS as readonly string[]).includes(d);
}

/** `RequiresOracle`: true for the external write and read kinds. */
export function requiresOracle(kind: StepKindValue): boolean {
  return kind === StepKind.write_external || kind === StepKind.read_external;
}

/** The attestation domain an oracle step needs: write → oracle/write, read → oracle/read. */
export function domainForStepKind(kind: StepKindValue): AttestationDomain {
  if (kind === StepKind.write_external) return 'oracle/write';
  if (kind === StepKind.read_external) return 'oracle/read';
  throw new NamedError('ComputeStepNoAttestation', 'a compute step does not require attestation');
}

function nameOf<T extends Record<string, number>>(table: T, value: number, what: string): keyof T & string {
  for (const k of Object.keys(table)) if (table[k] === value) return k as keyof T & string;
  throw new NamedError('InvalidEncoding', `${value} is not a valid ${what}`);
}

export const sessionStateName = (v: number) => nameOf(SessionState, v, 'session state');
export const stepKindName = (v: number) => nameOf(StepKind, v, 'step kind');
export const stepStateName = (v: number) => nameOf(StepState, v, 'step state');
export const nodeStatusName = (v: number) => nameOf(NodeStatus, v, 'node status');

/** Accepts a state/kind given by name or number and returns its number. */
export function enumValue<T extends Record<string, number>>(table: T, v: unknown, what: string): T[keyof T] {
  if (typeof v === 'string' && v in table) return table[v as keyof T]!;
  if (typeof v === 'number' && Object.values(table).includes(v)) return v as T[keyof T];
  throw new NamedError('InvalidEncoding', `${String(v)} is not a valid ${what} (one of ${Object.keys(table).join(', ')})`);
}

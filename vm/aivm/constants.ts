/**
 * Fixed addresses, status codes and the default parameters of the AIVM module (spec §2.3, §2.9).
 */
import { toAddress } from '../../chain/index.js';

/** The module itself ("AIVM" in ASCII). */
export const AIVM_ADDRESS = toAddress('0x4149564d00000000000000000000000000000000');
/** Custody account: operator stakes, task escrows, credits and result bonds live here. */
export const ESCROW_ADDRESS = toAddress('0x' + 'a1'.repeat(20));
/** Burned fees and burned bond halves are parked here (never spendable, still counted). */
export const BURN_ADDRESS = toAddress('0x000000000000000000000000000000000000dead');
/** The legacy mining-reward pool ("AIVM_POOL"), funded at genesis. */
export const POOL_ADDRESS = toAddress('0x4149564d5f504f4f4c0000000000000000000000');

/** How a task's result is verified (upstream enum values). */
export const Mode = { Optimistic: 0, MultiPartyRedundant: 1, TEEAttested: 2 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];
export const MODE_NAMES: Record<Mode, string> = { 0: 'optimistic', 1: 'redundant', 2: 'tee' };

/**
 * Task lifecycle. Quorum: Open (commit/reveal) → Settled | Failed. Optimistic: Open (awaiting the
 * assigned provider) → Posted (challenge window) → [Challenged →] Settled | Failed.
 */
export const TaskStatus = { None: 0, Open: 1, Settled: 2, Failed: 3, Challenged: 4, Posted: 5 } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUS_NAMES: Record<number, string> = { 0: 'none', 1: 'open', 2: 'settled', 3: 'failed', 4: 'challenged', 5: 'posted' };

/** Model registry operation kinds (provenance_apply). */
export const ModelOpKind = { Register: 0, UpdateWeights: 1, UpdateLicense: 2, Transfer: 3 } as const;
export const Modality = { Text: 0, Vision: 1, Audio: 2, Multi: 3 } as const;
/** TEE kinds of attestation_apply. */
export const AttestationKind = { SGX: 0, SEV: 1, TDX: 2, NvTrust: 3 } as const;

export const MIN_N = 3;
export const MAX_N = 256;

/** Gas for kernel work, charged to the transaction that causes it. */
export const KERNEL_GAS = {
  inferenceOp: 40_000n,
  proofVerifyOp: 5_000n,
  blsVerify: 150_000n,
  attestationOp: 20_000n,
  modelOp: 20_000n,
  artifact: 2_000n,
} as const;

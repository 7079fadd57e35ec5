/**
 * Gas schedule and meter. Gas is charged per byte of transaction, per state read and write, per
 * signature verification, per event and per kernel op (modules charge kernel work themselves).
 * Out of gas reverts the call's state changes and still charges the whole limit.
 */
import { ModuleError } from '../errors.js';
import type { GasMeter } from './contract.js';

export const GAS = {
  /** Every transaction. */
  txBase: 21_000n,
  /** Per byte of the transaction's canonical encoding. */
  txByte: 16n,
  /** Checking the transaction's own signature, by scheme. */
  txSigMlDsa: 30_000n,
  txSigSecp256k1: 3_000n,
  /** First transaction of an account records its public key. */
  accountKeyRecord: 20_000n,
  stateRead: 200n,
  stateWrite: 5_000n,
  /** Per started 32 bytes of a written value. */
  stateWriteWord: 10n,
  stateDelete: 500n,
  event: 375n,
  eventTopic: 375n,
  eventByte: 8n,
  call: 700n,
  sigMlDsa: 30_000n,
  sigSecp256k1: 3_000n,
} as const;

export function writeCost(valueLength: number): bigint {
  return GAS.stateWrite + GAS.stateWriteWord * BigInt(Math.ceil(valueLength / 32));
}

export class OutOfGas extends ModuleError {
  constructor(limit: bigint, what?: string) {
    super('OutOfGas', `out of gas (limit ${limit}${what ? `, while charging for ${what}` : ''}); raise gasLimit`);
  }
}

export class Meter implements GasMeter {
  #used: bigint;
  constructor(readonly limit: bigint, used = 0n) {
    this.#used = used;
  }
  get used(): bigint {
    return this.#used;
  }
  charge(amount: bigint | number, what?: string): void {
    const a = BigInt(amount);
    if (a < 0n) throw new RangeError('negative gas');
    const next = this.#used + a;
    if (next > this.limit) {
      this.#used = this.limit;
      throw new OutOfGas(this.limit, what);
    }
    this.#used = next;
  }
}

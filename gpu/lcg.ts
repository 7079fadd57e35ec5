/**
 * The 64-bit linear congruential generator of the AI precompile (fixture weights, sampled replay):
 * state = seed | 1; next: state = state·6364136223846793005 + 1442695040888963407 (mod 2^64),
 * output = state >> 32 (a u32).
 */
const MUL = 6364136223846793005n;
const INC = 1442695040888963407n;

export class Lcg {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed) | 1n;
  }

  next(): number {
    this.state = BigInt.asUintN(64, this.state * MUL + INC);
    return Number(this.state >> 32n);
  }
}

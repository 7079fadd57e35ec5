/**
 * Keccak-256 (legacy 0x01 padding) and the little-endian preimage builder the kernels hash with.
 * Every root preimage in spec §2.6 is a fixed-width concatenation of byte fields and LE integers.
 */
import { createKeccak } from 'hash-wasm';
import { keccak_256 as nobleKeccak } from '@noble/hashes/sha3.js';

type WasmKeccak = Awaited<ReturnType<typeof createKeccak>>;
let wasm: WasmKeccak | undefined;
/** The WebAssembly keccak (about ten times noble's speed) once it has loaded; noble until then. */
export const keccakReady: Promise<void> = createKeccak(256).then(
  (k) => void (wasm = k),
  () => undefined,
);

/** Keccak-256 with legacy padding. Both implementations are the same function. */
export function keccak256(data: Uint8Array): Uint8Array {
  if (wasm === undefined) return nobleKeccak(data);
  return wasm.init().update(data).digest('binary');
}

/** Builds a fixed-size preimage field by field; `done()` checks every byte was written. */
export class Preimage {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }

  /** Restarts writing from offset 0 (the buffer is reused between leaves). */
  reset(): this {
    this.at = 0;
    return this;
  }

  put(b: Uint8Array): this {
    this.bytes.set(b, this.at);
    this.at += b.length;
    return this;
  }

  u32(v: number): this {
    this.dv.setUint32(this.at, v >>> 0, true);
    this.at += 4;
    return this;
  }

  u64(v: bigint): this {
    this.dv.setBigUint64(this.at, v, true);
    this.at += 8;
    return this;
  }

  hash(): Uint8Array {
    if (this.at !== this.bytes.length) throw new Error(`preimage filled ${this.at} of ${this.bytes.length} bytes`);
    return keccak256(this.bytes);
  }
}

/** keccak256(acc ‖ h): one step of the kernels' root fold. */
export function fold(acc: Uint8Array, h: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(acc, 0);
  buf.set(h, 32);
  return keccak256(buf);
}

export function isZero(b: Uint8Array, from = 0, to = b.length): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

export function equalRange(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
  return true;
}

/**
 * Fixture builders shared by the gpu tests: the byte patterns of upstream's C++ layout test
 * (make_att, make_model_register, make_anchor, make_desc) and Go parity test (mkDigest32, ...).
 */
import * as g from '../../gpu/index.js';

/** `n` bytes with b[i] = f(i) & 0xff. */
export function pattern(n: number, f: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);
}

/** Go parity test: d[i] = b + i. */
export const mk = (n: number, b: number) => pattern(n, (i) => b + i);

export const TS_1_7E18 = 1_700_000_000_000_000_000n;

/** C++ make_desc: chain 1, ts 1.7e18, epoch 0, closing 1, mode 4 by default; op counts as given. */
export function desc(round: bigint, counts: { att?: number; model?: number; anchor?: number } = {}, over: g.RoundDescriptorInput = {}): Uint8Array {
  return g.encodeRoundDescriptor({
    chainId: 1n,
    round,
    timestampNs: TS_1_7E18,
    epoch: 0n,
    mode: 4,
    closingFlag: 1,
    attestationOpCount: counts.att ?? 0,
    modelOpCount: counts.model ?? 0,
    anchorOpCount: counts.anchor ?? 0,
    ...over,
  });
}

/** C++ make_att(seed, kind, expiry). */
export function att(seed: number, kind = 0, expiry = 0n): g.AttestationOpInput {
  return {
    teeQuoteDigest: pattern(32, (i) => seed * 31 + i),
    measurement: pattern(32, (i) => seed * 17 + i),
    attestingKey: pattern(48, (i) => seed * 41 + i + 1),
    expiryNs: expiry,
    kind,
    evidenceOffset: 0,
    evidenceLen: 64,
  };
}

/** C++ make_model_register(seed, param_count). */
export function modelRegister(seed: number, parameterCount = 1000n): g.ModelOpInput {
  return {
    modelRoot: pattern(32, (i) => seed * 11 + i + 1),
    weightHash: pattern(32, (i) => seed * 23 + i + 7),
    licenseRoot: pattern(32, (i) => seed * 7 + i + 13),
    ownerAddr: pattern(20, (i) => seed * 3 + i + 5),
    parameterCount,
    modality: g.Modality.Text,
    kind: g.ModelOpKind.Register,
  };
}

/** C++ make_anchor(height, parent). */
export function anchor(height: number, parent: Uint8Array): g.AnchorOpInput {
  return {
    commitRoot: pattern(32, (i) => height * 13 + i + 1),
    parentRoot: parent,
    validatorSetRootAtCommit: pattern(32, (i) => height * 19 + i + 3),
    height: BigInt(height),
    timestampNs: TS_1_7E18 + BigInt(height) * 1_000_000_000n,
  };
}

/** A chain of anchors at the given heights, each parented on the previous one (the first on `parent`). */
export function anchorChain(heights: number[], parent: Uint8Array = new Uint8Array(32)): g.AnchorOpInput[] {
  const out: g.AnchorOpInput[] = [];
  let p = parent;
  for (const h of heights) {
    const op = anchor(h, p);
    out.push(op);
    p = op.commitRoot!;
  }
  return out;
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const isZero = (b: Uint8Array) => b.every((x) => x === 0);

/** Occupied entries of an arena, decoded, with their slot index. */
export function occupied<T extends { occupied: number }>(decode: (buf: Uint8Array, i: number) => T, buf: Uint8Array, size: number): (T & { slot: number })[] {
  const out: (T & { slot: number })[] = [];
  for (let i = 0; i < buf.length / size; i++) {
    const v = decode(buf, i);
    if (v.occupied !== 0) out.push({ ...v, slot: i });
  }
  return out;
}

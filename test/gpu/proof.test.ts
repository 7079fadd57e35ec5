/** K6 proof_verify: fail bits, the Ok bit, kind, and the always-computed binding hash. */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import * as g from '../../gpu/index.js';
import { hex, mk } from './fixtures.js';

const TS = 1_700_000_000_000_000_000n;

function good(over: g.ProofVerifyOpInput = {}): g.ProofVerifyOpInput {
  return { measurement: mk(32, 0x40), attestingKey: mk(48, 0x50), signature: mk(96, 0x60), messageHash: mk(32, 0x70), expiryNs: 2n * 10n ** 18n, timestampNs: TS, kind: 0, nonce: 7, ...over };
}

function verify(ops: g.ProofVerifyOpInput[]): g.ProofVerifyResultValue[] {
  const results = g.ProofVerifyResult.alloc(ops.length).fill(0xcc);
  g.proofVerify(g.encodeProofVerifyOp(ops), results);
  return g.ProofVerifyResult.decodeArray(results);
}

function binding(op: g.ProofVerifyOpInput): string {
  const nonce = Buffer.alloc(4);
  nonce.writeUInt32LE(op.nonce ?? 0);
  const z = (n: number, v?: Uint8Array) => v ?? new Uint8Array(n);
  return hex(keccak_256(Buffer.concat([z(32, op.measurement), z(48, op.attestingKey), z(96, op.signature), z(32, op.messageHash), nonce])));
}

describe('gpu K6 proof_verify', () => {
  const S = g.ProofStatus;
  const cases: [string, g.ProofVerifyOpInput, number][] = [
    ['a complete unexpired envelope is Ok', good(), S.Ok],
    ['expiry 0 never expires', good({ expiryNs: 0n }), S.Ok],
    ['expiry = timestamp is expired', good({ expiryNs: TS }), S.Expired],
    ['expiry < timestamp is expired', good({ expiryNs: TS - 1n }), S.Expired],
    ['expiry = timestamp + 1 is not expired', good({ expiryNs: TS + 1n }), S.Ok],
    ['zero signature', good({ signature: new Uint8Array(96) }), S.SigCheck],
    ['zero measurement', good({ measurement: new Uint8Array(32) }), S.MeasureCheck],
    ['zero attesting key', good({ attestingKey: new Uint8Array(48) }), S.KeyZero],
    ['several failures set several bits and never Ok', good({ signature: new Uint8Array(96), attestingKey: new Uint8Array(48), expiryNs: 1n }), S.SigCheck | S.KeyZero | S.Expired],
    ['an all-zero op fails every check but expiry', {}, S.SigCheck | S.KeyZero | S.MeasureCheck],
    ['a zero message hash is not checked', good({ messageHash: new Uint8Array(32) }), S.Ok],
  ];
  for (const [what, op, status] of cases) {
    it(`${what} (status 0x${status.toString(16)})`, () => {
      const [r] = verify([{ ...op, kind: 3 }]);
      expect(r!.status).to.equal(status);
      expect(r!.kind).to.equal(3);
      expect(hex(r!.bindingHash)).to.equal(binding({ ...op }));
    });
  }

  it('binding hash = keccak(measurement ‖ key48 ‖ sig96 ‖ message_hash ‖ u32le nonce), padding zeroed (property)', () => {
    const b = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.record({ measurement: b(32), attestingKey: b(48), signature: b(96), messageHash: b(32), expiryNs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), timestampNs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), kind: fc.nat(), nonce: fc.integer({ min: 0, max: 0xffffffff }) }),
        (op) => {
          const results = g.ProofVerifyResult.alloc(1).fill(0xee);
          g.proofVerify(g.encodeProofVerifyOp(op), results);
          const r = g.decodeProofVerifyResult(results);
          expect(hex(r.bindingHash)).to.equal(binding(op));
          expect(r.kind).to.equal(op.kind);
          expect((r.status & S.Ok) !== 0).to.equal((r.status & ~S.Ok) === 0);
          expect(results.subarray(40).every((x) => x === 0)).to.equal(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a results buffer that does not match the ops (BatchSizeMismatch) without writing', () => {
    const results = g.ProofVerifyResult.alloc(2).fill(1);
    expect(() => g.proofVerify(g.encodeProofVerifyOp([good()]), results)).to.throw(g.GpuError).with.property('name', 'BatchSizeMismatch');
    expect(results.every((x) => x === 1)).to.equal(true);
    expect(() => g.proofVerify(new Uint8Array(239), new Uint8Array(48))).to.throw(g.GpuError).with.property('name', 'BufferSizeMismatch');
  });
});

/** Backend selection and the argument checks every backend relies on. */
import { expect } from 'chai';
import * as g from '../../gpu/index.js';
import { att, desc } from './fixtures.js';

describe('gpu backends', () => {
  afterEach(() => g.setBackend('ts'));

  it("the TypeScript reference is active by default and is the only one built", () => {
    expect(g.backend()).to.equal('ts');
    expect(g.availableBackends()).to.deep.equal(['ts']);
  });

  for (const name of ['native', 'cuda', 'metal'] as const) {
    it(`setBackend('${name}') fails with BackendUnavailable and keeps the active backend`, () => {
      expect(() => g.setBackend(name))
        .to.throw(g.GpuError)
        .with.property('name', 'BackendUnavailable');
      expect(() => g.setBackend(name)).to.throw(/not available.*setBackend\('ts'\)/);
      expect(g.backend()).to.equal('ts');
    });
  }

  it("setBackend('auto') picks 'ts' when nothing else is built", () => {
    expect(g.setBackend('auto')).to.equal('ts');
    expect(g.backend()).to.equal('ts');
  });

  it('an unknown backend name is UnknownBackend', () => {
    expect(() => g.setBackend('opencl' as g.BackendChoice)).to.throw(g.GpuError).with.property('name', 'UnknownBackend');
    expect(() => g.registerBackend({ ...g.tsBackend, name: 'vulkan' as g.BackendName })).to.throw(g.GpuError).with.property('name', 'UnknownBackend');
    expect(() => g.registerBackend(g.tsBackend)).to.throw(g.GpuError).with.property('name', 'UnknownBackend');
  });

  it('a registered backend receives the calls once selected; auto prefers it; unregistering falls back to ts', () => {
    const calls: string[] = [];
    const fake: g.KernelBackend = {
      ...g.tsBackend,
      name: 'cuda',
      attestationApply: (d, o, t) => {
        calls.push('attestationApply');
        return g.tsBackend.attestationApply(d, o, t);
      },
    };
    const unregister = g.registerBackend(fake);
    try {
      expect(g.availableBackends()).to.deep.equal(['ts', 'cuda']);
      const table = g.Attestation.alloc(8);
      g.attestationApply(desc(1n, { att: 1 }), g.encodeAttestationOp(att(1)), table);
      expect(calls).to.deep.equal([]);
      expect(g.setBackend('auto')).to.equal('cuda');
      expect(g.attestationApply(desc(1n, { att: 1 }), g.encodeAttestationOp(att(2)), table)).to.equal(1);
      expect(calls).to.deep.equal(['attestationApply']);
    } finally {
      unregister();
    }
    expect(g.backend()).to.equal('ts');
    expect(() => g.setBackend('cuda')).to.throw(g.GpuError).with.property('name', 'BackendUnavailable');
  });

  it('arguments are checked before the backend is called', () => {
    let called = false;
    const unregister = g.registerBackend({ ...g.tsBackend, name: 'metal', proofVerify: () => void (called = true) });
    try {
      g.setBackend('metal');
      expect(() => g.proofVerify(new Uint8Array(240), new Uint8Array(47))).to.throw(g.GpuError);
      expect(called).to.equal(false);
    } finally {
      unregister();
    }
  });

  describe('refused arguments leave every buffer untouched', () => {
    const d = desc(1n, { att: 1, model: 1, anchor: 1 });
    const A = () => g.Attestation.alloc(8).fill(0);
    const cases: [string, () => unknown, string][] = [
      ['attestationApply: desc of 95 bytes', () => g.attestationApply(d.subarray(0, 95), g.AttestationOp.alloc(1), A()), 'BufferSizeMismatch'],
      ['attestationApply: desc not a Uint8Array', () => g.attestationApply([] as unknown as Uint8Array, g.AttestationOp.alloc(1), A()), 'BufferSizeMismatch'],
      ['attestationApply: ops of 145 bytes', () => g.attestationApply(d, new Uint8Array(145), A()), 'BufferSizeMismatch'],
      ['attestationApply: 3-slot table', () => g.attestationApply(d, g.AttestationOp.alloc(1), g.Attestation.alloc(3)), 'ArenaNotPowerOfTwo'],
      ['attestationApply: table of 150 bytes', () => g.attestationApply(d, g.AttestationOp.alloc(1), new Uint8Array(150)), 'BufferSizeMismatch'],
      ['provenanceApply: 6-slot models', () => g.provenanceApply(d, g.ModelOp.alloc(1), g.ModelRegistryEntry.alloc(6)), 'ArenaNotPowerOfTwo'],
      ['provenanceApply: ops of 144-byte structs', () => g.provenanceApply(d, g.AttestationOp.alloc(1), g.ModelRegistryEntry.alloc(4)), 'BufferSizeMismatch'],
      ['anchorApply: anchors of 100 bytes', () => g.anchorApply(d, g.AnchorOp.alloc(1), new Uint8Array(100)), 'BufferSizeMismatch'],
      ['epochTransition: 5-slot attestations', () => g.epochTransition(d, g.Attestation.alloc(5), g.ModelRegistryEntry.alloc(4), g.AuditAnchor.alloc(4), g.AIVMEpochState.alloc(), g.AIVMTransitionResult.alloc()), 'ArenaNotPowerOfTwo'],
      ['epochTransition: 12-slot models', () => g.epochTransition(d, g.Attestation.alloc(4), g.ModelRegistryEntry.alloc(12), g.AuditAnchor.alloc(4), g.AIVMEpochState.alloc(), g.AIVMTransitionResult.alloc()), 'ArenaNotPowerOfTwo'],
      ['epochTransition: epoch state of 159 bytes', () => g.epochTransition(d, g.Attestation.alloc(4), g.ModelRegistryEntry.alloc(4), g.AuditAnchor.alloc(4), new Uint8Array(159), g.AIVMTransitionResult.alloc()), 'BufferSizeMismatch'],
      ['epochTransition: result of 193 bytes', () => g.epochTransition(d, g.Attestation.alloc(4), g.ModelRegistryEntry.alloc(4), g.AuditAnchor.alloc(4), g.AIVMEpochState.alloc(), new Uint8Array(193)), 'BufferSizeMismatch'],
    ];
    for (const [what, fn, name] of cases) {
      it(`${what} → ${name}`, () => {
        expect(fn).to.throw(g.GpuError).with.property('name', name);
      });
    }

    it('epochTransition with a bad result changes no arena (no expiry marked)', () => {
      const atts = g.encodeAttestation([{ teeQuoteDigest: new Uint8Array(32).fill(1), expiryNs: 1n, status: 2, occupied: 1 }, {}]);
      const before = atts.slice();
      expect(() => g.epochTransition(d, atts, g.ModelRegistryEntry.alloc(2), g.AuditAnchor.alloc(2), g.AIVMEpochState.alloc(), new Uint8Array(10))).to.throw(g.GpuError);
      expect(atts).to.deep.equal(before);
    });

    it('error messages say what was expected', () => {
      expect(() => g.attestationApply(d, g.AttestationOp.alloc(1), g.Attestation.alloc(3))).to.throw(/power of two/);
      expect(() => g.attestationApply(d.subarray(0, 95), g.AttestationOp.alloc(1), A())).to.throw(/AIVMRoundDescriptor \(96 bytes\)/);
    });
  });
});

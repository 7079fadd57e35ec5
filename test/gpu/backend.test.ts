/** Backend selection (installed, missing with a reason, self-tested) and the argument checks every backend relies on. */
import { expect } from 'chai';
import * as g from '../../gpu/index.js';
import { att, desc } from './fixtures.js';

/** Registers `b` for the duration of `fn` (unregistering puts back what it replaced). */
function withBackend(b: g.KernelBackend, fn: () => void): void {
  const unregister = g.registerBackend(b);
  try {
    fn();
  } finally {
    unregister();
  }
}

const loaded = () => Object.keys(g.nativeKernels.backends) as g.BackendName[];
const missing = g.BACKEND_NAMES.filter((n) => n !== 'ts' && !loaded().includes(n));

describe('gpu backends', () => {
  afterEach(() => g.setBackend('ts'));

  it('the TypeScript reference is active by default; the others installed are the ones the native loader loaded', () => {
    expect(g.backend()).to.equal('ts');
    expect(g.availableBackends()).to.deep.equal(g.BACKEND_NAMES.filter((n) => n === 'ts' || loaded().includes(n)));
    expect(g.backendStatus().map((s) => [s.name, s.available, s.active])).to.deep.equal(g.BACKEND_NAMES.map((n) => [n, n === 'ts' || loaded().includes(n), n === 'ts']));
  });

  for (const name of missing) {
    it(`setBackend('${name}') (not loaded here) fails with BackendUnavailable, the loader's reason, and keeps the active backend`, () => {
      expect(() => g.setBackend(name))
        .to.throw(g.GpuError)
        .with.property('name', 'BackendUnavailable');
      expect(() => g.setBackend(name)).to.throw(/not available.*setBackend\('ts'\)/);
      expect(() => g.setBackend(name)).to.throw(g.nativeKernels.reasons[name as 'cuda']!);
      expect(g.backend()).to.equal('ts');
      expect(g.backendStatus().find((s) => s.name === name)!.detail).to.equal(g.nativeKernels.reasons[name as 'cuda']);
    });
  }

  it('a backend that fails its self-test is refused by setBackend, skipped by auto, and reported by backendStatus', () => {
    let runs = 0;
    const broken: g.KernelBackend = { ...g.tsBackend, name: 'metal', describe: () => 'a broken build', selfTest: () => (runs++, 'kernels differ') };
    withBackend(broken, () => {
      expect(() => g.setBackend('metal')).to.throw(g.GpuError, /backend 'metal' is not available: it failed its self-test \(kernels differ\)/);
      expect(g.setBackend('auto')).to.not.equal('metal');
      expect(g.availableBackends()).to.not.include('metal');
      expect(g.backendStatus().find((s) => s.name === 'metal')).to.deep.equal({ name: 'metal', available: false, active: false, detail: 'failed its self-test (kernels differ)' });
      expect(() => g.setBackend('metal')).to.throw(g.GpuError);
    });
    expect(runs).to.equal(1); // run once, remembered
  });

  it('inferenceBatch refuses inputs that are not 32 bytes per output with BatchSizeMismatch, before the backend runs', () => {
    const w = g.loadModelFile(g.tinyClassifierFixtureFile());
    const out = new Uint8Array(2).fill(7);
    expect(() => g.inferenceBatch(w, new Uint8Array(63), out)).to.throw(g.GpuError, /batchIn must be 64 bytes \(2 rows of 32 int8, one per batchOut byte\), got 63 bytes/).with.property('name', 'BatchSizeMismatch');
    expect(() => g.inferenceBatch(w, new Uint8Array(64), [] as unknown as Uint8Array)).to.throw(g.GpuError).with.property('name', 'BatchSizeMismatch');
    const badShift = w.slice();
    badShift[596] = 40;
    expect(() => g.inferenceBatch(badShift, new Uint8Array(64), out)).to.throw(g.GpuError).with.property('name', 'InvalidShift');
    expect([...out]).to.deep.equal([7, 7]);
  });

  it('an unknown backend name is UnknownBackend', () => {
    expect(() => g.setBackend('opencl' as g.BackendChoice)).to.throw(g.GpuError).with.property('name', 'UnknownBackend');
    expect(() => g.registerBackend({ ...g.tsBackend, name: 'vulkan' as g.BackendName })).to.throw(g.GpuError).with.property('name', 'UnknownBackend');
    expect(() => g.registerBackend(g.tsBackend)).to.throw(g.GpuError).with.property('name', 'UnknownBackend');
  });

  it('unregistering puts back the backend it replaced (a test fake never removes the real native backend)', () => {
    const before = g.availableBackends();
    withBackend({ ...g.tsBackend, name: 'native' }, () => expect(g.setBackend('native')).to.equal('native'));
    expect(g.backend()).to.equal('ts');
    expect(g.availableBackends()).to.deep.equal(before);
    if (g.nativeKernels.backends.native) expect(g.setBackend('native')).to.equal('native');
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
    withBackend(fake, () => {
      expect(g.availableBackends()).to.include('cuda');
      const table = g.Attestation.alloc(8);
      g.attestationApply(desc(1n, { att: 1 }), g.encodeAttestationOp(att(1)), table);
      expect(calls).to.deep.equal([]);
      expect(g.setBackend('auto')).to.equal('cuda');
      expect(g.attestationApply(desc(1n, { att: 1 }), g.encodeAttestationOp(att(2)), table)).to.equal(1);
      expect(calls).to.deep.equal(['attestationApply']);
    });
    expect(g.backend()).to.equal('ts');
    if (!loaded().includes('cuda')) expect(() => g.setBackend('cuda')).to.throw(g.GpuError).with.property('name', 'BackendUnavailable');
  });

  it('arguments are checked before the backend is called', () => {
    let called = false;
    withBackend({ ...g.tsBackend, name: 'metal', proofVerify: () => void (called = true) }, () => {
      g.setBackend('metal');
      expect(() => g.proofVerify(new Uint8Array(240), new Uint8Array(47))).to.throw(g.GpuError);
      expect(called).to.equal(false);
    });
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

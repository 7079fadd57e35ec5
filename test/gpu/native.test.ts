/**
 * The native kernel addon and its loader (issue 10): npm ci built and loaded it, setBackend('auto')
 * picks it on a machine without a GPU, its C structs have the layouts of gpu/layouts.ts, its
 * Keccak-256 equals @noble/hashes, it refuses malformed buffers, and every way a backend can be
 * missing (disabled, not built, build failed, unloadable, a plugin without its symbols or without a
 * device) leaves the TS reference working and says why. GPU plugin launch failures fall back to the
 * C++ kernels byte for byte (a stub plugin built here with g++), and the real CUDA plugin, built
 * by nvcc on this machine, either opens or reports why not (no GPU is lent to CI).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as g from '../../gpu/index.js';
import { removeDir, ROOT, tempDir } from '../helpers/processes.js';
import { hex } from './fixtures.js';
import { expectParity, parityProperties } from './parity-harness.js';
import * as gen from './parity-inputs.js';

const BUILD = join(ROOT, 'gpu', 'native', 'build');
const record = () => JSON.parse(readFileSync(join(BUILD, 'aivm-build.json'), 'utf8'));
const addon = () => g.nativeKernels.addon ?? expect.fail(`the addon is not loaded: ${g.nativeKernels.reasons.native}`);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('native kernels (addon, loader, GPU plugin fallback)', function () {
  this.timeout(120_000);
  afterEach(() => g.setBackend('ts'));

  it('npm ci built the addon and gpu/ loaded it (the build record says built)', () => {
    expect(record().native, JSON.stringify(record())).to.include({ built: true });
    expect(g.nativeKernels.backends.native, g.nativeKernels.reasons.native).to.not.equal(undefined);
    expect(g.availableBackends()).to.include('native');
  });

  it("setBackend('auto') picks cuda, then metal, then native: native on a machine without a GPU", () => {
    const loaded = g.nativeKernels.backends;
    const want = loaded.cuda ? 'cuda' : loaded.metal ? 'metal' : 'native';
    expect(g.setBackend('auto')).to.equal(want);
    expect(g.backend()).to.equal(want);
    expect(g.backendStatus().find((s) => s.active)!.name).to.equal(want);
  });

  it('the C structs (aivm_structs.h) have the sizes and field offsets of gpu/layouts.ts', () => {
    const c = addon().layouts();
    expect(Object.keys(c).sort()).to.deep.equal(Object.keys(g.layouts).sort());
    for (const [name, layout] of Object.entries(g.layouts)) {
      expect(c[name]!.size, name).to.equal(layout.size);
      const fields = Object.fromEntries(Object.entries(c[name]!.fields).map(([f, off]) => [camel(f), off]));
      expect(fields, name).to.deep.equal(layout.offsets);
    }
  });

  it('the C++ Keccak-256 equals @noble/hashes: the spec vectors and random inputs of every length around the 136-byte rate', () => {
    const k = addon().keccak256;
    expect(hex(k(new Uint8Array(0)))).to.equal('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(k(new TextEncoder().encode('abc')))).to.equal('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    for (let n = 0; n <= 3 * 136 + 1; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hex(k(b)), `length ${n}`).to.equal(hex(keccak_256(b)));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), fc.nat({ max: 7 }), (b, offset) => {
        const unaligned = new Uint8Array(b.length + offset).subarray(offset); // any byte offset
        unaligned.set(b);
        expect(hex(k(unaligned))).to.equal(hex(keccak_256(b)));
      }),
      { seed: 0xcafe, numRuns: 300 },
    );
  });

  it('kernels on unaligned views (a Uint8Array at an odd byte offset) match the reference', () => {
    const native = g.nativeKernels.backends.native ?? expect.fail('no native backend');
    const at = (b: Uint8Array) => {
      const v = new Uint8Array(b.length + 3).subarray(3);
      v.set(b);
      return v;
    };
    const w = g.loadModelFile(g.tinyClassifierFixtureFile());
    const ops = g.encodeInferenceOp([0, 1].map((i) => ({ modelHash: w.modelHash, mode: i, inputOffset: 32 * i, inputLen: 32, outputOffset: i, outputCapacity: 1 })));
    expectParity(native, 'inferenceStep', [at(w), at(ops), at(new Uint8Array(64).fill(9)), at(new Uint8Array(2)), at(g.InferenceResult.alloc(2))]);
  });

  it('the addon refuses malformed buffers itself (memory safety even when called around the checks of gpu/api.ts)', () => {
    const cpu = addon().cpu;
    const desc = g.AIVMRoundDescriptor.alloc();
    expect(() => cpu.attestationApply(desc, g.AttestationOp.alloc(1), [] as unknown as Uint8Array)).to.throw(TypeError, /table must be a Uint8Array/);
    expect(() => cpu.attestationApply(desc, new Uint8Array(100), g.Attestation.alloc(4))).to.throw(RangeError, /not a whole number of 144-byte structs/);
    expect(() => cpu.attestationApply(desc, g.AttestationOp.alloc(1), g.Attestation.alloc(3))).to.throw(RangeError, /power-of-two/);
    expect(() => cpu.epochTransition(desc, g.Attestation.alloc(4), g.ModelRegistryEntry.alloc(4), g.AuditAnchor.alloc(4), new Uint8Array(10), g.AIVMTransitionResult.alloc())).to.throw(RangeError, /epochState must be 160 bytes/);
    const w = g.InferenceWeights.alloc();
    w[597] = 32;
    expect(() => cpu.inferenceBatch(w, new Uint8Array(32), new Uint8Array(1))).to.throw(RangeError, /shifts must be 0..31/);
    expect(() => cpu.inferenceStep(g.InferenceWeights.alloc(), g.InferenceOp.alloc(2), new Uint8Array(64), new Uint8Array(2), g.InferenceResult.alloc(1))).to.throw(RangeError, /results must be 224 bytes/);
    expect(() => cpu.proofVerify(g.ProofVerifyOp.alloc(1), new Uint8Array(47))).to.throw(RangeError, /results must be 48 bytes/);
  });

  describe('CPU options (threads, multi-buffer hash lanes) never change a byte', () => {
    let defaults: { threads: number; minRowsPerThread: number; lanes: number };
    before(() => (defaults = addon().configure()));
    after(() => addon().configure(defaults));
    for (const options of [
      { threads: 1, lanes: 1, minRowsPerThread: 1 },
      { threads: 3, lanes: 4, minRowsPerThread: 1 },
      { threads: 2, lanes: 8, minRowsPerThread: 1 },
    ]) {
      describe(`threads ${options.threads}, up to ${options.lanes} lanes, rows split from 1 per thread`, () => {
        before(() => {
          const now = addon().configure(options);
          expect(now.threads).to.equal(options.threads);
          expect(now.lanes).to.be.oneOf([1, 4, 8]).and.at.most(options.lanes); // capped by what the CPU has
        });
        parityProperties(g.nativeKernels.backends.native ?? g.tsBackend);
      });
    }

    it('refuses options out of range', () => {
      expect(() => addon().configure({ threads: 0 } as never)).to.throw(RangeError, /threads must be a number from 1/);
      expect(() => addon().configure({ lanes: 'many' } as never)).to.throw(RangeError, /lanes must be a number/);
    });
  });

  describe('the loader says why a backend is missing', () => {
    let dir: string;
    beforeEach(() => (dir = tempDir('aivm-native-')));
    afterEach(() => removeDir(dir));

    it('disabled (SESSIONCHAIN_NATIVE=0): nothing native, every reason names the switch', () => {
      const k = g.loadNativeKernels({ enabled: false });
      expect(k.backends).to.deep.equal({});
      expect(k.reasons.native).to.match(/disabled \(SESSIONCHAIN_NATIVE=0\)/);
      expect(k.reasons.cuda).to.match(/needs the native addon.*SESSIONCHAIN_NATIVE=0/);
    });

    it('a failed build: the build record\'s reason', () => {
      writeFileSync(join(dir, 'aivm-build.json'), JSON.stringify({ native: { built: false, reason: 'node-gyp: g++: not found' } }));
      const k = g.loadNativeKernels({ buildDir: dir });
      expect(k.backends).to.deep.equal({});
      expect(k.reasons.native).to.equal('the addon build failed: node-gyp: g++: not found');
      expect(k.reasons.cuda).to.equal('it needs the native addon, which is not loaded (the addon build failed: node-gyp: g++: not found)');
    });

    it('never built: how to build it', () => {
      const k = g.loadNativeKernels({ buildDir: dir });
      expect(k.reasons.native).to.match(/aivm_native\.node is not built \(run `npm run build:native`\)/);
    });

    it('an addon file that does not load: the loader error', () => {
      mkdirSync(join(dir, 'Release'));
      writeFileSync(join(dir, 'Release', 'aivm_native.node'), 'not a shared library');
      const k = g.loadNativeKernels({ buildDir: dir });
      expect(k.reasons.native).to.match(/^cannot load .*aivm_native\.node: /);
    });

    it('a CUDA plugin that was not built: the build record\'s reason (nvcc missing)', () => {
      mkdirSync(join(dir, 'Release'));
      copyFileSync(join(BUILD, 'Release', 'aivm_native.node'), join(dir, 'Release', 'aivm_native.node'));
      writeFileSync(join(dir, 'aivm-build.json'), JSON.stringify({ native: { built: true }, cuda: { built: false, reason: 'skipped: nvcc was not found (install the CUDA toolkit, or set NVCC or CUDA_HOME)' } }));
      const k = g.loadNativeKernels({ buildDir: dir });
      expect(Object.keys(k.backends)).to.deep.equal(['native']);
      expect(k.reasons.cuda).to.equal('the CUDA plugin build was skipped: nvcc was not found (install the CUDA toolkit, or set NVCC or CUDA_HOME)');
    });

    it('a CUDA library that does not exist or does not load', () => {
      expect(g.loadNativeKernels({ cudaLibrary: join(dir, 'nope.so') }).reasons.cuda).to.match(/nope\.so is not built/);
      writeFileSync(join(dir, 'garbage.so'), 'garbage');
      expect(g.loadNativeKernels({ cudaLibrary: join(dir, 'garbage.so') }).reasons.cuda).to.match(/^cannot load .*garbage\.so: .*/);
    });

    it('DEBUG=sessionchain:kernels logs each backend; SESSIONCHAIN_NATIVE=0 leaves only the TS reference (a child process)', () => {
      const run = (env: Record<string, string>) =>
        spawnSync(process.execPath, ['--loader', 'ts-node/esm', '--no-warnings', join(ROOT, 'test', 'gpu', 'print-backends.ts')], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', ...env },
        });
      const off = run({ SESSIONCHAIN_NATIVE: '0', DEBUG: 'sessionchain:kernels' });
      expect(off.status, off.stderr).to.equal(0);
      const status = JSON.parse(off.stdout) as g.BackendStatus[];
      expect(status.filter((s) => s.available).map((s) => s.name)).to.deep.equal(['ts']);
      expect(off.stderr).to.match(/sessionchain:kernels native: unavailable — native kernels are disabled \(SESSIONCHAIN_NATIVE=0\)/);
      expect(off.stderr).to.match(/sessionchain:kernels cuda: unavailable/);
    });
  });

  describe('GPU plugins (a stub built here with g++; the real CUDA plugin)', () => {
    const stubs: Record<'missing' | 'noDevice' | 'failing', string> = { missing: '', noDevice: '', failing: '' };
    let dir: string;

    before(function () {
      dir = tempDir('aivm-stub-');
      const src = join(ROOT, 'test', 'gpu', 'native-fixtures', 'stub_plugin.cpp');
      for (const [name, define] of [['missing', '-DSTUB_MISSING'], ['noDevice', '-DSTUB_NO_DEVICE'], ['failing', '-DSTUB_FAILING']] as const) {
        stubs[name] = join(dir, `libstub_${name}.so`);
        const r = spawnSync('g++', ['-shared', '-fPIC', '-O1', define, '-o', stubs[name], src], { encoding: 'utf8' });
        if (r.error) this.skip(); // no g++: then the addon did not build either, and the tests above say so
        expect(r.status, r.stderr).to.equal(0);
      }
    });
    after(() => removeDir(dir));

    it('a library without the launchers is refused, naming what it lacks', () => {
      const opened = addon().openPlugin('cuda', stubs.missing);
      expect(opened.ok).to.equal(false);
      expect(opened.reason).to.match(/does not export lux_cuda_aivm_attestation_apply, .*lux_cuda_aivm_proof_verify, lux_cuda_aivm_last_error$/);
    });

    it('a library whose probe finds no device is refused with its reason, and setBackend says so', () => {
      const k = g.loadNativeKernels({ cudaLibrary: stubs.noDevice });
      expect(k.backends.cuda).to.equal(undefined);
      expect(k.reasons.cuda).to.match(/libstub_noDevice\.so loaded, but no cuda device is usable: stub: no device here$/);
    });

    it('launch failures fall back to the C++ kernels: buffers restored, results byte-identical, every fallback counted with its reason', () => {
      const cuda = g.loadNativeKernels({ cudaLibrary: stubs.failing }).backends.cuda ?? expect.fail('the failing stub should open');
      expect(g.conformance(cuda)).to.deep.equal([]);
      const s = cuda.stats();
      expect(s.device).to.equal('Stub GPU 0');
      expect(s.calls).to.be.greaterThan(0);
      expect(s.fallbacks).to.equal(s.calls);
      expect(s.lastError).to.match(/^proof_verify returned 700: stub launch failed; ran on the C\+\+ CPU kernels$/);
      expect(cuda.describe!()).to.match(/Stub GPU 0 \(.*libstub_failing\.so\); \d+ of \d+ calls fell back to the C\+\+ CPU kernels/);
    });

    describe('the failing stub under the parity properties', () => {
      const cuda = () => g.loadNativeKernels({ cudaLibrary: stubs.failing }).backends.cuda!;
      it('is selected by auto once registered as cuda, and the public API gives the reference bytes', () => {
        const unregister = g.registerBackend(cuda());
        try {
          expect(g.setBackend('auto')).to.equal('cuda');
          const w = g.loadModelFile(g.tinyClassifierFixtureFile());
          const input = Uint8Array.from({ length: 32 * 50 }, (_, i) => i & 0xff);
          const out = new Uint8Array(50);
          g.inferenceBatch(w, input, out);
          const want = new Uint8Array(50);
          g.tsBackend.inferenceBatch(w, input, want);
          expect(hex(out)).to.equal(hex(want));
        } finally {
          unregister();
        }
      });
      describe('properties', function () {
        before(function () {
          if (!stubs.failing) this.skip();
        });
        parityProperties({ name: 'cuda', ...lazy(cuda) });
      });
    });

    it('the real CUDA plugin built by nvcc here: it opens on a GPU, else says why (no GPU on this machine or CI)', function () {
      const r = record().cuda;
      if (!r.built) {
        expect(g.nativeKernels.reasons.cuda).to.include(r.reason.replace(/^skipped: /, ''));
        return;
      }
      const cuda = g.nativeKernels.backends.cuda;
      if (cuda) {
        expect(g.conformance(cuda)).to.deep.equal([]);
        return;
      }
      expect(g.nativeKernels.reasons.cuda).to.match(/libluxgpu_backend_cuda\.so loaded, but no cuda device is usable: cudaGetDeviceCount: /);
      expect(() => g.setBackend('cuda'))
        .to.throw(g.GpuError)
        .with.property('message')
        .that.includes(g.nativeKernels.reasons.cuda!);
    });
  });

  describe('the Metal shaders (aivm_kernels.metal) compiled as C++ through a shim: their logic equals the TS reference (Metal itself is not built or run here)', () => {
    let harness: string;
    let dir: string;
    before(function () {
      dir = tempDir('aivm-metal-');
      harness = join(dir, 'metal_harness');
      const fixtures = join(ROOT, 'test', 'gpu', 'native-fixtures');
      const r = spawnSync('g++', ['-std=c++17', '-O1', '-Wno-attributes', `-I${join(fixtures, 'metal-shim')}`, `-I${join(ROOT, 'gpu', 'native', 'include')}`, `-I${join(ROOT, 'gpu', 'native', 'metal')}`, '-o', harness, join(fixtures, 'metal_harness.cpp')], { encoding: 'utf8' });
      if (r.error) this.skip();
      expect(r.status, r.stderr).to.equal(0);
    });
    after(() => removeDir(dir));

    const u64 = (n: number) => Buffer.from(BigUint64Array.of(BigInt(n)).buffer);
    const shader = (kernel: string, ...input: Uint8Array[]) => {
      const r = spawnSync(harness, [kernel], { input: Buffer.concat(input) });
      expect(r.status, String(r.stderr)).to.equal(0);
      return new Uint8Array(r.stdout);
    };
    const RUNS = { seed: 0x3e7a1, numRuns: 25 };

    it('inference_kernel + the host scatter = inference_step', () => {
      const input = fc.tuple(gen.weights, fc.nat({ max: 16 })).chain(([w, n]) => fc.tuple(fc.constant(w), gen.inferenceOps(n, w.subarray(600, 632)), gen.rows(n), gen.bytes(n)));
      fc.assert(
        fc.property(input, ([w, ops, batchIn, batchOut]) => {
          const n = batchOut.length;
          const [out, results] = [batchOut.slice(), g.InferenceResult.alloc(n)];
          g.tsBackend.inferenceStep(w, ops, batchIn, out, results);
          expect(hex(shader('inference', w, u64(n), ops, batchIn, batchOut))).to.equal(hex(results) + hex(out));
        }),
        RUNS,
      );
    });

    it('forward_kernel = inferenceBatch', () => {
      fc.assert(
        fc.property(fc.tuple(gen.weights, fc.nat({ max: 32 })).chain(([w, n]) => fc.tuple(fc.constant(w), gen.rows(n))), ([w, rows]) => {
          const out = new Uint8Array(rows.length / 32);
          g.tsBackend.inferenceBatch(w, rows, out);
          expect(hex(shader('forward', w, u64(out.length), rows))).to.equal(hex(out));
        }),
        RUNS,
      );
    });

    it('proof_kernel = proof_verify', () => {
      fc.assert(
        fc.property(gen.proofOps, (ops) => {
          const results = g.ProofVerifyResult.alloc(ops.length / 240);
          g.tsBackend.proofVerify(ops, results);
          expect(hex(shader('proof', u64(ops.length / 240), ops))).to.equal(hex(results));
        }),
        RUNS,
      );
    });
  });

});

/** A backend whose kernels are looked up on first call (the stub is compiled in a before hook). */
function lazy(get: () => g.KernelBackend): Omit<g.KernelBackend, 'name'> {
  let b: g.KernelBackend | undefined;
  const k = () => (b ??= get());
  return {
    attestationApply: (...a) => k().attestationApply(...a),
    provenanceApply: (...a) => k().provenanceApply(...a),
    anchorApply: (...a) => k().anchorApply(...a),
    epochTransition: (...a) => k().epochTransition(...a),
    inferenceStep: (...a) => k().inferenceStep(...a),
    inferenceBatch: (...a) => k().inferenceBatch(...a),
    proofVerify: (...a) => k().proofVerify(...a),
  };
}

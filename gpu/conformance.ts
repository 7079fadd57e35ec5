/**
 * Conformance check for a non-reference backend: runs the same workloads through it and through
 * the TS reference, each on its own copy of every buffer, and reports which kernels produced
 * different bytes (returned counts, arenas, epoch state, results, outputs). It is the self-test every
 * native backend passes before it first becomes active (gpu/native/loader.ts): one that does not
 * come back clean is refused.
 */
import { tsBackend, type KernelBackend } from './backend.js';
import {
  AIVMEpochState,
  AIVMRoundDescriptor,
  AIVMTransitionResult,
  AnchorOp,
  Attestation,
  AttestationOp,
  AuditAnchor,
  InferenceOp,
  InferenceResult,
  ModelOp,
  ModelRegistryEntry,
  ProofVerifyOp,
  ProofVerifyResult,
} from './layouts.js';
import { keccak256 } from './hash.js';
import { loadModelFile, tinyClassifierFixtureFile } from './model.js';

export interface ConformanceMismatch {
  kernel: keyof Omit<KernelBackend, 'name'>;
  workload: string;
}

/** Deterministic pseudo-random bytes: keccak(label ‖ counter) blocks. */
function stream(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const tag = new TextEncoder().encode(label);
  for (let i = 0, at = 0; at < n; i++, at += 32) {
    const block = keccak256(Uint8Array.from([...tag, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff]));
    out.set(block.subarray(0, Math.min(32, n - at)), at);
  }
  return out;
}

function transitionWorkload(label: string, slots: [number, number, number], counts: [number, number, number]) {
  const [nAtt, nModel, nAnchor] = counts;
  const r = (what: string, n: number) => stream(`${label}/${what}`, n);
  const desc = AIVMRoundDescriptor.encode({
    chainId: 1n,
    round: 7n,
    timestampNs: 1_700_000_000_000_000_000n,
    epoch: 3n,
    mode: 4,
    attestationOpCount: nAtt,
    modelOpCount: nModel,
    anchorOpCount: nAnchor,
    closingFlag: 1,
    parentAivmRoot: r('parent', 32),
  });
  const atts = AttestationOp.encodeArray(
    Array.from({ length: nAtt }, (_, i) => ({
      teeQuoteDigest: r(`d${i % Math.max(1, nAtt - 3)}`, 32), // a few repeated digests: refresh path
      measurement: r(`m${i}`, 32),
      attestingKey: i % 7 === 3 ? new Uint8Array(48) : r(`k${i}`, 48),
      expiryNs: BigInt(i % 3) * 900_000_000_000_000_000n,
      kind: i % 4,
      evidenceOffset: i,
      evidenceLen: 64,
    })),
  );
  const models = ModelOp.encodeArray(
    Array.from({ length: nModel }, (_, i) => ({
      modelRoot: r(`root${i % Math.max(1, nModel >> 1)}`, 32),
      weightHash: r(`w${i}`, 32),
      licenseRoot: r(`l${i}`, 32),
      ownerAddr: r(`o${i}`, 20),
      parameterCount: BigInt(i * 1000),
      modality: i % 4,
      kind: i % 5, // includes an unknown kind
    })),
  );
  let parent: Uint8Array = new Uint8Array(32);
  const anchors = AnchorOp.encodeArray(
    Array.from({ length: nAnchor }, (_, i) => {
      const commitRoot = r(`c${i}`, 32);
      const op = { commitRoot, parentRoot: i % 11 === 5 ? r('wrong', 32) : parent, validatorSetRootAtCommit: r('v', 32), height: BigInt(i + 1), timestampNs: BigInt(i) };
      if (i % 11 !== 5) parent = commitRoot;
      return op;
    }),
  );
  return { desc, atts, models, anchors, slots };
}

function inferenceWorkload(n: number) {
  const weights = loadModelFile(tinyClassifierFixtureFile());
  const hash = weights.modelHash;
  const ops = InferenceOp.encodeArray(
    Array.from({ length: n }, (_, i) => ({
      modelHash: i % 13 === 4 ? stream('other', 32) : hash,
      policyHash: stream(`p${i}`, 32),
      salt: stream(`s${i}`, 32),
      mode: i % 3,
      inputOffset: i % 23 === 11 ? 0xffffff00 : 32 * ((i * 7) % n),
      inputLen: i % 17 === 9 ? 31 : 32,
      outputOffset: i,
      outputCapacity: i % 19 === 2 ? 0 : 1,
      roundId: BigInt(i),
      timestampNs: BigInt(i) * 1_000_000n,
    })),
  );
  return { weights, ops, input: stream('input', 32 * n), n };
}

function proofWorkload(n: number) {
  return ProofVerifyOp.encodeArray(
    Array.from({ length: n }, (_, i) => ({
      measurement: i % 5 === 1 ? new Uint8Array(32) : stream(`pm${i}`, 32),
      attestingKey: i % 5 === 2 ? new Uint8Array(48) : stream(`pk${i}`, 48),
      signature: i % 5 === 3 ? new Uint8Array(96) : stream(`ps${i}`, 96),
      messageHash: stream(`ph${i}`, 32),
      expiryNs: BigInt(i % 4) * 500n,
      timestampNs: 1000n,
      kind: i % 4,
      nonce: i,
    })),
  );
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export interface ConformanceOptions {
  /**
   * `full` (default) adds 1k-slot arenas to the small, over-filled ones. `quick` is the self-test at
   * start-up (every kernel and path, a few ms instead of ~150: the devnet starts by it); the parity
   * suites run `full` and the property tests on every build.
   */
  size?: 'quick' | 'full';
}

/** Runs the workloads through `backend` and the reference; returns the kernels that differ (empty = conformant). */
export function conformance(backend: KernelBackend, o: ConformanceOptions = {}): ConformanceMismatch[] {
  const bad: ConformanceMismatch[] = [];
  const quick = o.size === 'quick';
  const workloads = [transitionWorkload('small', [16, 8, 8], [24, 12, 12]), ...(quick ? [] : [transitionWorkload('1k', [1024, 512, 4096], [1000, 500, 300])])];
  for (const w of workloads) {
    const name = `${w.slots.join('/')} slots`;
    const arenas = () => ({
      atts: Attestation.alloc(w.slots[0]),
      models: ModelRegistryEntry.alloc(w.slots[1]),
      anchors: AuditAnchor.alloc(w.slots[2]),
      epoch: AIVMEpochState.alloc(),
      result: AIVMTransitionResult.alloc(),
    });
    const a = arenas();
    const b = arenas();
    const counts = [
      ['attestationApply', tsBackend.attestationApply(w.desc, w.atts, a.atts), backend.attestationApply(w.desc.slice(), w.atts.slice(), b.atts), a.atts, b.atts],
      ['provenanceApply', tsBackend.provenanceApply(w.desc, w.models, a.models), backend.provenanceApply(w.desc.slice(), w.models.slice(), b.models), a.models, b.models],
      ['anchorApply', tsBackend.anchorApply(w.desc, w.anchors, a.anchors), backend.anchorApply(w.desc.slice(), w.anchors.slice(), b.anchors), a.anchors, b.anchors],
    ] as const;
    for (const [kernel, na, nb, ta, tb] of counts) if (na !== nb || !same(ta, tb)) bad.push({ kernel, workload: name });
    // the epoch kernel runs on the reference's arenas (copied), so an apply mismatch does not cascade
    const e = { atts: a.atts.slice(), models: a.models.slice(), anchors: a.anchors.slice(), epoch: a.epoch.slice(), result: a.result.slice() };
    tsBackend.epochTransition(w.desc, a.atts, a.models, a.anchors, a.epoch, a.result);
    backend.epochTransition(w.desc.slice(), e.atts, e.models, e.anchors, e.epoch, e.result);
    if (![same(a.atts, e.atts), same(a.epoch, e.epoch), same(a.result, e.result)].every(Boolean)) bad.push({ kernel: 'epochTransition', workload: name });
  }

  const inf = inferenceWorkload(quick ? 64 : 256);
  const outA = new Uint8Array(inf.n);
  const outB = outA.slice();
  const resA = InferenceResult.alloc(inf.n);
  const resB = resA.slice();
  tsBackend.inferenceStep(inf.weights, inf.ops, inf.input, outA, resA);
  backend.inferenceStep(inf.weights.slice(), inf.ops.slice(), inf.input.slice(), outB, resB);
  if (!same(outA, outB) || !same(resA, resB)) bad.push({ kernel: 'inferenceStep', workload: `${inf.n} ops` });

  const nProofs = quick ? 16 : 64;
  const proofs = proofWorkload(nProofs);
  const pa = ProofVerifyResult.alloc(nProofs);
  const pb = pa.slice();
  tsBackend.proofVerify(proofs, pa);
  backend.proofVerify(proofs.slice(), pb);
  if (!same(pa, pb)) bad.push({ kernel: 'proofVerify', workload: `${nProofs} ops` });
  return bad;
}

/**
 * The pure workload-session API (vm/session/index.ts): identifiers, both Merkle trees, quorum,
 * committee assignment, the S1 codecs and attestation helpers. Expected values are computed here
 * independently (node:crypto SHA-256, hand-written trees), never read back from the implementation.
 * Each upstream test of spec session.md "Upstream tests to port" is named in its `it`.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  assignCommittee,
  attestationId,
  computeOracleRequestId,
  computeSessionId,
  decodeSession,
  decodeStep,
  detectEquivocation,
  domainSeparator,
  encodeSession,
  encodeStep,
  epochBeaconId,
  isQuorum,
  merkleProof,
  merkleRoot,
  newOracleStep,
  nodeIdFromPublicKey,
  parseWorkParams,
  DEFAULT_WORK_PARAMS,
  oracleRecordId,
  oracleRecordLeaf,
  oracleRecordsProof,
  oracleRecordsRoot,
  quorumSize,
  receiptId,
  SessionState,
  SESSION_RECORD_BASE_BYTES,
  StepKind,
  StepState,
  validateAttestationForStep,
  verifyMerkleProof,
  type OracleRecord,
} from '../../sdk/session/index.js';

const H = (...parts: (Uint8Array | string)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
  return new Uint8Array(h.digest());
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const be = (v: bigint | number, width: number) => {
  const out = Buffer.alloc(width);
  if (width === 8) out.writeBigUInt64BE(BigInt(v));
  else out.writeUInt32BE(Number(v));
  return new Uint8Array(out);
};
const id = (label: string) => H(label);
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Reference tree (a): promote an odd last node unchanged. */
function refRootA(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? H(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** Reference tree (b): leaves as given (already hashed), duplicate an odd last node. */
function refRootB(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(H(level[i]!, level[i + 1] ?? level[i]!));
    level = next;
  }
  return level[0]!;
}

describe('session work: identifiers', () => {
  it('reproduces the golden session ID from the spec', () => {
    const service = H('service');
    const tx = H('tx');
    expect(hex(service)).to.equal('9df6b026a8c6c26e3c3acd2370a16e93fffdc0015ff5bd879218788025db0280');
    expect(hex(tx)).to.equal('1b5b9ccb3e8d006a5230de9bda23ff91edc794d4f56410560830b418528e446c');
    expect(hex(computeSessionId(service, 100n, tx))).to.equal('8ab6955489e444c98ed2f73c1ef2947974a58e3e3b25443f9f53cfe8dea08fea');
  });

  it('TestComputeSessionID: deterministic, and epoch or service change the ID', () => {
    fc.assert(
      fc.property(bytes32, bytes32, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (service, tx, epoch) => {
        const a = computeSessionId(service, epoch, tx);
        expect(hex(a)).to.equal(hex(H('LUX:Session:v1', service, be(epoch, 8), tx)));
        expect(hex(computeSessionId(service, epoch, tx))).to.equal(hex(a));
        expect(hex(computeSessionId(service, epoch ^ 1n, tx))).to.not.equal(hex(a));
        const other = service.slice();
        other[0]! ^= 1;
        expect(hex(computeSessionId(other, epoch, tx))).to.not.equal(hex(a));
      }),
      { numRuns: 50 },
    );
  });

  it('TestComputeRequestID: deterministic, and step, retry or service change the ID', () => {
    const service = id('svc');
    const session = id('sess');
    const tx = id('tx');
    const base = computeOracleRequestId(service, session, 3, 0, tx);
    expect(hex(base)).to.equal(hex(H('LUX:OracleRequest:v1', service, session, be(3, 4), be(0, 4), tx)));
    expect(hex(computeOracleRequestId(service, session, 3, 0, tx))).to.equal(hex(base));
    expect(hex(computeOracleRequestId(service, session, 4, 0, tx))).to.not.equal(hex(base));
    expect(hex(computeOracleRequestId(service, session, 3, 1, tx))).to.not.equal(hex(base));
    expect(hex(computeOracleRequestId(id('svc2'), session, 3, 0, tx))).to.not.equal(hex(base));
    // step and retry are distinct positions: (1, 2) and (2, 1) differ
    expect(hex(computeOracleRequestId(service, session, 1, 2, tx))).to.not.equal(hex(computeOracleRequestId(service, session, 2, 1, tx)));
  });

  it('computes the attestation, record, receipt and beacon IDs with the spec preimages', () => {
    const [s, c, m, a, b] = ['s', 'c', 'm', 'a', 'b'].map(id) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expect(hex(attestationId('oracle/read', s, c, 7n))).to.equal(hex(H('LUX:QuantumAttest:oracle/read:v1', s, c, be(7, 8))));
    const data = new Uint8Array([1, 2, 3]);
    expect(hex(oracleRecordId(s, a, data))).to.equal(hex(H(s, a, H(data))));
    expect(hex(receiptId(s, 9, m, a, b))).to.equal(hex(H('LUX:Receipt:v1', s, be(9, 4), m, a, b)));
    expect(hex(epochBeaconId(12n, c, s))).to.equal(hex(H('LUX:EpochBeacon:v1', be(12, 8), c, s)));
  });

  it('TestE2E_AttestationDomainSeparation: the four separators and their IDs all differ', () => {
    const domains = ['oracle/write', 'oracle/read', 'session/complete', 'epoch/beacon'] as const;
    const seps = domains.map((d) => Buffer.from(domainSeparator(d)).toString());
    expect(seps).to.deep.equal(domains.map((d) => `LUX:QuantumAttest:${d}:v1`));
    const ids = domains.map((d) => hex(attestationId(d, id('subject'), id('commit'), 1n)));
    expect(new Set(ids).size).to.equal(4);
  });

  it('derives a node ID as SHA256("LUX:ServiceNode:v1" ‖ ML-DSA-65 public key)', () => {
    const pk = new Uint8Array(1952).map((_, i) => i & 0xff);
    expect(hex(nodeIdFromPublicKey(pk))).to.equal(hex(H('LUX:ServiceNode:v1', pk)));
    expect(() => nodeIdFromPublicKey(new Uint8Array(1951))).to.throw().with.property('name', 'InvalidPublicKey');
  });

  it('refuses unknown domains and wrongly sized IDs with named errors', () => {
    expect(() => attestationId('oracle/unknown' as never, id('s'), id('c'), 1n)).to.throw().with.property('name', 'UnknownDomain');
    expect(() => computeSessionId(new Uint8Array(31), 1n, id('t'))).to.throw().with.property('name', 'InvalidId');
    expect(() => computeSessionId(id('s'), -1n, id('t'))).to.throw().with.property('name', 'InvalidInteger');
    expect(() => computeSessionId(id('s'), 1n << 64n, id('t'))).to.throw().with.property('name', 'InvalidInteger');
    expect(() => computeOracleRequestId(id('s'), id('x'), 2 ** 32, 0, id('t'))).to.throw().with.property('name', 'InvalidInteger');
  });
});

describe('session work: Merkle trees', () => {
  it('TestComputeMerkleRoot: empty gives zero, one leaf gives the leaf, deterministic', () => {
    expect(hex(merkleRoot([]))).to.equal('00'.repeat(32));
    const leaf = id('only');
    expect(hex(merkleRoot([leaf]))).to.equal(hex(leaf));
    const leaves = ['a', 'b', 'c'].map(id);
    expect(hex(merkleRoot(leaves))).to.equal(hex(merkleRoot(leaves.map((l) => l.slice()))));
  });

  it('tree (a) promotes an odd node; tree (b) duplicates it (the trees differ for 3 leaves)', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(id) as [Uint8Array, Uint8Array, Uint8Array];
    expect(hex(merkleRoot([a, b, c]))).to.equal(hex(H(H(a, b), c)));
    const records: OracleRecord[] = [a, b, c].map((r, i) => ({ requestId: r, executor: new Uint8Array(20).fill(i + 1), timestamp: 1000n + BigInt(i), endpoint: 'https://x', bodyHash: H(`body${i}`), resultCode: 200, externalRef: '' }));
    const leaves = records.map(oracleRecordLeaf);
    expect(hex(oracleRecordsRoot(records))).to.equal(hex(H(H(leaves[0]!, leaves[1]!), H(leaves[2]!, leaves[2]!))));
    expect(hex(merkleRoot(leaves))).to.not.equal(hex(oracleRecordsRoot(records)));
  });

  it('tree (b) leaf is SHA256 of request ‖ executor(20) ‖ u64 ts ‖ endpoint ‖ body hash ‖ u32 code ‖ ref', () => {
    const r: OracleRecord = { requestId: id('req'), executor: new Uint8Array(20).fill(7), timestamp: 1_700_000_000_000n, endpoint: 'GET https://api', bodyHash: id('body'), resultCode: 404, externalRef: 'ref-1' };
    expect(hex(oracleRecordLeaf(r))).to.equal(hex(H(r.requestId, r.executor, be(r.timestamp as bigint, 8), 'GET https://api', r.bodyHash, be(404, 4), 'ref-1')));
    expect(() => oracleRecordLeaf({ ...r, executor: new Uint8Array(32) })).to.throw().with.property('name', 'InvalidId');
    // a record may also be given as its preimage bytes
    const pre = new Uint8Array([...r.requestId, ...r.executor, ...be(r.timestamp as bigint, 8), ...Buffer.from('GET https://api'), ...r.bodyHash, ...be(404, 4), ...Buffer.from('ref-1')]);
    expect(hex(oracleRecordsRoot([pre, r]))).to.equal(hex(H(oracleRecordLeaf(r), oracleRecordLeaf(r))));
  });

  it('both roots match independent references and every proof verifies (property)', () => {
    fc.assert(
      fc.property(fc.array(bytes32, { minLength: 1, maxLength: 40 }), fc.nat(), (leaves, pick) => {
        expect(hex(merkleRoot(leaves))).to.equal(hex(refRootA(leaves)));
        const records: OracleRecord[] = leaves.map((l, i) => ({ requestId: l, executor: l.subarray(0, 20), timestamp: BigInt(i), endpoint: '', bodyHash: l, resultCode: i, externalRef: new Uint8Array(0) }));
        const recLeaves = records.map(oracleRecordLeaf);
        const rootB = oracleRecordsRoot(records);
        expect(hex(rootB)).to.equal(hex(refRootB(recLeaves)));
        const i = pick % leaves.length;
        const pa = merkleProof(leaves, i);
        expect(pa.leafIndex).to.equal(i);
        expect(verifyMerkleProof(leaves[i]!, pa, refRootA(leaves))).to.equal(true);
        const pb = oracleRecordsProof(records, i);
        expect(verifyMerkleProof(recLeaves[i]!, pb, rootB)).to.equal(true);
        // tampering with the leaf or a sibling breaks the proof
        const bad = leaves[i]!.slice();
        bad[31]! ^= 1;
        expect(verifyMerkleProof(bad, pa, refRootA(leaves))).to.equal(false);
        if (pa.siblings.length > 0) {
          const sib = pa.siblings.map((s) => s.slice());
          sib[0]![0]! ^= 0x80;
          expect(verifyMerkleProof(leaves[i]!, { ...pa, siblings: sib }, refRootA(leaves))).to.equal(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('TestE2E_OracleWorkflow: changing one record changes the root', () => {
    const records: OracleRecord[] = [0, 1, 2, 3].map((i) => ({ requestId: id('req'), executor: new Uint8Array(20).fill(i), timestamp: 5n, endpoint: 'e', bodyHash: id(`b${i}`), resultCode: 200, externalRef: '' }));
    const root = hex(oracleRecordsRoot(records));
    for (const change of [{ resultCode: 500 }, { bodyHash: id('other') }, { timestamp: 6n }, { endpoint: 'f' }, { externalRef: 'x' }]) {
      const altered = records.map((r, i) => (i === 2 ? { ...r, ...change } : r));
      expect(hex(oracleRecordsRoot(altered))).to.not.equal(root);
    }
    expect(hex(merkleRoot(records.map((r) => r.bodyHash)))).to.not.equal(hex(merkleRoot([...records.slice(0, 3).map((r) => r.bodyHash), id('b9')])));
  });

  it('rejects bad leaves and out-of-range proof indices', () => {
    expect(() => merkleRoot([new Uint8Array(31)])).to.throw().with.property('name', 'InvalidId');
    expect(() => merkleProof([id('a')], 1)).to.throw().with.property('name', 'IndexOutOfRange');
    expect(verifyMerkleProof(id('a'), { leafIndex: 0, siblings: [id('b')], isLeft: [] }, id('c'))).to.equal(false);
    expect(() => merkleRoot('abc' as never)).to.throw().with.property('name', 'InvalidArgument');
    expect(() => oracleRecordsRoot({} as never)).to.throw().with.property('name', 'InvalidArgument');
  });
});

describe('session work: quorum and committees', () => {
  it('TestQuorumSize: the spec values and the float formula for n ≤ 100000', () => {
    const table: [number, number][] = [[3, 3], [4, 3], [5, 4], [7, 5], [10, 7], [13, 9], [21, 15], [100, 68]];
    for (const [n, q] of table) expect(quorumSize(n), `n=${n}`).to.equal(q);
    for (let n = 0; n <= 100_000; n++) {
      const float = Math.min(n, Math.floor(n * 0.67) + 1);
      if (quorumSize(n) !== float) expect.fail(`n=${n}: ${quorumSize(n)} != ${float}`);
    }
    expect(quorumSize(21n)).to.equal(15n);
  });

  it('TestIsQuorum: quorum−1 fails, quorum and quorum+1 pass', () => {
    for (const n of [3, 4, 7, 10, 21, 100]) {
      const q = quorumSize(n);
      expect(isQuorum(q - 1, n)).to.equal(false);
      expect(isQuorum(q, n)).to.equal(true);
      expect(isQuorum(q + 1, n)).to.equal(true);
    }
  });

  it('TestAssignCommittee: sorted by SHA256(seed ‖ node), capped at max, independent of input order', () => {
    const rand = id('randomness');
    const service = id('service');
    const nodes = Array.from({ length: 30 }, (_, i) => id(`node${i}`));
    const seed = H(rand, service, be(9, 8));
    const expected = [...nodes].sort((x, y) => Buffer.compare(Buffer.from(H(seed, x)), Buffer.from(H(seed, y)))).slice(0, 21).map(hex);
    expect(assignCommittee(rand, service, 9n, nodes).map(hex)).to.deep.equal(expected);
    expect(assignCommittee(rand, service, 9n, [...nodes].reverse()).map(hex)).to.deep.equal(expected);
    expect(assignCommittee(rand, service, 9n, nodes, { min: 3, max: 5 }).map(hex)).to.deep.equal(expected.slice(0, 5));
    expect(assignCommittee(rand, service, 10n, nodes).map(hex)).to.not.deep.equal(expected);
    expect(assignCommittee(rand, service, 9n, nodes.slice(0, 4)).length).to.equal(4);
  });

  it('TestAssignCommittee_NotEnoughNodes: min 5 with 3 nodes is an error', () => {
    const nodes = [0, 1, 2].map((i) => id(`n${i}`));
    expect(() => assignCommittee(id('r'), id('s'), 1n, nodes, { min: 5, max: 21 })).to.throw(/not enough eligible nodes/).with.property('name', 'NotEnoughNodes');
    expect(() => assignCommittee(id('r'), id('s'), 1n, nodes, { min: 3, max: 2 })).to.throw().with.property('name', 'InvalidArgument');
  });
});

describe('session work: codecs and steps', () => {
  it('TestNewOracleStep: request ID from the session, index, retry and tx; pending; oracle kind only', () => {
    const s = newOracleStep({ serviceId: id('svc'), sessionId: id('sess'), stepIndex: 2, kind: StepKind.read_external, txId: id('tx'), inputHash: id('in') });
    expect(hex(s.requestId)).to.equal(hex(H('LUX:OracleRequest:v1', id('svc'), id('sess'), be(2, 4), be(0, 4), id('tx'))));
    expect(s.state).to.equal(StepState.pending);
    expect(s.retryIndex).to.equal(0);
    expect(hex(s.inputHash)).to.equal(hex(id('in')));
    expect(() => newOracleStep({ serviceId: id('svc'), sessionId: id('sess'), stepIndex: 0, kind: StepKind.compute, txId: id('tx'), inputHash: id('in') })).to.throw().with.property('name', 'InvalidStepKind');
  });

  it('step records are 218 bytes and round-trip (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          stepIndex: fc.nat({ max: 0xffffffff }),
          kind: fc.constantFrom(0, 1, 2),
          requestId: bytes32,
          retryIndex: fc.nat({ max: 0xffffffff }),
          txId: bytes32,
          inputHash: bytes32,
          outputHash: bytes32,
          oracleCommitRoot: bytes32,
          attestationId: bytes32,
          state: fc.constantFrom(0, 1, 2, 3, 4),
          startedAt: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          completedAt: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        }),
        (step) => {
          const enc = encodeStep(step as never);
          expect(enc.length).to.equal(218);
          expect(decodeStep(enc)).to.deep.equal(step);
          expect(enc[4]).to.equal(step.kind);
          expect(Buffer.from(enc.subarray(0, 4)).readUInt32BE()).to.equal(step.stepIndex);
        },
      ),
      { numRuns: 100 },
    );
    expect(() => decodeStep(new Uint8Array(217))).to.throw().with.property('name', 'InvalidEncoding');
  });

  it('TestE2E_StorageSessionStore: a 2-member session with no error is 261 bytes; id, service, epoch, state round-trip', () => {
    const session = { sessionId: id('sid'), serviceId: id('svc'), epoch: 42n, committee: [id('m1'), id('m2')], state: SessionState.running, currentStep: 3, outputHash: id('o'), oracleRoot: id('or'), receiptsRoot: id('rr'), createdAt: 1_700_000_000_000_000_000n, finalizedAt: 0n, error: '' };
    const enc = encodeSession(session);
    expect(enc.length).to.equal(261);
    const dec = decodeSession(enc);
    expect(hex(dec.sessionId)).to.equal(hex(session.sessionId));
    expect(hex(dec.serviceId)).to.equal(hex(session.serviceId));
    expect(dec.epoch).to.equal(42n);
    expect(dec.state).to.equal(SessionState.running);
    expect(dec).to.deep.equal(session);
    // field positions: epoch right after the two IDs, committee count after it
    expect(Buffer.from(enc.subarray(64, 72)).readBigUInt64BE()).to.equal(42n);
    expect(Buffer.from(enc.subarray(72, 76)).readUInt32BE()).to.equal(2);
    // states by name, errors and negative (pre-1970) times round-trip too
    const failed = decodeSession(encodeSession({ ...session, state: 'failed', error: 'step 1 timed out', createdAt: -5n }));
    expect([failed.state, failed.error, failed.createdAt]).to.deep.equal([SessionState.failed, 'step 1 timed out', -5n]);
    expect(() => decodeSession(enc.subarray(0, 260))).to.throw().with.property('name', 'InvalidEncoding');
    expect(() => decodeSession(new Uint8Array([...enc, 0]))).to.throw().with.property('name', 'InvalidEncoding');
  });

  it('SESSION_RECORD_BASE_BYTES is what an encoded record is without members and error text (197), and each adds its bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.string({ maxLength: 40 }), (n, error) => {
        const committee = Array.from({ length: n }, (_, i) => id(`m${i}`));
        const enc = encodeSession({ sessionId: id('s'), epoch: 1n, committee, error });
        expect(enc.length).to.equal(SESSION_RECORD_BASE_BYTES + 32 * n + Buffer.byteLength(error, 'utf8'));
      }),
      { numRuns: 50, seed: 13 },
    );
    expect(SESSION_RECORD_BASE_BYTES).to.equal(encodeSession({ sessionId: id('s'), epoch: 0n }).length);
    expect(SESSION_RECORD_BASE_BYTES).to.equal(197);
  });
});

describe('session work: attestations', () => {
  it('TestValidateAttestationForStep: a wrong domain or subject is rejected; compute steps need none', () => {
    const step = { kind: StepKind.read_external, requestId: id('req') } as const;
    expect(() => validateAttestationForStep(step, { domain: 'oracle/read', subjectId: id('req') })).to.not.throw();
    expect(() => validateAttestationForStep(step, { domain: 'oracle/write', subjectId: id('req') })).to.throw().with.property('name', 'WrongDomain');
    expect(() => validateAttestationForStep(step, { domain: 'oracle/read', subjectId: id('other') })).to.throw().with.property('name', 'WrongSubject');
    expect(() => validateAttestationForStep({ kind: StepKind.write_external, requestId: id('req') }, { domain: 'oracle/write', subjectId: id('req') })).to.not.throw();
    expect(() => validateAttestationForStep({ kind: StepKind.compute, requestId: id('req') }, { domain: 'oracle/read', subjectId: id('req') })).to.throw(/does not require attestation/).with.property('name', 'ComputeStepNoAttestation');
  });

  it('TestE2E_EquivocationDetection: same domain and subject, different commits, a shared signer', () => {
    const [n1, n2, n3] = ['n1', 'n2', 'n3'].map(id) as [Uint8Array, Uint8Array, Uint8Array];
    const a1 = { domain: 'oracle/read', subjectId: id('req'), commitRoot: id('root1'), epoch: 1n, signers: [n1, n2] };
    const a2 = { ...a1, commitRoot: id('root2'), signers: [n3, n2, n1] };
    const ev = detectEquivocation(a1, a2);
    expect(ev).to.not.equal(null);
    expect(hex(ev!.signer)).to.equal(hex(n2)); // first signer of a2 that also signed a1
    expect(detectEquivocation(a1, { ...a2, commitRoot: a1.commitRoot })).to.equal(null);
    expect(detectEquivocation(a1, { ...a2, signers: [n3] })).to.equal(null);
    expect(detectEquivocation(a1, { ...a2, domain: 'oracle/write' })).to.equal(null);
    expect(detectEquivocation(a1, { ...a2, subjectId: id('req2') })).to.equal(null);
    expect(detectEquivocation(a1, { ...a2, epoch: 2n })).to.not.equal(null); // S1 ignores the epoch
  });
});

describe('session work: genesis parameters', () => {
  it('defaults every field and refuses unknown or out-of-range ones', () => {
    expect(parseWorkParams({})).to.deep.equal(DEFAULT_WORK_PARAMS);
    const p = parseWorkParams({ minStake: '5', epochBlocks: 10, committeeMin: 4, committeeMax: 7 });
    expect([p.minStake, p.epochBlocks, p.committeeMin, p.committeeMax]).to.deep.equal([5n, 10n, 4, 7]);
    expect(() => parseWorkParams({ minstake: 1 })).to.throw(/unknown sessionwork parameter/);
    expect(() => parseWorkParams({ epochBlocks: 0 })).to.throw(/epochBlocks/);
    expect(() => parseWorkParams({ committeeMin: 5, committeeMax: 4 })).to.throw(/committeeMin/);
    expect(() => parseWorkParams({ committeeMax: 33 })).to.throw(/committeeMax/);
    expect(() => parseWorkParams({ reporterRewardBps: 10001 })).to.throw(/reporterRewardBps/);
    expect(() => parseWorkParams({ genesisRandomness: '0x12' })).to.throw(/genesisRandomness/);
    expect(() => parseWorkParams([])).to.throw(/must be an object/);
  });
});

/**
 * TEE-accelerated optimistic tasks (spec §2.9 [P]): attestations registered through
 * attestation_apply after a real BLS12-381 check (48-byte key, 96-byte signature), allow-listed
 * measurements shortening the challenge window to max(min, window × (100 − trust) / 100), the bond
 * never waived, and expiry marked by epoch_transition.
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type DevChain, type Signer } from '../../sdk/chain.js';
import { attestationMessage, Mode, signAttestation } from '../../sdk/aivm/index.js';
import { accountsOf, aivmChain, blsSecret, at, checkConservation, failed, fundedSigners, h32, head, ok, ONE, task, type Call } from './harness.js';

const K = (...p: Uint8Array[]) => new Uint8Array(keccak_256(Buffer.concat(p)));
const skOf = blsSecret;
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

describe('aivm TEE attestations and accelerated windows', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let owner: Signer, requester: Signer;
  let attested: Signer[];
  let plain: Signer;
  let accounts: string[];
  let supply: bigint;
  const check = async () => {
    supply = await checkConservation(chain, accounts as never, supply);
  };
  const spec = h32(0x7e);
  const measurement = h32(0x4d);
  let nowNs: bigint;
  let rs: ReturnType<typeof at> extends Promise<infer R> ? R : never;
  let bindings: { digest: Uint8Array; key: Uint8Array; sig: Uint8Array; message: Uint8Array }[];

  const attestation = (p: Signer, tag: string, opts: { measurement?: Uint8Array; expiryNs?: bigint; kind?: number; signWith?: string; digest?: Uint8Array } = {}) => {
    const digest = opts.digest ?? K(new TextEncoder().encode(`quote/${tag}`));
    const m = opts.measurement ?? measurement;
    const expiryNs = opts.expiryNs ?? nowNs + 3_600_000_000_000n;
    const kind = opts.kind ?? 2;
    const message = attestationMessage({ chainId: chain.chainId, provider: p.address, digest, measurement: m, expiryNs, kind });
    const { attestingKey } = signAttestation(skOf(tag), message);
    const { signature } = signAttestation(skOf(opts.signWith ?? tag), message);
    return { call: [p, 'registerAttestation', { digest, measurement: m, attestingKey, signature, expiryNs, kind }] as Call, digest, key: attestingKey, sig: signature, message };
  };

  before(async () => {
    chain = await aivmChain({ challengeWindowBlocks: '100', minChallengeWindowBlocks: '10', postBlocks: '5' });
    [owner, requester] = await fundedSigners(chain, 't-people', 2, 100n * ONE);
    attested = await fundedSigners(chain, 't-att', 3);
    [plain] = await fundedSigners(chain, 't-plain', 1);
    accounts = accountsOf(chain, [owner!, requester!, ...attested, plain!]);
    supply = await checkConservation(chain, accounts as never);
    const setup: Call[] = [[owner!, 'registerModel', { modelRoot: spec, weightHash: h32(0x55), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file: new Uint8Array(0) }]];
    [...attested, plain!].forEach((p, i) => setup.push([p, 'registerProvider', { stake: ONE, spec, endpoint: h32(i + 1), gpuModel: 'H100' }]));
    (await at(chain, head(chain) + 1n, setup, check)).forEach(ok);
    nowNs = chain.node.chain.headHeader.timestamp * 1_000_000n;

    const good = attested.map((p, i) => attestation(p, `att-${i}`, i === 2 ? { expiryNs: nowNs + 30_000_000_000n } : {}));
    bindings = good.map((g) => ({ digest: g.digest, key: g.key, sig: g.sig, message: g.message }));
    rs = await at(
      chain,
      head(chain) + 1n,
      [
        [owner!, 'allowMeasurement', { spec, measurement, trust: 80 }],
        ...good.map((g) => g.call),
        attestation(plain!, 'bad-sig', { signWith: 'someone-else' }).call,
        attestation(plain!, 'zero-m', { measurement: new Uint8Array(32) }).call,
        attestation(plain!, 'expired', { expiryNs: nowNs - 1n }).call,
        attestation(plain!, 'kind', { kind: 9 }).call,
        attestation(plain!, 'zero-digest', { digest: new Uint8Array(32) }).call,
        attestation(requester!, 'not-provider').call,
        attestation(plain!, 'taken', { digest: good[0]!.digest }).call,
        [plain!, 'allowMeasurement', { spec, measurement: h32(0x4e), trust: 100 }],
        [owner!, 'allowMeasurement', { spec, measurement: h32(0x4e), trust: 101 }],
        [owner!, 'allowMeasurement', { spec, measurement: new Uint8Array(32), trust: 10 }],
        [owner!, 'allowMeasurement', { spec: h32(0x7f), measurement, trust: 10 }],
      ],
      check,
    );
  });
  after(async () => chain?.stop());

  it('valid attestations register, and the binding hash is proof_verify’s K(measurement ‖ key ‖ sig ‖ message ‖ u32 nonce)', () => {
    rs.slice(0, 4).forEach(ok);
    for (let i = 0; i < 3; i++) {
      const b = bindings[i]!;
      expect(rs[1 + i]!.result).to.deep.equal(K(measurement, b.key, b.sig, b.message, le32(0)));
      expect(b.key.length).to.equal(48);
      expect(b.sig.length).to.equal(96);
    }
  });

  it('refuses bad signatures, zero measurements, expired quotes, unknown kinds, empty digests, non-providers and taken digests', () => {
    ['InvalidAttestationSignature', 'AttestationRejected', 'AttestationRejected', 'UnknownAttestationKind', 'EmptyQuoteDigest', 'OperatorUnknown', 'AttestationDigestTaken'].forEach((name, i) => failed(rs[4 + i]!, name));
    expect(rs[5]!.receipt.errorMessage).to.match(/measurement is zero/);
    expect(rs[6]!.receipt.errorMessage).to.match(/expired/);
  });

  it('allow-lists belong to the model owner and take trust 0..100', () => {
    ['NotModelOwner', 'InvalidTrust', 'EmptyMeasurement', 'ModelUnknown'].forEach((name, i) => failed(rs[11 + i]!, name));
  });

  it('attestation_apply ran in the round: 3 applied, 3 active; trust is visible for attested providers only', async () => {
    const result = (await chain.call<Uint8Array>('aivm', 'roundResult'))!;
    const v = new DataView(result.buffer, result.byteOffset);
    expect(v.getUint32(4, true)).to.equal(3);
    expect(v.getUint32(16, true)).to.equal(3);
    for (const p of attested) expect(await chain.call('aivm', 'teeTrust', { provider: p.address, spec })).to.equal(80);
    expect(await chain.call('aivm', 'teeTrust', { provider: plain.address, spec })).to.equal(null);
  });

  it('TEE tasks go to attested providers and get max(10, 100 × 20 / 100) = 20 blocks; the bond is still required', async () => {
    const submit = (mode: number): Call => [requester, 'submitTask', { mode, spec, prompt: h32(0x99), input: new Uint8Array(0), n: 1, threshold: 1, reward: ONE, fee: 10n ** 16n }];
    const created = await at(chain, head(chain) + 1n, [submit(Mode.TEEAttested), submit(Mode.TEEAttested), submit(Mode.TEEAttested), submit(Mode.Optimistic)], check);
    created.forEach(ok);
    const views = await Promise.all(created.map((c) => task(chain, c.result as Uint8Array)));
    for (const v of views.slice(0, 3)) expect(attested.map((a) => a.address)).to.include(v.selected[0]);
    const signerOf = (a: string) => [...attested, plain].find((s) => s.address === a)!;
    const post = (i: number, bond: bigint): Call => [signerOf(views[i]!.selected[0]!), 'submitResult', { taskId: created[i]!.result, outputHash: h32(0x10 + i), bond, computeMs: 1n, proof: new Uint8Array(32) }];
    const h = head(chain) + 1n;
    const posted = await at(chain, h, [post(0, ONE - 1n), post(1, ONE), post(3, ONE)], check);
    failed(posted[0]!, 'BondTooLow');
    ok(posted[1]!);
    expect(posted[1]!.result).to.equal(h + 20n);
    ok(posted[2]!);
    expect(posted[2]!.result).to.equal(h + 100n); // plain optimistic tasks keep the full window
  });

  it('an attestation past its expiry is marked expired by the round and stops counting', async () => {
    chain.increaseTime(60);
    await chain.mine(1);
    const epoch = (await chain.call<Uint8Array>('aivm', 'epochState'))!;
    const v = new DataView(epoch.buffer, epoch.byteOffset);
    expect(v.getBigUint64(16, true)).to.equal(2n); // total_active_attestations
    expect(v.getUint32(28, true)).to.equal(1); // expired_attestation_count
    expect(await chain.call('aivm', 'teeTrust', { provider: attested[2]!.address, spec })).to.equal(null);
    const [r] = await at(chain, head(chain) + 1n, [[requester, 'submitTask', { mode: Mode.TEEAttested, spec, prompt: h32(0x98), input: new Uint8Array(0), n: 1, threshold: 1, reward: ONE, fee: 10n ** 16n }]], check);
    failed(r!, 'EligibleBelowMargin');
  });
});

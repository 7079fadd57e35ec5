/**
 * Rules 2 (issue 13, acceptance 2): the TEE chain of trust. The genesis lists vendor root keys (the
 * dev genesis: the devnet vendor, whose secret is public); a vendor certificate binds an attesting
 * key to a measurement, a kind and an expiry; only a certified key's attestation counts, and never
 * past its certificate. `requireTee` (per model, and a task in mode 2) keeps non-TEE providers out of
 * the draw and refuses their results.
 */
import { expect } from 'chai';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type DevChain, type Signer } from '../../sdk/chain.js';
import { AIVM_RULES, attestationMessage, chainIdFromString, intentId, DEV_TEE_VENDOR, issueTeeCertificate, Mode, parseAivmParams, signAttestation, teeCertificateMessage } from '../../sdk/aivm/index.js';
import { accountsOf, aivmChain, blsSecret, at, checkConservation, failed, fundedSigners, h32, head, ok, ONE, task, type Call } from './harness.js';

const K = (...p: Uint8Array[]) => new Uint8Array(keccak_256(Buffer.concat(p)));
const skOf = blsSecret;
const HOUR_NS = 3_600_000_000_000n;

describe('aivm rules 2: TEE vendor certificates and requireTee', function () {
  this.timeout(120_000);
  let chain: DevChain;
  let owner: Signer, requester: Signer, stranger: Signer;
  let tee: Signer[];
  let plain: Signer;
  let accounts: string[];
  let supply: bigint;
  const check = async () => {
    supply = await checkConservation(chain, accounts as never, supply);
  };
  const spec = h32(0x7e);
  const strict = h32(0x7f); // a model that requires TEE
  const measurement = h32(0x4d);
  let nowNs: bigint;

  const certify = (tag: string, o: { measurement?: Uint8Array; kind?: number; notAfterNs?: bigint; vendorSecret?: Uint8Array; claimVendor?: Uint8Array } = {}): Call & { key?: Uint8Array } => {
    const attestingKey = signAttestation(skOf(tag), new Uint8Array(32)).attestingKey;
    const fields = { attestingKey, measurement: o.measurement ?? measurement, kind: o.kind ?? 2, notAfterNs: o.notAfterNs ?? nowNs + HOUR_NS };
    const cert = issueTeeCertificate(o.vendorSecret ?? DEV_TEE_VENDOR.secretKey, fields);
    return [stranger, 'certifyAttestingKey', { ...fields, vendorKey: o.claimVendor ?? cert.vendorKey, signature: cert.signature }];
  };
  const attest = (p: Signer, tag: string, o: { measurement?: Uint8Array; kind?: number; expiryNs?: bigint; quote?: string } = {}): Call => {
    const digest = K(new TextEncoder().encode(`quote/${o.quote ?? tag}`));
    const m = o.measurement ?? measurement;
    const expiryNs = o.expiryNs ?? nowNs + 10n * HOUR_NS;
    const kind = o.kind ?? 2;
    const { attestingKey, signature } = signAttestation(skOf(tag), attestationMessage({ chainId: chain.chainId, provider: p.address, digest, measurement: m, expiryNs, kind }));
    return [p, 'registerAttestation', { digest, measurement: m, attestingKey, signature, expiryNs, kind }];
  };
  const trust = (p: Signer, s = spec) => chain.call('aivm', 'teeTrust', { provider: p.address, spec: s });

  before(async () => {
    chain = await aivmChain({ version: AIVM_RULES.trust, challengeWindowBlocks: '100', minChallengeWindowBlocks: '10', postBlocks: '5' });
    [owner, requester, stranger] = await fundedSigners(chain, 'tt-people', 3, 100n * ONE);
    tee = await fundedSigners(chain, 'tt-tee', 5);
    [plain] = await fundedSigners(chain, 'tt-plain', 1);
    accounts = accountsOf(chain, [owner!, requester!, stranger!, ...tee, plain!]);
    supply = await checkConservation(chain, accounts as never);
    const setup: Call[] = [];
    for (const m of [spec, strict]) setup.push([owner!, 'registerModel', { modelRoot: m, weightHash: h32(0x55), licenseRoot: h32(1), parameterCount: 1n, modality: 0, file: new Uint8Array(0) }]);
    tee.forEach((p, i) => setup.push([p, 'registerProvider', { stake: ONE, spec: i < 3 ? spec : strict, endpoint: h32(i + 1), gpuModel: 'H100' }]));
    setup.push([plain!, 'registerProvider', { stake: ONE, spec, endpoint: h32(9), gpuModel: 'H100' }]);
    (await at(chain, head(chain) + 1n, setup, check)).forEach(ok);
    nowNs = chain.node.chain.headHeader.timestamp * 1_000_000n;
  });
  after(async () => chain?.stop());

  it('the genesis parameter: the dev genesis lists the devnet vendor; a key that is not a G1 point is refused', async () => {
    const g = await chain.node.query(chain.address('aivm'), 'rulesVersion', {});
    expect(g).to.equal(2);
    expect(parseAivmParams({ teeVendorKeys: [{ name: 'v', publicKey: '0x' + Buffer.from(DEV_TEE_VENDOR.publicKey).toString('hex') }] }).teeVendorKeys).to.have.length(1);
    expect(() => parseAivmParams({ teeVendorKeys: [{ name: 'v', publicKey: '0x12' }] })).to.throw(/teeVendorKeys\[0\]\.publicKey must be a 48-byte BLS12-381 G1 point/);
    expect(() => parseAivmParams({ teeVendorKeys: [{ publicKey: '0x12' }] })).to.throw(/name/);
    expect(() => parseAivmParams({ version: 3 })).to.throw(/version/);
  });

  it('certificates: a vendor the genesis does not list, a forged or expired certificate, a zero measurement and an unknown kind are refused; a good one is recorded', async () => {
    const rs = await at(
      chain,
      head(chain) + 1n,
      [
        certify('att-0'),
        certify('rogue', { vendorSecret: skOf('rogue vendor') }),
        certify('forged', { vendorSecret: skOf('rogue vendor'), claimVendor: DEV_TEE_VENDOR.publicKey }),
        certify('old', { notAfterNs: nowNs - 1n }),
        certify('zero', { measurement: new Uint8Array(32) }),
        certify('kind', { kind: 9 }),
      ],
      check,
    );
    ok(rs[0]!);
    expect(rs[0]!.receipt.events.map((e) => e.name)).to.deep.equal(['AttestingKeyCertified']);
    ['UnknownTeeVendor', 'InvalidCertificateSignature', 'CertificateExpired', 'EmptyMeasurement', 'UnknownAttestationKind'].forEach((name, i) => failed(rs[1 + i]!, name));
    const key = signAttestation(skOf('att-0'), new Uint8Array(32)).attestingKey;
    const cert = await chain.call<any>('aivm', 'teeCertificate', { attestingKey: key });
    expect([cert.measurement, cert.kind, cert.vendorKey]).to.deep.equal([measurement, 2, DEV_TEE_VENDOR.publicKey]);
    const fields = { attestingKey: key, measurement, kind: 2, notAfterNs: cert.notAfterNs };
    expect(teeCertificateMessage(fields).length).to.equal(32);
    // The signed message binds every field: a certificate cannot be moved to another kind, expiry or measurement.
    const signed = Buffer.from(teeCertificateMessage(fields)).toString('hex');
    for (const other of [{ kind: 1 }, { notAfterNs: cert.notAfterNs + 1n }, { measurement: h32(99) }]) {
      expect(Buffer.from(teeCertificateMessage({ ...fields, ...other })).toString('hex')).to.not.equal(signed);
    }
  });

  it('acceptance 2: a self-made key, a wrong-measurement or wrong-kind certificate, and an expired certificate are refused; a certified key is accepted', async () => {
    const certs = await at(chain, head(chain) + 1n, [certify('att-1'), certify('att-2'), certify('kind-1', { kind: 1 }), certify('short', { notAfterNs: nowNs + 5_000_000_000n }), certify('att-3'), certify('att-4')], check);
    certs.forEach(ok);
    chain.increaseTime(10); // the 'short' certificate is now past its end
    const rs = await at(
      chain,
      head(chain) + 1n,
      [
        [owner, 'allowMeasurement', { spec, measurement, trust: 80 }],
        [owner, 'allowMeasurement', { spec: strict, measurement, trust: 80 }],
        attest(tee[0]!, 'att-0'),
        attest(tee[1]!, 'att-1'),
        attest(tee[2]!, 'att-2'),
        attest(tee[3]!, 'att-3'),
        attest(tee[4]!, 'att-4'),
        attest(plain, 'self-made'),
        attest(plain, 'att-0', { measurement: h32(0x4e), quote: 'other' }),
        attest(plain, 'kind-1', { kind: 2 }),
        attest(plain, 'short'),
      ],
      check,
    );
    rs.slice(0, 7).forEach(ok);
    ['UncertifiedAttestingKey', 'MeasurementNotCertified', 'KindNotCertified', 'CertificateExpired'].forEach((name, i) => failed(rs[7 + i]!, name));
    expect(rs[7]!.receipt.errorMessage).to.match(/no vendor certificate/);
    for (const p of tee.slice(0, 3)) expect(await trust(p)).to.equal(80);
    for (const p of tee.slice(3)) expect(await trust(p, strict)).to.equal(80);
    expect(await trust(plain)).to.equal(null);
  });

  it('an attestation never outlives its certificate', async () => {
    const notAfterNs = chain.node.chain.headHeader.timestamp * 1_000_000n + 30_000_000_000n;
    const [c] = await at(chain, head(chain) + 1n, [certify('brief', { notAfterNs })], check);
    ok(c!);
    const [r] = await at(chain, head(chain) + 1n, [attest(plain, 'brief', { expiryNs: notAfterNs + HOUR_NS })], check);
    ok(r!);
    const view = await chain.call<any>('aivm', 'getProvider', { address: plain.address });
    expect(view.attestation.expiryNs).to.equal(notAfterNs);
    expect(await trust(plain)).to.equal(80);
    chain.increaseTime(31);
    await chain.mine(1);
    expect(await trust(plain)).to.equal(null);
  });

  it('requireTee: only the model owner sets it; its tasks go to TEE providers only, and a provider whose TEE lapsed has its result refused (TeeRequired)', async () => {
    const rs = await at(
      chain,
      head(chain) + 1n,
      [
        [stranger, 'setRequireTee', { modelRoot: strict, requireTee: true }],
        [owner, 'setRequireTee', { modelRoot: h32(0x01), requireTee: true }],
        [owner, 'setRequireTee', { modelRoot: spec, requireTee: true }],
      ],
      check,
    );
    failed(rs[0]!, 'NotModelOwner');
    failed(rs[1]!, 'ModelUnknown');
    ok(rs[2]!);
    expect(rs[2]!.receipt.events.map((e) => e.name)).to.deep.equal(['TeePolicyChanged']);
    // spec now requires TEE: optimistic tasks draw only among the three attested providers (never `plain`)
    const submit = (mode: number, i: number): Call => [requester, 'submitTask', { mode, spec, prompt: h32(0x90 + i), input: new Uint8Array(0), n: 1, threshold: 1, reward: ONE, fee: 10n ** 16n }];
    const created = await at(chain, head(chain) + 1n, [0, 1, 2, 3, 4, 5].map((i) => submit(i % 2 === 0 ? Mode.Optimistic : Mode.TEEAttested, i)), check);
    created.forEach(ok);
    const views = await Promise.all(created.map((c) => task(chain, c.result as Uint8Array)));
    for (const v of views) expect(tee.slice(0, 3).map((p) => p.address)).to.include(v.selected[0]);
    const signerOf = (a: string) => [...tee, plain].find((s) => s.address === a)!;
    const post = (i: number): Call => [signerOf(views[i]!.selected[0]!), 'submitResult', { taskId: created[i]!.result, outputHash: h32(0x20 + i), bond: ONE, computeMs: 1n, proof: new Uint8Array(32) }];
    ok((await at(chain, head(chain) + 1n, [post(0)], check))[0]!);
    // every certificate of spec's providers ends within the hour: after it, their results are refused
    chain.increaseTime(3 * 3600);
    const late = await at(chain, head(chain) + 1n, [post(1), post(2)], check);
    late.forEach((r) => failed(r, 'TeeRequired'));
    // and a new task finds no TEE provider left to draw
    failed((await at(chain, head(chain) + 1n, [submit(Mode.Optimistic, 9)], check))[0]!, 'NotEnoughEligible');
    // nor does a task imported from an intent (it used to draw among every provider, `plain` included)
    const fields = { callIndex: 3, spec, prompt: h32(0x99), n: 3, threshold: 2, fee: 1n };
    const [c] = await at(chain, head(chain) + 1n, [[requester, 'commitIntent', { ...fields, reward: ONE }]], check);
    ok(c!);
    const f = { cChain: chainIdFromString('c-chain'), aChain: chainIdFromString('a-chain'), cTx: c!.hash, caller: requester.address, ...fields };
    expect(intentId(f)).to.deep.equal(c!.result);
    failed((await at(chain, head(chain) + 1n, [[requester, 'importIntent', { ...f, intentId: intentId(f) }]], check))[0]!, 'NotEnoughEligible');
  });

  it('the rules-2 methods are refused on a chain that runs rules 1 (RulesTooOld)', async () => {
    const legacy = await aivmChain({});
    try {
      const [p] = await fundedSigners(legacy, 'tt-legacy', 1);
      const rs = await at(legacy, head(legacy) + 1n, [
        [p!, 'certifyAttestingKey', { attestingKey: signAttestation(skOf('x'), new Uint8Array(32)).attestingKey, measurement, kind: 2, notAfterNs: 1n << 62n, vendorKey: DEV_TEE_VENDOR.publicKey, signature: new Uint8Array(96) }],
        [p!, 'setRequireTee', { modelRoot: spec, requireTee: true }],
        [p!, 'substantiate', { taskId: h32(1), modelFile: new Uint8Array(0), input: new Uint8Array(0) }],
      ]);
      failed(rs[0]!, 'RulesTooOld');
      failed(rs[1]!, 'RulesTooOld');
      failed(rs[2]!, 'TaskUnknown');
      expect(await legacy.call('aivm', 'rulesVersion')).to.equal(1);
    } finally {
      await legacy.stop();
    }
  });
});

/**
 * The AIVM module: providers, tasks, the M-of-N quorum engine, optimistic results with on-chain
 * fraud proofs, TEE acceleration, the model registry, legacy rewards, and the per-block kernel round
 * whose state root goes into the block header (`aivm.state`, next to `aivm.receipts`).
 */
import { t, toHex, LUX_ADDRESS, defineModule, method, query, type CallContext, type ReadContext } from '../../chain/index.js';
import { allowMeasurement, registerAttestation, teeTrust } from './attestations.js';
import { AIVM_ADDRESS, BURN_ADDRESS, ESCROW_ADDRESS, Mode, POOL_ADDRESS, TaskStatus } from './constants.js';
import { Env } from './env.js';
import { events } from './events.js';
import { commitIntent, importIntent, submitTask } from './intents.js';
import { ZERO_ROOT } from './merkle.js';
import { registerModel, transferModel, updateModelLicense, updateModelWeights } from './models.js';
import { disputeDeadline, settleQuorumTask, substantiate } from './disputes.js';
import { challenge, expireUnposted, finalizeOptimistic, postResult } from './optimistic.js';
import { anchorArenaView, anchorArenaViewT } from './round.js';
import { certificateOf, certifyAttestingKey, setRequireTee, teeCertT } from './tee.js';
import { claimRewards, deregisterOperator, eligibleSet, registerOperator, withdrawStake } from './operators.js';
import { parseAivmParams, type AivmParams } from './params.js';
import { currentReceiptRoot, exportReceipt, resolveTaskId } from './receipts.js';
import { legacyMerkleRoot } from './rewards.js';
import { runRound } from './round.js';
import { aivmRpc } from './rpc.js';
import { anchorSegmentT, AivmReader, disputeT, dueT, DueKind, intentCommitT, intentUseT, K, legacyReceiptT } from './state.js';
import { commitResponse, revealResponse } from './tasks.js';
import {
  accountingViewT,
  exportViewT,
  legacyReceiptViewT,
  modelList,
  modelViewT,
  providerList,
  providerView,
  providerViewT,
  receiptViewT,
  rewardStatsViewT,
  statsViewT,
  taskView,
  taskViewT,
} from './views.js';
import { aivmErrors } from './errors.js';

type Ctx = CallContext<AivmParams>;
const env = (ctx: Ctx) => new Env(ctx);
const reader = (ctx: ReadContext<AivmParams>) => new AivmReader(ctx.state);

const id32 = t.struct({ id: t.bytes32 });
const taskArg = t.struct({ taskId: t.bytes32 });
const addressArg = t.struct({ address: t.address });

export const aivmModule = defineModule<AivmParams>({
  name: 'aivm',
  errors: aivmErrors.names,
  address: AIVM_ADDRESS,
  parseParams: parseAivmParams,
  async genesis(ctx) {
    if (ctx.params.miningPool > 0n) await ctx.call(LUX_ADDRESS, 'mint', { to: POOL_ADDRESS, amount: ctx.params.miningPool });
    for (const a of ctx.params.teeAllowList) ctx.state.setValue(t.uint8, K.teeAllow(a.spec, a.measurement), a.trust);
  },
  events,
  methods: {
    registerProvider: method({
      args: t.struct({ stake: t.uint256, spec: t.bytes32, endpoint: t.bytes32, gpuModel: t.string(128) }),
      description: 'Bond `stake` wei of LUX (at least minProviderBond) and serve the model spec `spec`.',
      handler: (ctx, a) => registerOperator(env(ctx), ctx.caller, a),
    }),
    deregisterProvider: method({
      args: t.none,
      description: 'Start unbonding: the provider stops being selected; withdraw after the cooldown.',
      handler: (ctx) => deregisterOperator(env(ctx), ctx.caller),
    }),
    withdrawStake: method({
      args: t.none,
      returns: t.uint256,
      description: 'After deregistering and the cooldown, with no open tasks: return the (possibly slashed) stake.',
      handler: (ctx) => withdrawStake(env(ctx), ctx.caller),
    }),
    claimRewards: method({
      args: t.none,
      returns: t.uint256,
      description: 'Withdraw all credit: rewards, refunds, returned bonds and bounties.',
      handler: (ctx) => claimRewards(env(ctx), ctx.caller),
    }),
    submitTask: method({
      args: t.struct({ mode: t.uint8, spec: t.bytes32, prompt: t.bytes32, input: t.bytes(64), n: t.uint32, threshold: t.uint32, reward: t.uint256, fee: t.uint256 }),
      returns: t.bytes32,
      description: 'Open a task (mode 0 optimistic, 1 redundant M-of-N, 2 TEE); escrows reward × N and burns the fee.',
      handler: (ctx, a) => submitTask(env(ctx), ctx.caller, a),
    }),
    commitIntent: method({
      args: t.struct({ callIndex: t.uint32, spec: t.bytes32, prompt: t.bytes32, n: t.uint16, threshold: t.uint16, fee: t.uint256, reward: t.uint256 }),
      returns: t.bytes32,
      description: 'C-side commitment of a quorum intent (the caller authorises it and its reward); returns the intent id.',
      handler: (ctx, a) => commitIntent(env(ctx), ctx.caller, a),
    }),
    importIntent: method({
      args: t.struct({
        intentId: t.bytes32,
        cChain: t.bytes32,
        aChain: t.bytes32,
        cTx: t.bytes32,
        callIndex: t.uint32,
        caller: t.address,
        spec: t.bytes32,
        prompt: t.bytes32,
        n: t.uint16,
        threshold: t.uint16,
        fee: t.uint256,
      }),
      returns: t.bytes32,
      description: 'Materialise a committed intent as a quorum task (checks id binding, commitment, replay).',
      handler: (ctx, a) => importIntent(env(ctx), a),
    }),
    commitResult: method({
      args: t.struct({ taskId: t.bytes32, commit: t.bytes32 }),
      description: 'Selected operator: commit keccak(taskId ‖ spec ‖ prompt ‖ output ‖ embedding ‖ operator ‖ nonce).',
      handler: (ctx, a) => commitResponse(env(ctx), ctx.caller, a.taskId, a.commit),
    }),
    revealResult: method({
      args: t.struct({ taskId: t.bytes32, output: t.bytes32, embedding: t.bytes32, nonce: t.bytes32 }),
      description: 'Selected operator: reveal the committed output after the commit window.',
      handler: (ctx, a) => revealResponse(env(ctx), ctx.caller, a.taskId, a),
    }),
    settle: method({
      args: taskArg,
      description: 'Settle a quorum task after its reveal window (anyone; endBlock does it one block later otherwise).',
      handler: (ctx, a) => settleQuorumTask(env(ctx), a.taskId),
    }),
    submitResult: method({
      args: t.struct({ taskId: t.bytes32, outputHash: t.bytes32, bond: t.uint256, computeMs: t.uint64, proof: t.bytes(4096) }),
      returns: t.uint64,
      description: 'Assigned provider: post an optimistic result with a bond; returns the challenge deadline.',
      handler: (ctx, a) => postResult(env(ctx), ctx.caller, a),
    }),
    challenge: method({
      args: t.struct({ taskId: t.bytes32, claimedOutput: t.bytes32, bond: t.uint256 }),
      description: 'Dispute a posted result (until its deadline, inclusive) with a bond and the output you claim.',
      handler: (ctx, a) => challenge(env(ctx), ctx.caller, a),
    }),
    registerModel: method({
      args: t.struct({ modelRoot: t.bytes32, weightHash: t.bytes32, licenseRoot: t.bytes32, parameterCount: t.uint64, modality: t.uint8, file: t.bytes(630) }),
      description: 'Register a model (provenance_apply); with the 630-byte tiny-classifier file it can be re-executed on chain.',
      handler: (ctx, a) => registerModel(env(ctx), ctx.caller, a),
    }),
    updateModelWeights: method({
      args: t.struct({ modelRoot: t.bytes32, weightHash: t.bytes32, parameterCount: t.uint64, file: t.bytes(630) }),
      description: 'Owner: new weights (version + 1).',
      handler: (ctx, a) => updateModelWeights(env(ctx), ctx.caller, a),
    }),
    updateModelLicense: method({
      args: t.struct({ modelRoot: t.bytes32, licenseRoot: t.bytes32 }),
      description: 'Owner: new license root.',
      handler: (ctx, a) => updateModelLicense(env(ctx), ctx.caller, a),
    }),
    transferModel: method({
      args: t.struct({ modelRoot: t.bytes32, newOwner: t.address }),
      description: 'Owner: hand the model to a new owner.',
      handler: (ctx, a) => transferModel(env(ctx), ctx.caller, a),
    }),
    registerAttestation: method({
      args: t.struct({ digest: t.bytes32, measurement: t.bytes32, attestingKey: t.bytesN(48), signature: t.bytesN(96), expiryNs: t.uint64, kind: t.uint8 }),
      returns: t.bytes32,
      description: 'Provider: register a TEE attestation (BLS12-381 signature over attestationMessage); returns the binding hash.',
      handler: (ctx, a) => registerAttestation(env(ctx), ctx.caller, a),
    }),
    certifyAttestingKey: method({
      args: t.struct({ attestingKey: t.bytesN(48), measurement: t.bytes32, kind: t.uint8, notAfterNs: t.uint64, vendorKey: t.bytesN(48), signature: t.bytesN(96) }),
      description: 'Rules 2: record a TEE vendor\'s certificate (BLS12-381 over teeCertificateMessage) binding an attesting key to a measurement, kind and expiry; the vendor key must be listed in the genesis.',
      handler: (ctx, a) => certifyAttestingKey(env(ctx), a),
    }),
    setRequireTee: method({
      args: t.struct({ modelRoot: t.bytes32, requireTee: t.bool }),
      description: 'Rules 2, model owner: tasks of this model go only to TEE providers, and only their results are accepted.',
      handler: (ctx, a) => setRequireTee(env(ctx), ctx.caller, a),
    }),
    substantiate: method({
      args: t.struct({ taskId: t.bytes32, modelFile: t.bytes(630), input: t.bytes(64) }),
      description: 'Rules 2, anyone: settle a dispute waiting for evidence by re-executing the model file (keccak = weight hash) on the task\'s input (keccak = prompt).',
      handler: (ctx, a) => substantiate(env(ctx), ctx.caller, a),
    }),
    allowMeasurement: method({
      args: t.struct({ spec: t.bytes32, measurement: t.bytes32, trust: t.uint8 }),
      description: "Model owner: allow-list a TEE measurement for the model's spec with a trust score (0..100).",
      handler: (ctx, a) => allowMeasurement(env(ctx), ctx.caller, a),
    }),
    runDue: method({
      args: t.struct({ kind: t.uint8, id: t.bytes32 }),
      visibility: 'internal',
      description: 'endBlock: one deadline transition, isolated so a failure reverts only itself.',
      handler: async (ctx, { kind, id }) => {
        if (ctx.caller !== AIVM_ADDRESS) throw aivmErrors.error('unauthorized', 'deadline transitions run only from endBlock');
        const e = env(ctx);
        if (kind === DueKind.SettleQuorum) {
          const task = await e.w.task(id);
          if (task?.status === TaskStatus.Open) await settleQuorumTask(e, id);
        } else if (kind === DueKind.PostTimeout) await expireUnposted(e, id);
        else if (kind === DueKind.FinalizeOptimistic) await finalizeOptimistic(e, id);
        else if (kind === DueKind.DisputeDeadline) await disputeDeadline(e, id);
      },
    }),
  },
  async endBlock(ctx) {
    const key = K.due(ctx.block.height);
    const due = (await ctx.state.getValue(dueT, key)) ?? [];
    if (due.length > 0) ctx.state.delete(key);
    for (const d of due) {
      try {
        await ctx.call(AIVM_ADDRESS, 'runDue', d);
      } catch (err) {
        // Deterministic on every node; the transition's writes were rolled back. Keep the block going.
        ctx.emit('DeadlineFailed', { taskId: d.id, kind: d.kind, error: (err as Error).name ?? 'InternalError' });
      }
    }
    await runRound(env(ctx));
  },
  async blockRoots(ctx) {
    const r = reader(ctx);
    return {
      'aivm.state': (await r.state.getValue(t.bytes32, K.stateRoot)) ?? ZERO_ROOT,
      'aivm.receipts': await currentReceiptRoot(r),
    };
  },
  queries: {
    getTask: query({
      args: id32,
      returns: t.optional(taskViewT),
      description: 'A task by task id or intent id (null when unknown).',
      handler: async (ctx, { id }) => {
        const r = reader(ctx);
        const taskId = await resolveTaskId(r, id);
        return taskId ? taskView(r, taskId) : null;
      },
    }),
    listTasks: query({
      args: t.struct({ offset: t.uint64, limit: t.uint32 }),
      returns: t.list(t.bytes32, 1000),
      description: 'Task ids in creation order (at most 1000 per call).',
      handler: async (ctx, { offset, limit }) => {
        const total = (await ctx.state.getValue(t.uint64, K.taskCount)) ?? 0n;
        const out: Uint8Array[] = [];
        for (let i = offset; i < total && out.length < Math.min(limit, 1000); i++) out.push((await ctx.state.getValue(t.bytes32, K.taskAt(i)))!);
        return out;
      },
    }),
    getProvider: query({ args: addressArg, returns: providerViewT, handler: (ctx, { address }) => providerView(reader(ctx), address) }),
    getProviders: query({ args: t.none, returns: t.list(providerViewT, 1 << 16), description: 'Every provider that ever registered, in registration order.', handler: (ctx) => providerList(reader(ctx)) }),
    getModel: query({ args: t.struct({ modelRoot: t.bytes32 }), returns: t.optional(modelViewT), handler: async (ctx, { modelRoot }) => {
      const record = await reader(ctx).model(modelRoot);
      return record ? { modelRoot, record } : null;
    } }),
    getModels: query({ args: t.none, returns: t.list(modelViewT, 1 << 16), handler: (ctx) => modelList(reader(ctx)) }),
    getStats: query({
      args: t.none,
      returns: statsViewT,
      handler: async (ctx) => {
        const r = reader(ctx);
        const epochRaw = await r.state.get(K.epochState);
        return {
          stats: await r.globalStats(),
          totals: await r.totals(),
          providers: await r.count(K.providerCount),
          models: await r.count(K.modelCount),
          attestations: await r.count(K.attestationCount),
          tasks: (await r.state.getValue(t.uint64, K.taskCount)) ?? 0n,
          receipts: await r.count(K.receiptCount),
          receiptRoot: await currentReceiptRoot(r),
          stateRoot: (await r.state.getValue(t.bytes32, K.stateRoot)) ?? ZERO_ROOT,
          epoch: epochRaw ? new DataView(epochRaw.buffer, epochRaw.byteOffset).getBigUint64(0, true) : 0n,
          anchors: Number((await anchorArenaView(r, ctx.params)).total),
        };
      },
    }),
    getRewardStats: query({
      args: addressArg,
      returns: rewardStatsViewT,
      handler: async (ctx, { address }) => {
        const v = await providerView(reader(ctx), address);
        return {
          providerId: address,
          tasksCompleted: v.stats.tasksCompleted,
          totalRewards: v.stats.totalRewards,
          pendingRewards: v.stats.pendingMining,
          credit: v.credit,
          uptimePpm: v.uptimePpm,
          avgLatencyMs: v.stats.avgLatencyMs,
          slashed: v.stats.slashed,
          slashedAmount: v.stats.slashedAmount,
        };
      },
    }),
    getMerkleRoot: query({
      args: t.none,
      returns: t.bytes32,
      description: 'SHA-256 Merkle root of the legacy reward receipts, sorted by job id.',
      handler: async (ctx) => {
        const r = reader(ctx);
        const n = await r.count(K.legacyCount);
        const leaves = [];
        for (let i = 0; i < n; i++) {
          const id = (await r.state.getValue(t.bytes32, K.legacyAt(i)))!;
          leaves.push({ jobId: toHex(id), hash: (await r.state.getValue(legacyReceiptT, K.legacyReceipt(id)))!.hash });
        }
        return legacyMerkleRoot(leaves);
      },
    }),
    getRewardReceipt: query({
      args: taskArg,
      returns: t.optional(legacyReceiptViewT),
      handler: async (ctx, { taskId }) => {
        const record = await ctx.state.getValue(legacyReceiptT, K.legacyReceipt(taskId));
        return record ? { jobId: toHex(taskId), record } : null;
      },
    }),
    getReceipt: query({
      args: id32,
      returns: t.optional(receiptViewT),
      description: 'The settlement receipt of a task (by task id or intent id), null until it settles.',
      handler: async (ctx, { id }) => {
        const r = reader(ctx);
        const taskId = await resolveTaskId(r, id);
        const task = taskId && (await r.task(taskId));
        if (!taskId || !task || task.receiptIndex === 0) return null;
        const index = task.receiptIndex - 1;
        return { taskId, receipt: (await r.state.get(K.receiptEncoding(taskId)))!, receiptHash: (await r.state.getValue(t.bytes32, K.receiptLeaf(index)))!, index };
      },
    }),
    exportReceipt: query({ args: id32, returns: exportViewT, description: 'Receipt + Merkle proof + receipt root (ExportReceipt).', handler: (ctx, { id }) => exportReceipt(reader(ctx), id) }),
    receiptRoot: query({ args: t.none, returns: t.bytes32, handler: (ctx) => currentReceiptRoot(reader(ctx)) }),
    stateRoot: query({ args: t.none, returns: t.bytes32, handler: async (ctx) => (await ctx.state.getValue(t.bytes32, K.stateRoot)) ?? ZERO_ROOT }),
    roundResult: query({ args: t.none, returns: t.optional(t.bytes()), description: 'The last AIVMTransitionResult (192 bytes).', handler: async (ctx) => (await ctx.state.get(K.roundResult)) ?? null }),
    epochState: query({ args: t.none, returns: t.optional(t.bytes()), description: 'The AIVMEpochState (160 bytes).', handler: async (ctx) => (await ctx.state.get(K.epochState)) ?? null }),
    getAnchors: query({
      args: t.struct({ offset: t.uint32, limit: t.uint32 }),
      returns: t.list(t.bytes(), 1000),
      description: 'Audit anchors (128-byte AuditAnchor structs) in append order.',
      handler: async (ctx, { offset, limit }) => {
        const n = (await ctx.state.getValue(t.uint32, K.anchorCount)) ?? 0;
        const out: Uint8Array[] = [];
        for (let i = offset; i < n && out.length < Math.min(limit, 1000); i++) out.push((await ctx.state.get(K.anchorSlot(i)))!);
        return out;
      },
    }),
    nextTaskNonce: query({
      args: addressArg,
      returns: t.uint256,
      description: "The requester's next task nonce (an input of the task id).",
      handler: async (ctx, { address }) => (await ctx.state.getValue(t.uint256, K.reqNonce(address))) ?? 0n,
    }),
    credit: query({ args: addressArg, returns: t.uint256, handler: (ctx, { address }) => reader(ctx).credit(address) }),
    eligible: query({ args: t.struct({ spec: t.bytes32 }), returns: t.list(t.address, 1 << 16), handler: (ctx, { spec }) => eligibleSet(reader(ctx), spec, ctx.params) }),
    getIntent: query({
      args: id32,
      returns: t.struct({ committed: t.optional(intentCommitT), task: t.optional(t.bytes32) }),
      handler: async (ctx, { id }) => ({
        committed: (await ctx.state.getValue(intentCommitT, K.intentCommitted(id))) ?? null,
        task: (await ctx.state.getValue(intentUseT, K.intentUsed(id)))?.task ?? null,
      }),
    }),
    teeTrust: query({
      args: t.struct({ provider: t.address, spec: t.bytes32 }),
      returns: t.optional(t.uint8),
      handler: async (ctx, { provider, spec }) => (await teeTrust(reader(ctx), provider, spec, ctx.block.timestamp * 1_000_000n)) ?? null,
    }),
    rulesVersion: query({ args: t.none, returns: t.uint32, description: 'The consensus rules version this chain runs (1 original, 2 trust).', handler: (ctx) => ctx.params.version }),
    teeCertificate: query({
      args: t.struct({ attestingKey: t.bytesN(48) }),
      returns: t.optional(teeCertT),
      description: 'The vendor certificate recorded for an attesting key (null when none).',
      handler: async (ctx, { attestingKey }) => (await certificateOf(reader(ctx), attestingKey)) ?? null,
    }),
    getDispute: query({
      args: taskArg,
      returns: t.optional(disputeT),
      description: 'Rules 2: a dispute waiting for evidence (null when none).',
      handler: async (ctx, { taskId }) => (await ctx.state.getValue(disputeT, K.dispute(taskId))) ?? null,
    }),
    getAnchorSegment: query({
      args: t.struct({ index: t.uint32 }),
      returns: t.optional(anchorSegmentT),
      description: 'Rules 2: an archived anchor-arena segment (its audit root, size, heights, last commit root), null when none.',
      handler: async (ctx, { index }) => (await ctx.state.getValue(anchorSegmentT, K.anchorSegment(index))) ?? null,
    }),
    anchorArena: query({ args: t.none, returns: anchorArenaViewT, description: 'The audit-anchor arena: anchors in it now, capacity, all anchors ever, archived segments.', handler: (ctx) => anchorArenaView(reader(ctx), ctx.params) }),
    accounting: query({
      args: t.none,
      returns: accountingViewT,
      description: 'Escrow account balance next to the sum of its buckets (stake + open escrow + credit + bonds).',
      handler: async (ctx) => ({
        escrowBalance: await ctx.query<bigint>(LUX_ADDRESS, 'balanceOf', { address: ESCROW_ADDRESS }),
        totals: await reader(ctx).totals(),
        burned: await ctx.query<bigint>(LUX_ADDRESS, 'balanceOf', { address: BURN_ADDRESS }),
        pool: await ctx.query<bigint>(LUX_ADDRESS, 'balanceOf', { address: POOL_ADDRESS }),
      }),
    }),
  },
  rpc: aivmRpc,
});

export { Mode };

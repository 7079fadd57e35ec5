/**
 * `sessionchain aivm ...`: AI compute on the devnet: providers, tasks, challenges, the model
 * registry and rewards. Amounts are LUX (decimals allowed: `0.5`), or wei with a `wei` suffix.
 *
 *   sessionchain aivm model new --out model.bin                     (write a demo tiny-classifier model)
 *   sessionchain aivm models --register model.bin --dev 0          (register it)
 *   sessionchain aivm register --model model.bin --stake 2LUX --dev 1  (bond as a provider for it)
 *   sessionchain aivm submit --model model.bin --input 0x… --dev 2  (an optimistic task)
 *   sessionchain aivm status 0x…                                    (task, post, dispute, receipt)
 *   sessionchain aivm wait 0x… --mine                               (until settled; on a devnet, mines through the challenge window)
 *   sessionchain aivm challenge 0x… --model model.bin --dev 3       (re-run it and dispute)
 *   sessionchain aivm substantiate 0x… --model model.bin --dev 3    (evidence for a waiting dispute)
 *   sessionchain aivm rewards --claim --dev 1                       (withdraw credit)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { fromHex, isHex, keccak256, sha256, toHex, utf8, type Signer } from '../../chain/index.js';
import { encodeModelFile } from '../../gpu/index.js';
import { LUX_UNIT, parseAmount } from '../../sdk/index.js';
import { aivmModule, AIVM_ADDRESS, AivmClient, Mode, runInference, type TaskView } from '../../sdk/aivm/index.js';
import { client, emit, fail, luxText, outputOptions, reportReceipt, resolveSigner, rpcOption, sendModuleCall, signerOptions, txOptions, type OutputOpts, type SendCallOptions, type SignerOpts } from '../common.js';

const WEI = 10n ** 18n;

/** "1.5" or "1.5LUX" → wei; "123wei" stays wei. */
export function parseLux(v: string, what: string): bigint {
  try {
    return parseAmount(v, LUX_UNIT, what);
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** LUX amounts of AIVM views and receipts, shown in units in text output. */
const AIVM_UNITS = { stake: luxText, bond: luxText, challengerBond: luxText, rewardPerOperator: luxText, escrow: luxText, feePaid: luxText, credit: luxText, totalRewards: luxText, pendingRewards: luxText, amount: luxText };

function bytes32(v: string, what: string): Uint8Array {
  if (!isHex(v) || !v.startsWith('0x') || fromHex(v).length !== 32) fail(`${what} must be 0x and 32 bytes of hex, got ${v.slice(0, 70)}`);
  return fromHex(v);
}

function readModel(path: string): Uint8Array {
  let b: Uint8Array;
  try {
    b = new Uint8Array(readFileSync(path));
  } catch (e) {
    return fail(`cannot read the model file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (b.length !== 630) fail(`${path} is ${b.length} bytes; a tiny-classifier model file is 630 bytes`, 'write one with `sessionchain aivm model new --out FILE`');
  return b;
}

/** The spec a command targets: --spec, or keccak256 of --model. */
function specOf(o: { spec?: string; model?: string }): Uint8Array {
  if (o.spec) return bytes32(o.spec, '--spec');
  if (o.model) return keccak256(readModel(o.model));
  return fail('say which model: --model FILE or --spec 0x…');
}

type Opts = SignerOpts & SendCallOptions & OutputOpts & { rpc: string };

async function withAivm<T>(o: { rpc: string }, fn: (a: AivmClient) => Promise<T>): Promise<T> {
  const a = new AivmClient(client(o));
  try {
    return await fn(a);
  } finally {
    a.close();
  }
}

/** Sends an AIVM call (simulated first; doomed ones are refused) and prints its receipt; a failed call exits 1. */
async function send(o: Opts, method: string, args: Record<string, unknown>, signer?: Signer): Promise<void> {
  const who = signer ?? (await resolveSigner(o));
  const def = aivmModule.methods[method]!;
  await withAivm(o, async (a) => reportReceipt(await sendModuleCall(a.rpc, who, { to: AIVM_ADDRESS, method, def, args }, o), o, AIVM_UNITS));
}

/** A tiny-classifier model (630 bytes) with random or seeded int8 weights. */
function demoModel(seed: Uint8Array): Uint8Array {
  let i = 0;
  const next = () => keccak256(new Uint8Array([...seed, ...utf8(String(i++))]))[0]!;
  return encodeModelFile({
    w1: Int8Array.from({ length: 512 }, () => (next() % 65) - 32),
    b1: Int32Array.from({ length: 16 }, () => (next() % 256) - 128),
    w2: Int8Array.from({ length: 16 }, () => (next() % 65) - 32),
    b2: Int32Array.from({ length: 1 }, () => (next() % 256) - 128),
    shift1: 5,
    shift2: 5,
  });
}

const tx = (cmd: Command) => txOptions(signerOptions(rpcOption(cmd)));
const read = (cmd: Command) => outputOptions(rpcOption(cmd));

export function register(program: Command): void {
  const aivm = program.command('aivm').description('AI compute: providers, tasks, challenges, models, rewards');

  outputOptions(aivm.command('model').description('model files').command('new'))
    .description('write a demo tiny-classifier model file (630 bytes, int8 weights) to register and serve')
    .requiredOption('--out <file>', 'where to write it')
    .option('--seed <text>', 'derive the weights from this text (default: random weights)')
    .action((o: OutputOpts & { out: string; seed?: string }) => {
      if (existsSync(o.out)) fail(`${o.out} exists`, 'choose another --out file');
      const file = demoModel(o.seed === undefined ? new Uint8Array(randomBytes(32)) : utf8(o.seed));
      writeFileSync(o.out, file);
      emit({ file: o.out, bytes: file.length, spec: toHex(keccak256(file)) }, o);
    });

  tx(aivm.command('register'))
    .description('bond as a provider serving a model (spec)')
    .option('--model <file>', 'the 630-byte model file you serve (spec = keccak256 of it)')
    .option('--spec <hex>', 'the model spec hash, instead of --model')
    .option('--stake <amount>', 'bond to lock, e.g. 1LUX (at least the chain minimum; a bare number is LUX)', '1LUX')
    .option('--gpu <model>', 'GPU model string (feeds the reward class)', 'cpu')
    .option('--endpoint <text>', 'where requesters can reach you (hashed on chain)', '')
    .action((o: Opts & { model?: string; spec?: string; stake: string; gpu: string; endpoint: string }) =>
      send(o, 'registerProvider', { stake: parseLux(o.stake, '--stake'), spec: specOf(o), endpoint: keccak256(utf8(o.endpoint)), gpuModel: o.gpu }),
    );

  tx(aivm.command('deregister')).description('stop being selected; withdraw after the cooldown').action((o: Opts) => send(o, 'deregisterProvider', {}));
  tx(aivm.command('withdraw')).description('withdraw your stake after deregistering and the cooldown').action((o: Opts) => send(o, 'withdrawStake', {}));

  tx(aivm.command('submit'))
    .description('open a task; prints the receipt, whose result is the task id')
    .option('--model <file>', 'model file (spec = keccak256 of it)')
    .option('--spec <hex>', 'model spec hash, instead of --model')
    .option('--input <hex>', '32-byte int8 input (lets the chain re-execute disputes); the prompt is its keccak256')
    .option('--input-text <text>', 'a demo input: the 32-byte row is SHA-256 of this text')
    .option('--prompt <hex>', 'prompt hash, for tasks whose input stays off chain')
    .addOption(new Option('--mode <mode>', 'verification mode').choices(['optimistic', 'redundant', 'tee']).default('optimistic'))
    .option('--n <n>', 'providers (redundant: 3..256; optimistic: 1)')
    .option('--threshold <m>', 'agreeing reveals needed (redundant)')
    .option('--reward <amount>', 'reward per provider, e.g. 1LUX', '1LUX')
    .option('--fee <amount>', 'fee (burned; at least the floor: 0.01LUX per provider)')
    .action(async (o: Opts & { model?: string; spec?: string; input?: string; inputText?: string; prompt?: string; mode: string; n?: string; threshold?: string; reward: string; fee?: string }) => {
      if (o.input !== undefined && o.inputText !== undefined) fail('pass one of --input 0x… or --input-text TEXT');
      if (o.inputText !== undefined) o = { ...o, input: toHex(sha256(utf8(o.inputText))) };
      const mode = o.mode === 'redundant' ? Mode.MultiPartyRedundant : o.mode === 'tee' ? Mode.TEEAttested : Mode.Optimistic;
      const n = Number(o.n ?? (mode === Mode.MultiPartyRedundant ? 5 : 1));
      const threshold = Number(o.threshold ?? (mode === Mode.MultiPartyRedundant ? Math.floor(n / 2) + 1 : 1));
      if (!Number.isInteger(n) || !Number.isInteger(threshold)) fail('--n and --threshold must be whole numbers');
      if (!o.input && !o.prompt) fail('give the task --input 0x… (32 bytes), --input-text TEXT or --prompt 0x…');
      const input = o.input ? fromHex(o.input) : new Uint8Array(0);
      if (o.input && (!isHex(o.input) || input.length !== 32)) fail('--input must be 32 bytes of hex (the int8 input row)');
      const prompt = o.prompt ? bytes32(o.prompt, '--prompt') : keccak256(input);
      const fee = o.fee ? parseLux(o.fee, '--fee') : (WEI / 100n) * BigInt(n);
      await send(o, 'submitTask', { mode, spec: specOf(o), prompt, input, n, threshold, reward: parseLux(o.reward, '--reward'), fee });
    });

  read(aivm.command('status <id>'))
    .description('a task (by task id or intent id): state, selection, post, dispute, receipt')
    .action(async (id: string, o: OutputOpts & { rpc: string }) => {
      await withAivm(o, async (a) => {
        const task = await a.rpc.call<{ statusName: string; post: { deadline: number } | null } | null>('aivm.GetTask', { id: toHex(bytes32(id, 'the task id')) });
        if (task === null) return fail(`no task or intent ${id}`, 'task ids are printed by `aivm submit` (result)');
        const receipt = await a.rpc.call('aivm.GetReceipt', { id });
        const head = (await a.rpc.head()).height;
        const next =
          task.statusName === 'posted' && task.post
            ? `final after block ${task.post.deadline} (${Math.max(0, task.post.deadline - head)} blocks from now) unless challenged; on a devnet \`sessionchain aivm wait ${id} --mine\` gets there now`
            : undefined;
        emit({ task, receipt, ...(next ? { next } : {}) }, o, AIVM_UNITS);
      });
    });

  read(aivm.command('wait <id>'))
    .description('wait until a task settles or fails; --mine (devnets) mines through the challenge window once the result is posted')
    .option('--mine', 'mine blocks with dev.Mine until the posted result is final (instead of waiting for the window of blocks)')
    .option('--timeout <seconds>', 'give up after this long', '120')
    .action(async (id: string, o: OutputOpts & { rpc: string; mine?: boolean; timeout: string }) => {
      const taskId = toHex(bytes32(id, 'the task id'));
      const deadline = Date.now() + Number(o.timeout) * 1000;
      await withAivm(o, async (a) => {
        for (;;) {
          const task = await a.rpc.call<{ statusName: string; post: { deadline: number } | null } | null>('aivm.GetTask', { id: taskId });
          if (task === null) return fail(`no task or intent ${id}`, 'task ids are printed by `aivm submit` (result)');
          if (task.statusName === 'settled' || task.statusName === 'failed') {
            emit({ task, receipt: await a.rpc.call('aivm.GetReceipt', { id: taskId }) }, o, AIVM_UNITS);
            if (task.statusName === 'failed') process.exitCode = 1;
            return;
          }
          const head = (await a.rpc.head()).height;
          if (o.mine && task.statusName === 'posted' && task.post && head <= task.post.deadline) {
            await a.rpc.call('dev.Mine', { blocks: task.post.deadline - head + 1 }).catch((e) => fail(`cannot mine: ${(e as Error).message}`, 'only a producing devnet mines on request; without --mine, wait for the window to pass'));
            continue;
          }
          if (Date.now() > deadline) return fail(`task ${id} is still ${task.statusName} after ${o.timeout} s`, task.statusName === 'posted' ? 'pass --mine on a devnet to mine through the challenge window' : 'is a provider for its model running? (`sessionchain provider --model FILE --dev N`)');
          await new Promise((r) => setTimeout(r, 250));
        }
      });
    });

  tx(aivm.command('challenge <taskId>'))
    .description('dispute a posted optimistic result (claim the output you computed)')
    .option('--claim <hex>', 'the output hash you claim')
    .option('--model <file>', 'compute the claim by running this model on the task input')
    .option('--bond <amount>', 'challenge bond, e.g. 1LUX', '1LUX')
    .action(async (id: string, o: Opts & { claim?: string; model?: string; bond: string }) => {
      const taskId = bytes32(id, 'the task id');
      let claim: Uint8Array;
      if (o.claim) claim = bytes32(o.claim, '--claim');
      else if (o.model) {
        const task = await withAivm(o, (a) => a.task(taskId));
        if (!task) fail(`no task ${id}`);
        if ((task as TaskView).input.length !== 32) fail('this task has no on-chain input to run the model on', 'pass --claim 0x… instead');
        claim = runInference(readModel(o.model), (task as TaskView).input, taskId, 0n, 0n).outputCommitment;
      } else return fail('say what you claim: --claim 0x… or --model FILE');
      await send(o, 'challenge', { taskId, claimedOutput: claim, bond: parseLux(o.bond, '--bond') });
    });

  tx(aivm.command('substantiate <taskId>'))
    .description('settle a dispute waiting for evidence (rules 2): the chain re-executes your model file on the task input')
    .requiredOption('--model <file>', 'the 630-byte model file (keccak256 must be the model\'s weight hash)')
    .option('--input <hex>', 'the 32-byte input, when the task does not carry it (keccak256 must be the prompt)')
    .action((id: string, o: Opts & { model: string; input?: string }) =>
      send(o, 'substantiate', { taskId: bytes32(id, 'the task id'), modelFile: readModel(o.model), input: o.input ? bytes32(o.input, '--input') : new Uint8Array(0) }),
    );

  txOptions(signerOptions(rpcOption(aivm.command('models'))))
    .description('list the model registry, or register a model with --register FILE')
    .option('--register <file>', 'register this 630-byte model (root = weight hash = keccak256 of it)')
    .option('--license <hex>', 'license root for --register (32 bytes)')
    .option('--modality <n>', 'for --register: 0 text, 1 vision, 2 audio, 3 multi', '0')
    .action(async (o: Opts & { register?: string; license?: string; modality: string }) => {
      if (o.register) {
        const file = readModel(o.register);
        const root = keccak256(file);
        await send(o, 'registerModel', { modelRoot: root, weightHash: root, licenseRoot: o.license ? bytes32(o.license, '--license') : new Uint8Array(32), parameterCount: 545n, modality: Number(o.modality), file });
        return;
      }
      await withAivm(o, async (a) => emit(await a.rpc.call('aivm.GetModels', {}), o));
    });

  txOptions(signerOptions(rpcOption(aivm.command('rewards'))))
    .description("reward statistics and credit of an address (yours with a signer); --claim withdraws the credit")
    .option('--address <addr>', 'whose rewards to show')
    .option('--claim', 'withdraw all credit (rewards, refunds, returned bonds)')
    .action(async (o: Opts & { address?: string; claim?: boolean }) => {
      if (o.claim) {
        await send(o, 'claimRewards', {});
        return;
      }
      const address = o.address ?? (await resolveSigner(o)).address;
      await withAivm(o, async (a) => emit(await a.rpc.call('aivm.GetRewardStats', { provider: address }), o, AIVM_UNITS));
    });

  read(aivm.command('export <id>'))
    .description('the 355-byte receipt of a settled task with its Merkle proof and the receipt root')
    .action(async (id: string, o: OutputOpts & { rpc: string }) => withAivm(o, async (a) => emit(await a.rpc.call('aivm.ExportReceipt', { id: toHex(bytes32(id, 'the id')) }), o)));

  read(aivm.command('providers'))
    .description('the registered providers with their stake, model spec and record')
    .action(async (o: OutputOpts & { rpc: string }) => withAivm(o, async (a) => emit(await a.rpc.call('aivm.GetProviders', {}), o, AIVM_UNITS)));

  read(aivm.command('stats'))
    .description('counters, accounting buckets, roots and epoch')
    .action(async (o: OutputOpts & { rpc: string }) => withAivm(o, async (a) => emit(await a.rpc.call('aivm.GetStats', {}), o, AIVM_UNITS)));
}

/**
 * `sessionchain work ...`: workload sessions (spec session.md §1) from the command line — service
 * nodes (register, activate, suspend, exit, withdraw, show) and sessions (create, start, request,
 * show, step, records, pending, committee, finalize, fail, retry, receipts, wait).
 *
 * IDs are 0x hex (32 bytes). A service may be named: `--service weather` means SHA-256("weather").
 */
import { type Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { fromHex, isHex, MlDsaSigner, sha256, toHex, utf8, type Signer } from '../../chain/index.js';
import { LUX_UNIT, parseAmount } from '../../sdk/index.js';
import { nodeIdFromPublicKey, proofOfPossessionMessage, WorkClient } from '../../sdk/session/index.js';
import { client, emit, fail, luxText, outputOptions, readSeedFile, reportReceipt, resolveSigner, rpcOption, sendCall, signerOptions, txOptions, type OutputOpts, type SendCallOptions, type SignerOpts } from '../common.js';

/** A read command: --rpc plus the output options. */
const readCommand = (cmd: Command) => outputOptions(rpcOption(cmd));

const MODULE = 'sessionwork';

/** A 32-byte ID in 0x hex. */
export function id32Arg(v: string, what: string): string {
  if (!isHex(v) || !v.startsWith('0x') || v.length !== 66) fail(`${what} must be 32 bytes of 0x hex, got ${v.slice(0, 20)}`);
  return v.toLowerCase();
}

/** `--service`: 0x hex of 32 bytes, or a name hashed with SHA-256. */
export function serviceArg(v: string): string {
  return v.startsWith('0x') ? id32Arg(v, '--service') : toHex(sha256(utf8(v)));
}

/** A LUX amount ("1000LUX", "0.5", "1000wei"; a bare number is LUX) in wei, as a decimal string. */
export function luxArg(v: string, what: string): string {
  try {
    return parseAmount(v, LUX_UNIT, what).toString();
  } catch (e) {
    return fail((e as Error).message);
  }
}

export interface NodeKeyOpts {
  nodeKey?: string;
  nodeKeyFile?: string;
  nodeSeed?: string;
  nodeSeedFile?: string;
}

export function nodeKeyOptions(cmd: Command): Command {
  return cmd
    .option('--node-key <name>', 'the node\'s ML-DSA-65 attestation key from the keystore (default: the signer, if ML-DSA)')
    .option('--node-key-file <file>', 'the node key as a keystore file')
    .option('--node-seed-file <file>', 'the node key as a file holding a raw 32-byte seed in hex (or set SESSIONCHAIN_NODE_SEED)')
    .option('--node-seed <hex>', 'the node key as a raw 32-byte seed (visible in `ps`: prefer --node-seed-file)');
}

/** The node's ML-DSA-65 key: --node-key / --node-key-file / --node-seed, else the signer itself. */
export async function resolveNodeKey(o: NodeKeyOpts & SignerOpts, signer: Signer): Promise<MlDsaSigner> {
  if (o.nodeSeedFile !== undefined) o = { ...o, nodeSeed: readSeedFile(o.nodeSeedFile, '--node-seed-file') };
  else if (o.nodeKey === undefined && o.nodeKeyFile === undefined && o.nodeSeed === undefined && process.env.SESSIONCHAIN_NODE_SEED) o = { ...o, nodeSeed: process.env.SESSIONCHAIN_NODE_SEED.trim() };
  const given = o.nodeKey !== undefined || o.nodeKeyFile !== undefined || o.nodeSeed !== undefined;
  const key = given ? await resolveSigner({ key: o.nodeKey, keyFile: o.nodeKeyFile, seed: o.nodeSeed, scheme: 'ml-dsa-65', passwordFile: o.passwordFile, keystore: o.keystore }) : signer;
  if (!(key instanceof MlDsaSigner)) fail('a node key must be ML-DSA-65', 'pass --node-key / --node-seed, or sign with an ML-DSA-65 key');
  return key as MlDsaSigner;
}

type TxOpts = SignerOpts & SendCallOptions & OutputOpts & { rpc: string };
type ReadOpts = OutputOpts & { rpc: string };
const WORK_UNITS = { stake: luxText, amount: luxText };

async function send(o: TxOpts, method: string, args: Record<string, unknown>): Promise<void> {
  const rpc = client(o);
  try {
    reportReceipt(await sendCall(rpc, await resolveSigner(o), MODULE, method, args, o), o);
  } finally {
    rpc.close();
  }
}

async function query(o: ReadOpts, name: string, args: Record<string, unknown>): Promise<void> {
  const rpc = client(o);
  try {
    emit(await rpc.query(MODULE, name, args), o, WORK_UNITS);
  } finally {
    rpc.close();
  }
}

const txCommand = (cmd: Command) => txOptions(signerOptions(rpcOption(cmd)));

function inputArg(o: { input?: string; inputJson?: string; inputFile?: string }): string {
  const given = [o.input, o.inputJson, o.inputFile].filter((x) => x !== undefined);
  if (given.length > 1) fail('pass one of --input, --input-json, --input-file');
  if (o.inputFile !== undefined) {
    try {
      return toHex(new Uint8Array(readFileSync(o.inputFile)));
    } catch (e) {
      fail(`cannot read ${o.inputFile}: ${(e as Error).message}`);
    }
  }
  if (o.inputJson !== undefined) {
    try {
      return toHex(utf8(JSON.stringify(JSON.parse(o.inputJson))));
    } catch {
      fail('--input-json is not valid JSON');
    }
  }
  return toHex(utf8(o.input ?? ''));
}

export function register(program: Command): void {
  const work = program
    .command('work')
    .description('workload sessions: service nodes, sessions, oracle steps, attestations')
    .addHelpText(
      'after',
      `
A session: create → start → request (the committee's workers record, commit and attest) → finalize.
Examples:
  sessionchain work node register --dev 1 --endpoint https://node1.example --stake 1000LUX --activate
  sessionchain work create --service weather --dev 0
  sessionchain work start 0x<session> --dev 0
  sessionchain work request 0x<session> --kind read --input-json '{"method":"GET","url":"https://api.example/x"}' --dev 0
  sessionchain work wait 0x<session> --step 0 --state completed
  sessionchain work finalize 0x<session> --dev 0           # proposes the attested output
  sessionchain work show 0x<session>`,
    );

  // ---- nodes ----
  const node = work.command('node').description('service nodes: register, activate, suspend, exit, withdraw, show');
  nodeKeyOptions(
    txCommand(
      node
        .command('register')
        .description('register a service node with its ML-DSA-65 key and stake (the signer becomes its operator)')
        .requiredOption('--endpoint <url>', 'the node\'s endpoint (unique)')
        .requiredOption('--stake <amount>', 'stake, e.g. 1000LUX (a bare number is LUX; the dev genesis minimum is 1000 LUX), moved into module custody')
        .option('--activate', 'activate the node right after registering'),
    ),
  ).action(async (o: TxOpts & NodeKeyOpts & { endpoint: string; stake: string; activate?: boolean }) => {
    const signer = await resolveSigner(o);
    const key = await resolveNodeKey(o, signer);
    const nodeId = nodeIdFromPublicKey(key.publicKey);
    const rpc = client(o);
    try {
      const args = { publicKey: toHex(key.publicKey), endpoint: o.endpoint, stake: luxArg(o.stake, '--stake'), proof: toHex(key.signRaw(proofOfPossessionMessage(signer.address, nodeId))) };
      const r = await sendCall(rpc, signer, MODULE, 'registerNode', args, o);
      reportReceipt(r, o);
      if (o.activate && 'status' in r && r.status === 1) reportReceipt(await sendCall(rpc, signer, MODULE, 'activateNode', { nodeId: toHex(nodeId) }, o), o);
    } finally {
      rpc.close();
    }
  });
  for (const [name, method, what] of [
    ['activate', 'activateNode', 'registered or suspended → active'],
    ['exit', 'exitNode', 'leave; the stake unbonds'],
    ['withdraw', 'withdrawStake', 'take the stake back after unbonding'],
    ['heartbeat', 'heartbeat', 'record the node as seen now'],
  ] as const) {
    txCommand(node.command(`${name} <nodeId>`).description(what)).action((nodeId: string, o: TxOpts) => send(o, method, { nodeId: id32Arg(nodeId, 'nodeId') }));
  }
  txCommand(node.command('suspend <nodeId>').description('active → suspended').option('--reason <text>', 'why', '')).action((nodeId: string, o: TxOpts & { reason: string }) =>
    send(o, 'suspendNode', { nodeId: id32Arg(nodeId, 'nodeId'), reason: o.reason }),
  );
  readCommand(node.command('show <nodeId>').description('a node\'s key, operator, endpoint, stake and status')).action((nodeId: string, o: ReadOpts) => query(o, 'getNode', { nodeId: id32Arg(nodeId, 'nodeId') }));
  readCommand(node.command('list').description('active node IDs')).action((o: ReadOpts) => query(o, 'getActiveNodes', {}));
  nodeKeyOptions(outputOptions(signerOptions(node.command('id').description('print the node ID of a node key (offline)')))).action(async (o: SignerOpts & NodeKeyOpts & OutputOpts) => {
    const hasSigner = o.key !== undefined || o.keyFile !== undefined || o.dev !== undefined || o.seed !== undefined || o.seedFile !== undefined;
    const hasNodeKey = o.nodeKey !== undefined || o.nodeKeyFile !== undefined || o.nodeSeed !== undefined || o.nodeSeedFile !== undefined || Boolean(process.env.SESSIONCHAIN_NODE_SEED);
    if (!hasSigner && !hasNodeKey) fail('no key given', 'pass --node-key NAME, --node-seed HEX, or an ML-DSA-65 signer (--key, --dev N)');
    const key = await resolveNodeKey(o, hasSigner ? await resolveSigner(o) : (undefined as never));
    emit({ nodeId: toHex(nodeIdFromPublicKey(key.publicKey)), publicKey: toHex(key.publicKey) }, o);
  });

  // ---- sessions ----
  txCommand(work.command('create').description('create a session; prints the receipt, whose result is the session ID').requiredOption('--service <name|0xid>', 'the service (a name is hashed with SHA-256)')).action(
    (o: TxOpts & { service: string }) => send(o, 'createSession', { serviceId: serviceArg(o.service) }),
  );
  txCommand(work.command('start <sessionId>').description('pending → running (owner)')).action((sessionId: string, o: TxOpts) => send(o, 'startSession', { sessionId: id32Arg(sessionId, 'sessionId') }));
  txCommand(
    work
      .command('request <sessionId>')
      .description('open an oracle step (owner); prints the receipt, whose result is the request ID')
      .addOption(new Option('--kind <kind>', 'read (read_external) or write (write_external)').choices(['read', 'write']).default('read'))
      .option('--input <text>', 'input for the committee, as text')
      .option('--input-json <json>', 'input as JSON (e.g. the HTTP handler\'s {"method","url"})')
      .option('--input-file <file>', 'input bytes from a file'),
  ).action((sessionId: string, o: TxOpts & { kind: string; input?: string; inputJson?: string; inputFile?: string }) =>
    send(o, 'createOracleRequest', { sessionId: id32Arg(sessionId, 'sessionId'), kind: o.kind === 'write' ? 1 : 2, input: inputArg(o) }),
  );
  txCommand(work.command('retry <sessionId> <step>').description('reopen a timed-out step with a new request ID (owner)')).action((sessionId: string, step: string, o: TxOpts) =>
    send(o, 'retryStep', { sessionId: id32Arg(sessionId, 'sessionId'), stepIndex: step }),
  );
  txCommand(
    work
      .command('finalize <sessionId>')
      .description('propose the session output (owner); the committee co-signs session/complete and finalizes')
      .option('--output <hex>', 'the output hash (32 bytes); default: the attested output (rules 2 accept no other)')
      .option('--output-text <text>', 'hash this text with SHA-256 as the output (rules 1 chains only)'),
  ).action(async (sessionId: string, o: TxOpts & { output?: string; outputText?: string }) => {
    if (o.output !== undefined && o.outputText !== undefined) fail('pass at most one of --output HEX or --output-text TEXT');
    const sid = id32Arg(sessionId, 'sessionId');
    let outputHash: string;
    if (o.output !== undefined) outputHash = id32Arg(o.output, '--output');
    else if (o.outputText !== undefined) outputHash = toHex(sha256(utf8(o.outputText)));
    else {
      const rpc = client(o);
      try {
        outputHash = await rpc.query<string>(MODULE, 'getSessionOutput', { sessionId: sid });
      } finally {
        rpc.close();
      }
    }
    return send(o, 'requestFinalize', { sessionId: sid, outputHash });
  });
  txCommand(work.command('fail <sessionId>').description('give up on a session (owner)').option('--reason <text>', 'why', 'cancelled by owner')).action((sessionId: string, o: TxOpts & { reason: string }) =>
    send(o, 'failSession', { sessionId: id32Arg(sessionId, 'sessionId'), reason: o.reason }),
  );

  // ---- queries ----
  readCommand(work.command('show <sessionId>').description('a session: state, committee, roots')).action((sessionId: string, o: ReadOpts) => query(o, 'getSession', { sessionId: id32Arg(sessionId, 'sessionId') }));
  readCommand(work.command('step <sessionId> <index>').description('one step with its oracle request')).action((sessionId: string, index: string, o: ReadOpts) =>
    query(o, 'getStep', { sessionId: id32Arg(sessionId, 'sessionId'), stepIndex: index }),
  );
  readCommand(work.command('records <requestId>').description('the oracle records of a request, with bodies')).action((requestId: string, o: ReadOpts) => query(o, 'getRecords', { requestId: id32Arg(requestId, 'requestId') }));
  readCommand(work.command('committee <sessionId>').description('the committee and its quorum')).action((sessionId: string, o: ReadOpts) => query(o, 'getCommittee', { sessionId: id32Arg(sessionId, 'sessionId') }));
  readCommand(work.command('receipts <sessionId>').description('delivery receipts of a session')).action((sessionId: string, o: ReadOpts) => query(o, 'getReceipts', { sessionId: id32Arg(sessionId, 'sessionId') }));
  readCommand(work.command('pending').description('open oracle requests').option('--session <id>', 'only this session').option('--node <id>', 'only those this node serves')).action((o: ReadOpts & { session?: string; node?: string }) =>
    query(o, 'getPendingRequests', { sessionId: o.session ? id32Arg(o.session, '--session') : null, nodeId: o.node ? id32Arg(o.node, '--node') : null }),
  );
  readCommand(
    work
      .command('wait <sessionId>')
      .description('wait until the session (or --step N) reaches a state; prints it')
      .requiredOption('--state <state>', 'e.g. running, finalized, failed; for steps: completed, failed')
      .option('--step <index>', 'wait for this step instead of the session')
      .option('--timeout <seconds>', 'give up after this long', '120'),
  ).action(async (sessionId: string, o: ReadOpts & { state: string; step?: string; timeout: string }) => {
    const c = new WorkClient(client(o));
    const sid = fromHex(id32Arg(sessionId, 'sessionId'));
    const deadline = Date.now() + Number(o.timeout) * 1000;
    try {
      for (;;) {
        const v = o.step !== undefined ? await c.query('getStep', { sessionId: sid, stepIndex: Number(o.step) }) : await c.query('getSession', { sessionId: sid });
        if (v.state === o.state) {
          emit(o.step !== undefined ? await c.rpc.query(MODULE, 'getStep', { sessionId, stepIndex: Number(o.step) }) : await c.rpc.query(MODULE, 'getSession', { sessionId }), o);
          return;
        }
        if (v.state === 'failed' || v.state === 'finalized') fail(`it is ${v.state}, not ${o.state}`);
        if (Date.now() > deadline) fail(`still ${v.state} after ${o.timeout} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      c.close();
    }
  });
}

/**
 * `sessionchain worker --key K --rpc URL`: the reference committee worker (CommitteeWorker) for one
 * service node. It watches the chain for oracle requests of sessions its node serves, performs the
 * I/O through a handler (echo, or HTTP GET/POST to allowed hosts), submits records, commits them,
 * co-signs attestations, and completes steps and finalizations when it is the designated node.
 */
import { type Command, Option } from 'commander';
import { toHex } from '../../chain/index.js';
import { CommitteeWorker, echoHandler, httpHandler, type OracleHandler } from '../../sdk/session/index.js';
import { client, emit, fail, outputOptions, refuseDoomed, resolveSigner, rpcOption, signerOptions, type OutputOpts, type SignerOpts } from '../common.js';
import { npmExecPid, stopWithLauncher } from '../launcher.js';
import { luxArg, nodeKeyOptions, resolveNodeKey, type NodeKeyOpts } from './work.js';

interface WorkerOpts extends SignerOpts, NodeKeyOpts, OutputOpts {
  force?: boolean;
  rpc: string;
  handler: 'echo' | 'http';
  allowHost: string[];
  allowAnyHost?: boolean;
  register?: boolean;
  endpoint?: string;
  stake?: string;
  pollMs: string;
  once?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  nodeKeyOptions(
    signerOptions(
      outputOptions(rpcOption(
        program
          .command('worker')
          .description('run a reference committee worker for a service node (records, commits, co-signs attestations)')
          .addOption(new Option('--handler <kind>', 'how to perform oracle I/O').choices(['echo', 'http']).default('echo'))
          .option('--allow-host <host>', 'a host the http handler may contact (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
          .option('--allow-any-host', 'let the http handler contact any host (only on trusted devnets)')
          .option('--register', 'register and activate the node first if it is not yet active')
          .option('--endpoint <url>', 'endpoint to register with (with --register)')
          .option('--stake <amount>', 'stake to register with, e.g. 1000LUX (with --register; a bare number is LUX)', '1000LUX')
          .option('--force', 'send the registration even when its simulation fails')
          .option('--poll-ms <ms>', 'poll interval besides new-block notifications', '500')
          .option('--once', 'do one pass and exit (prints the actions taken)')
          .option('-q, --quiet', 'do not log actions'),
      )),
    ),
  )
    .addHelpText(
      'after',
      `
The signer (--key/--dev/...) is the node's operator account; the node key (--node-key/--node-seed,
default: the signer if it is ML-DSA-65) signs attestations. Examples:
  sessionchain worker --dev 1 --register --endpoint https://node1.example --stake 1000LUX
  sessionchain worker --key op1 --node-key node1 --handler http --allow-host api.example.com`,
    )
    .action(run);
}

async function run(o: WorkerOpts): Promise<void> {
  const launcher = npmExecPid();
  const operator = await resolveSigner(o);
  const nodeKey = await resolveNodeKey(o, operator);
  const pollMs = Number(o.pollMs);
  if (!Number.isInteger(pollMs) || pollMs < 10) fail('--poll-ms must be an integer ≥ 10');
  let handler: OracleHandler;
  if (o.handler === 'http') {
    if (o.allowHost.length === 0 && !o.allowAnyHost) fail('the http handler needs --allow-host HOST (repeatable) or --allow-any-host');
    handler = httpHandler({ allowHosts: o.allowHost, allowAnyHost: o.allowAnyHost });
  } else handler = echoHandler();
  const log = o.quiet ? () => {} : (line: string) => console.error(`[worker] ${line}`);
  const worker = new CommitteeWorker({ rpc: client(o), operator, nodeKey, handler, pollMs, log });
  if (o.register) {
    if (!o.endpoint) fail('--register needs --endpoint URL');
    const status = await worker.ensureRegistered(o.endpoint, BigInt(luxArg(o.stake ?? '1000LUX', '--stake')), { force: o.force }).catch((e) => {
      refuseDoomed(e);
      throw e;
    });
    log(`node ${worker.nodeIdHex} is ${status}`);
  } else {
    const node = await worker.client.query('getNode', { nodeId: worker.nodeId }).catch(() => undefined);
    if (!node) fail(`node ${worker.nodeIdHex} is not registered`, 'pass --register --endpoint URL [--stake LUX], or use `sessionchain work node register`');
    if (node!.status !== 'active') log(`warning: node ${worker.nodeIdHex} is ${node!.status}; it is not assigned to new committees`);
  }
  if (o.once) {
    await worker.tick();
    emit({ nodeId: toHex(worker.nodeId), actions: worker.actions }, o);
    worker.client.close();
    return;
  }
  log(`node ${worker.nodeIdHex} (operator ${operator.address}) watching ${o.rpc}`);
  await worker.start();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    stopWithLauncher(launcher, stop);
  });
  await worker.stop();
}

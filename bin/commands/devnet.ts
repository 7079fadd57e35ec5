/**
 * `sessionchain devnet`: starts a node (classic-level under --data-dir, or --memory), the JSON-RPC
 * server, and prints chain id, RPC URL and the funded dev accounts with their key seeds.
 * `--follow URL` starts a follower instead: it re-executes the producer's blocks and serves reads.
 */
import { type Command, Option } from 'commander';
import { resolve } from 'node:path';
import {
  Follower,
  Node,
  ONE_LUX,
  RpcServer,
  DEV_ACCOUNT_COUNT,
  devSeed,
  devAddress,
  DEV_PRODUCER_ADDRESS,
  toHex,
  type Genesis,
  type Signer,
  type MlDsaBackend,
} from '../../chain/index.js';
import { builtinModules, devGenesis, readGenesisFile, DEV_BALANCE } from '../../genesis/index.js';
import { backendStatus, GpuError, setBackend, type BackendChoice } from '../../gpu/index.js';
import { explorerHandler, fetchUpstreamGenesis, groupDigits, rpcUpstream, RpcClient } from '../../sdk/index.js';
import { fail, int, resolveSigner } from '../common.js';
import { devnetLog, type LogFormat } from '../devnet/log.js';
import { npmExecPid, stopWithLauncher } from '../launcher.js';

interface DevnetOpts {
  dataDir: string;
  memory?: boolean;
  port: string;
  host: string;
  blockTime?: string;
  automine: boolean;
  genesis?: string;
  follow?: string;
  producerKey?: string;
  passwordFile?: string;
  verifier: MlDsaBackend | 'auto';
  threads?: string;
  rateLimit: string;
  quiet?: boolean;
  logFormat: LogFormat;
  explorer: boolean;
  dev: boolean;
  allowOrigin?: string[];
  allowHost?: string[];
  kernels: BackendChoice;
}

export function register(program: Command): void {
  program
    .command('devnet')
    .description('start a devnet node with JSON-RPC (and print the funded dev accounts)')
    .option('--data-dir <dir>', 'classic-level data directory (state persists across restarts)', '.sessionchain')
    .option('--memory', 'keep everything in memory (nothing is written to disk)')
    .option('-p, --port <port>', 'JSON-RPC / WebSocket port', '9651')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--block-time <ms>', 'mine a block every <ms> milliseconds (default: automine)')
    .option('--no-automine', 'mine only on dev.Mine')
    .option('--genesis <file>', 'genesis document (default: the built-in devnet genesis)')
    .option('--follow <url>', 'follow another node: re-execute and verify its blocks, serve reads')
    .option('--producer-key <file>', 'keystore file of the producer key (when the genesis producer is not the dev producer)')
    .option('--password-file <file>', 'passphrase file for --producer-key')
    .addOption(new Option('--verifier <backend>', 'ML-DSA-65 verifier').choices(['auto', 'noble', 'pqclean']).default('auto'))
    .option('--threads <n>', 'signature verifier threads (default: number of cores)')
    .option('--rate-limit <n>', 'JSON-RPC requests per second per IP (0 = off)', '20000')
    .option('-q, --quiet', 'log nothing after the banner (no RPC calls, transactions or blocks)')
    .addOption(new Option('--log-format <format>', 'text for people, json for one JSON object per line').choices(['text', 'json']).default('text'))
    .option('--no-explorer', 'do not serve the web explorer at GET /')
    .option('--no-dev', 'do not serve dev.* (they are always off when --host is not loopback)')
    .option('--allow-origin <origins>', 'web origins besides loopback ones that may call the node (comma-separated; * for any)', list)
    .option('--allow-host <names>', 'Host names besides localhost and IP addresses (DNS-rebinding defence; comma-separated; * for any)', list)
    .addOption(new Option('--kernels <backend>', 'AIVM kernel backend (results never depend on it)').choices(['auto', 'ts', 'native', 'cuda']).default('auto'))
    .addHelpText(
      'after',
      `
Examples:
  sessionchain devnet                         # classic-level under ./.sessionchain, automine, port 9651
  sessionchain devnet --memory --port 8545    # throwaway chain
  sessionchain devnet --block-time 1000       # a block every second
  sessionchain devnet --log-format json       # one JSON object per log line
  sessionchain devnet --follow http://127.0.0.1:9651 --data-dir ./follower --port 9652`,
    )
    .action(run);
}

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((x) => x.trim()).filter(Boolean)];

async function run(o: DevnetOpts): Promise<void> {
  const launcher = npmExecPid(); // now, while the process tree is intact
  const port = int(o.port, '--port', 0, 65535)!;
  const blockTime = int(o.blockTime, '--block-time', 1, 3_600_000);
  const threads = int(o.threads, '--threads', 0, 64);
  const rateLimit = int(o.rateLimit, '--rate-limit', 0, 10_000_000)!;
  const dataDir = o.memory ? undefined : resolve(o.dataDir);
  try {
    setBackend(o.kernels);
  } catch (e) {
    if (e instanceof GpuError) fail(e.message, 'pass --kernels auto (or ts) to use what this machine has');
    throw e;
  }

  const modules = builtinModules();
  let genesis: Genesis;
  let upstream: RpcClient | undefined;
  if (o.follow) {
    upstream = new RpcClient(o.follow);
    genesis = await fetchUpstreamGenesis(upstream, modules).catch((e) => fail(`cannot get the genesis of ${o.follow}: ${(e as Error).message}`));
  } else {
    genesis = o.genesis ? genesisFile(o.genesis) : devGenesis();
  }

  let producer: Signer | undefined;
  if (!o.follow && o.producerKey) producer = await resolveSigner({ keyFile: o.producerKey, passwordFile: o.passwordFile });
  const mode = blockTime !== undefined ? 'interval' : o.automine ? 'auto' : 'manual';
  const node = await Node.start({
    modules,
    dataDir,
    memory: o.memory,
    genesis,
    explicitGenesis: Boolean(o.genesis || o.follow),
    producer,
    produce: !o.follow,
    mining: { mode, blockTimeMs: blockTime },
    verifier: { threads, backend: o.verifier },
  });
  const log = devnetLog(o.logFormat, node.chain.registry);
  const server = new RpcServer(node, {
    port,
    host: o.host,
    rateLimit,
    dev: o.dev,
    allowOrigins: o.allowOrigin,
    allowHosts: o.allowHost,
    httpGet: o.explorer ? explorerHandler() : undefined,
    onCall: o.quiet ? undefined : (c) => log.rpc(c),
  });
  let urls;
  try {
    urls = await server.listen();
  } catch (e) {
    await node.stop();
    const code = (e as NodeJS.ErrnoException).code;
    fail(code === 'EADDRINUSE' ? `port ${port} is already in use` : `cannot listen on ${o.host}:${port}: ${(e as Error).message}`, code === 'EADDRINUSE' ? 'stop the other process or pass --port N' : undefined);
  }
  let follower: Follower | undefined;
  if (upstream) {
    follower = new Follower(node, rpcUpstream(upstream));
    await follower.start();
  }

  if (o.logFormat === 'json') log.info('listening', { chainId: Number(node.chainId), url: urls!.url, wsUrl: urls!.wsUrl, explorer: o.explorer ? `${urls!.url}/` : null, height: Number(node.chain.headHeader.height), follow: o.follow ?? null });
  else printBanner(node, urls!, { dataDir, follow: o.follow, mode, blockTime, explorer: o.explorer, browsers: o.allowOrigin?.join(', '), devOff: server.devOff });
  if (!o.quiet) node.chain.onBlock((b) => log.block(b));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${o.logFormat === 'json' ? '' : '\n'}${signal}: shutting down…`, { signal });
    log.flush();
    await follower?.stop();
    await server.close();
    await node.stop();
    upstream?.close();
    log.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  stopWithLauncher(launcher, (why) => void stop(why));
}

/** Reads --genesis; any problem is one line naming the file and what to do. */
function genesisFile(path: string): Genesis {
  try {
    return readGenesisFile(path);
  } catch (e) {
    const msg = (e as Error).message;
    return fail(msg.includes(path) ? msg : `${path}: ${msg}`, 'check it with `sessionchain genesis validate FILE`, or start from `sessionchain genesis write --out FILE`');
  }
}

function printBanner(node: Node, urls: { url: string; wsUrl: string }, o: { dataDir?: string; follow?: string; mode: string; blockTime?: number; explorer: boolean; browsers?: string; devOff?: string }): void {
  const h = node.chain.headHeader;
  const lines: string[] = [];
  lines.push('');
  lines.push(`sessionchain ${o.follow ? 'follower' : 'devnet'}`);
  lines.push('');
  lines.push(`Chain ID        ${node.chainId}`);
  lines.push(`RPC URL         ${urls.url}   (WebSocket ${urls.wsUrl})`);
  if (o.explorer) lines.push(`Explorer        ${urls.url}/   (open it in a browser)`);
  lines.push(`Store           ${o.dataDir ? `${o.dataDir} (classic-level)` : 'memory (--memory: nothing is kept)'}`);
  lines.push(`Head            #${h.height} ${toHex(node.chain.head.hash)}`);
  lines.push(`State root      ${toHex(h.stateRoot)}`);
  if (o.follow) lines.push(`Following       ${o.follow}`);
  else lines.push(`Mining          ${o.mode === 'interval' ? `every ${o.blockTime} ms` : o.mode === 'auto' ? 'automine' : 'manual (dev.Mine)'}`);
  const threads = node.verifier.threads;
  lines.push(`Browsers        pages on localhost${o.browsers ? ` and ${o.browsers}` : ' only (--allow-origin to add)'}`);
  if (o.devOff) lines.push(`Dev methods     off: ${o.devOff}`);
  lines.push(`Verifier        ML-DSA-65 via ${node.verifier.backend}, ${threads === 0 ? 'inline (main thread)' : `${threads} worker thread${threads > 1 ? 's' : ''}`}`);
  const kernels = backendStatus().find((s) => s.active)!;
  lines.push(`AIVM kernels    ${kernels.name}: ${kernels.detail}`);
  if (!o.follow && node.chain.genesis.producer === DEV_PRODUCER_ADDRESS) {
    lines.push('');
    lines.push(`Available accounts (ML-DSA-65, ${groupDigits(DEV_BALANCE / ONE_LUX)} LUX each at genesis)`);
    lines.push('==================');
    for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) lines.push(`(${i}) ${devAddress(i)}`);
    lines.push('');
    lines.push('Key seeds (32 bytes; ML-DSA-65 and secp256k1 keys both derive from them)');
    lines.push('==================');
    for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) lines.push(`(${i}) ${toHex(devSeed(i))}`);
    lines.push('');
    lines.push('The secp256k1 keys of the same seeds are funded too: sessionchain keys show --dev N --scheme secp256k1');
    lines.push('Dev seeds are public: never send real value to these accounts.');
  }
  lines.push('');
  lines.push(`Listening on ${urls.url} — Ctrl+C to stop`);
  console.log(lines.join('\n'));
}


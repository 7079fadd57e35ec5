/**
 * Shared pieces of the CLI commands: the RPC client, signer selection, passphrases, module schemas
 * and the build → sign → send → wait flow. Errors end the process with one line that says what to
 * do (`CliError`); nothing prints a stack trace unless SESSIONCHAIN_DEBUG=1.
 */
import { readFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import {
  type Address,
  type SchemeName,
  type Signer,
  NamedError,
  devSigner,
  fromHex,
  isHex,
  signerFromSeed,
  toHex,
} from '../chain/index.js';
import type { MethodDef, ModuleDefinition, QueryDef } from '../chain/index.js';
import { Wallet, builtinSchemas, decryptKeystore, parseKeystore, resolveMethod, resolveModule, resolveQuery, RpcClient, RpcError, TransportError, type ReceiptJson } from '../sdk/index.js';

export const DEFAULT_RPC = 'http://127.0.0.1:9651';

/** A user-facing failure: one line, plus an optional hint line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function fail(message: string, hint?: string): never {
  throw new CliError(message, hint);
}

/** Prints JSON (bigints as strings, bytes as hex). */
export function printJson(v: unknown): void {
  console.log(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? toHex(x) : x), 2));
}

export function parseJsonArg(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // A bare word is taken as a one-element positional list (`call lux balanceOf 0xabc…`).
    if (/^[A-Za-z0-9_.:-]+$/.test(text)) return [text];
    return fail(`${what} is not valid JSON: ${text.slice(0, 60)}`, `quote JSON in the shell, e.g. '["0xabc…", "1000"]' or '{"to":"0x…","amount":"1000"}'`);
  }
}

/** A raw token amount flag: a whole decimal number (no sign, exponent or fraction), at most 2^96-1. */
export function rawUnits(v: string, flag: string): bigint {
  if (!/^(0|[1-9][0-9]{0,28})$/.test(v) || BigInt(v) >= 1n << 96n) fail(`${flag} must be a whole number of raw token units below 2^96, got "${v}"`, 'TIP-20 tokens have 6 decimals: 1.5 tokens is 1500000');
  return BigInt(v);
}

// ---- options ----------------------------------------------------------------------------------

export function rpcOption(cmd: Command): Command {
  return cmd.addOption(new Option('--rpc <url>', 'node JSON-RPC URL').default(process.env.SESSIONCHAIN_RPC ?? DEFAULT_RPC).env('SESSIONCHAIN_RPC'));
}

export function signerOptions(cmd: Command): Command {
  return cmd
    .option('--key <name>', 'a key from the keystore (see `sessionchain keys list`)')
    .option('--key-file <file>', 'a keystore file')
    .option('--dev <index>', 'dev account 0..9 (public keys; devnets only)')
    .option('--seed <hex>', 'a raw 32-byte key seed (avoid outside devnets)')
    .addOption(new Option('--scheme <scheme>', 'scheme for --dev / --seed').choices(['ml-dsa-65', 'secp256k1']).default('ml-dsa-65'))
    .option('--password-file <file>', 'file holding the keystore passphrase (or set SESSIONCHAIN_PASSWORD)')
    .option('--keystore <dir>', 'keystore directory', defaultKeystoreDir());
}

export function client(opts: { rpc?: string }): RpcClient {
  return new RpcClient(opts.rpc ?? DEFAULT_RPC);
}

// ---- keystore and signers ---------------------------------------------------------------------

export function sessionchainHome(): string {
  return process.env.SESSIONCHAIN_HOME ?? join(homedir(), '.sessionchain');
}

export function defaultKeystoreDir(): string {
  return join(sessionchainHome(), 'keystore');
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function keystorePath(dir: string, name: string): string {
  if (!NAME_RE.test(name)) fail(`invalid key name "${name}"`, 'use letters, digits, dot, dash or underscore (at most 64)');
  return join(resolve(dir), `${name}.json`);
}

export function listKeystore(dir: string): { name: string; file: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.slice(0, -5), file: join(dir, f) }));
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function writeSecretFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

/** The passphrase from --password-file, SESSIONCHAIN_PASSWORD, or an interactive prompt. */
export async function passphrase(opts: { passwordFile?: string }, prompt = 'Passphrase: ', confirm = false): Promise<string> {
  if (opts.passwordFile) {
    try {
      return readFileSync(opts.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      fail(`cannot read the password file: ${(e as Error).message}`);
    }
  }
  if (process.env.SESSIONCHAIN_PASSWORD !== undefined) return process.env.SESSIONCHAIN_PASSWORD;
  if (!process.stdin.isTTY) fail('a passphrase is needed', 'pass --password-file FILE or set SESSIONCHAIN_PASSWORD');
  const first = await askHidden(prompt);
  if (confirm && (await askHidden('Repeat passphrase: ')) !== first) fail('the passphrases do not match');
  return first;
}

function askHidden(prompt: string): Promise<string> {
  return new Promise((res) => {
    let muted = false;
    const out = new Writable({
      write(chunk, _enc, cb) {
        if (!muted) process.stderr.write(chunk);
        cb();
      },
    });
    const rl = createInterface({ input: process.stdin, output: out, terminal: true });
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write('\n');
      res(answer);
    });
    muted = true;
  });
}

export interface SignerOpts {
  key?: string;
  keyFile?: string;
  dev?: string;
  seed?: string;
  scheme?: string;
  passwordFile?: string;
  keystore?: string;
}

export async function resolveSigner(opts: SignerOpts): Promise<Signer> {
  const given = [opts.key, opts.keyFile, opts.dev, opts.seed].filter((x) => x !== undefined).length;
  if (given === 0) fail('no signer chosen', 'pass --key NAME, --key-file FILE, --dev N or --seed HEX');
  if (given > 1) fail('choose one signer: --key, --key-file, --dev or --seed');
  const scheme = (opts.scheme ?? 'ml-dsa-65') as SchemeName;
  if (opts.dev !== undefined) {
    const i = Number(opts.dev);
    if (!Number.isInteger(i) || i < 0 || i > 9) fail(`--dev takes 0..9, got ${opts.dev}`);
    return devSigner(i, scheme);
  }
  if (opts.seed !== undefined) {
    if (!isHex(opts.seed) || fromHex(opts.seed).length !== 32) fail('--seed must be 32 bytes of hex');
    return signerFromSeed(fromHex(opts.seed), scheme);
  }
  const file = opts.keyFile ?? keystorePath(opts.keystore ?? defaultKeystoreDir(), opts.key!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return fail(`no key file at ${file}`, opts.key ? 'list keys with `sessionchain keys list`, or create one with `sessionchain keys new --name NAME`' : undefined);
  }
  let ks;
  try {
    ks = parseKeystore(JSON.parse(text));
  } catch (e) {
    return fail(`${file}: ${(e as Error).message}`);
  }
  const { signer } = await decryptKeystore(ks, await passphrase(opts, `Passphrase for ${opts.key ?? file}: `));
  return signer;
}

// ---- module schemas and sending ---------------------------------------------------------------

/** Resolves a module name or an address to a built-in module (one-line CLI errors). */
export function resolveTarget(target: string): { address: Address; module: ModuleDefinition } {
  return cli(() => resolveModule(builtinSchemas, target), 'use a module name or a 0x address');
}

export function findMethod(target: string, method: string): { address: Address; module: ModuleDefinition; def: MethodDef } {
  return cli(() => resolveMethod(builtinSchemas, target, method));
}

export function findQuery(target: string, query: string): { address: Address; module: ModuleDefinition; def: QueryDef } {
  return cli(() => resolveQuery(builtinSchemas, target, query));
}

function cli<T>(fn: () => T, hint?: string): T {
  try {
    return fn();
  } catch (e) {
    return fail((e as Error).message, hint);
  }
}

export interface SendCallOptions {
  gasLimit?: string;
  gasPrice?: string;
  nonce?: string;
  wait?: boolean;
}

/**
 * Builds, signs and sends a module call. Arguments are JSON (positional array or by-name object),
 * converted with the method's schema. Gas is estimated (+25%) unless given.
 */
export async function sendCall(rpc: RpcClient, signer: Signer, target: string, method: string, argsJson: unknown, o: SendCallOptions = {}): Promise<ReceiptJson | { hash: string }> {
  const { def } = findMethod(target, method);
  let args: unknown;
  try {
    args = def.args.fromJson(argsJson ?? [], 'args');
  } catch (e) {
    fail(`bad arguments for ${method}: ${(e as Error).message}`, `expected ${def.args.name}`);
  }
  const wallet = new Wallet(rpc, signer, builtinSchemas);
  try {
    return await wallet.send(target, method, args, {
      gasLimit: o.gasLimit !== undefined ? BigInt(o.gasLimit) : undefined,
      gasPrice: o.gasPrice !== undefined ? BigInt(o.gasPrice) : undefined,
      nonce: o.nonce !== undefined ? BigInt(o.nonce) : undefined,
      wait: o.wait,
    });
  } catch (e) {
    if (e instanceof NamedError && e.data?.phase === 'estimate') fail(`${e.name}: ${e.message}`, 'fix the arguments, or pass --gas-limit to send it anyway');
    throw e;
  }
}

/** Adds --gas-limit / --gas-price / --nonce / --no-wait. */
export function txOptions(cmd: Command): Command {
  return cmd
    .option('--gas-limit <gas>', 'gas limit (default: estimate + 25%)')
    .option('--gas-price <wei>', 'gas price in wei (default: the chain minimum)')
    .option('--nonce <n>', 'nonce (default: the next pending nonce)')
    .option('--no-wait', 'return the hash without waiting for the receipt');
}

/** Prints a receipt; a failed transaction ends the command with exit code 1. */
export function reportReceipt(r: ReceiptJson | { hash: string }): void {
  printJson(r);
  if ('status' in r && r.status === 0) {
    process.exitCode = 1;
    console.error(`error: transaction failed: ${r.error}: ${r.errorMessage}`);
  }
}

// ---- top-level error handling -----------------------------------------------------------------

export function explain(e: unknown): { message: string; hint?: string } {
  if (e instanceof CliError) return { message: e.message, hint: e.hint };
  if (e instanceof RpcError) return { message: `${e.name}: ${e.message}` };
  if (e instanceof TransportError) return { message: e.message };
  if (e instanceof NamedError) return { message: `${e.name}: ${e.message}` };
  if (e instanceof Error) return { message: e.message };
  return { message: String(e) };
}


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
import {
  builtinSchemas,
  decryptKeystore,
  parseKeystore,
  resolveMethod,
  resolveModule,
  resolveQuery,
  toSchemaValue,
  RpcClient,
  RpcError,
  TransportError,
  TxSender,
  WouldFailError,
  formatAmount,
  groupDigits,
  type ModuleCall,
  type ReceiptJson,
} from '../sdk/index.js';
import { hintFor } from './hints.js';

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

/** Adds --json and --field to a command that prints a result. */
export function outputOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print JSON (the default when stdout is not a terminal; SESSIONCHAIN_OUTPUT=text|json sets it)')
    .option('--field <path>', 'print only this field of the result, as plain text (e.g. address, result, result.sessionId)');
}

export interface OutputOpts {
  json?: boolean;
  field?: string;
}

/** How amounts under these keys are shown in text output (raw base units → "1.5 LUX"). */
export type Units = Record<string, (raw: string) => string>;

export const luxText = (raw: string) => formatAmount(raw, 18, 'LUX');

function wantsJson(o: OutputOpts): boolean {
  if (o.json) return true;
  const env = process.env.SESSIONCHAIN_OUTPUT;
  if (env === 'json') return true;
  if (env === 'text') return false;
  return !process.stdout.isTTY;
}

const jsonable = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? toHex(x) : x)) ?? 'null');

/**
 * Prints a command's result: JSON (piped, or --json), one field (--field), or readable text with
 * amounts in units (a terminal). Every command prints through here.
 */
export function emit(value: unknown, o: OutputOpts = {}, units: Units = {}): void {
  const v = jsonable(value);
  if (o.field !== undefined) {
    let cur: any = v;
    for (const k of o.field.split('.')) {
      if (cur === null || typeof cur !== 'object' || !(k in cur)) fail(`the result has no field "${o.field}"`, `fields: ${v && typeof v === 'object' ? Object.keys(v).join(', ') : 'none (it is a plain value)'}`);
      cur = cur[k];
    }
    console.log(typeof cur === 'string' ? cur : JSON.stringify(cur));
    return;
  }
  if (wantsJson(o)) {
    console.log(JSON.stringify(v, null, 2));
    return;
  }
  console.log(textLines(v, units, '', '').join('\n'));
}

function textLines(v: unknown, units: Units, indent: string, path: string): string[] {
  if (v === null || typeof v !== 'object') return [`${indent}${scalar(v, units, path)}`];
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${indent}(none)`];
    return v.flatMap((x, i) => {
      const lines = textLines(x, units, `${indent}  `, path);
      return [`${indent}- ${lines[0]!.trimStart()}`, ...lines.slice(1)].concat(i < v.length - 1 && typeof x === 'object' && x !== null ? [] : []);
    });
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return [`${indent}(empty)`];
  const width = Math.min(24, Math.max(...entries.map(([k]) => k.length)));
  return entries.flatMap(([k, x]) => {
    const p = path ? `${path}.${k}` : k;
    if (x !== null && typeof x === 'object' && (Array.isArray(x) ? x.length > 0 : Object.keys(x).length > 0)) return [`${indent}${k}:`, ...textLines(x, units, `${indent}  `, p)];
    return [`${indent}${k.padEnd(width)}  ${scalar(x, units, p, k)}`];
  });
}

function scalar(v: unknown, units: Units, path: string, key = ''): string {
  if (v === null || v === undefined) return '—';
  const f = units[path] ?? units[key];
  if (f && (typeof v === 'string' || typeof v === 'number') && /^[0-9]+$/.test(String(v))) return `${f(String(v))}  (${v})`;
  if (Array.isArray(v)) return '(none)';
  if (typeof v === 'object') return '(empty)';
  return String(v);
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

/** An optional raw token amount flag (see rawUnits): undefined when the flag is not given. */
export function optRawUnits(v: string | undefined, flag: string): bigint | undefined {
  return v === undefined ? undefined : rawUnits(v, flag);
}

/** An optional integer flag in [min, max]: undefined when not given, a one-line error when out of range or not an integer. */
export function int(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be an integer between ${min} and ${max}, got ${v}`);
  return n;
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
    .option('--seed-file <file>', 'a file holding a raw 32-byte key seed in hex (or set SESSIONCHAIN_SEED)')
    .option('--seed <hex>', 'a raw 32-byte key seed (visible to other users in `ps`: prefer --seed-file or SESSIONCHAIN_SEED)')
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
  seedFile?: string;
  scheme?: string;
  passwordFile?: string;
  keystore?: string;
}

/** A 32-byte hex seed read from a file (the first line; 0x optional). */
export function readSeedFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fail(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const line = text.trim().split(/\r?\n/)[0]!.trim();
  return line.startsWith('0x') ? line : `0x${line}`;
}

export async function resolveSigner(opts: SignerOpts): Promise<Signer> {
  let given = [opts.key, opts.keyFile, opts.dev, opts.seed, opts.seedFile].filter((x) => x !== undefined).length;
  if (given > 1) fail('choose one signer: --key, --key-file, --dev, --seed-file or --seed');
  if (opts.seedFile !== undefined) opts = { ...opts, seed: readSeedFile(opts.seedFile, '--seed-file') };
  else if (given === 0 && process.env.SESSIONCHAIN_SEED) {
    opts = { ...opts, seed: process.env.SESSIONCHAIN_SEED.trim() };
    given = 1;
  }
  if (given === 0) fail('no signer chosen', 'pass --key NAME, --key-file FILE, --dev N or --seed-file FILE (or set SESSIONCHAIN_SEED)');
  const scheme = (opts.scheme ?? 'ml-dsa-65') as SchemeName;
  if (opts.dev !== undefined) {
    const i = Number(opts.dev);
    if (!Number.isInteger(i) || i < 0 || i > 9) fail(`--dev takes 0..9, got ${opts.dev}`);
    return devSigner(i, scheme);
  }
  if (opts.seed !== undefined) {
    if (!isHex(opts.seed) || fromHex(opts.seed).length !== 32) fail('the seed must be 32 bytes of hex (--seed, --seed-file or SESSIONCHAIN_SEED)');
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
  force?: boolean;
}

function uintOpt(v: string | undefined, flag: string): bigint | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v)) fail(`${flag} must be a whole number, got ${v}`);
  return BigInt(v);
}

/**
 * Sends a module call through the signer's TxSender, the SDK's one estimate → sign → send → wait
 * sequence: the simulation runs first, and a call that would fail is refused (nothing is sent)
 * with a hint naming the fix, or `--force` to send it anyway.
 */
export async function sendModuleCall(rpc: RpcClient, signer: Signer, call: ModuleCall, o: SendCallOptions = {}): Promise<ReceiptJson | { hash: string }> {
  try {
    const sent = await TxSender.for(rpc, signer).send(call, {
      gasLimit: uintOpt(o.gasLimit, '--gas-limit'),
      gasPrice: uintOpt(o.gasPrice, '--gas-price'),
      nonce: uintOpt(o.nonce, '--nonce'),
      wait: o.wait,
      force: o.force,
    });
    return sent.receipt ?? { hash: sent.hash };
  } catch (e) {
    refuseDoomed(e);
    throw e;
  }
}

/** A WouldFailError becomes the CLI's one line: what would fail, the fix, and --force. */
export function refuseDoomed(e: unknown, canForce = true): void {
  if (e instanceof WouldFailError || (e instanceof NamedError && e.data?.phase === 'estimate')) {
    const fix = hintFor((e as NamedError).name);
    const force = canForce ? `${fix ? 'or ' : ''}pass --force to send it anyway (it fails on chain and pays its fee)` : undefined;
    fail(`${(e as NamedError).name}: ${e.message}`, [fix, force].filter(Boolean).join('; ') || undefined);
  }
}

/**
 * Builds, signs and sends a call of a built-in module by name. Arguments are JSON (positional array
 * or by-name object) or schema values, converted with the method's schema.
 */
export async function sendCall(rpc: RpcClient, signer: Signer, target: string, method: string, argsJson: unknown, o: SendCallOptions = {}): Promise<ReceiptJson | { hash: string }> {
  const { address, def } = findMethod(target, method);
  let args: unknown;
  try {
    args = toSchemaValue(def, argsJson ?? []);
  } catch (e) {
    fail(`bad arguments for ${method}: ${(e as Error).message}`, `expected ${def.args.name}`);
  }
  return sendModuleCall(rpc, signer, { to: address, method, def, args }, o);
}

/** Adds --gas-limit / --gas-price / --nonce / --no-wait / --force, and the output options. */
export function txOptions(cmd: Command): Command {
  return outputOptions(
    cmd
      .option('--gas-limit <gas>', 'gas limit (default: estimate + 25%)')
      .option('--gas-price <wei>', 'gas price in wei (default: the chain minimum)')
      .option('--nonce <n>', 'nonce (default: the next pending nonce)')
      .option('--no-wait', 'return the hash without waiting for the receipt')
      .option('--force', 'send even when the simulation says the call fails (it then fails on chain and pays its fee)'),
  );
}

/** Receipt amounts shown in units in text output. */
const RECEIPT_UNITS: Units = { amount: luxText, stake: luxText, bond: luxText, fee: luxText, reward: luxText };

/**
 * Prints a receipt — the node's receipt (chain.GetReceipt) in every command — and ends the command
 * with exit code 1 when the transaction failed.
 */
export function reportReceipt(r: ReceiptJson | { hash: string }, o: OutputOpts = {}, units: Units = RECEIPT_UNITS): void {
  if ('status' in r && o.field === undefined && !wantsJson(o)) {
    // Text: the same receipt, without the raw encodings.
    const text = {
      transaction: r.txHash,
      status: r.status === 1 ? 'success' : `failed: ${r.error}`,
      ...(r.errorMessage ? { message: r.errorMessage } : {}),
      block: r.height ?? null,
      gasUsed: groupDigits(r.gasUsed),
      result: r.result,
      events: r.events.map((e) => ({ event: e.name, ...(e.args ?? { data: e.data }) })),
    };
    emit(text, o, units);
  } else emit(r, o, units);
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


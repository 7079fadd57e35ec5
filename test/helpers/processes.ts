/**
 * Test helpers for process-level tests: run the real `sessionchain` CLI and start devnet processes
 * on free ports with throwaway data directories.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'sessionchain');
/**
 * The environment of every CLI process a test starts: the wrapper's "running from the sources"
 * notice (printed when dist/ is older than an edited source) stays out of the stderr tests read.
 */
export const CLI_ENV: NodeJS.ProcessEnv = { SESSIONCHAIN_SOURCE_NOTICE: '0', ...process.env };

export function tempDir(prefix = 'sessionchain-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with the output if it is not). */
  json<T = any>(): T;
}

/** Runs `sessionchain <args>` to completion. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...CLI_ENV, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`sessionchain ${args.join(' ')} did not print JSON (exit ${code}):\n${stdout}\n${stderr}`);
          }
        },
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface DevnetProcess {
  url: string;
  port: number;
  dataDir: string | undefined;
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** Starts `sessionchain devnet` on a free port and waits until it listens. */
export async function startDevnet(opts: { dataDir?: string; memory?: boolean; args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<DevnetProcess> {
  const port = await freePort();
  const args = ['devnet', '--port', String(port), '--quiet', ...(opts.memory ? ['--memory'] : ['--data-dir', opts.dataDir ?? tempDir()]), ...(opts.args ?? [])];
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...CLI_ENV, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devnet did not start in time:\n${out}`)), opts.timeoutMs ?? 60_000);
    const check = () => {
      if (out.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devnet exited with ${code}:\n${out}`));
    });
  });
  const dataDir = opts.memory ? undefined : args[args.indexOf('--data-dir') + 1];
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

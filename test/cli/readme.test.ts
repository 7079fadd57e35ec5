/**
 * The first hour, as written (acceptance 2): every fenced `sh` block of README.md runs, in order,
 * against a fresh `sessionchain devnet` process, the way the README says to run them: `sessionchain`
 * on the PATH (`npm link`), `SESSIONCHAIN_RPC` pointing at the devnet, one shell per block in one
 * working directory. A block is skipped only when the line before it is a visible
 * `<!-- no-run: reason -->` marker. Background jobs a block leaves running (a server the next block
 * uses) live on, as in a terminal, and are stopped with their block's process group at the end.
 * Afterwards no secret (the passphrase, a key seed, a keystore) is left in the working directory.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, removeDir, startDevnet, tempDir, type DevnetProcess } from '../helpers/processes.js';

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  text: string;
  /** The reason of a `<!-- no-run: … -->` marker right before the block. */
  skip?: string;
}

/** Every fenced `sh` block of a Markdown text, with its no-run marker if any. */
export function shellBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const out: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash|shell)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    let prev = start - 1;
    while (prev >= 0 && lines[prev]!.trim() === '') prev--;
    const marker = prev >= 0 ? /^<!--\s*no-run:\s*(.*?)\s*-->$/.exec(lines[prev]!.trim()) : null;
    out.push({ line: start + 1, text: body.join('\n'), ...(marker ? { skip: marker[1] } : {}) });
  }
  return out;
}

/** Process groups of the blocks run so far (their leftover background jobs are stopped at the end). */
const groups: number[] = [];

function stopGroups(): void {
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g, 'SIGTERM');
    } catch {
      // the group is already gone
    }
  }
}

function runBlock(block: ReadmeBlock, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // -e: the first failing command fails the block; its own process group, so that background
    // jobs it leaves (workers, providers, servers) can be stopped with it.
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', block.text], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    groups.push(child.pid!);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('README: every sh block runs as written against a fresh devnet (acceptance 2)', function () {
  this.timeout(600_000);
  const blocks = shellBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  let dir: string;
  let devnet: DevnetProcess;
  let env: NodeJS.ProcessEnv;
  let work: string;

  before(async () => {
    dir = tempDir('readme-');
    work = join(dir, 'project');
    const home = join(dir, 'home');
    const bin = join(dir, 'bin');
    for (const d of [work, home, bin]) mkdirSync(d);
    symlinkSync(BIN, join(bin, 'sessionchain')); // what `npm link` puts on the PATH
    devnet = await startDevnet({ memory: true });
    env = { ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH}`, SESSIONCHAIN_RPC: devnet.url };
    for (const k of ['SESSIONCHAIN_HOME', 'SESSIONCHAIN_PASSWORD', 'SESSIONCHAIN_SEED', 'SESSIONCHAIN_NODE_SEED', 'SESSIONCHAIN_OUTPUT']) delete env[k];
  });
  after(async () => {
    stopGroups();
    await devnet?.stop();
    removeDir(dir);
  });

  it('finds the blocks; a block is skipped only with a visible reason', () => {
    expect(blocks.filter((b) => !b.skip).length).to.be.at.least(5);
    for (const b of blocks.filter((x) => x.skip !== undefined)) expect(b.skip, `README.md:${b.line}`).to.match(/\w{3,}/);
    // The marker is honoured only right before a block.
    expect(shellBlocks('<!-- no-run: setup -->\n\n```sh\nnpm ci\n```\ntext\n```sh\necho hi\n```\n').map((b) => b.skip)).to.deep.equal(['setup', undefined]);
  });

  for (const block of blocks) {
    const title = `README.md:${block.line}: ${block.text.split('\n').find((l) => l.trim() && !l.startsWith('#'))?.trim().slice(0, 70)}`;
    if (block.skip !== undefined) {
      it.skip(`${title} (no-run: ${block.skip})`);
      continue;
    }
    it(title, async () => {
      const r = await runBlock(block, work, env, 300_000);
      expect(r.code, `README.md:${block.line} failed (exit ${r.code}):\n${block.text}\n--- output ---\n${r.output}\n--- devnet ---\n${devnet.output().slice(-3000)}`).to.equal(0);
    });
  }

  it('leaves no secret in the working directory', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const passphrases = [...readme.matchAll(/SESSIONCHAIN_PASSWORD='([^']+)'/g)].map((m) => m[1]!);
    expect(passphrases.length).to.be.at.least(1);
    for (const file of filesUnder(work)) {
      const text = readFileSync(file).toString('latin1');
      for (const p of passphrases) expect(text, file).to.not.contain(p);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        continue;
      }
      const keys = JSON.stringify(json);
      expect(keys, `${file} holds a key seed`).to.not.match(/"seed"\s*:/);
      expect(keys, `${file} is a keystore`).to.not.match(/"kdf"\s*:/);
    }
  });
});

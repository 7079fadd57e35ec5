#!/usr/bin/env node
// Builds the native AIVM kernels; run by the package's `install` script during `npm ci`, and by
// `npm run build:native`. It ALWAYS exits 0: a machine without a compiler keeps the TypeScript
// reference, and gpu/native/build/aivm-build.json records why each part was built or not (the
// loader shows that reason through backendStatus() and BackendUnavailable).
//
//   1. the addon (node-gyp + node-addon-api: binding.gyp) -> build/Release/aivm_native.node
//   2. the CUDA plugin (nvcc, when found) -> build/Release/libluxgpu_backend_cuda.so, a separate
//      library the addon opens with dlopen at load time
//   3. on macOS, binding.gyp also builds the Metal plugin and its shader library
//
// SESSIONCHAIN_SKIP_NATIVE=1 skips everything; SESSIONCHAIN_SKIP_CUDA=1 skips the CUDA plugin;
// NVCC=/path/to/nvcc (or CUDA_HOME) picks the CUDA compiler; CUDA_ARCHS="80 90" the GPU targets.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILD = join(HERE, 'build');
const RELEASE = join(BUILD, 'Release');
const record = { native: { built: false }, cuda: { built: false }, metal: { built: false } };

/** The last lines of a failed command's output, for the record. */
function tail(res) {
  const text = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
  const lines = text.split('\n').filter((l) => /error|not found|fatal|cannot|No such/i.test(l));
  return (lines.length > 0 ? lines : text.split('\n')).slice(-4).join(' | ').slice(0, 600) || (res.error ? res.error.message : `exit ${res.status}`);
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { cwd: HERE, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** npm's bundled node-gyp (npm sets npm_config_node_gyp for scripts), else a local or global one. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((p) => p && existsSync(p));
}

/** Node's headers: npm's nodedir setting, else the ones installed beside this node binary. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function buildAddon() {
  const gyp = nodeGyp();
  if (!gyp) return { built: false, reason: 'node-gyp was not found (it ships with npm)' };
  const dir = nodeDir();
  const res = run(process.execPath, [gyp, 'rebuild', '--release', ...(dir ? [`--nodedir=${dir}`] : [])]);
  if (res.status !== 0) return { built: false, reason: `node-gyp: ${tail(res)}` };
  return { built: true, platform: `${process.platform}-${process.arch}` };
}

function findNvcc() {
  if (process.env.NVCC) return existsSync(process.env.NVCC) ? process.env.NVCC : undefined;
  const homes = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].filter(Boolean);
  return onPath('nvcc') ?? homes.map((h) => join(h, 'bin', 'nvcc')).find((p) => existsSync(p));
}

function buildCuda() {
  if (process.env.SESSIONCHAIN_SKIP_CUDA === '1') return { built: false, reason: 'skipped: SESSIONCHAIN_SKIP_CUDA=1' };
  if (process.platform !== 'linux') return { built: false, reason: `skipped: the CUDA plugin is built on Linux only (this is ${process.platform})` };
  const nvcc = findNvcc();
  if (!nvcc) return { built: false, reason: 'skipped: nvcc was not found (install the CUDA toolkit, or set NVCC or CUDA_HOME)' };
  // SASS for common data-center GPUs plus PTX of the lowest, which newer GPUs compile at load time.
  const archs = (process.env.CUDA_ARCHS ?? '75 80 90').split(/\s+/).filter(Boolean);
  const gencode = archs.flatMap((a) => ['-gencode', `arch=compute_${a},code=sm_${a}`]);
  gencode.push('-gencode', `arch=compute_${archs[0]},code=compute_${archs[0]}`);
  const out = join(RELEASE, 'libluxgpu_backend_cuda.so');
  const res = run(nvcc, ['-O3', '-std=c++17', '-shared', '-Xcompiler', '-fPIC', '-cudart', 'static', '-Iinclude', ...gencode, '-o', out, 'cuda/aivm_kernels.cu']);
  if (res.status !== 0) return { built: false, reason: `nvcc (${nvcc}): ${tail(res)}` };
  const version = /release ([\d.]+)/.exec(run(nvcc, ['--version']).stdout ?? '')?.[1];
  return { built: true, nvcc, version, archs };
}

function metalRecord() {
  if (process.platform !== 'darwin') return { built: false, reason: `skipped: Metal is macOS-only (this is ${process.platform})` };
  const built = existsSync(join(RELEASE, 'libluxgpu_backend_metal.dylib')) && existsSync(join(RELEASE, 'aivm_kernels.metallib'));
  return built ? { built: true } : { built: false, reason: 'binding.gyp did not produce the Metal plugin (is Xcode with the metal compiler installed?)' };
}

if (process.env.SESSIONCHAIN_SKIP_NATIVE === '1') {
  for (const part of Object.keys(record)) record[part] = { built: false, reason: 'skipped: SESSIONCHAIN_SKIP_NATIVE=1' };
} else {
  record.native = buildAddon();
  mkdirSync(RELEASE, { recursive: true });
  record.cuda = record.native.built ? buildCuda() : { built: false, reason: 'skipped: the addon did not build' };
  record.metal = record.native.built ? metalRecord() : { built: false, reason: 'skipped: the addon did not build' };
}
mkdirSync(BUILD, { recursive: true });
writeFileSync(join(BUILD, 'aivm-build.json'), JSON.stringify(record, null, 2) + '\n');
const line = (name, r) => `${name} ${r.built ? 'built' : r.reason}`;
console.log(`sessionchain native kernels: ${line('addon', record.native)}; ${line('cuda plugin', record.cuda)}; ${line('metal plugin', record.metal)}`);

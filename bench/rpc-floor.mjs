#!/usr/bin/env node
// The floor under issue 11's figures: a bare node:http JSON-RPC server that does only what admitting
// a transaction cannot skip (read the body, JSON.parse, hex → bytes, canonical decode, keccak, one
// ML-DSA-65 verification through the same `recoverSigner` as the node) and answers `{ hash }`. No
// mempool, no execution, no blocks, no storage. Driven by the peer harness's own client
// (lib/rpc.mjs, keep-alive node:http, 16 in flight) with the same transfers sc-bench sends.
//
//   node bench/rpc-floor.mjs --measure DIR [--n 2000] [--concurrency 16] [--warmup 64]
//
// Run from the project root after `npm run build`. Prints one JSON line like sc-bench's.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const root = process.cwd();
const sdk = await import(pathToFileURL(join(root, 'dist/index.js')).href);
const chain = await import(pathToFileURL(join(root, 'dist/chain/index.js')).href);
await sdk.keccakReady;

if (argv.includes('--serve')) serve();
else await drive();

function serve() {
  chain.setMlDsaBackend('auto'); // the devnet's default verifier (native pqclean when installed)
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      let reply;
      try {
        if (body.method !== 'chain.SendTransaction') throw new Error(`the floor serves only chain.SendTransaction, not ${body.method}`);
        const tx = sdk.Transaction.decode(sdk.fromHex(body.params[0]));
        const signer = chain.recoverSigner(tx.signature, tx.signingDigest);
        if (signer?.address !== tx.from) throw new Error('bad signature');
        reply = { jsonrpc: '2.0', id: body.id, result: { hash: sdk.toHex(tx.hash) } };
      } catch (e) {
        reply = { jsonrpc: '2.0', id: body.id, error: { code: -32000, message: e.message } };
      }
      const out = JSON.stringify(reply);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
}

async function drive() {
  const measure = resolve(opt('--measure', process.env.SC_MEASURE ?? ''));
  if (!measure || measure === resolve('')) {
    console.error('usage: node bench/rpc-floor.mjs --measure DIR [--n 2000] [--concurrency 16] [--warmup 64]  (DIR: a copy of shared/measure after `npm ci`)');
    process.exit(2);
  }
  const { createRpc } = await import(pathToFileURL(join(measure, 'lib/rpc.mjs')).href);
  const { cpuOf } = await import(pathToFileURL(join(measure, 'lib/cpu.mjs')).href);
  const n = Number(opt('--n', 2000));
  const concurrency = Number(opt('--concurrency', 16));
  const warmup = Number(opt('--warmup', 64));

  // The same transfers as sc-bench: dev account 0, 1 unit of LUX to 0x…beef, nonces 0, 1, 2, …
  const { address: lux, def } = sdk.resolveMethod(sdk.builtinSchemas, 'lux', 'transfer');
  const signer = sdk.signerFromSeed(sdk.devSeed(0), 'ml-dsa-65');
  const to = '0x000000000000000000000000000000000000beef';
  const txs = Array.from({ length: warmup + n }, (_, k) => {
    const tx = sdk.signTx({ chainId: 1337n, nonce: BigInt(k), from: signer.address, to: lux, method: 'transfer', args: def.args.encode({ to, amount: 1n }), gasLimit: 300_000n, gasPrice: 1_000_000_000n }, signer);
    return { raw: sdk.toHex(tx.raw), hash: sdk.toHex(tx.hash) };
  });

  const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((ok, fail) => {
      proc.stdout.once('data', (d) => ok(Number(String(d).trim())));
      proc.once('exit', (code) => fail(new Error(`floor server exited with ${code}`)));
    });
    const rpc = createRpc(`http://127.0.0.1:${port}`, { maxSockets: concurrency });
    const sendAll = async (list) => {
      let next = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < list.length) {
          const tx = list[next++];
          const got = await rpc.call('chain.SendTransaction', [tx.raw]);
          if (got?.hash !== tx.hash) throw new Error(`floor answered ${JSON.stringify(got)}, expected ${tx.hash}`);
        }
      }));
    };
    await sendAll(txs.slice(0, warmup));
    const c0 = cpuOf(proc.pid), u0 = process.cpuUsage(), t0 = performance.now();
    await sendAll(txs.slice(warmup));
    const t1 = performance.now(), c1 = cpuOf(proc.pid), u1 = process.cpuUsage(u0);
    rpc.close();
    console.log(JSON.stringify({
      peer: 'node-floor',
      n,
      concurrency,
      seconds: Number(((t1 - t0) / 1000).toFixed(4)),
      txPerSec: Number((n / ((t1 - t0) / 1000)).toFixed(1)),
      serverCpuMsPerTx: Number((((c1.proc - c0.proc) * 1000) / n).toFixed(3)),
      mainThreadCpuMsPerTx: Number((((c1.main - c0.main) * 1000) / n).toFixed(3)),
      clientCpuMsPerTx: Number(((u1.user + u1.system) / 1000 / n).toFixed(3)),
    }));
  } finally {
    proc.kill();
  }
}

/**
 * Fuzz targets (fast-check, fixed seeds), run briefly by `npm test` (test/fuzz/fuzz.test.ts) and at
 * length by `npm run fuzz -- --cases N` (test/fuzz/run.ts). Each oracle is what must hold for ANY
 * input, after the reliability notes (spec/reliability.md §2.2, §2.3):
 *
 *   tx-codec       bytes → decode: a CodecError, or a transaction that re-encodes to exactly those
 *                  bytes; and through the node's admission: accepted, or refused with a named
 *                  TxRejected reason (never an unnamed error), the mempool holding only what was accepted
 *   voucher-codec  escrow settle/close arguments from RLP and from JSON: a CodecError or a value that
 *                  re-encodes canonically; the voucher verifier on any descriptor, amount and signature:
 *                  a verdict or a named error, never a crash, and never "ok" for a mutated signature
 *   jsonrpc        every method with any params, and any body: one valid JSON-RPC envelope per call
 *                  (id echoed), error codes only from the documented table, never -32603 (an
 *                  unhandled path), and the node still mines afterwards
 */
import fc from 'fast-check';
import {
  CodecError,
  NamedError,
  RpcCode,
  RpcServer,
  Transaction,
  TxRejected,
  devSigner,
  handleBody,
  rlpDecode,
  rlpEncode,
  signTx,
  startNode,
  toHex,
  type Node,
  type RlpItem,
} from '../../sdk/chain.js';
import { closeArgs, settleArgs, signVoucherBytes, VoucherVerifier, computeChannelId, DEV_STABLECOIN_ADDRESS, recoverVoucher, voucherDigest, type ChannelDescriptor } from '../../sdk/precompiles/index.js';
import { buildMethods } from '../../chain/rpc/methods.js';

export interface FuzzTarget {
  name: string;
  description: string;
  /** Runs `numRuns` cases from `seed` (replaying `path` when given); fast-check's run details. */
  run(params: { numRuns: number; seed: number; path?: string }): Promise<fc.RunDetails<any>>;
}

// ---- shared arbitraries -------------------------------------------------------------------------

const EDGE_STRINGS = [
  '',
  '0',
  '-1',
  '-0',
  '+1',
  ' 1',
  '1 ',
  '1.5',
  '1e3',
  '0x',
  '0x0',
  '0x00',
  '0xg',
  'NaN',
  'latest',
  'pending',
  '18446744073709551615',
  '18446744073709551616',
  ((1n << 256n) - 1n).toString(),
  (1n << 256n).toString(),
  '9'.repeat(120),
  '0x' + 'f'.repeat(64),
  '0x' + '0'.repeat(40),
  '0x77d3291ab8db63a6d280a543a588a4d350eb0beb',
  '0x77D3291AB8DB63A6D280A543A588A4D350EB0BEB',
  '0x77d3291ab8db63a6d280a543a588a4d350eb0beZ',
  '__proto__',
  'constructor',
  'toString',
  'lux',
  'dev',
  'aivm',
  'escrow',
  'sessionvm',
  'newHeads',
  'ml-dsa-65',
  '\u0000',
  '\ud800',
  'x'.repeat(300),
];
const EDGE_NUMBERS = [0, 1, 2, 3, -1, -0, 0.5, 1.5, 1e21, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 10_001, 3_600_001, 1e308];
const KEYS = ['a', 'address', 'to', 'from', 'method', 'args', 'block', 'hash', 'id', 'amount', 'balance', 'timestamp', 'seconds', 'blocks', 'ms', 'raw', 'wait', 'full', 'filter', '__proto__', 'constructor'];

/** JSON values biased towards the edges of what params parse. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...EDGE_STRINGS),
    fc.constantFrom(...EDGE_NUMBERS),
    fc.integer({ min: -3, max: 3 }),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => toHex(b)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const rlpItem: fc.Arbitrary<RlpItem> = fc.letrec((tie) => ({
  item: fc.oneof({ depthSize: 'small' }, fc.uint8Array({ maxLength: 40 }), fc.array(tie('item'), { maxLength: 5 })),
})).item as fc.Arbitrary<RlpItem>;

/** Mutations of `bytes`: flips, truncation, insertion, deletion, splices of another byte string. */
function mutated(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
      const b = bytes.slice();
      b[at % b.length]! ^= x;
      return b;
    }),
    fc.nat().map((n) => bytes.slice(0, n % bytes.length)),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, ins]) => {
      const i = at % (bytes.length + 1);
      return Uint8Array.from([...bytes.subarray(0, i), ...ins, ...bytes.subarray(i)]);
    }),
    fc.tuple(fc.nat(), fc.nat({ max: 16 })).map(([at, n]) => {
      const i = at % bytes.length;
      return Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + n + 1)]);
    }),
    fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 })).map(([at, tail]) => Uint8Array.from([...bytes.subarray(0, at % bytes.length), ...tail])),
  );
}

const isNamed = (e: unknown) => e instanceof NamedError && typeof e.name === 'string' && e.name.length > 0 && e.name !== 'Error';

function fail(what: string): never {
  throw new Error(what);
}

// ---- tx codec -------------------------------------------------------------------------------------

async function withNode<T>(fn: (node: Node) => Promise<T>): Promise<T> {
  const node = await startNode({ memory: true, verifier: { threads: 0 }, mining: { mode: 'manual' } });
  try {
    return await fn(node);
  } finally {
    await node.stop();
  }
}

const txCodec: FuzzTarget = {
  name: 'tx-codec',
  description: 'transaction bytes: canonical decode, and admission by the node (named refusals only)',
  run: ({ numRuns, seed, path }) =>
    withNode(async (node) => {
      const signer = devSigner(2, 'secp256k1');
      const template = signTx(
        { chainId: node.chainId, nonce: 0n, from: signer.address, to: node.moduleAddress('lux'), method: 'transfer', args: [new Uint8Array(20).fill(7), new Uint8Array([1])], gasLimit: 100_000n, gasPrice: node.chain.genesis.params.minGasPrice },
        signer,
      ).raw;
      const accepted = new Set<string>();
      const input = fc.oneof(
        { arbitrary: mutated(template), weight: 6 },
        { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 2 },
        { arbitrary: rlpItem.map((i) => rlpEncode(i)), weight: 2 },
        { arbitrary: fc.constant(template), weight: 1 },
      );
      return fc.check(
        fc.asyncProperty(input, async (raw) => {
          let tx: Transaction | undefined;
          try {
            tx = Transaction.decode(raw);
          } catch (e) {
            if (!(e instanceof CodecError)) fail(`decode threw ${(e as Error).name}: ${(e as Error).message}`);
          }
          if (tx && toHex(Transaction.fromFields(tx).raw) !== toHex(raw)) fail('decoded a non-canonical encoding (re-encoding differs)');
          try {
            const r = await node.submit(raw);
            accepted.add(toHex(r.hash));
          } catch (e) {
            if (!(e instanceof TxRejected) || !isNamed(e)) fail(`admission threw an unnamed ${(e as Error).name}: ${(e as Error).message}`);
            if (!tx && (e as TxRejected).name !== 'MalformedTransaction' && (e as TxRejected).name !== 'NonCanonicalEncoding' && (e as TxRejected).name !== 'OversizeTransaction') {
              fail(`undecodable bytes were refused as ${(e as TxRejected).name}`);
            }
          }
          if (node.mempool.size > accepted.size) fail(`the mempool holds ${node.mempool.size} transactions, only ${accepted.size} were accepted`);
        }),
        { numRuns, seed, path },
      );
    }),
};

// ---- voucher codec --------------------------------------------------------------------------------

const voucherCodec: FuzzTarget = {
  name: 'voucher-codec',
  description: 'escrow settle/close arguments (RLP and JSON) and voucher verification',
  run: async ({ numRuns, seed, path }) => {
    const CHAIN = 1337n;
    const payer = devSigner(1, 'secp256k1');
    const pqPayer = devSigner(3);
    const payee = devSigner(2, 'secp256k1');
    const descriptorOf = (p: { address: string }): ChannelDescriptor => ({
      payer: p.address as ChannelDescriptor['payer'],
      payee: payee.address,
      operator: '0x0000000000000000000000000000000000000000' as ChannelDescriptor['operator'],
      token: DEV_STABLECOIN_ADDRESS,
      salt: ('0x' + '11'.repeat(32)) as ChannelDescriptor['salt'],
      authorizedSigner: '0x0000000000000000000000000000000000000000' as ChannelDescriptor['authorizedSigner'],
      expiringNonceHash: ('0x' + '22'.repeat(32)) as ChannelDescriptor['expiringNonceHash'],
    });
    const vouchers = [payer, pqPayer].map((p) => {
      const descriptor = descriptorOf(p);
      const id = computeChannelId(descriptor, CHAIN);
      return { descriptor, amount: 1000n, signer: p.address, signature: signVoucherBytes(p, id, 1000n, CHAIN) };
    });
    const verifier = new VoucherVerifier({ chainId: CHAIN, cacheSize: 64 });
    const validArgs = rlpEncode(settleArgs.encode({ descriptor: vouchers[0]!.descriptor, cumulativeAmount: 1000n, signature: vouchers[0]!.signature }) as RlpItem);

    const rlpCase = fc.record({ kind: fc.constant('rlp' as const), bytes: fc.oneof(mutated(validArgs), rlpItem.map((i) => rlpEncode(i)), fc.uint8Array({ maxLength: 200 })) });
    const jsonCase = fc.record({ kind: fc.constant('json' as const), which: fc.constantFrom('settle', 'close'), value: fc.oneof(jsonish, fc.record({ descriptor: jsonish, cumulativeAmount: jsonish, signature: jsonish })) });
    const verifyCase = fc.nat({ max: 1 }).chain((i) =>
      fc.record({
        kind: fc.constant('verify' as const),
        voucher: fc.constant(i),
        descriptor: fc.oneof(fc.constant(undefined), jsonish),
        amount: fc.oneof(fc.constant(1000n as unknown), jsonish),
        signature: fc.oneof(fc.constant(toHex(vouchers[i]!.signature) as unknown), mutated(vouchers[i]!.signature).map((b) => toHex(b) as unknown), jsonish),
      }),
    );
    return fc.check(
      fc.property(fc.oneof(rlpCase, jsonCase, verifyCase), (c) => {
        if (c.kind === 'rlp') {
          let item: RlpItem;
          try {
            item = rlpDecode(c.bytes, 'args');
          } catch (e) {
            if (!(e instanceof CodecError)) fail(`rlpDecode threw ${(e as Error).name}`);
            return;
          }
          try {
            const v = settleArgs.decode(item, 'args');
            if (toHex(rlpEncode(settleArgs.encode(v) as RlpItem)) !== toHex(c.bytes)) fail('settle args decoded from a non-canonical encoding');
          } catch (e) {
            if (!(e instanceof CodecError)) fail(`settleArgs.decode threw ${(e as Error).name}: ${(e as Error).message}`);
          }
          return;
        }
        if (c.kind === 'json') {
          const type = c.which === 'settle' ? settleArgs : closeArgs;
          try {
            const v = type.fromJson(c.value, 'args');
            const again = type.fromJson(type.toJson(v as never), 'args');
            if (toHex(rlpEncode(type.encode(again as never) as RlpItem)) !== toHex(rlpEncode(type.encode(v as never) as RlpItem))) fail('JSON round trip changed the value');
          } catch (e) {
            if (!(e instanceof CodecError)) fail(`fromJson threw ${(e as Error).name}: ${(e as Error).message}`);
          }
          return;
        }
        const base = vouchers[c.voucher]!;
        const input = { descriptor: (c.descriptor ?? base.descriptor) as ChannelDescriptor, cumulativeAmount: c.amount as bigint, signature: c.signature as string };
        let verdict;
        try {
          verdict = verifier.verify(input);
        } catch (e) {
          if (!isNamed(e)) fail(`verify threw an unnamed ${(e as Error).name}: ${(e as Error).message}`);
          return;
        }
        if (!verdict.ok) return;
        if (verdict.cumulativeAmount !== base.amount || verdict.channelId !== computeChannelId(base.descriptor, CHAIN)) fail('a voucher verified for an amount or channel it was not signed for');
        const signatureUnchanged = typeof c.signature === 'string' && c.signature.toLowerCase() === toHex(base.signature);
        if (!signatureUnchanged) {
          // A different signature may only verify if it recovers the same signer over the same digest (e.g. v 27 ↔ 0).
          const who = recoverVoucher(voucherDigest(verdict.channelId, verdict.cumulativeAmount, CHAIN), c.signature as string);
          if (who?.address !== verdict.signer) fail('a mutated signature verified');
        }
      }),
      { numRuns, seed, path },
    );
  },
};

// ---- JSON-RPC surface -----------------------------------------------------------------------------

const CODES = new Set<number>(Object.values(RpcCode));
const UNNAMED_CODES = new Set<number>([RpcCode.ParseError, RpcCode.InvalidRequest, RpcCode.MethodNotFound]);

/** Checks that `text` answers `request` (a single call) with one valid envelope. */
function checkEnvelope(text: string | null, id: unknown, notification: boolean): void {
  if (notification && text !== null) {
    // Not a notification after all: an invalid Request object is answered -32600 with id null (JSON-RPC 2.0 §5).
    const e = JSON.parse(text);
    if (e?.error?.code !== RpcCode.InvalidRequest || e.id !== null) fail(`a notification got a body: ${text.slice(0, 200)}`);
    return;
  }
  if (notification) return;
  if (text === null) fail('a call got no body');
  const e = JSON.parse(text);
  if (Array.isArray(e) || e === null || typeof e !== 'object') fail(`not one envelope: ${text.slice(0, 200)}`);
  if (e.jsonrpc !== '2.0') fail('jsonrpc is not "2.0"');
  if (('result' in e) === ('error' in e)) fail('an envelope needs exactly one of result and error');
  if (e.error) {
    if (!CODES.has(e.error.code)) fail(`undocumented error code ${e.error.code}: ${e.error.message}`);
    if (e.error.code === RpcCode.InternalError) fail(`internal error (an unhandled path): ${text.slice(0, 300)}`);
    if (typeof e.error.message !== 'string') fail('error.message is not a string');
    if (!UNNAMED_CODES.has(e.error.code) && typeof e.error.data?.name !== 'string') fail(`error without data.name: ${text.slice(0, 200)}`);
    if (e.error.code === RpcCode.InvalidRequest || e.error.code === RpcCode.ParseError) return; // id may be null when the request is not one
  }
  if (e.id !== id) fail(`id ${JSON.stringify(e.id)} does not echo ${JSON.stringify(id)}`);
}

const jsonRpc: FuzzTarget = {
  name: 'jsonrpc',
  description: "every method's params, and raw bodies, through the server's dispatcher",
  run: ({ numRuns, seed, path }) =>
    withNode(async (node) => {
      const server = new RpcServer(node, { port: 0 });
      const ctx = { transport: 'http' as const, ip: '127.0.0.1' };
      const limits = { maxBatch: 1000, maxResponseBytes: 25_000_000 };
      const methods = [...buildMethods(node).entries()].filter(([, d]) => !d.wsOnly).map(([name, d]) => ({ name, keys: d.params.keys as string[] }));
      const params = (keys: string[]) =>
        fc.oneof(
          fc.constant(undefined),
          fc.array(jsonish, { maxLength: keys.length + 1 }),
          fc.record(Object.fromEntries(keys.map((k) => [k, jsonish])), { requiredKeys: [] }),
          fc.tuple(fc.record(Object.fromEntries(keys.map((k) => [k, jsonish])), { requiredKeys: [] }), fc.constantFrom(...KEYS), jsonish).map(([o, k, v]) => ({ ...o, [k]: v })),
          jsonish,
        );
      const call = fc.constantFrom(...methods).chain((m) =>
        fc.record({ kind: fc.constant('call' as const), method: fc.constant(m.name), params: params(m.keys), id: fc.oneof({ arbitrary: fc.oneof(fc.nat(), fc.string({ maxLength: 8 }), fc.constant(null)), weight: 9 }, { arbitrary: fc.constant(undefined), weight: 1 }) }),
      );
      const body = fc.record({ kind: fc.constant('body' as const), text: fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), jsonish.map((v) => JSON.stringify(v) ?? 'null')) });
      try {
        const details = await fc.check(
          fc.asyncProperty(fc.oneof({ arbitrary: call, weight: 5 }, { arbitrary: body, weight: 1 }), async (c) => {
            if (c.kind === 'body') {
              const out = await handleBody(c.text, server.dispatcher, ctx, limits);
              if (out !== null) {
                const parsed = JSON.parse(out);
                for (const e of Array.isArray(parsed) ? parsed : [parsed]) {
                  if (e === null || typeof e !== 'object' || e.jsonrpc !== '2.0' || ('result' in e) === ('error' in e)) fail(`not an envelope: ${out.slice(0, 200)}`);
                  if (e.error && !CODES.has(e.error.code)) fail(`undocumented error code ${e.error.code}`);
                  if (e.error?.code === RpcCode.InternalError) fail(`internal error (an unhandled path): ${out.slice(0, 300)}`);
                }
              }
              return;
            }
            const request = { jsonrpc: '2.0', method: c.method, ...(c.params === undefined ? {} : { params: c.params }), ...(c.id === undefined ? {} : { id: c.id }) };
            const text = JSON.stringify(request, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
            const out = await handleBody(text, server.dispatcher, ctx, limits);
            node.producer!.setMode('manual'); // undo dev.SetBlockTime / dev.SetAutomine between cases
            checkEnvelope(out, c.id ?? null, c.id === undefined);
          }),
          { numRuns, seed, path },
        );
        const before = node.chain.head.height;
        const [b] = await node.mine(1);
        if (!details.failed && b!.block.header.height !== before + 1n) throw new Error('the node no longer mines after the fuzz run');
        return details;
      } finally {
        await server.close();
      }
    }),
};

export const FUZZ_TARGETS: readonly FuzzTarget[] = [txCodec, voucherCodec, jsonRpc];

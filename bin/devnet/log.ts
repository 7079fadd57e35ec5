/**
 * The devnet's terminal log, like anvil's: every JSON-RPC call with the time it took, every
 * transaction of a new block with its hash, method, status and gas, and every block. `text` is for
 * people; `json` prints one JSON object per line for tools (`--log-format json`).
 */
import { groupDigits } from '../../sdk/index.js';
import { toHex, blockHash, type CommittedBlock, type ModuleRegistry, type RpcCallRecord } from '../../chain/index.js';

export type LogFormat = 'text' | 'json';

export interface DevnetLog {
  rpc(call: RpcCallRecord): void;
  block(b: CommittedBlock): void;
  /** A one-off line (start-up, shutdown). */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Writes what is buffered (before the process exits). */
  flush(): void;
}

/** Where the lines go: `write` for each line, `flush` for any it holds back. */
export interface LineSink {
  write(line: string): void;
  flush(): void;
}

/**
 * Lines to stdout. On a terminal each line goes out at once; into a pipe or a file (a harness, a CI
 * log) they are gathered and written every 100 ms in one call: a node under load does not pay a
 * write system call per RPC call and per transaction (stdout pipes are synchronous on Linux).
 */
export function stdoutSink(stream: NodeJS.WriteStream = process.stdout): LineSink {
  if (stream.isTTY) return { write: (l) => stream.write(l + '\n'), flush: () => {} };
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('\n') + '\n';
    pending = [];
    stream.write(text);
  };
  return {
    write(l) {
      pending.push(l);
      timer ??= setTimeout(flush, 100).unref();
    },
    flush,
  };
}

export function devnetLog(format: LogFormat, registry: ModuleRegistry, sink: LineSink = stdoutSink()): DevnetLog {
  const write = (line: string) => sink.write(line);
  const json = (kind: string, fields: Record<string, unknown>) => write(JSON.stringify({ time: new Date().toISOString(), kind, ...fields }));
  return {
    rpc(c) {
      const ms = Math.round(c.ms * 100) / 100;
      if (format === 'json') json('rpc', { method: c.method, transport: c.transport, ms, ...(c.error ? { error: c.error } : {}) });
      else write(`rpc    ${c.method.padEnd(30)} ${ms.toFixed(2).padStart(8)} ms${c.transport === 'ws' ? '  (ws)' : ''}${c.error ? `  ${c.error}` : ''}`);
    },
    block(b) {
      const header = b.block.header;
      const hash = toHex(blockHash(header));
      b.block.txs.forEach((tx, i) => {
        const r = b.receipts[i]!;
        const method = `${registry.resolve(tx.to)?.def.name ?? tx.to}.${tx.method}`;
        const status = r.status === 1 ? 'success' : `failed ${r.error}`;
        if (format === 'json') json('tx', { hash: toHex(tx.hash), from: tx.from, method, status: r.status, ...(r.status === 1 ? {} : { error: r.error }), gasUsed: r.gasUsed.toString(), height: Number(header.height) });
        else write(`tx     ${toHex(tx.hash)}  ${method}  ${status}  gas ${groupDigits(r.gasUsed)}`);
      });
      const failed = b.receipts.filter((r) => r.status === 0).length;
      if (format === 'json') json('block', { height: Number(header.height), hash, txs: header.txCount, failed, gasUsed: header.gasUsed.toString(), timestamp: Number(header.timestamp) });
      else write(`block  #${header.height}  ${hash}  ${header.txCount} tx${failed ? ` (${failed} failed)` : ''}  gas ${groupDigits(header.gasUsed)}`);
    },
    info(message, fields = {}) {
      if (format === 'json') json('info', { message, ...fields });
      else write(message);
    },
    flush: () => sink.flush(),
  };
}

/**
 * Exported block files (`sessionchain export` / `import` / `replay --file`).
 *
 *   magic   "SCBLKv1\n" (8 bytes)
 *   record  u32be(length) ‖ bytes, repeated:
 *     record 0     the canonical genesis document (UTF-8 JSON)
 *     record 1..n  rlp([block, receipts, diff]) for heights 1..n, in order
 *
 * Receipts and diffs let a replay name the first divergent transaction and state key; the block
 * alone is what is re-executed and checked.
 */
import { closeSync, openSync, readSync, writeSync, fstatSync } from 'node:fs';
import { fromUtf8, readU32be, u32be, utf8 } from './bytes.js';
import { asBytes, asList, rlpDecode, rlpEncode } from './codec.js';
import { NodeError } from './errors.js';

export const BLOCKFILE_MAGIC = utf8('SCBLKv1\n');
const MAX_RECORD = 512 * 1024 * 1024;

export interface BlockRecord {
  block: Uint8Array;
  receipts: Uint8Array;
  diff: Uint8Array;
}

export class BlockFileWriter {
  readonly #fd: number;
  blocks = 0;

  constructor(path: string, genesisCanonical: string) {
    try {
      this.#fd = openSync(path, 'w');
    } catch (e) {
      throw new NodeError('FileError', `cannot write ${path}: ${(e as Error).message}`);
    }
    writeSync(this.#fd, BLOCKFILE_MAGIC);
    this.#record(utf8(genesisCanonical));
  }

  #record(bytes: Uint8Array): void {
    writeSync(this.#fd, u32be(bytes.length));
    writeSync(this.#fd, bytes);
  }

  write(r: BlockRecord): void {
    this.#record(rlpEncode([r.block, r.receipts, r.diff]));
    this.blocks++;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

export class BlockFileReader {
  readonly #fd: number;
  readonly size: number;
  readonly genesisJson: string;
  #pos = 0;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = openSync(path, 'r');
    } catch (e) {
      throw new NodeError('FileError', `cannot read ${path}: ${(e as Error).message}`);
    }
    this.size = fstatSync(this.#fd).size;
    const magic = this.#read(BLOCKFILE_MAGIC.length);
    if (!magic || fromUtf8(magic) !== fromUtf8(BLOCKFILE_MAGIC)) throw this.#bad('not a sessionchain block file (bad magic)');
    const g = this.#next();
    if (!g) throw this.#bad('missing genesis record');
    this.genesisJson = fromUtf8(g);
  }

  get position(): number {
    return this.#pos;
  }

  #bad(why: string): NodeError {
    return new NodeError('InvalidBlockFile', `${this.path}: ${why}`);
  }

  #read(n: number): Uint8Array | undefined {
    if (this.#pos + n > this.size) return undefined;
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.#fd, buf, got, n - got, this.#pos + got);
      if (r === 0) return undefined;
      got += r;
    }
    this.#pos += n;
    return buf;
  }

  #next(): Uint8Array | undefined {
    if (this.#pos === this.size) return undefined;
    const len = this.#read(4);
    if (!len) throw this.#bad(`truncated record header at byte ${this.#pos}`);
    const n = readU32be(len);
    if (n > MAX_RECORD) throw this.#bad(`record of ${n} bytes at byte ${this.#pos} is implausible`);
    const body = this.#read(n);
    if (!body) throw this.#bad(`truncated record at byte ${this.#pos} (file ends early)`);
    return body;
  }

  /** How many block records the file holds (reads only the length headers; the position is kept). */
  countBlocks(): number {
    let pos = this.#pos;
    let n = 0;
    const len = new Uint8Array(4);
    while (pos + 4 <= this.size) {
      if (readSync(this.#fd, len, 0, 4, pos) !== 4) break;
      pos += 4 + readU32be(len);
      if (pos > this.size) break;
      n++;
    }
    return n;
  }

  /** The next block record, or undefined at the end of the file. */
  next(): BlockRecord | undefined {
    const raw = this.#next();
    if (!raw) return undefined;
    try {
      const [block, receipts, diff] = asList(rlpDecode(raw, 'block record'), 'record', 3);
      return { block: asBytes(block, 'block'), receipts: asBytes(receipts, 'receipts'), diff: asBytes(diff, 'diff') };
    } catch (e) {
      throw this.#bad((e as Error).message);
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}

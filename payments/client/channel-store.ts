/**
 * What the client remembers per channel, keyed `payee:token:escrow:chainId` (lowercase): the
 * descriptor, the highest voucher it signed (`cumulative`, its signing boundary), what the server's
 * receipts confirmed, and what it actually received (`deliveredValue`, the price guard's measure).
 * The file store keeps it across restarts (one JSON file per payer, written atomically).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Address } from '../../chain/index.js';
import type { ChannelDescriptor, Hex32 } from '../../precompiles/index.js';

export interface ClientChannel {
  key: string;
  /** The service origin it was opened against (for `pay --close URL`). */
  origin: string;
  channelId: Hex32;
  descriptor: ChannelDescriptor;
  chainId: number;
  escrow: Address;
  deposit: bigint;
  /** Highest voucher amount this client signed: never lowered by anything the server says. */
  cumulative: bigint;
  /** The last voucher signature (for recovery after a server lost its store). */
  signature?: string;
  accepted: bigint;
  spent: bigint;
  units: number;
  /** Value actually received: units delivered × their price. */
  deliveredValue: bigint;
  deliveredUnits: number;
  closed: boolean;
  closeTxHash?: string;
}

export interface ClientChannelStore {
  get(key: string): ClientChannel | undefined;
  put(entry: ClientChannel): void;
  all(): ClientChannel[];
}

export const channelKey = (payee: string, token: string, escrow: string, chainId: number): string => `${payee}:${token}:${escrow}:${chainId}`.toLowerCase();

const encode = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x), 2);
const decode = (s: string) => JSON.parse(s, (_k, x) => (typeof x === 'string' && /^[0-9]+n$/.test(x) ? BigInt(x.slice(0, -1)) : x));

export class MemoryClientStore implements ClientChannelStore {
  protected entries = new Map<string, ClientChannel>();
  get(key: string) {
    const e = this.entries.get(key);
    return e && { ...e };
  }
  put(entry: ClientChannel) {
    this.entries.set(entry.key, { ...entry });
  }
  all() {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }
}

/** `<dir>/<payer>.json`; every put rewrites the file via a temporary file and a rename. */
export class FileClientStore extends MemoryClientStore {
  readonly file: string;

  constructor(dir: string, payer: Address) {
    super();
    this.file = join(dir, `${payer}.json`);
    if (existsSync(this.file)) {
      const list = decode(readFileSync(this.file, 'utf8')) as ClientChannel[];
      for (const e of list) this.entries.set(e.key, e);
    }
  }

  override put(entry: ClientChannel): void {
    super.put(entry);
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, encode([...this.entries.values()]), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/**
 * The payload format the SessionVM clients put in a message's `ciphertext` (the module treats it
 * as opaque bytes): one identity envelope per recipient, so every participant, the sender
 * included, can read the session's history and nobody else can.
 *
 *   bundle = rlp([format = 1, [[recipient_index, envelope], ...]])
 *
 * `recipient_index` is the participant's position in the session's sorted participant list;
 * entries are in ascending index order, each index at most once. Each envelope uses the session's
 * envelope version (identity.ts). The sender signs the whole bundle, so no entry can be swapped.
 */
import { decodeValue, encodeValue, NamedError, t, type Infer } from '../../../chain/index.js';
import { SPEC_MAX_CIPHERTEXT, SPEC_MAX_PARTICIPANTS } from '../../../vm/session/index.js';

export const BUNDLE_FORMAT = 1;

const bundleType = t.struct({
  format: t.uint8,
  entries: t.list(t.struct({ recipient: t.uint8, envelope: t.bytes(SPEC_MAX_CIPHERTEXT) }), SPEC_MAX_PARTICIPANTS),
});
export type BundleEntry = Infer<typeof bundleType>['entries'][number];

export class BundleError extends NamedError {
  constructor(message: string) {
    super('InvalidBundle', message);
  }
}

function checkEntries(entries: readonly BundleEntry[]): void {
  for (let i = 0; i < entries.length; i++) {
    const r = entries[i]!.recipient;
    if (r >= SPEC_MAX_PARTICIPANTS) throw new BundleError(`recipient index ${r} is out of range`);
    if (i > 0 && entries[i - 1]!.recipient >= r) throw new BundleError('bundle entries must be in ascending recipient order, each recipient once');
  }
}

export function encodeBundle(entries: readonly BundleEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.recipient - b.recipient);
  checkEntries(sorted);
  return encodeValue(bundleType, { format: BUNDLE_FORMAT, entries: sorted });
}

export function decodeBundle(bytes: Uint8Array): BundleEntry[] {
  let b: Infer<typeof bundleType>;
  try {
    b = decodeValue(bundleType, bytes, 'bundle');
  } catch (e) {
    throw new BundleError(`not a message bundle: ${(e as Error).message}`);
  }
  if (b.format !== BUNDLE_FORMAT) throw new BundleError(`unknown bundle format ${b.format} (this client reads format ${BUNDLE_FORMAT})`);
  checkEntries(b.entries);
  return b.entries;
}

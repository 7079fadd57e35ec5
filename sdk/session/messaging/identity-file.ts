/**
 * Identity files of the `sessionchain session` commands. The secret file holds the 32-byte
 * identity seed (both key pairs derive from it); the public file, made to be shared, holds only the
 * keys. Both name the session ID and the identity's chain account, and are checked on reading.
 *
 *   { "type": "sessionchain-identity", "version": 1, "sessionId": "07…", "account": "0x…",
 *     "kemPublicKey": "0x…", "dsaPublicKey": "0x…", "seed": "0x…" }        (no "seed" when public)
 *
 * The seed is stored in clear: keep the file private (the CLI writes it with mode 0600).
 */
import { Identity, IdentityError, type PublicIdentity, publicIdentity, IDENTITY_SEED_LEN } from '../../../vm/session/index.js';
import { equals, fromHex, mldsaAddress, toHex } from '../../../chain/index.js';

export const IDENTITY_FILE_TYPE = 'sessionchain-identity';

export interface IdentityFileJson {
  type: typeof IDENTITY_FILE_TYPE;
  version: 1;
  sessionId: string;
  account: string;
  kemPublicKey: string;
  dsaPublicKey: string;
  seed?: string;
}

/** The shareable file of an identity: its keys, session ID and account, no secret. */
export function publicIdentityFileJson(id: PublicIdentity): IdentityFileJson {
  return {
    type: IDENTITY_FILE_TYPE,
    version: 1,
    sessionId: id.sessionId,
    account: mldsaAddress(id.dsaPublicKey),
    kemPublicKey: toHex(id.kemPublicKey),
    dsaPublicKey: toHex(id.dsaPublicKey),
  };
}

/** The secret file: the public fields plus the 32-byte seed. */
export function secretIdentityFileJson(id: Identity): IdentityFileJson {
  const seed = id.seed;
  if (!seed) throw new IdentityError('ErrInvalidIdentityFile', 'only identities made from a seed can be written to a file');
  return { ...publicIdentityFileJson(id), seed: toHex(seed) };
}

function bad(message: string): never {
  throw new IdentityError('ErrInvalidIdentityFile', message);
}

function hexField(j: Record<string, unknown>, k: string): Uint8Array {
  const v = j[k];
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) bad(`"${k}" must be 0x hex`);
  return fromHex(v);
}

function checkHeader(json: unknown): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) bad('an identity file is a JSON object');
  const j = json as Record<string, unknown>;
  if (j.type !== IDENTITY_FILE_TYPE || j.version !== 1) bad(`not a version 1 ${IDENTITY_FILE_TYPE} file`);
  return j;
}

/** The public identity of a secret or public identity file (its session ID is checked). */
export function publicIdentityFromFile(json: unknown): PublicIdentity {
  const j = checkHeader(json);
  const pub = publicIdentity(hexField(j, 'kemPublicKey'), hexField(j, 'dsaPublicKey'));
  if (j.sessionId !== pub.sessionId) bad(`the file says session ID ${String(j.sessionId)} but its keys give ${pub.sessionId}`);
  return pub;
}

/** The full identity of a secret identity file (its keys and session ID are checked). */
export function identityFromFile(json: unknown): Identity {
  const j = checkHeader(json);
  if (j.seed === undefined) bad('this is a public identity file; the command needs the secret one (with "seed")');
  const seed = hexField(j, 'seed');
  if (seed.length !== IDENTITY_SEED_LEN) bad(`"seed" must be ${IDENTITY_SEED_LEN} bytes`);
  const id = Identity.fromSeed(seed);
  const claimed = publicIdentityFromFile(j);
  if (!equals(claimed.id, id.id)) bad('the seed does not give the keys in the file');
  return id;
}

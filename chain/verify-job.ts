/** What the verifier (a worker or the main thread) does for one item. */
import { recoverSigner, type RecoveredSigner } from './keys/schemes.js';
import { Transaction } from './tx.js';
import type { SignatureCheck } from './module/contract.js';
import type { CheckResult } from './module/sigcache.js';

export type VerifyJob = { type: 'tx'; raw: Uint8Array } | { type: 'check'; check: SignatureCheck };

export type TxVerdict =
  | { type: 'tx'; ok: true; hash: Uint8Array; publicKey: Uint8Array }
  | { type: 'tx'; ok: false; hash?: Uint8Array; reason: 'malformed' | 'signature' | 'sender'; message: string };

export type VerifyResult = TxVerdict | { type: 'check'; result: CheckResult };

/** Decodes, hashes and checks a transaction's signature against its `from`. */
export function verifyRawTx(raw: Uint8Array): TxVerdict {
  let tx: Transaction;
  try {
    tx = Transaction.decode(raw);
  } catch (e) {
    return { type: 'tx', ok: false, reason: 'malformed', message: (e as Error).message };
  }
  return verifyDecodedTx(tx);
}

/** Checks a decoded transaction's signature against its `from`. */
export function verifyDecodedTx(tx: Transaction): TxVerdict {
  return signerVerdict(tx, recoverSigner(tx.signature, tx.signingDigest));
}

/** The verdict on a transaction, given who (if anyone) signed its digest. */
export function signerVerdict(tx: Transaction, who: RecoveredSigner | null): TxVerdict {
  const hash = tx.hash;
  if (!who) return { type: 'tx', ok: false, hash, reason: 'signature', message: 'the signature does not verify' };
  if (who.address !== tx.from) return { type: 'tx', ok: false, hash, reason: 'sender', message: `signed by ${who.address}, but from is ${tx.from}` };
  return { type: 'tx', ok: true, hash, publicKey: who.publicKey };
}


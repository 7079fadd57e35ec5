/**
 * Inference artifacts of the current block (posted results, re-executions, settlement receipts).
 * endBlock folds them into one audit anchor (spec §2.8), so the AIVM state root commits to every
 * inference; the queue is emptied there.
 */
import { concat, keccak256, t, utf8 } from '../../chain/index.js';
import { KERNEL_GAS } from './constants.js';
import type { Env } from './env.js';
import { K } from './state.js';

/** Records a 32-byte artifact, domain-separated by `kind`. */
export async function addArtifact(e: Env, kind: string, ...parts: Uint8Array[]): Promise<void> {
  e.ctx.gas.charge(KERNEL_GAS.artifact, 'aivm artifact');
  const artifact = keccak256(concat(utf8(`aivm/artifact/${kind}`), ...parts));
  await e.w.append(K.blockArtifactCount, K.blockArtifact, t.bytes32, artifact);
}

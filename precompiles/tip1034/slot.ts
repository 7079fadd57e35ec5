/**
 * The one-slot channel state (§1.3), a 256-bit big-endian word:
 * bits 0..95 `settled`, 96..191 `deposit`, 192..223 `closeRequestedAt` (unix seconds), 224..255 zero.
 * A channel exists iff `deposit != 0`; close and withdraw delete the slot.
 */
import { bigToBytes, bytesToBig, t, type Infer } from '../../chain/index.js';
import { MAX_UINT32, MAX_UINT96 } from './constants.js';

export const channelStateType = t.struct({ settled: t.uint96, deposit: t.uint96, closeRequestedAt: t.uint32 });
export type ChannelState = Infer<typeof channelStateType>;

export const EMPTY_STATE: ChannelState = Object.freeze({ settled: 0n, deposit: 0n, closeRequestedAt: 0 });

export function packSlot(s: ChannelState): Uint8Array {
  if (s.settled < 0n || s.settled > MAX_UINT96 || s.deposit < 0n || s.deposit > MAX_UINT96) throw new RangeError('settled and deposit are uint96');
  if (!Number.isInteger(s.closeRequestedAt) || s.closeRequestedAt < 0 || BigInt(s.closeRequestedAt) > MAX_UINT32) throw new RangeError('closeRequestedAt is uint32');
  return bigToBytes(s.settled | (s.deposit << 96n) | (BigInt(s.closeRequestedAt) << 192n), 32);
}

export function unpackSlot(word: Uint8Array): ChannelState {
  if (word.length !== 32) throw new RangeError(`a channel slot is 32 bytes, got ${word.length}`);
  const v = bytesToBig(word);
  if (v >> 224n !== 0n) throw new RangeError('channel slot has bits set above 223');
  return { settled: v & MAX_UINT96, deposit: (v >> 96n) & MAX_UINT96, closeRequestedAt: Number((v >> 192n) & MAX_UINT32) };
}

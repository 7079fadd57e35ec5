/** Argument and return schemas of the escrow's methods and views (canonical ABI field order, §1.4). */
import { t } from '../../chain/index.js';
import { word32 } from '../hex.js';
import { descriptorType } from './descriptor.js';
import { channelStateType } from './slot.js';

/** Voucher signatures: secp256k1 (65 B) or `0x07 ‖ ML-DSA-65 pk ‖ sig` (5262 B); room for others to be rejected by name. */
const signature = t.bytes(8192);

export const openArgs = t.struct({
  payee: t.address,
  operator: t.address,
  token: t.address,
  deposit: t.uint96,
  salt: word32,
  authorizedSigner: t.address,
});
export const settleArgs = t.struct({ descriptor: descriptorType, cumulativeAmount: t.uint96, signature });
/** At most this many channels per `settleBatch` call. */
export const MAX_SETTLE_BATCH = 64;
export const settleBatchArgs = t.struct({ items: t.list(settleArgs, MAX_SETTLE_BATCH) });
export const topUpArgs = t.struct({ descriptor: descriptorType, additionalDeposit: t.uint96 });
export const closeArgs = t.struct({ descriptor: descriptorType, cumulativeAmount: t.uint96, captureAmount: t.uint96, signature });
export const descriptorArgs = t.struct({ descriptor: descriptorType });

export const channelIdArgs = t.struct({ channelId: word32 });
export const channelIdsArgs = t.struct({ channelIds: t.list(word32, 1024) });
export const computeChannelIdArgs = descriptorType;
export const voucherDigestArgs = t.struct({ channelId: word32, cumulativeAmount: t.uint96 });

export const channelType = t.struct({ descriptor: descriptorType, state: channelStateType });

/**
 * The escrow's events (§1.6). topic0 is keccak256 of the Solidity signature, and every event
 * indexes channelId, payer and payee as 32-byte words, so ids match Tempo's logs. Non-indexed
 * fields travel as RLP data, like every event of this chain.
 */
import { t, type StructType } from '../../chain/index.js';
import type { EventDef } from '../../chain/index.js';

const head = { channelId: t.bytes32, payer: t.address, payee: t.address };
const indexed = ['channelId', 'payer', 'payee'] as const;

function event<F extends Record<string, any>>(fields: StructType<F>, signature: string): EventDef {
  return { fields, indexed, signature };
}

/** The non-indexed part of ChannelOpened, in order: what the event's RLP data holds. */
export const channelOpenedData = t.struct({
  operator: t.address,
  token: t.address,
  authorizedSigner: t.address,
  salt: t.bytes32,
  expiringNonceHash: t.bytes32,
  deposit: t.uint96,
});
const channelOpenedFields = t.struct({ ...head, ...channelOpenedData.fields });

export const escrowEvents = {
  ChannelOpened: event(channelOpenedFields, 'ChannelOpened(bytes32,address,address,address,address,address,bytes32,bytes32,uint96)'),
  Settled: event(t.struct({ ...head, cumulativeAmount: t.uint96, deltaPaid: t.uint96, newSettled: t.uint96 }), 'Settled(bytes32,address,address,uint96,uint96,uint96)'),
  TopUp: event(t.struct({ ...head, additionalDeposit: t.uint96, newDeposit: t.uint96 }), 'TopUp(bytes32,address,address,uint96,uint96)'),
  CloseRequested: event(t.struct({ ...head, closeGraceEnd: t.uint256 }), 'CloseRequested(bytes32,address,address,uint256)'),
  ChannelClosed: event(t.struct({ ...head, settledToPayee: t.uint96, refundedToPayer: t.uint96 }), 'ChannelClosed(bytes32,address,address,uint96,uint96)'),
  CloseRequestCancelled: event(t.struct(head), 'CloseRequestCancelled(bytes32,address,address)'),
} satisfies Record<string, EventDef>;

export type EscrowEventName = keyof typeof escrowEvents;

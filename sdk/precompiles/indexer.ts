/** Reading escrow events back: indexers and servers recover descriptors from `ChannelOpened`. */
import { decodeValue, equals, keccak256, toAddress, toHex, utf8, type ChainEvent } from '../../chain/index.js';
import type { Hex32, ChannelDescriptor } from '../../precompiles/index.js';
import { ESCROW_ADDRESS, channelOpenedData, escrowEvents } from '../../precompiles/index.js';

export interface OpenedChannel {
  channelId: Hex32;
  descriptor: ChannelDescriptor;
  deposit: bigint;
}

const OPENED_TOPIC0 = keccak256(utf8(escrowEvents.ChannelOpened.signature!));

/** Decodes a `ChannelOpened` event of the escrow; null for any other event. */
export function decodeChannelOpened(e: ChainEvent, escrow = ESCROW_ADDRESS): OpenedChannel | null {
  if (e.address !== escrow || e.topics.length !== 4 || !equals(e.topics[0]!, OPENED_TOPIC0)) return null;
  const data = decodeValue(channelOpenedData, e.data, 'ChannelOpened data');
  return {
    channelId: toHex(e.topics[1]!) as Hex32,
    descriptor: {
      payer: toAddress(e.topics[2]!.subarray(12)),
      payee: toAddress(e.topics[3]!.subarray(12)),
      operator: data.operator,
      token: data.token,
      salt: toHex(data.salt) as Hex32,
      authorizedSigner: data.authorizedSigner,
      expiringNonceHash: toHex(data.expiringNonceHash) as Hex32,
    },
    deposit: data.deposit,
  };
}

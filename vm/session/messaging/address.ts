/** Where the messaging SessionVM lives. Its RPC family is `sessionvm.*`, as in the seed. */
import { toAddress } from '../../../chain/index.js';

export const SESSIONVM_NAME = 'sessionvm';
/** "SVM" followed by zeros. */
export const SESSIONVM_ADDRESS = toAddress('0x53564d0000000000000000000000000000000000');

/**
 * Named errors of the messaging SessionVM. The first four are upstream's strings, kept exactly
 * (clients match on them); the rest are the limits and checks upstream lacks.
 */
import { moduleErrors } from '../../../chain/index.js';

export const MessagingErrors = {
  UnknownSession: 'unknown session',
  SessionClosed: 'session closed',
  SessionExpired: 'session expired',
  /** Not a participant, a key that is not the participant's, or a signature that does not verify. */
  Unauthorized: 'unauthorized',
  NoParticipants: 'NoParticipants',
  TooManyParticipants: 'TooManyParticipants',
  DuplicateParticipant: 'DuplicateParticipant',
  TooManyChannels: 'TooManyChannels',
  TooManyMessages: 'TooManyMessages',
  MessageTooLarge: 'MessageTooLarge',
  SequenceMismatch: 'SequenceMismatch',
  TtlTooLong: 'TtlTooLong',
  InvalidEnvelopeVersion: 'InvalidEnvelopeVersion',
  SessionExists: 'SessionExists',
  PageTooLarge: 'PageTooLarge',
} as const;
export type MessagingErrorName = (typeof MessagingErrors)[keyof typeof MessagingErrors];

export const messagingErrors = moduleErrors(Object.values(MessagingErrors));

export function fail(name: MessagingErrorName, message: string, data?: Record<string, unknown>): never {
  throw messagingErrors.error(name, message, data);
}

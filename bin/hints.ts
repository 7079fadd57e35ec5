/**
 * What to do about a module error the simulation predicts, by error name: the CLI prints it as the
 * hint of a refused transaction (with `--force` to send anyway). Names are the modules' declared
 * error names (`chain.Modules` lists them).
 */
const HINTS: Record<string, string> = {
  InsufficientBalance: 'fund the sender first, e.g. sessionchain tx lux transfer to=0x… amount=10LUX --dev 0',
  InsufficientFunds: 'fund the sender first, e.g. sessionchain tx lux transfer to=0x… amount=10LUX --dev 0',
  InsufficientStake: 'stake at least the minimum (service nodes: --stake 1000LUX on the dev genesis)',
  NotEnoughNodes: 'a workload session needs a committee of at least 3 active service nodes: start three `sessionchain worker --register …` (or `work node register --activate`)',
  NodeExists: 'this node key is already registered: `sessionchain work node show ID`, or use another --node-key',
  EndpointTaken: 'another node uses this --endpoint: choose a unique one',
  NotSessionOwner: 'send it from the account that created the session',
  NotNodeOperator: 'send it from the node\'s operator account',
  EligibleBelowMargin: 'a task needs its N providers plus a margin of at least 2 more registered for the model (optimistic: 3 in all): register more with `sessionchain aivm register --model FILE --stake 1LUX --dev N`',
  NotEnoughEligible: 'register providers for this model first: `sessionchain aivm register --model FILE --stake 1LUX --dev N` (an optimistic task needs 3)',
  FeeTooLow: 'pass a larger --fee (at least 0.01 LUX per provider)',
  StakeBelowMin: 'stake at least the minimum provider bond: --stake 1LUX on the dev genesis',
  BondTooLow: 'pass a larger --bond / --stake (at least 1 LUX on the dev genesis)',
  ModelUnknown: 'register the model first: `sessionchain aivm models --register FILE --dev N`',
  ChallengeWindowClosed: 'the challenge window is over: the result is final',
  SelfChallenge: 'challenge from an account other than the provider that posted the result',
  ClaimMatchesResult: 'your claim equals the posted result: there is nothing to dispute',
  ChannelNotFound: 'check the channel id or file and --rpc; a closed channel is gone',
  InvalidSignature: 'sign the voucher with the payer (or the channel\'s authorized signer) for this channel and amount: `sessionchain escrow voucher`',
  AmountExceedsDeposit: 'the voucher is larger than the deposit: top the channel up (`escrow topup`) or sign a smaller voucher',
  AmountNotIncreasing: 'vouchers are cumulative: present one larger than the settled amount',
  CloseNotReady: 'the grace period is not over: wait (on a devnet: sessionchain rpc dev.IncreaseTime \'[900]\' and mine a block)',
  NotPayeeOrOperator: 'settle and close from the payee (or the channel\'s operator)',
  ChannelAlreadyExists: 'a channel with these parameters is open: pass another --salt',
  ZeroDeposit: 'pass a --deposit above zero, e.g. --deposit 10USD',
  NotPayer: 'send it from the channel\'s payer',
  UnknownSession: 'check the session id (sessions are pruned some time after they end)',
  NotAParticipant: 'use the identity file of a participant of this session',
};

export function hintFor(name: string): string | undefined {
  return HINTS[name];
}

/**
 * `sessionchain escrow ...`: TIP-1034 payment channels from the command line.
 *
 *   sessionchain escrow open --payee 0x… --deposit 10USD --dev 1 --out channel.json
 *   sessionchain escrow voucher --channel channel.json --amount 2.5USD --dev 1 --out voucher.json
 *   sessionchain escrow settle --channel channel.json --signature-file voucher.json --dev 2
 *   sessionchain escrow close --channel channel.json --signature-file voucher.json --dev 2
 *   sessionchain escrow status --channel channel.json
 *
 * `--channel` is a channelId (the descriptor is found from its ChannelOpened event) or a file
 * written by `open --out`. Amounts take the token's unit (`2.5USD`, `2.5DUSD`); a bare number is
 * raw token units (TIP-20: 6 decimals). Every call is simulated before it is sent.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatAmount, parseAmount, type AmountUnit, type RpcClient } from '../../sdk/index.js';
import {
  DEV_STABLECOIN_ADDRESS,
  EscrowRpcClient,
  toDescriptor,
  type ChannelDescriptor,
  type Hex32,
  CLOSE_GRACE_PERIOD,
  computeChannelId,
  MAX_UINT96,
} from '../../sdk/precompiles/index.js';
import { client, emit, fail, outputOptions, refuseDoomed, reportReceipt, resolveSigner, rpcOption, signerOptions, writeSecretFile, type OutputOpts, type SignerOpts, type Units } from '../common.js';

type Opts = SignerOpts & OutputOpts & { rpc: string; gasLimit?: string; force?: boolean };
type ChannelOpts = Opts & { channel: string };

const HEX32_RE = /^0x[0-9a-fA-F]{64}$/;

/** The unit of a TIP-20 token: its symbol (the dev stablecoin also answers to USD), 6 decimals. */
async function tokenUnit(rpc: RpcClient, token: string): Promise<AmountUnit> {
  const info = await rpc.call<{ symbol: string; decimals: number }>('tip20.GetToken', { token }).catch(() => fail(`${token} is not a TIP-20 token on this chain`, 'pass --token with a TIP-20 address (0x20c0…)'));
  const symbols = info.symbol.toUpperCase() === 'DUSD' ? [info.symbol, 'USD'] : [info.symbol];
  return { decimals: info.decimals, symbols, bare: 'raw' };
}

/** A uint96 amount: with the token's unit (2.5USD) or raw units (2500000). */
function amount(v: string | undefined, flag: string, unit: AmountUnit): bigint {
  if (v === undefined) return fail(`${flag} is required`);
  let n: bigint;
  try {
    n = parseAmount(v, unit, flag);
  } catch (e) {
    return fail((e as Error).message, `TIP-20 tokens have ${unit.decimals} decimals: 1.5${unit.symbols[0]} is ${15n * 10n ** BigInt(unit.decimals - 1)} raw units`);
  }
  if (n > MAX_UINT96) fail(`${flag} ${v} exceeds 2^96-1 raw units`);
  return n;
}

/** Escrow calls from the CLI are simulated first (and refused when doomed) unless --force. */
function gas(o: Opts): { gasLimit?: bigint; simulate: true; force?: boolean } {
  if (o.gasLimit !== undefined && !/^[0-9]+$/.test(o.gasLimit)) fail('--gas-limit must be a whole number');
  return { gasLimit: o.gasLimit === undefined ? undefined : BigInt(o.gasLimit), simulate: true, force: o.force };
}

async function withEscrow<T>(o: { rpc: string }, fn: (e: EscrowRpcClient, rpc: RpcClient) => Promise<T>): Promise<T> {
  const rpc = client(o);
  try {
    return await fn(new EscrowRpcClient(rpc), rpc);
  } catch (e) {
    refuseDoomed(e);
    throw e;
  } finally {
    rpc.close();
  }
}

interface ChannelRef {
  channelId: Hex32;
  descriptor: ChannelDescriptor;
}

/** Resolves --channel: a channelId looked up on chain, or a channel file from `open --out`. */
async function channelOf(e: EscrowRpcClient, ref: string): Promise<ChannelRef> {
  if (HEX32_RE.test(ref)) {
    const found = await e.findChannel(ref);
    if (!found) fail(`no ChannelOpened event for ${ref} on this chain`, 'check the channelId and --rpc, or pass the file written by `escrow open --out`');
    return { channelId: found!.channelId, descriptor: found!.descriptor };
  }
  if (!existsSync(ref)) fail(`--channel ${ref} is neither a 0x channelId (32 bytes) nor a file`);
  let json: { descriptor?: unknown };
  try {
    json = JSON.parse(readFileSync(ref, 'utf8'));
  } catch {
    return fail(`${ref} is not JSON`, 'channel files are written by `sessionchain escrow open --out FILE`');
  }
  let descriptor: ChannelDescriptor;
  try {
    descriptor = toDescriptor((json.descriptor ?? json) as never);
  } catch (err) {
    return fail(`${ref}: ${(err as Error).message}`);
  }
  return { channelId: computeChannelId(descriptor, await e.chainId()), descriptor };
}

function sendingOptions(cmd: Command): Command {
  return signerOptions(cmd).option('--gas-limit <gas>', 'gas limit (default: estimate + 25%)').option('--force', 'send even when the simulation says the call fails (it then fails on chain and pays its fee)');
}

function channelCommand(cmd: Command, withSigner = true): Command {
  const c = outputOptions(rpcOption(cmd)).requiredOption('--channel <id|file>', 'the channelId (0x…) or a channel file from `open --out`');
  return withSigner ? sendingOptions(c) : c;
}

/** Token amounts shown in units in text output. */
function tokenUnits(unit: AmountUnit): Units {
  const f = (raw: string) => formatAmount(raw, unit.decimals, unit.symbols[0]!);
  return { deposit: f, settled: f, unsettled: f, payer: f, payee: f, escrow: f, cumulativeAmount: f, additionalDeposit: f, newDeposit: f, deltaPaid: f, newSettled: f, settledToPayee: f, refundedToPayer: f };
}

/** A voucher from --signature-file (a file from `voucher --out`, or one holding the 0x signature) or --signature. */
function voucherOf(o: { signature?: string; signatureFile?: string; amount?: string }, unit: AmountUnit, required: boolean): { signature: string; cumulativeAmount?: bigint } {
  if (o.signature !== undefined && o.signatureFile !== undefined) fail('pass one of --signature-file FILE or --signature HEX');
  if (o.signatureFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.signatureFile, 'utf8').trim();
    } catch (e) {
      return fail(`cannot read --signature-file ${o.signatureFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (text.startsWith('{')) {
      let v: { signature?: unknown; cumulativeAmount?: unknown };
      try {
        v = JSON.parse(text);
      } catch {
        return fail(`${o.signatureFile} is not JSON`, 'voucher files are written by `sessionchain escrow voucher --out FILE`');
      }
      if (typeof v.signature !== 'string') fail(`${o.signatureFile} has no "signature"`, 'voucher files are written by `sessionchain escrow voucher --out FILE`');
      const fileAmount = typeof v.cumulativeAmount === 'string' && /^[0-9]+$/.test(v.cumulativeAmount) ? BigInt(v.cumulativeAmount) : undefined;
      if (o.amount !== undefined && fileAmount !== undefined && amount(o.amount, '--amount', unit) !== fileAmount) fail(`--amount ${o.amount} differs from the voucher's ${fileAmount} raw units`, 'leave --amount out to use the voucher\'s');
      return { signature: hexArg(v.signature as string), cumulativeAmount: fileAmount };
    }
    return { signature: hexArg(text) };
  }
  if (o.signature !== undefined) return { signature: hexArg(o.signature) };
  if (required) fail('no voucher given', 'pass --signature-file FILE (from `escrow voucher --out FILE`) or --signature 0x…');
  return { signature: '0x' };
}

export function register(program: Command): void {
  const escrow = program.command('escrow').description('TIP-1034 payment channels: open, vouchers, settle, close, forced close, status');

  sendingOptions(outputOptions(rpcOption(escrow.command('open'))))
    .description('open a channel funded by the signer (the payer); prints the receipt, whose result is the channel id')
    .requiredOption('--payee <address>', 'who is paid (settles and closes the channel)')
    .requiredOption('--deposit <amount>', 'locked in the channel: 10USD, 2.5DUSD, or raw token units')
    .option('--token <address>', 'the TIP-20 token', DEV_STABLECOIN_ADDRESS)
    .option('--operator <address>', 'an account that may also settle and close (funds still go to the payee)')
    .option('--authorized-signer <address>', 'the key that signs vouchers instead of the payer')
    .option('--salt <hex>', '32-byte salt (distinct salts open distinct channels)')
    .option('--out <file>', 'write {channelId, chainId, descriptor} here for later commands')
    .action(async (o: Opts & { payee: string; deposit: string; token: string; operator?: string; authorizedSigner?: string; salt?: string; out?: string }) => {
      if (o.salt !== undefined && !HEX32_RE.test(o.salt)) fail('--salt must be 32 bytes of 0x hex');
      if (o.out && existsSync(o.out)) fail(`${o.out} exists`, 'choose another --out file');
      const payer = await resolveSigner(o);
      await withEscrow(o, async (e, rpc) => {
        const unit = await tokenUnit(rpc, o.token);
        const deposit = amount(o.deposit, '--deposit', unit);
        const r = await e.open(payer, { payee: o.payee, deposit, token: o.token, operator: o.operator, authorizedSigner: o.authorizedSigner, salt: o.salt }, gas(o));
        if (o.out && r.receipt.status === 1) writeFileSync(o.out, JSON.stringify({ channelId: r.channelId, chainId: Number(await e.chainId()), descriptor: r.descriptor }, null, 2) + '\n');
        reportReceipt(r.receipt, o, tokenUnits(unit));
      });
    });

  signerOptions(channelCommand(escrow.command('voucher'), false))
    .description('sign a voucher for a cumulative amount (nothing is sent); --out writes it to a file for `settle --signature-file`')
    .requiredOption('--amount <amount>', 'cumulative amount the payee may collect in total: 2.5USD, or raw token units')
    .option('--out <file>', 'write the voucher (channelId, amount, signature) to this file instead of printing the signature')
    .action(async (o: ChannelOpts & { amount: string; out?: string }) => {
      const signer = await resolveSigner(o);
      if (o.out && existsSync(o.out)) fail(`${o.out} exists`, 'choose another --out file');
      await withEscrow(o, async (e, rpc) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        const unit = await tokenUnit(rpc, descriptor.token);
        const cumulativeAmount = amount(o.amount, '--amount', unit);
        const signature = await e.signVoucher(signer, channelId, cumulativeAmount);
        const check = await e.verifyVoucher(descriptor, cumulativeAmount, signature);
        if (!check.ok) fail(`this key (${signer.address}) cannot sign vouchers for the channel: ${check.message}`, 'sign with the payer, or the channel\'s authorized signer');
        const voucher = { channelId, cumulativeAmount: cumulativeAmount.toString(), signer: signer.address, scheme: signer.scheme, signature };
        if (o.out) {
          writeSecretFile(o.out, JSON.stringify(voucher, null, 2) + '\n');
          emit({ ...voucher, signature: undefined, file: o.out, signatureBytes: (signature.length - 2) / 2 }, o, tokenUnits(unit));
        } else emit(voucher, o, tokenUnits(unit));
      });
    });

  channelCommand(escrow.command('settle'))
    .description('payee or operator: collect up to a voucher\'s cumulative amount')
    .option('--signature-file <file>', 'the voucher: a file from `escrow voucher --out` (its amount is used), or one holding the 0x signature')
    .option('--signature <hex>', 'the voucher signature (from `escrow voucher`), instead of --signature-file')
    .option('--amount <amount>', 'the voucher\'s cumulative amount (default: the one in --signature-file)')
    .action(async (o: ChannelOpts & { amount?: string; signature?: string; signatureFile?: string }) => {
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e, rpc) => {
        const { descriptor } = await channelOf(e, o.channel);
        const unit = await tokenUnit(rpc, descriptor.token);
        const v = voucherOf(o, unit, true);
        const cumulativeAmount = o.amount !== undefined ? amount(o.amount, '--amount', unit) : (v.cumulativeAmount ?? fail('--amount is required with a bare signature'));
        reportReceipt(await e.settle(signer, descriptor, cumulativeAmount, v.signature, gas(o)), o, tokenUnits(unit));
      });
    });

  channelCommand(escrow.command('close'))
    .description('payee or operator: capture up to a voucher\'s amount, refund the rest to the payer, delete the channel')
    .option('--signature-file <file>', 'the voucher: a file from `escrow voucher --out` (its amount is used), or one holding the 0x signature')
    .option('--signature <hex>', 'the voucher signature (omit both to close at the settled amount)')
    .option('--amount <amount>', 'the voucher\'s cumulative amount (the settled amount when closing without a voucher)')
    .option('--capture <amount>', 'how much of it to take (default: the whole amount)')
    .action(async (o: ChannelOpts & { amount?: string; capture?: string; signature?: string; signatureFile?: string }) => {
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e, rpc) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        const unit = await tokenUnit(rpc, descriptor.token);
        const v = voucherOf(o, unit, false);
        const cumulativeAmount = o.amount !== undefined ? amount(o.amount, '--amount', unit) : (v.cumulativeAmount ?? (v.signature === '0x' ? (await e.state(channelId)).settled : fail('--amount is required with a bare signature')));
        const capture = o.capture === undefined ? cumulativeAmount : amount(o.capture, '--capture', unit);
        reportReceipt(await e.close(signer, descriptor, cumulativeAmount, capture, v.signature, gas(o)), o, tokenUnits(unit));
      });
    });

  channelCommand(escrow.command('topup'))
    .description('payer: add to the deposit (any top-up, even 0, cancels a pending close request)')
    .requiredOption('--amount <amount>', 'how much to add: 5USD, or raw token units')
    .action(async (o: ChannelOpts & { amount: string }) => {
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e, rpc) => {
        const { descriptor } = await channelOf(e, o.channel);
        const unit = await tokenUnit(rpc, descriptor.token);
        reportReceipt(await e.topUp(signer, descriptor, amount(o.amount, '--amount', unit), gas(o)), o, tokenUnits(unit));
      });
    });

  channelCommand(escrow.command('request-close'))
    .description(`payer: start the ${CLOSE_GRACE_PERIOD} s grace period, after which \`withdraw\` refunds the unsettled deposit`)
    .action(async (o: ChannelOpts) => {
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const { descriptor } = await channelOf(e, o.channel);
        reportReceipt(await e.requestClose(signer, descriptor, gas(o)), o);
      });
    });

  channelCommand(escrow.command('withdraw'))
    .description(`payer: after request-close and ${CLOSE_GRACE_PERIOD} s of block time, take back the unsettled deposit`)
    .action(async (o: ChannelOpts) => {
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e, rpc) => {
        const { descriptor } = await channelOf(e, o.channel);
        reportReceipt(await e.withdraw(signer, descriptor, gas(o)), o, tokenUnits(await tokenUnit(rpc, descriptor.token)));
      });
    });

  channelCommand(escrow.command('status'), false)
    .description('the channel\'s descriptor, state and the token balances of payer, payee and escrow')
    .action(async (o: ChannelOpts) => {
      await withEscrow(o, async (e, rpc) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        const state = await e.state(channelId);
        const balance = (account: string) => rpc.call<string>('tip20.BalanceOf', { token: descriptor.token, account });
        const [payer, payee, escrowBal] = await Promise.all([balance(descriptor.payer), balance(descriptor.payee), balance(e.escrow)]);
        const open = state.deposit !== 0n;
        emit(
          {
          channelId,
          open,
          descriptor,
          state: { settled: state.settled.toString(), deposit: state.deposit.toString(), closeRequestedAt: state.closeRequestedAt },
          ...(open ? { unsettled: (state.deposit - state.settled).toString() } : {}),
          ...(state.closeRequestedAt !== 0 ? { withdrawableAt: state.closeRequestedAt + Number(CLOSE_GRACE_PERIOD) } : {}),
          balances: { payer, payee, escrow: escrowBal },
          },
          o,
          tokenUnits(await tokenUnit(rpc, descriptor.token)),
        );
      });
    });
}

function hexArg(v: string): string {
  if (v === '0x' || v === '') return '0x';
  if (!/^0x([0-9a-fA-F]{2})+$/.test(v)) fail('--signature must be 0x hex (the output of `escrow voucher`)');
  return v;
}

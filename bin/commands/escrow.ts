/**
 * `sessionchain escrow ...`: TIP-1034 payment channels from the command line.
 *
 *   sessionchain escrow open --payee 0x… --deposit 1000000 --dev 1 --scheme secp256k1 [--out ch.json]
 *   sessionchain escrow voucher --channel 0x… --amount 250000 --dev 1 --scheme secp256k1
 *   sessionchain escrow settle --channel 0x… --amount 250000 --signature 0x… --dev 2 --scheme secp256k1
 *   sessionchain escrow close --channel 0x… --amount 400000 --signature 0x… --dev 2 --scheme secp256k1
 *   sessionchain escrow status --channel 0x…
 *
 * `--channel` is a channelId (the descriptor is found from its ChannelOpened event) or a file
 * written by `open --out`. Amounts are raw token units (TIP-20: 6 decimals) as decimal strings.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ReceiptJson, type RpcClient } from '../../sdk/index.js';
import {
  DEV_STABLECOIN_ADDRESS,
  EscrowRpcClient,
  toDescriptor,
  type ChannelDescriptor,
  type Hex32,
  CLOSE_GRACE_PERIOD,
  computeChannelId,
  MAX_UINT96,
  ESCROW_GAS_LIMIT,
} from '../../sdk/precompiles/index.js';
import { client, fail, printJson, reportReceipt, resolveSigner, rpcOption, signerOptions, type SignerOpts } from '../common.js';

type Opts = SignerOpts & { rpc: string; gasLimit?: string };
type ChannelOpts = Opts & { channel: string };

const HEX32_RE = /^0x[0-9a-fA-F]{64}$/;

/** A uint96 amount from a decimal string (no sign, spaces, exponent or fraction). */
function amount(v: string | undefined, flag: string): bigint {
  if (v === undefined) return fail(`${flag} is required`);
  if (!/^(0|[1-9][0-9]*)$/.test(v)) fail(`${flag} must be a whole number of raw token units, got "${v}"`, 'TIP-20 tokens have 6 decimals: 1.5 tokens is 1500000');
  const n = BigInt(v);
  if (n > MAX_UINT96) fail(`${flag} ${v} exceeds 2^96-1`);
  return n;
}

function gas(o: Opts): { gasLimit?: bigint } {
  if (o.gasLimit === undefined) return {};
  if (!/^[0-9]+$/.test(o.gasLimit)) fail('--gas-limit must be a whole number');
  return { gasLimit: BigInt(o.gasLimit) };
}

async function withEscrow<T>(o: { rpc: string }, fn: (e: EscrowRpcClient, rpc: RpcClient) => Promise<T>): Promise<T> {
  const rpc = client(o);
  try {
    return await fn(new EscrowRpcClient(rpc), rpc);
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

function channelCommand(cmd: Command, withSigner = true): Command {
  const c = rpcOption(cmd).requiredOption('--channel <id|file>', 'the channelId (0x…) or a channel file from `open --out`');
  return withSigner ? signerOptions(c).option('--gas-limit <gas>', `gas limit (default ${ESCROW_GAS_LIMIT}; unused gas is refunded)`) : c;
}

function report(r: ReceiptJson, extra: Record<string, unknown> = {}): void {
  reportReceipt({ ...extra, ...r } as ReceiptJson);
}

export function register(program: Command): void {
  const escrow = program.command('escrow').description('TIP-1034 payment channels: open, vouchers, settle, close, forced close, status');

  signerOptions(rpcOption(escrow.command('open')))
    .description('open a channel funded by the signer (the payer)')
    .requiredOption('--payee <address>', 'who is paid (settles and closes the channel)')
    .requiredOption('--deposit <amount>', 'raw token units locked in the channel')
    .option('--token <address>', 'the TIP-20 token', DEV_STABLECOIN_ADDRESS)
    .option('--operator <address>', 'an account that may also settle and close (funds still go to the payee)')
    .option('--authorized-signer <address>', 'the key that signs vouchers instead of the payer')
    .option('--salt <hex>', '32-byte salt (distinct salts open distinct channels)')
    .option('--out <file>', 'write {channelId, chainId, descriptor} here for later commands')
    .option('--gas-limit <gas>', `gas limit (default ${ESCROW_GAS_LIMIT}; unused gas is refunded)`)
    .action(async (o: Opts & { payee: string; deposit: string; token: string; operator?: string; authorizedSigner?: string; salt?: string; out?: string }) => {
      const deposit = amount(o.deposit, '--deposit');
      if (o.salt !== undefined && !HEX32_RE.test(o.salt)) fail('--salt must be 32 bytes of 0x hex');
      if (o.out && existsSync(o.out)) fail(`${o.out} exists`, 'choose another --out file');
      const payer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const r = await e.open(payer, { payee: o.payee, deposit, token: o.token, operator: o.operator, authorizedSigner: o.authorizedSigner, salt: o.salt }, gas(o));
        if (o.out && r.receipt.status === 1) writeFileSync(o.out, JSON.stringify({ channelId: r.channelId, chainId: Number(await e.chainId()), descriptor: r.descriptor }, null, 2) + '\n');
        report(r.receipt, { channelId: r.channelId, descriptor: r.descriptor });
      });
    });

  signerOptions(channelCommand(escrow.command('voucher'), false))
    .description('sign a voucher for a cumulative amount (prints the signature; nothing is sent)')
    .requiredOption('--amount <amount>', 'cumulative raw units the payee may collect in total')
    .action(async (o: ChannelOpts & { amount: string }) => {
      const cumulativeAmount = amount(o.amount, '--amount');
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        const signature = await e.signVoucher(signer, channelId, cumulativeAmount);
        const check = await e.verifyVoucher(descriptor, cumulativeAmount, signature);
        if (!check.ok) fail(`this key (${signer.address}) cannot sign vouchers for the channel: ${check.message}`, 'sign with the payer, or the channel\'s authorized signer');
        printJson({ channelId, cumulativeAmount: cumulativeAmount.toString(), signer: signer.address, scheme: signer.scheme, signature });
      });
    });

  channelCommand(escrow.command('settle'))
    .description('payee or operator: collect up to a voucher\'s cumulative amount')
    .requiredOption('--amount <amount>', 'the voucher\'s cumulative amount')
    .requiredOption('--signature <hex>', 'the voucher signature (from `escrow voucher`)')
    .action(async (o: ChannelOpts & { amount: string; signature: string }) => {
      const cumulativeAmount = amount(o.amount, '--amount');
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        report(await e.settle(signer, descriptor, cumulativeAmount, hexArg(o.signature), gas(o)), { channelId });
      });
    });

  channelCommand(escrow.command('close'))
    .description('payee or operator: capture up to a voucher\'s amount, refund the rest to the payer, delete the channel')
    .requiredOption('--amount <amount>', 'the voucher\'s cumulative amount (the settled amount when closing without a voucher)')
    .option('--capture <amount>', 'how much of it to take (default: --amount)')
    .option('--signature <hex>', 'the voucher signature (omit to close at the settled amount)', '0x')
    .action(async (o: ChannelOpts & { amount: string; capture?: string; signature: string }) => {
      const cumulativeAmount = amount(o.amount, '--amount');
      const capture = o.capture === undefined ? cumulativeAmount : amount(o.capture, '--capture');
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        report(await e.close(signer, descriptor, cumulativeAmount, capture, hexArg(o.signature), gas(o)), { channelId });
      });
    });

  channelCommand(escrow.command('topup'))
    .description('payer: add to the deposit (any top-up, even 0, cancels a pending close request)')
    .requiredOption('--amount <amount>', 'raw units to add')
    .action(async (o: ChannelOpts & { amount: string }) => {
      const add = amount(o.amount, '--amount');
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        report(await e.topUp(signer, descriptor, add, gas(o)), { channelId });
      });
    });

  channelCommand(escrow.command('request-close'))
    .description(`payer: start the ${CLOSE_GRACE_PERIOD} s grace period, after which \`withdraw\` refunds the unsettled deposit`)
    .action(async (o: ChannelOpts) => {
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        report(await e.requestClose(signer, descriptor, gas(o)), { channelId });
      });
    });

  channelCommand(escrow.command('withdraw'))
    .description(`payer: after request-close and ${CLOSE_GRACE_PERIOD} s of block time, take back the unsettled deposit`)
    .action(async (o: ChannelOpts) => {
      const signer = await resolveSigner(o);
      await withEscrow(o, async (e) => {
        const { channelId, descriptor } = await channelOf(e, o.channel);
        report(await e.withdraw(signer, descriptor, gas(o)), { channelId });
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
        printJson({
          channelId,
          open,
          descriptor,
          state: { settled: state.settled.toString(), deposit: state.deposit.toString(), closeRequestedAt: state.closeRequestedAt },
          ...(open ? { unsettled: (state.deposit - state.settled).toString() } : {}),
          ...(state.closeRequestedAt !== 0 ? { withdrawableAt: state.closeRequestedAt + Number(CLOSE_GRACE_PERIOD) } : {}),
          balances: { payer, payee, escrow: escrowBal },
        });
      });
    });
}

function hexArg(v: string): string {
  if (v === '0x' || v === '') return '0x';
  if (!/^0x([0-9a-fA-F]{2})+$/.test(v)) fail('--signature must be 0x hex (the output of `escrow voucher`)');
  return v;
}

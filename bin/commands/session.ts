/**
 * `sessionchain session ...`: post-quantum identities and encrypted messaging sessions
 * (the messaging SessionVM). Messages are encrypted and decrypted here, on the user's machine;
 * the node only sees ciphertext.
 *
 *   sessionchain session identity --out alice.json        (prints the public identity to share)
 *   sessionchain session create --identity alice.json --with bob.pub.json --ttl 1000
 *   sessionchain session send --identity alice.json --session 0x… "hello bob"
 *   sessionchain session read --identity bob.json --session 0x…
 *   sessionchain session close --identity bob.json --session 0x…
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { fromHex, fromUtf8, isHex, toHex, utf8, type Signer } from '../../chain/index.js';
import {
  closeSessionCall,
  createSessionCall,
  generateIdentity,
  type Identity,
  type PublicIdentity,
  identityFromFile,
  MessagingRpcClient,
  publicIdentityFileJson,
  publicIdentityFromFile,
  secretIdentityFileJson,
  sendMessageArgs,
} from '../../sdk/session/index.js';
import { client, emit, fail, outputOptions, reportReceipt, resolveSigner, rpcOption, sendCall, signerOptions, writeSecretFile, type OutputOpts, type SendCallOptions, type SignerOpts } from '../common.js';

type PayerOpts = SignerOpts & SendCallOptions & OutputOpts & { rpc: string };

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fail(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    return fail(`${path} is not JSON`, `${what}s are written by \`sessionchain session identity\``);
  }
}

function loadIdentity(path: string): Identity {
  return identityFromFile(readJsonFile(path, 'identity file'));
}

function loadPublic(path: string): PublicIdentity {
  return publicIdentityFromFile(readJsonFile(path, 'identity file'));
}

function sessionIdArg(v: string): Uint8Array {
  if (!isHex(v) || !v.startsWith('0x') || v.length !== 66) fail(`--session must be a 0x session ID of 32 bytes, got ${v.slice(0, 70)}`, 'use the sessionId printed by `sessionchain session create`');
  return fromHex(v);
}

/** The payer: --key / --key-file / --dev / --seed if given, else the identity's own account. */
async function payer(o: PayerOpts, identity: Identity): Promise<Signer> {
  if (o.key !== undefined || o.keyFile !== undefined || o.dev !== undefined || o.seed !== undefined) return resolveSigner(o);
  return identity.accountSigner();
}

/** Sends a sessionvm call (simulated first) and prints its receipt, whose result is the method's. */
async function sendSessionCall(o: PayerOpts, signer: Signer, method: 'createSession' | 'sendMessage' | 'closeSession', args: unknown, m?: MessagingRpcClient): Promise<void> {
  const rpc = m?.rpc ?? client(o);
  try {
    reportReceipt(await sendCall(rpc, signer, 'sessionvm', method, args, o), o);
  } finally {
    if (!m) rpc.close();
  }
}

/** The identity file plus payer, RPC and gas options shared by the state-changing commands. */
function payingCommand(cmd: Command): Command {
  return outputOptions(signerOptions(rpcOption(cmd)))
    .requiredOption('--identity <file>', 'your secret identity file')
    .option('--gas-limit <gas>', 'send with this gas limit instead of estimating (a failing call then fails on chain)')
    .option('--force', 'send even when the simulation says the call fails (it then fails on chain and pays its fee)')
    .addHelpText('after', '\nThe transaction is paid by --key / --key-file / --dev / --seed, or else by the identity\'s own account (fund its "account" address first).');
}

async function withClient<T>(o: { rpc: string }, fn: (m: MessagingRpcClient) => Promise<T>): Promise<T> {
  const rpc = client(o);
  try {
    return await fn(new MessagingRpcClient(rpc));
  } finally {
    rpc.close();
  }
}

export function register(program: Command): void {
  const session = program.command('session').description('post-quantum identities and end-to-end encrypted messaging sessions');

  outputOptions(session.command('identity'))
    .description('create an identity (ML-KEM-768 + ML-DSA-65) and print its public part, to share')
    .requiredOption('--out <file>', 'where to write the secret identity file (mode 0600)')
    .option('--public-out <file>', 'also write the public identity file here')
    .option('--seed <hex>', 'derive it from this 32-byte seed instead of fresh randomness')
    .option('--force', 'overwrite existing files')
    .action((o: OutputOpts & { out: string; publicOut?: string; seed?: string; force?: boolean }) => {
      for (const f of [o.out, o.publicOut]) if (f && existsSync(f) && !o.force) fail(`${f} exists`, 'pass --force to overwrite it');
      if (o.seed !== undefined && (!isHex(o.seed) || fromHex(o.seed).length !== 32)) fail('--seed must be 32 bytes of hex');
      const id = generateIdentity(o.seed === undefined ? undefined : fromHex(o.seed));
      writeSecretFile(o.out, JSON.stringify(secretIdentityFileJson(id), null, 2) + '\n');
      const pub = publicIdentityFileJson(id);
      if (o.publicOut) writeSecretFile(o.publicOut, JSON.stringify(pub, null, 2) + '\n');
      emit(pub, o);
    });

  outputOptions(session.command('public <file>'))
    .description('print the public identity of an identity file (to give to others)')
    .action((file: string, o: OutputOpts) => emit(publicIdentityFileJson(loadPublic(file)), o));

  payingCommand(session.command('create'))
    .description('open a session between you and the identities given with --with; prints the receipt, whose result holds the sessionId')
    .requiredOption('--with <files...>', "the other participants' identity files (public or secret)")
    .option('--ttl <blocks>', 'blocks until the session expires (default: the chain\'s)')
    .addOption(new Option('--envelope-version <v>', 'message envelope version').choices(['1', '2']).default('2'))
    .action(async (o: PayerOpts & { identity: string; with: string[]; ttl?: string; envelopeVersion: string }) => {
      const me = loadIdentity(o.identity);
      const others = o.with.map(loadPublic);
      const members = [me as PublicIdentity, ...others].filter((p, i, all) => all.findIndex((q) => q.sessionId === p.sessionId) === i);
      if (o.ttl !== undefined && !/^[0-9]+$/.test(o.ttl)) fail('--ttl must be a number of blocks');
      const args = createSessionCall(members, { ttlBlocks: o.ttl === undefined ? 0n : BigInt(o.ttl), envelopeVersion: Number(o.envelopeVersion) as 1 | 2 });
      await sendSessionCall(o, await payer(o, me), 'createSession', args);
    });

  payingCommand(session.command('send <message>'))
    .description('encrypt <message> to every participant, sign it and send it as the session\'s next message')
    .requiredOption('--session <id>', 'the session ID (0x…)')
    .option('--sign-only', 'print the signed sendMessage arguments (JSON) instead of sending, to relay them with `sessionchain tx`')
    .action(async (message: string, o: PayerOpts & { identity: string; session: string; signOnly?: boolean }) => {
      const me = loadIdentity(o.identity);
      const sid = sessionIdArg(o.session);
      await withClient(o, async (m) => {
        const sealed = await m.sealNext(me, sid, utf8(message));
        if (o.signOnly) return emit(sendMessageArgs.toJson(sealed), o);
        await sendSessionCall(o, await payer(o, me), 'sendMessage', sealed, m);
      });
    });

  outputOptions(rpcOption(session.command('read')))
    .description('fetch the session\'s messages, check their signatures and decrypt them with your identity')
    .requiredOption('--identity <file>', 'your secret identity file')
    .requiredOption('--session <id>', 'the session ID (0x…)')
    .option('--from <seq>', 'first sequence number', '0')
    .action(async (o: OutputOpts & { rpc: string; identity: string; session: string; from: string }) => {
      const me = loadIdentity(o.identity);
      if (!/^[0-9]+$/.test(o.from)) fail('--from must be a sequence number');
      const rows = await withClient(o, (m) => m.readMessages(me, sessionIdArg(o.session), BigInt(o.from)));
      emit(
        rows.map((r) => {
          if ('error' in r) return { seq: Number(r.seq), sender: r.sender, error: r.error, message: r.message };
          let text: string | undefined;
          try {
            text = fromUtf8(r.plaintext);
          } catch {
            text = undefined;
          }
          return { seq: Number(r.seq), sender: r.sender, ...(text === undefined ? { hex: toHex(r.plaintext) } : { text }), messageId: toHex(r.messageId), height: Number(r.height), timestamp: Number(r.timestamp) };
        }),
        o,
      );
    });

  payingCommand(session.command('close'))
    .description('close the session (participants only; closing twice is fine)')
    .requiredOption('--session <id>', 'the session ID (0x…)')
    .action(async (o: PayerOpts & { identity: string; session: string }) => {
      const me = loadIdentity(o.identity);
      const sid = sessionIdArg(o.session);
      await sendSessionCall(o, await payer(o, me), 'closeSession', closeSessionCall(me, sid));
    });

  outputOptions(rpcOption(session.command('show')))
    .description('print a session: status, expiry height, sequence, participants')
    .requiredOption('--session <id>', 'the session ID (0x…)')
    .action(async (o: OutputOpts & { rpc: string; session: string }) => {
      const sid = sessionIdArg(o.session);
      emit(await withClient(o, (m) => m.rpc.call('sessionvm.GetSession', { sessionId: toHex(sid) })), o);
    });
}

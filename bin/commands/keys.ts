/**
 * `sessionchain keys new|list|show|import`: a keystore of passphrase-encrypted key files
 * (scrypt + XChaCha20-Poly1305) under $SESSIONCHAIN_HOME/keystore (default ~/.sessionchain/keystore).
 */
import { type Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { fromHex, isHex, randomSeed, toHex, devSeed, type SchemeName, signerFromSeed } from '../../chain/index.js';
import { decryptKeystore, encryptKeystore, parseKeystore } from '../../sdk/index.js';
import { defaultKeystoreDir, emit, ensureDir, readSeedFile, fail, keystorePath, listKeystore, outputOptions, passphrase, writeSecretFile, type OutputOpts } from '../common.js';

interface KeyOpts extends OutputOpts {
  name?: string;
  scheme: SchemeName;
  keystore: string;
  passwordFile?: string;
  scryptN?: string;
}

function scryptN(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0 || n > 1 << 22) fail('--scrypt-n must be a power of two up to 2^22');
  return n;
}

async function save(seed: Uint8Array, o: KeyOpts): Promise<void> {
  if (!o.name) fail('--name is required');
  const file = keystorePath(o.keystore, o.name);
  if (existsSync(file)) fail(`a key named "${o.name}" already exists (${file})`, 'choose another --name');
  const pw = await passphrase(o, `Passphrase for ${o.name}: `, true);
  const ks = await encryptKeystore(seed, o.scheme, pw, { n: scryptN(o.scryptN) });
  ensureDir(o.keystore);
  writeSecretFile(file, JSON.stringify(ks, null, 2) + '\n');
  emit({ name: o.name, address: ks.address, scheme: ks.scheme, file }, o);
}

const common = (cmd: Command) =>
  outputOptions(cmd)
    .addOption(new Option('--scheme <scheme>', 'signature scheme').choices(['ml-dsa-65', 'secp256k1']).default('ml-dsa-65'))
    .option('--keystore <dir>', 'keystore directory', defaultKeystoreDir())
    .option('--password-file <file>', 'file holding the passphrase (or set SESSIONCHAIN_PASSWORD)')
    .addOption(new Option('--scrypt-n <n>', 'scrypt cost (power of two; default 131072)').hideHelp());

export function register(program: Command): void {
  const keys = program.command('keys').description('manage keys (passphrase-encrypted keystore)');

  common(keys.command('new').description('create a key from a fresh random seed').requiredOption('--name <name>', 'name of the key')).action((o: KeyOpts) => save(randomSeed(), o));

  common(
    keys
      .command('import')
      .description('store an existing 32-byte seed (or a dev seed) encrypted')
      .requiredOption('--name <name>', 'name of the key')
      .option('--seed-file <file>', 'file holding the 32-byte seed in hex')
      .option('--seed <hex>', '32-byte seed, 0x hex (visible in `ps`: prefer --seed-file)')
      .option('--dev <index>', 'a dev account seed 0..9'),
  ).action(async (o: KeyOpts & { seed?: string; seedFile?: string; dev?: string }) => {
    if (o.seedFile !== undefined) o = { ...o, seed: readSeedFile(o.seedFile, '--seed-file') };
    if ((o.seed === undefined) === (o.dev === undefined)) fail('pass exactly one of --seed-file FILE, --seed HEX or --dev N');
    let seed: Uint8Array;
    if (o.dev !== undefined) {
      const i = Number(o.dev);
      if (!Number.isInteger(i) || i < 0) fail('--dev takes a non-negative index');
      seed = devSeed(i);
    } else {
      if (!isHex(o.seed!) || fromHex(o.seed!).length !== 32) fail('--seed must be 32 bytes of 0x hex');
      seed = fromHex(o.seed!);
    }
    await save(seed, o);
  });

  outputOptions(keys.command('list'))
    .description('list the keys in the keystore')
    .option('--keystore <dir>', 'keystore directory', defaultKeystoreDir())
    .action((o: OutputOpts & { keystore: string }) => {
      const out = listKeystore(o.keystore).map(({ name, file }) => {
        try {
          const ks = parseKeystore(JSON.parse(readFileSync(file, 'utf8')));
          return { name, address: ks.address, scheme: ks.scheme };
        } catch (e) {
          return { name, error: (e as Error).message };
        }
      });
      emit(out, o);
    });

  common(
    keys
      .command('show [name]')
      .description('show a key\'s address and public key (a keystore key, --key-file, or --dev N)')
      .option('--key-file <file>', 'a keystore file')
      .option('--dev <index>', 'a dev account')
      .option('--reveal-seed', 'also print the 32-byte seed (asks for the passphrase)'),
  ).action(async (name: string | undefined, o: KeyOpts & { keyFile?: string; dev?: string; revealSeed?: boolean }) => {
    if (o.dev !== undefined) {
      const i = Number(o.dev);
      if (!Number.isInteger(i) || i < 0) fail('--dev takes a non-negative index');
      const s = signerFromSeed(devSeed(i), o.scheme);
      emit({ dev: i, address: s.address, scheme: s.scheme, publicKey: toHex(s.publicKey), seed: toHex(devSeed(i)) }, o);
      return;
    }
    if (!name && !o.keyFile) fail('name a key, or pass --key-file FILE or --dev N');
    const file = o.keyFile ?? keystorePath(o.keystore, name!);
    if (!existsSync(file)) fail(`no key file at ${file}`, 'list keys with `sessionchain keys list`');
    const ks = parseKeystore(JSON.parse(readFileSync(file, 'utf8')));
    const { seed, signer } = await decryptKeystore(ks, await passphrase(o, `Passphrase for ${name ?? file}: `));
    emit({ name: name ?? null, address: signer.address, scheme: signer.scheme, publicKey: toHex(signer.publicKey), ...(o.revealSeed ? { seed: toHex(seed) } : {}) }, o);
  });
}

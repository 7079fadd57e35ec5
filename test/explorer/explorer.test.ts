/**
 * The web explorer in a real browser (acceptance 1): headless Chromium (the Debian package, driven
 * by playwright-core; nothing is downloaded) opens the explorer served by a devnet's RPC server
 * against a scripted history and checks each page's content, live updates, search, the keyboard,
 * phone width, and a follower. Screenshots go to .scratch/explorer/ (gitignored).
 */
import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { blockHash, toHex, createDevChain, Follower, RpcServer, builtinModules, fetchUpstreamGenesis, rpcUpstream, startNode, RpcClient, type DevChain, type Node } from '../../sdk/chain.js';
import { explorerHandler } from '../../sdk/index.js';
import { ROOT } from '../helpers/processes.js';
import { scriptHistory, type History } from './history.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, '.scratch', 'explorer');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

describe('web explorer in headless Chromium', function () {
  this.timeout(240_000);
  let chain: DevChain;
  let server: RpcServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let history: History;
  const pageErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH); .ci/run installs it`);
    mkdirSync(SHOTS, { recursive: true });
    chain = await createDevChain();
    server = new RpcServer(chain.node, { port: 0, httpGet: explorerHandler() });
    ({ url } = await server.listen());
    history = await scriptHistory(chain, url);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await chain?.stop();
  });

  afterEach(() => {
    expect(pageErrors, 'errors in the page').to.deep.equal([]);
  });

  /** Opens a route and waits until that page has rendered at the current head. */
  async function open(route: string, p: Page = page): Promise<string> {
    await p.goto(`${url}/#/${route}`);
    const name = route.split('/')[0] || '';
    await p.waitForSelector(`main[data-route="${name}"]:not([aria-busy])`);
    return (await p.locator('main').innerText()).replace(/\s+/g, ' ');
  }

  /** The page text matches every pattern (strings are looked for as they are). */
  const has = (text: string, ...patterns: (string | RegExp)[]) => {
    for (const p of patterns) typeof p === 'string' ? expect(text).to.contain(p) : expect(text).to.match(p);
  };

  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('GET / serves the explorer; JSON-RPC stays on POST /', async () => {
    const html = await fetch(`${url}/`);
    expect(html.status).to.equal(200);
    expect(html.headers.get('content-type')).to.match(/^text\/html/);
    expect(html.headers.get('content-security-policy')).to.match(/default-src 'none'/);
    expect(await html.text()).to.match(/<title>sessionchain explorer<\/title>/);
    const rpc = await fetch(`${url}/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain.ChainId' }) });
    expect((await rpc.json()).result).to.equal(1337);
    expect((await fetch(`${url}/explorer/nope.js`)).status).to.equal(404);
  });

  it('home: the latest blocks and transactions, updated live from newHeads', async () => {
    const text = await open('');
    expect(text).to.match(/Latest blocks/);
    expect(text).to.contain(`#${chain.node.chain.head.height}`);
    expect(text).to.match(/aivm\.challenge/);
    await shot('home');
    // A new block reaches the open page over the WebSocket subscription.
    const before = Number(await page.getAttribute('main', 'data-height'));
    const sent = await chain.send(chain.signer(0), 'lux', 'transfer', { to: chain.signer(9).address, amount: 1n });
    await page.waitForFunction((h) => Number(document.querySelector('main')!.getAttribute('data-height')) > h, before);
    expect(await page.locator('#head-height').innerText()).to.equal(`#${chain.node.chain.head.height}`);
    expect(await page.locator(`main a[title="${toHex(sent.hash)}"]`).count()).to.equal(1);
    expect(await page.locator('#live').innerText()).to.equal('live');
  });

  it('block: header, roots and transactions', async () => {
    const tx = await chain.node.chain.getTransaction(Buffer.from(history.transferTx.slice(2), 'hex'));
    const text = await open(`block/${tx!.height}`);
    expect(text).to.contain(`Block #${tx!.height}`);
    for (const label of ['State root', 'Transactions root', 'Receipts root', 'aivm.state', 'Producer']) expect(text).to.contain(label);
    expect(text).to.match(/lux\.transfer/);
    await shot('block');
  });

  it('transaction: decoded call, receipt, events, gas and the error name of a failed one', async () => {
    let text = await open(`tx/${history.transferTx}`);
    has(text, 'success', 'lux.transfer', '"amount": "5000000000000000000"', /Fee \d/, 'Transfer');
    await shot('tx');
    text = await open(`tx/${history.failedTx}`);
    has(text, 'failed: InsufficientBalance', /Error InsufficientBalance/);
    await shot('tx-failed');
  });

  it('account: LUX and token balances, nonce, recent transactions, channels', async () => {
    const text = await open(`account/${history.account}`);
    expect(text).to.match(/LUX balance [\d,.]+ LUX/);
    expect(text).to.match(/Dev USD \(DUSD\)/);
    expect(text).to.match(/escrow\.open/);
    expect(text).to.match(/payer/);
    expect(text).to.match(/payer 7 DUSD 1\.25 DUSD closing/); // opened with 5, topped up by 2, 1.25 settled
    expect(text).to.match(/payer 0 DUSD 0 DUSD closed/);
    await shot('account');
  });

  it('sessions: messaging and workload sessions; a messaging session with its messages', async () => {
    let text = await open('sessions');
    has(text, 'Messaging sessions', 'Workload sessions', 'finalized');
    await shot('sessions');
    text = await open(`msession/${history.messagingSession}`);
    has(text, 'Status active', /Messages 2 /, 'MessageSent');
    await shot('messaging-session');
  });

  it('workload session: state, committee, steps with records proofs checked in the browser, attestations', async () => {
    const text = await open(`wsession/${history.workSession}`);
    has(text, 'State finalized', 'Committee (quorum 3 of 3)', /verified 3\/3/, 'session/complete');
    expect(text).not.to.match(/invalid/);
    const receipts = await chain.call<unknown[]>('sessionwork', 'getReceipts', { sessionId: Buffer.from(history.workSession.slice(2), 'hex') });
    expect(receipts.length).to.be.at.least(3); // ours, and the workers' own delivery receipts
    expect(text.match(/proof verified/g)?.length, 'every delivery receipt verified').to.equal(receipts.length);
    await shot('work-session');
  });

  it('escrow: channel list; a channel with deposit, settled amount, vouchers seen and its timeline', async () => {
    let text = await open('channels');
    has(text, 'closing', 'closed');
    await shot('channels');
    text = await open(`channel/${history.channel}`);
    has(text, 'Deposit 7 DUSD', 'Settled 1.25 DUSD', /Vouchers seen on chain.*settle 1\.25 DUSD 65 bytes \(secp256k1\)/, 'ChannelOpened', 'Settled', 'TopUp', 'CloseRequested', 'closing');
    await shot('channel');
    text = await open(`channel/${history.closedChannel}`);
    has(text, 'ChannelClosed', '0.4 DUSD to the payee, 0.6 DUSD back to the payer');
  });

  it('AIVM: providers, models, tasks with status, disputes; a task with its post and challenge', async () => {
    let text = await open('aivm');
    expect(text.match(/active/g)?.length).to.be.at.least(3);
    has(text, 'Providers', /Models .* 545 yes/, 'optimistic', 'provider won'); // the model is executable on chain
    await shot('aivm');
    text = await open(`task/${history.task}`);
    has(text, 'Posted result', /Challenger 0x/, 'DisputeResolved');
    await shot('task');
  });

  it('search by height, hash, address, channel id, session id and task id (keyboard only)', async () => {
    await open('');
    const cases: [string, string][] = [
      ['2', 'block'],
      [history.transferTx, 'tx'],
      [history.account, 'account'],
      [history.channel, 'channel'],
      [history.closedChannel, 'channel'],
      [history.messagingSession, 'msession'],
      [history.workSession, 'wsession'],
      [history.task, 'task'],
      [toHex(blockHash((await chain.node.chain.getBlock(3n))!.header)), 'block'],
    ];
    for (const [term, route] of cases) {
      await page.locator('main').click({ position: { x: 1, y: 1 } });
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal('q');
      await page.keyboard.type(term);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`main[data-route="${route}"]:not([aria-busy])`, { timeout: 5000 }).catch(async (e) => {
        throw new Error(`searching ${term}: ${(await page.locator('main').innerText()).slice(0, 300)} (${e.message.split('\n')[0]})`);
      });
    }
    await page.keyboard.press('/');
    await page.keyboard.type('0x' + 'ab'.repeat(32));
    await page.keyboard.press('Enter');
    await page.waitForSelector('main[data-route="search"]');
    expect(await page.locator('main').innerText()).to.match(/Nothing found/);
    await shot('search-miss');
    // Keyboard navigation: "g a" goes to AIVM; Tab reaches links with a visible focus.
    await page.locator('main').focus();
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.waitForSelector('main[data-route="aivm"]:not([aria-busy])');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName)).to.match(/^(A|DIV)$/);
  });

  it('is readable at phone width: nothing overflows the viewport horizontally', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    phone.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      for (const route of ['', `tx/${history.transferTx}`, `channel/${history.channel}`, `wsession/${history.workSession}`]) {
        await open(route, phone);
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `horizontal overflow on #/${route}`).to.be.at.most(0);
      }
      await open(`channel/${history.channel}`, phone);
      await shot('phone-channel', phone);
      await open('', phone);
      await shot('phone-home', phone);
    } finally {
      await phone.close();
    }
  });

  it('works on a follower: same blocks, read-only, live', async () => {
    const upstream = new RpcClient(url);
    let follower: Node | undefined;
    let follow: Follower | undefined;
    let fserver: RpcServer | undefined;
    try {
      follower = await startNode({ memory: true, produce: false, genesis: await fetchUpstreamGenesis(upstream, builtinModules()), explicitGenesis: true, verifier: { threads: 0 } });
      follow = new Follower(follower, rpcUpstream(upstream));
      await follow.start();
      fserver = new RpcServer(follower, { port: 0, httpGet: explorerHandler() });
      const f = await fserver.listen();
      const target = chain.node.chain.head.height;
      while (follower.chain.head.height < target) await new Promise((r) => setTimeout(r, 50)); // polls a condition
      await page.goto(`${f.url}/#/tx/${history.transferTx}`);
      await page.waitForSelector('main[data-route="tx"]:not([aria-busy])');
      expect(await page.locator('main').innerText()).to.contain('lux.transfer');
      expect(await page.locator('#status').innerText()).to.match(/follower/i);
      await page.goto(`${f.url}/#/`);
      await page.waitForSelector('main[data-route=""]:not([aria-busy])');
      const before = Number(await page.getAttribute('main', 'data-height'));
      await chain.send(chain.signer(0), 'lux', 'transfer', { to: chain.signer(9).address, amount: 2n });
      await page.waitForFunction((h) => Number(document.querySelector('main')!.getAttribute('data-height')) > h, before);
      await shot('follower-home');
    } finally {
      await fserver?.close();
      await follow?.stop();
      await follower?.stop();
      upstream.close();
    }
  });
});

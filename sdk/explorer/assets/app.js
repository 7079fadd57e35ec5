// The explorer's shell: hash routes, the live head (WebSocket newHeads), search, and keyboard
// shortcuts ("/" focuses search, "g h" home, "g s" sessions, "g c" channels, "g a" AIVM).
import { rpc, subscribeHeads } from './rpc.js';
import { h, errorBox, short } from './format.js';
import * as views from './views.js';

const ROUTES = {
  '': views.home,
  block: views.block,
  tx: views.tx,
  account: views.account,
  sessions: views.sessions,
  msession: views.messagingSession,
  wsession: views.workSession,
  channels: views.channels,
  channel: views.channel,
  aivm: views.aivm,
  task: views.task,
};

const TITLES = { '': 'Blocks', block: 'Block', tx: 'Transaction', account: 'Account', sessions: 'Sessions', msession: 'Messaging session', wsession: 'Workload session', channels: 'Channels', channel: 'Channel', aivm: 'AIVM', task: 'Task' };

const ctx = { head: null, status: null };
const main = document.getElementById('view');
const statusEl = document.getElementById('status');
const liveEl = document.getElementById('live');
let renderSeq = 0;
let refreshQueued = false;

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const name = parts[0] ?? '';
  return { name: ROUTES[name] ? name : null, args: parts.slice(1) };
}

/** Renders the current route; `quiet` keeps focus and scroll (live refreshes). */
async function render(quiet = false) {
  const seq = ++renderSeq;
  const { name, args } = route();
  const sectionOf = { sessions: 'sessions', msession: 'sessions', wsession: 'sessions', channels: 'channels', channel: 'channels', aivm: 'aivm', task: 'aivm' };
  for (const a of document.querySelectorAll('nav.main a')) a.setAttribute('aria-current', a.dataset.route === (sectionOf[name] ?? '') ? 'page' : 'false');
  if (!quiet) main.setAttribute('aria-busy', 'true');
  let node;
  try {
    if (name === null) node = errorBox(`There is no page ${location.hash}.`);
    else node = await ROUTES[name](args, ctx);
  } catch (e) {
    node = h('div', {}, h('h1', {}, TITLES[name] ?? 'Not found'), errorBox(`${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}`));
  }
  if (seq !== renderSeq) return;
  main.replaceChildren(node);
  main.removeAttribute('aria-busy');
  main.dataset.route = name ?? 'none';
  main.dataset.height = String(ctx.head.height);
  document.title = `${TITLES[name] ?? 'Not found'}${args[0] ? ' ' + short(args[0]) : ''} · sessionchain explorer`;
  if (!quiet) {
    window.scrollTo(0, 0);
    main.focus({ preventScroll: true });
  }
}

function showStatus() {
  const s = ctx.status;
  statusEl.replaceChildren(
    h('span', {}, `chain ${s.chainId}`),
    h('span', {}, 'head ', h('a', { href: `#/block/${ctx.head.height}`, id: 'head-height' }, `#${ctx.head.height}`)),
    h('span', { class: 'role' }, s.producing ? 'producer' : 'follower'),
  );
}

function onHead(header) {
  if (ctx.head && header.height <= ctx.head.height) return;
  ctx.head = header;
  showStatus();
  // Pages refresh in place when a block arrives (at most one refresh in flight).
  if (refreshQueued) return;
  refreshQueued = true;
  setTimeout(async () => {
    refreshQueued = false;
    await render(true);
  }, 50);
}

document.getElementById('search').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = document.getElementById('q');
  const term = input.value;
  if (!term.trim()) return;
  const target = await views.resolveSearch(term, ctx.head.height);
  if (target) {
    input.value = '';
    location.hash = `#/${target}`;
  } else {
    main.replaceChildren(h('div', {}, h('h1', {}, 'Search'), errorBox(`Nothing found for “${term.trim()}”. Search by block height, block or transaction hash, address, channel id, session id or task id.`)));
    main.dataset.route = 'search';
    main.focus();
  }
});

let pendingG = false;
document.addEventListener('keydown', (ev) => {
  const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === '/') {
    ev.preventDefault();
    document.getElementById('q').focus();
    return;
  }
  if (pendingG) {
    pendingG = false;
    const to = { h: '', s: 'sessions', c: 'channels', a: 'aivm' }[ev.key];
    if (to !== undefined) location.hash = `#/${to}`;
    return;
  }
  if (ev.key === 'g') pendingG = true;
});

window.addEventListener('hashchange', () => render());

async function start() {
  ctx.status = await rpc('chain.Status');
  ctx.head = ctx.status.head;
  showStatus();
  subscribeHeads(onHead, (live) => {
    liveEl.textContent = live ? 'live' : 'reconnecting…';
    liveEl.className = live ? 'live on' : 'live off';
  });
  await render();
}

start().catch((e) => main.replaceChildren(errorBox(`Cannot reach the node: ${e.message}`)));

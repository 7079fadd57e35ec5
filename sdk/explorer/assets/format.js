// Small DOM and formatting helpers. Every value from the node goes into the page as text (never
// as HTML), through h().

/** h('a', {href: '#/x'}, 'text', child, …): builds an element; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const ZERO32 = '0x' + '0'.repeat(64);
export const ZERO20 = '0x' + '0'.repeat(40);

/** 0x1234…abcd */
export function short(hex, keep = 6) {
  if (typeof hex !== 'string' || hex.length <= 2 + keep * 2 + 1) return hex ?? '';
  return `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

/** A link into the explorer showing a shortened value; the full value is its title. */
export function link(route, text, full = text) {
  return h('a', { href: `#/${route}`, title: full, class: 'mono' }, text);
}

export const blockLink = (height) => link(`block/${height}`, `#${height}`, `block ${height}`);
export const txLink = (hash) => link(`tx/${hash}`, short(hash), hash);
export const accountLink = (addr, label) => (addr ? link(`account/${addr}`, label ?? short(addr, 5), addr) : '—');

/** An amount in base units as a decimal with its unit: 1500000000000000000 → "1.5 LUX". */
export function amount(raw, decimals = 18, unit = 'LUX') {
  if (raw === null || raw === undefined || raw === '') return '—';
  let v = BigInt(raw);
  const neg = v < 0n;
  if (neg) v = -v;
  const base = 10n ** BigInt(decimals);
  const whole = (v / base).toLocaleString('en-US');
  let frac = decimals > 0 ? (v % base).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''} ${unit}`;
}

export const lux = (raw) => amount(raw, 18, 'LUX');

export function timeAgo(ms) {
  const s = Math.round((Date.now() - Number(ms)) / 1000);
  if (s < 0) return `in ${-s}s`;
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function time(ms) {
  const d = new Date(Number(ms));
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC (${timeAgo(ms)})`);
}

/** A status badge: ok / failed / any state name. */
export function badge(text, kind) {
  return h('span', { class: `badge ${kind ?? stateKind(text)}` }, text);
}

export function stateKind(s) {
  const v = String(s).toLowerCase();
  if (['success', 'ok', 'active', 'open', 'completed', 'finalized', 'settled', 'verified', 'running', 'posted', 'live'].includes(v)) return 'good';
  if (['failed', 'expired', 'slashed', 'closed', 'invalid', 'challenged', 'exited', 'suspended', 'offline'].includes(v)) return 'bad';
  return 'neutral';
}

/** A definition list of [label, value] pairs (values may be nodes). */
export function fields(rows) {
  return h(
    'dl',
    { class: 'fields' },
    rows.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v === undefined || v === null || v === '' ? '—' : v)]),
  );
}

/** A scrollable table: columns [label], rows of cells. */
export function table(columns, rows, empty = 'nothing yet') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0' },
    h('table', {}, h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c ?? '—')))))),
  );
}

/** A detail page: its title, the full id it shows, then its sections. */
export function page(title, id, ...sections) {
  return h('div', {}, h('h1', {}, title), id ? h('p', { class: 'mono wrap' }, id) : null, ...sections);
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** Pretty JSON of decoded arguments / results (long hex strings shortened, full text in a title). */
export function jsonBlock(v) {
  const text = JSON.stringify(v, null, 2);
  return h('pre', { class: 'json', tabindex: '0' }, text.length > 20000 ? text.slice(0, 20000) + '\n…' : text.replace(/"0x([0-9a-f]{200,})"/g, (m, x) => `"0x${x.slice(0, 64)}…(${x.length / 2} bytes)"`));
}

export function errorBox(message) {
  return h('p', { class: 'error', role: 'alert' }, message);
}

export const hex32 = (s) => /^0x[0-9a-fA-F]{64}$/.test(s);
export const hex20 = (s) => /^0x[0-9a-fA-F]{40}$/.test(s);

/** An indexed address as an event topic (left-padded to 32 bytes). */
export const addressTopic = (a) => '0x' + '0'.repeat(24) + a.slice(2).toLowerCase();

export function hexToBytes(hex) {
  const s = hex.startsWith('0x') ? hex.slice(2) : hex;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(b) {
  return '0x' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks a SHA-256 Merkle proof {siblings, isLeft} of `leaf` against `root` in the browser (the
 * workload sessions' trees: cur = isLeft[i] ? H(sibling ‖ cur) : H(cur ‖ sibling)).
 */
export async function verifySha256Proof(leaf, proof, root) {
  let cur = hexToBytes(leaf);
  for (let i = 0; i < proof.siblings.length; i++) {
    const sib = hexToBytes(proof.siblings[i]);
    const buf = new Uint8Array(64);
    buf.set(proof.isLeft[i] ? sib : cur, 0);
    buf.set(proof.isLeft[i] ? cur : sib, 32);
    cur = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  }
  return bytesToHex(cur) === root.toLowerCase();
}

// The explorer's pages. Each view is an async function (args, ctx) → Node; ctx.head is the latest
// header, ctx.status the node's chain.Status. Views read only public JSON-RPC.
import { rpc, tryRpc, batch, query, recentEvents, RpcFailure } from './rpc.js';
import {
  h,
  short,
  link,
  blockLink,
  txLink,
  accountLink,
  amount,
  lux,
  time,
  timeAgo,
  badge,
  fields,
  table,
  section,
  page,
  jsonBlock,
  errorBox,
  hex20,
  hex32,
  addressTopic,
  verifySha256Proof,
  ZERO32,
  ZERO20,
} from './format.js';

export const ADDR = {
  lux: '0x4c55580000000000000000000000000000000000',
  sessionvm: '0x53564d0000000000000000000000000000000000',
  sessionwork: '0x53574f524b000000000000000000000000000000',
  escrow: '0x4d50500000000000000000000000000000000000',
  aivm: '0x4149564d00000000000000000000000000000000',
  tip20Factory: '0x20fc000000000000000000000000000000000000',
  stablecoin: '0x20c0000000000000000000000000000000000000',
};

/** A detail page that opens with its state card. */
const statePage = (title, id, stateRows, ...sections) => page(title, id, details('State', stateRows), ...sections);

/** A card of label / value rows. */
const details = (title, rows) => section(title, fields(rows));

/** Rows for events the node lists oldest first: newest first, each with its looked-up value (null if that failed). */
const newestFirst = (events, looked, row) => events.map((e, i) => row(e, looked[i] instanceof Error ? null : looked[i])).reverse();

const txStatus = (r) => (r === null || r === undefined ? badge('pending', 'neutral') : r.status === 1 ? badge('success', 'good') : badge(r.error ? `failed: ${r.error}` : 'failed', 'bad'));

// ---- tokens -------------------------------------------------------------------------------------

const tokenInfo = new Map();
async function token(address) {
  if (!tokenInfo.has(address)) tokenInfo.set(address, tryRpc('tip20.GetToken', { token: address }));
  return tokenInfo.get(address);
}
async function tokenAmount(address, raw) {
  const t = await token(address);
  return amount(raw, t?.decimals ?? 6, t?.symbol ?? 'units');
}

// ---- home: live blocks and transactions -----------------------------------------------------------

export async function home(_args, ctx) {
  const head = ctx.head.height;
  const heights = [];
  for (let i = head; i >= 0 && heights.length < 20; i--) heights.push(i);
  const blocks = (await batch(heights.map((n) => ['chain.GetBlock', { block: n, full: true }]))).filter((b) => !(b instanceof Error));
  const txs = blocks.flatMap((b) => b.transactions).slice(0, 20);
  const receipts = await batch(txs.map((tx) => ['chain.GetReceipt', { hash: tx.hash }]));
  return h(
    'div',
    { class: 'grid home' },
    section(
      'Latest blocks',
      table(
        ['Block', 'Hash', 'Time', 'Txs', 'Gas used'],
        blocks.map((b) => [blockLink(b.height), link(`block/${b.hash}`, short(b.hash), b.hash), timeAgo(b.timestamp), String(b.txCount), Number(b.gasUsed).toLocaleString('en-US')]),
        'no blocks',
      ),
    ),
    section(
      'Latest transactions',
      table(
        ['Tx', 'Block', 'From', 'Call', 'Status'],
        txs.map((tx, i) => [txLink(tx.hash), blockLink(tx.height), accountLink(tx.from), `${tx.module ?? short(tx.to)}.${tx.method}`, txStatus(receipts[i] instanceof Error ? null : receipts[i])]),
        'no transactions yet',
      ),
    ),
  );
}

// ---- block --------------------------------------------------------------------------------------

export async function block([ref], ctx) {
  const b = await rpc('chain.GetBlock', { block: /^[0-9]+$/.test(ref) ? Number(ref) : ref, full: true });
  const receipts = await batch(b.transactions.map((tx) => ['chain.GetReceipt', { hash: tx.hash }]));
  const nav = h(
    'nav',
    { class: 'pager', 'aria-label': 'blocks' },
    b.height > 0 ? h('a', { href: `#/block/${b.height - 1}`, rel: 'prev' }, '← previous') : h('span'),
    b.height < ctx.head.height ? h('a', { href: `#/block/${b.height + 1}`, rel: 'next' }, 'next →') : h('span', { class: 'muted' }, 'head'),
  );
  return page(
    `Block #${b.height}`,
    null,
    nav,
    details(
      'Header',
      [
        ['Height', String(b.height)],
        ['Hash', h('span', { class: 'mono' }, b.hash)],
        ['Parent', b.height > 0 ? link(`block/${b.height - 1}`, b.parentHash, b.parentHash) : b.parentHash],
        ['Time', time(b.timestamp)],
        ['Producer', accountLink(b.producer, b.producer)],
        ['Transactions', String(b.txCount)],
        ['Gas used', Number(b.gasUsed).toLocaleString('en-US')],
      ],
    ),
    details(
      'Roots',
      [
        ['State root', h('span', { class: 'mono' }, b.stateRoot)],
        ['Transactions root', h('span', { class: 'mono' }, b.txRoot)],
        ['Receipts root', h('span', { class: 'mono' }, b.receiptsRoot)],
        ...Object.entries(b.extraRoots).map(([k, v]) => [k, h('span', { class: 'mono' }, v)]),
      ],
    ),
    section(
      'Transactions',
      table(
        ['#', 'Hash', 'From', 'Call', 'Gas used', 'Status'],
        b.transactions.map((tx, i) => {
          const r = receipts[i] instanceof Error ? null : receipts[i];
          return [String(i), txLink(tx.hash), accountLink(tx.from), `${tx.module ?? short(tx.to)}.${tx.method}`, r ? Number(r.gasUsed).toLocaleString('en-US') : '—', txStatus(r)];
        }),
        'no transactions in this block',
      ),
    ),
  );
}

// ---- transaction --------------------------------------------------------------------------------

export async function tx([hash]) {
  const [t, r] = await Promise.all([rpc('chain.GetTransaction', { hash }), rpc('chain.GetReceipt', { hash })]);
  if (!t) throw new RpcFailure('chain.GetTransaction', { message: `no transaction ${hash}` });
  const fee = r ? BigInt(r.gasUsed) * BigInt(t.gasPrice) : null;
  return page(
    'Transaction',
    hash,
    details(
      'Summary',
      [
        ['Status', t.pending ? badge('pending', 'neutral') : txStatus(r)],
        r && r.status === 0 && ['Error', h('span', {}, h('strong', { class: 'error-name' }, r.error), r.errorMessage ? ` — ${r.errorMessage}` : '')],
        ['Block', t.height !== undefined ? h('span', {}, blockLink(t.height), ` · index ${t.index}`) : 'pending'],
        ['From', accountLink(t.from, t.from)],
        ['To', h('span', {}, accountLink(t.to, t.to), t.module ? ` (${t.module})` : '')],
        ['Method', h('code', {}, `${t.module ?? 'unknown'}.${t.method}`)],
        ['Nonce', t.nonce],
        ['Signature', t.scheme],
        ['Size', `${t.size.toLocaleString('en-US')} bytes`],
      ],
    ),
    details(
      'Gas',
      [
        ['Gas limit', Number(t.gasLimit).toLocaleString('en-US')],
        ['Gas used', r ? Number(r.gasUsed).toLocaleString('en-US') : '—'],
        ['Gas price', `${Number(t.gasPrice).toLocaleString('en-US')} wei`],
        ['Fee', fee !== null ? lux(fee) : '—'],
      ],
    ),
    section('Arguments', t.args === null ? h('p', { class: 'empty' }, 'not decodable with the built-in schemas') : jsonBlock(t.args)),
    r && r.status === 1 && r.result !== null && section('Result', jsonBlock(r.result)),
    r && section('Events', eventsTable(r.events)),
  );
}

function eventsTable(events) {
  return table(
    ['#', 'Event', 'Emitter', 'Arguments'],
    events.map((e, i) => [String(i), h('strong', {}, e.name), accountLink(e.address), e.args ? jsonBlock(e.args) : h('span', { class: 'mono' }, short(e.data, 12))]),
    'no events',
  );
}

// ---- account ------------------------------------------------------------------------------------

export async function account([address], ctx) {
  const addr = address.toLowerCase();
  const head = ctx.head.height;
  const topic0 = await channelOpenedTopic();
  const [acc, txs, tokens, asPayer, asPayee, provider] = await Promise.all([
    rpc('chain.GetAccount', { address: addr }),
    rpc('chain.GetTransactionsByAddress', { address: addr, fromBlock: Math.max(0, head - 9999), limit: 25 }),
    recentEvents({ address: ADDR.tip20Factory, name: 'TokenCreated' }, head),
    recentEvents({ address: ADDR.escrow, name: 'ChannelOpened', topics: [topic0, null, addressTopic(addr)] }, head),
    recentEvents({ address: ADDR.escrow, name: 'ChannelOpened', topics: [topic0, null, null, addressTopic(addr)] }, head),
    tryRpc('aivm.GetProvider', { address: addr }),
  ]);
  const tokenAddrs = [...new Set([ADDR.stablecoin, ...tokens.map((e) => e.args?.token).filter(Boolean)])];
  const balances = await batch(tokenAddrs.map((t) => ['tip20.BalanceOf', { token: t, account: addr }]));
  const tokenRows = [];
  for (let i = 0; i < tokenAddrs.length; i++) {
    if (balances[i] instanceof Error) continue;
    const info = await token(tokenAddrs[i]);
    tokenRows.push([info ? `${info.name} (${info.symbol})` : short(tokenAddrs[i]), h('span', { class: 'mono' }, tokenAddrs[i]), await tokenAmount(tokenAddrs[i], balances[i])]);
  }
  const channels = [...asPayer.map((e) => [e, 'payer']), ...asPayee.map((e) => [e, 'payee'])];
  const states = await batch(channels.map(([e]) => ['escrow.GetChannelState', { channelId: e.args.channelId }]));
  return page(
    'Account',
    addr,
    details(
      'Overview',
      [
        ['LUX balance', h('strong', {}, lux(acc.balance))],
        ['Nonce', acc.nonce],
        ['Pending nonce', acc.pendingNonce],
        ['Key', acc.publicKey ? `${acc.scheme} (${(acc.publicKey.length - 2) / 2} bytes)` : 'no transaction sent yet'],
      ],
    ),
    section('Token balances', table(['Token', 'Address', 'Balance'], tokenRows, 'no TIP-20 tokens')),
    section(
      'Recent transactions',
      table(
        ['Tx', 'Block', 'Direction', 'Call', 'Status'],
        txs.map((t) => [txLink(t.hash), blockLink(t.height), t.from === addr ? 'out' : 'in', `${t.module ?? short(t.to)}.${t.method}`, txStatus(t.status === null ? null : t)]),
        'no transactions in the last 10,000 blocks',
      ),
    ),
    section(
      'Payment channels',
      table(
        ['Channel', 'Role', 'Deposit', 'Settled', 'State'],
        await Promise.all(
          channels.map(async ([e, role], i) => {
            const s = states[i] instanceof Error ? null : states[i];
            return [link(`channel/${e.args.channelId}`, short(e.args.channelId), e.args.channelId), role, s ? await tokenAmount(e.args.token, s.deposit) : '—', s ? await tokenAmount(e.args.token, s.settled) : '—', channelState(s)];
          }),
        ),
        'no channels',
      ),
    ),
    provider && provider.registered && section('AIVM provider', providerFields(provider)),
  );
}

// ---- sessions (messaging and workload) ----------------------------------------------------------

export async function sessions(_args, ctx) {
  const head = ctx.head.height;
  const [msgCreated, workCreated] = await Promise.all([
    recentEvents({ address: ADDR.sessionvm, name: 'SessionCreated' }, head),
    recentEvents({ address: ADDR.sessionwork, name: 'SessionCreated' }, head),
  ]);
  const [msg, work] = await Promise.all([
    batch(msgCreated.map((e) => ['sessionvm.GetSession', { sessionId: e.args.sessionId }])),
    batch(workCreated.map((e) => ['sessionvm.GetWorkSession', { sessionId: e.args.sessionId }])),
  ]);
  return page(
    'Sessions',
    null,
    section(
      'Messaging sessions',
      table(
        ['Session', 'Created', 'Creator', 'Participants', 'Messages', 'Expires', 'Status'],
        newestFirst(msgCreated, msg, (e, r) => [
          link(`msession/${e.args.sessionId}`, short(e.args.sessionId), e.args.sessionId),
          blockLink(e.height),
          accountLink(e.args.creator),
          String(e.args.participants),
          r ? String(r.session.nextSeq - r.session.firstSeq) : '—',
          r ? `#${r.session.expires}` : '—',
          badge(r ? r.session.status : 'pruned'),
        ]),
        'no messaging sessions',
      ),
    ),
    section(
      'Workload sessions',
      table(
        ['Session', 'Created', 'Owner', 'Committee', 'Steps', 'State'],
        newestFirst(workCreated, work, (e, s) => [link(`wsession/${e.args.sessionId}`, short(e.args.sessionId), e.args.sessionId), blockLink(e.height), accountLink(e.args.owner), String(e.args.committee.length), s ? String(s.stepCount) : '—', badge(s ? s.state : 'unknown')]),
        'no workload sessions',
      ),
    ),
  );
}

export async function messagingSession([id], ctx) {
  const { session: s } = await rpc('sessionvm.GetSession', { sessionId: id });
  const messages = await rpc('sessionvm.GetMessages', { sessionId: id, fromSeq: s.firstSeq, limit: 100 });
  const timeline = await recentEvents({ address: ADDR.sessionvm, topics: [null, id] }, ctx.head.height);
  const names = new Map(s.participants.map((p) => [p.id, p.identity]));
  return statePage(
    'Messaging session',
    id,
    [
      ['Status', badge(s.status)],
      ['Creator', accountLink(s.creator, s.creator)],
      ['Created', h('span', {}, blockLink(s.createdHeight), ' · ', time(s.createdAt))],
      ['Expires at block', `#${s.expires}`],
      ['Messages', `${s.nextSeq - s.firstSeq} (sequence ${s.firstSeq}…${Math.max(s.firstSeq, s.nextSeq - 1)})`],
      ['Envelope version', String(s.envelopeVersion)],
      s.endedAt ? ['Ended', time(s.endedAt)] : null,
    ],
    section(
      'Participants',
      table(
        ['Identity', 'ML-KEM-768 key', 'ML-DSA-65 key'],
        s.participants.map((p) => [h('span', { class: 'mono' }, p.identity), h('span', { class: 'mono', title: p.kemKey }, short(p.kemKey, 8)), h('span', { class: 'mono', title: p.dsaKey }, short(p.dsaKey, 8))]),
      ),
    ),
    section(
      'Messages (end-to-end encrypted: only participants can read them)',
      table(
        ['Seq', 'Sender', 'Block', 'Time', 'Ciphertext', 'Message id'],
        messages.messages.map((m) => [String(m.seq), h('span', { class: 'mono' }, names.get(m.sender) ?? short(m.sender)), blockLink(m.height), timeAgo(m.timestamp), `${((m.ciphertext.length - 2) / 2).toLocaleString('en-US')} bytes`, h('span', { class: 'mono', title: m.messageId }, short(m.messageId))]),
        'no messages',
      ),
    ),
    section('Timeline', timelineTable(timeline)),
  );
}

export async function workSession([id], ctx) {
  const s = await rpc('sessionvm.GetWorkSession', { sessionId: id });
  const [committee, steps, receipts, timeline] = await Promise.all([
    rpc('sessionvm.GetCommittee', { sessionId: id }),
    batch(Array.from({ length: s.stepCount }, (_, i) => ['sessionvm.GetStep', { sessionId: id, stepIndex: i }])),
    query(ADDR.sessionwork, 'getReceipts', { sessionId: id }),
    recentEvents({ address: ADDR.sessionwork, topics: [null, id] }, ctx.head.height),
  ]);
  const attestationIds = [...steps.filter((st) => !(st instanceof Error) && st.attestationId !== ZERO32).map((st) => st.attestationId)];
  const finalEvent = timeline.find((e) => e.name === 'SessionFinalized');
  if (finalEvent) attestationIds.push(finalEvent.args.attestationId);
  const attestations = await batch(attestationIds.map((a) => ['chain.Call', { to: ADDR.sessionwork, method: 'getAttestation', args: { attestationId: a } }]));
  const stepRows = [];
  for (const st of steps) {
    if (st instanceof Error) continue;
    stepRows.push([String(st.stepIndex), st.kind, badge(st.state), st.request ? String(st.request.recordCount) : '0', await recordsCheck(st), st.outputHash === ZERO32 ? '—' : h('span', { class: 'mono', title: st.outputHash }, short(st.outputHash))]);
  }
  const receiptRows = [];
  for (const r of receipts) {
    const proof = await query(ADDR.sessionwork, 'getReceiptProof', { sessionId: id, index: r.index }).catch(() => null);
    const ok = proof ? await verifySha256Proof(r.receiptId, proof.proof, s.receiptsRoot) : false;
    receiptRows.push([String(r.index), h('span', { class: 'mono', title: r.receiptId }, short(r.receiptId)), String(r.stepIndex), blockLink(r.height), badge(ok ? 'proof verified' : 'proof invalid', ok ? 'good' : 'bad')]);
  }
  return statePage(
    'Workload session',
    id,
    [
      ['State', badge(s.state)],
      ['Owner', accountLink(s.owner, s.owner)],
      ['Service', h('span', { class: 'mono' }, s.serviceId)],
      ['Created', h('span', {}, blockLink(s.createdHeight))],
      ['Epoch', String(s.epoch)],
      ['Steps', `${s.stepCount} (current ${s.currentStep})`],
      ['Output', s.outputHash === ZERO32 ? '—' : h('span', { class: 'mono' }, s.outputHash)],
      ['Oracle root', h('span', { class: 'mono' }, s.oracleRoot)],
      ['Receipts root', h('span', { class: 'mono' }, s.receiptsRoot)],
      s.error ? ['Error', s.error] : null,
    ],
    section(
      `Committee (quorum ${committee.quorum} of ${committee.size})`,
      table(
        ['Node', 'Operator', 'Endpoint', 'Status'],
        committee.members.map((m) => [h('span', { class: 'mono', title: m.nodeId }, short(m.nodeId)), accountLink(m.operator), m.endpoint, badge(m.status)]),
      ),
    ),
    section('Steps (oracle records checked against both Merkle roots in this browser)', table(['Step', 'Kind', 'State', 'Records', 'Records proof', 'Output'], stepRows, 'no steps yet')),
    section(
      'Attestations',
      table(
        ['Attestation', 'Domain', 'Signers', 'Block'],
        attestations.filter((a) => !(a instanceof Error)).map(({ result: a }) => [h('span', { class: 'mono', title: a.attestationId }, short(a.attestationId)), a.domain, String(a.signers.length), blockLink(a.height)]),
        'no attestations yet',
      ),
    ),
    section('Delivery receipts (proofs checked against the receipts root in this browser)', table(['#', 'Receipt', 'Step', 'Block', 'Proof'], receiptRows, 'no delivery receipts')),
    section('Timeline', timelineTable(timeline)),
  );
}

/** Checks every committed record of a step: its leaf against the records root, its body hash against the data root. */
async function recordsCheck(step) {
  const r = step.request;
  if (!r || !r.committed || r.recordCount === 0) return r && r.recordCount > 0 ? badge('not committed', 'neutral') : '—';
  let good = 0;
  for (let i = 0; i < r.recordCount; i++) {
    const p = await query(ADDR.sessionwork, 'getRecordProof', { requestId: r.requestId, index: i }).catch(() => null);
    if (!p) continue;
    const a = await verifySha256Proof(p.leaf, p.recordsProof, p.recordsRoot);
    const b = await verifySha256Proof(p.bodyHash, p.dataProof, p.dataRoot);
    if (a && b && p.recordsRoot === r.recordsRoot && p.dataRoot === r.dataRoot) good++;
  }
  return badge(good === r.recordCount ? `verified ${good}/${r.recordCount}` : `invalid ${good}/${r.recordCount}`, good === r.recordCount ? 'good' : 'bad');
}

function timelineTable(events) {
  return table(
    ['Block', 'Event', 'Tx', 'Details'],
    events.map((e) => [blockLink(e.height), h('strong', {}, e.name), e.txHash ? txLink(e.txHash) : 'system', e.args ? jsonBlock(e.args) : '—']),
    'no events in the last 10,000 blocks',
  );
}

// ---- escrow channels ----------------------------------------------------------------------------

let openedTopic;
async function channelOpenedTopic() {
  if (!openedTopic) {
    const mods = await rpc('chain.Modules');
    openedTopic = mods.find((m) => m.name === 'escrow').events.ChannelOpened.topic0;
  }
  return openedTopic;
}

function channelState(s) {
  if (!s) return '—';
  if (s.deposit === '0') return badge('closed');
  if (s.closeRequestedAt !== 0) return badge('closing', 'neutral');
  return badge('open');
}

export async function channels(_args, ctx) {
  const opened = await recentEvents({ address: ADDR.escrow, name: 'ChannelOpened' }, ctx.head.height);
  const states = await batch(opened.map((e) => ['escrow.GetChannelState', { channelId: e.args.channelId }]));
  const rows = [];
  for (let i = opened.length - 1; i >= 0; i--) {
    const e = opened[i];
    const s = states[i] instanceof Error ? null : states[i];
    rows.push([link(`channel/${e.args.channelId}`, short(e.args.channelId), e.args.channelId), blockLink(e.height), accountLink(e.args.payer), accountLink(e.args.payee), s ? await tokenAmount(e.args.token, s.deposit) : '—', s ? await tokenAmount(e.args.token, s.settled) : '—', channelState(s)]);
  }
  return page('Payment channels (TIP-1034 escrow)', null, section('Channels', table(['Channel', 'Opened', 'Payer', 'Payee', 'Deposit', 'Settled', 'State'], rows, 'no channels opened')));
}

export async function channel([id], ctx) {
  const head = ctx.head.height;
  const topic0 = await channelOpenedTopic();
  const [opened] = await recentEvents({ address: ADDR.escrow, name: 'ChannelOpened', topics: [topic0, id] }, head);
  if (!opened) throw new RpcFailure('escrow', { message: `no ChannelOpened event for ${id} in the last 10,000 blocks` });
  const [state, timeline] = await Promise.all([rpc('escrow.GetChannelState', { channelId: id }), recentEvents({ address: ADDR.escrow, topics: [null, id] }, head)]);
  const tok = opened.args.token;
  const fmt = (raw) => tokenAmount(tok, raw);
  // Vouchers the chain has seen: those presented in settle and close transactions.
  const voucherTxs = timeline.filter((e) => (e.name === 'Settled' || e.name === 'ChannelClosed') && e.txHash);
  const voucherCalls = await batch(voucherTxs.map((e) => ['chain.GetTransaction', { hash: e.txHash }]));
  const vouchers = [];
  for (let i = 0; i < voucherTxs.length; i++) {
    const t = voucherCalls[i];
    if (t instanceof Error || !t || !t.args) continue;
    const sig = t.args.signature ?? '0x';
    vouchers.push([blockLink(voucherTxs[i].height), txLink(t.hash), t.method, await fmt(t.args.cumulativeAmount), sig === '0x' ? 'none (settled amount)' : `${(sig.length - 2) / 2} bytes (${sig.length - 2 === 130 ? 'secp256k1' : 'ML-DSA-65'})`]);
  }
  const rows = [];
  for (const e of timeline) rows.push([blockLink(e.height), h('strong', {}, e.name), e.txHash ? txLink(e.txHash) : '—', await timelineDetail(e, fmt)]);
  const closed = timeline.find((e) => e.name === 'ChannelClosed');
  return statePage(
    'Payment channel',
    id,
    [
      ['State', channelState(state)],
      ['Deposit', await fmt(state.deposit)],
      ['Settled', await fmt(state.settled)],
      ['Unsettled', state.deposit === '0' ? '—' : await fmt(BigInt(state.deposit) - BigInt(state.settled))],
      ['Close requested', state.closeRequestedAt ? time(state.closeRequestedAt * 1000) : 'no'],
      closed && ['Closed', h('span', {}, blockLink(closed.height), ` · ${await fmt(closed.args.settledToPayee)} to the payee, ${await fmt(closed.args.refundedToPayer)} back to the payer`)],
    ],
    details(
      'Descriptor',
      [
        ['Payer', accountLink(opened.args.payer, opened.args.payer)],
        ['Payee', accountLink(opened.args.payee, opened.args.payee)],
        ['Operator', opened.args.operator === ZERO20 ? 'none' : accountLink(opened.args.operator, opened.args.operator)],
        ['Voucher signer', opened.args.authorizedSigner === ZERO20 ? 'the payer' : accountLink(opened.args.authorizedSigner, opened.args.authorizedSigner)],
        ['Token', h('span', {}, (await token(tok))?.symbol ?? '', ' ', h('span', { class: 'mono' }, tok))],
        ['Salt', h('span', { class: 'mono' }, opened.args.salt)],
        ['Opened', h('span', {}, blockLink(opened.height), ' · ', txLink(opened.txHash))],
      ],
    ),
    section('Vouchers seen on chain', table(['Block', 'Tx', 'Call', 'Cumulative amount', 'Signature'], vouchers, 'no voucher presented yet')),
    section('Timeline', table(['Block', 'Event', 'Tx', 'Details'], rows)),
  );
}

async function timelineDetail(e, fmt) {
  const a = e.args ?? {};
  switch (e.name) {
    case 'ChannelOpened':
      return `deposit ${await fmt(a.deposit)}`;
    case 'TopUp':
      return `+${await fmt(a.additionalDeposit)} → deposit ${await fmt(a.newDeposit)}`;
    case 'Settled':
      return `voucher ${await fmt(a.cumulativeAmount)}: paid ${await fmt(a.deltaPaid)}, settled ${await fmt(a.newSettled)}`;
    case 'CloseRequested':
      return `grace period ends ${new Date(Number(a.closeGraceEnd) * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
    case 'ChannelClosed':
      return `${await fmt(a.settledToPayee)} to the payee, ${await fmt(a.refundedToPayer)} refunded`;
    default:
      return '';
  }
}

// ---- AIVM ---------------------------------------------------------------------------------------

function providerFields(p) {
  return fields([
    ['Status', badge(p.stats.slashed ? 'slashed' : p.operator?.unbonding ? 'unbonding' : 'active')],
    ['Stake', lux(p.operator?.stake)],
    ['Model spec', h('span', { class: 'mono' }, p.operator?.spec)],
    ['GPU', p.operator?.gpuModel],
    ['Tasks completed', String(p.stats.tasksCompleted)],
    ['Open tasks', String(p.operator?.openTasks ?? 0)],
    ['Disputes lost', String(p.stats.disputesLost)],
    ['Credit', lux(p.credit)],
  ]);
}

export async function aivm(_args, ctx) {
  const head = ctx.head.height;
  const [stats, providers, models, created, challenged, resolved] = await Promise.all([
    rpc('aivm.GetStats'),
    rpc('aivm.GetProviders'),
    rpc('aivm.GetModels'),
    recentEvents({ address: ADDR.aivm, name: 'TaskCreated' }, head),
    recentEvents({ address: ADDR.aivm, name: 'Challenged' }, head),
    recentEvents({ address: ADDR.aivm, name: 'DisputeResolved' }, head),
  ]);
  const tasks = await batch(created.map((e) => ['aivm.GetTask', { id: e.args.taskId }]));
  const outcome = new Map(resolved.map((e) => [e.args.taskId, e]));
  return page(
    'AI compute (AIVM)',
    null,
    details(
      'Totals',
      [
        ['Tasks', `${stats.stats.tasks} (${stats.stats.settled} settled, ${stats.stats.failed} failed)`],
        ['Challenges', `${stats.stats.challenges} (${stats.stats.reexecutions} re-executed on chain)`],
        ['Providers', String(stats.providers)],
        ['Models', String(stats.models)],
        ['Staked', lux(stats.totals.stake)],
        ['Burned', lux(stats.stats.burned)],
        ['Receipt root', h('span', { class: 'mono' }, stats.receiptRoot)],
        ['Epoch', String(stats.epoch)],
      ],
    ),
    section(
      'Providers',
      table(
        ['Provider', 'Stake', 'Spec', 'GPU', 'Completed', 'Disputes lost', 'Status'],
        providers.map((p) => [accountLink(p.address), lux(p.operator?.stake), h('span', { class: 'mono', title: p.operator?.spec }, short(p.operator?.spec)), p.operator?.gpuModel ?? '—', String(p.stats.tasksCompleted), String(p.stats.disputesLost), badge(p.stats.slashed ? 'slashed' : !p.registered ? 'withdrawn' : p.operator?.unbonding ? 'unbonding' : 'active')]),
        'no providers registered',
      ),
    ),
    section(
      'Models',
      table(
        ['Model root', 'Owner', 'Parameters', 'Executable on chain', 'Registered'],
        models.map((m) => [h('span', { class: 'mono', title: m.modelRoot }, short(m.modelRoot)), accountLink(m.record.owner), String(m.record.parameterCount), m.record.executable ? 'yes' : 'no', blockLink(m.record.registeredHeight)]),
        'no models registered',
      ),
    ),
    section(
      'Tasks',
      table(
        ['Task', 'Submitted', 'Requester', 'Mode', 'Providers', 'Status'],
        newestFirst(created, tasks, (e, t) => [link(`task/${e.args.taskId}`, short(e.args.taskId), e.args.taskId), blockLink(e.height), accountLink(e.args.requester), t?.modeName ?? String(e.args.mode), String(e.args.n), badge(t?.statusName ?? 'unknown')]),
        'no tasks submitted',
      ),
    ),
    section(
      'Disputes',
      table(
        ['Task', 'Block', 'Challenger', 'Bond', 'Outcome'],
        challenged
          .map((e) => {
            const r = outcome.get(e.args.taskId);
            return [link(`task/${e.args.taskId}`, short(e.args.taskId), e.args.taskId), blockLink(e.height), accountLink(e.args.challenger), lux(e.args.bond), r ? badge(r.args.challengerWon ? 'challenger won' : r.args.providerWon ? 'provider won' : 'undecided', r.args.challengerWon ? 'bad' : 'good') : badge('open', 'neutral')];
          })
          .reverse(),
        'no disputes',
      ),
    ),
  );
}

export async function task([id], ctx) {
  const t = await rpc('aivm.GetTask', { id });
  if (!t) throw new RpcFailure('aivm.GetTask', { message: `no task ${id}` });
  const [timeline, receipt] = await Promise.all([recentEvents({ address: ADDR.aivm, topics: [null, t.taskId] }, ctx.head.height), rpc('aivm.GetReceipt', { id: t.taskId })]);
  const p = t.post;
  return page(
    'AIVM task',
    t.taskId,
    details(
      'Task',
      [
        ['Status', badge(t.statusName)],
        ['Mode', `${t.modeName} (N ${t.n}, threshold ${t.threshold})`],
        ['Requester', accountLink(t.requester, t.requester)],
        ['Model spec', h('span', { class: 'mono' }, t.spec)],
        ['Input', t.input === '0x' ? 'off chain' : h('span', { class: 'mono' }, t.input)],
        ['Requested at', blockLink(t.requestHeight)],
        ['Reward per provider', lux(t.rewardPerOperator)],
        ['Fee', lux(t.feePaid)],
        ['Canonical output', t.canonical === ZERO32 ? '—' : h('span', { class: 'mono' }, t.canonical)],
        t.settledHeight ? ['Settled at', blockLink(t.settledHeight)] : null,
        ['Selected providers', t.selected.length ? h('span', {}, t.selected.map((a, i) => [i ? ', ' : '', accountLink(a)])) : '—'],
      ],
    ),
    p &&
      details(
        'Posted result',
        [
          ['Provider', accountLink(p.provider, p.provider)],
          ['Output hash', h('span', { class: 'mono' }, p.outputHash)],
          ['Bond', lux(p.bond)],
          ['Posted at', blockLink(p.postedHeight)],
          ['Challenge window ends', `block #${p.deadline}${p.deadline > ctx.head.height ? ` (in ${p.deadline - ctx.head.height} blocks)` : ''}`],
          ['Challenger', p.challenger ? accountLink(p.challenger, p.challenger) : 'none'],
          p.challenger && ['Claimed output', h('span', { class: 'mono' }, p.claim)],
          p.challenger && ['Challenger bond', lux(p.challengerBond)],
        ],
      ),
    t.reveals.length > 0 && section('Reveals', table(['Provider', 'Output'], t.reveals.map((r) => [accountLink(r.operator), h('span', { class: 'mono' }, r.output)]))),
    section('Receipt', receipt ? fields([['Receipt hash', h('span', { class: 'mono' }, receipt.receiptHash)], ['Index', String(receipt.index)], ['Bytes', `${(receipt.receipt.length - 2) / 2}`]]) : h('p', { class: 'empty' }, 'no receipt until the task settles')),
    section('Timeline', timelineTable(timeline)),
  );
}

// ---- search -------------------------------------------------------------------------------------

/** Where a search term leads: a route, or null when nothing matches. */
export async function resolveSearch(term, head) {
  const q = term.trim();
  if (/^#?[0-9]+$/.test(q)) return `block/${q.replace('#', '')}`;
  if (hex20(q)) return `account/${q.toLowerCase()}`;
  if (!hex32(q)) return null;
  const id = q.toLowerCase();
  const [blk, t, chan, msg, work, tsk] = await batch([
    ['chain.GetBlock', { block: id }],
    ['chain.GetTransaction', { hash: id }],
    ['escrow.GetChannelState', { channelId: id }],
    ['sessionvm.GetSession', { sessionId: id }],
    ['sessionvm.GetWorkSession', { sessionId: id }],
    ['aivm.GetTask', { id }],
  ]);
  if (!(blk instanceof Error)) return `block/${id}`;
  if (t && !(t instanceof Error)) return `tx/${id}`;
  if (!(msg instanceof Error)) return `msession/${id}`;
  if (!(work instanceof Error)) return `wsession/${id}`;
  if (tsk && !(tsk instanceof Error)) return `task/${tsk.taskId}`;
  if (!(chan instanceof Error) && (chan.deposit !== '0' || chan.settled !== '0')) return `channel/${id}`;
  // A closed channel has no state left; its events still name it.
  const opened = await recentEvents({ address: ADDR.escrow, name: 'ChannelOpened', topics: [await channelOpenedTopic(), id] }, head).catch(() => []);
  if (opened.length) return `channel/${id}`;
  return null;
}

export { errorBox };

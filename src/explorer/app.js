// The explorer's pages: reads the node's JSON routes and /events, and draws one page from its
// path. Its helpers (h, api, link, chart, ...) come from lib.js, loaded first.
'use strict';

// ---- live updates --------------------------------------------------------------------------

let onEvent = null; // the current page's reaction to an event
let pending = null;

function connectEvents() {
  if (!window.EventSource) return;
  const es = new EventSource('/events');
  es.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
    react('open', {}); // events may have been missed while away: redraw
  });
  es.addEventListener('error', () => {
    live.textContent = 'reconnecting';
    live.className = 'live off';
  });
  for (const type of ['block', 'switch', 'transaction', 'reset']) {
    es.addEventListener(type, (e) => {
      let data = {};
      try { data = JSON.parse(e.data); } catch (err) { return; }
      react(type, data);
    });
  }
}

function react(type, data) {
  if (onEvent) onEvent(type, data);
}

// Coalesces bursts: one redraw per 250 ms however many events arrive.
function soon(fn) {
  if (pending) return;
  pending = setTimeout(() => { pending = null; fn(); }, 250);
}

// ---- pages ---------------------------------------------------------------------------------

async function dashboard() {
  const st = await api('/status');
  const from = Math.max(0, st.height - 49);
  const [page, recent] = await Promise.all([
    api(`/blocks?from=${from}&limit=50`),
    api('/transactions?limit=10'),
  ]);
  const blocks = page.blocks;
  document.title = `${st.chain} at ${st.height} \u2014 beastchain`;
  const latest = blocks.slice(-10).reverse();
  // Genesis is stamped in 2018 and carries no difficulty: the charts start after it.
  const mined = blocks.filter((b) => b.index > 0);
  const intervals = mined.slice(1).map((b, i) => b.timestamp - mined[i].timestamp);
  const difficulty = mined.map((b) => b.difficulty > 64 ? Math.log2(b.difficulty) : b.difficulty);
  show(
    h('h1', {}, 'Chain ', h('span', { id: 'chain-name' }, st.chain)),
    h('div', { class: 'cards' },
      card('Height', String(st.height), 'height'),
      card('Tip', link.block(st.tip_hash, short(st.tip_hash)), 'tip'),
      card('Difficulty', String(st.difficulty) + (st.bits ? ' (bits ' + st.bits + ')' : ''), 'difficulty'),
      card('Hash rate', rate(st.hash_rate || 0), 'hash-rate'),
      card('Peers', String(st.peers), 'peers'),
      card('Pending', String(st.pending_transactions), 'pending')),
    h('div', { class: 'grid2' },
      h('section', {},
        h('h2', {}, 'Latest blocks'),
        table(['Height', 'Hash', 'Txs', 'Time'], latest.map((b) => h('tr', { 'data-height': b.index },
          h('td', {}, link.block(b.index)), h('td', { class: 'mono' }, link.block(b.hash, short(b.hash))),
          h('td', {}, b.transactions.length), h('td', { title: when(b.timestamp) }, ago(b.timestamp)))), 'latest-blocks')),
      h('section', {},
        h('h2', {}, 'Latest transactions'),
        table(['Id', 'From', 'To', 'Amount', 'Status'], txRows(recent), 'latest-transactions'))),
    h('h2', {}, `The last ${mined.length} mined blocks`),
    h('div', { class: 'grid2' },
      chart('chart-interval', 'Block interval (s)', intervals, 'line', ''),
      chart('chart-difficulty', 'Difficulty' + (st.bits ? ' (log2 of the target\u2019s work)' : ' (leading zero bits)'), difficulty, 'line', ''),
      chart('chart-transactions', 'Transactions per block', mined.map((b) => b.transactions.length), 'bar', '')));
  // First render, for bench/explorer.py: navigation start to a drawn dashboard.
  if (performance.getEntriesByName('beastchain:dashboard').length === 0) performance.mark('beastchain:dashboard');
  onEvent = (type, data) => {
    if (type === 'transaction') {
      const el = document.getElementById('pending');
      if (el) el.textContent = String(data.pending);
      const body = document.querySelector('#latest-transactions tbody');
      // The event may name a transaction the last redraw already listed.
      if (body && !body.querySelector(`tr[data-id="${data.transaction.transaction_id}"]`)) {
        const row = txRow(data.transaction, 'pending');
        row.classList.add('flash');
        body.prepend(row);
        while (body.children.length > 10) body.lastChild.remove();
      }
      return;
    }
    soon(() => dashboard().catch(failed));
  };
}

function txRows(recent) {
  const rows = recent.pending.slice(0, 5).map((t) => txRow(t, 'pending'));
  for (const c of recent.confirmed) rows.push(txRow(c.transaction, 'confirmed'));
  return rows.slice(0, 10);
}

function txRow(t, status) {
  return h('tr', { 'data-id': t.transaction_id },
    h('td', {}, link.tx(t.transaction_id)), h('td', {}, link.address(t.sender)), h('td', {}, link.address(t.recipient)),
    h('td', {}, String(t.amount)), h('td', { class: 'status-' + status }, status));
}

async function blockPage(id) {
  let b;
  try { b = await api('/blocks/' + seg(id)); } catch (e) {
    if (e instanceof NotFound) return notFound('Block', id, e.message);
    throw e;
  }
  const st = await api('/status');
  document.title = `Block ${b.index} \u2014 beastchain`;
  const prev = b.index > 0 ? link.block(b.index - 1, String(b.previous_hash)) : h('span', { class: 'muted' }, 'none (genesis)');
  const next = b.index < st.height ? link.block(b.index + 1, 'block ' + (b.index + 1)) : h('span', { class: 'muted' }, 'none yet (this is the tip)');
  show(
    h('h1', {}, 'Block ', h('span', { id: 'block-height' }, String(b.index))),
    fields([
      ['Hash', h('span', { class: 'mono', id: 'block-hash' }, b.hash)],
      ['Previous', prev],
      ['Next', h('span', { id: 'next-block' }, next)],
      ['Confirmations', String(st.height - b.index + 1)],
      ['Time', when(b.timestamp)],
      ['Difficulty', String(b.difficulty)],
      ['Proof', String(b.proof !== undefined ? b.proof : b.nonce)],
      ['Transactions', String(b.transactions.length)],
    ]),
    h('h2', {}, 'Transactions'),
    table(['Id', 'From', 'To', 'Amount'], b.transactions.map((t) => h('tr', {},
      h('td', {}, link.tx(t.transaction_id)), h('td', {}, link.address(t.sender)), h('td', {}, link.address(t.recipient)),
      h('td', {}, String(t.amount)))), 'block-transactions'));
  onEvent = (type) => { if (type !== 'transaction') soon(() => blockPage(id).catch(failed)); };
}

async function txPage(id) {
  let t;
  try { t = await api('/transactions/' + seg(id)); } catch (e) {
    if (e instanceof NotFound) return notFound('Transaction', id, e.message);
    throw e;
  }
  const tx = t.transaction;
  document.title = `Transaction ${short(id)} \u2014 beastchain`;
  const pairs = [
    ['Id', h('span', { class: 'mono' }, tx.transaction_id)],
    ['Status', h('span', { class: 'status-' + t.status, id: 'tx-status' }, t.status)],
  ];
  if (t.status === 'confirmed') {
    pairs.push(['Block', link.block(t.block_index)]);
    pairs.push(['Confirmations', h('span', { id: 'tx-confirmations' }, String(t.confirmations))]);
  }
  if (t.reason) pairs.push(['Why', t.reason + ': ' + t.detail]);
  pairs.push(['From', link.address(tx.sender)], ['To', link.address(tx.recipient)], ['Amount', String(tx.amount)]);
  if (tx.fee !== undefined) pairs.push(['Fee', String(tx.fee)]);
  pairs.push(['Nonce', String(tx.nonce)]);
  if (tx.signature) pairs.push(['Signature', h('span', { class: 'mono' }, tx.signature)]);
  show(h('h1', {}, 'Transaction'), fields(pairs));
  onEvent = (type) => { if (type !== 'transaction') soon(() => txPage(id).catch(failed)); };
}

async function addressPage(addr, offset) {
  const limit = 25;
  const a = await api(`/addresses?address=${seg(addr)}&offset=${offset}&limit=${limit}`);
  document.title = `Address ${short(addr)} \u2014 beastchain`;
  const summary = [['Address', h('span', { class: 'mono', id: 'address' }, a.address)]];
  if (a.balances) {
    summary.push(['Balance', h('span', { id: 'balance' }, String(a.balance))], ['Next nonce', String(a.nonce)]);
  }
  summary.push(['Received', h('span', { id: 'received' }, String(a.received))], ['Sent', h('span', { id: 'sent' }, String(a.sent))],
    ['Transactions', h('span', { id: 'tx-count' }, String(a.total))]);
  const rows = a.transactions.map((r) => {
    const t = r.transaction;
    const dir = t.sender === addr && t.recipient === addr ? 'self' : t.sender === addr ? 'out' : 'in';
    const other = dir === 'in' ? t.sender : t.recipient;
    return h('tr', { 'data-id': t.transaction_id },
      h('td', {}, link.tx(t.transaction_id)), h('td', {}, link.block(r.block_index)), h('td', {}, dir),
      h('td', {}, link.address(other)), h('td', {}, String(t.amount)));
  });
  const pager = h('div', { class: 'pager' },
    offset > 0 ? h('a', { href: pageHref(addr, Math.max(0, offset - limit)) }, '\u2190 newer') : null,
    h('span', { class: 'muted' }, a.total === 0 ? '' : `${offset + 1}\u2013${offset + a.transactions.length} of ${a.total}`),
    offset + limit < a.total ? h('a', { href: pageHref(addr, offset + limit) }, 'older \u2192') : null);
  show(
    h('h1', {}, 'Address'),
    a.balances ? null : h('p', { class: 'notice', id: 'no-balances' },
      'This chain is open (the tutorial\u2019s): it keeps no balances, so an address has only what it received and sent.'),
    fields(summary),
    a.pending.length ? h('h2', {}, 'Pending') : null,
    a.pending.length ? table(['Id', 'To', 'Amount', 'Nonce'], a.pending.map((t) => h('tr', {},
      h('td', {}, link.tx(t.transaction_id)), h('td', {}, link.address(t.recipient)), h('td', {}, String(t.amount)),
      h('td', {}, String(t.nonce))))) : null,
    h('h2', {}, 'History'),
    a.total === 0 ? h('p', { class: 'muted', id: 'no-history' }, 'No transaction on the best chain names this address.')
      : table(['Id', 'Block', 'Direction', 'Counterparty', 'Amount'], rows, 'address-history'),
    pager);
  onEvent = (type) => { if (type !== 'transaction') soon(() => addressPage(addr, offset).catch(failed)); };
}

function pageHref(addr, offset) {
  const base = addressHref(addr);
  return base + (base.includes('?') ? '&' : '?') + 'offset=' + offset;
}

async function mempoolPage() {
  const m = await api('/mempool?limit=20');
  document.title = `Mempool (${m.count}) \u2014 beastchain`;
  const rows = (list) => list.map((t) => h('tr', {},
    h('td', {}, link.tx(t.transaction_id)), h('td', {}, link.address(t.sender)), h('td', {}, link.address(t.recipient)),
    h('td', {}, String(t.amount))));
  show(
    h('h1', {}, 'Mempool'),
    h('div', { class: 'cards' }, card('Pending', String(m.count), 'mempool-count'), card('Capacity', String(m.capacity))),
    h('div', { class: 'grid2' },
      h('section', {}, h('h2', {}, 'Newest'), table(['Id', 'From', 'To', 'Amount'], rows(m.newest), 'mempool-newest')),
      h('section', {}, h('h2', {}, 'Oldest'), table(['Id', 'From', 'To', 'Amount'], rows(m.oldest), 'mempool-oldest'))));
  onEvent = () => soon(() => mempoolPage().catch(failed));
}

async function peersPage() {
  const token = sessionStorage.getItem('beastchain-token');
  let list;
  try {
    list = await api('/nodes', token ? { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token } } : undefined);
  } catch (e) {
    if (e.status !== 401 && e.status !== 403) throw e;
    const input = h('input', { type: 'password', placeholder: 'operator token', autocomplete: 'off' });
    const form = h('form', { class: 'token' }, input, h('button', { type: 'submit' }, 'Show peers'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      sessionStorage.setItem('beastchain-token', input.value.trim());
      peersPage().catch(failed);
    });
    show(h('h1', {}, 'Peers'), h('div', { class: 'notice', id: 'peers-refused' },
      h('p', {}, 'The peer list is for this node\u2019s operator: open the explorer from the node\u2019s own host, or give its token.'),
      form));
    return;
  }
  document.title = `Peers (${list.node_count}) \u2014 beastchain`;
  const ms = (v) => (v === null ? '\u2014' : ago(v / 1000));
  show(
    h('h1', {}, 'Peers'),
    list.node_count === 0 ? h('p', { class: 'muted', id: 'no-peers' }, 'This node knows no peers.')
      : table(['Address', 'State', 'Last seen', 'Failures', 'Banned until', 'Queued (tx / inv / blocks)', 'Last error'],
        list.nodes.map((p) => h('tr', {},
          h('td', { class: 'mono' }, p.address), h('td', {}, p.state), h('td', {}, ms(p.last_seen_ms)),
          h('td', {}, String(p.failures)), h('td', {}, p.banned_until_ms === null ? '\u2014' : when(p.banned_until_ms / 1000)),
          h('td', {}, `${p.queued_transactions} / ${p.queued_inventory} / ${p.queued_blocks}`),
          h('td', { class: 'trunc' }, p.last_error || ''))), 'peers-table'));
  onEvent = null;
}

async function searchPage(q) {
  q = (q || '').trim();
  if (!q) return dashboard();
  const r = await api('/search?q=' + encodeURIComponent(q)).catch((e) => {
    if (e instanceof NotFound) return { kind: 'none' };
    throw e;
  });
  const to = { block: '/explorer/block/', transaction: '/explorer/tx/', address: '/explorer/address/' }[r.kind];
  if (to) { location.replace(r.kind === 'address' ? addressHref(r.id) : to + seg(r.id)); return; }
  document.title = 'Nothing found \u2014 beastchain';
  show(h('div', { class: 'notfound', id: 'not-found' }, h('h1', {}, 'Nothing found'),
    h('p', {}, 'No block height, block hash, transaction or address here matches ', h('span', { class: 'mono' }, q), '.')));
}

// ---- routing -------------------------------------------------------------------------------

async function route() {
  const path = location.pathname.replace(/\/+$/, '');
  const params = new URLSearchParams(location.search);
  const m = path.match(/^\/explorer\/(block|tx|address)\/([^/]+)$/);
  onEvent = null;
  if (m) {
    let id;
    try { id = decodeURIComponent(m[2]); } catch (e) {
      return notFound({ block: 'Block', tx: 'Transaction', address: 'Address' }[m[1]], m[2], 'The path is not valid percent-encoding.');
    }
    if (m[1] === 'block') return blockPage(id);
    if (m[1] === 'tx') return txPage(id);
    return addressPage(id, Math.max(0, parseInt(params.get('offset') || '0', 10) || 0));
  }
  if (path === '/explorer/address' && params.get('id') !== null) {
    return addressPage(params.get('id'), Math.max(0, parseInt(params.get('offset') || '0', 10) || 0));
  }
  if (path === '/explorer/mempool') return mempoolPage();
  if (path === '/explorer/peers') return peersPage();
  if (path === '/explorer/search') return searchPage(params.get('q'));
  return dashboard();
}

document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.assign('/explorer/search?q=' + encodeURIComponent(q));
});

route().catch(failed);
connectEvents();

// The explorer's helpers: building elements, reading the node's JSON, links, and SVG charts.
// Every string from the chain goes into the page as text (textContent), never as markup.
'use strict';

const main = document.getElementById('main');
const live = document.getElementById('live');
const SVG = 'http://www.w3.org/2000/svg';

// ---- small helpers -------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

function show(...nodes) {
  main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
}

class NotFound extends Error {}

async function api(path, options) {
  const res = await fetch(path, Object.assign({ headers: { Accept: 'application/json' } }, options));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (res.status === 404 || res.status === 400) throw new NotFound((body && body.detail) || 'not found');
  if (!res.ok) {
    const err = new Error((body && body.detail) || ('HTTP ' + res.status));
    err.status = res.status;
    throw err;
  }
  return body;
}

// One path segment. "." and ".." (even as %2E) are steps in a path to every URL parser, so
// those two names go in the query instead.
function seg(text) {
  return encodeURIComponent(String(text));
}

function addressHref(a) {
  a = String(a);
  return a === '.' || a === '..' ? '/explorer/address?id=' + seg(a) : '/explorer/address/' + seg(a);
}

const link = {
  block: (id, label) => h('a', { href: '/explorer/block/' + seg(id), class: 'mono' }, label === undefined ? String(id) : label),
  tx: (id) => h('a', { href: '/explorer/tx/' + seg(id), class: 'mono' }, short(id)),
  address: (a) => h('a', { href: addressHref(a), class: 'mono' }, short(a)),
};

function short(text) {
  text = String(text);
  return text.length > 18 ? text.slice(0, 8) + '\u2026' + text.slice(-6) : text;
}

function when(seconds) {
  const d = new Date(seconds * 1000);
  return isNaN(d) ? String(seconds) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function ago(seconds) {
  const s = Math.max(0, Date.now() / 1000 - seconds);
  if (s < 60) return Math.round(s) + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

function rate(hps) {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s'];
  let i = 0;
  while (hps >= 1000 && i < units.length - 1) { hps /= 1000; i++; }
  return hps.toFixed(hps < 10 && i > 0 ? 2 : 0) + ' ' + units[i];
}

function card(key, value, id) {
  return h('div', { class: 'card' }, h('div', { class: 'k' }, key), h('div', { class: 'v', id }, value));
}

function fields(pairs) {
  const dl = h('dl', { class: 'fields' });
  for (const [k, v] of pairs) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}

function table(headers, rows, id) {
  return h('table', { id },
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, rows));
}

function notFound(what, id, detail) {
  document.title = 'Not found \u2014 beastchain';
  show(h('div', { class: 'notfound', id: 'not-found' },
    h('h1', {}, what + ' not found'),
    h('p', {}, 'This node has no ' + what.toLowerCase() + ' ', h('span', { class: 'mono' }, id), ' on its best chain.'),
    detail ? h('p', { class: 'muted' }, detail) : null,
    h('p', {}, h('a', { href: '/explorer' }, 'Back to the dashboard'))));
}

function failed(err) {
  show(h('div', { class: 'notfound', id: 'error' }, h('h1', {}, 'The node did not answer'), h('p', {}, String(err.message || err))));
}

// ---- charts: SVG drawn here, no library ----------------------------------------------------

function chart(id, title, values, kind, unit) {
  const W = 560, H = 150, L = 44, R = 8, T = 22, B = 18;
  const svg = s('svg', { class: 'chart', id, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  svg.append(s('text', { x: L, y: 14 }, document.createTextNode(title)));
  if (values.length === 0) return svg;
  const max = Math.max(...values), min = kind === 'bar' ? 0 : Math.min(...values);
  const span = max - min || 1;
  const x = (i) => L + (values.length === 1 ? 0 : (i * (W - L - R)) / (values.length - 1));
  const y = (v) => T + (H - T - B) * (1 - (v - min) / span);
  svg.append(s('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
  svg.append(s('text', { x: 2, y: T + 8 }, document.createTextNode(fmt(max) + unit)));
  svg.append(s('text', { x: 2, y: H - B }, document.createTextNode(fmt(min) + unit)));
  if (kind === 'bar') {
    const w = Math.max(1, (W - L - R) / values.length - 1);
    values.forEach((v, i) => {
      const top = y(v);
      svg.append(s('rect', { class: 'bar', x: L + (i * (W - L - R)) / values.length, y: top, width: w, height: H - B - top }));
    });
  } else {
    svg.append(s('polyline', { class: 'line', points: values.map((v, i) => x(i).toFixed(1) + ',' + y(v).toFixed(1)).join(' ') }));
  }
  return svg;
}

function fmt(v) {
  return Math.abs(v) >= 100 ? Math.round(v).toString() : (Math.round(v * 100) / 100).toString();
}

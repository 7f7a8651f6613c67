// Small DOM and formatting helpers shared by the views.

/** Builds an element: h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child, [children]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'html') el.innerHTML = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// The capability catalogue (能力目录): the Chinese name of each capability code, filled once by
// api.js (`loadCatalogue`, and the names a map document carries). A code without an entry is
// shown as it is.
const capNames = new Map();

/** Adds catalogue names: an array of entries [{code, name}] or an object {code: name}. */
export function addCapNames(entries) {
  const pairs = Array.isArray(entries) ? entries.map((e) => [e.code, e.name]) : Object.entries(entries || {});
  for (const [code, name] of pairs) if (code && name) capNames.set(code, name);
}

/** The catalogue name of a capability code, or the code itself when the catalogue lacks it. */
export function capName(code) {
  return capNames.get(code) || code;
}

/** Names of several codes, 、-separated (for CSV cells and plain text). */
export function capNamesText(codes) {
  return codes.map(capName).join('、');
}

/** A capability by its name, the code on hover (`title`) and in `data-code`. */
export function capLabel(code) {
  const named = capNames.has(code);
  return h('span', { class: named ? 'cap' : 'cap mono', title: code, 'data-code': code }, capName(code));
}

/** Several capabilities by name, 、-separated, each with its code on hover. */
export function capLabels(codes) {
  return h('span', { class: 'caps' }, codes.flatMap((c, i) => (i ? ['、', capLabel(c)] : [capLabel(c)])));
}

/** Escapes text for HTML and SVG markup built as strings. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Whole percentage; an empty total counts as fully covered. */
export function pct(part, total) {
  return total === 0 ? 100 : Math.round((part * 100) / total);
}

/** Severity-weighted coverage of a coverage record, in percent. */
export function coveragePct(c) {
  return pct(c.severity_assigned, c.severity_total);
}

/** Green (0) through amber (0.5) to red (1), as in the server's picture. */
export function riskColour(score) {
  const s = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
  const [a, b, t] = s < 0.5
    ? [[0x3a, 0xa7, 0x6d], [0xf0, 0xb4, 0x29], s * 2]
    : [[0xf0, 0xb4, 0x29], [0xd6, 0x45, 0x41], (s - 0.5) * 2];
  const mix = (i) => Math.round(a[i] + (b[i] - a[i]) * t).toString(16).padStart(2, '0');
  return `#${mix(0)}${mix(1)}${mix(2)}`;
}

/** Colour for a coverage percentage: red when poor, green when good. */
export function coverageColour(p) {
  return riskColour(1 - p / 100);
}

/** The CSV text of a table: UTF-8 BOM (so Excel shows Chinese), CRLF, fields quoted as needed. */
export function csvText(header, rows) {
  const field = (v) => {
    const s = v == null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\uFEFF' + [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/**
 * Generates a CSV client-side and downloads it. The last file is also kept on
 * `window.__qmapLastCsv` ({name, text, rows}) so tests and the console can inspect it.
 */
export function downloadCsv(name, header, rows) {
  const text = csvText(header, rows);
  window.__qmapLastCsv = { name, text, rows: rows.length };
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * A table from column definitions [{label, value: row => text|Node, cls}] and rows; `rowAttrs`
 * (row => attributes) marks rows. Columns marked `csvOnly` (such as the codes beside their
 * names) go into the CSV download only.
 */
export function table(columns, rows, attrs = {}, rowAttrs = () => ({})) {
  const shown = columns.filter((c) => !c.csvOnly);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data', ...attrs },
      h('thead', {}, h('tr', {}, shown.map((c) => h('th', { class: c.cls }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', rowAttrs(r), shown.map((c) => h('td', { class: c.cls }, c.value(r))))))));
}

/** A severity badge 1–5. */
export function sevBadge(n) {
  return h('span', { class: `sev sev-${n}`, title: `severity ${n}` }, String(n));
}

/** Shortens a name to `max` characters with an ellipsis. */
export function short(name, max) {
  const chars = Array.from(name);
  return chars.length <= max ? name : chars.slice(0, max - 1).join('') + '…';
}

/** The title row and tabs shared by every view of one chain. */
export function chainHeader(t, map, active) {
  const id = encodeURIComponent(map.chain.id);
  const tab = (name, href) => h('a', { href, class: name === active ? 'active' : null, 'data-tab': name }, t(`tab.${name}`));
  const cov = map.coverage;
  return h('div', { class: 'chain-head' },
    h('div', { class: 'chain-title' },
      h('h1', {}, map.chain.name),
      map.chain.chief ? h('span', { class: 'chief' }, `${t('kpi.chief')}：${map.chain.chief}`) : null,
      h('span', { class: 'pill', style: `background:${coverageColour(coveragePct(cov))}` },
        `${t('kpi.coverage')} ${coveragePct(cov)}%`)),
    h('nav', { class: 'tabs' },
      tab('map', `#/chain/${id}`),
      tab('scenario', `#/chain/${id}/scenario`),
      tab('suppliers', `#/chain/${id}/suppliers`),
      tab('lists', `#/chain/${id}/lists`),
      tab('changes', `#/chain/${id}/changes`),
      tab('regions', `#/chain/${id}/regions`)));
}

/** A small key figure. */
export function kpi(label, value, cls) {
  return h('div', { class: `kpi ${cls || ''}` }, h('b', {}, String(value)), h('span', {}, label));
}

/** How often a view asks again while its dataset-wide figures are an earlier revision's. */
const AS_OF_POLL_MS = 2000;

/**
 * While dataset-wide answers (`/comparison`, `/coverage`, the dataset's regions) are an earlier
 * revision's (`as_of_revision`: the figures of the current data are being computed after a
 * write), a line saying so; `refetch()` (resolving to the answers again) is asked every 2 s
 * until no answer has `as_of_revision`, then the line goes and `onCurrent(answers)` runs.
 * Null when every answer is current. Stops asking when the view is left (`ctx`).
 */
export function asOfLine(t, answers, refetch, onCurrent, ctx) {
  const earliest = (list) => {
    const revisions = list.map((a) => a && a.as_of_revision).filter((n) => n != null);
    return revisions.length ? Math.min(...revisions) : null;
  };
  const first = earliest(answers);
  if (first == null) return null;
  const line = h('p', { class: 'as-of-note', 'data-as-of': String(first) }, t('scope.as_of', { n: first }));
  const poll = async () => {
    if (ctx && !ctx.isCurrent()) return;
    try {
      const next = await refetch();
      if (ctx && !ctx.isCurrent()) return;
      const n = earliest(next);
      if (n == null) {
        line.remove();
        onCurrent(next);
        return;
      }
      line.dataset.asOf = String(n);
      line.textContent = t('scope.as_of', { n });
    } catch (e) {
      console.warn(e);
    }
    setTimeout(poll, AS_OF_POLL_MS);
  };
  setTimeout(poll, AS_OF_POLL_MS);
  return line;
}

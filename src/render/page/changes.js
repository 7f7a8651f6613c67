// The 变化 view of one chain: what changed between two surveys (GET /chains/{id}/changes), the
// later survey's map with the changes marked, and the key figures over every survey
// (GET /chains/{id}/history).
//
// Roles, as the API applies them: those who read the chain see everything; an enterprise sees
// the changes within its upstream (no map, no trend: both are refused to it); a planner sees the
// figures only (the API sends empty lists, so no list is drawn at all).

import { t, ELEMENTS } from './i18n.js';
import { api, cachedMap } from './api.js';
import { h, esc, chainHeader, table, downloadCsv, sevBadge, coveragePct, short, capLabels, capNamesText } from './util.js';
import { createMap, legendHtml } from './map.js';
import { firmPanel } from './mapview.js';

const NS = 'http://www.w3.org/2000/svg';

/** The six coverage figures, in the API's order. */
const COVERAGE = ['needs_total', 'needs_reachable', 'needs_assigned', 'severity_total', 'severity_assigned', 'tier_cost'];

/**
 * The summary figures by kind of change: [group, [[list, summary key, whether a rise is bad (1),
 * good (-1) or neither (0)]]].
 */
const SUMMARY = [
  ['firms', [['joined', 'firms_joined', 0], ['left', 'firms_left', 0], ['changed', 'firms_changed', 0]]],
  ['supplies', [['added', 'supplies_added', 0], ['removed', 'supplies_removed', 0]]],
  ['problems', [['opened', 'problems_opened', 1], ['resolved', 'problems_resolved', -1], ['changed', 'problems_changed', 0]]],
  ['critical_nodes', [['appeared', 'critical_nodes_appeared', 1], ['disappeared', 'critical_nodes_disappeared', -1], ['changed', 'critical_nodes_changed', 0]]],
  ['single_source_parts', [['appeared', 'single_source_parts_appeared', 1], ['disappeared', 'single_source_parts_disappeared', -1]]],
  ['foreign_only_parts', [['appeared', 'foreign_only_parts_appeared', 1], ['disappeared', 'foreign_only_parts_disappeared', -1]]],
];

/** The figures of the trend chart (`/history`), each with its label and colour. */
const TREND = [
  ['firms', 'kpi.firms', '#1f3a68'], ['masters', 'kpi.masters', '#3d5a98'],
  ['critical_nodes', 'kpi.critical', '#c62f2a'], ['single_source_parts', 'kpi.single', '#d9822b'],
  ['foreign_only_parts', 'kpi.foreign_only', '#7b4fc9'], ['demand_problems', 'kpi.problems', '#b86a10'],
  ['needs', 'chg.needs', '#2b7a78'], ['coverage_percent', 'chg.coverage_percent', '#2e9e6b'],
];

/** YYYY-MM-DD of a Unix time in seconds, in local time. */
function day(at) {
  const d = new Date(at * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A revision number from the route, or null. */
function revisionParam(s) {
  return s != null && /^\d+$/.test(s) ? Number(s) : null;
}

/**
 * The revisions the pickers offer: every survey (label and date), then the current data when the
 * latest revision is not itself a survey, then any other revision the route names.
 */
function pickerOptions(revisions, wanted) {
  const surveys = revisions.filter((r) => r.label);
  const latest = revisions.length ? revisions[revisions.length - 1] : null;
  const options = surveys.map((r) => ({ revision: r.revision, text: `${r.label}（${day(r.at)}）`, label: r.label, survey: true }));
  if (latest && !latest.label) {
    options.push({ revision: latest.revision, text: t('chg.current', { n: latest.revision }), label: t('chg.current', { n: latest.revision }) });
  }
  for (const n of wanted) {
    if (n != null && !options.some((o) => o.revision === n)) {
      options.push({ revision: n, text: t('chg.revision', { n }), label: t('chg.revision', { n }) });
    }
  }
  options.sort((a, b) => a.revision - b.revision);
  return { options, surveys, latest: latest ? latest.revision : null };
}

/** A small SVG line chart of one figure over the surveys. */
function miniChart(points, key, label, colour, picked) {
  const W = 340, H = 112, left = 18, right = 18, top = 22, bottom = 24;
  const n = points.length;
  const x = (i) => (n === 1 ? W / 2 : left + ((W - left - right) * i) / (n - 1));
  const values = points.map((p) => (p.exists ? p[key] : null));
  const known = values.filter((v) => v != null);
  let lo = known.length ? Math.min(...known) : 0;
  let hi = known.length ? Math.max(...known) : 1;
  const span = hi - lo || Math.max(1, Math.abs(hi) * 0.1);
  lo = Math.max(0, lo - span * 0.35);
  hi += span * 0.35;
  const y = (v) => top + (H - top - bottom) * (1 - (v - lo) / (hi - lo || 1));
  const fmt = (v) => (v == null ? '—' : key === 'coverage_percent' ? `${v}%` : String(v));
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v == null) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  });
  const parts = [`<line class="grid" x1="${left}" x2="${W - right}" y1="${H - bottom}" y2="${H - bottom}"/>`,
    `<path class="trend-line" data-figure="${key}" d="${d}" stroke="${colour}"/>`];
  const labelEvery = n <= 5 ? 1 : n - 1;
  values.forEach((v, i) => {
    const p = points[i];
    const bold = picked.has(p.revision);
    if (v != null) {
      parts.push(`<circle class="trend-pt${bold ? ' picked' : ''}" data-figure="${key}" data-revision="${p.revision}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="${bold ? 4.5 : 3}" fill="${colour}"><title>${esc(p.label)}：${esc(fmt(v))}</title></circle>`);
      parts.push(`<text class="val" x="${x(i).toFixed(1)}" y="${(y(v) - 8).toFixed(1)}" text-anchor="middle">${esc(fmt(v))}</text>`);
    }
    if (i % labelEvery === 0 || i === n - 1) {
      const anchor = n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
      parts.push(`<text class="axis" x="${x(i).toFixed(1)}" y="${H - 6}" text-anchor="${anchor}">${esc(short(p.label, 10))}</text>`);
    }
  });
  const last = values[n - 1];
  const before = n > 1 ? values[n - 2] : null;
  const delta = last != null && before != null ? Math.round((last - before) * 10) / 10 : null;
  return h('div', { class: 'trend-cell', 'data-figure': key },
    h('div', { class: 'trend-head' }, h('span', {}, t(label)),
      h('b', {}, fmt(last)),
      delta ? h('small', { class: 'muted' }, ` ${delta > 0 ? '+' : ''}${delta}`) : null),
    h('div', { html: `<svg class="chart trend" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(t(label))}">${parts.join('')}</svg>` }));
}

/** The trend card: one small chart per key figure. */
function trendCard(history, picked) {
  return h('section', { class: 'card chg-card', 'data-section': 'trend' },
    h('h2', {}, t('chg.trend')),
    h('div', { class: 'trend-grid', 'data-chart': 'trend' },
      TREND.map(([key, label, colour]) => miniChart(history, key, label, colour, picked))),
    h('p', { class: 'muted small' }, t('chg.trend_note')));
}

/** "a → b", with the difference coloured when `sign` says which way is good. */
function fromTo(a, b, sign = 0, unit = '') {
  const d = b - a;
  const cls = d === 0 || sign === 0 ? '' : (d > 0) === (sign > 0) ? 'up-good' : 'up-bad';
  return h('span', { class: `from-to ${cls}` }, `${a}${unit} → ${b}${unit}`,
    d ? h('small', {}, ` (${d > 0 ? '+' : ''}${d}${unit})`) : null);
}

/** The coverage card: the six figures and the severity coverage at both revisions, overall and by element. */
function coverageCard(names, coverage, csvName) {
  const byElement = (side, el) => (side.by_element.find((x) => x.element === el) || {}).coverage;
  const rows = [{ scope: t('cov.overall'), key: 'overall', a: coverage.from.coverage, b: coverage.to.coverage }];
  for (const el of ELEMENTS) {
    const a = byElement(coverage.from, el), b = byElement(coverage.to, el);
    if (!a && !b) continue;
    const zero = Object.fromEntries(COVERAGE.map((k) => [k, 0]));
    if ((a || zero).needs_total === 0 && (b || zero).needs_total === 0) continue;
    rows.push({ scope: t(`el.${el}`), key: el, a: a || zero, b: b || zero });
  }
  const good = { needs_total: 0, needs_reachable: 1, needs_assigned: 1, severity_total: 0, severity_assigned: 1, tier_cost: 0 };
  const cols = [
    { label: t('col.scope'), value: (r) => r.scope, cls: 'strong' },
    { label: t('cov.percent'), value: (r) => fromTo(coveragePct(r.a), coveragePct(r.b), 1, '%'), cls: 'num' },
    ...COVERAGE.map((k) => ({ label: t(`cov.${k}`), value: (r) => fromTo(r.a[k], r.b[k], good[k]), cls: 'num' })),
  ];
  const header = [t('col.scope'),
    ...[t('cov.percent'), ...COVERAGE.map((k) => t(`cov.${k}`))].flatMap((l) => [`${l}（${names.from}）`, `${l}（${names.to}）`])];
  const csvRows = rows.map((r) => [r.scope,
    coveragePct(r.a), coveragePct(r.b), ...COVERAGE.flatMap((k) => [r.a[k], r.b[k]])]);
  return h('section', { class: 'card chg-card', 'data-section': 'coverage' },
    h('div', { class: 'list-head' },
      h('h2', {}, t('chg.coverage'), h('small', { class: 'muted' }, ` · ${names.from} → ${names.to}`)),
      h('button', { class: 'btn', type: 'button', 'data-csv': 'coverage', onclick: () => downloadCsv(csvName('coverage'), header, csvRows) }, `⬇ ${t('lists.csv')}`)),
    table(cols, rows, { 'data-table': 'coverage' }));
}

/** Column definitions of each change list: [label, cell, csv value]. */
function listColumns(id, linkable) {
  const firmLink = (fid, name) => (linkable(fid)
    ? h('a', { href: `#/chain/${encodeURIComponent(id)}/map/${encodeURIComponent(fid)}` }, name)
    : name);
  const col = (label, value, csv, cls) => ({ label, value, csv: csv || value, cls });
  const idCol = (label, get) => col(label, get, get, 'mono');
  const firm = [
    idCol(t('col.id'), (f) => f.id),
    col(t('col.firm'), (f) => firmLink(f.id, f.name), (f) => f.name),
    col(t('col.role'), (f) => t(`role.${f.role}`)),
    col(t('col.segment'), (f) => f.segment_name || f.segment),
  ];
  const supply = [
    idCol(t('col.supplier_id'), (s) => s.supplier),
    col(t('col.supplier'), (s) => firmLink(s.supplier, s.supplier_name), (s) => s.supplier_name),
    col(t('col.part'), (s) => h('span', { class: 'part' }, s.part), (s) => s.part),
    idCol(t('col.customer_id'), (s) => s.customer),
    col(t('col.customer'), (s) => firmLink(s.customer, s.customer_name), (s) => s.customer_name),
  ];
  const problem = [
    idCol(t('col.id'), (p) => p.id),
    col(t('col.title'), (p) => p.title),
    idCol(t('col.org_id'), (p) => p.org),
    col(t('col.firm'), (p) => firmLink(p.org, p.org_name), (p) => p.org_name),
    col(t('col.category'), (p) => t(`cat.${p.category}`)),
    col(t('col.severity'), (p) => sevBadge(p.severity), (p) => p.severity, 'num'),
    col(t('col.status'), (p) => t(`st.${p.status}`)),
    col(t('col.needs'), (p) => capLabels(p.needs), (p) => capNamesText(p.needs), 'small'),
    { ...idCol(t('col.need_codes'), (p) => p.needs.join(' ')), csvOnly: true },
  ];
  const masters = (list) => list.map((m) => m.name).join('、');
  const masterIds = (list) => list.map((m) => m.id).join(' ');
  const critical = [
    idCol(t('col.id'), (c) => c.id),
    col(t('col.firm'), (c) => firmLink(c.id, c.name), (c) => c.name),
    col(t('col.masters'), (c) => masters(c.disabled_masters)),
    col(t('col.master_ids'), (c) => masterIds(c.disabled_masters), null, 'mono small'),
    col(t('col.disabled'), (c) => c.disabled_count, null, 'num'),
  ];
  const part = [
    idCol(t('col.buyer_id'), (p) => p.buyer),
    col(t('col.buyer'), (p) => firmLink(p.buyer, p.buyer_name), (p) => p.buyer_name),
    col(t('col.part'), (p) => h('span', { class: 'part' }, p.part), (p) => p.part),
    col(t('col.supplier_id'), (p) => p.suppliers.map((s) => s.id).join(' '), null, 'mono small'),
    col(t('col.supplier'), (p) => p.suppliers.map((s) => s.name).join('、')),
  ];
  const before = (x) => t('col.before', { x });
  const after = (x) => t('col.after', { x });
  return {
    firms: {
      joined: firm,
      left: firm,
      changed: [
        idCol(t('col.id'), (f) => f.id),
        col(t('col.firm'), (f) => firmLink(f.id, f.name), (f) => f.name),
        col(before(t('col.role')), (f) => t(`role.${f.from.role}`)),
        col(before(t('col.segment')), (f) => f.from.segment_name || f.from.segment),
        col(after(t('col.role')), (f) => t(`role.${f.to.role}`)),
        col(after(t('col.segment')), (f) => f.to.segment_name || f.to.segment),
      ],
    },
    supplies: { added: supply, removed: supply },
    problems: {
      opened: problem,
      resolved: [...problem, col(t('col.resolution'), (p) => t(`res.${p.resolution}`))],
      changed: [
        idCol(t('col.id'), (p) => p.id),
        col(t('col.title'), (p) => p.title),
        idCol(t('col.org_id'), (p) => p.org),
        col(t('col.firm'), (p) => firmLink(p.org, p.org_name), (p) => p.org_name),
        col(t('col.category'), (p) => t(`cat.${p.category}`)),
        col(t('col.status'), (p) => t(`st.${p.status}`)),
        col(before(t('col.severity')), (p) => p.from.severity, null, 'num'),
        col(after(t('col.severity')), (p) => p.to.severity, null, 'num'),
        col(before(t('col.needs')), (p) => capLabels(p.from.needs), (p) => capNamesText(p.from.needs), 'small'),
        col(after(t('col.needs')), (p) => capLabels(p.to.needs), (p) => capNamesText(p.to.needs), 'small'),
        { ...idCol(before(t('col.need_codes')), (p) => p.from.needs.join(' ')), csvOnly: true },
        { ...idCol(after(t('col.need_codes')), (p) => p.to.needs.join(' ')), csvOnly: true },
      ],
    },
    critical_nodes: {
      appeared: critical,
      disappeared: critical,
      changed: [
        idCol(t('col.id'), (c) => c.id),
        col(t('col.firm'), (c) => firmLink(c.id, c.name), (c) => c.name),
        col(before(t('col.masters')), (c) => masters(c.from.disabled_masters)),
        col(before(t('col.disabled')), (c) => c.from.disabled_count, null, 'num'),
        col(after(t('col.masters')), (c) => masters(c.to.disabled_masters)),
        col(after(t('col.disabled')), (c) => c.to.disabled_count, null, 'num'),
      ],
    },
    single_source_parts: { appeared: part, disappeared: part },
    foreign_only_parts: { appeared: part, disappeared: part },
  };
}

/** One card per kind of change, one compact table per list, each with its CSV download. */
function listCards(id, changes, linkable, csvName) {
  const columns = listColumns(id, linkable);
  return Object.entries(columns).map(([group, lists]) => {
    const total = Object.keys(lists).reduce((n, list) => n + changes[group][list].length, 0);
    return h('section', { class: 'card chg-card', 'data-group': group },
      h('h2', {}, t(`g.${group}`), h('small', { class: 'muted' }, ` · ${t('lists.rows', { n: total })}`)),
      h('div', { class: `chg-lists${group === 'problems' ? '' : ' side-by-side'}` }, Object.entries(lists).map(([list, cols]) => {
        const rows = changes[group][list];
        const key = `${group}-${list}`;
        const csv = () => downloadCsv(csvName(key), cols.map((c) => c.label),
          rows.map((r) => cols.map((c) => {
            const v = c.csv(r);
            return v instanceof Node ? v.textContent : v;
          })));
        return h('div', { class: `chg-list${rows.length ? '' : ' none'}`, 'data-list': key },
          h('div', { class: 'list-head' },
            h('h3', {}, t(`l.${group}.${list}`), h('span', { class: 'count' }, String(rows.length))),
            rows.length ? h('button', { class: 'btn small', type: 'button', 'data-csv': key, onclick: csv }, `⬇ ${t('lists.csv')}`) : null),
          rows.length ? table(cols, rows, { 'data-table': key }) : h('p', { class: 'muted small' }, t('chg.none')));
      })));
  });
}

/** The summary figures, one box per kind of change. */
function summaryBoxes(summary) {
  return h('div', { class: 'chg-summary' }, SUMMARY.map(([group, items]) =>
    h('div', { class: 'sum-box', 'data-summary-group': group },
      h('h3', {}, t(`g.${group}`)),
      h('div', { class: 'sum-items' }, items.map(([list, key, sign]) => {
        const n = summary[key] ?? 0;
        const cls = n === 0 || sign === 0 ? '' : sign > 0 ? 'bad' : 'good';
        return h('div', { class: `sum-item ${cls}`, 'data-summary': key, title: t(`s.${key}`) },
          h('b', {}, String(n)), h('span', {}, t(`l.${group}.${list}`)));
      })))));
}

/** Rings around the firms that changed, drawn over the map's marks. Returns how many are off the map. */
function markChanges(controller, changes) {
  const places = controller.layout.places;
  const rings = [];
  let off = 0;
  const ring = (fid, cls, extra) => {
    const p = places.get(fid);
    if (!p) { off++; return; }
    rings.push(`<circle class="chg-ring ${cls}" data-for="${esc(fid)}" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${(p.r + extra).toFixed(1)}"/>`);
  };
  for (const f of changes.firms.joined) ring(f.id, 'joined', 4);
  for (const f of changes.firms.changed) ring(f.id, 'moved', 4);
  for (const c of changes.critical_nodes.appeared) ring(c.id, 'crit-new', 7.5);
  const left = new Set(changes.firms.left.map((f) => f.id));
  for (const c of changes.critical_nodes.disappeared) if (!left.has(c.id)) ring(c.id, 'crit-gone', 7.5);
  const g = document.createElementNS(NS, 'g');
  g.setAttribute('class', 'chg-marks');
  g.innerHTML = rings.join('');
  controller.svg.querySelector('.marks').after(g);
  return off;
}

function changeLegend() {
  const item = (svg, label) => `<span class="lg"><svg width="24" height="22" viewBox="-12 -11 24 22">${svg}</svg>${esc(label)}</span>`;
  return [
    item('<circle r="4" fill="#9aa5b8"/><circle class="chg-ring joined" r="8"/>', t('lg.joined')),
    item('<circle r="4" fill="#9aa5b8"/><circle class="chg-ring moved" r="8"/>', t('lg.moved')),
    item('<circle r="3" fill="#9aa5b8"/><circle class="chg-ring crit-new" r="9"/>', t('lg.crit_new')),
    item('<circle r="3" fill="#9aa5b8"/><circle class="chg-ring crit-gone" r="9"/>', t('lg.crit_gone')),
  ].join('');
}

/** The map of the later revision with the changes marked, the firms that left beside it. */
function mapCard(map, changes, names) {
  const mapBox = h('div', { class: 'map-box' });
  const panel = h('aside', { class: 'panel closed' });
  const offNote = h('p', { class: 'muted small', 'data-offmap': '' });
  let controller = null;
  const select = (fid) => {
    const firm = fid && controller.firmById.get(fid);
    controller.select(firm ? fid : null);
    panel.classList.toggle('closed', !firm);
    panel.replaceChildren(...(firm ? [firmPanel(map, firm, { onClose: () => select(null) })] : []));
  };
  const left = changes.firms.left;
  const onMap = new Set(map.firms.map((f) => f.id));
  const gone = changes.critical_nodes.disappeared.filter((c) => !onMap.has(c.id));
  const side = h('aside', { class: 'chg-side' },
    h('h3', {}, t('chg.left_list'), h('span', { class: 'count' }, String(left.length))),
    left.length
      ? h('ul', { 'data-left': '' }, left.map((f) => h('li', { 'data-firm': f.id }, h('b', {}, f.name),
        h('div', { class: 'muted small' }, `${f.segment_name || f.segment} · ${t(`role.${f.role}`)}`))))
      : h('p', { class: 'muted small' }, t('chg.none')),
    gone.length ? [h('h3', {}, t('chg.gone_list'), h('span', { class: 'count' }, String(gone.length))),
      h('ul', {}, gone.map((c) => h('li', { 'data-firm': c.id }, h('b', {}, c.name),
        h('div', { class: 'muted small' }, `${t('col.masters')}：${c.disabled_masters.map((m) => m.name).join('、')}`))))] : null,
    offNote);
  const card = h('section', { class: 'card chg-card chg-map', 'data-section': 'map' },
    h('h2', {}, t('chg.map', { label: names.to })),
    h('div', { class: 'legend', html: changeLegend() + legendHtml(false) }),
    h('div', { class: 'chg-map-row' },
      h('div', { class: 'map-layout' }, mapBox, panel),
      side));
  const draw = () => {
    controller = createMap(mapBox, map, { onSelect: select });
    const off = markChanges(controller, changes);
    offNote.textContent = off ? t('chg.offmap', { n: off }) : '';
    controller.svg.dataset.changesMarked = '1';
  };
  return { card, draw };
}

/** The notice shown when there is too little to compare, with how to record a survey. */
function fewSurveys(title = t('chg.few')) {
  const cmd = 'qmap import 文件.json --label "2025年度调查" --replace';
  const [before, after] = t('chg.few.how').split('{cmd}');
  return h('section', { class: 'card chg-card notice', 'data-notice': 'few-surveys' },
    h('h2', {}, title),
    h('p', {}, before, h('code', {}, cmd), after));
}

export async function renderChanges(root, params, ctx) {
  const id = params.id;
  const [me, revisions] = await Promise.all([api.me(), api.revisions()]);
  const planner = me.role === 'planner';
  const enterprise = me.role === 'enterprise';
  // Firm-level readers of the chain (admins, its regulators, demo visitors) get the map too.
  const full = !planner && !enterprise && me.chains.some((c) => c.id === id);
  const wantFrom = revisionParam(params.from);
  const wantTo = revisionParam(params.to);
  const { options, surveys, latest } = pickerOptions(revisions, [wantFrom, wantTo]);
  // Defaults: the latest two surveys; with one survey only, that survey against the current data.
  const to = wantTo ?? (surveys.length >= 2 ? surveys[surveys.length - 1].revision : latest);
  const earlier = [...options].reverse().filter((o) => to != null && o.revision < to);
  const from = wantFrom ?? (earlier.find((o) => o.survey) || earlier[0] || { revision: null }).revision;

  // The current map gives the header (name, chief, coverage, tabs) to those who may read it.
  const current = full ? await cachedMap(id).catch((e) => { if (e.status === 404) return null; throw e; }) : null;
  const chainName = (me.chains.find((c) => c.id === id) || {}).name;
  const plainHead = (name) => h('div', { class: 'chain-head' }, h('div', { class: 'chain-title' }, h('h1', {}, name || id)));
  const pageHead = h('div', { class: 'page-head compact' }, h('h2', {}, t('chg.title')), h('p', { class: 'sub' }, t('chg.sub')));

  if (from == null || to == null) {
    root.append(current ? chainHeader(t, current, 'changes') : plainHead(chainName), pageHead, fewSurveys());
    return;
  }

  const name = (n) => (options.find((o) => o.revision === n) || { label: t('chg.revision', { n }) }).label;
  const go = (a, b) => { location.hash = `#/chain/${encodeURIComponent(id)}/changes/${a}/${b}`; };
  const picker = (which, value) => {
    const select = h('select', { 'data-pick': which },
      options.map((o) => h('option', { value: String(o.revision), selected: o.revision === value }, o.text)));
    select.addEventListener('change', () => (which === 'from' ? go(select.value, to) : go(from, select.value)));
    return select;
  };
  const pickers = h('div', { class: 'toolbar chg-pickers' },
    h('label', {}, t('chg.from'), picker('from', from)),
    h('button', { class: 'btn', type: 'button', 'data-action': 'swap', onclick: () => go(to, from) }, t('chg.swap')),
    h('label', {}, t('chg.to'), picker('to', to)));

  let changes;
  try {
    changes = await api.changes(id, from, to);
  } catch (e) {
    if (e.status !== 404) throw e;
    // An unknown or forgotten revision: say so, and keep the pickers to choose another.
    root.append(current ? chainHeader(t, current, 'changes') : plainHead(chainName), pageHead, pickers,
      h('div', { class: 'error-box', 'data-error': e.code || '' }, h('p', {}, e.message)));
    return;
  }
  if (!ctx.isCurrent()) return;
  const [history, mapTo] = await Promise.all([
    enterprise ? null : api.history(id),
    full && changes.to_exists ? (to === latest && current ? current : api.mapAt(id, to)) : null,
  ]);

  const names = { from: name(from), to: name(to) };
  const picked = new Set([from, to]);
  const csvName = (key) => `${id}-changes-${from}-${to}-${key}.csv`;
  // Names link to the firm on the (current) map view, when it is there.
  const onCurrent = new Set(current ? current.firms.map((f) => f.id) : []);
  const linkable = (fid) => onCurrent.has(fid);

  const notes = [
    from > to ? h('p', { class: 'note' }, t('chg.reversed')) : null,
    !changes.from_exists ? h('p', { class: 'note' }, t('chg.missing_from')) : null,
    !changes.to_exists ? h('p', { class: 'note' }, t('chg.missing_to')) : null,
    planner ? h('p', { class: 'note', 'data-note': 'planner' }, t('chg.planner')) : null,
    enterprise ? h('p', { class: 'note', 'data-note': 'enterprise' }, t('chg.enterprise')) : null,
  ];
  const map = mapTo ? mapCard(mapTo, changes, names) : null;

  root.append(...[
    current ? chainHeader(t, current, 'changes') : plainHead(changes.name || chainName),
    pageHead,
    surveys.length < 2 ? fewSurveys(surveys.length === 1 ? t('chg.one', { label: surveys[0].label }) : t('chg.few')) : null,
    pickers,
    notes,
    h('section', { class: 'card chg-card', 'data-section': 'summary' },
      h('h2', {}, t('chg.summary'), h('small', { class: 'muted' }, ` · ${names.from} → ${names.to}`)),
      summaryBoxes(changes.summary)),
    history && history.length >= 2 ? trendCard(history, picked) : null,
    map ? map.card : null,
    planner ? null : listCards(id, changes, linkable, csvName),
    coverageCard(names, changes.coverage, csvName),
  ].flat(2).filter(Boolean));
  if (map) root.addEventListener('qmap:shown', () => map.draw(), { once: true });
}

// The quality map drawn in SVG: segment columns upstream → downstream, firms as marks coloured by
// risk and sized by importance, the firms of big segments as group cards by risk class (a click
// expands one), supplies routed through the gaps between columns and a lane below them (parallel
// ones bundled), the QI providers in a band of their own, with pan and zoom on the viewBox. The
// layout follows the server's picture (src/render/layout.rs): the same columns, the same label
// placement (most important first, a label that would overlap another is dropped, the firm keeps
// its tooltip) and the same edge routes.
//
// Marks are built as one markup string and inserted at once. Each firm has exactly one element
// with `data-id` (its mark); each group one with `data-group` (its card).

import { t } from './i18n.js';
import { esc, riskColour, short, capName } from './util.js';

export const COLUMN_WIDTH = 200;
const COLUMN_GAP = 48;
const LIST_MAX = 30;
const ROW = 26;
const GRID_HEIGHT = 640;
const GROUP_HEIGHT = 30;
const GROUP_SPACE = 6;
const LABEL_SIZE = 12;
const LABEL_ABOVE = 10;
const LABEL_BELOW = 8;
const HEADER = 58;
const PROVIDER_CELL = 150;
const NS = 'http://www.w3.org/2000/svg';
const EDGE_LIMIT = 4000;
// Providers drawn in the band, the busiest first; the rest are counted in its title.
const PROVIDER_LIMIT = 60;

export const KIND_COLOURS = {
  inspection_center: '#2b7a78', metrology_center: '#3d5a98', standards_body: '#8c5e2a',
  certification_body: '#a23b72', service_station: '#4f8a3c', institute: '#6b5b95', enterprise: '#888888',
};

const CLASS_SCORE = { high: 1, mid: 0.5, low: 0 };

function radius(importance, cap) {
  return Math.min(4 + 2.6 * Math.sqrt(Math.max(0, importance)), cap);
}

/** Estimated width of a label: one em a CJK character, at most 0.62 em an ASCII one. */
export function textWidth(text, size = LABEL_SIZE) {
  let w = 0;
  for (const c of text) w += c.charCodeAt(0) < 128 ? 0.62 * size : size;
  return w;
}

const LIST_LABEL = 144;
const GRID_LABEL = 96;

/** `name` as it fits in `max` pixels at the label size (same as `layout::fit`). */
function fit(name, max) {
  if (textWidth(name) <= max) return name;
  let out = '';
  let w = LABEL_SIZE;
  for (const c of name) {
    w += (c.charCodeAt(0) < 128 ? 0.62 : 1) * LABEL_SIZE;
    if (w > max) break;
    out += c;
  }
  return `${out}…`;
}

const intersects = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Places the labels of `firms`, most important first: beside the mark (right, else left), dropped
 * when it would leave its column, overlap a placed label or (grid columns) cover another mark.
 * The same rule as `render::layout::place_labels`.
 */
function placeLabels(firms, places, columns, listColumns) {
  const order = firms.map((f, i) => i).sort((a, b) => (firms[b].importance - firms[a].importance) || (a - b));
  const placed = columns.map(() => []);
  const marks = columns.map(() => []);
  let rMax = 0;
  for (const f of firms) {
    const p = places.get(f.id);
    if (p && !listColumns[p.column]) { marks[p.column].push(p); rMax = Math.max(rMax, p.r); }
  }
  for (const m of marks) m.sort((a, b) => a.y - b.y);
  const coversMark = (c, rect, own) => {
    const m = marks[c];
    let lo = 0, hi = m.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (m[mid].y < rect.y - rMax) lo = mid + 1; else hi = mid; }
    for (let i = lo; i < m.length && m[i].y <= rect.y + rect.h + rMax; i++) {
      const q = m[i];
      if (q !== own && intersects(rect, { x: q.x - q.r, y: q.y - q.r, w: 2 * q.r, h: 2 * q.r })) return true;
    }
    return false;
  };
  const labels = new Map();
  for (const i of order) {
    const f = firms[i];
    const p = places.get(f.id);
    if (!p) continue;
    const c = p.column;
    const left = columns[c] + 2, right = columns[c] + COLUMN_WIDTH - 2;
    const list = listColumns[c];
    const text = fit(f.name, list ? LIST_LABEL : GRID_LABEL);
    const w = textWidth(text);
    const gap = list ? 16 : p.r + 4;
    for (const [x, end] of [[p.x + gap, false], [p.x - gap, true]]) {
      const rect = { x: end ? x - w - 1 : x - 1, y: p.y - LABEL_ABOVE, w: w + 2, h: LABEL_ABOVE + LABEL_BELOW };
      if (rect.x < left || rect.x + rect.w > right) continue;
      if (placed[c].some((r) => intersects(r, rect)) || coversMark(c, rect, p)) continue;
      placed[c].push(rect);
      p.label = true;
      labels.set(f.id, { text, x, y: p.y + 4, end, rect });
      break;
    }
  }
  return labels;
}

/** Positions of every listed firm and group card: the same rules as `render::layout`. */
export function layout(map, top) {
  const segIndex = new Map(map.chain.segments.map((s, i) => [s.id, i]));
  const n = Math.max(1, map.chain.segments.length);
  const col = (segment) => segIndex.get(segment) ?? n - 1;
  const members = Array.from({ length: n }, () => []);
  for (const f of map.firms) members[col(f.segment)].push(f);
  const cards = Array.from({ length: n }, () => []);
  for (const g of map.groups || []) cards[col(g.segment)].push(g);
  const fullest = Math.max(0, ...members.map((m) => m.length));
  const cell = fullest > LIST_MAX ? Math.min(26, Math.max(6, Math.sqrt((COLUMN_WIDTH * GRID_HEIGHT) / fullest))) : ROW;
  const columns = members.map((_, i) => i * (COLUMN_WIDTH + COLUMN_GAP));
  const places = new Map();
  const groups = new Map();
  let height = ROW;
  members.forEach((list, c) => {
    const left = columns[c];
    const isList = list.length <= LIST_MAX;
    const perRow = isList ? 1 : Math.max(1, Math.floor(COLUMN_WIDTH / cell));
    list.forEach((f, k) => places.set(f.id, isList
      ? { x: left + 16, y: top + ROW * (k + 0.5), r: radius(f.importance, ROW / 2 - 1), label: false, column: c }
      : {
        x: left + cell * ((k % perRow) + 0.5),
        y: top + cell * (Math.floor(k / perRow) + 0.5),
        r: Math.max(1.5, radius(f.importance, cell / 2 - 0.5)),
        label: false,
        column: c,
      }));
    const rows = Math.ceil(list.length / perRow);
    let y = top + (isList ? ROW : cell) * rows + (rows > 0 ? 14 : 0);
    for (const g of cards[c]) {
      groups.set(g.id, { rect: { x: left + 8, y, w: COLUMN_WIDTH - 16, h: GROUP_HEIGHT }, column: c });
      y += GROUP_HEIGHT + GROUP_SPACE;
    }
    height = Math.max(height, y - top);
  });
  const labels = placeLabels(map.firms, places, columns, members.map((m) => m.length <= LIST_MAX));
  const lay = {
    columns, places, groups, labels, members,
    lane: top + height + 14,
    height: height + 28,
    width: columns[columns.length - 1] + COLUMN_WIDTH,
  };
  return lay;
}

/** Where an edge leaves or enters a firm or group: its column and row. */
function port(lay, id) {
  const p = lay.places.get(id);
  if (p) return [p.column, p.y];
  const g = lay.groups.get(id);
  return g ? [g.column, g.rect.y + g.rect.h / 2] : null;
}

/**
 * The path of an edge (same as `Layout::route`): a curve across the gap between neighbouring
 * columns, else down the gap, along the lane and up the gap before the target column.
 */
export function route(lay, from, to) {
  const a = port(lay, from), b = port(lay, to);
  if (!a || !b) return null;
  const x1 = lay.columns[a[0]] + COLUMN_WIDTH, x2 = lay.columns[b[0]];
  const [y1, y2] = [a[1], b[1]];
  if (b[0] === a[0] + 1) {
    const m = COLUMN_GAP / 2;
    return `M${x1.toFixed(1)} ${y1.toFixed(1)}C${(x1 + m).toFixed(1)} ${y1.toFixed(1)} ${(x2 - m).toFixed(1)} ${y2.toFixed(1)} ${x2.toFixed(1)} ${y2.toFixed(1)}`;
  }
  const xo = x1 + COLUMN_GAP * 0.35, xi = x2 - COLUMN_GAP * 0.35;
  return `M${x1.toFixed(1)} ${y1.toFixed(1)}H${xo.toFixed(1)}V${lay.lane.toFixed(1)}H${xi.toFixed(1)}V${y2.toFixed(1)}H${x2.toFixed(1)}`;
}

function diamond(x, y, r) {
  const R = r + 2;
  return `M${x.toFixed(1)} ${(y - R).toFixed(1)}L${(x + R).toFixed(1)} ${y.toFixed(1)}L${x.toFixed(1)} ${(y + R).toFixed(1)}L${(x - R).toFixed(1)} ${y.toFixed(1)}Z`;
}

/**
 * Draws `map` into `container` and returns the controller:
 * select(id), setFilter(pred) → matched count, setDisabled(list | null), showAssignments(on), reset().
 * `onExpand(groupId)` is called when a group card is clicked.
 */
export function createMap(container, map, { onSelect, onExpand, view } = {}) {
  const lay = layout(map, HEADER + 12);
  const firmsBottom = HEADER + 12 + lay.height;
  const perRow = Math.max(1, Math.floor(lay.width / PROVIDER_CELL));
  const providers = map.providers.length <= PROVIDER_LIMIT ? map.providers
    : [...map.providers].sort((a, b) => b.assigned_needs - a.assigned_needs).slice(0, PROVIDER_LIMIT);
  const bandTop = firmsBottom + 34;
  const bandHeight = providers.length ? 40 + Math.ceil(providers.length / perRow) * 30 : 0;
  const width = lay.width;
  const height = bandTop + bandHeight;
  const firmById = new Map(map.firms.map((f) => [f.id, f]));
  const groupById = new Map((map.groups || []).map((g) => [g.id, g]));
  const providerPlace = new Map();
  providers.forEach((p, i) => providerPlace.set(p.id, {
    x: 14 + (i % perRow) * PROVIDER_CELL + 6,
    y: bandTop + 44 + Math.floor(i / perRow) * 30 - 3,
  }));

  const out = [];
  // Columns with their headers and how many of their firms are grouped.
  out.push('<g class="columns">');
  map.chain.segments.forEach((seg, i) => {
    const x = lay.columns[i];
    const total = (map.segments.find((s) => s.id === seg.id) || {}).firms ?? lay.members[i].length;
    const grouped = (map.groups || []).filter((g) => g.segment === seg.id).reduce((n, g) => n + g.firms, 0);
    out.push(`<g class="column" data-segment="${esc(seg.id)}"><rect x="${x}" y="0" width="${COLUMN_WIDTH}" height="${firmsBottom + 14}" rx="10" class="col-bg ${i % 2 ? 'odd' : ''}"/>`
      + `<text x="${x + 12}" y="24" class="col-title">${i + 1}. ${esc(seg.name)}</text>`
      + `<text x="${x + 12}" y="44" class="col-sub">${esc(t('map.firms_in', { n: total }))}${grouped ? ` · <tspan class="grouped-count" data-grouped="${grouped}">${esc(t('map.grouped', { n: grouped }))}</tspan>` : ''}</text></g>`);
    if (i + 1 < map.chain.segments.length) {
      out.push(`<path class="col-arrow" d="M${x + COLUMN_WIDTH + 17} 26l14 0m-5 -5l5 5l-5 5"/>`);
    }
  });
  out.push('</g>');

  // Supplies, routed through the gaps and the lane: parallel ones (same two marks or groups) are
  // one line, wider with the count. Single lines share one path per kind.
  // Past EDGE_LIMIT supplies, ordinary ones would only paint the map grey (and cost seconds to
  // draw): the weak links are kept, the rest are shown on selection.
  const pairs = new Map();
  const busy = map.supplies.length > EDGE_LIMIT;
  const add = (from, to, n, ss, fo) => {
    const key = `${from}\u0000${to}`;
    const c = pairs.get(key) || { from, to, n: 0, ss: 0, fo: 0 };
    c.n += n; c.ss += ss; c.fo += fo;
    pairs.set(key, c);
  };
  for (const s of map.supplies) {
    if (busy && !s.foreign_only && !s.single_source) continue;
    add(s.from, s.to, 1, s.single_source ? 1 : 0, s.foreign_only ? 1 : 0);
  }
  for (const b of map.bundles || []) add(b.from, b.to, b.supplies, b.single_source, b.foreign_only);
  const paths = { plain: [], single: [], foreign: [] };
  const wide = [];
  for (const c of pairs.values()) {
    const d = route(lay, c.from, c.to);
    if (!d) continue;
    const kind = c.fo ? 'foreign' : c.ss ? 'single' : 'plain';
    if (c.n === 1) {
      if (paths[kind].length < EDGE_LIMIT) paths[kind].push(d);
    } else {
      wide.push(`<path class="edge bundle ${kind}" d="${d}" stroke-width="${Math.min(6, 1 + Math.log2(c.n) * 0.7).toFixed(1)}"><title>${esc(t('map.bundle', { n: c.n, ss: c.ss, fo: c.fo }))}</title></path>`);
    }
  }
  out.push(`<g class="edges"><path class="edge plain" d="${paths.plain.join('')}"/><path class="edge single" d="${paths.single.join('')}"/><path class="edge foreign" d="${paths.foreign.join('')}"/>${wide.join('')}</g>`);
  out.push('<g class="highlight"></g>');

  // Group cards.
  const cards = [];
  for (const g of map.groups || []) {
    const q = lay.groups.get(g.id);
    if (!q) continue;
    const r = q.rect;
    const colour = riskColour(CLASS_SCORE[g.risk_class] ?? 0);
    const more = g.loaded ? ` · ${t('map.expand_more')}` : ' ▸';
    cards.push(`<g class="group ${esc(g.risk_class)}" data-group="${esc(g.id)}" data-segment="${esc(g.segment)}"><rect class="group-card" x="${r.x}" y="${r.y.toFixed(1)}" width="${r.w}" height="${r.h}" rx="6" stroke="${colour}"/>`
      + `<rect x="${r.x}" y="${r.y.toFixed(1)}" width="6" height="${r.h}" rx="3" fill="${colour}"/>`
      + `<text class="group-title" x="${r.x + 14}" y="${(r.y + r.h / 2 + 4).toFixed(1)}">${esc(t(`legend.${g.risk_class}`))} ${g.firms} ${esc(t('map.firms_unit'))}${esc(more)}</text>`
      + (g.demand_problems && !g.loaded ? `<text class="group-sub" x="${r.x + r.w - 8}" y="${(r.y + r.h / 2 + 4).toFixed(1)}" text-anchor="end">${esc(t('map.group_problems', { n: g.demand_problems }))}</text>` : '')
      + '</g>');
  }
  out.push(`<g class="groups">${cards.join('')}</g>`);

  // Critical rings, marks, labels (only those placed: a firm without one keeps its tooltip).
  const rings = [], marks = [], labels = [];
  for (const f of map.firms) {
    const p = lay.places.get(f.id);
    if (!p) continue;
    const cls = ['firm', f.role === 'chain_master' && 'master', f.critical && 'critical', f.foreign && 'foreign', f.single_source && 'single-source']
      .filter(Boolean).join(' ');
    const fill = riskColour(f.risk.score);
    if (f.critical) rings.push(`<circle class="crit-ring" data-for="${esc(f.id)}" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${(p.r + (p.r > 6 ? 3 : 1.5)).toFixed(1)}"/>`);
    if (f.role === 'chain_master') {
      marks.push(`<path class="${cls}" data-id="${esc(f.id)}" d="${diamond(p.x, p.y, p.r)}" fill="${fill}"/>`);
    } else {
      marks.push(`<circle class="${cls}" data-id="${esc(f.id)}" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${p.r.toFixed(1)}" fill="${fill}"/>`);
    }
    const l = lay.labels.get(f.id);
    if (l) {
      labels.push(`<text class="label${f.role === 'chain_master' || f.critical ? ' strong' : ''}" data-for="${esc(f.id)}" x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}"${l.end ? ' text-anchor="end"' : ''}>${esc(l.text)}</text>`);
    }
  }
  out.push(`<g class="rings">${rings.join('')}</g><g class="marks">${marks.join('')}</g><g class="labels">${labels.join('')}</g><g class="crosses"></g>`);

  if (providers.length) {
    const more = map.providers.length - providers.length;
    out.push(`<g class="providers"><rect class="band" x="0" y="${bandTop}" width="${width}" height="${bandHeight}" rx="10"/>`
      + `<text class="band-title" x="12" y="${bandTop + 24}">${esc(t('map.providers', { n: map.providers.length }))}${more ? ` · ${esc(t('map.hidden', { n: more }))}` : ''}</text>`);
    for (const p of providers) {
      const q = providerPlace.get(p.id);
      out.push(`<g class="provider" data-provider="${esc(p.id)}"><rect x="${q.x - 6}" y="${q.y - 6}" width="12" height="12" rx="2" fill="${KIND_COLOURS[p.kind] || '#777'}"/>`
        + `<text x="${q.x + 12}" y="${q.y + 4}">${esc(short(p.name, 10))}</text>`
        + `<text class="assigned-count" x="${q.x + 12 + Math.min(10, Array.from(p.name).length) * 11 + 4}" y="${q.y + 4}">${p.assigned_needs ? esc(t('map.assigned_n', { n: p.assigned_needs })) : ''}</text></g>`);
    }
    out.push('</g>');
  }

  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'map-svg');
  svg.setAttribute('id', 'map');
  svg.setAttribute('preserveAspectRatio', 'xMinYMin meet');
  svg.setAttribute('data-firms', String(map.firms.length));
  if (busy) svg.setAttribute('data-edges', 'weak-links-only');
  svg.innerHTML = out.join('');
  container.replaceChildren(svg);

  const markEl = new Map();
  for (const el of svg.querySelectorAll('.marks [data-id]')) markEl.set(el.dataset.id, el);
  const labelEl = new Map();
  for (const el of svg.querySelectorAll('.labels [data-for]')) labelEl.set(el.dataset.for, el);
  const ringEl = new Map();
  for (const el of svg.querySelectorAll('.rings [data-for]')) ringEl.set(el.dataset.for, el);
  const highlight = svg.querySelector('.highlight');

  // Pan and zoom on the viewBox.
  const full = { x: -16, y: -10, w: width + 32, h: height + 20 };
  // Start wide enough to read: fill the box's width unless that would hide most of the height.
  const box = { w: container.clientWidth || 1200, h: container.clientHeight || 700 };
  const scale = Math.min(box.w / full.w, (1.4 * box.h) / full.h);
  const start = { x: full.x, y: full.y, w: box.w / scale, h: box.h / scale };
  if (start.w > full.w) start.x -= (start.w - full.w) / 2;
  // A redraw (a group expanded) keeps the view where the user had it.
  let vb = view ? { ...view } : { ...start };
  const apply = () => svg.setAttribute('viewBox', `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
  apply();
  const toSvg = (clientX, clientY) => {
    const m = svg.getScreenCTM();
    if (!m) return { x: vb.x + vb.w / 2, y: vb.y + vb.h / 2 };
    const pt = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
    return { x: pt.x, y: pt.y };
  };
  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    const k = Math.exp(Math.max(-1, Math.min(1, e.deltaY / 300)));
    const w = Math.min(full.w * 4, Math.max(full.w / 40, vb.w * k));
    const f = w / vb.w;
    const p = toSvg(e.clientX, e.clientY);
    vb = { x: p.x - (p.x - vb.x) * f, y: p.y - (p.y - vb.y) * f, w, h: vb.h * f };
    apply();
  }, { passive: false });
  let drag = null;
  let dragged = false;
  svg.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vb: { ...vb }, scale: (svg.getScreenCTM() || { a: 1 }).a || 1 };
    dragged = false;
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.hypot(dx, dy) < 4) return;
    if (!dragged) svg.setPointerCapture(e.pointerId);
    dragged = true;
    svg.classList.add('dragging');
    vb = { ...drag.vb, x: drag.vb.x - dx / drag.scale, y: drag.vb.y - dy / drag.scale };
    apply();
  });
  const endDrag = () => { drag = null; svg.classList.remove('dragging'); };
  svg.addEventListener('pointerup', endDrag);
  svg.addEventListener('pointercancel', endDrag);

  // Clicks and tooltips by delegation: one listener for any number of firms.
  svg.addEventListener('click', (e) => {
    if (dragged) { dragged = false; return; }
    const group = e.target.closest('[data-group]');
    if (group && onExpand) { onExpand(group.dataset.group); return; }
    const el = e.target.closest('[data-id]');
    if (el && onSelect) onSelect(el.dataset.id);
  });
  const tip = document.getElementById('tooltip');
  svg.addEventListener('pointerover', (e) => {
    const el = e.target.closest('[data-id], [data-provider], [data-group]');
    if (!el || !tip) return;
    if (el.dataset.group) {
      const g = groupById.get(el.dataset.group);
      const seg = map.chain.segments.find((s) => s.id === g.segment);
      tip.innerHTML = `<b>${esc(seg ? seg.name : g.segment)} · ${esc(t(`legend.${g.risk_class}`))} ${g.firms} ${esc(t('map.firms_unit'))}</b><br>${esc(t('map.group_tip', { foreign: g.foreign, critical: g.critical, single: g.single_source, problems: g.demand_problems, mean: g.mean_risk.toFixed(2), max: g.max_risk.toFixed(2) }))}<br>${esc(t('map.group_click'))}`;
    } else if (el.dataset.id) {
      const f = firmById.get(el.dataset.id);
      const seg = map.chain.segments.find((s) => s.id === f.segment);
      tip.innerHTML = `<b>${esc(f.name)}</b><br>${esc(seg ? seg.name : f.segment)} · ${esc(t(`role.${f.role}`))}${f.foreign ? ` · ${esc(t('panel.foreign'))} ${esc(f.country || '')}` : ''}<br>${esc(t('panel.risk'))} ${f.risk.score.toFixed(2)}${f.critical ? ` · ${esc(t('legend.critical'))}` : ''}`;
    } else {
      const p = map.providers.find((x) => x.id === el.dataset.provider);
      const caps = p.capabilities.map((c) => capName(c.code)).join('、');
      tip.innerHTML = `<b>${esc(p.name)}</b><br>${esc(t(`kind.${p.kind}`))} · ${esc(t(`lv.${p.level}`))} · ${esc(p.region_name || p.region)}${caps ? `<br>${esc(t('panel.capabilities'))}：${esc(caps)}` : ''}`;
    }
    tip.hidden = false;
    tip.style.left = `${e.clientX + 14}px`;
    tip.style.top = `${e.clientY + 14}px`;
  });
  svg.addEventListener('pointerout', () => { if (tip) tip.hidden = true; });

  let selected = null;
  const controller = {
    svg,
    firmById,
    layout: lay,
    /** Highlights a firm, its supplies, its evidence path and its QI assignments (this firm's only). */
    select(id) {
      if (selected) markEl.get(selected)?.classList.remove('selected');
      selected = id && markEl.has(id) ? id : null;
      const parts = [];
      if (selected) {
        markEl.get(selected).classList.add('selected');
        const me = lay.places.get(selected);
        for (const s of map.supplies) {
          if (s.from !== selected && s.to !== selected) continue;
          const d = route(lay, s.from, s.to);
          if (d) parts.push(`<path class="hl ${s.from === selected ? 'out' : 'in'}" d="${d}"/>`);
        }
        const f = firmById.get(selected);
        let from = selected;
        for (const step of f.evidence || []) {
          const d = route(lay, from, step.buyer);
          if (!d) break;
          parts.push(`<path class="hl evidence" d="${d}"/>`);
          from = step.buyer;
        }
        for (const p of map.problems) {
          if (p.org !== selected) continue;
          for (const need of p.needs) {
            const q = need.assigned && providerPlace.get(need.assigned);
            if (q) parts.push(`<path class="hl assigned" d="M${q.x} ${q.y}L${me.x} ${me.y}"/>`);
          }
        }
      }
      highlight.innerHTML = parts.join('');
    },
    /** Dims firms that do not match; returns how many match (all when `pred` is null). */
    setFilter(pred, segment) {
      let matched = 0;
      for (const f of map.firms) {
        const on = !pred || pred(f);
        if (on) matched++;
        markEl.get(f.id)?.classList.toggle('dim', !on);
        labelEl.get(f.id)?.classList.toggle('dim', !on);
        ringEl.get(f.id)?.classList.toggle('dim', !on);
      }
      for (const el of svg.querySelectorAll('.groups [data-group]')) {
        el.classList.toggle('dim', !!(pred && segment !== undefined && segment !== null && segment !== '' && el.dataset.segment !== segment));
      }
      svg.classList.toggle('filtered', !!pred);
      return matched;
    },
    /** Marks the firms a scenario disables (`[{id, failed, master}]`), or clears them. */
    setDisabled(list) {
      const crosses = [];
      const byId = new Map((list || []).map((d) => [d.id, d]));
      for (const [id, el] of markEl) {
        const d = byId.get(id);
        el.classList.toggle('disabled', !!d);
        el.classList.toggle('failed', !!(d && d.failed));
        labelEl.get(id)?.classList.toggle('disabled', !!d);
        if (d && d.failed) {
          const p = lay.places.get(id);
          const r = p.r + 1;
          crosses.push(`M${p.x - r} ${p.y - r}L${p.x + r} ${p.y + r}M${p.x + r} ${p.y - r}L${p.x - r} ${p.y + r}`);
        }
      }
      svg.querySelector('.crosses').innerHTML = crosses.length ? `<path class="cross" d="${crosses.join('')}"/>` : '';
      svg.classList.toggle('scenario', !!list);
    },
    /** Shows, per provider, how many of the chain's needs it is assigned (the lines are drawn
     * for the selected firm only). */
    showAssignments(on) { svg.classList.toggle('show-assigned', !!on); },
    reset() { vb = { ...start }; apply(); },
    /** The current viewBox, to redraw at the same place. */
    view() { return { ...vb }; },
  };
  return controller;
}

/** The legend of the map, as HTML. */
export function legendHtml(withScenario) {
  const item = (svg, label) => `<span class="lg"><svg width="22" height="18" viewBox="-11 -9 22 18">${svg}</svg>${esc(label)}</span>`;
  return [
    item(`<circle r="6" fill="${riskColour(0)}"/>`, t('legend.low')),
    item(`<circle r="6" fill="${riskColour(0.5)}"/>`, t('legend.mid')),
    item(`<circle r="6" fill="${riskColour(1)}"/>`, t('legend.high')),
    item(`<path d="${diamond(0, 0, 5)}" fill="${riskColour(0.5)}" stroke="#14213d" stroke-width="2"/>`, t('legend.master')),
    item(`<circle r="4" fill="${riskColour(0)}"/><circle r="7" fill="none" stroke="#b3261e" stroke-width="2"/>`, t('legend.critical')),
    item(`<circle r="6" fill="${riskColour(0)}" stroke="#7b4fc9" stroke-width="1.6" stroke-dasharray="3 2"/>`, t('legend.foreign')),
    item('<path d="M-10 0h20" stroke="#8a9ab5" stroke-width="1.5"/>', t('legend.supply')),
    item('<path d="M-10 0h20" stroke="#e07b1a" stroke-width="2.2"/>', t('legend.single')),
    item('<path d="M-10 0h20" stroke="#7b4fc9" stroke-width="2.2" stroke-dasharray="5 3"/>', t('legend.foreign_only')),
    item('<path d="M-10 0h20" stroke="#1d8a6f" stroke-width="1.5" stroke-dasharray="2 2"/>', t('legend.assign')),
    item('<rect x="-10" y="-6" width="20" height="12" rx="3" fill="#fff" stroke="#d64541" stroke-width="1.5"/><rect x="-10" y="-6" width="4" height="12" rx="2" fill="#d64541"/>', t('legend.group')),
    withScenario ? item('<circle r="6" fill="#c5cad3"/><path d="M-5 -5L5 5M5 -5L-5 5" stroke="#14213d" stroke-width="1.6"/>', t('legend.disabled')) : '',
    `<span class="lg muted">${esc(t('legend.size'))}</span>`,
  ].join('');
}

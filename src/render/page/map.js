// The quality map drawn in SVG: segment columns upstream → downstream, firms as marks coloured by
// risk and sized by importance, supplies as edges, the QI providers in a band of their own, with
// pan and zoom on the viewBox. The layout follows the server's picture (src/render/layout.rs).
//
// Marks are built as one markup string and inserted at once: a 20,000-firm chain is drawn in
// well under a second. Each firm has exactly one element with `data-id` (its mark).

import { t } from './i18n.js';
import { esc, riskColour, short, capName } from './util.js';

export const COLUMN_WIDTH = 200;
const COLUMN_GAP = 22;
const LIST_MAX = 30;
const ROW = 26;
const GRID_HEIGHT = 640;
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

function radius(importance, cap) {
  return Math.min(4 + 2.6 * Math.sqrt(Math.max(0, importance)), cap);
}

/** Positions of every listed firm: the same rules as `render::layout`. */
export function layout(map, top) {
  const segIndex = new Map(map.chain.segments.map((s, i) => [s.id, i]));
  const n = Math.max(1, map.chain.segments.length);
  const members = Array.from({ length: n }, () => []);
  for (const f of map.firms) members[segIndex.get(f.segment) ?? n - 1].push(f);
  const fullest = Math.max(0, ...members.map((m) => m.length));
  const cell = fullest > LIST_MAX ? Math.min(26, Math.max(6, Math.sqrt((COLUMN_WIDTH * GRID_HEIGHT) / fullest))) : ROW;
  const columns = members.map((_, i) => i * (COLUMN_WIDTH + COLUMN_GAP));
  const places = new Map();
  let height = ROW;
  members.forEach((list, c) => {
    const left = columns[c];
    if (list.length <= LIST_MAX) {
      list.forEach((f, row) => places.set(f.id, { x: left + 16, y: top + ROW * (row + 0.5), r: radius(f.importance, ROW / 2 - 1), label: true }));
      height = Math.max(height, ROW * list.length);
    } else {
      const perRow = Math.max(1, Math.floor(COLUMN_WIDTH / cell));
      list.forEach((f, k) => places.set(f.id, {
        x: left + cell * ((k % perRow) + 0.5),
        y: top + cell * (Math.floor(k / perRow) + 0.5),
        r: Math.max(1.5, radius(f.importance, cell / 2 - 0.5)),
        label: false,
      }));
      height = Math.max(height, cell * Math.ceil(list.length / perRow));
    }
  });
  return { columns, places, height, width: columns[columns.length - 1] + COLUMN_WIDTH, members };
}

function curve(a, b) {
  const dx = Math.max(30, Math.abs(b.x - a.x) / 2);
  return `M${a.x.toFixed(1)} ${a.y.toFixed(1)}C${(a.x + dx).toFixed(1)} ${a.y.toFixed(1)} ${(b.x - dx).toFixed(1)} ${b.y.toFixed(1)} ${b.x.toFixed(1)} ${b.y.toFixed(1)}`;
}

function diamond(x, y, r) {
  const R = r + 2;
  return `M${x.toFixed(1)} ${(y - R).toFixed(1)}L${(x + R).toFixed(1)} ${y.toFixed(1)}L${x.toFixed(1)} ${(y + R).toFixed(1)}L${(x - R).toFixed(1)} ${y.toFixed(1)}Z`;
}

/**
 * Draws `map` into `container` and returns the controller:
 * select(id), setFilter(pred) → matched count, setDisabled(list | null), showAssignments(on), reset().
 */
export function createMap(container, map, { onSelect } = {}) {
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
  const providerPlace = new Map();
  providers.forEach((p, i) => providerPlace.set(p.id, {
    x: 14 + (i % perRow) * PROVIDER_CELL + 6,
    y: bandTop + 44 + Math.floor(i / perRow) * 30 - 3,
  }));

  const out = [];
  // Columns with their headers and hidden-firm totals.
  out.push('<g class="columns">');
  map.chain.segments.forEach((seg, i) => {
    const x = lay.columns[i];
    const total = (map.segments.find((s) => s.id === seg.id) || {}).firms ?? lay.members[i].length;
    const hidden = Math.max(0, total - lay.members[i].length);
    out.push(`<g class="column" data-segment="${esc(seg.id)}"><rect x="${x}" y="0" width="${COLUMN_WIDTH}" height="${firmsBottom + 14}" rx="10" class="col-bg ${i % 2 ? 'odd' : ''}"/>`
      + `<text x="${x + 12}" y="24" class="col-title">${i + 1}. ${esc(seg.name)}</text>`
      + `<text x="${x + 12}" y="44" class="col-sub">${esc(t('map.firms_in', { n: total }))}${hidden ? ` · <tspan class="hidden-count" data-hidden="${hidden}">${esc(t('map.hidden', { n: hidden }))}</tspan>` : ''}</text></g>`);
    if (i + 1 < map.chain.segments.length) {
      out.push(`<path class="col-arrow" d="M${x + COLUMN_WIDTH + 5} 26l14 0m-5 -5l5 5l-5 5"/>`);
    }
  });
  out.push('</g>');

  // Supplies: one path per kind.
  // Past EDGE_LIMIT supplies, ordinary ones would only paint the map grey (and cost seconds to
  // draw): the weak links are kept, the rest are shown on selection.
  const paths = { plain: [], single: [], foreign: [] };
  const busy = map.supplies.length > EDGE_LIMIT;
  for (const s of map.supplies) {
    if (busy && !s.foreign_only && !s.single_source) continue;
    const a = lay.places.get(s.from), b = lay.places.get(s.to);
    if (!a || !b) continue;
    const list = s.foreign_only ? paths.foreign : s.single_source ? paths.single : paths.plain;
    if (list.length < (busy ? EDGE_LIMIT / 4 : EDGE_LIMIT)) list.push(curve(a, b));
  }
  out.push(`<g class="edges"><path class="edge plain" d="${paths.plain.join('')}"/><path class="edge single" d="${paths.single.join('')}"/><path class="edge foreign" d="${paths.foreign.join('')}"/></g>`);

  // Assignment lines provider → firm, shown on demand.
  const assign = [];
  for (const p of map.problems) {
    const f = lay.places.get(p.org);
    for (const need of p.needs) {
      const q = need.assigned && providerPlace.get(need.assigned);
      if (f && q) assign.push(`M${q.x.toFixed(1)} ${q.y.toFixed(1)}L${f.x.toFixed(1)} ${f.y.toFixed(1)}`);
    }
  }
  out.push(`<g class="assignments" display="none"><path class="assign" d="${assign.join('')}"/></g>`);
  out.push('<g class="highlight"></g>');

  // Critical rings, marks, labels.
  const rings = [], marks = [], labels = [];
  for (const f of map.firms) {
    const p = lay.places.get(f.id);
    if (!p) continue;
    const cls = ['firm', f.role === 'chain_master' && 'master', f.critical && 'critical', f.foreign && 'foreign', f.single_source && 'single-source']
      .filter(Boolean).join(' ');
    const fill = riskColour(f.risk.score);
    if (f.critical) rings.push(`<circle class="crit-ring" data-for="${esc(f.id)}" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${(p.r + (p.label ? 3 : 1.5)).toFixed(1)}"/>`);
    if (f.role === 'chain_master') {
      marks.push(`<path class="${cls}" data-id="${esc(f.id)}" d="${diamond(p.x, p.y, p.r)}" fill="${fill}"/>`);
    } else {
      marks.push(`<circle class="${cls}" data-id="${esc(f.id)}" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${p.r.toFixed(1)}" fill="${fill}"/>`);
    }
    if (p.label) {
      labels.push(`<text class="label${f.role === 'chain_master' || f.critical ? ' strong' : ''}" data-for="${esc(f.id)}" x="${(p.x + 16).toFixed(1)}" y="${(p.y + 4).toFixed(1)}">${esc(short(f.name, 12))}</text>`);
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
        + `<text x="${q.x + 12}" y="${q.y + 4}">${esc(short(p.name, 10))}</text></g>`);
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
  const assignments = svg.querySelector('.assignments');

  // Pan and zoom on the viewBox.
  const full = { x: -16, y: -10, w: width + 32, h: height + 20 };
  // Start wide enough to read: fill the box's width unless that would hide most of the height.
  const box = { w: container.clientWidth || 1200, h: container.clientHeight || 700 };
  const scale = Math.min(box.w / full.w, (1.4 * box.h) / full.h);
  const start = { x: full.x, y: full.y, w: box.w / scale, h: box.h / scale };
  if (start.w > full.w) start.x -= (start.w - full.w) / 2;
  let vb = { ...start };
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
    const el = e.target.closest('[data-id]');
    if (el && onSelect) onSelect(el.dataset.id);
  });
  const tip = document.getElementById('tooltip');
  svg.addEventListener('pointerover', (e) => {
    const el = e.target.closest('[data-id], [data-provider]');
    if (!el || !tip) return;
    if (el.dataset.id) {
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
    /** Highlights a firm, its supplies, its evidence path and its QI assignments. */
    select(id) {
      if (selected) markEl.get(selected)?.classList.remove('selected');
      selected = id && markEl.has(id) ? id : null;
      const parts = [];
      if (selected) {
        markEl.get(selected).classList.add('selected');
        const me = lay.places.get(selected);
        for (const s of map.supplies) {
          if (s.from !== selected && s.to !== selected) continue;
          const a = lay.places.get(s.from), b = lay.places.get(s.to);
          if (a && b) parts.push(`<path class="hl ${s.from === selected ? 'out' : 'in'}" d="${curve(a, b)}"/>`);
        }
        const f = firmById.get(selected);
        let from = me;
        for (const step of f.evidence || []) {
          const to = lay.places.get(step.buyer);
          if (!to) break;
          parts.push(`<path class="hl evidence" d="${curve(from, to)}"/>`);
          from = to;
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
    setFilter(pred) {
      let matched = 0;
      for (const f of map.firms) {
        const on = !pred || pred(f);
        if (on) matched++;
        markEl.get(f.id)?.classList.toggle('dim', !on);
        labelEl.get(f.id)?.classList.toggle('dim', !on);
        ringEl.get(f.id)?.classList.toggle('dim', !on);
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
    showAssignments(on) { assignments.setAttribute('display', on ? 'inline' : 'none'); },
    reset() { vb = { ...start }; apply(); },
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
    withScenario ? item('<circle r="6" fill="#c5cad3"/><path d="M-5 -5L5 5M5 -5L-5 5" stroke="#14213d" stroke-width="1.6"/>', t('legend.disabled')) : '',
    `<span class="lg muted">${esc(t('legend.size'))}</span>`,
  ].join('');
}

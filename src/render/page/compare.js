// Planners' comparison: one row per chain, and SVG bar charts of coverage per QI element.

import { t, ELEMENTS } from './i18n.js';
import { api } from './api.js';
import { h, table, esc, coveragePct, coverageColour, asOfLine } from './util.js';

const PALETTE = ['#3d5a98', '#2b9c8f', '#d9822b', '#a23b72', '#6b5b95', '#4f8a3c', '#b85450'];

/** Grouped bars: one group per QI element, one bar per series (chains, then the dataset). */
function groupedChart(series) {
  const W = 860, H = 300, left = 44, bottom = 40, top = 16;
  const plotH = H - top - bottom;
  const groupW = (W - left - 10) / ELEMENTS.length;
  const barW = Math.min(26, (groupW - 18) / series.length);
  const parts = [];
  for (let g = 0; g <= 100; g += 25) {
    const y = top + plotH * (1 - g / 100);
    parts.push(`<line x1="${left}" x2="${W - 10}" y1="${y}" y2="${y}" class="grid"/><text x="${left - 6}" y="${y + 4}" class="axis" text-anchor="end">${g}%</text>`);
  }
  ELEMENTS.forEach((el, gi) => {
    const gx = left + gi * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, si) => {
      const row = s.byElement.find((x) => x.element === el);
      if (!row || row.coverage.needs_total === 0) return;
      const p = coveragePct(row.coverage);
      const bh = (plotH * p) / 100;
      const x = gx + si * barW;
      parts.push(`<rect class="bar" data-series="${esc(s.id)}" data-element="${el}" x="${x.toFixed(1)}" y="${(top + plotH - bh).toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${bh.toFixed(1)}" rx="2" fill="${s.colour}"><title>${esc(s.name)} · ${esc(t(`el.${el}`))}: ${p}% (${row.coverage.severity_assigned}/${row.coverage.severity_total})</title></rect>`);
      if (barW >= 18) parts.push(`<text x="${(x + (barW - 3) / 2).toFixed(1)}" y="${(top + plotH - bh - 4).toFixed(1)}" class="val" text-anchor="middle">${p}</text>`);
    });
    parts.push(`<text x="${(left + gi * groupW + groupW / 2).toFixed(1)}" y="${H - bottom + 20}" class="axis label" text-anchor="middle">${esc(t(`el.${el}`))}</text>`);
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(t('cmp.by_element'))}">${parts.join('')}</svg>`;
}

/** Horizontal bars of overall coverage, one per chain. */
function overallChart(rows) {
  const W = 420, rowH = 34, left = 120;
  const H = rows.length * rowH + 10;
  const parts = rows.map((r, i) => {
    const p = coveragePct(r.coverage);
    const y = 6 + i * rowH;
    const w = ((W - left - 50) * p) / 100;
    return `<text x="${left - 8}" y="${y + 18}" text-anchor="end" class="axis label">${esc(r.name)}</text>`
      + `<rect x="${left}" y="${y + 4}" width="${W - left - 50}" height="20" rx="4" class="track"/>`
      + `<rect class="bar" data-series="${esc(r.id)}" x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="20" rx="4" fill="${coverageColour(p)}"/>`
      + `<text x="${(left + w + 6).toFixed(1)}" y="${y + 19}" class="val">${p}%</text>`;
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img">${parts.join('')}</svg>`;
}

export async function renderCompare(root, params, ctx) {
  const [cmp, me] = await Promise.all([api.comparison(), api.me()]);
  // Right after a write the figures may be an earlier revision's: said so, and shown anew once
  // the current ones are computed.
  const line = asOfLine(t, [cmp], async () => [await api.comparison()],
    ([now]) => root.replaceChildren(...compareNodes(now, me)), ctx);
  const [head, ...rest] = compareNodes(cmp, me);
  root.append(head, ...(line ? [line] : []), ...rest);
}

/** The comparison's heading, table and charts. */
function compareNodes(cmp, me) {
  // A chain's name opens its map for its firm-level readers, its changes (figures only) for
  // the others (a planner): no link leads to a refusal.
  const chainHref = (id) => `#/chain/${encodeURIComponent(id)}${me.chains.some((c) => c.id === id) ? '' : '/changes'}`;
  const rows = [...cmp.chains].sort((a, b) => coveragePct(a.coverage) - coveragePct(b.coverage));
  const series = [
    ...rows.map((r, i) => ({ id: r.id, name: r.name, byElement: r.by_element, colour: PALETTE[i % PALETTE.length] })),
    { id: '__dataset', name: t('cmp.dataset'), byElement: cmp.dataset_by_element, colour: '#9aa5b8' },
  ];
  const covCell = (c) => {
    const p = coveragePct(c);
    return h('span', { class: 'cov-cell' }, h('span', { class: 'cov-dot', style: `background:${coverageColour(p)}` }), `${p}%`);
  };
  const elementCols = ELEMENTS.map((el) => ({
    label: t(`el.${el}`),
    cls: 'num',
    value: (r) => {
      const row = r.by_element.find((x) => x.element === el);
      return row && row.coverage.needs_total ? covCell(row.coverage) : '—';
    },
  }));
  const cols = [
    { label: t('col.chain'), value: (r) => h('a', { href: chainHref(r.id) }, r.name) },
    { label: t('kpi.firms'), value: (r) => r.firms, cls: 'num' },
    { label: t('kpi.masters'), value: (r) => r.masters, cls: 'num' },
    { label: t('kpi.problems'), value: (r) => r.demand_problems, cls: 'num' },
    { label: t('kpi.critical'), value: (r) => r.critical_nodes, cls: 'num' },
    { label: t('kpi.single'), value: (r) => r.single_source_parts, cls: 'num' },
    { label: t('kpi.foreign_only'), value: (r) => r.foreign_only_parts, cls: 'num' },
    { label: t('kpi.infra_gaps'), value: (r) => r.infrastructure_gaps, cls: 'num' },
    { label: t('kpi.capacity_gaps'), value: (r) => r.capacity_gaps, cls: 'num' },
    { label: t('kpi.coverage'), value: (r) => covCell(r.coverage), cls: 'num strong' },
    ...elementCols,
  ];
  return [
    h('div', { class: 'page-head' }, h('h1', {}, t('cmp.title')), h('p', { class: 'sub' }, t('cmp.sub'))),
    h('section', { class: 'card' }, table(cols, rows, { 'data-table': 'comparison' }),
      h('p', { class: 'muted small' }, `${t('cmp.dataset')}：${t('kpi.coverage')} ${coveragePct(cmp.dataset)}%（${cmp.dataset.severity_assigned}/${cmp.dataset.severity_total}）`)),
    h('div', { class: 'chart-row' },
      h('section', { class: 'card chart-card grow' },
        h('h2', {}, t('cmp.by_element')),
        h('div', { class: 'chart-legend' }, series.map((s) => h('span', { class: 'lg' }, h('i', { style: `background:${s.colour}` }), s.name))),
        h('div', { html: groupedChart(series) }),
        h('p', { class: 'muted small' }, t('cmp.chart_note'))),
      h('section', { class: 'card chart-card' },
        h('h2', {}, t('kpi.coverage')),
        h('div', { html: overallChart(rows) }))),
  ];
}

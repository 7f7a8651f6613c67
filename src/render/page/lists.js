// Gaps with build recommendations, and the three lists (problems, key-project candidates, gaps)
// as tables, each with a CSV download generated in the browser.

import { t } from './i18n.js';
import { api, cachedMap } from './api.js';
import { h, chainHeader, table, downloadCsv, sevBadge, pct } from './util.js';

function section(id, title, count, onCsv, ...body) {
  return h('section', { class: 'card list-card', id: `list-${id}`, 'data-list': id },
    h('div', { class: 'list-head' },
      h('h2', {}, title, h('small', { class: 'muted' }, ` · ${t('lists.rows', { n: count })}`)),
      onCsv ? h('button', { class: 'btn', type: 'button', 'data-csv': id, onclick: onCsv }, `⬇ ${t('lists.csv')}`) : null),
    ...body);
}

export async function renderLists(root, params) {
  const id = params.id;
  const [map, problems, projects, gaps] = await Promise.all([
    cachedMap(id), api.allProblems(id), api.projects(id), api.gaps(id),
  ]);
  const segName = new Map(map.chain.segments.map((s) => [s.id, s.name]));
  const firmName = new Map(map.firms.map((f) => [f.id, f.name]));
  const nameOf = (f) => firmName.get(f) || f;

  // Problems (问题清单).
  const problemCols = [
    { label: t('col.id'), value: (p) => p.id, csv: (p) => p.id, cls: 'mono' },
    { label: t('col.firm'), value: (p) => h('a', { href: `#/chain/${encodeURIComponent(id)}/map/${encodeURIComponent(p.org)}` }, p.firm_name), csv: (p) => p.firm_name },
    { label: t('col.segment'), value: (p) => segName.get(p.segment) || p.segment, csv: (p) => segName.get(p.segment) || p.segment },
    { label: t('col.title'), value: (p) => p.title, csv: (p) => p.title },
    { label: t('col.category'), value: (p) => t(`cat.${p.category}`), csv: (p) => t(`cat.${p.category}`) },
    { label: t('col.severity'), value: (p) => sevBadge(p.severity), csv: (p) => p.severity, cls: 'num' },
    { label: t('col.status'), value: (p) => t(`st.${p.status}`), csv: (p) => t(`st.${p.status}`) },
    { label: t('col.needs'), value: (p) => p.needs.join(' '), csv: (p) => p.needs.join(' '), cls: 'mono small' },
  ];

  // Key projects (重点项目清单), the three categories in one list.
  const projectRows = ['common_technology', 'chain_collaboration', 'key_product']
    .flatMap((cat) => (projects[cat] || []).map((p) => ({ ...p, category: cat })));
  const projectCols = [
    { label: t('col.category'), value: (p) => h('span', { class: `tag proj-${p.category}` }, t(`proj.${p.category}`)), csv: (p) => t(`proj.${p.category}`) },
    { label: t('col.title'), value: (p) => p.title, csv: (p) => p.title },
    { label: t('col.firms'), value: (p) => p.firms.map(nameOf).join('、'), csv: (p) => p.firms.map(nameOf).join('、') },
    { label: t('col.problems'), value: (p) => p.problems.length, csv: (p) => p.problems.join(' '), cls: 'num' },
    { label: t('col.severity_sum'), value: (p) => p.severity, csv: (p) => p.severity, cls: 'num' },
    { label: t('col.unserved'), value: (p) => `${Math.round(p.unserved_share * 100)}%`, csv: (p) => `${Math.round(p.unserved_share * 100)}%`, cls: 'num' },
    { label: t('col.score'), value: (p) => p.score.toFixed(1), csv: (p) => p.score, cls: 'num' },
    { label: t('col.candidates'), value: (p) => p.candidates.map((c) => c.name).join('；') || '—', csv: (p) => p.candidates.map((c) => c.name).join('；') },
  ];

  // Gaps (缺口清单): infrastructure and capacity together.
  const gapRows = [
    ...gaps.gaps.infrastructure.map((g) => ({ ...g, type: 'infrastructure' })),
    ...gaps.gaps.capacity.map((g) => ({ ...g, type: 'capacity' })),
  ];
  const gapCols = [
    { label: t('col.gap_type'), value: (g) => h('span', { class: `tag ${g.type === 'infrastructure' ? 'red' : 'amber'}` }, t(`gap.${g.type}`)), csv: (g) => t(`gap.${g.type}`) },
    { label: t('col.code'), value: (g) => h('code', {}, g.code), csv: (g) => g.code },
    { label: t('col.element'), value: (g) => t(`el.${g.element}`), csv: (g) => t(`el.${g.element}`) },
    { label: t('col.needs'), value: (g) => g.needs, csv: (g) => g.needs, cls: 'num' },
    { label: t('col.severity_sum'), value: (g) => g.severity, csv: (g) => g.severity, cls: 'num' },
    { label: t('col.firms'), value: (g) => g.firms.map(nameOf).join('、'), csv: (g) => g.firms.map(nameOf).join('、') },
  ];
  const recCols = [
    { label: t('col.code'), value: (r) => h('code', {}, r.code) },
    { label: t('col.element'), value: (r) => t(`el.${r.element}`) },
    { label: t('col.level'), value: (r) => t(`lv.${r.level}`) },
    { label: t('col.city'), value: (r) => r.city_name || r.city },
    { label: t('col.needs'), value: (r) => r.needs, cls: 'num' },
    { label: t('col.severity_sum'), value: (r) => r.severity, cls: 'num' },
    { label: t('col.firms'), value: (r) => r.firms, cls: 'num' },
  ];

  const csv = (name, cols, rows) => () => downloadCsv(`${id}-${name}.csv`, cols.map((c) => c.label), rows.map((r) => cols.map((c) => c.csv(r))));
  const infraNeeds = gaps.gaps.infrastructure.reduce((s, g) => s + g.needs, 0);
  const capNeeds = gaps.gaps.capacity.reduce((s, g) => s + g.needs, 0);

  root.append(chainHeader(t, map, 'lists'),
    h('nav', { class: 'anchors' },
      [['recs', 'lists.gaps'], ['problems', 'lists.problems'], ['projects', 'lists.projects'], ['gaps', 'lists.gaplist']].map(([k, label]) => h('a', {
        href: `#/chain/${encodeURIComponent(id)}/lists`,
        onclick: (e) => { e.preventDefault(); document.getElementById(`list-${k}`).scrollIntoView({ behavior: 'smooth' }); },
      }, t(label)))),
    section('recs', t('lists.gaps'), gaps.recommendations.length, null,
      h('div', { class: 'gap-summary' },
        h('div', { class: 'gap-box red' }, h('b', {}, infraNeeds), h('span', {}, t('lists.infra'))),
        h('div', { class: 'gap-box amber' }, h('b', {}, capNeeds), h('span', {}, t('lists.capacity'))),
        h('div', { class: 'gap-box' }, h('b', {}, `${pct(map.coverage.needs_reachable, map.coverage.needs_total)}%`), h('span', {}, `${t('kpi.needs')}：${map.coverage.needs_assigned}/${map.coverage.needs_total}`))),
      h('h3', {}, t('lists.recs')),
      table(recCols, gaps.recommendations, { 'data-table': 'recommendations' })),
    section('problems', t('lists.problems'), problems.total, csv('problems', problemCols, problems.problems),
      table(problemCols, problems.problems, { 'data-table': 'problems' })),
    section('projects', t('lists.projects'), projectRows.length, csv('projects', projectCols, projectRows),
      table(projectCols, projectRows, { 'data-table': 'projects' })),
    section('gaps', t('lists.gaplist'), gapRows.length, csv('gaps', gapCols, gapRows),
      table(gapCols, gapRows, { 'data-table': 'gaps' })));
}

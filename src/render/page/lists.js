// The 三清单 (problems with the projects tackling them, key projects with candidates to turn into
// projects, policy tools per gap), the gaps with build recommendations and the chain's innovation
// consortia, as tables, each with a CSV download generated in the browser. What is shown follows
// the role: firm-level readers of the chain see everything; an enterprise sees what the API gives
// it (its own problems, projects and consortia); a planner sees counts, the policy-tool list
// without firms, and the consortia.

import { t } from './i18n.js';
import { api, cachedMap } from './api.js';
import { h, chainHeader, table, downloadCsv, sevBadge, pct, kpi, capLabel, capLabels, capName, capNamesText } from './util.js';

// The sections that the server also gives as a workbook (GET …/lists.xlsx?list=…), by section id;
// the problem list has its own head (and a planner's problem section, figures only, has none).
const XLSX_LISTS = { projects: 'projects', 'policy-tools': 'policy_tools' };
// The chain whose lists are on screen (for the workbook buttons).
let shownChain = null;

function xlsxButton(list) {
  if (!list || !shownChain) return null;
  const chain = shownChain;
  const button = h('button', { class: 'btn', type: 'button', 'data-xlsx': list, title: t('lists.xlsx_hint') }, `⬇ ${t('lists.xlsx')}`);
  button.onclick = () => {
    button.disabled = true;
    api.downloadXlsx(chain, list)
      .catch((e) => alert(e.message))
      .finally(() => { button.disabled = false; });
  };
  return button;
}

function section(id, title, count, onCsv, ...body) {
  return h('section', { class: 'card list-card', id: `list-${id}`, 'data-list': id },
    h('div', { class: 'list-head' },
      h('h2', {}, title, count == null ? null : h('small', { class: 'muted' }, ` · ${t('lists.rows', { n: count })}`)),
      h('span', { class: 'list-downloads' },
        onCsv ? h('button', { class: 'btn', type: 'button', 'data-csv': id, onclick: onCsv }, `⬇ ${t('lists.csv')}`) : null,
        xlsxButton(XLSX_LISTS[id]))),
    ...body);
}

const STATUSES = ['proposed', 'approved', 'in_progress', 'completed', 'cancelled'];
const PROJECT_CATEGORIES = ['common_technology', 'chain_collaboration', 'key_product'];

/** Re-renders the current view (after a write). */
// The disclosure of a problem: a select for those who may set it (the holder, the chain's
// regulators and admins), which saves at once; a label for everyone else.
function disclosureCell(p, me) {
  const level = p.disclosure || 'private';
  const writes = me.writes && (me.role === 'enterprise' ? me.org === p.org : me.role !== 'planner');
  if (!writes) return t(`dis.${level}`);
  const select = h('select', { 'data-disclosure': p.id },
    ['private', 'customers', 'chain'].map((l) => h('option', { value: l, selected: l === level }, t(`dis.${l}`))));
  select.onchange = async () => {
    select.disabled = true;
    try {
      const saved = await api.setDisclosure(p.id, select.value);
      p.disclosure = saved.disclosure;
      select.title = '';
    } catch (err) {
      select.value = level;
      select.title = err.message;
    } finally {
      select.disabled = false;
    }
  };
  return select;
}

function reload() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export async function renderLists(root, params, ctx) {
  const id = params.id;
  shownChain = id;
  const me = await api.me();
  const planner = me.role === 'planner';
  const enterprise = me.role === 'enterprise';
  // Firm-level readers of the chain (admins, its regulators, demo visitors) get the map and gaps.
  const full = !planner && !enterprise && me.chains.some((c) => c.id === id);
  // Others but enterprises (planners, regulators of other chains) read figures only.
  const figures = !full && !enterprise;
  // A list the role may not read is left out rather than shown empty.
  const maybe = (p) => p.catch((e) => { if (e.status === 403) return null; throw e; });
  const [map, problems, candidates, gaps, projects, tools, consortia, untackled, chains] = await Promise.all([
    full ? cachedMap(id) : null,
    figures ? null : api.allProblems(id),
    full ? api.projects(id) : null,
    full ? api.gaps(id) : null,
    maybe(api.chainProjects(id)),
    enterprise ? null : maybe(api.policyTools(id)),
    maybe(api.consortia(id)),
    enterprise ? null : maybe(api.untackled(id)),
    full ? null : api.chains().catch(() => []),
  ]);
  if (ctx && !ctx.isCurrent()) return;
  const chainName = (me.chains.find((c) => c.id === id) || (chains || []).find((c) => c.id === id) || {}).name;
  const segName = new Map(map ? map.chain.segments.map((s) => [s.id, s.name]) : []);
  const firmName = new Map(map ? map.firms.map((f) => [f.id, f.name]) : []);
  for (const c of consortia ? consortia.consortia : []) for (const m of c.members) if (!firmName.has(m.id)) firmName.set(m.id, m.name);
  for (const p of problems ? problems.problems : []) if (!firmName.has(p.org)) firmName.set(p.org, p.firm_name);
  const nameOf = (f) => firmName.get(f) || f;
  const csv = (name, cols, rows) => () => downloadCsv(`${id}-${name}.csv`, cols.map((c) => c.label), rows.map((r) => cols.map((c) => c.csv(r))));
  const projectTag = (p) => h('span', { class: `tag proj-tag proj-st-${p.status}`, 'data-project': p.id, title: `${t(`proj.${p.category}`)} · ${t(`pst.${p.status}`)} · ${p.year}` }, p.title);
  const cards = [];

  // Problems (问题清单) with the projects tackling them; the 未攻关 filter asks the API.
  if (problems) {
    const problemCols = [
      { label: t('col.id'), value: (p) => p.id, csv: (p) => p.id, cls: 'mono' },
      { label: t('col.firm'), value: (p) => (full ? h('a', { href: `#/chain/${encodeURIComponent(id)}/map/${encodeURIComponent(p.org)}` }, p.firm_name) : p.firm_name), csv: (p) => p.firm_name },
      { label: t('col.segment'), value: (p) => segName.get(p.segment) || p.segment, csv: (p) => segName.get(p.segment) || p.segment },
      { label: t('col.title'), value: (p) => p.title, csv: (p) => p.title },
      { label: t('col.category'), value: (p) => t(`cat.${p.category}`), csv: (p) => t(`cat.${p.category}`) },
      { label: t('col.severity'), value: (p) => sevBadge(p.severity), csv: (p) => p.severity, cls: 'num' },
      { label: t('col.status'), value: (p) => t(`st.${p.status}`), csv: (p) => t(`st.${p.status}`) },
      { label: t('col.needs'), value: (p) => capLabels(p.needs), csv: (p) => capNamesText(p.needs), cls: 'small' },
      { label: t('col.need_codes'), csv: (p) => p.needs.join(' '), csvOnly: true },
      // Who may read it: its holder (and the chain's regulators) change it here.
      { label: t('dis.level'), value: (p) => disclosureCell(p, me), csv: (p) => t(`dis.${p.disclosure || 'private'}`) },
      {
        label: t('col.tackled_by'),
        // Completed and cancelled projects are listed too, but only a live one tackles a problem.
        value: (p) => h('span', { class: 'proj-tags' }, p.projects.map(projectTag),
          p.tackled ? null : h('span', { class: 'tag red', 'data-untackled': '' }, t('lists.untackled'))),
        csv: (p) => p.projects.map((x) => `${x.id} ${x.title}`).join('；'),
      },
    ];
    let shown = problems;
    const holder = h('div', {}, table(problemCols, shown.problems, { 'data-table': 'problems' }));
    const rowsLabel = h('small', { class: 'muted', 'data-rows': 'problems' }, ` · ${t('lists.rows', { n: shown.total })}`);
    const box = h('input', { type: 'checkbox', 'data-filter': 'untackled' });
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        shown = box.checked ? await api.allProblemsWhere(id, false) : problems;
        holder.replaceChildren(table(problemCols, shown.problems, { 'data-table': 'problems', 'data-filtered': box.checked ? 'untackled' : null }));
        rowsLabel.textContent = ` · ${t('lists.rows', { n: shown.total })}`;
      } catch (e) {
        holder.replaceChildren(h('p', { class: 'error-text' }, e.message));
      } finally {
        box.disabled = false;
      }
    });
    const counts = untackled ? untackled.counts : null;
    cards.push(h('section', { class: 'card list-card', id: 'list-problems', 'data-list': 'problems' },
      h('div', { class: 'list-head' },
        h('h2', {}, t('lists.problems'), rowsLabel),
        h('label', { class: 'filter-check' }, box, ` ${t('lists.only_untackled')}`),
        h('span', { class: 'list-downloads' },
          h('button', { class: 'btn', type: 'button', 'data-csv': 'problems', onclick: () => csv(box.checked ? 'problems-untackled' : 'problems', problemCols, shown.problems)() }, `⬇ ${t('lists.csv')}`),
          xlsxButton('problems'))),
      counts ? untackledBoxes(counts) : null,
      holder));
  } else if (untackled) {
    cards.push(section('problems', t('lists.problems'), null, null,
      h('p', { class: 'note', 'data-note': 'planner' }, t('lists.planner')), untackledBoxes(untackled.counts)));
  }

  // Key projects (重点项目清单): the recorded projects by status and category, then the candidates.
  const byStatus = projects ? projects.counts.by_status || {} : {};
  const byCategory = projects ? projects.counts.by_category || {} : {};
  const projectCols = [
    { label: t('col.id'), value: (p) => p.id, csv: (p) => p.id, cls: 'mono' },
    { label: t('col.title'), value: (p) => p.title, csv: (p) => p.title },
    { label: t('col.category'), value: (p) => h('span', { class: `tag proj-${p.category}` }, t(`proj.${p.category}`)), csv: (p) => t(`proj.${p.category}`) },
    { label: t('col.status'), value: (p) => h('span', { class: `tag proj-st-${p.status}` }, t(`pst.${p.status}`)), csv: (p) => t(`pst.${p.status}`) },
    { label: t('col.year'), value: (p) => p.year, csv: (p) => p.year, cls: 'num' },
    { label: t('col.lead'), value: (p) => nameOf(p.lead), csv: (p) => nameOf(p.lead) },
    { label: t('col.participants'), value: (p) => p.participants.length, csv: (p) => p.participants.map(nameOf).join('、'), cls: 'num' },
    { label: t('col.problems'), value: (p) => p.problems.length, csv: (p) => p.problems.join(' '), cls: 'num' },
    { label: t('col.level'), value: (p) => (p.level ? t(`plv.${p.level}`) : '—'), csv: (p) => (p.level ? t(`plv.${p.level}`) : '') },
  ];
  const candidateRows = candidates ? PROJECT_CATEGORIES.flatMap((cat) => (candidates[cat] || []).map((p) => ({ ...p, category: cat }))) : [];
  const approve = (p) => {
    const msg = h('span', { class: 'error-text', 'data-error': '' });
    const button = h('button', { class: 'btn primary small', type: 'button', 'data-action': 'approve' }, t('lists.approve'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      msg.textContent = '';
      try {
        await api.createProject(p.draft);
        reload();
      } catch (e) {
        msg.textContent = e.message;
        button.disabled = false;
      }
    });
    return h('span', { class: 'approve' }, button, msg);
  };
  const candidateCols = [
    { label: t('col.category'), value: (p) => h('span', { class: `tag proj-${p.category}` }, t(`proj.${p.category}`)), csv: (p) => t(`proj.${p.category}`) },
    { label: t('col.title'), value: (p) => p.title, csv: (p) => p.title },
    { label: t('col.firms'), value: (p) => p.firms.map(nameOf).join('、'), csv: (p) => p.firms.map(nameOf).join('、') },
    { label: t('col.problems'), value: (p) => p.problems.length, csv: (p) => p.problems.join(' '), cls: 'num' },
    { label: t('col.severity_sum'), value: (p) => p.severity, csv: (p) => p.severity, cls: 'num' },
    { label: t('col.unserved'), value: (p) => `${Math.round(p.unserved_share * 100)}%`, csv: (p) => `${Math.round(p.unserved_share * 100)}%`, cls: 'num' },
    { label: t('col.score'), value: (p) => p.score.toFixed(1), csv: (p) => p.score, cls: 'num' },
    { label: t('col.candidates'), value: (p) => p.candidates.map((c) => c.name).join('；') || '—', csv: (p) => p.candidates.map((c) => c.name).join('；') },
  ];
  // The 立项 column only when the API gave drafts, that is to those who may write the projects.
  if (candidateRows.some((p) => p.draft)) {
    candidateCols.push({ label: t('col.action'), value: (p) => (p.draft ? approve(p) : null), csv: () => '' });
  }
  const candidateCsvCols = candidateCols.filter((c) => c.label !== t('col.action'));
  if (projects) cards.push(section('projects', t('lists.projects'), figures ? null : projects.total, figures ? null : csv('projects', projectCols, projects.projects),
    h('div', { class: 'count-rows' },
      h('div', { class: 'kpis', 'data-counts': 'status' },
        STATUSES.map((st) => h('div', { class: 'kpi', 'data-status': st }, h('b', {}, String(byStatus[st] || 0)), h('span', {}, t(`pst.${st}`))))),
      h('div', { class: 'kpis', 'data-counts': 'category' },
        PROJECT_CATEGORIES.map((c) => h('div', { class: 'kpi', 'data-category': c }, h('b', {}, String(byCategory[c] || 0)), h('span', {}, t(`proj.${c}`)))))),
    figures ? null : (projects.projects.length
      ? table(projectCols, projects.projects, { 'data-table': 'projects' }, (p) => ({ 'data-project': p.id }))
      : h('p', { class: 'muted' }, t('lists.no_projects')))));
  if (candidates) {
    cards.push(section('candidates', t('lists.candidates'), candidateRows.length, csv('candidates', candidateCsvCols, candidateRows),
      h('p', { class: 'muted' }, t('lists.candidates_sub')),
      table(candidateCols, candidateRows, { 'data-table': 'candidates' })));
  }

  // Policy tools (政策工具清单): every gap with the tools that apply; gaps no tool addresses (政策缺口) marked.
  if (tools) {
    const key = (g) => `${g.kind}\u0000${g.code}\u0000${g.region}`;
    const uncovered = new Set(tools.uncovered.map(key));
    const toolCols = [
      { label: t('col.gap_type'), value: (g) => h('span', { class: `tag ${g.kind === 'infrastructure' ? 'red' : 'amber'}` }, t(`gap.${g.kind}`)), csv: (g) => t(`gap.${g.kind}`) },
      { label: t('col.capability'), value: (g) => capLabel(g.code), csv: (g) => capName(g.code) },
      { label: t('col.code'), csv: (g) => g.code, csvOnly: true },
      { label: t('col.element'), value: (g) => t(`el.${g.element}`), csv: (g) => t(`el.${g.element}`) },
      { label: t('col.region'), value: (g) => g.region_name || g.region, csv: (g) => g.region_name || g.region },
      { label: t('col.needs'), value: (g) => g.needs, csv: (g) => g.needs, cls: 'num' },
      { label: t('col.severity_sum'), value: (g) => g.severity, csv: (g) => g.severity, cls: 'num' },
      figures ? null : { label: t('col.firms'), value: (g) => g.firms.map(nameOf).join('、'), csv: (g) => g.firms.map(nameOf).join('、') },
      {
        label: t('col.tools'),
        value: (g) => (uncovered.has(key(g)) || g.tools.length === 0
          ? h('span', { class: 'tag red', 'data-policy-gap': '' }, t('lists.policy_gap'))
          : h('span', { class: 'proj-tags' }, g.tools.map((x) => h('span', { class: 'tag navy', 'data-tool': x.id, title: `${x.issuer} · ${x.year}` }, `${t(`tk.${x.kind}`)}｜${x.title}`)))),
        csv: (g) => (g.tools.length ? g.tools.map((x) => x.title).join('；') : t('lists.policy_gap')),
      },
    ].filter(Boolean);
    const c = tools.counts;
    cards.push(section('policy-tools', t('lists.tools'), tools.gaps.length, csv('policy-tools', toolCols, tools.gaps),
      h('div', { class: 'gap-summary' },
        h('div', { class: 'gap-box' }, h('b', {}, c.covered), h('span', {}, t('lists.tools_covered'))),
        h('div', { class: 'gap-box red' }, h('b', {}, c.uncovered), h('span', {}, t('lists.tools_uncovered'))),
        h('div', { class: 'gap-box' }, h('b', {}, c.tools), h('span', {}, t('lists.tools_count')))),
      table(toolCols, tools.gaps, { 'data-table': 'policy-tools' },
        (g) => (uncovered.has(key(g)) ? { class: 'policy-gap', 'data-uncovered': '' } : {}))));
  }

  // Innovation consortia (质量创新联合体).
  if (consortia) cards.push(consortiaCard(consortia, nameOf, full, csv));

  // Gaps (缺口清单) and build recommendations, for firm-level readers, after the three lists.
  if (gaps) cards.push(...gapCards(gaps, map, nameOf, csv));

  const anchors = cards.map((c) => [c.dataset.list, c.querySelector('h2').firstChild.textContent]);
  root.append(
    full ? chainHeader(t, map, 'lists') : h('div', { class: 'chain-head' }, h('div', { class: 'chain-title' }, h('h1', {}, chainName || id))),
    h('nav', { class: 'anchors' },
      anchors.map(([k, label]) => h('a', {
        href: `#/chain/${encodeURIComponent(id)}/lists`,
        onclick: (e) => { e.preventDefault(); document.getElementById(`list-${k}`).scrollIntoView({ behavior: 'smooth' }); },
      }, label))),
    ...cards);
}

function untackledBoxes(c) {
  return h('div', { class: 'kpis', 'data-counts': 'untackled' },
    kpi(t('unt.problems'), `${c.untackled_problems}/${c.demand_problems}`, c.untackled_problems > 0 ? 'warn' : ''),
    kpi(t('unt.critical'), `${c.untackled_critical_nodes}/${c.critical_nodes}`, c.untackled_critical_nodes > 0 ? 'bad' : ''),
    kpi(t('unt.common'), `${c.untackled_common_needs}/${c.common_needs}`, c.untackled_common_needs > 0 ? 'warn' : ''));
}

function consortiaCard(data, nameOf, full, csv) {
  const cols = [
    { label: t('col.id'), csv: (c) => c.id },
    { label: t('col.name'), csv: (c) => c.name },
    { label: t('col.lead'), csv: (c) => nameOf(c.lead) },
    { label: t('col.founded'), csv: (c) => c.founded },
    { label: t('col.members'), csv: (c) => c.members.map((m) => m.name).join('、') },
    { label: t('con.takeable'), csv: (c) => c.needs_takeable },
    { label: t('con.total'), csv: (c) => c.needs_total },
  ];
  const one = (c) => {
    const kinds = new Map();
    for (const m of c.members) {
      if (!kinds.has(m.kind)) kinds.set(m.kind, []);
      kinds.get(m.kind).push(m);
    }
    const share = pct(c.needs_takeable, c.needs_total);
    return h('article', { class: 'consortium', 'data-consortium': c.id },
      h('h3', {}, c.name, h('small', { class: 'muted' }, ` · ${t('col.founded')} ${c.founded}`)),
      h('p', {}, `${t('col.lead')}：`, h('b', {}, nameOf(c.lead))),
      h('dl', { class: 'members' }, [...kinds].map(([kind, ms]) => [
        h('dt', {}, `${t(`kind.${kind}`)} · ${ms.length}`),
        h('dd', {}, ms.map((m) => h('span', { class: `tag${m.lead ? ' navy' : ''}`, 'data-member': m.id }, m.name))),
      ])),
      h('div', { class: 'con-needs', title: t('con.needs_note') },
        h('span', {}, t('con.needs', { takeable: c.needs_takeable, total: c.needs_total })),
        h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill', style: `width:${c.needs_total ? share : 0}%` }))));
  };
  const uncoveredCount = data.counts.uncovered_critical_nodes;
  return section('consortia', t('lists.consortia'), data.consortia.length, data.consortia.length ? csv('consortia', cols, data.consortia) : null,
    data.consortia.length ? h('div', { class: 'consortia' }, data.consortia.map(one)) : h('p', { class: 'muted' }, t('con.none')),
    h('h3', {}, t('con.uncovered', { n: uncoveredCount, total: data.counts.critical_nodes })),
    full && data.uncovered_critical_nodes.length
      ? h('ul', { class: 'uncovered-nodes' }, data.uncovered_critical_nodes.map((u) => h('li', { 'data-uncovered-node': u.firm.id },
        h('a', { href: `#/chain/${encodeURIComponent(data.chain)}/map/${encodeURIComponent(u.firm.id)}` }, u.firm.name),
        h('small', { class: 'muted' }, ` · ${u.problems.join(' ')}`))))
      : null);
}

function gapCards(gaps, map, nameOf, csv) {
  const gapRows = [
    ...gaps.gaps.infrastructure.map((g) => ({ ...g, type: 'infrastructure' })),
    ...gaps.gaps.capacity.map((g) => ({ ...g, type: 'capacity' })),
  ];
  const gapCols = [
    { label: t('col.gap_type'), value: (g) => h('span', { class: `tag ${g.type === 'infrastructure' ? 'red' : 'amber'}` }, t(`gap.${g.type}`)), csv: (g) => t(`gap.${g.type}`) },
    { label: t('col.capability'), value: (g) => capLabel(g.code), csv: (g) => capName(g.code) },
    { label: t('col.code'), csv: (g) => g.code, csvOnly: true },
    { label: t('col.element'), value: (g) => t(`el.${g.element}`), csv: (g) => t(`el.${g.element}`) },
    { label: t('col.needs'), value: (g) => g.needs, csv: (g) => g.needs, cls: 'num' },
    { label: t('col.severity_sum'), value: (g) => g.severity, csv: (g) => g.severity, cls: 'num' },
    { label: t('col.firms'), value: (g) => g.firms.map(nameOf).join('、'), csv: (g) => g.firms.map(nameOf).join('、') },
  ];
  const recCols = [
    { label: t('col.capability'), value: (r) => capLabel(r.code) },
    { label: t('col.element'), value: (r) => t(`el.${r.element}`) },
    { label: t('col.level'), value: (r) => t(`lv.${r.level}`) },
    { label: t('col.city'), value: (r) => r.city_name || r.city },
    { label: t('col.needs'), value: (r) => r.needs, cls: 'num' },
    { label: t('col.severity_sum'), value: (r) => r.severity, cls: 'num' },
    { label: t('col.firms'), value: (r) => r.firms, cls: 'num' },
  ];
  const infraNeeds = gaps.gaps.infrastructure.reduce((s, g) => s + g.needs, 0);
  const capNeeds = gaps.gaps.capacity.reduce((s, g) => s + g.needs, 0);
  return [
    section('recs', t('lists.gaps'), gaps.recommendations.length, null,
      h('div', { class: 'gap-summary' },
        h('div', { class: 'gap-box red' }, h('b', {}, infraNeeds), h('span', {}, t('lists.infra'))),
        h('div', { class: 'gap-box amber' }, h('b', {}, capNeeds), h('span', {}, t('lists.capacity'))),
        h('div', { class: 'gap-box' }, h('b', {}, `${pct(map.coverage.needs_reachable, map.coverage.needs_total)}%`), h('span', {}, `${t('kpi.needs')}：${map.coverage.needs_assigned}/${map.coverage.needs_total}`))),
      h('h3', {}, t('lists.recs')),
      table(recCols, gaps.recommendations, { 'data-table': 'recommendations' })),
    section('gaps', t('lists.gaplist'), gapRows.length, csv('gaps', gapCols, gapRows),
      table(gapCols, gapRows, { 'data-table': 'gaps' })),
  ];
}

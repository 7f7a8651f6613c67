// The map view of one chain: key figures, filters, the SVG map with pan/zoom, and the side panel
// of the firm clicked. The scenario view reuses `mountMap` and `firmPanel`.

import { t, CATEGORIES } from './i18n.js';
import { api, cachedMap } from './api.js';
import { h, kpi, chainHeader, coveragePct, sevBadge, riskColour, capLabel } from './util.js';
import { createMap, legendHtml } from './map.js';
import { noticeMarks } from './notices.js';

/**
 * Adds one page of a group's firms (`GET …/map/groups/{group}`) to `map`: the firms, their
 * supplies, problems and providers; the group counts what is left, and goes (with its bundled
 * lines) once every firm is drawn.
 */
export function mergeGroupPage(map, page) {
  const known = new Set(map.firms.map((f) => f.id));
  const firms = page.firms.filter((f) => !known.has(f.id));
  map.firms = [...map.firms, ...firms];
  map.firms_shown = map.firms.length;
  map.supplies = [...map.supplies, ...page.supplies.filter((s) => !(known.has(s.from) && known.has(s.to)))];
  const problems = new Set(map.problems.map((p) => p.id));
  map.problems = [...map.problems, ...page.problems.filter((p) => !problems.has(p.id))];
  const providers = new Set(map.providers.map((p) => p.id));
  map.providers = [...map.providers, ...page.providers.filter((p) => !providers.has(p.id))];
  const left = page.total - page.offset - page.firms.length;
  map.groups = map.groups.flatMap((g) => {
    if (g.id !== page.group.id) return [g];
    return left > 0 ? [{ ...g, firms: left, loaded: page.offset + page.firms.length }] : [];
  });
  if (left <= 0) map.bundles = map.bundles.filter((b) => b.from !== page.group.id && b.to !== page.group.id);
  return firms.length;
}

/** The side panel of one firm: problems, needs with providers, and why it is critical. */
export function firmPanel(map, firm, { disabled, onClose } = {}) {
  const segName = (id) => (map.chain.segments.find((s) => s.id === id) || { name: id }).name;
  const firmName = (id) => (map.firms.find((f) => f.id === id) || { name: id }).name;
  const provider = (id) => map.providers.find((p) => p.id === id);
  const providerLabel = (id) => {
    const p = provider(id);
    return p ? `${p.name}（${t(`lv.${p.level}`)} · ${p.region_name || p.region}）` : id;
  };
  const problems = map.problems.filter((p) => p.org === firm.id);
  const bar = (label, v) => h('div', { class: 'rbar' },
    h('span', {}, label),
    h('span', { class: 'el-track' }, h('span', { class: 'el-fill', style: `width:${Math.round(v * 100)}%;background:${riskColour(v)}` })),
    h('span', { class: 'el-pct' }, v.toFixed(2)));
  const out = map.supplies.filter((s) => s.from === firm.id);
  const inn = map.supplies.filter((s) => s.to === firm.id);
  const supplyRow = (s, other) => h('li', { class: s.foreign_only ? 'foreign-only' : s.single_source ? 'single' : '' },
    h('span', { class: 'part' }, s.part), ' ', h('a', { href: `#/chain/${encodeURIComponent(map.chain.id)}/map/${encodeURIComponent(other)}` }, firmName(other)),
    s.single_source ? h('span', { class: 'tag orange' }, t('legend.single')) : null,
    s.foreign_only ? h('span', { class: 'tag purple' }, t('legend.foreign_only')) : null);

  return h('div', { class: 'firm-panel', 'data-firm': firm.id },
    h('div', { class: 'panel-head' },
      h('h2', {}, firm.name),
      onClose ? h('button', { class: 'close', title: t('panel.close'), onclick: onClose }, '×') : null),
    h('div', { class: 'tags' },
      h('span', { class: `tag ${firm.role === 'chain_master' ? 'navy' : ''}` }, t(`role.${firm.role}`)),
      firm.critical ? h('span', { class: 'tag red' }, t('legend.critical')) : null,
      firm.foreign ? h('span', { class: 'tag purple' }, `${t('panel.foreign')} ${firm.country || ''}`) : null,
      firm.single_source ? h('span', { class: 'tag orange' }, t('panel.single_source')) : null,
      disabled ? h('span', { class: 'tag grey' }, t('panel.scenario_disabled')) : null),
    h('dl', { class: 'facts' },
      h('dt', {}, t('panel.segment')), h('dd', {}, segName(firm.segment)),
      h('dt', {}, t('panel.region')), h('dd', {}, firm.region_name ? `${firm.region_name}（${firm.region}）` : (firm.country || '—'))),
    h('div', { class: 'risk' },
      h('h3', {}, `${t('panel.risk')} `, h('b', { style: `color:${riskColour(firm.risk.score)}` }, firm.risk.score.toFixed(2))),
      bar(t('panel.risk.criticality'), firm.risk.criticality),
      bar(t('panel.risk.problem_load'), firm.risk.problem_load),
      bar(t('panel.risk.qi_gap'), firm.risk.qi_gap)),
    firm.critical ? h('div', { class: 'evidence' },
      h('h3', {}, t('panel.evidence')),
      h('p', { class: 'critical-note' }, t('panel.critical', { n: firm.disabled_count }), '：',
        firm.disabled_masters.map((m) => firmName(m)).join('、')),
      h('ol', { class: 'path' },
        h('li', {}, h('b', {}, firm.name)),
        firm.evidence.map((step) => h('li', {}, h('span', { class: 'part' }, step.part), ' → ',
          h('b', {}, firmName(step.buyer)), firm.disabled_masters.includes(step.buyer) ? h('span', { class: 'tag navy' }, t('legend.master')) : null)))) : null,
    h('div', { class: 'problems' },
      h('h3', {}, `${t('panel.problems')}（${problems.length}）`),
      problems.length === 0 ? h('p', { class: 'muted' }, t('panel.no_problems')) : null,
      problems.map((p) => h('div', { class: 'problem' },
        h('div', { class: 'problem-title' }, sevBadge(p.severity), h('span', {}, p.title)),
        h('div', { class: 'muted small' }, `${t(`cat.${p.category}`)} · ${t(`st.${p.status}`)} · ${p.id}`),
        h('ul', { class: 'needs' }, p.needs.map((n) => h('li', {},
          capLabel(n.code),
          n.assigned
            ? h('div', { class: 'assigned' }, `✓ ${t('panel.assigned')}：${providerLabel(n.assigned)}`, n.tier != null ? h('span', { class: 'muted' }, ` · ${t('panel.tier', { n: n.tier })}`) : null)
            : n.gap ? h('div', { class: 'gap' }, `✗ ${t('panel.gap')}`)
              : p.status !== 'resolved' ? h('div', { class: 'unassigned' }, `! ${t('panel.unassigned')}`) : null,
          n.candidates.length ? h('div', { class: 'candidates muted small' }, `${t('panel.candidates')}：${n.candidates.map(providerLabel).join('；')}`) : null)))))),
    out.length || inn.length ? h('div', { class: 'supplies' },
      out.length ? [h('h3', {}, `${t('panel.supplies_out')}（${out.length}）`), h('ul', {}, out.map((s) => supplyRow(s, s.to)))] : null,
      inn.length ? [h('h3', {}, `${t('panel.supplies_in')}（${inn.length}）`), h('ul', {}, inn.map((s) => supplyRow(s, s.from)))] : null) : null,
    firm.role === 'chain_master' ? h('a', { class: 'btn', href: `#/chain/${encodeURIComponent(map.chain.id)}/suppliers/${encodeURIComponent(firm.id)}` }, t('panel.suppliers')) : null);
}

/**
 * The map with its toolbar and side panel, for the map and scenario views. Returns
 * { root, getMap(), getController(), onRedraw(fn), showPanel(id) }.
 */
export async function mountMap(id, { initialFirm, routeName = 'map', disabledOf } = {}) {
  // A copy: expanding groups adds to it, and the cached map stays as the server sent it.
  const cached = await cachedMap(id);
  let map = { ...cached, groups: [...(cached.groups || [])], bundles: [...(cached.bundles || [])] };
  let controller = null;
  let selected = initialFirm || null;
  const redrawHooks = [];
  const filter = { segment: '', category: '', severity: 0 };

  const mapBox = h('div', { class: 'map-box' });
  const panel = h('aside', { class: 'panel closed' });
  const status = h('span', { class: 'map-status' });
  const segSelect = h('select', { 'data-filter': 'segment' });
  const catSelect = h('select', { 'data-filter': 'category' },
    h('option', { value: '' }, t('filter.all')), CATEGORIES.map((c) => h('option', { value: c }, t(`cat.${c}`))));
  const sevSelect = h('select', { 'data-filter': 'severity' },
    h('option', { value: '0' }, t('filter.all')), [5, 4, 3, 2, 1].map((n) => h('option', { value: String(n) }, t('filter.sev_at_least', { n }))));
  const assignBox = h('input', { type: 'checkbox', 'data-toggle': 'assignments' });

  function fillSegments() {
    // replaceChildren takes nodes, not an array: an array would be stringified into one text node.
    segSelect.replaceChildren(h('option', { value: '' }, t('filter.all')),
      ...map.chain.segments.map((s) => h('option', { value: s.id }, s.name)));
    segSelect.value = filter.segment;
  }

  function predicate() {
    if (!filter.segment && !filter.category && !filter.severity) return null;
    const hits = new Set();
    if (filter.category || filter.severity) {
      for (const p of map.problems) {
        if (p.status === 'resolved') continue;
        if (filter.category && p.category !== filter.category) continue;
        if (filter.severity && p.severity < filter.severity) continue;
        hits.add(p.org);
      }
    }
    return (f) => (!filter.segment || f.segment === filter.segment)
      && (!(filter.category || filter.severity) || hits.has(f.id));
  }

  function applyFilter() {
    const matched = controller.setFilter(predicate(), filter.segment);
    const grouped = map.groups.reduce((n, g) => n + g.firms, 0);
    const base = grouped
      ? t('map.status_groups', { shown: map.firms.length, grouped, groups: map.groups.length })
      : t('map.shown', { shown: map.firms.length, total: map.firms_total });
    const edges = controller.svg.dataset.edges ? ` · ${t('map.weak_edges')}` : '';
    status.textContent = (predicate() ? `${base} · ${t('map.matched', { n: matched })}` : base) + edges;
  }

  function showPanel(firmId) {
    selected = firmId;
    const firm = firmId && controller.firmById.get(firmId);
    controller.select(firm ? firmId : null);
    panel.classList.toggle('closed', !firm);
    if (!firm) {
      panel.replaceChildren();
      return;
    }
    const disabled = disabledOf ? disabledOf(firmId) : false;
    panel.replaceChildren(firmPanel(map, firm, { disabled, onClose: () => select(null) }));
    panel.scrollTop = 0;
  }

  function select(firmId) {
    showPanel(firmId);
    if (routeName === 'map') {
      const base = `#/chain/${encodeURIComponent(id)}`;
      history.replaceState(null, '', firmId ? `${base}/map/${encodeURIComponent(firmId)}` : base);
    }
  }

  let expanding = false;
  async function expand(groupId) {
    const group = map.groups.find((g) => g.id === groupId);
    if (!group || expanding) return;
    expanding = true;
    mapBox.dataset.expanding = groupId;
    try {
      const page = await api.mapGroup(id, groupId, group.loaded || 0);
      mergeGroupPage(map, page);
      draw(controller.view());
    } catch (e) {
      console.error(e);
      alert(e.message);
    } finally {
      expanding = false;
      delete mapBox.dataset.expanding;
    }
  }

  function draw(view) {
    controller = createMap(mapBox, map, { onSelect: select, onExpand: expand, view });
    controller.showAssignments(assignBox.checked);
    fillSegments();
    applyFilter();
    showPanel(selected);
    for (const fn of redrawHooks) fn(controller);
  }

  segSelect.addEventListener('change', () => { filter.segment = segSelect.value; applyFilter(); });
  catSelect.addEventListener('change', () => { filter.category = catSelect.value; applyFilter(); });
  sevSelect.addEventListener('change', () => { filter.severity = Number(sevSelect.value); applyFilter(); });
  assignBox.addEventListener('change', () => controller.showAssignments(assignBox.checked));

  const c = map.counts;
  const root = h('div', { class: 'map-view' },
    chainHeader(t, map, routeName),
    h('div', { class: 'kpis strip' },
      kpi(t('kpi.firms'), map.firms_total),
      kpi(t('kpi.masters'), c.masters),
      kpi(t('kpi.critical'), c.critical_nodes, c.critical_nodes ? 'bad' : ''),
      kpi(t('kpi.single'), c.single_source_parts),
      kpi(t('kpi.foreign_only'), c.foreign_only_parts, c.foreign_only_parts ? 'bad' : ''),
      kpi(t('kpi.problems'), c.demand_problems, c.demand_problems ? 'warn' : ''),
      kpi(t('kpi.needs'), `${map.coverage.needs_assigned}/${map.coverage.needs_total}`),
      kpi(t('kpi.coverage'), `${coveragePct(map.coverage)}%`)),
    h('div', { class: 'toolbar' },
      h('label', {}, t('filter.segment'), segSelect),
      h('label', {}, t('filter.category'), catSelect),
      h('label', {}, t('filter.severity'), sevSelect),
      h('label', { class: 'check' }, assignBox, t('map.assignments')),
      h('span', { class: 'spacer' }),
      status,
      h('button', { class: 'btn', type: 'button', 'data-action': 'reset', onclick: () => controller.reset() }, t('map.reset')),
      h('button', { class: 'btn', type: 'button', 'data-picture': 'svg', onclick: () => api.downloadSvg(id).catch((e) => alert(e.message)) }, t('open.svg')),
      h('button', { class: 'btn', type: 'button', 'data-picture': 'png', onclick: () => api.downloadPicture(id, 'png').catch((e) => alert(e.message)) }, t('open.png')),
      h('button', { class: 'btn', type: 'button', 'data-picture': 'pdf', title: t('open.pdf_hint'), onclick: () => api.downloadPicture(id, 'pdf').catch((e) => alert(e.message)) }, t('open.pdf'))),
    h('div', { class: 'legend', html: legendHtml(routeName === 'scenario') }),
    h('div', { class: 'map-layout' },
      h('div', { class: 'map-main' }, mapBox, h('p', { class: 'hint muted small' }, `${t('map.hint')} · ${t('panel.empty')}`)),
      panel));

  return {
    root,
    draw,
    getMap: () => map,
    getController: () => controller,
    onRedraw: (fn) => redrawHooks.push(fn),
    showPanel,
  };
}

export async function renderMapView(root, params) {
  const view = await mountMap(params.id, { initialFirm: params.firm, routeName: 'map' });
  root.append(view.root);
  // Regulators see quality notices as badges on the firms they are about.
  const marks = await noticeMarks(params.id);
  if (marks) view.onRedraw(() => marks(view.root.querySelector('svg.map-svg')));
  // Drawn once the view is in the document, so the first paint has the real size.
  root.addEventListener('qmap:shown', () => view.draw(), { once: true });
}

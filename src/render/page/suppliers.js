// A chain master's supplier view: every supplier upstream at any tier, in tier columns with the
// deepest tier on the left and the master on the right; critical suppliers first in each tier.

import { t } from './i18n.js';
import { api, cachedMap } from './api.js';
import { h, chainHeader, kpi, sevBadge, riskColour } from './util.js';

export async function renderSuppliers(root, params) {
  // An enterprise may not open the chain's map: it gets its own supplier view without it.
  let map = null;
  try { map = await cachedMap(params.id); } catch (e) { if (e.status !== 403) throw e; }
  let masters;
  let head;
  if (map) {
    masters = map.firms.filter((f) => f.role === 'chain_master');
    head = chainHeader(t, map, 'suppliers');
  } else {
    const me = await api.me();
    const own = await api.organization(me.org);
    masters = [{ id: own.id, name: own.name }];
    head = h('div', { class: 'chain-head' }, h('div', { class: 'chain-title' }, h('h1', {}, own.name)));
  }
  if (masters.length === 0) {
    root.append(head, h('div', { class: 'empty' }, t('sup.no_masters')));
    return;
  }
  const org = params.org && masters.some((m) => m.id === params.org) ? params.org : masters[0].id;
  const master = masters.find((m) => m.id === org);
  const view = await api.suppliers(params.id, org);
  const firm = new Map((map ? map.firms : []).map((f) => [f.id, f]));
  const chainHref = `#/chain/${encodeURIComponent(params.id)}`;

  const tiers = new Map();
  for (const s of view.suppliers) {
    if (!tiers.has(s.tier)) tiers.set(s.tier, []);
    tiers.get(s.tier).push(s);
  }
  const order = [...tiers.keys()].sort((a, b) => b - a);
  const critical = view.suppliers.filter((s) => s.critical).length;
  const withProblems = view.suppliers.filter((s) => s.problems.length > 0).length;

  const card = (s) => {
    const f = firm.get(s.id);
    const worst = Math.max(0, ...s.problems.map((p) => p.severity));
    return h(map ? 'a' : 'div', { class: `sup-card${s.critical ? ' critical' : ''}`, href: map ? `${chainHref}/map/${encodeURIComponent(s.id)}` : null, 'data-supplier': s.id },
      h('div', { class: 'sup-name' },
        h('span', { class: 'dot', style: `background:${riskColour(f ? f.risk.score : 0)}` }), s.name),
      h('div', { class: 'tags' },
        s.critical ? h('span', { class: 'tag red' }, t('legend.critical')) : null,
        f && f.foreign ? h('span', { class: 'tag purple' }, `${t('panel.foreign')} ${f.country || ''}`) : null,
        s.problems.length ? h('span', { class: 'tag amber' }, t('sup.problems', { n: s.problems.length }), ' ', sevBadge(worst)) : null),
      s.single_source_parts.length ? h('div', { class: 'small muted' },
        t('sup.single', { parts: [...new Set(s.single_source_parts.map((p) => p.part))].join('、') })) : null,
      s.problems.slice(0, 2).map((p) => h('div', { class: 'small sup-problem' }, `· ${p.title}`)));
  };

  root.append(head,
    h('div', { class: 'page-head compact' },
      h('h2', {}, t('sup.title')), h('p', { class: 'sub' }, t('sup.sub')),
      h('div', { class: 'master-pick' }, masters.map((m) => h('a', {
        class: `btn${m.id === org ? ' primary' : ''}`, href: `${chainHref}/suppliers/${encodeURIComponent(m.id)}`, 'data-master': m.id,
      }, m.name)))),
    h('div', { class: 'kpis strip' },
      kpi(t('kpi.firms'), view.suppliers.length),
      kpi(t('kpi.critical'), critical, critical ? 'bad' : ''),
      kpi(t('kpi.problems'), withProblems, withProblems ? 'warn' : ''),
      kpi(t('sup.depth'), order[0] ?? 0)),
    h('div', { class: 'tiers' },
      order.map((tier) => h('section', { class: 'tier', 'data-tier': tier },
        h('h3', {}, t('sup.tier', { n: tier }), h('small', {}, ` · ${tiers.get(tier).length}`)),
        tiers.get(tier).map(card))),
      h('section', { class: 'tier master-col' },
        h('h3', {}, t('sup.master')),
        h(map ? 'a' : 'div', { class: 'sup-card master', href: map ? `${chainHref}/map/${encodeURIComponent(org)}` : null },
          h('div', { class: 'sup-name' }, h('span', { class: 'diamond' }), master.name),
          h('div', { class: 'small muted' }, t('sup.count', { n: view.suppliers.length, c: critical }))))));
}

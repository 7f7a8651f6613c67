// The chains view: one card per chain with its key figures, the weakest chain first.

import { t, ELEMENTS } from './i18n.js';
import { api } from './api.js';
import { h, kpi, coveragePct, coverageColour } from './util.js';

/** Worst first: lowest severity coverage, then most critical nodes, then id. */
export function worstFirst(a, b) {
  return coveragePct(a.coverage) - coveragePct(b.coverage)
    || b.critical_nodes - a.critical_nodes
    || a.id.localeCompare(b.id);
}

function ring(p) {
  const r = 34, c = 2 * Math.PI * r;
  const svg = `<svg viewBox="0 0 84 84" width="84" height="84" aria-hidden="true">
    <circle cx="42" cy="42" r="${r}" fill="none" stroke="#e6ebf3" stroke-width="9"/>
    <circle cx="42" cy="42" r="${r}" fill="none" stroke="${coverageColour(p)}" stroke-width="9"
      stroke-linecap="round" stroke-dasharray="${(c * p) / 100} ${c}" transform="rotate(-90 42 42)"/>
    <text x="42" y="47" text-anchor="middle" font-size="17" font-weight="700" fill="#14213d">${p}%</text></svg>`;
  return h('div', { class: 'ring', html: svg });
}

function elementBars(chain) {
  return h('div', { class: 'el-bars' }, ELEMENTS.map((el) => {
    const row = chain.by_element.find((x) => x.element === el);
    if (!row || row.coverage.needs_total === 0) return null;
    const p = coveragePct(row.coverage);
    return h('div', { class: 'el-bar', title: `${t(`el.${el}`)} ${p}%` },
      h('span', { class: 'el-name' }, t(`el.${el}`)),
      h('span', { class: 'el-track' }, h('span', { class: 'el-fill', style: `width:${p}%;background:${coverageColour(p)}` })),
      h('span', { class: 'el-pct' }, `${p}%`));
  }));
}

/** An enterprise sees its own chains, each opening its supplier view. */
function renderOwnChains(root, me) {
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('chains.own')), h('p', { class: 'sub' }, t('chains.own.sub'))),
    h('div', { class: 'cards' }, me.chains.map(({ id, name }) =>
      h('article', { class: 'card chain-card', 'data-chain': id },
        h('h2', {}, name),
        h('div', { class: 'card-actions' },
          h('a', { class: 'btn primary', href: `#/chain/${encodeURIComponent(id)}/suppliers/${encodeURIComponent(me.org)}` },
            t('open.suppliers')),
          h('a', { class: 'btn', href: `#/chain/${encodeURIComponent(id)}/lists`, 'data-open': 'lists' }, t('open.lists')),
          h('a', { class: 'btn', href: `#/chain/${encodeURIComponent(id)}/changes`, 'data-open': 'changes' }, t('open.changes')))))));
}

export async function renderChains(root) {
  const me = await api.me();
  if (me.role === 'enterprise') {
    renderOwnChains(root, me);
    return;
  }
  const chains = (await api.chains()).sort(worstFirst);
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('chains.title')), h('p', { class: 'sub' }, t('chains.sub')),
      // The what-if of every chain at once needs the dataset-wide aggregates.
      me.compares ? h('a', { class: 'btn', href: '#/whatif', 'data-open': 'whatif-all' }, t('open.whatif_all')) : null),
    h('div', { class: 'cards' }, chains.map((c, i) => {
      const href = `#/chain/${encodeURIComponent(c.id)}`;
      // The map and its picture only for chains read firm by firm (a planner, or a regulator of
      // other chains, sees this chain's figures and changes only): no button leads to a refusal.
      const readable = me.chains.some((m) => m.id === c.id);
      return h('article', { class: 'card chain-card', 'data-chain': c.id },
        i === 0 && chains.length > 1 ? h('span', { class: 'flag' }, t('chains.worst')) : null,
        h('div', { class: 'card-top' },
          h('div', {},
            h('h2', {}, readable ? h('a', { href }, c.name) : c.name),
            c.chief ? h('p', { class: 'chief' }, `${t('kpi.chief')}：${c.chief}`) : null,
            h('p', { class: 'muted' }, `${c.segments} ${t('kpi.segments')} · ${c.supplies} ${t('kpi.supplies')}`)),
          h('div', { class: 'ring-box', title: t('coverage.note') }, ring(coveragePct(c.coverage)),
            h('small', {}, t('kpi.coverage')))),
        h('div', { class: 'kpis' },
          kpi(t('kpi.firms'), c.firms),
          kpi(t('kpi.masters'), c.masters),
          kpi(t('kpi.problems'), c.demand_problems, c.demand_problems > 0 ? 'warn' : ''),
          kpi(t('kpi.critical'), c.critical_nodes, c.critical_nodes > 0 ? 'bad' : ''),
          kpi(t('kpi.single'), c.single_source_parts),
          kpi(t('kpi.foreign_only'), c.foreign_only_parts, c.foreign_only_parts > 0 ? 'bad' : '')),
        elementBars(c),
        h('div', { class: 'card-actions' },
          readable ? h('a', { class: 'btn primary', href }, t('open.map')) : null,
          h('a', { class: `btn${readable ? '' : ' primary'}`, href: `${href}/changes`, 'data-open': 'changes' }, t('open.changes')),
          readable ? null : h('a', { class: 'btn', href: `${href}/lists`, 'data-open': 'lists' }, t('open.lists')),
          // The what-if reads the chain's aggregates: its firm-level readers and planners.
          readable || me.role === 'planner' ? h('a', { class: 'btn', href: `${href}/whatif`, 'data-open': 'whatif' }, t('open.whatif')) : null,
          readable ? h('button', { class: 'btn', type: 'button', onclick: () => api.downloadSvg(c.id).catch((e) => alert(e.message)) }, t('open.svg')) : null));
    })));
}

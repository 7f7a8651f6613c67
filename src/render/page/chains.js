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

/** How often the list asks again while some chain's analysis is being computed. */
const POLL_MS = 2000;

/** A figure of a row still being computed: said so, never shown as a zero. */
function pendingKpi(label) {
  return h('div', { class: 'kpi pending' }, h('b', {}, t('chains.pending')), h('span', {}, label));
}

function chainCard(c, i, chains, me) {
  const href = `#/chain/${encodeURIComponent(c.id)}`;
  // The map and its picture only for chains read firm by firm (a planner, or a regulator of
  // other chains, sees this chain's figures and changes only): no button leads to a refusal.
  const readable = me.chains.some((m) => m.id === c.id);
  // A chain whose analysis is being computed (`pending`) shows the figures that need none and
  // "计算中…" for the others; the views that need its analysis open once it is ready.
  const pending = c.pending === true;
  const ready = readable && !pending;
  return h('article', { class: 'card chain-card', 'data-chain': c.id, 'data-pending': pending ? '' : null },
    i === 0 && chains.length > 1 && !chains.some((x) => x.pending) ? h('span', { class: 'flag' }, t('chains.worst')) : null,
    h('div', { class: 'card-top' },
      h('div', {},
        h('h2', {}, ready ? h('a', { href }, c.name) : c.name),
        c.chief ? h('p', { class: 'chief' }, `${t('kpi.chief')}：${c.chief}`) : null,
        h('p', { class: 'muted' }, `${c.segments} ${t('kpi.segments')} · ${c.supplies} ${t('kpi.supplies')}`)),
      pending
        ? h('div', { class: 'ring-box pending', title: t('chains.pending.note') },
          h('span', { class: 'spinner' }), h('small', {}, `${t('kpi.coverage')} ${t('chains.pending')}`))
        : h('div', { class: 'ring-box', title: t('coverage.note') }, ring(coveragePct(c.coverage)),
          h('small', {}, t('kpi.coverage')))),
    h('div', { class: 'kpis' },
      kpi(t('kpi.firms'), c.firms),
      kpi(t('kpi.masters'), c.masters),
      kpi(t('kpi.problems'), c.demand_problems, c.demand_problems > 0 ? 'warn' : ''),
      pending ? pendingKpi(t('kpi.critical')) : kpi(t('kpi.critical'), c.critical_nodes, c.critical_nodes > 0 ? 'bad' : ''),
      pending ? pendingKpi(t('kpi.single')) : kpi(t('kpi.single'), c.single_source_parts),
      pending ? pendingKpi(t('kpi.foreign_only')) : kpi(t('kpi.foreign_only'), c.foreign_only_parts, c.foreign_only_parts > 0 ? 'bad' : '')),
    pending ? null : elementBars(c),
    h('div', { class: 'card-actions' },
      ready ? h('a', { class: 'btn primary', href }, t('open.map')) : null,
      h('a', { class: `btn${ready ? '' : ' primary'}`, href: `${href}/changes`, 'data-open': 'changes' }, t('open.changes')),
      readable ? null : h('a', { class: 'btn', href: `${href}/lists`, 'data-open': 'lists' }, t('open.lists')),
      // The what-if reads the chain's aggregates: its firm-level readers and planners.
      !pending && (readable || me.role === 'planner') ? h('a', { class: 'btn', href: `${href}/whatif`, 'data-open': 'whatif' }, t('open.whatif')) : null,
      ready ? h('button', { class: 'btn', type: 'button', onclick: () => api.downloadSvg(c.id).catch((e) => alert(e.message)) }, t('open.svg')) : null));
}

/** Ready rows worst first, then the pending ones (whose coverage is not known yet) by id. */
function ordered(chains) {
  const ready = chains.filter((c) => !c.pending).sort(worstFirst);
  const pending = chains.filter((c) => c.pending).sort((a, b) => a.id.localeCompare(b.id));
  return ready.concat(pending);
}

function cardsOf(chains, me) {
  const note = chains.some((c) => c.pending)
    ? h('p', { class: 'muted pending-note', 'data-pending-note': '' }, t('chains.pending.note'))
    : null;
  return [note, h('div', { class: 'cards' }, chains.map((c, i) => chainCard(c, i, chains, me)))];
}

export async function renderChains(root, params, ctx) {
  const me = await api.me();
  if (me.role === 'enterprise') {
    renderOwnChains(root, me);
    return;
  }
  const chains = ordered(await api.chains());
  const body = h('div', { class: 'chain-list' }, cardsOf(chains, me));
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('chains.title')), h('p', { class: 'sub' }, t('chains.sub')),
      // The what-if of every chain at once needs the dataset-wide aggregates.
      me.compares ? h('a', { class: 'btn', href: '#/whatif', 'data-open': 'whatif-all' }, t('open.whatif_all')) : null),
    body);
  // Rows still being computed: ask again every few seconds until none is, while this view is
  // the one shown (a failed request is tried again at the next tick).
  let waiting = chains.some((c) => c.pending);
  const poll = async () => {
    if (!waiting || (ctx && !ctx.isCurrent())) return;
    try {
      const next = ordered(await api.chains());
      if (ctx && !ctx.isCurrent()) return;
      body.replaceChildren(...cardsOf(next, me).filter((n) => n != null));
      waiting = next.some((c) => c.pending);
    } catch (e) {
      console.warn(e);
    }
    if (waiting) setTimeout(poll, POLL_MS);
  };
  if (waiting) setTimeout(poll, POLL_MS);
}

// The 年度目标 dashboard: per yearly goal (a region and a year), each project category's target
// against the count reached, the share of completed projects at international level, and whether
// the goal is met; filters for region and year. Every role may read it (planners included).

import { t } from './i18n.js';
import { api } from './api.js';
import { h } from './util.js';

const CATEGORIES = ['chain_collaboration', 'common_technology', 'key_product'];

function metBadge(met) {
  return h('span', { class: `tag ${met ? 'green' : 'red'}`, 'data-met-badge': String(met) }, t(met ? 'goals.met' : 'goals.not_met'));
}

/** A bar of `actual` against `target`: the track spans the larger of the two, a tick marks the target. */
function bar(label, actual, target, met, text, attrs) {
  const span = Math.max(actual, target) || 1;
  return h('div', { class: 'goal-line', 'data-met': String(met), ...attrs },
    h('span', { class: 'goal-label' }, label),
    h('span', { class: 'goal-track' },
      h('span', { class: `goal-fill ${met ? 'ok' : 'short'}`, style: `width:${(actual * 100) / span}%` }),
      h('span', { class: 'goal-target', style: `left:${(target * 100) / span}%`, title: t('goals.target') })),
    h('span', { class: 'goal-value' }, text));
}

function goalCard(g) {
  const byCategory = new Map(g.targets.map((x) => [x.category, x]));
  const share = g.international_share;
  const percent = (x) => `${Math.round(x * 100)}%`;
  return h('article', { class: `card goal-card ${g.met ? 'met' : 'not-met'}`, 'data-goal': g.id, 'data-met': String(g.met) },
    h('div', { class: 'goal-head' },
      h('h2', {}, `${g.region_name || g.region} · ${t('goals.year', { year: g.year })}`),
      metBadge(g.met)),
    h('div', { class: 'goal-lines' },
      CATEGORIES.filter((c) => byCategory.has(c)).map((c) => {
        const x = byCategory.get(c);
        return bar(t(`proj.${c}`), x.actual, x.target, x.met, `${x.actual} / ${x.target}`, { 'data-category': c });
      }),
      share ? bar(t('goals.international'), share.actual, share.target, share.met,
        `${percent(share.actual)} / ${percent(share.target)}`, { 'data-share': '' }) : null),
    share ? h('p', { class: 'muted small' }, t('goals.share_note', { international: share.international, completed: share.completed })) : null,
    g.totals && g.totals.length
      ? h('p', { class: 'muted small' }, `${t('goals.totals')}：`, g.totals.map((x) => `${t(`proj.${x.category}`)} ${x.count}`).join(' · '))
      : null);
}

export async function renderGoals(root, params, ctx) {
  const all = await api.goalsProgress();
  if (ctx && !ctx.isCurrent()) return;
  const regions = new Map();
  for (const g of all.goals) regions.set(g.region, g.region_name || g.region);
  const years = [...new Set(all.goals.map((g) => g.year))].sort((a, b) => b - a);
  const list = h('div', { class: 'goal-cards' });
  const fill = (goals) => list.replaceChildren(...(goals.length
    ? goals.map(goalCard)
    : [h('div', { class: 'empty' }, t('goals.none'))]));
  const regionPick = h('select', { 'data-filter': 'region' },
    h('option', { value: '' }, t('filter.all')),
    [...regions].sort().map(([code, name]) => h('option', { value: code }, `${name} (${code})`)));
  const yearPick = h('select', { 'data-filter': 'year' },
    h('option', { value: '' }, t('filter.all')),
    years.map((y) => h('option', { value: String(y) }, String(y))));
  const refilter = async () => {
    list.dataset.loading = '1';
    try {
      const picked = await api.goalsProgress(regionPick.value, yearPick.value);
      fill(picked.goals);
    } catch (e) {
      list.replaceChildren(h('p', { class: 'error-text' }, e.message));
    } finally {
      delete list.dataset.loading;
    }
  };
  regionPick.addEventListener('change', refilter);
  yearPick.addEventListener('change', refilter);
  fill(all.goals);
  const metCount = all.goals.filter((g) => g.met).length;
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('goals.title')), h('p', { class: 'sub' }, t('goals.sub'))),
    h('div', { class: 'toolbar' },
      h('label', {}, `${t('col.region')} `, regionPick),
      h('label', {}, `${t('col.year')} `, yearPick),
      h('span', { class: 'muted' }, t('goals.summary', { met: metCount, total: all.goals.length }))),
    list);
}

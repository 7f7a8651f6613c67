// A chain master's supplier view: every supplier upstream at any tier, in tier columns with the
// master on the left, then tier 1 and deeper tiers; critical suppliers first in each tier. A
// search, filters and a compact paged table serve supply bases of thousands of firms.
// Each card shows the problems the supplier disclosed to the viewer in full and the rest as
// aggregates (count, highest severity, categories); an enterprise may ask a supplier to
// disclose, and below the tiers finds the disclosure requests it sent and received.

import { t } from './i18n.js';
import { api, cachedMap } from './api.js';
import { h, chainHeader, kpi, sevBadge, riskColour } from './util.js';
import { pagedTable } from './lists.js';
import { openNoticesAbout } from './notices.js';

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
  let view;
  try {
    view = await api.suppliers(params.id, org);
  } catch (e) {
    // A firm that is no chain master has no supplier view, but may have requests to answer.
    if (map || e.status !== 422) throw e;
    root.append(head, h('div', { class: 'empty' }, e.message), await inbox(params.id));
    return;
  }
  const firm = new Map((map ? map.firms : []).map((f) => [f.id, f]));
  const chainHref = `#/chain/${encodeURIComponent(params.id)}`;

  const tiers = new Map();
  for (const s of view.suppliers) {
    if (!tiers.has(s.tier)) tiers.set(s.tier, []);
    tiers.get(s.tier).push(s);
  }
  const order = [...tiers.keys()].sort((a, b) => b - a);
  const critical = view.suppliers.filter((s) => s.critical).length;
  const withProblems = view.suppliers.filter((s) => s.problems.length > 0 || s.undisclosed).length;
  const enterprise = !map;
  // Open notices (unacknowledged by the viewer) about each supplier.
  const notices = await openNoticesAbout(params.id);

  // Without the map (an enterprise), the dot shows the severities the viewer may see.
  const risk = (s, f) => (f ? f.risk.score : Math.min(1, s.problem_load / 10));
  const ask = (s) => {
    const button = h('button', { class: 'btn small', type: 'button', 'data-ask': s.id }, t('sup.ask'));
    button.onclick = async (e) => {
      e.preventDefault();
      button.disabled = true;
      try {
        await api.requestDisclosure(params.id, s.id, t('sup.ask_message'));
        button.textContent = t('sup.asked');
      } catch (err) {
        button.disabled = false;
        button.title = err.message;
      }
    };
    return button;
  };
  const card = (s) => {
    const f = firm.get(s.id);
    const worst = Math.max(0, ...s.problems.map((p) => p.severity));
    const hidden = s.undisclosed;
    return h(map ? 'a' : 'div', { class: `sup-card${s.critical ? ' critical' : ''}`, href: map ? `${chainHref}/map/${encodeURIComponent(s.id)}` : null, 'data-supplier': s.id },
      h('div', { class: 'sup-name' },
        h('span', { class: 'dot', style: `background:${riskColour(risk(s, f))}` }), s.name),
      h('div', { class: 'tags' },
        s.critical ? h('span', { class: 'tag red' }, t('legend.critical')) : null,
        f && f.foreign ? h('span', { class: 'tag purple' }, `${t('panel.foreign')} ${f.country || ''}`) : null,
        notices.has(s.id) ? h('a', { class: 'tag red', href: '#/notices', 'data-open-notices': notices.get(s.id).length, title: notices.get(s.id).map((n) => n.message).join('\n') },
          t('nt.open', { n: notices.get(s.id).length })) : null,
        s.problems.length ? h('span', { class: 'tag amber' }, t('sup.problems', { n: s.problems.length }), ' ', sevBadge(worst)) : null,
        hidden ? h('span', {
          class: 'tag', 'data-undisclosed': hidden.count,
          title: Object.entries(hidden.by_category).map(([c, n]) => `${t(`cat.${c}`)} ${n}`).join('、'),
        }, t('sup.undisclosed', { n: hidden.count }), ' ', sevBadge(hidden.highest_severity)) : null),
      s.single_source_parts.length ? h('div', { class: 'small muted' },
        t('sup.single', { parts: [...new Set(s.single_source_parts.map((p) => p.part))].join('、') })) : null,
      s.problems.slice(0, 3).map((p) => h('div', { class: 'small sup-problem', 'data-problem': p.id, title: p.needs.join(' ') },
        `· ${p.title}`,
        p.providers.length ? h('span', { class: 'muted' }, ` · ${t('sup.qi', { names: [...new Set(p.providers.map((q) => q.name))].join('、') })}`) : null)),
      hidden ? h('div', { class: 'small muted' },
        Object.entries(hidden.by_category).map(([c, n]) => `${t(`cat.${c}`)} ${n}`).join('、')) : null,
      enterprise && hidden ? ask(s) : null);
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
      kpi(`${t('kpi.problems')} · ${t('sup.disclosed_of', { d: view.summary.disclosed, n: view.summary.demand_problems })}`,
        view.summary.demand_problems, view.summary.demand_problems ? 'warn' : ''),
      kpi(t('sup.depth'), order[0] ?? 0)),
    supplierList(view, order, card, firm, map, chainHref, h(map ? 'a' : 'div', { class: 'sup-card master', href: map ? `${chainHref}/map/${encodeURIComponent(org)}` : null },
      h('div', { class: 'sup-name' }, h('span', { class: 'diamond' }), master.name),
      h('div', { class: 'small muted' }, t('sup.count', { n: view.suppliers.length, c: critical }))), risk),
    enterprise ? await inbox(params.id) : null);
}

// Above this many suppliers the view opens as a compact, paged table rather than tier columns.
const TABLE_ABOVE = 300;
// Cards drawn per tier column at most (the table shows them all, page by page).
const CARDS_PER_TIER = 100;

// The suppliers with their filters: search by name, critical only, with disclosed problems, a
// tier range; as tier columns of cards (the master, then tier 1 on the left, so the direct
// suppliers are seen at once) or as a compact table (tier, name, region, critical, risk,
// problems) paged 50 rows at a time, the default above TABLE_ABOVE suppliers.
function supplierList(view, order, card, firm, map, chainHref, masterCard, risk) {
  const all = view.suppliers;
  const depth = order[0] ?? 1;
  const state = { q: '', critical: false, disclosed: false, from: 1, to: depth, mode: all.length > TABLE_ABOVE ? 'table' : 'cards' };
  const body = h('div', { 'data-suppliers': '' });
  const shownLabel = h('span', { class: 'muted small', 'data-shown': '' });
  const keep = (s) => {
    if (s.tier < state.from || s.tier > state.to) return false;
    if (state.critical && !s.critical) return false;
    if (state.disclosed && s.problems.length === 0) return false;
    if (state.q && !s.name.toLowerCase().includes(state.q) && !s.id.toLowerCase().includes(state.q)) return false;
    return true;
  };
  const problemsCell = (s) => {
    const worst = Math.max(0, ...s.problems.map((p) => p.severity), s.undisclosed ? s.undisclosed.highest_severity : 0);
    const hidden = s.undisclosed ? s.undisclosed.count : 0;
    if (!s.problems.length && !hidden) return '—';
    return h('span', {}, s.problems.length ? t('sup.problems', { n: s.problems.length }) : null,
      hidden ? h('span', { class: 'muted', 'data-undisclosed': hidden }, `${s.problems.length ? ' · ' : ''}${t('sup.undisclosed', { n: hidden })}`) : null,
      ' ', sevBadge(worst));
  };
  const cols = [
    { label: t('col.tier'), value: (s) => s.tier, cls: 'num' },
    { label: t('col.name'), value: (s) => (map ? h('a', { href: `${chainHref}/map/${encodeURIComponent(s.id)}` }, s.name) : s.name) },
    { label: t('col.region'), value: (s) => { const f = firm.get(s.id); return f ? f.region_name || f.region || '—' : '—'; } },
    { label: t('col.critical'), value: (s) => (s.critical ? h('span', { class: 'tag red' }, t('legend.critical')) : '') },
    { label: t('col.risk'), value: (s) => { const r = risk(s, firm.get(s.id)); return h('span', {}, h('span', { class: 'dot', style: `background:${riskColour(r)}` }), ` ${r.toFixed(2)}`); }, cls: 'num' },
    { label: t('col.problems'), value: problemsCell },
  ];
  const draw = () => {
    const rows = all.filter(keep);
    shownLabel.textContent = t('sup.shown', { n: rows.length, total: all.length });
    if (rows.length === 0) {
      body.replaceChildren(h('div', { class: 'empty', 'data-none': '' }, t('sup.none')));
    } else if (state.mode === 'table') {
      const sorted = [...rows].sort((a, b) => a.tier - b.tier || (b.critical - a.critical) || a.name.localeCompare(b.name, 'zh'));
      body.replaceChildren(pagedTable(cols, sorted, { 'data-table': 'suppliers' }, (s) => ({ 'data-supplier': s.id, class: s.critical ? 'critical' : null })));
    } else {
      const tiers = new Map();
      for (const s of rows) {
        if (!tiers.has(s.tier)) tiers.set(s.tier, []);
        tiers.get(s.tier).push(s);
      }
      body.replaceChildren(h('div', { class: 'tiers' },
        h('section', { class: 'tier master-col' }, h('h3', {}, t('sup.master')), masterCard),
        [...tiers.keys()].sort((a, b) => a - b).map((tier) => {
          const list = tiers.get(tier);
          return h('section', { class: 'tier', 'data-tier': tier },
            h('h3', {}, t('sup.tier', { n: tier }), h('small', {}, ` · ${list.length}`)),
            list.slice(0, CARDS_PER_TIER).map(card),
            list.length > CARDS_PER_TIER ? h('p', { class: 'muted small', 'data-more': list.length - CARDS_PER_TIER }, t('search.more', { n: list.length - CARDS_PER_TIER })) : null);
        })));
    }
  };
  let typing = null;
  const search = h('input', { type: 'search', 'data-sup-filter': 'q', placeholder: t('sup.search'), size: 18 });
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = search.value.trim().toLowerCase(); draw(); }, 150);
  });
  const check = (name, label) => {
    const box = h('input', { type: 'checkbox', 'data-sup-filter': name });
    box.addEventListener('change', () => { state[name] = box.checked; draw(); });
    return h('label', { class: 'filter-check' }, box, ` ${label}`);
  };
  const tierInput = (name, value) => {
    const input = h('input', { type: 'number', min: 1, max: depth, value, 'data-sup-filter': `tier-${name}`, class: 'tier-input' });
    input.addEventListener('change', () => {
      const n = Math.max(1, Math.min(depth, parseInt(input.value, 10) || (name === 'from' ? 1 : depth)));
      input.value = n;
      state[name] = n;
      draw();
    });
    return input;
  };
  const modes = ['cards', 'table'].map((m) => {
    const b = h('button', { class: `btn small${state.mode === m ? ' primary' : ''}`, type: 'button', 'data-sup-mode': m }, t(`sup.${m}`));
    b.onclick = () => {
      state.mode = m;
      for (const x of modes) x.classList.toggle('primary', x.dataset.supMode === m);
      draw();
    };
    return b;
  });
  draw();
  return h('div', { class: 'sup-list' },
    h('div', { class: 'list-filters', 'data-filters': 'suppliers' },
      search, check('critical', t('sup.only_critical')), check('disclosed', t('sup.only_disclosed')),
      h('label', { class: 'tier-range' }, `${t('sup.tier_from')} `, tierInput('from', 1), ` ${t('sup.tier_to')} `, tierInput('to', depth)),
      h('span', { class: 'modes' }, modes), shownLabel),
    body);
}

// The disclosure requests an enterprise received (to answer) and sent (to follow).
async function inbox(chain) {
  const me = await api.me();
  let requests = [];
  try { requests = (await api.disclosureRequests()).filter((r) => r.chain === chain); } catch { return null; }
  const received = requests.filter((r) => r.supplier === me.org);
  const sent = requests.filter((r) => r.from === me.org);
  const status = (r) => h('span', { class: `tag${r.status === 'pending' ? ' amber' : ''}`, 'data-status': r.status }, t(`dis.${r.status}`));
  const answer = (r) => {
    if (r.status !== 'pending') return null;
    const level = h('select', { 'data-answer-level': r.id },
      ['customers', 'chain'].map((l) => h('option', { value: l }, t(`dis.${l}`))));
    const go = (accept) => async () => {
      try {
        await api.answerDisclosure(r.id, accept, level.value, '');
        location.reload();
      } catch (err) { level.title = err.message; }
    };
    return h('span', { class: 'dis-answer' }, level,
      h('button', { class: 'btn small primary', type: 'button', 'data-accept': r.id, onclick: go(true) }, t('dis.accept')),
      h('button', { class: 'btn small', type: 'button', 'data-decline': r.id, onclick: go(false) }, t('dis.decline')));
  };
  const row = (r, other) => h('li', { 'data-request': r.id },
    h('b', {}, other), ' ', status(r), ' ', h('span', { class: 'small muted' }, r.message), ' ', answer(r));
  return h('section', { class: 'card dis-inbox', 'data-inbox': '' },
    h('h2', {}, t('dis.inbox')),
    requests.length === 0 ? h('p', { class: 'muted' }, t('dis.none')) : null,
    received.length ? h('div', {}, h('h3', {}, t('dis.received')), h('ul', {}, received.map((r) => row(r, r.from)))) : null,
    sent.length ? h('div', {}, h('h3', {}, t('dis.sent')), h('ul', {}, sent.map((r) => row(r, r.supplier)))) : null);
}

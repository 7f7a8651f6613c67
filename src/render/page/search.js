// "Find anything": the search box in the page header, on every view. It asks
// GET /api/v1/organizations (name, pinyin initials such as `ndsd`, or full pinyin; only what the
// role may read) as one types and lists the hits with kind, region and chains. Enter or a click
// opens a firm on its chain map (an enterprise, which may not open maps, on its supplier view);
// a QI body or a firm on no chain one may open gets a details card (level, region, capabilities).

import { t } from './i18n.js';
import { api } from './api.js';
import { h, capLabels } from './util.js';

const LIMIT = 10;

/** Mounts the search box into the header, before `before`. */
export function mountSearch(header, before) {
  const input = h('input', {
    type: 'search', id: 'find', 'data-search': '', autocomplete: 'off', spellcheck: 'false',
    placeholder: t('search.placeholder'), 'aria-label': t('search.placeholder'),
  });
  const list = h('div', { class: 'search-results', 'data-search-results': '', role: 'listbox', hidden: true });
  const box = h('div', { class: 'search-box' }, input, list);
  const close = () => { list.hidden = true; };
  header.insertBefore(box, before);
  // The language switch (app.js) re-renders the view; the box keeps its text but not its words.
  const lang = document.getElementById('lang');
  if (lang) {
    lang.addEventListener('click', () => {
      input.placeholder = t('search.placeholder');
      input.setAttribute('aria-label', t('search.placeholder'));
      close();
    });
  }

  let hits = [];
  let active = 0;
  let asked = 0;
  let typing = null;
  const mark = () => {
    [...list.querySelectorAll('[data-hit]')].forEach((el, i) => el.classList.toggle('active', i === active));
  };
  const draw = (page, q) => {
    hits = page.organizations;
    active = 0;
    const more = page.total - hits.length;
    list.replaceChildren(...[
      hits.length === 0 ? h('div', { class: 'search-none muted', 'data-search-none': '' }, t('search.none')) : null,
      ...hits.map((o, i) => {
        const item = h('div', { class: 'search-hit', role: 'option', 'data-hit': o.id, 'data-kind': o.kind },
          h('b', {}, o.name),
          h('span', { class: 'muted small' }, [
            t(`kind.${o.kind}`),
            o.level ? t(`lv.${o.level}`) : null,
            o.region_name || o.region,
            o.chains.map((c) => c.name).join('、') || null,
          ].filter(Boolean).join(' · ')));
        item.addEventListener('mousedown', (e) => { e.preventDefault(); go(o); });
        item.addEventListener('mouseenter', () => { active = i; mark(); });
        return item;
      }),
      more > 0 ? h('div', { class: 'search-more muted small' }, t('search.more', { n: more })) : null,
    ].filter(Boolean));
    list.hidden = false;
    list.dataset.q = q;
    mark();
  };
  const ask = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) { hits = []; close(); return; }
    try {
      const page = await api.searchOrganizations({ q, limit: LIMIT });
      if (mine === asked) draw(page, q);
    } catch (e) {
      // Not logged in (401) or no right: the box simply finds nothing.
      if (mine === asked) draw({ organizations: [], total: 0 }, q);
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(ask, 200);
  });
  input.addEventListener('keydown', async (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (hits.length) {
        active = (active + (e.key === 'ArrowDown' ? 1 : hits.length - 1)) % hits.length;
        mark();
      }
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(typing);
      // Enter before the answer came: ask now, then go to the best hit.
      if (list.hidden || list.dataset.q !== input.value.trim()) await ask();
      if (hits[active]) go(hits[active]);
    } else if (e.key === 'Escape') {
      close();
      input.blur();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  input.addEventListener('focus', () => { if (hits.length && input.value.trim()) list.hidden = false; });

  async function go(o) {
    close();
    input.blur();
    let me = null;
    try { me = await api.me(); } catch { me = null; }
    const chain = o.chains[0];
    if (o.kind === 'enterprise' && chain) {
      const id = encodeURIComponent(chain.id);
      location.hash = me && me.role === 'enterprise'
        ? `#/chain/${id}/suppliers`
        : `#/chain/${id}/map/${encodeURIComponent(o.id)}`;
      return;
    }
    await details(o);
  }
}

// The details card of a QI body (or of a firm on no chain one may open): what it is, where, its
// level and capabilities, and the chains it sits on.
async function details(o) {
  let full = null;
  try { full = await api.organization(o.id); } catch { full = null; }
  const caps = full && full.capabilities ? full.capabilities.map((c) => c.code) : [];
  const old = document.querySelector('[data-org-details]');
  if (old) old.remove();
  const closeButton = h('button', { class: 'btn small', type: 'button', 'data-close': '' }, t('search.close'));
  const card = h('div', { class: 'org-details card', 'data-org-details': o.id, role: 'dialog' },
    h('div', { class: 'list-head' }, h('h2', {}, o.name), closeButton),
    h('dl', {},
      h('dt', {}, t('search.kind')), h('dd', {}, t(`kind.${o.kind}`), o.level ? ` · ${t(`lv.${o.level}`)}` : ''),
      h('dt', {}, t('search.region')), h('dd', {}, o.region_name || o.region || '—'),
      caps.length ? [h('dt', {}, t('search.capabilities')), h('dd', { 'data-capabilities': '' }, capLabels(caps))] : null,
      o.chains.length ? [h('dt', {}, t('nav.chains')), h('dd', {}, o.chains.map((c) => h('a', {
        href: `#/chain/${encodeURIComponent(c.id)}`, class: 'tag', onclick: () => card.remove(),
      }, c.name)))] : null));
  closeButton.onclick = () => card.remove();
  // The card belongs to the view it was opened on: another view closes it.
  window.addEventListener('hashchange', () => card.remove(), { once: true });
  document.body.append(card);
}

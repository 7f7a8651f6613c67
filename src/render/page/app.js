// The page's entry point: hash routing between the views, the language switch, and the error
// hook that browser tests read (window.__qmapErrors, set up in index.html).

import { t, getLang, setLang } from './i18n.js';
import { h } from './util.js';
import { api, getToken, setToken, loadCatalogue } from './api.js';
import { renderChains } from './chains.js';
import { renderMapView } from './mapview.js';
import { renderScenario } from './scenario.js';
import { renderSuppliers } from './suppliers.js';
import { renderLists } from './lists.js';
import { renderCompare } from './compare.js';
import { renderChanges } from './changes.js';
import { renderGoals } from './goals.js';
import { renderRegions } from './regions.js';
import { mountSearch } from './search.js';
import { renderNotices, refreshNoticeBadge } from './notices.js';
import { renderWhatIf } from './whatif.js';

const view = document.getElementById('view');
let generation = 0;

/**
 * Routes: `#/`, `#/compare`, `#/goals`, `#/notices`, `#/regions[/XX]`, `#/whatif`,
 * `#/chain/ID[/map/FIRM | /scenario | /suppliers[/ORG] | /lists | /changes[/FROM/TO] | /regions[/XX] | /whatif]`.
 */
function route(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'chains', render: renderChains, params: {} };
  if (parts[0] === 'compare') return { name: 'compare', render: renderCompare, params: {} };
  if (parts[0] === 'goals') return { name: 'goals', render: renderGoals, params: {} };
  if (parts[0] === 'notices') return { name: 'notices', render: renderNotices, params: {} };
  if (parts[0] === 'regions') return { name: 'regions', render: renderRegions, params: { province: parts[1] } };
  if (parts[0] === 'whatif') return { name: 'whatif', render: renderWhatIf, params: {} };
  if (parts[0] === 'chain' && parts[1]) {
    const id = parts[1];
    switch (parts[2]) {
      case undefined:
      case 'map': return { name: 'map', render: renderMapView, params: { id, firm: parts[3] } };
      case 'scenario': return { name: 'scenario', render: renderScenario, params: { id } };
      case 'suppliers': return { name: 'suppliers', render: renderSuppliers, params: { id, org: parts[3] } };
      case 'lists': return { name: 'lists', render: renderLists, params: { id } };
      case 'changes': return { name: 'changes', render: renderChanges, params: { id, from: parts[3], to: parts[4] } };
      case 'regions': return { name: 'regions', render: renderRegions, params: { id, province: parts[3] } };
      case 'whatif': return { name: 'whatif', render: renderWhatIf, params: { id } };
      default: break;
    }
  }
  return null;
}

function translateStatic() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  document.getElementById('lang').textContent = getLang() === 'zh' ? 'EN' : '中文';
  document.title = `qmap · ${t('brand')}`;
}

// A dataset-wide read is being computed (see `request` in api.js): the loading line says so.
window.addEventListener('qmap:computing', () => {
  const loading = view.querySelector('.loading');
  if (loading) loading.replaceChildren(h('span', { class: 'spinner' }), t('scope.computing'));
});

async function show() {
  const mine = ++generation;
  const r = route(location.hash);
  document.body.dataset.view = r ? r.name : 'notfound';
  delete document.body.dataset.ready;
  // One chain's geographic view belongs to the chains; #/regions has its own entry.
  const nav = r && r.name === 'regions' && r.params.id ? 'chain-regions' : r && r.name;
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.classList.toggle('active', r != null && (a.dataset.nav === nav || (a.dataset.nav === 'chains' && nav !== 'compare' && nav !== 'goals' && nav !== 'regions' && nav !== 'notices')));
  }
  view.replaceChildren(h('div', { class: 'loading' }, h('span', { class: 'spinner' }), t('loading')));
  if (!r) {
    view.replaceChildren(h('div', { class: 'empty' }, t('notfound')));
    document.body.dataset.ready = '1';
    return;
  }
  const ctx = { isCurrent: () => mine === generation };
  try {
    const node = h('div', { class: `view view-${r.name}` });
    await loadCatalogue();
    await r.render(node, r.params, ctx);
    if (!ctx.isCurrent()) return;
    view.replaceChildren(node);
    node.dispatchEvent(new CustomEvent('qmap:shown'));
  } catch (e) {
    if (!ctx.isCurrent()) return;
    if (e.status === 401) {
      view.replaceChildren(loginForm(getToken() ? t('login.bad') : ''));
      document.body.dataset.ready = '1';
      return;
    }
    if (e.status === 403) {
      view.replaceChildren(h('div', { class: 'error-box' }, h('h2', {}, t('login.forbidden')),
        h('p', {}, h('a', { href: '#/' }, t('nav.chains')))));
      document.body.dataset.ready = '1';
      return;
    }
    console.error(e);
    view.replaceChildren(h('div', { class: 'error-box' },
      h('h2', {}, t('error')), h('p', {}, String(e.message || e)),
      h('button', { class: 'btn', onclick: show }, t('retry'))));
  }
  document.body.dataset.ready = '1';
  // Milliseconds from navigation start to a drawn view: what the large-chain benchmark reads.
  window.__qmapReadyAt = performance.now();
}

/** The login form: a token pasted once, kept in localStorage. */
function loginForm(problem) {
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', placeholder: 'qmap_…', size: 60 });
  const submit = (ev) => {
    ev.preventDefault();
    setToken(input.value.trim());
    updateUser();
    show();
  };
  return h('form', { class: 'card login', onsubmit: submit },
    h('h2', {}, t('login.title')),
    h('p', { class: 'muted' }, t('login.sub')),
    problem ? h('p', { class: 'error-text' }, problem) : null,
    h('label', {}, `${t('login.token')} `, input),
    h('button', { class: 'btn primary', type: 'submit' }, t('login.go')));
}

/** The header's user box: the role of the token (or the demo visitor) and log in / out. */
async function updateUser() {
  const box = document.getElementById('user');
  let me = null;
  try { me = await api.me(); } catch { me = null; }
  const compare = document.querySelector('[data-nav="compare"]');
  if (compare) compare.hidden = !!me && !me.compares;
  // The all-chains map needs the same right as the comparison (dataset-wide aggregates).
  const regions = document.querySelector('[data-nav="regions"]');
  if (regions) regions.hidden = !!me && !me.compares;
  const button = getToken()
    ? h('button', { class: 'lang', type: 'button', onclick: () => { setToken(''); updateUser(); show(); } }, t('logout'))
    : h('button', { class: 'lang', type: 'button', onclick: () => view.replaceChildren(loginForm('')) }, t('login'));
  box.replaceChildren(whoLabel(me), button);
  refreshNoticeBadge();
}

/**
 * Who is logged in, for the header: the organization's name (its id on hover) and the role.
 * One small element, so that other header items (a search box) can sit beside it.
 */
export function whoLabel(me) {
  if (!me) return h('span', { class: 'muted user-role' });
  const role = t(`role.${me.role}`);
  const org = me.org ? (me.org_name || me.org) : '';
  return h('span', { class: 'muted user-role', 'data-role': me.role, title: me.org || '' },
    org ? h('span', { class: 'user-org' }, org) : null, org ? ' · ' : null, role);
}

document.getElementById('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  translateStatic();
  updateUser();
  show();
});
window.addEventListener('hashchange', show);
setLang(getLang());
translateStatic();
mountSearch(document.querySelector('header.top'), document.getElementById('user'));
updateUser();
show();

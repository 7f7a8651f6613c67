// The page's entry point: hash routing between the views, the language switch, and the error
// hook that browser tests read (window.__qmapErrors, set up in index.html).

import { t, getLang, setLang } from './i18n.js';
import { h } from './util.js';
import { renderChains } from './chains.js';
import { renderMapView } from './mapview.js';
import { renderScenario } from './scenario.js';
import { renderSuppliers } from './suppliers.js';
import { renderLists } from './lists.js';
import { renderCompare } from './compare.js';

const view = document.getElementById('view');
let generation = 0;

/** Routes: `#/`, `#/compare`, `#/chain/ID[/map/FIRM | /scenario | /suppliers[/ORG] | /lists]`. */
function route(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'chains', render: renderChains, params: {} };
  if (parts[0] === 'compare') return { name: 'compare', render: renderCompare, params: {} };
  if (parts[0] === 'chain' && parts[1]) {
    const id = parts[1];
    switch (parts[2]) {
      case undefined:
      case 'map': return { name: 'map', render: renderMapView, params: { id, firm: parts[3] } };
      case 'scenario': return { name: 'scenario', render: renderScenario, params: { id } };
      case 'suppliers': return { name: 'suppliers', render: renderSuppliers, params: { id, org: parts[3] } };
      case 'lists': return { name: 'lists', render: renderLists, params: { id } };
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

async function show() {
  const mine = ++generation;
  const r = route(location.hash);
  document.body.dataset.view = r ? r.name : 'notfound';
  delete document.body.dataset.ready;
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.classList.toggle('active', r != null && (a.dataset.nav === r.name || (a.dataset.nav === 'chains' && r.name !== 'compare')));
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
    await r.render(node, r.params, ctx);
    if (!ctx.isCurrent()) return;
    view.replaceChildren(node);
    node.dispatchEvent(new CustomEvent('qmap:shown'));
  } catch (e) {
    if (!ctx.isCurrent()) return;
    console.error(e);
    view.replaceChildren(h('div', { class: 'error-box' },
      h('h2', {}, t('error')), h('p', {}, String(e.message || e)),
      h('button', { class: 'btn', onclick: show }, t('retry'))));
  }
  document.body.dataset.ready = '1';
}

document.getElementById('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  translateStatic();
  show();
});
window.addEventListener('hashchange', show);
setLang(getLang());
translateStatic();
show();

// The scenario view: choose failures (all foreign suppliers, a region prefix, named firms), run
// POST /chains/{id}/scenarios, and grey out the firms and masters it disables on the map.

import { t } from './i18n.js';
import { api } from './api.js';
import { h } from './util.js';
import { mountMap } from './mapview.js';

export async function renderScenario(root, params) {
  let result = null;
  let disabledIds = new Map();
  const view = await mountMap(params.id, {
    routeName: 'scenario',
    disabledOf: (id) => disabledIds.has(id),
  });
  const map = view.getMap();
  const firmName = (id) => (map.firms.find((f) => f.id === id) || { name: id }).name;

  const foreignBox = h('input', { type: 'checkbox', 'data-scn': 'all_foreign' });
  const regionBox = h('input', { type: 'checkbox', 'data-scn': 'region' });
  const regionInput = h('input', { type: 'text', list: 'scn-regions', placeholder: t('scn.region_ph'), 'data-scn': 'region_prefix', inputmode: 'numeric', size: 16 });
  regionInput.addEventListener('input', () => { regionBox.checked = regionInput.value.trim() !== ''; });
  const prefixes = new Map();
  for (const f of map.firms) {
    if (!f.region) continue;
    for (const p of [f.region.slice(0, 2), f.region.slice(0, 4)]) prefixes.set(p, (prefixes.get(p) || 0) + 1);
  }
  const datalist = h('datalist', { id: 'scn-regions' },
    [...prefixes].sort().map(([p, n]) => h('option', { value: p }, `${p}（${t('map.firms_in', { n })}）`)));

  const firmsBox = h('input', { type: 'checkbox', 'data-scn': 'firms' });
  const firmSelect = h('select', { multiple: true, size: 7, 'data-scn': 'firm_select' },
    map.firms.map((f) => h('option', { value: f.id }, `${f.name}${f.critical ? ' ★' : ''}${f.foreign ? ` (${f.country || t('panel.foreign')})` : ''}`)));
  firmSelect.addEventListener('change', () => { firmsBox.checked = firmSelect.selectedOptions.length > 0; });
  const search = h('input', { type: 'search', placeholder: t('scn.firms_ph') });
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    for (const o of firmSelect.options) o.hidden = q !== '' && !o.textContent.toLowerCase().includes(q) && !o.value.includes(q);
  });

  const resultBox = h('div', { class: 'scn-result', 'data-scn': 'result' });
  const runBtn = h('button', { class: 'btn primary', type: 'button', 'data-action': 'run' }, t('scn.run'));
  const clearBtn = h('button', { class: 'btn', type: 'button', 'data-action': 'clear' }, t('scn.clear'));

  function failures() {
    const list = [];
    if (foreignBox.checked) list.push('all_foreign');
    const prefix = regionInput.value.trim();
    if (regionBox.checked && prefix) list.push({ region_prefix: prefix });
    const firms = [...firmSelect.selectedOptions].map((o) => o.value);
    if (firmsBox.checked && firms.length) list.push({ firms });
    return list;
  }

  function showResult() {
    view.getController().setDisabled(result ? result.disabled : null);
    document.body.dataset.scenarioDisabled = result ? String(result.disabled.length) : '';
    if (!result) { resultBox.replaceChildren(); return; }
    const masters = result.disabled_masters;
    resultBox.replaceChildren(
      h('p', { class: 'scn-summary' }, t('scn.result', { failed: result.failed_count, disabled: result.disabled.length, masters: masters.length })),
      masters.length
        ? h('div', { class: 'tags' }, h('b', {}, `${t('scn.masters_hit')}：`), masters.map((m) => h('span', { class: 'tag red' }, firmName(m))))
        : h('p', { class: 'ok' }, t('scn.none')));
  }

  runBtn.addEventListener('click', async () => {
    const list = failures();
    if (list.length === 0) {
      resultBox.replaceChildren(h('p', { class: 'muted' }, t('scn.pick')));
      return;
    }
    runBtn.disabled = true;
    try {
      result = await api.scenario(params.id, list);
      disabledIds = new Map(result.disabled.map((d) => [d.id, d]));
      showResult();
    } catch (e) {
      console.error(e);
      resultBox.replaceChildren(h('p', { class: 'gap' }, String(e.message || e)));
    } finally {
      runBtn.disabled = false;
    }
  });
  clearBtn.addEventListener('click', () => {
    result = null;
    disabledIds = new Map();
    foreignBox.checked = regionBox.checked = firmsBox.checked = false;
    regionInput.value = '';
    for (const o of firmSelect.options) o.selected = false;
    showResult();
  });
  view.onRedraw(() => showResult());

  const card = h('section', { class: 'card scn-card' },
    h('div', { class: 'scn-head' }, h('h2', {}, t('scn.title')), h('p', { class: 'muted' }, t('scn.sub'))),
    h('div', { class: 'scn-options' },
      h('label', { class: 'scn-opt' }, foreignBox, h('span', {}, t('scn.all_foreign'))),
      h('div', { class: 'scn-opt' }, h('label', {}, regionBox, h('span', {}, t('scn.region'))), regionInput, datalist),
      h('div', { class: 'scn-opt wide' }, h('label', {}, firmsBox, h('span', {}, t('scn.firms'))), search, firmSelect),
      h('div', { class: 'scn-actions' }, runBtn, clearBtn)),
    resultBox);
  view.root.insertBefore(card, view.root.querySelector('.toolbar'));
  root.append(view.root);
  root.addEventListener('qmap:shown', () => view.draw(), { once: true });
}

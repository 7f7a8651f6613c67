// The what-if view (`#/chain/ID/whatif`, or `#/whatif` for every chain with capacities shared):
// accept build recommendations or capacity advice with one click, add hypothetical providers
// (level, city, capability, capacity) or remove real ones, run POST /api/v1/what-if, and compare
// coverage before and after: totals, by element and by region, with deltas.

import { t as tr, getLang, ELEMENTS } from './i18n.js';
import { api } from './api.js';
import { h, capName, capLabel, coveragePct, table, asOfLine } from './util.js';
import { loadEcharts } from './regions.js';

// This view's texts (kept here so that other views' edits of i18n.js do not collide with it).
const TEXT = {
  zh: {
    title: '新建与调整推演', sub: '假设新建、扩容或撤销质量基础设施服务机构，比较前后的需求覆盖。',
    recs: '建设建议', recs_none: '没有基础设施缺口，无需新建', advice: '扩容建议', advice_none: '没有产能缺口',
    accept: '采纳', accepted: '已采纳', alternatives: '或建', add: '新增机构', level: '层级', city: '城市', code: '能力',
    capacity: '容量', capacity_ph: '不限', add_btn: '加入', remove: '撤销现有机构', remove_ph: '搜索机构名称…',
    remove_btn: '撤销', change: '本次推演', change_none: '尚未添加任何变化', run: '开始推演', clear: '清除',
    before: '推演前', after: '推演后', delta: '变化', totals: '总体', by_element: '按要素', by_region: '按地区',
    needs_assigned: '已满足需求', needs_reachable: '可达需求', severity_assigned: '已满足严重度', share: '覆盖率',
    region: '地区', element: '要素', severity: '严重度', needs: '需求', firms: '企业', expand: '为「{code}」扩容 {n}',
    add_item: '新增 {level} · {city} · {code}{cap}', remove_item: '撤销 {name}', cap: '（容量 {n}）',
    unlock: '可多满足严重度 {n}', within: '仅限辖区 {w}', no_region_change: '各地区覆盖不变',
    national: '国家级', provincial: '省级', municipal: '市级', all_chains: '全部产业链（共享产能）',
    pick_city: '请选择城市', pick_code: '请选择能力',
    map: '按地区地图', map_sub: '覆盖率（已满足严重度 / 需求严重度）；圆点为假设新建的机构', map_cn: '全国各省', map_province: '{name}各市',
    show_before: '推演前', show_after: '推演后', show_change: '变化', pp: '{n} 个百分点', new_provider: '新建机构',
  },
  en: {
    title: 'What-if: build, expand, remove', sub: 'Assume QI providers are built, expanded or closed and compare the coverage of needs before and after.',
    recs: 'Build recommendations', recs_none: 'No infrastructure gap: nothing to build', advice: 'Capacity advice', advice_none: 'No capacity gap',
    accept: 'Accept', accepted: 'Accepted', alternatives: 'or', add: 'Add a provider', level: 'Level', city: 'City', code: 'Capability',
    capacity: 'Capacity', capacity_ph: 'unlimited', add_btn: 'Add', remove: 'Remove a provider', remove_ph: 'Search providers…',
    remove_btn: 'Remove', change: 'This what-if', change_none: 'No change yet', run: 'Run', clear: 'Clear',
    before: 'Before', after: 'After', delta: 'Change', totals: 'Totals', by_element: 'By element', by_region: 'By region',
    needs_assigned: 'Needs met', needs_reachable: 'Needs reachable', severity_assigned: 'Severity met', share: 'Coverage',
    region: 'Region', element: 'Element', severity: 'Severity', needs: 'Needs', firms: 'Firms', expand: 'expand for "{code}" by {n}',
    add_item: 'Add {level} · {city} · {code}{cap}', remove_item: 'Remove {name}', cap: ' (capacity {n})',
    unlock: 'unlocks severity {n}', within: 'inside {w} only', no_region_change: 'No region changes',
    national: 'national', provincial: 'provincial', municipal: 'municipal', all_chains: 'All chains (capacities shared)',
    pick_city: 'Choose a city', pick_code: 'Choose a capability',
    map: 'On the map', map_sub: 'Coverage share (severity met / severity of needs); dots are the hypothetical providers', map_cn: 'Provinces of China', map_province: 'Cities of {name}',
    show_before: 'Before', show_after: 'After', show_change: 'Change', pp: '{n} points', new_provider: 'New provider',
  },
};

function t(key, vars = {}) {
  const text = (TEXT[getLang()] || TEXT.zh)[key] ?? TEXT.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

const LEVELS = ['municipal', 'provincial', 'national'];

/** A signed difference, `+3`, `−2` or `0`, marked up or down. */
function delta(before, after, digits = 0) {
  const d = after - before;
  const text = d === 0 ? '0' : `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(digits)}`;
  return h('span', { class: `wi-delta${d > 0 ? ' up' : d < 0 ? ' down' : ''}`, 'data-delta': String(d) }, text);
}

/** Rows of before/after/delta for the figures of two Coverage objects. */
function figureRows(before, after) {
  return [
    ['needs_assigned', before.needs_assigned, after.needs_assigned, 0],
    ['needs_reachable', before.needs_reachable, after.needs_reachable, 0],
    ['severity_assigned', before.severity_assigned, after.severity_assigned, 0],
    ['share', coveragePct(before), coveragePct(after), 0],
  ].map(([key, b, a, digits]) => ({ key, b, a, digits }));
}

/** Joins two breakdown lists (by_element, by_province, by_city) on `key`. */
function joined(before, after, key) {
  const rows = new Map();
  for (const r of before) rows.set(r[key], { id: r[key], name: r.name, b: r.coverage, a: null });
  for (const r of after) {
    const row = rows.get(r[key]) || { id: r[key], name: r.name, b: null, a: null };
    row.a = r.coverage;
    rows.set(r[key], row);
  }
  const zero = { needs_total: 0, needs_reachable: 0, needs_assigned: 0, severity_total: 0, severity_assigned: 0 };
  return [...rows.values()].map((r) => ({ ...r, b: r.b || zero, a: r.a || zero }));
}

export async function renderWhatIf(root, params, ctx) {
  const chain = params.id || null;
  const [gaps, report] = await Promise.all([
    chain ? api.gaps(chain) : Promise.resolve(null),
    chain ? api.coverage(chain) : api.datasetCoverage(),
  ]);
  const recommendations = gaps ? gaps.recommendations : report.recommendations;
  const advice = gaps ? gaps.capacity_advice || [] : [];
  // Cities the API knows (GB/T 2260, with names), for the picker; the cities of the coverage
  // report when the boundaries cannot be read.
  let cities = [];
  let cityDoc = null;
  try {
    const geo = await api.regions(chain, 'city');
    cityDoc = geo;
    cities = geo.features.map((f) => ({ code: f.properties.code, name: f.properties.name }));
  } catch {
    cities = report.by_city.filter((c) => c.region !== 'foreign').map((c) => ({ code: `${c.region}00`, name: c.name || c.region }));
  }
  const cityName = (region) => {
    const c = cities.find((x) => x.code.slice(0, 4) === String(region).slice(0, 4));
    return c ? c.name : region;
  };
  const codes = new Set([
    ...recommendations.map((r) => r.code),
    ...advice.map((a) => a.code),
    ...(report.gaps ? [...report.gaps.infrastructure, ...report.gaps.capacity].map((g) => g.code) : []),
  ]);
  try { for (const c of await api.capabilities()) codes.add(c.code); } catch { /* codes of the gaps only */ }
  // Providers that may be removed: those named by the capacity advice, and for readers of the
  // chain's map its QI band.
  const providers = new Map(advice.map((a) => [a.provider, a.provider_name]));
  const me = await api.me();
  if (chain && me.chains.some((c) => c.id === chain)) {
    try {
      const map = await api.map(chain);
      for (const p of map.providers) providers.set(p.id, p.name);
    } catch { /* only the advised providers */ }
  }

  const change = { add: [], remove: [] };
  const changeBox = h('ul', { class: 'wi-change', 'data-wi': 'change' });
  const resultBox = h('div', { class: 'wi-result', 'data-wi': 'result' });
  let counter = 0;

  function renderChange() {
    const items = [
      ...change.add.map((p, i) => h('li', { 'data-wi-add': p.id },
        t('add_item', { level: t(p.level), city: cityName(p.region), code: capName(p.code), cap: p.capacity ? t('cap', { n: p.capacity }) : '' }),
        h('button', { class: 'link', type: 'button', onclick: () => { change.add.splice(i, 1); renderChange(); } }, '×'))),
      ...change.remove.map((id, i) => h('li', { 'data-wi-remove': id },
        t('remove_item', { name: providers.get(id) || id }),
        h('button', { class: 'link', type: 'button', onclick: () => { change.remove.splice(i, 1); renderChange(); } }, '×'))),
    ];
    changeBox.replaceChildren(...(items.length ? items : [h('li', { class: 'muted' }, t('change_none'))]));
    runBtn.disabled = items.length === 0;
  }

  function addProvider(p) {
    counter += 1;
    change.add.push({ ...p, id: `whatif-${counter}-${p.id || 'new'}`, name: p.name || `新建 ${t(p.level)} ${capName(p.code)}` });
    renderChange();
  }

  // Recommendations: the smallest level, and its alternatives, each accepted with one click.
  const recRows = recommendations.map((r) => {
    const options = [r, ...(r.alternatives || [])].map((o) => {
      const region = o.city ? `${o.city}00` : '110000';
      return h('button', {
        class: 'btn small', type: 'button', 'data-action': 'accept-rec', 'data-level': o.level,
        onclick: (ev) => {
          addProvider({ id: `${r.code}-${region}-${o.level}`, level: o.level, region, code: r.code, capacity: null });
          ev.target.disabled = true;
          ev.target.textContent = t('accepted');
        },
      }, `${t('accept')} ${t(o.level)}（${t('severity')} ${o.severity}）`);
    });
    return h('li', { 'data-wi-rec': r.code },
      capLabel(r.code), ' · ', r.city_name || r.city || '—', ' · ',
      `${t('needs')} ${r.needs} · ${t('severity')} ${r.severity} · ${t('firms')} ${r.firms} `,
      h('span', { class: 'wi-options' }, options));
  });
  const adviceRows = advice.map((a) => h('li', { 'data-wi-advice': a.provider },
    `${a.provider_name}：${t('expand', { code: capName(a.code), n: a.expand_by })}，${t('unlock', { n: a.severity })} `,
    h('button', {
      class: 'btn small', type: 'button', 'data-action': 'accept-advice',
      // A second provider of the same level in the same place with the extra capacity serves
      // exactly the firms the expanded one would.
      onclick: (ev) => {
        addProvider({ id: `${a.provider}-more`, name: `${a.provider_name} +${a.expand_by}`, level: a.level, region: a.region, code: a.code, capacity: a.expand_by });
        ev.target.disabled = true;
        ev.target.textContent = t('accepted');
      },
    }, t('accept'))));

  // The form for a provider of one's own.
  const levelSel = h('select', { 'data-wi': 'level' }, LEVELS.map((l) => h('option', { value: l }, t(l))));
  const citySel = h('select', { 'data-wi': 'city' },
    h('option', { value: '' }, t('pick_city')),
    cities.map((c) => h('option', { value: c.code }, `${c.name}（${c.code.slice(0, 4)}）`)));
  const codeSel = h('select', { 'data-wi': 'code' },
    h('option', { value: '' }, t('pick_code')),
    [...codes].sort().map((c) => h('option', { value: c }, capName(c) === c ? c : `${capName(c)}（${c}）`)));
  const capInput = h('input', { type: 'number', min: 1, step: 1, placeholder: t('capacity_ph'), 'data-wi': 'capacity', size: 6 });
  const addBtn = h('button', {
    class: 'btn', type: 'button', 'data-action': 'add-provider',
    onclick: () => {
      if (!citySel.value || !codeSel.value) { alert(!citySel.value ? t('pick_city') : t('pick_code')); return; }
      const cap = parseInt(capInput.value, 10);
      addProvider({ level: levelSel.value, region: citySel.value, code: codeSel.value, capacity: cap >= 1 ? cap : null });
    },
  }, t('add_btn'));

  // Removing a real provider, found by name.
  const removeInput = h('input', { type: 'search', list: 'wi-providers', placeholder: t('remove_ph'), 'data-wi': 'remove' });
  const datalist = h('datalist', { id: 'wi-providers' },
    [...providers].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h('option', { value: name }, id)));
  const removeBtn = h('button', {
    class: 'btn', type: 'button', 'data-action': 'remove-provider',
    onclick: () => {
      const q = removeInput.value.trim();
      const hit = [...providers].find(([id, name]) => name === q || id === q);
      if (hit && !change.remove.includes(hit[0])) change.remove.push(hit[0]);
      removeInput.value = '';
      renderChange();
    },
  }, t('remove_btn'));

  const runBtn = h('button', { class: 'btn primary', type: 'button', 'data-action': 'run' }, t('run'));
  const clearBtn = h('button', { class: 'btn', type: 'button', 'data-action': 'clear' }, t('clear'));
  clearBtn.addEventListener('click', () => {
    change.add = [];
    change.remove = [];
    renderChange();
    resultBox.replaceChildren();
    delete document.body.dataset.whatif;
  });
  runBtn.addEventListener('click', async () => {
    runBtn.disabled = true;
    try {
      const result = await api.whatIf({ ...(chain ? { chain } : {}), add: change.add, remove: change.remove });
      showResult(result);
    } catch (e) {
      resultBox.replaceChildren(h('p', { class: 'error-text' }, e.message));
    } finally {
      runBtn.disabled = change.add.length + change.remove.length === 0;
    }
  });

  let shown = 0;
  function showResult(r) {
    shown += 1;
    const b = r.before.coverage, a = r.after.coverage;
    const totals = table([
      { label: '', value: (x) => t(x.key) },
      { label: t('before'), value: (x) => x.key === 'share' ? `${x.b}%` : String(x.b), cls: 'num' },
      { label: t('after'), value: (x) => x.key === 'share' ? `${x.a}%` : String(x.a), cls: 'num' },
      { label: t('delta'), value: (x) => delta(x.b, x.a, x.digits), cls: 'num' },
    ], figureRows(b, a), { 'data-table': 'whatif-totals' }, (x) => ({ 'data-figure': x.key }));
    const breakdown = (rows, label, name, attr) => table([
      { label, value: name },
      { label: `${t('needs_assigned')} ${t('before')}`, value: (x) => String(x.b.needs_assigned), cls: 'num' },
      { label: t('after'), value: (x) => String(x.a.needs_assigned), cls: 'num' },
      { label: t('delta'), value: (x) => delta(x.b.needs_assigned, x.a.needs_assigned), cls: 'num' },
      { label: `${t('share')} ${t('before')}`, value: (x) => `${coveragePct(x.b)}%`, cls: 'num' },
      { label: t('after'), value: (x) => `${coveragePct(x.a)}%`, cls: 'num' },
      { label: t('delta'), value: (x) => delta(coveragePct(x.b), coveragePct(x.a)), cls: 'num' },
    ], rows, { 'data-table': attr }, (x) => ({ 'data-row': x.id }));
    const elements = joined(r.before.by_element, r.after.by_element, 'element')
      .filter((x) => x.b.needs_total > 0)
      .sort((x, y) => ELEMENTS.indexOf(x.id) - ELEMENTS.indexOf(y.id));
    const changed = (x) => x.a.needs_assigned !== x.b.needs_assigned || x.a.needs_reachable !== x.b.needs_reachable;
    const regionName = (x) => x.id === 'foreign' ? tr('panel.foreign') : (x.name || x.id);
    const provinces = joined(r.before.by_province, r.after.by_province, 'region').filter(changed);
    const citiesChanged = joined(r.before.by_city, r.after.by_city, 'region').filter(changed);
    resultBox.replaceChildren(
      h('h2', {}, t('totals')), totals,
      h('h2', {}, t('by_element')), breakdown(elements, t('element'), (x) => tr(`el.${x.id}`), 'whatif-elements'),
      h('h2', {}, t('by_region')),
      provinces.length || citiesChanged.length
        ? h('div', {}, breakdown(provinces, t('region'), regionName, 'whatif-provinces'),
          breakdown(citiesChanged, t('city'), regionName, 'whatif-cities'))
        : h('p', { class: 'muted' }, t('no_region_change')));
    const mapCard = h('section', { class: 'card wi-map-card' });
    resultBox.append(mapCard);
    const run = shown;
    whatIfMap(mapCard, r, chain, cityDoc, [...change.add]).catch((e) => {
      if (run === shown) mapCard.replaceChildren(h('p', { class: 'error-text' }, e.message));
    });
    document.body.dataset.whatif = String(a.needs_assigned - b.needs_assigned);
  }

  // Every chain's coverage right after a write may be an earlier revision's: said so; once the
  // current one is computed, the view is shown anew unless a change is being put together.
  const line = chain ? null : asOfLine(tr, [report, cityDoc], async () => [await api.datasetCoverage()], () => {
    if (!change.add.length && !change.remove.length) window.dispatchEvent(new HashChangeEvent('hashchange'));
  }, ctx);
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, t('title')),
      h('p', { class: 'sub' }, chain ? t('sub') : `${t('all_chains')}。${t('sub')}`)),
    ...(line ? [line] : []),
    h('div', { class: 'wi-grid' },
      h('section', { class: 'card' },
        h('h2', {}, t('recs'), gaps && gaps.within ? h('small', { class: 'muted' }, ` ${t('within', { w: gaps.within })}`) : null),
        recRows.length ? h('ul', { class: 'wi-list', 'data-wi': 'recs' }, recRows) : h('p', { class: 'muted' }, t('recs_none')),
        chain ? h('h2', {}, t('advice')) : null,
        chain ? (adviceRows.length ? h('ul', { class: 'wi-list', 'data-wi': 'advice' }, adviceRows) : h('p', { class: 'muted' }, t('advice_none'))) : null),
      h('section', { class: 'card' },
        h('h2', {}, t('add')),
        h('div', { class: 'wi-form' },
          h('label', {}, `${t('level')} `, levelSel), h('label', {}, `${t('city')} `, citySel),
          h('label', {}, `${t('code')} `, codeSel), h('label', {}, `${t('capacity')} `, capInput), addBtn),
        providers.size ? h('h2', {}, t('remove')) : null,
        providers.size ? h('div', { class: 'wi-form' }, removeInput, datalist, removeBtn) : null,
        h('h2', {}, t('change')), changeBox,
        h('div', { class: 'card-actions' }, runBtn, clearBtn))),
    resultBox);
  renderChange();
}

/** Share of the severity met, 0..1, or null without needs. */
function share(c) {
  return c.severity_total > 0 ? c.severity_assigned / c.severity_total : null;
}

/** The centre of a region's largest ring (the area-weighted centroid of its polygon). */
function centre(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = null;
  for (const polygon of polygons) {
    const ring = polygon[0];
    let area = 0, x = 0, y = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      area += f;
      x += (ring[j][0] + ring[i][0]) * f;
      y += (ring[j][1] + ring[i][1]) * f;
    }
    if (area !== 0 && (!best || Math.abs(area) > Math.abs(best.area))) best = { area, at: [x / (3 * area), y / (3 * area)] };
  }
  return best ? best.at : null;
}

/** The shown figure, kept for the visit: `before`, `after` or `change`. */
let mapMetric = 'change';

/**
 * The what-if on a map: a choropleth of the coverage share before, after, or of its change
 * (a diverging scale, in percentage points) by province of China, or by city of the chain's
 * province when all its domestic needs lie in one; the hypothetical providers as dots at their
 * city's centre. Boundaries come from GET /api/v1/coverage/regions.geojson, drawn as the
 * geographic view (regions.js) draws them.
 */
async function whatIfMap(card, r, chain, cityDoc, added) {
  const domestic = r.before.by_province.filter((p) => p.region !== 'foreign' && p.coverage.needs_total > 0);
  const province = domestic.length === 1 ? domestic[0].region : null;
  const level = province ? 'city' : 'province';
  const [echarts, doc] = await Promise.all([loadEcharts(), api.regions(chain, level, province)]);
  // A later run replaced this result while the boundaries loaded.
  if (!card.isConnected) return;
  const digits = province ? 4 : 2;
  const rows = new Map(joined(
    province ? r.before.by_city : r.before.by_province,
    province ? r.after.by_city : r.after.by_province,
    'region',
  ).map((x) => [x.id, x]));
  const features = doc.features;
  const rowOf = (code) => rows.get(code.slice(0, digits));
  const value = (code, metric) => {
    const row = rowOf(code);
    if (!row) return NaN;
    const b = share(row.b), a = share(row.a);
    if (metric === 'before') return b == null ? NaN : b * 100;
    if (metric === 'after') return a == null ? NaN : a * 100;
    return b == null && a == null ? NaN : ((a ?? 0) - (b ?? 0)) * 100;
  };
  const nameOf = new Map(features.map((f) => [f.properties.code, f.properties.name]));
  // The hypothetical providers inside the drawn area, at their city's centre.
  const centres = new Map((cityDoc ? cityDoc.features : []).map((f) => [f.properties.code.slice(0, 4), f]));
  const points = added.map((p) => {
    const f = centres.get(String(p.region).slice(0, 4));
    const at = f && f.geometry ? centre(f.geometry) : null;
    if (!at || (province && !String(p.region).startsWith(province))) return null;
    return { name: p.name, value: at, level: p.level, code: p.code, city: f.properties.name };
  }).filter(Boolean);

  const mapName = `qmap-whatif-${level}-${province || 'cn'}`;
  if (!echarts.getMap(mapName)) echarts.registerMap(mapName, doc);
  const box = h('div', {
    class: 'geo-map wi-map', style: 'height:520px', 'data-wi': 'map', 'data-level': level,
    'data-province': province || '', 'data-regions': String(features.length), 'data-points': String(points.length),
  });
  const toggle = (name) => h('button', {
    type: 'button', class: `btn small${mapMetric === name ? ' primary' : ''}`, 'data-wi-metric': name,
    onclick: () => {
      mapMetric = name;
      for (const b of card.querySelectorAll('[data-wi-metric]')) b.classList.toggle('primary', b.dataset.wiMetric === name);
      draw();
    },
  }, t(`show_${name}`));
  card.replaceChildren(
    h('h2', {}, t('map'), ' ', h('small', { class: 'muted' },
      province ? t('map_province', { name: domestic[0].name || province }) : t('map_cn'))),
    h('p', { class: 'muted' }, t('map_sub')),
    h('div', { class: 'geo-toggle' }, toggle('before'), toggle('after'), toggle('change')),
    box);

  const chart = echarts.init(box, null, { renderer: 'svg' });
  const pctText = (x) => (x == null ? '—' : `${Math.round(x * 100)}%`);
  function draw() {
    const metric = mapMetric;
    const values = features.map((f) => value(f.properties.code, metric));
    const extent = Math.max(1, ...values.filter(Number.isFinite).map(Math.abs));
    const visualMap = metric === 'change'
      ? { min: -extent, max: extent, text: [`+${Math.round(extent)}`, `−${Math.round(extent)}`], inRange: { color: ['#b71c1c', '#f7f7f7', '#1b5e20'] } }
      : { min: 0, max: 100, text: ['100%', '0%'], inRange: { color: ['#c62828', '#f9a825', '#2e7d32'] } };
    chart.setOption({
      // A toggle redraws at once (and a screenshot shows the dots, not their growing in).
      animation: false,
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          if (p.seriesType === 'scatter') {
            const d = p.data;
            return `<b>${t('new_provider')}</b><br>${d.name}<br>${t(d.level)} · ${d.city} · ${capName(d.code)}`;
          }
          const row = rowOf(p.name);
          const name = nameOf.get(p.name) || p.name;
          if (!row) return `<b>${name}</b>`;
          const d = (share(row.a) ?? 0) - (share(row.b) ?? 0);
          return `<b>${name}</b><br>${t('needs')} ${row.b.needs_total}`
            + `<br>${t('needs_assigned')} ${row.b.needs_assigned} → ${row.a.needs_assigned}`
            + `<br>${t('share')} ${pctText(share(row.b))} → ${pctText(share(row.a))}`
            + ` (${d >= 0 ? '+' : '−'}${t('pp', { n: Math.abs(Math.round(d * 100)) })})`;
        },
      },
      visualMap: { type: 'continuous', seriesIndex: 0, left: 10, bottom: 10, calculable: false, ...visualMap },
      geo: {
        map: mapName,
        nameProperty: 'code',
        roam: true,
        label: { show: false },
        itemStyle: { areaColor: '#eef1f5', borderColor: '#8a94a6', borderWidth: 0.6 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffe082' } },
      },
      series: [
        {
          type: 'map',
          geoIndex: 0,
          data: features.map((f, i) => ({ name: f.properties.code, value: values[i] })),
        },
        {
          type: 'scatter',
          coordinateSystem: 'geo',
          symbolSize: 12,
          itemStyle: { color: '#1565c0', borderColor: '#fff', borderWidth: 1.5 },
          data: points,
        },
      ],
    }, { replaceMerge: ['series', 'visualMap'] });
    box.dataset.metric = metric;
    box.dataset.drawn = '1';
  }
  draw();
  const resize = () => { if (box.isConnected) chart.resize(); else window.removeEventListener('resize', resize); };
  window.addEventListener('resize', resize);
}

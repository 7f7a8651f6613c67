// The geographic view (地图): QI coverage by province on a map of China, and by city within a
// province (drill-down), as a choropleth of the coverage share or of the unmet severity; hover
// for a region's providers by level, click for its figures and gaps. The data is the GeoJSON of
// GET /api/v1/coverage/regions.geojson (boundaries included); Apache ECharts draws it, loaded
// only when this view opens (vendored: /assets/echarts-….min.js, see assets.rs).
//
// Routes: #/regions[/XX] (all chains) and #/chain/ID/regions[/XX] (one chain), XX a province.

import { t } from './i18n.js';
import { api, cachedMap } from './api.js';
import { h, table, chainHeader, asOfLine } from './util.js';

/** The served name of the vendored ECharts (render::assets::ECHARTS; a unit test keeps them equal). */
const ECHARTS = '/assets/echarts-5.6.0.min.js';

let loading = null;

/** ECharts, loaded once as a classic script (it defines window.echarts); the what-if map uses it too. */
export function loadEcharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = ECHARTS;
      script.onload = () => resolve(window.echarts);
      script.onerror = () => { loading = null; reject(new Error(`${ECHARTS} did not load`)); };
      document.head.append(script);
    });
  }
  return loading;
}

/** The metric shown, kept for the visit. */
let metric = 'share';

const pct = (share) => (share == null ? '—' : `${Math.round(share * 100)}%`);

function providersText(p) {
  return t('geo.providers_by_level', { national: p.national, provincial: p.provincial, municipal: p.municipal });
}

/** The figures of one region: what a click shows. */
function figures(props, drillHref) {
  const row = (label, value, key) => h('tr', { 'data-figure': key }, h('th', {}, label), h('td', { class: 'num' }, String(value)));
  return h('div', { class: 'geo-figures', 'data-region': props.code },
    h('h2', {}, props.name),
    h('p', { class: 'geo-share' }, h('b', {}, pct(props.coverage_share)), ' ', t('geo.share')),
    h('table', { class: 'data compact' }, h('tbody', {},
      row(t('geo.needs'), props.needs, 'needs'),
      row(t('geo.reachable'), props.reachable, 'reachable'),
      row(t('geo.assigned'), props.assigned, 'assigned'),
      row(t('geo.severity'), `${props.severity_assigned} / ${props.severity_total}`, 'severity'),
      row(t('geo.unmet'), props.severity_unmet, 'unmet'),
      row(t('kpi.infra_gaps'), props.infrastructure_gaps, 'infrastructure_gaps'),
      row(t('kpi.capacity_gaps'), props.capacity_gaps, 'capacity_gaps'),
      row(t('kpi.firms'), props.firms, 'firms'),
      row(t('geo.providers'), providersText(props.providers), 'providers'))),
    drillHref ? h('a', { class: 'btn small', href: drillHref, 'data-action': 'drill' }, t('geo.drill')) : null);
}

/** The title: a chain's header (tabs) when its map may be read, else its name. */
async function heading(id) {
  if (!id) {
    return h('div', { class: 'page-head' }, h('h1', {}, t('geo.title')), h('p', { class: 'sub' }, t('geo.sub')));
  }
  try {
    return chainHeader(t, await cachedMap(id), 'regions');
  } catch (e) {
    if (e.status !== 403) throw e;
    const chains = await api.chains().catch(() => []);
    const chain = (Array.isArray(chains) ? chains : []).find((c) => c.id === id);
    return h('div', { class: 'page-head' }, h('h1', {}, `${chain ? chain.name : id} · ${t('geo.title')}`));
  }
}

export async function renderRegions(root, params, ctx) {
  const { id, province } = params;
  const level = province ? 'city' : 'province';
  const base = id ? `#/chain/${encodeURIComponent(id)}/regions` : '#/regions';
  const [echarts, doc, head] = await Promise.all([
    loadEcharts(),
    api.regions(id, level, province),
    heading(id),
  ]);
  if (!ctx.isCurrent()) return;
  const features = doc.features;
  const byCode = new Map(features.map((f) => [f.properties.code, f.properties]));
  const provinceName = province ? (await api.regions(id, 'province', province)).features[0]?.properties.name : null;

  const panel = h('aside', { class: 'card geo-panel', 'data-panel': '' }, h('p', { class: 'muted' }, t('geo.click')));
  const mapBox = h('div', { class: 'geo-map', 'data-regions': String(features.length) });
  const select = (code) => {
    const props = byCode.get(code);
    if (!props) return;
    panel.replaceChildren(figures(props, level === 'province' ? `${base}/${code.slice(0, 2)}` : null));
    mapBox.dataset.selected = code;
  };
  const toggle = (name) => h('button', {
    type: 'button',
    class: `btn small ${metric === name ? 'primary' : ''}`,
    'data-metric': name,
    onclick: () => { metric = name; draw(); for (const b of root.querySelectorAll('[data-metric]')) b.classList.toggle('primary', b.dataset.metric === metric); },
  }, t(`geo.metric.${name}`));
  const crumbs = h('nav', { class: 'geo-crumbs' },
    province ? h('a', { href: base }, t('geo.country')) : h('b', {}, t('geo.country')),
    province ? [' › ', h('b', {}, provinceName || province)] : null);
  const withNeeds = features.map((f) => f.properties).filter((p) => p.needs > 0 || p.firms > 0)
    .sort((a, b) => (a.coverage_share ?? 2) - (b.coverage_share ?? 2) || b.severity_unmet - a.severity_unmet);
  const cols = [
    { label: t('geo.region'), value: (p) => h('a', { href: level === 'province' ? `${base}/${p.code.slice(0, 2)}` : null, onclick: (ev) => { if (level !== 'province') { ev.preventDefault(); select(p.code); } } }, p.name) },
    { label: t('geo.share'), value: (p) => pct(p.coverage_share), cls: 'num strong' },
    { label: t('geo.needs'), value: (p) => p.needs, cls: 'num' },
    { label: t('geo.assigned'), value: (p) => p.assigned, cls: 'num' },
    { label: t('geo.unmet'), value: (p) => p.severity_unmet, cls: 'num' },
    { label: t('kpi.infra_gaps'), value: (p) => p.infrastructure_gaps, cls: 'num' },
    { label: t('kpi.capacity_gaps'), value: (p) => p.capacity_gaps, cls: 'num' },
    { label: t('kpi.firms'), value: (p) => p.firms, cls: 'num' },
    { label: t('geo.providers'), value: (p) => providersText(p.providers), cls: 'num' },
  ];

  // The dataset's figures right after a write may be an earlier revision's: said so, and the
  // view is shown anew once the current ones are computed.
  const line = asOfLine(t, [doc], async () => [await api.regions(id, level, province)],
    () => window.dispatchEvent(new HashChangeEvent('hashchange')), ctx);
  root.append(head, ...(line ? [line] : []),
    h('div', { class: 'geo-bar' }, crumbs, h('span', { class: 'geo-toggle' }, toggle('share'), toggle('unmet'))),
    h('div', { class: 'geo-row' }, h('section', { class: 'card geo-card' }, mapBox), panel),
    h('section', { class: 'card' }, h('h2', {}, t('geo.table')),
      withNeeds.length ? table(cols, withNeeds, { 'data-table': 'regions' }, (p) => ({ 'data-code': p.code }))
        : h('p', { class: 'muted' }, t('geo.none'))));

  const mapName = `qmap-${level}-${province || 'cn'}`;
  if (!echarts.getMap(mapName)) echarts.registerMap(mapName, doc);
  let chart = null;
  function draw() {
    if (!chart) return;
    const unmet = metric === 'unmet';
    const max = Math.max(1, ...features.map((f) => f.properties.severity_unmet));
    chart.setOption({
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const props = byCode.get(p.name);
          if (!props) return '';
          return `<b>${props.name}</b><br>${t('geo.share')} ${pct(props.coverage_share)}`
            + `<br>${t('geo.needs')} ${props.needs} · ${t('geo.unmet')} ${props.severity_unmet}`
            + `<br>${t('kpi.firms')} ${props.firms}<br>${t('geo.providers')} ${providersText(props.providers)}`;
        },
      },
      visualMap: {
        type: 'continuous',
        min: 0,
        max: unmet ? max : 1,
        left: 10,
        bottom: 10,
        calculable: false,
        text: unmet ? [String(max), '0'] : ['100%', '0%'],
        inRange: { color: unmet ? ['#fff3e0', '#e65100', '#7f1d1d'] : ['#c62828', '#f9a825', '#2e7d32'] },
      },
      series: [{
        type: 'map',
        map: mapName,
        nameProperty: 'code',
        roam: true,
        selectedMode: 'single',
        itemStyle: { areaColor: '#eef1f5', borderColor: '#8a94a6', borderWidth: 0.6 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffe082' } },
        select: { label: { show: false }, itemStyle: { areaColor: '#90caf9' } },
        label: { show: false },
        data: features.map((f) => {
          const p = f.properties;
          const value = unmet ? (p.needs > 0 ? p.severity_unmet : NaN) : (p.coverage_share ?? NaN);
          return { name: p.code, value };
        }),
      }],
    }, { replaceMerge: ['series', 'visualMap'] });
  }
  root.addEventListener('qmap:shown', () => {
    chart = echarts.init(mapBox, null, { renderer: 'svg' });
    chart.on('click', (p) => select(p.name));
    draw();
    const resize = () => { if (mapBox.isConnected) chart.resize(); else window.removeEventListener('resize', resize); };
    window.addEventListener('resize', resize);
    mapBox.dataset.drawn = '1';
  }, { once: true });
}

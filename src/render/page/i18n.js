// Chinese first, English on request: one small dictionary, the choice kept in localStorage.

const zh = {
  'brand': '产业链质量图谱',
  'nav.chains': '产业链', 'nav.compare': '规划对比', 'nav.api': 'API 文档',
  'loading': '加载中…', 'error': '出错了', 'retry': '重试',
  'chains.title': '重点产业链', 'chains.sub': '按 QI 覆盖率由低到高排列：最需要关注的链在前。',
  'chains.worst': '最需关注',
  'kpi.firms': '企业', 'kpi.masters': '链主', 'kpi.problems': '需求问题', 'kpi.critical': '关键节点',
  'kpi.single': '单一来源', 'kpi.foreign_only': '仅进口', 'kpi.coverage': 'QI 覆盖率',
  'kpi.needs': '需求满足', 'kpi.infra_gaps': '基础设施缺口', 'kpi.capacity_gaps': '能力缺口',
  'kpi.segments': '环节', 'kpi.supplies': '供应关系', 'kpi.chief': '链长',
  'coverage.note': '按严重度加权，已分配的需求占全部需求',
  'open.map': '查看图谱', 'open.svg': '下载 SVG',
  'tab.map': '质量图谱', 'tab.scenario': '情景推演', 'tab.suppliers': '链主供应链', 'tab.lists': '三清单与缺口',
  'filter.segment': '环节', 'filter.category': '问题类别', 'filter.severity': '严重度', 'filter.all': '全部',
  'filter.sev_at_least': '≥ {n}',
  'map.assignments': '显示 QI 分配关系', 'map.reset': '复位视图', 'map.more': '显示更多企业',
  'map.shown': '图中 {shown} / {total} 家企业', 'map.hidden': '未显示 {n} 家', 'map.firms_in': '{n} 家',
  'map.providers': '质量基础设施（QI）服务机构 · {n} 家', 'map.hint': '滚轮缩放，拖动平移，点击企业查看详情',
  'map.matched': '符合筛选的企业：{n}', 'map.weak_edges': '供应关系过多，仅画单一来源与仅进口（点击企业看其全部供应）',
  'legend.low': '低风险', 'legend.mid': '中风险', 'legend.high': '高风险', 'legend.master': '链主',
  'legend.critical': '关键节点', 'legend.foreign': '境外企业', 'legend.supply': '供应关系',
  'legend.single': '单一来源', 'legend.foreign_only': '仅进口（卡脖子）', 'legend.disabled': '情景中失效',
  'legend.assign': 'QI 分配', 'legend.size': '标记大小 = 重要度',
  'panel.empty': '点击图中的企业查看其问题、需求、QI 服务机构，以及它为何是关键节点。',
  'panel.close': '关闭', 'panel.region': '地区', 'panel.segment': '环节', 'panel.role': '角色',
  'panel.risk': '风险评分', 'panel.risk.criticality': '关键性', 'panel.risk.problem_load': '问题负荷', 'panel.risk.qi_gap': 'QI 缺口',
  'panel.critical': '关键节点：失效将使 {n} 家企业停摆，波及链主',
  'panel.evidence': '传导路径（为何关键）', 'panel.problems': '质量问题', 'panel.no_problems': '无登记的质量问题',
  'panel.needs': '需求', 'panel.assigned': '已分配', 'panel.candidates': '候选机构', 'panel.gap': '无可及机构（基础设施缺口）',
  'panel.unassigned': '未分配（能力不足）', 'panel.supplies_out': '供应', 'panel.supplies_in': '采购',
  'panel.tier': '距离层级 {n}', 'panel.foreign': '境外', 'panel.single_source': '单一来源供应商',
  'panel.scenario_disabled': '在当前情景中失效', 'panel.suppliers': '查看其供应链',
  'role.chain_master': '链主', 'role.member': '链员',
  'scn.title': '情景推演', 'scn.sub': '假设一组企业同时失效（断供、停产），推演哪些企业与链主随之停摆。',
  'scn.all_foreign': '全部境外供应商断供', 'scn.region': '某地区企业全部停产', 'scn.region_ph': '地区代码前缀，如 3205',
  'scn.firms': '指定企业失效', 'scn.firms_ph': '搜索企业…', 'scn.run': '开始推演', 'scn.clear': '清除',
  'scn.result': '{failed} 家直接失效，共 {disabled} 家停摆，链主受影响 {masters} 家',
  'scn.masters_hit': '受影响链主', 'scn.none': '链主均未受影响', 'scn.pick': '请选择至少一个条件',
  'sup.title': '链主供应链', 'sup.sub': '上游各级供应商，关键供应商在前；层级 1 为直接供应商。',
  'sup.master': '链主', 'sup.depth': '最深层级', 'sup.tier': '第 {n} 级', 'sup.count': '{n} 家供应商，其中关键 {c} 家',
  'sup.single': '单一来源：{parts}', 'sup.problems': '{n} 个问题', 'sup.no_masters': '该链未登记链主',
  'lists.gaps': '缺口与建设建议', 'lists.problems': '问题清单', 'lists.projects': '重点项目清单', 'lists.gaplist': '缺口清单',
  'lists.infra': '基础设施缺口（无可及机构：需新建）', 'lists.capacity': '能力缺口（有机构但能力不足：需扩容）',
  'lists.recs': '建设建议（在哪里建什么）', 'lists.csv': '下载 CSV', 'lists.rows': '{n} 行',
  'col.id': '编号', 'col.title': '名称', 'col.firm': '企业', 'col.segment': '环节', 'col.category': '类别',
  'col.severity': '严重度', 'col.status': '状态', 'col.needs': '所需能力', 'col.code': '能力代码', 'col.element': 'QI 要素',
  'col.firms': '企业数', 'col.problems': '问题', 'col.severity_sum': '严重度合计', 'col.level': '级别',
  'col.city': '城市', 'col.kind': '类型', 'col.score': '评分', 'col.unserved': '未满足比例', 'col.candidates': '候选机构',
  'col.chain': '产业链', 'col.coverage': '覆盖率', 'col.gap_type': '缺口类型',
  'gap.infrastructure': '基础设施缺口', 'gap.capacity': '能力缺口',
  'proj.common_technology': '共性技术攻关', 'proj.chain_collaborative': '链上协同提升', 'proj.key_product': '重点产品性能',
  'cmp.title': '规划对比', 'cmp.sub': '各产业链的 QI 供给对需求的覆盖（按严重度加权），按要素比较。',
  'cmp.dataset': '全省统筹（各链共享机构能力）', 'cmp.by_element': '各要素覆盖率', 'cmp.chart_note': '柱高 = 按严重度加权的覆盖率',
  'cat.measurement': '测不准', 'cat.testing': '检不了', 'cat.standard': '少标准', 'cat.certification': '认证',
  'cat.process': '工艺', 'cat.material': '材料', 'cat.design': '设计', 'cat.other': '其他',
  'st.open': '待解决', 'st.in_progress': '解决中', 'st.resolved': '已解决',
  'el.metrology': '计量', 'el.standard': '标准', 'el.testing': '检验检测', 'el.certification': '认证认可', 'el.rd': '研发',
  'kind.inspection_center': '质检中心', 'kind.metrology_center': '计量测试中心', 'kind.standards_body': '标准化机构',
  'kind.certification_body': '认证机构', 'kind.service_station': '一站式服务站', 'kind.institute': '科研院所', 'kind.enterprise': '企业',
  'lv.national': '国家级', 'lv.provincial': '省级', 'lv.municipal': '市级',
  'notfound': '没有这个页面',
};

const en = {
  'brand': 'Chain quality maps',
  'nav.chains': 'Chains', 'nav.compare': 'Compare', 'nav.api': 'API docs',
  'loading': 'Loading…', 'error': 'Something went wrong', 'retry': 'Retry',
  'chains.title': 'Key industry chains', 'chains.sub': 'Lowest QI coverage first: the chains that need attention most.',
  'chains.worst': 'Needs attention',
  'kpi.firms': 'Firms', 'kpi.masters': 'Masters', 'kpi.problems': 'Open problems', 'kpi.critical': 'Critical nodes',
  'kpi.single': 'Single-source', 'kpi.foreign_only': 'Import-only', 'kpi.coverage': 'QI coverage',
  'kpi.needs': 'Needs met', 'kpi.infra_gaps': 'Infrastructure gaps', 'kpi.capacity_gaps': 'Capacity gaps',
  'kpi.segments': 'Segments', 'kpi.supplies': 'Supplies', 'kpi.chief': 'Chain chief',
  'coverage.note': 'severity-weighted share of needs assigned',
  'open.map': 'Open map', 'open.svg': 'Download SVG',
  'tab.map': 'Quality map', 'tab.scenario': 'Scenarios', 'tab.suppliers': 'Master suppliers', 'tab.lists': 'Lists & gaps',
  'filter.segment': 'Segment', 'filter.category': 'Category', 'filter.severity': 'Severity', 'filter.all': 'All',
  'filter.sev_at_least': '≥ {n}',
  'map.assignments': 'Show QI assignments', 'map.reset': 'Reset view', 'map.more': 'Show more firms',
  'map.shown': '{shown} of {total} firms shown', 'map.hidden': '{n} hidden', 'map.firms_in': '{n} firms',
  'map.providers': 'Quality infrastructure (QI) providers · {n}', 'map.hint': 'Wheel to zoom, drag to pan, click a firm for details',
  'map.matched': 'Firms matching the filter: {n}', 'map.weak_edges': 'too many supplies: only single-source and import-only drawn (click a firm for all of its own)',
  'legend.low': 'Low risk', 'legend.mid': 'Medium', 'legend.high': 'High risk', 'legend.master': 'Chain master',
  'legend.critical': 'Critical node', 'legend.foreign': 'Foreign firm', 'legend.supply': 'Supply',
  'legend.single': 'Single source', 'legend.foreign_only': 'Import-only (chokepoint)', 'legend.disabled': 'Disabled in scenario',
  'legend.assign': 'QI assignment', 'legend.size': 'Mark size = importance',
  'panel.empty': 'Click a firm on the map to see its problems, needs, QI providers, and why it is critical.',
  'panel.close': 'Close', 'panel.region': 'Region', 'panel.segment': 'Segment', 'panel.role': 'Role',
  'panel.risk': 'Risk score', 'panel.risk.criticality': 'Criticality', 'panel.risk.problem_load': 'Problem load', 'panel.risk.qi_gap': 'QI gap',
  'panel.critical': 'Critical node: its failure disables {n} firms, chain masters among them',
  'panel.evidence': 'Why it is critical (path)', 'panel.problems': 'Quality problems', 'panel.no_problems': 'No recorded problems',
  'panel.needs': 'Needs', 'panel.assigned': 'Assigned', 'panel.candidates': 'Candidates', 'panel.gap': 'No provider in reach (infrastructure gap)',
  'panel.unassigned': 'Unassigned (capacity gap)', 'panel.supplies_out': 'Supplies', 'panel.supplies_in': 'Buys',
  'panel.tier': 'distance tier {n}', 'panel.foreign': 'foreign', 'panel.single_source': 'single-source supplier',
  'panel.scenario_disabled': 'Disabled in the current scenario', 'panel.suppliers': 'Its supplier view',
  'role.chain_master': 'Chain master', 'role.member': 'Member',
  'scn.title': 'Scenarios', 'scn.sub': 'Assume a set of firms fails at once and see which firms and chain masters stop with them.',
  'scn.all_foreign': 'All foreign suppliers cut off', 'scn.region': 'All firms of a region stop', 'scn.region_ph': 'Region code prefix, e.g. 3205',
  'scn.firms': 'Named firms fail', 'scn.firms_ph': 'Search firms…', 'scn.run': 'Run scenario', 'scn.clear': 'Clear',
  'scn.result': '{failed} failed directly, {disabled} disabled in all, {masters} chain masters hit',
  'scn.masters_hit': 'Chain masters hit', 'scn.none': 'No chain master is hit', 'scn.pick': 'Choose at least one failure',
  'sup.title': 'Chain master supplier view', 'sup.sub': 'Suppliers at every tier upstream, critical ones first; tier 1 supplies the master directly.',
  'sup.master': 'Chain master', 'sup.depth': 'Deepest tier', 'sup.tier': 'Tier {n}', 'sup.count': '{n} suppliers, {c} critical',
  'sup.single': 'Single source: {parts}', 'sup.problems': '{n} problems', 'sup.no_masters': 'This chain has no chain master',
  'lists.gaps': 'Gaps and what to build', 'lists.problems': 'Problems', 'lists.projects': 'Key projects', 'lists.gaplist': 'Gap list',
  'lists.infra': 'Infrastructure gaps (no provider in reach: build)', 'lists.capacity': 'Capacity gaps (providers exist but are full: expand)',
  'lists.recs': 'Build recommendations', 'lists.csv': 'Download CSV', 'lists.rows': '{n} rows',
  'col.id': 'Id', 'col.title': 'Title', 'col.firm': 'Firm', 'col.segment': 'Segment', 'col.category': 'Category',
  'col.severity': 'Severity', 'col.status': 'Status', 'col.needs': 'Needs', 'col.code': 'Capability', 'col.element': 'QI element',
  'col.firms': 'Firms', 'col.problems': 'Problems', 'col.severity_sum': 'Severity', 'col.level': 'Level',
  'col.city': 'City', 'col.kind': 'Kind', 'col.score': 'Score', 'col.unserved': 'Unserved', 'col.candidates': 'Candidates',
  'col.chain': 'Chain', 'col.coverage': 'Coverage', 'col.gap_type': 'Gap type',
  'gap.infrastructure': 'Infrastructure', 'gap.capacity': 'Capacity',
  'proj.common_technology': 'Common technology', 'proj.chain_collaborative': 'Chain-collaborative', 'proj.key_product': 'Key product',
  'cmp.title': 'Planners’ comparison', 'cmp.sub': 'How well each chain’s needs are covered by QI supply (severity-weighted), by element.',
  'cmp.dataset': 'Province-wide (providers shared by all chains)', 'cmp.by_element': 'Coverage by QI element', 'cmp.chart_note': 'Bar height = severity-weighted coverage',
  'cat.measurement': 'Cannot measure', 'cat.testing': 'Cannot test', 'cat.standard': 'Lacks standard', 'cat.certification': 'Certification',
  'cat.process': 'Process', 'cat.material': 'Material', 'cat.design': 'Design', 'cat.other': 'Other',
  'st.open': 'Open', 'st.in_progress': 'In progress', 'st.resolved': 'Resolved',
  'el.metrology': 'Metrology', 'el.standard': 'Standards', 'el.testing': 'Testing', 'el.certification': 'Certification', 'el.rd': 'R&D',
  'kind.inspection_center': 'Inspection centre', 'kind.metrology_center': 'Metrology centre', 'kind.standards_body': 'Standards body',
  'kind.certification_body': 'Certification body', 'kind.service_station': 'One-stop service point', 'kind.institute': 'Institute', 'kind.enterprise': 'Enterprise',
  'lv.national': 'National', 'lv.provincial': 'Provincial', 'lv.municipal': 'Municipal',
  'notfound': 'No such page',
};

const dictionaries = { zh, en };
const KEY = 'qmap.lang';

let lang = (() => {
  try { return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'; } catch { return 'zh'; }
})();

export function getLang() { return lang; }

export function setLang(next) {
  lang = next === 'en' ? 'en' : 'zh';
  try { localStorage.setItem(KEY, lang); } catch { /* private mode: the choice lasts this visit */ }
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}

/** The text of `key` in the current language, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = dictionaries[lang][key] ?? zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export const CATEGORIES = ['measurement', 'testing', 'standard', 'certification', 'process', 'material', 'design', 'other'];
export const ELEMENTS = ['metrology', 'standard', 'testing', 'certification', 'rd'];

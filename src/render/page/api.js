// The JSON API, with one error shape: an Error whose message is the API's `message`.
// Requests carry the token the user logged in with (kept in localStorage) as a bearer token.

import { addCapNames } from './util.js';

const TOKEN_KEY = 'qmap.token';

export function getToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token); else localStorage.removeItem(TOKEN_KEY);
  } catch { /* private mode: the token lasts for this page only */ }
  me = null;
}

function authorized(options) {
  const token = getToken();
  if (!token) return options;
  const headers = { ...((options && options.headers) || {}), authorization: `Bearer ${token}` };
  return { ...(options || {}), headers };
}

async function request(path, options) {
  const res = await fetch(path, authorized(options));
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  // 202 `computing`: the whole dataset's figures are being computed for the first time since the
  // server started, and the work goes on. Say so where the page shows it is loading, and ask
  // again when the server says to.
  if (res.status === 202 && body && body.code === 'computing') {
    const seconds = Number(res.headers.get('Retry-After')) || 2;
    window.dispatchEvent(new CustomEvent('qmap:computing'));
    await new Promise((done) => setTimeout(done, seconds * 1000));
    return request(path, options);
  }
  if (!res.ok) {
    const err = new Error((body && body.message) || `${res.status} ${res.statusText}`);
    err.status = res.status;
    err.code = body && body.code;
    throw err;
  }
  return body;
}

const base = '/api/v1';
const enc = encodeURIComponent;

let me = null;

// The file names of the list workbooks, as the server names them.
const XLSX_NAMES = { problems: '问题清单', projects: '重点项目清单', policy_tools: '政策工具清单' };

/** Fetches `url` with the token and saves the answer as `name` (a plain link could not send the token). */
async function download(url, name) {
  const res = await fetch(url, authorized());
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  const href = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export const api = {
  /** Who the token belongs to: role, organization, readable chains (cached until logout). */
  me() {
    if (!me) me = request(`${base}/me`).catch((e) => { me = null; throw e; });
    return me;
  },
  /** Downloads the SVG picture of a chain with the token (a plain link could not send it). */
  downloadSvg: (id) => download(api.mapSvgUrl(id), `${id}.svg`),
  /** Downloads the map picture of a chain as `png` or as a one-page A3 `pdf` (embedded font: it looks the same everywhere). */
  downloadPicture: (id, format) => download(`${base}/chains/${enc(id)}/map.${format}${format === 'pdf' ? '?paper=a3' : ''}`, `${id}.${format}`),
  /** Downloads one of the three lists of a chain as a workbook (problems, projects, policy_tools). */
  downloadXlsx: (id, list) => download(`${base}/chains/${enc(id)}/lists.xlsx?list=${enc(list)}`, `${id}-${XLSX_NAMES[list] || list}.xlsx`),
  chains: () => request(`${base}/chains`),
  /** The capability catalogue (every role reads it): [{code, name, standards?, description?}]. */
  capabilities: () => request(`${base}/capabilities`),
  organization: (id) => request(`${base}/organizations/${enc(id)}`),
  map: (id, limit) => request(`${base}/chains/${enc(id)}/map${limit != null ? `?limit=${limit}` : ''}`),
  /** One page of a map group's firms (`groups[].id` of the map), the most important first. */
  mapGroup: (id, group, offset = 0) => request(`${base}/chains/${enc(id)}/map/groups/${enc(group)}?offset=${offset}`),
  /** The map of a chain as the data stood right after revision `revision`. */
  mapAt: (id, revision) => request(`${base}/chains/${enc(id)}/map?revision=${enc(revision)}`),
  mapSvgUrl: (id) => `${base}/chains/${enc(id)}/map.svg`,
  problemsPage: (id, page, perPage) => request(`${base}/chains/${enc(id)}/problems?page=${page}&per_page=${perPage}`),
  /** Every problem of a chain, page by page. */
  async allProblems(id) {
    const perPage = 1000;
    const first = await api.problemsPage(id, 1, perPage);
    const rows = [...first.problems];
    for (let page = 2; rows.length < first.total; page++) {
      const next = await api.problemsPage(id, page, perPage);
      if (next.problems.length === 0) break;
      rows.push(...next.problems);
    }
    return { total: first.total, problems: rows };
  },
  /** Every problem of a chain (`tackled`: true or false to keep only those with or without a live project). */
  async allProblemsWhere(id, tackled) {
    const perPage = 1000;
    const url = (page) => `${base}/chains/${enc(id)}/problems?page=${page}&per_page=${perPage}&tackled=${tackled}`;
    const first = await request(url(1));
    const rows = [...first.problems];
    for (let page = 2; rows.length < first.total; page++) {
      const next = await request(url(page));
      if (next.problems.length === 0) break;
      rows.push(...next.problems);
    }
    return { total: first.total, problems: rows };
  },
  /**
   * One page of a chain's problem list with filters: {demand, status, category, severity (at
   * least), segment, q, tackled}; empty values are left out.
   */
  problemsFiltered: (id, filter, page, perPage) => {
    const q = Object.entries(filter || {}).filter(([, v]) => v !== '' && v != null).map(([k, v]) => `${k}=${enc(v)}`);
    q.push(`page=${page}`, `per_page=${perPage}`);
    return request(`${base}/chains/${enc(id)}/problems?${q.join('&')}`);
  },
  /** Every problem of a chain that `filter` keeps, page by page (for the CSV download). */
  async allProblemsFiltered(id, filter) {
    const first = await api.problemsFiltered(id, filter, 1, 1000);
    const rows = [...first.problems];
    for (let page = 2; rows.length < first.total; page++) {
      const next = await api.problemsFiltered(id, filter, page, 1000);
      if (next.problems.length === 0) break;
      rows.push(...next.problems);
    }
    return { total: first.total, problems: rows };
  },
  /** Organizations found by name or pinyin ({q, kind, region, chain, limit, offset}), within the caller's role. */
  searchOrganizations: (params) => {
    const q = Object.entries(params || {}).filter(([, v]) => v !== '' && v != null).map(([k, v]) => `${k}=${enc(v)}`);
    return request(`${base}/organizations?${q.join('&')}`);
  },
  /** The project candidates of a chain (with a ready draft for those who may write its projects). */
  projects: (id) => request(`${base}/chains/${enc(id)}/projects`),
  /** Every recorded project of a chain, page by page, with the counts by status and category. */
  async chainProjects(id) {
    const perPage = 1000;
    const url = (page) => `${base}/projects?chain=${enc(id)}&page=${page}&per_page=${perPage}`;
    const first = await request(url(1));
    const rows = [...first.projects];
    for (let page = 2; rows.length < first.total; page++) {
      const next = await request(url(page));
      if (next.projects.length === 0) break;
      rows.push(...next.projects);
    }
    return { total: first.total, counts: first.counts, projects: rows };
  },
  /** Creates a project (立项) from a candidate's draft. */
  createProject: (draft) => request(`${base}/projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(draft),
  }),
  untackled: (id) => request(`${base}/chains/${enc(id)}/untackled`),
  policyTools: (id) => request(`${base}/chains/${enc(id)}/policy-tools`),
  consortia: (id) => request(`${base}/chains/${enc(id)}/consortia`),
  /** Progress toward the yearly goals (年度目标), optionally of one region prefix and year. */
  goalsProgress: (region, year) => {
    const q = [region ? `region=${enc(region)}` : null, year ? `year=${enc(year)}` : null].filter(Boolean).join('&');
    return request(`${base}/goals/progress${q ? `?${q}` : ''}`);
  },
  gaps: (id) => request(`${base}/chains/${enc(id)}/gaps`),
  /** QI coverage of a chain (its own capacities) with its breakdowns. */
  coverage: (id) => request(`${base}/chains/${enc(id)}/coverage`),
  /** QI coverage of every chain (capacities shared), with gaps and recommendations. */
  datasetCoverage: () => request(`${base}/coverage`),
  /** Coverage before and after adding hypothetical providers and removing real ones. */
  whatIf: (body) => request(`${base}/what-if`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }),
  suppliers: (id, org) => request(`${base}/chains/${enc(id)}/masters/${enc(org)}/suppliers`),
  /** Sets who may read a problem: `private`, `customers` or `chain`. */
  setDisclosure: (problem, disclosure) => request(`${base}/problems/${enc(problem)}/disclosure`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ disclosure }),
  }),
  /** The disclosure requests the holder sent, received or (regulators) oversees, newest first. */
  disclosureRequests: () => request(`${base}/disclosure-requests`),
  /** Asks `supplier`, upstream on chain `id`, to disclose its problems there. */
  requestDisclosure: (id, supplier, message) => request(`${base}/chains/${enc(id)}/disclosure-requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ supplier, message }),
  }),
  /** The supplier's answer to a request. */
  answerDisclosure: (request_id, accept, disclosure, note) => request(`${base}/disclosure-requests/${enc(request_id)}/answer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(accept ? { accept, disclosure, note } : { accept, note }),
  }),
  scenario: (id, failures) => request(`${base}/chains/${enc(id)}/scenarios`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ failures }),
  }),
  comparison: () => request(`${base}/comparison`),
  /** Quality notices: `{box, chain, firm, page, per_page}`; an enterprise's inbox by default. */
  notices: (q) => {
    const s = Object.entries(q || {}).filter(([, v]) => v != null).map(([k, v]) => `${k}=${enc(v)}`).join('&');
    return request(`${base}/notices${s ? `?${s}` : ''}`);
  },
  /** Sends a quality notice; the answer lists who was told. */
  sendNotice: (body) => request(`${base}/notices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }),
  /** Acknowledges a notice received. */
  ackNotice: (id) => request(`${base}/notices/${enc(id)}/ack`, { method: 'POST' }),
  /** QI coverage by province or city as GeoJSON (of one chain, or of all when `id` is empty). */
  regions: (id, level, province) => {
    const q = [id ? `chain=${enc(id)}` : null, `level=${enc(level)}`, province ? `province=${enc(province)}` : null].filter(Boolean).join('&');
    return request(`${base}/coverage/regions.geojson?${q}`);
  },
  /** Every revision, oldest first; the labelled ones are the surveys. */
  revisions: () => request(`${base}/revisions`),
  /** What changed on a chain from revision `from` to revision `to`. */
  changes: (id, from, to) => request(`${base}/chains/${enc(id)}/changes?from=${enc(from)}&to=${enc(to)}`),
  /** A chain's key figures at every survey, oldest first. */
  history: (id) => request(`${base}/chains/${enc(id)}/history`),
};

let catalogue = null;

/**
 * Loads the capability catalogue once for the visit, so that `capName` (util.js) names every
 * code; a failure (not logged in yet) is tried again on the next view, and never stops one.
 */
export function loadCatalogue() {
  if (!catalogue) {
    catalogue = api.capabilities().then(addCapNames).catch(() => { catalogue = null; });
  }
  return catalogue;
}

const maps = new Map();

/** The map document of a chain, kept for the visit (tabs of one chain share it). */
export function cachedMap(id, limit) {
  const key = `${id}\u0000${limit ?? ''}`;
  if (!maps.has(key)) {
    maps.set(key, api.map(id, limit)
      .then((map) => { addCapNames(map.capability_names); return map; })
      .catch((e) => { maps.delete(key); throw e; }));
  }
  return maps.get(key);
}

// Quality notices (质量通报): an enterprise's inbox (unread first, acknowledged with one click),
// what it sent (with who was told and who acknowledged), and a form to send a notice about
// itself; a regulator or admin sees every notice of its chains. The header badge (app.js) counts
// the unread ones; the chain map (mapview.js) and the supplier view (suppliers.js) mark firms
// with notices about them through `noticeMarks` and `openNoticesAbout`.

import { t } from './i18n.js';
import { api } from './api.js';
import { h, sevBadge } from './util.js';

/** YYYY-MM-DD hh:mm of a Unix time in seconds, in local time. */
function when(s) {
  const d = new Date(s * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The unread count of the token's inbox (enterprises), or null for other roles. */
export async function unreadNotices() {
  const me = await api.me();
  if (me.role !== 'enterprise') return null;
  const inbox = await api.notices({ per_page: 1 });
  return inbox.unread;
}

/** Updates the header badge (a no-op when the page has none). */
export async function refreshNoticeBadge() {
  const link = document.querySelector('[data-nav="notices"]');
  const badge = document.getElementById('notice-badge');
  if (!link || !badge) return;
  let unread = null;
  try { unread = await unreadNotices(); } catch { unread = null; }
  link.hidden = unread == null;
  badge.hidden = !unread;
  badge.textContent = unread ? String(unread) : '';
}

function noticeItem(n, { inbox }) {
  const unread = inbox && n.acknowledged == null;
  const ack = h('button', { class: 'btn small primary', type: 'button', 'data-ack': n.id }, t('nt.ack'));
  ack.onclick = async () => {
    ack.disabled = true;
    try {
      await api.ackNotice(n.id);
      item.classList.remove('unread');
      ack.replaceWith(h('span', { class: 'tag', 'data-acked': n.id }, t('nt.acked')));
      refreshNoticeBadge();
    } catch (e) {
      ack.disabled = false;
      ack.title = e.message;
    }
  };
  const recipients = n.recipients
    ? h('div', { class: 'small muted', 'data-recipients': n.recipients.length },
      t('nt.recipients', { n: n.recipients.length, a: Object.keys(n.acks || {}).length }), ' ',
      n.recipients.map((r) => `${r.org}${r.master ? '★' : ''}${n.acks && n.acks[r.org] ? '✓' : ''}`).join('、'))
    : null;
  const item = h('li', { class: `notice${unread ? ' unread' : ''}`, 'data-notice': n.id },
    h('div', {},
      h('span', { class: 'tag amber' }, t(`nt.kind.${n.kind}`)), ' ', sevBadge(n.severity), ' ',
      h('b', {}, n.firm_name), n.about.part ? ` · ${n.about.part}` : '', ' ',
      h('span', { class: 'small muted' }, `${n.chain} · ${t(`nt.dir.${n.direction}`)} · ${when(n.sent_at)}`),
      n.relation ? h('span', { class: 'small muted' }, ` · ${t(`nt.rel.${n.relation}`)}`) : null),
    h('div', {}, n.message),
    recipients,
    inbox ? (unread ? ack : h('span', { class: 'tag', 'data-acked': n.id }, t('nt.acked'))) : null);
  return item;
}

function sendForm(me, onSent) {
  const chain = h('select', { name: 'chain' }, me.chains.map((c) => h('option', { value: c.id }, c.name || c.id)));
  const kind = h('select', { name: 'kind' }, ['defect', 'delay', 'capacity', 'change', 'alert'].map((k) => h('option', { value: k }, t(`nt.kind.${k}`))));
  const severity = h('select', { name: 'severity' }, [1, 2, 3, 4, 5].map((s) => h('option', { value: s, selected: s === 3 ? '' : null }, String(s))));
  const direction = h('select', { name: 'direction' }, ['downstream', 'upstream', 'both'].map((d) => h('option', { value: d }, t(`nt.dir.${d}`))));
  const part = h('input', { name: 'part', placeholder: t('nt.part'), size: 12 });
  const message = h('input', { name: 'message', placeholder: t('nt.message'), size: 40, maxlength: 500 });
  const status = h('span', { class: 'small muted', 'data-send-status': '' });
  const submit = async (ev) => {
    ev.preventDefault();
    const about = { firm: me.org };
    if (part.value.trim()) about.part = part.value.trim();
    try {
      const n = await api.sendNotice({
        chain: chain.value, about, kind: kind.value, severity: Number(severity.value),
        message: message.value, direction: direction.value,
      });
      status.textContent = t('nt.sent_to', { n: n.recipients.length });
      message.value = '';
      onSent();
    } catch (e) {
      status.textContent = e.message;
    }
  };
  return h('form', { class: 'card notice-form', 'data-send-notice': '', onsubmit: submit },
    h('h3', {}, t('nt.send')),
    h('div', { class: 'toolbar' }, chain, kind, severity, direction, part, message,
      h('button', { class: 'btn primary', type: 'submit' }, t('nt.send_go')), status));
}

export async function renderNotices(root) {
  const me = await api.me();
  const enterprise = me.role === 'enterprise';
  if (me.role === 'planner') {
    const page = await api.notices({});
    root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nt.title'))),
      h('ul', {}, (page.counts || []).map((c) => h('li', {}, `${c.chain} · ${t(`nt.kind.${c.kind}`)}: ${c.count}`))));
    return;
  }
  const list = h('div', {});
  const fill = async () => {
    const inbox = await api.notices({ per_page: 200 });
    const out = enterprise ? await api.notices({ box: 'out', per_page: 200 }) : null;
    list.replaceChildren(
      h('section', { class: 'card', 'data-notice-inbox': '', 'data-unread': inbox.unread },
        h('h2', {}, enterprise ? t('nt.inbox', { n: inbox.unread }) : t('nt.all', { n: inbox.total })),
        inbox.notices.length ? h('ul', { class: 'notices' }, inbox.notices.map((n) => noticeItem(n, { inbox: enterprise })))
          : h('p', { class: 'muted' }, t('nt.none'))),
      out ? h('section', { class: 'card', 'data-notice-outbox': '' },
        h('h2', {}, t('nt.outbox')),
        out.notices.length ? h('ul', { class: 'notices' }, out.notices.map((n) => noticeItem(n, { inbox: false })))
          : h('p', { class: 'muted' }, t('nt.none'))) : null);
  };
  await fill();
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nt.title')), h('p', { class: 'sub' }, t('nt.sub'))),
    enterprise && me.writes !== false && me.chains.length ? sendForm(me, () => { fill(); refreshNoticeBadge(); }) : null,
    list);
}

/**
 * Marks firms of chain `id` that notices are about, on the drawn SVG map inside `root`: a small
 * badge with the count beside the firm's mark. Only for readers of every notice of the chain
 * (regulators, admins, demo visitors); nothing for others or when the list is refused.
 */
export async function noticeMarks(id) {
  const me = await api.me().catch(() => null);
  if (!me || me.role === 'enterprise' || me.role === 'planner') return null;
  let page;
  try { page = await api.notices({ chain: id, per_page: 1000 }); } catch { return null; }
  const count = new Map();
  for (const n of page.notices) count.set(n.about.firm, (count.get(n.about.firm) || 0) + 1);
  return (svg) => {
    if (!svg || count.size === 0) return;
    const NS = 'http://www.w3.org/2000/svg';
    const g = document.createElementNS(NS, 'g');
    g.setAttribute('class', 'notice-marks');
    for (const [firm, n] of count) {
      const mark = svg.querySelector(`.marks [data-id="${CSS.escape(firm)}"]`);
      if (!mark) continue;
      const b = mark.getBBox();
      const badge = document.createElementNS(NS, 'g');
      badge.setAttribute('class', 'notice-mark');
      badge.setAttribute('data-notices', firm);
      badge.innerHTML = `<title>${t('nt.on_map', { n })}</title><circle cx="${b.x + b.width}" cy="${b.y}" r="5" fill="#d97706" stroke="#fff" stroke-width="1"/>`
        + `<text x="${b.x + b.width}" y="${b.y + 3}" text-anchor="middle" font-size="7" fill="#fff">${n}</text>`;
      g.append(badge);
    }
    svg.append(g);
  };
}

/** An enterprise's open (unacknowledged) notices about each firm of chain `id`: Map firm → [notice]. */
export async function openNoticesAbout(id) {
  const out = new Map();
  try {
    const me = await api.me();
    if (me.role !== 'enterprise') return out;
    const inbox = await api.notices({ chain: id, per_page: 1000 });
    for (const n of inbox.notices) {
      if (n.acknowledged != null) continue;
      if (!out.has(n.about.firm)) out.set(n.about.firm, []);
      out.get(n.about.firm).push(n);
    }
  } catch { /* no notices to show */ }
  return out;
}

//! Quality notices (质量通报): sending one ([`send`]), reading the inbox and outbox
//! ([`list`]) and acknowledging ([`ack`]). The record is `crate::model::Notice`; who is told is
//! `crate::analysis::notices`' to compute.
//!
//! Who may do what:
//! - **send**: an enterprise about itself only (another firm is 403); a regulator of the
//!   notice's chain, or an admin, about any firm of it; planners and anonymous demo visitors
//!   never (403). The API limits how many sends a token makes per minute.
//! - **read** ([`list`]): an enterprise its inbox (`box=in`, the default: notices it received,
//!   unread first, without the recipient list or others' acknowledgements) and its outbox
//!   (`box=out`: notices it sent, with recipients and acknowledgements); regulators every
//!   notice of the chains they read, admins (and anonymous demo visitors) every notice, both
//!   with recipients and acknowledgements; planners only counts by chain and kind.
//! - A notice's problem is named only to readers who may read that problem (see
//!   [`Principal::sees_problem`]): a recipient is told of a problem the holder has not
//!   disclosed to it without its id.
//! - **acknowledge**: a recipient enterprise only (403 for everyone else, whether or not the
//!   notice exists); a second acknowledgement changes nothing.
//!
//! Notices are records of the dataset: a send and an acknowledgement are writes (revisions,
//! history, undo, export), validated like any import.

use super::work::{page_bounds, page_of};
use super::{Error, How, Prepared, Principal, Service, Snapshot};
use crate::model::notice::{
    NoticeAbout, NoticeDirection, NoticeKind, NoticeRecipient, RecipientRelation,
};
use crate::model::{Bundle, ChangeSet, Notice};
use crate::validate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A notice to send (its schema: `NoticeBody`); the server sets the rest.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = NoticeBody)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    pub chain: String,
    pub about: NoticeAbout,
    pub kind: NoticeKind,
    /// 1 (minor) to 5 (stops production).
    #[schema(minimum = 1, maximum = 5)]
    pub severity: u8,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub message: String,
    pub direction: NoticeDirection,
}

/// The next free notice id: `nt-` and one more than the highest number in use.
fn next_id(data: &crate::model::Dataset) -> String {
    let highest = data
        .notices
        .keys()
        .filter_map(|id| id.strip_prefix("nt-")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("nt-{}", highest + 1)
}

/// Sends a notice: checks who may speak for the firm (403), that the part (when named) is one
/// the firm supplies or receives on the chain (422 `unknown_part` at `/notices/0/about/part`;
/// the API makes paths relative to the body), computes the recipients and writes the notice.
/// Everything else is validated like an imported notice (unknown chain, firm or problem, a
/// problem of another firm or chain, severity, lengths).
pub fn send(service: &Service, who: &Principal, how: How, body: SendBody) -> Result<Notice, Error> {
    let allowed = match who.org() {
        Some(own) => own == body.about.firm,
        None => !who.is_planner() && who.writes_chain(&body.chain),
    };
    who.require(allowed)?;
    let sender = who.org().unwrap_or(who.actor()).to_string();
    let snap = service.snapshot();
    let (_, notice) = service.write(how, move |data| {
        let about = &body.about;
        let enterprise = data
            .organizations
            .get(&about.firm)
            .is_some_and(|o| o.kind == crate::model::OrgKind::Enterprise);
        let member = data
            .organizations
            .get(&about.firm)
            .is_some_and(|o| o.membership(&body.chain).is_some());
        if enterprise && data.chains.contains_key(&body.chain) && !member {
            return Err(Error::invalid(
                ErrorCode::NotAMember,
                "/notices/0/about/firm",
                format!("{} is not a member of chain {}", about.firm, body.chain),
            ));
        }
        if let Some(part) = &about.part {
            let known = data
                .supplies_of_chain(&body.chain)
                .any(|s| &s.part == part && (s.supplier == about.firm || s.customer == about.firm));
            let is_firm = data
                .organizations
                .get(&about.firm)
                .is_some_and(|o| o.membership(&body.chain).is_some());
            if is_firm && !known {
                return Err(Error::invalid(
                    ErrorCode::UnknownPart,
                    "/notices/0/about/part",
                    format!(
                        "{} neither supplies nor receives {part:?} on chain {}",
                        about.firm, body.chain
                    ),
                ));
            }
        }
        let recipients = if snap.has_chain(&body.chain) {
            let graphs = snap.chain_graph(&body.chain)?;
            match graphs.chain(&body.chain) {
                Some(g) => crate::analysis::notices::recipients(
                    data,
                    g,
                    &about.firm,
                    about.part.as_deref(),
                    body.direction,
                ),
                None => Vec::new(),
            }
        } else {
            Vec::new()
        };
        let notice = Notice {
            id: next_id(data),
            chain: body.chain,
            about: body.about,
            kind: body.kind,
            severity: body.severity,
            message: body.message,
            direction: body.direction,
            sender,
            sent_at: crate::access::now(),
            recipients,
            acks: BTreeMap::new(),
        };
        Ok(Prepared::new(with_notice(notice.clone()), notice))
    })?;
    Ok(notice)
}

fn with_notice(notice: Notice) -> ChangeSet {
    ChangeSet::upsert(Bundle {
        notices: vec![notice],
        ..Bundle::new()
    })
}

/// What an acknowledgement did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = NoticeAcknowledged)]
pub struct Acknowledged {
    pub id: String,
    /// When the acknowledging organization acknowledged it (the first time).
    pub at: u64,
    /// The revision the acknowledgement wrote; absent when it was acknowledged already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
}

/// A recipient acknowledges notice `id`. Only a recipient enterprise may (403 for everyone
/// else, whether or not the notice exists); a second acknowledgement changes nothing.
pub fn ack(
    service: &Service,
    who: &Principal,
    how: How,
    id: String,
) -> Result<Acknowledged, Error> {
    let own = who.org().ok_or(Error::Forbidden)?.to_string();
    let snap = service.snapshot();
    let notice = snap
        .dataset
        .notices
        .get(&id)
        .filter(|n| n.is_recipient(&own))
        .ok_or(Error::Forbidden)?;
    if let Some(&at) = notice.acks.get(&own) {
        return Ok(Acknowledged {
            id,
            at,
            revision: None,
        });
    }
    let (revision, at) = service.write(how, move |data| {
        let mut notice = data
            .notices
            .get(&id)
            .filter(|n| n.is_recipient(&own))
            .cloned()
            .ok_or(Error::Forbidden)?;
        let at = *notice.acks.entry(own).or_insert_with(crate::access::now);
        Ok(Prepared::new(with_notice(notice), at))
    })?;
    Ok(Acknowledged {
        id: notice.id.clone(),
        at,
        revision: Some(revision),
    })
}

/// Which notices to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeBox {
    /// Received (an enterprise) or every notice the holder may read (regulators, admins).
    #[default]
    In,
    /// Sent by this organization (an enterprise) or this token (regulators, admins).
    Out,
}

/// Filters and page of the notice list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeFilter {
    /// `in` (default) or `out`.
    #[serde(rename = "box")]
    #[param(rename = "box", value_type = Option<NoticeBox>, inline)]
    pub mailbox: Option<NoticeBox>,
    /// Only notices of this chain.
    pub chain: Option<String>,
    /// Only notices about this firm.
    pub firm: Option<String>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Notices per page (default 50, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<usize>,
}

/// A notice as its reader may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: String,
    pub chain: String,
    pub about: NoticeAbout,
    /// The name of the firm it is about.
    pub firm_name: String,
    pub kind: NoticeKind,
    pub severity: u8,
    pub message: String,
    pub direction: NoticeDirection,
    pub sender: String,
    pub sent_at: u64,
    /// For a recipient: how the reader was told (customer, disabled, supplier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<RecipientRelation>,
    /// For a recipient: when the reader acknowledged it; absent while it is unread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<u64>,
    /// The recipients: for the sender, regulators and admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Vec<NoticeRecipient>>,
    /// Acknowledgements by organization: for the sender, regulators and admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acks: Option<BTreeMap<String, u64>>,
}

/// How many notices of one chain and kind there are (what a planner sees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NoticeCount {
    pub chain: String,
    pub kind: NoticeKind,
    pub count: usize,
}

/// One page of notices. A planner gets `notices: []`, `total` and `counts` only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticePage {
    /// Notices matching the filter, over all pages.
    pub total: usize,
    /// Of those, the ones the reading enterprise has not acknowledged (0 for other roles).
    pub unread: usize,
    pub page: usize,
    pub per_page: usize,
    pub notices: Vec<NoticeView>,
    /// Planners: the number of notices by chain and kind, in chain and kind order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<Vec<NoticeCount>>,
}

/// The notices `who` may read, filtered and paged (see the module docs for who sees what):
/// an inbox lists unread first, then newest first; every other list newest first.
pub fn list(snap: &Snapshot, who: &Principal, f: NoticeFilter) -> Result<NoticePage, Error> {
    let (page, per_page) = page_bounds(f.page, f.per_page)?;
    let d = &snap.dataset;
    let mailbox = f.mailbox.unwrap_or_default();
    let matches = |n: &&Notice| {
        f.chain.as_deref().is_none_or(|c| n.chain == c)
            && f.firm.as_deref().is_none_or(|firm| n.about.firm == firm)
    };
    if who.is_planner() {
        let mut counts: BTreeMap<(String, NoticeKind), usize> = BTreeMap::new();
        let mut total = 0;
        for n in d.notices.values().filter(matches) {
            *counts.entry((n.chain.clone(), n.kind)).or_default() += 1;
            total += 1;
        }
        return Ok(NoticePage {
            total,
            unread: 0,
            page,
            per_page,
            notices: Vec::new(),
            counts: Some(
                counts
                    .into_iter()
                    .map(|((chain, kind), count)| NoticeCount { chain, kind, count })
                    .collect(),
            ),
        });
    }
    let own = who.org();
    let mut rows: Vec<&Notice> = d
        .notices
        .values()
        .filter(matches)
        .filter(|n| match (own, mailbox) {
            (Some(own), NoticeBox::In) => n.is_recipient(own),
            (Some(own), NoticeBox::Out) => n.sender == own,
            (None, NoticeBox::In) => who.reads_chain(&n.chain),
            (None, NoticeBox::Out) => n.sender == who.actor() && who.reads_chain(&n.chain),
        })
        .collect();
    let unread_by = |n: &Notice| own.is_some_and(|o| n.is_recipient(o) && !n.acks.contains_key(o));
    let unread = rows.iter().filter(|n| unread_by(n)).count();
    rows.sort_by(|a, b| {
        unread_by(b)
            .cmp(&unread_by(a))
            .then_with(|| b.sent_at.cmp(&a.sent_at))
            .then_with(|| number(&b.id).cmp(&number(&a.id)))
            .then_with(|| a.id.cmp(&b.id))
    });
    let total = rows.len();
    let sight = who.sight(d);
    let notices = page_of(rows, page, per_page)
        .into_iter()
        .map(|n| {
            // The sender (and every non-enterprise reader) sees the whole list; a recipient
            // only its own part.
            let full = own.is_none_or(|o| n.sender == o);
            let mine = own.and_then(|o| n.recipients.iter().find(|r| r.org == o));
            NoticeView {
                id: n.id.clone(),
                chain: n.chain.clone(),
                about: NoticeAbout {
                    // A problem the reader may not read is not named to it.
                    problem: n
                        .about
                        .problem
                        .clone()
                        .filter(|id| d.problems.get(id).is_some_and(|p| sight.sees(p))),
                    ..n.about.clone()
                },
                firm_name: d
                    .organizations
                    .get(&n.about.firm)
                    .map_or_else(|| n.about.firm.clone(), |o| o.name.clone()),
                kind: n.kind,
                severity: n.severity,
                message: n.message.clone(),
                direction: n.direction,
                sender: n.sender.clone(),
                sent_at: n.sent_at,
                relation: mine.map(|r| r.relation),
                acknowledged: own.and_then(|o| n.acks.get(o).copied()),
                recipients: full.then(|| n.recipients.clone()),
                acks: full.then(|| n.acks.clone()),
            }
        })
        .collect();
    Ok(NoticePage {
        total,
        unread,
        page,
        per_page,
        notices,
        counts: None,
    })
}

/// The number of an `nt-N` id, for newest-first order among notices sent in the same second.
fn number(id: &str) -> u64 {
    id.strip_prefix("nt-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

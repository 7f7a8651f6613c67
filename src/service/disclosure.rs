//! Problem disclosure: a holder (or a regulator of the chain, or an admin) sets who may read a
//! problem ([`set_disclosure`]); a firm asks a supplier upstream of it on a chain to disclose
//! ([`request`]), the supplier answers ([`answer`]), and everyone concerned lists the requests
//! ([`requests`]). Who reads which problem is [`Principal::sees_problem`]'s to say.
//!
//! Requests live in the store's own tree, not in the dataset (see
//! [`crate::model::disclosure`]). A request and its answer are written under the API's write
//! turn; an accepted answer stores the answered request first and then commits the problems'
//! new disclosure, and puts the request back as it was if that commit fails, so that a failed
//! answer changes nothing.

use super::{upstream_on_chain, Error, How, Prepared, Principal, Service};
use crate::model::disclosure::{DisclosureRequest, RequestAnswer, RequestStatus};
use crate::model::{limits, Bundle, ChangeSet, Disclosure, Problem};
use crate::validate::{ErrorCode, Report, ValidationError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The new disclosure of a problem.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureChange {
    pub disclosure: Disclosure,
}

/// Sets who may read problem `id`: its holder, the regulators of its chain and admins may.
/// Returns the problem as stored.
pub fn set_disclosure(
    service: &Service,
    who: &Principal,
    how: How,
    id: String,
    disclosure: Disclosure,
) -> Result<Problem, Error> {
    super::records::update_problem(service, who, how, id, |problem| {
        problem.disclosure = disclosure;
        Ok(())
    })
}

fn with_problems(problems: Vec<Problem>) -> ChangeSet {
    ChangeSet::upsert(Bundle {
        problems,
        ..Bundle::new()
    })
}

/// A firm's request that a supplier disclose (its schema: `DisclosureRequestBody`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = DisclosureRequestBody)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// The supplier asked: a firm upstream of the asking firm on the chain.
    pub supplier: String,
    /// One problem of the supplier on the chain; absent: all its demand problems there.
    #[serde(default)]
    pub problem: Option<String>,
    #[serde(default)]
    pub message: String,
}

fn too_long(path: &str, what: &str, max: usize) -> ValidationError {
    ValidationError::new(
        ErrorCode::TooLong,
        path,
        format!("{what} is longer than {max} characters"),
    )
}

/// Sends a disclosure request on `chain`: only an enterprise on the chain, to a firm upstream
/// of it there. A supplier that is unknown or not upstream is the same 422 `not_upstream` at
/// `/supplier`. A named problem is not looked up (so that the answer says nothing about a
/// problem the asker may not read); the supplier's answer checks it.
pub fn request(
    service: &Service,
    who: &Principal,
    chain: &str,
    body: RequestBody,
) -> Result<DisclosureRequest, Error> {
    let snap = service.snapshot();
    let d = &snap.dataset;
    let own = who.org().ok_or(Error::Forbidden)?;
    let on_chain = d
        .organizations
        .get(own)
        .is_some_and(|o| o.membership(chain).is_some());
    who.require(on_chain)?;
    let mut report = Report::default();
    if body.supplier.chars().count() > limits::ID {
        report.push(too_long("/supplier", "supplier", limits::ID));
    } else if !upstream_on_chain(d, own, chain).contains(&body.supplier) {
        report.push(ValidationError::new(
            ErrorCode::NotUpstream,
            "/supplier",
            format!(
                "{:?} is not a supplier upstream of {own} on chain {chain}",
                body.supplier
            ),
        ));
    }
    if let Some(p) = &body.problem {
        if p.is_empty() || p.chars().count() > limits::ID {
            report.push(ValidationError::new(
                ErrorCode::InvalidId,
                "/problem",
                format!("a problem id has 1 to {} characters", limits::ID),
            ));
        }
    }
    if body.message.chars().count() > limits::TEXT {
        report.push(too_long("/message", "message", limits::TEXT));
    }
    if !report.is_empty() {
        return Err(Error::Invalid(report));
    }
    let store = service.store();
    let r = DisclosureRequest {
        id: store.next_disclosure_request_id()?,
        chain: chain.to_string(),
        from: own.to_string(),
        supplier: body.supplier,
        problem: body.problem,
        message: body.message,
        at: crate::access::now(),
        by: who.actor().to_string(),
        status: RequestStatus::Pending,
        answer: None,
    };
    store.put_disclosure_request(&r)?;
    Ok(r)
}

/// The disclosure requests a holder may read: an enterprise those it sent and received;
/// regulators those of the chains they read, admins (and anonymous demo visitors) all; planners
/// none (403). Of an answer's problems, the asking firm sees the ids of those it may read now.
pub fn requests(service: &Service, who: &Principal) -> Result<Vec<DisclosureRequest>, Error> {
    who.require(!who.is_planner())?;
    let snap = service.snapshot();
    let sight = who.sight(&snap.dataset);
    let mut out: Vec<DisclosureRequest> = service
        .store()
        .disclosure_requests()?
        .into_iter()
        .filter(|r| match who.org() {
            Some(own) => r.from == own || r.supplier == own,
            None => who.reads_chain(&r.chain),
        })
        .collect();
    if who.org().is_some() {
        for r in &mut out {
            if let Some(a) = &mut r.answer {
                a.problems
                    .retain(|id| snap.dataset.problems.get(id).is_some_and(|p| sight.sees(p)));
            }
        }
    }
    // Newest first: ids count up.
    out.sort_by_key(|r| {
        std::cmp::Reverse(
            r.id.strip_prefix("dr-")
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0),
        )
    });
    Ok(out)
}

/// A supplier's answer (its schema: `DisclosureAnswerBody`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = DisclosureAnswerBody)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub accept: bool,
    /// `customers` or `chain`; required when accepting.
    #[serde(default)]
    pub disclosure: Option<Disclosure>,
    #[serde(default)]
    pub note: String,
}

/// What an answer did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DisclosureAnswered)]
pub struct Answered {
    pub request: DisclosureRequest,
    /// The revision that set the problems' disclosure; absent when nothing changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
}

/// The supplier answers request `id`: only the supplier's enterprise tokens may (403 for
/// everyone else, whether or not the request exists). Accepting sets the disclosure of the
/// named problem (422 `unknown_problem` at `/problem` unless it is the supplier's on the
/// request's chain), or else of all the supplier's demand problems on that chain. A request
/// is answered once (409 `already_answered`).
pub fn answer(
    service: &Service,
    who: &Principal,
    how: How,
    id: &str,
    body: AnswerBody,
) -> Result<Answered, Error> {
    let own = who.org().ok_or(Error::Forbidden)?.to_string();
    let store = service.store();
    let old = store.disclosure_request(id)?.ok_or(Error::Forbidden)?;
    who.require(old.supplier == own)?;
    let mut report = Report::default();
    match body.disclosure {
        None | Some(Disclosure::Private) if body.accept => report.push(ValidationError::new(
            ErrorCode::MissingField,
            "/disclosure",
            "accepting needs a disclosure: customers or chain",
        )),
        _ => {}
    }
    if body.note.chars().count() > limits::TEXT {
        report.push(too_long("/note", "note", limits::TEXT));
    }
    if !report.is_empty() {
        return Err(Error::Invalid(report));
    }
    if old.status != RequestStatus::Pending {
        return Err(Error::Conflict {
            code: "already_answered",
            message: format!(
                "request {id} was answered already ({})",
                old.status.as_str()
            ),
            details: Default::default(),
        });
    }
    let snap = service.snapshot();
    let disclosure = body.disclosure.filter(|_| body.accept);
    let mut changed: Vec<Problem> = Vec::new();
    if let Some(level) = disclosure {
        let mine = |p: &&Problem| p.org == own && p.chain == old.chain;
        match &old.problem {
            Some(pid) => {
                let p = snap.dataset.problems.get(pid).filter(mine).ok_or_else(|| {
                    Error::invalid(
                        ErrorCode::UnknownProblem,
                        "/problem",
                        format!("{pid:?} is not a problem of {own} on chain {}", old.chain),
                    )
                })?;
                changed.push(p.clone());
            }
            None => changed.extend(
                snap.dataset
                    .problems_of_chain(&old.chain)
                    .filter(|p| p.org == own && p.is_demand())
                    .cloned(),
            ),
        }
        changed.retain(|p| p.disclosure != level);
        for p in &mut changed {
            p.disclosure = level;
        }
    }
    let mut new = old.clone();
    new.status = if body.accept {
        RequestStatus::Accepted
    } else {
        RequestStatus::Declined
    };
    new.answer = Some(RequestAnswer {
        accept: body.accept,
        disclosure,
        note: body.note,
        at: crate::access::now(),
        by: who.actor().to_string(),
        problems: changed.iter().map(|p| p.id.clone()).collect(),
    });
    store.put_disclosure_request(&new)?;
    let revision = if changed.is_empty() {
        None
    } else {
        let written = service.write(how, move |data| {
            // Only the supplier's own problems, as they are now.
            let current: Vec<Problem> = changed
                .into_iter()
                .filter_map(|p| {
                    data.problems
                        .get(&p.id)
                        .filter(|q| q.org == p.org)
                        .map(|q| {
                            let mut q = q.clone();
                            q.disclosure = p.disclosure;
                            q
                        })
                })
                .collect();
            Ok(Prepared::new(with_problems(current), ()))
        });
        match written {
            Ok((revision, ())) => Some(revision),
            Err(e) => {
                if let Err(undo) = store.put_disclosure_request(&old) {
                    tracing::error!(%undo, request = %old.id, "a failed answer could not be put back");
                }
                return Err(e);
            }
        }
    };
    Ok(Answered {
        request: new,
        revision,
    })
}

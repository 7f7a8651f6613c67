//! Single records: organizations, supplies and problems — read, create, replace, delete, and a
//! problem's status change, each checked against the holder's role and applied atomically.
//!
//! Order of checks in a write, so that a refusal says nothing about what exists: first what the
//! role may write at all ([`may_write`], before the body is even parsed), then what the new
//! record says (a firm writing another firm's problem), then validation of the change against
//! the data, and only then what depends on the stored records (the old version belongs to
//! someone else; the id is taken).

use super::{rules, Error, How, Prepared, Principal, Service, Snapshot};
use crate::model::access::AccessRole;
use crate::model::{Bundle, ChangeSet, Organization, Problem, Status, Supply};

/// A kind of record written on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organization,
    Supply,
    Problem,
}

/// Whether a write creates a record (refused if the id is taken) or creates or replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Upsert,
}

/// Refuses at once a holder whose role writes no record of `kind` (planners, anonymous demo
/// visitors; enterprises write only their own problems). Called before a body is parsed.
pub fn may_write(who: &Principal, kind: Kind) -> Result<(), Error> {
    let allowed = match who.role() {
        Some(AccessRole::Admin | AccessRole::Regulator) => true,
        Some(AccessRole::Enterprise) => kind == Kind::Problem,
        Some(AccessRole::Planner) | None => false,
    };
    who.require(allowed)
}

/// `override_status` is for admins and regulators of the chains concerned only.
fn may_override(who: &Principal, override_status: bool, chains: &[&str]) -> Result<(), Error> {
    if override_status {
        who.require(who.org().is_none() && chains.iter().all(|c| who.writes_chain(c)))?;
    }
    Ok(())
}

fn already_exists(kind: &'static str, id: &str) -> Error {
    Error::Conflict {
        code: "already_exists",
        message: format!("{kind} {id:?} already exists"),
        details: Default::default(),
    }
}

/// One organization, if the holder may read it.
pub fn organization(snap: &Snapshot, who: &Principal, id: &str) -> Result<Organization, Error> {
    who.require(who.reads_organization(&snap.dataset, id))?;
    snap.dataset
        .organizations
        .get(id)
        .cloned()
        .ok_or_else(|| Error::not_found("organization", id))
}

/// Creates or replaces an organization. Returns the revision and whether one was replaced.
pub fn put_organization(
    service: &Service,
    who: &Principal,
    how: How,
    org: Organization,
    mode: Mode,
) -> Result<(u64, bool), Error> {
    who.require(who.writes_organization(None, Some(&org)))?;
    service.write(how, move |data| {
        let old = data.organizations.get(&org.id);
        let existed = old.is_some();
        let refused_old = !who.writes_organization(old, Some(&org));
        let taken = mode == Mode::Create && existed;
        let id = org.id.clone();
        Ok(Prepared::new(
            upsert(Bundle {
                organizations: vec![org],
                ..Bundle::new()
            }),
            existed,
        )
        .unless(refused_old, || Error::Forbidden)
        .unless(taken, || already_exists("organization", &id)))
    })
}

/// Deletes an organization (refused while supplies or problems refer to it).
pub fn delete_organization(
    service: &Service,
    who: &Principal,
    how: How,
    id: String,
) -> Result<u64, Error> {
    delete(service, how, move |data| {
        let Some(old) = data.organizations.get(&id) else {
            return Err(who.not_found("organization", id));
        };
        who.require(who.writes_organization(Some(old), None))?;
        Ok(ChangeSet {
            delete_organizations: vec![id],
            ..ChangeSet::default()
        })
    })
}

/// How a supply is named in messages.
pub fn supply_label(s: &Supply) -> String {
    format!("{}: {} → {} ({})", s.chain, s.supplier, s.customer, s.part)
}

/// A supply, if it exists and the holder reads its chain.
pub fn supply(snap: &Snapshot, who: &Principal, supply: Supply) -> Result<Supply, Error> {
    who.require_chain(&supply.chain)?;
    if snap.dataset.supplies.contains(&supply) {
        Ok(supply)
    } else {
        Err(Error::not_found("supply", supply_label(&supply)))
    }
}

/// Creates a supply (idempotent: a supply has no fields beyond its key). Returns the revision
/// and whether it existed.
pub fn put_supply(
    service: &Service,
    who: &Principal,
    how: How,
    supply: Supply,
) -> Result<(u64, bool), Error> {
    who.require(who.writes_chain(&supply.chain))?;
    service.write(how, move |data| {
        let existed = data.supplies.contains(&supply);
        let change = upsert(Bundle {
            supplies: vec![supply],
            ..Bundle::new()
        });
        Ok(Prepared::new(change, existed))
    })
}

/// Deletes a supply.
pub fn delete_supply(
    service: &Service,
    who: &Principal,
    how: How,
    supply: Supply,
) -> Result<u64, Error> {
    who.require(who.writes_chain(&supply.chain))?;
    delete(service, how, move |data| {
        if !data.supplies.contains(&supply) {
            return Err(Error::not_found("supply", supply_label(&supply)));
        }
        Ok(ChangeSet {
            delete_supplies: vec![supply],
            ..ChangeSet::default()
        })
    })
}

/// One problem, if the holder may read it.
pub fn problem(snap: &Snapshot, who: &Principal, id: &str) -> Result<Problem, Error> {
    let problem = snap
        .dataset
        .problems
        .get(id)
        .ok_or_else(|| who.not_found("problem", id))?;
    who.require(who.sees_problem(&snap.dataset, problem))?;
    Ok(problem.clone())
}

/// Creates or replaces a problem; the status rules of [`rules`] apply unless overridden.
/// Returns the revision and whether one was replaced.
pub fn put_problem(
    service: &Service,
    who: &Principal,
    how: How,
    problem: Problem,
    mode: Mode,
) -> Result<(u64, bool), Error> {
    who.require(who.writes_problem(&problem.org, &problem.chain))?;
    let over = how.override_status;
    service.write(how, move |data| {
        let old = data.problems.get(&problem.id);
        let existed = old.is_some();
        let refused_old = old.is_some_and(|p| !who.writes_problem(&p.org, &p.chain));
        let chains: Vec<&str> = old
            .iter()
            .map(|p| p.chain.as_str())
            .chain([problem.chain.as_str()])
            .collect();
        let override_refused = may_override(who, over, &chains).is_err();
        let taken = mode == Mode::Create && existed;
        let id = problem.id.clone();
        Ok(Prepared::new(upsert(one_problem(problem)), existed)
            .unless(refused_old || override_refused, || Error::Forbidden)
            .unless(taken, || already_exists("problem", &id)))
    })
}

/// Deletes a problem (a resolved one only with `override_status`).
pub fn delete_problem(
    service: &Service,
    who: &Principal,
    how: How,
    id: String,
) -> Result<u64, Error> {
    let over = how.override_status;
    delete(service, how, move |data| {
        let Some(old) = data.problems.get(&id) else {
            return Err(who.not_found("problem", id));
        };
        who.require(who.writes_problem(&old.org, &old.chain))?;
        may_override(who, over, &[old.chain.as_str()])?;
        Ok(ChangeSet {
            delete_problems: vec![id],
            ..ChangeSet::default()
        })
    })
}

/// Moves a problem's status forward (see [`rules::transition_allowed`]). Returns the problem
/// as stored.
pub fn set_problem_status(
    service: &Service,
    who: &Principal,
    how: How,
    id: String,
    status: Status,
) -> Result<Problem, Error> {
    update_problem(service, who, how, id, |problem| {
        if !rules::transition_allowed(problem.status, status) {
            return Err(Error::Conflict {
                code: "invalid_transition",
                message: format!(
                    "a problem cannot go from {} to {}",
                    problem.status.as_str(),
                    status.as_str()
                ),
                details: Default::default(),
            });
        }
        problem.status = status;
        Ok(())
    })
}

/// Changes one field of stored problem `id` in a write of its own: the problem must exist for
/// `who` (else 404) and be one `who` writes (else 403); `change` edits it or refuses. Returns
/// the problem as stored.
pub(super) fn update_problem(
    service: &Service,
    who: &Principal,
    how: How,
    id: String,
    change: impl FnOnce(&mut Problem) -> Result<(), Error>,
) -> Result<Problem, Error> {
    let (_, problem) = service.write(how, move |data| {
        let mut problem = data
            .problems
            .get(&id)
            .cloned()
            .ok_or_else(|| who.not_found("problem", id.clone()))?;
        who.require(who.writes_problem(&problem.org, &problem.chain))?;
        change(&mut problem)?;
        Ok(Prepared::new(upsert(one_problem(problem.clone())), problem))
    })?;
    Ok(problem)
}

/// A write that only deletes what `prepare` names; returns the revision.
fn delete(
    service: &Service,
    how: How,
    prepare: impl FnOnce(&crate::model::Dataset) -> Result<ChangeSet, Error>,
) -> Result<u64, Error> {
    service
        .write(how, |data| Ok(Prepared::new(prepare(data)?, ())))
        .map(|(revision, ())| revision)
}

fn upsert(bundle: Bundle) -> ChangeSet {
    ChangeSet::upsert(bundle)
}

fn one_problem(problem: Problem) -> Bundle {
    Bundle {
        problems: vec![problem],
        ..Bundle::new()
    }
}

//! What a survey replaces: an import with `replace` is the whole picture of the chains it
//! contains.
//!
//! For every chain whose record is in the file, what the store holds on that chain and the file
//! lacks goes in the same revision:
//!
//! - a **membership**: an organization that is a member of the chain but not in the file keeps
//!   its record, minus that membership (an organization in the file is replaced whole anyway);
//! - a **supply** of the chain that the file does not list;
//! - a **demand problem** (open or in progress) of the chain that the file does not list.
//!   Resolved problems the file does not list are kept while their firm stays on the chain: they
//!   are the record of what was solved, and the status rules never let a write delete them. Those
//!   of a firm that leaves the chain go with its membership (a problem belongs to a member), and
//!   remain readable as of the earlier revisions.
//!
//! A problem that a project tackles stays (whatever its status) until the project drops it, and a
//! firm that leads a project or consortium of the chain cannot leave it that way: the import is
//! refused, naming the project. Projects, consortia, policy tools and goals are upserted like any
//! record, never removed. Organization records themselves, providers included, are never
//! removed: they may belong to other chains. Chains not in the file are not touched.

use super::Snapshot;
use crate::model::{
    Bundle, ChangeSet, Consortium, Organization, Problem, Project, Supply, SupplyList,
};
use crate::store::{Store, StoreError};
use crate::validate::{ErrorCode, ValidationError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

/// What the chains of a file hold now: where a replacement looks. Each list is sorted (members
/// and problems by id, supplies in their order), whichever way it was read.
#[derive(Debug, Default, PartialEq)]
pub struct Holdings {
    /// Members of each chain.
    members: HashMap<String, Vec<Organization>>,
    supplies: HashMap<String, Vec<Supply>>,
    problems: HashMap<String, Vec<Problem>>,
    /// Projects and consortia of each chain: what they refer to stays.
    projects: HashMap<String, Vec<Project>>,
    consortia: HashMap<String, Vec<Consortium>>,
}

impl Holdings {
    /// What `chains` hold in a snapshot. O(size of those chains).
    pub fn of_snapshot(snap: &Snapshot, chains: &[&str]) -> Holdings {
        let index = snap.chain_index();
        let mut h = Holdings::default();
        for &chain in chains {
            let members: Vec<Organization> = index.members(&snap.dataset, chain).cloned().collect();
            let supplies: Vec<Supply> = snap.dataset.supplies_of_chain(chain).cloned().collect();
            let problems: Vec<Problem> = index
                .problems(&snap.dataset, chain)
                .into_iter()
                .cloned()
                .collect();
            if !members.is_empty() {
                h.members.insert(chain.to_string(), members);
            }
            if !supplies.is_empty() {
                h.supplies.insert(chain.to_string(), supplies);
            }
            if !problems.is_empty() {
                h.problems.insert(chain.to_string(), problems);
            }
            let projects: Vec<Project> = snap.dataset.projects_of_chain(chain).cloned().collect();
            if !projects.is_empty() {
                h.projects.insert(chain.to_string(), projects);
            }
            let consortia: Vec<Consortium> =
                snap.dataset.consortia_of_chain(chain).cloned().collect();
            if !consortia.is_empty() {
                h.consortia.insert(chain.to_string(), consortia);
            }
        }
        h.sorted()
    }

    /// Every list in its order (members and problems by id, supplies as supplies sort).
    fn sorted(mut self) -> Holdings {
        for v in self.members.values_mut() {
            v.sort_by(|a, b| a.id.cmp(&b.id));
        }
        for v in self.supplies.values_mut() {
            v.sort();
        }
        for v in self.problems.values_mut() {
            v.sort_by(|a, b| a.id.cmp(&b.id));
        }
        for v in self.projects.values_mut() {
            v.sort_by(|a, b| a.id.cmp(&b.id));
        }
        for v in self.consortia.values_mut() {
            v.sort_by(|a, b| a.id.cmp(&b.id));
        }
        self
    }

    /// What `chains` hold in a store, in one pass over it (see [`Store::chain_holdings`]).
    pub fn of_store(store: &Store, chains: &[&str]) -> Result<Holdings, StoreError> {
        let wanted: HashSet<&str> = chains.iter().copied().collect();
        let (members, supplies, problems) = store.chain_holdings(&wanted)?;
        let mut h = Holdings::default();
        for o in members {
            for m in o.memberships() {
                if wanted.contains(m.chain.as_str()) {
                    h.members
                        .entry(m.chain.clone())
                        .or_default()
                        .push(o.clone());
                }
            }
        }
        for s in supplies {
            h.supplies.entry(s.chain.clone()).or_default().push(s);
        }
        for p in problems {
            h.problems.entry(p.chain.clone()).or_default().push(p);
        }
        for p in crate::model::Lookup::projects(store) {
            if wanted.contains(p.chain.as_str()) {
                h.projects.entry(p.chain.clone()).or_default().push(p);
            }
        }
        for c in crate::model::Lookup::consortia(store) {
            if wanted.contains(c.chain.as_str()) {
                h.consortia.entry(c.chain.clone()).or_default().push(c);
            }
        }
        Ok(h.sorted())
    }

    fn of<'a, T>(map: &'a HashMap<String, Vec<T>>, chain: &str) -> &'a [T] {
        map.get(chain).map_or(&[], Vec::as_slice)
    }
}

/// What a replacement removed, per chain of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Replaced {
    /// Memberships removed from organizations the file does not list.
    pub memberships: usize,
    pub supplies: usize,
    /// Demand problems removed.
    pub problems: usize,
    /// Resolved problems the file does not list, kept (their firm stays on the chain).
    pub resolved_kept: usize,
    /// Resolved problems of firms that left the chain, removed with their membership.
    pub resolved_removed: usize,
    /// Demand problems the file does not list, kept because a project tackles them (a project's
    /// problems stay until the project drops them).
    pub tackled_kept: usize,
}

/// The removals that make `bundle` (with the supplies of `packed`) the whole picture of the
/// chains it contains: a change to apply together with the import (deletions, and organizations
/// rewritten without a membership), and what it removes, by chain.
///
/// Complexity: O(S + M + P) over what the file's chains hold now, plus O(F log F) to index the
/// file's supplies.
fn replacement(
    bundle: &Bundle,
    packed: &SupplyList,
    now: &Holdings,
) -> (ChangeSet, BTreeMap<String, Replaced>) {
    let chains: Vec<&str> = bundle.chains.iter().map(|c| c.id.as_str()).collect();
    let in_file_orgs: HashSet<&str> = bundle.organizations.iter().map(|o| o.id.as_str()).collect();
    let in_file_problems: HashSet<&str> = bundle.problems.iter().map(|p| p.id.as_str()).collect();
    let covered: HashSet<&str> = chains.iter().copied().collect();
    let mut in_file_supplies: Vec<(&str, &str, &str, &str)> = bundle
        .supplies
        .iter()
        .map(|s| {
            (
                s.chain.as_str(),
                s.supplier.as_str(),
                s.customer.as_str(),
                s.part.as_str(),
            )
        })
        .chain(
            packed
                .iter()
                .map(|s| (s.chain, s.supplier, s.customer, s.part)),
        )
        .filter(|s| covered.contains(s.0))
        .collect();
    in_file_supplies.sort_unstable();

    let mut change = ChangeSet::default();
    let mut rewritten: BTreeMap<String, Organization> = BTreeMap::new();
    let mut summary = BTreeMap::new();
    for chain in chains {
        let mut replaced = Replaced::default();
        let mut leaving: HashSet<String> = HashSet::new();
        for member in Holdings::of(&now.members, chain) {
            if in_file_orgs.contains(member.id.as_str()) {
                continue;
            }
            leaving.insert(member.id.clone());
            let org = rewritten
                .entry(member.id.clone())
                .or_insert_with(|| member.clone());
            if let Some(memberships) = &mut org.chains {
                memberships.retain(|m| m.chain != chain);
            }
            replaced.memberships += 1;
        }
        for s in Holdings::of(&now.supplies, chain) {
            let key = (
                s.chain.as_str(),
                s.supplier.as_str(),
                s.customer.as_str(),
                s.part.as_str(),
            );
            if in_file_supplies.binary_search(&key).is_err() {
                change.delete_supplies.push(s.clone());
                replaced.supplies += 1;
            }
        }
        // The problems projects tackle after the import: the file's projects, and the stored
        // ones it does not replace.
        let in_file_projects: HashSet<&str> =
            bundle.projects.iter().map(|p| p.id.as_str()).collect();
        let tackled: HashSet<&str> = Holdings::of(&now.projects, chain)
            .iter()
            .filter(|p| !in_file_projects.contains(p.id.as_str()))
            .chain(bundle.projects.iter().filter(|p| p.chain == chain))
            .flat_map(|p| p.problems.iter().map(String::as_str))
            .collect();
        for p in Holdings::of(&now.problems, chain) {
            if in_file_problems.contains(p.id.as_str()) {
                continue;
            }
            if tackled.contains(p.id.as_str()) {
                replaced.tackled_kept += 1;
            } else if p.is_demand() {
                change.delete_problems.push(p.id.clone());
                replaced.problems += 1;
            } else if leaving.contains(&p.org) {
                change.delete_problems.push(p.id.clone());
                replaced.resolved_removed += 1;
            } else {
                replaced.resolved_kept += 1;
            }
        }
        summary.insert(chain.to_string(), replaced);
    }
    change.upsert.organizations = rewritten.into_values().collect();
    (change, summary)
}

/// `bundle` imported with the removals of `extra` (from [`replacement`]) in one change.
fn with_removals(bundle: Bundle, extra: ChangeSet) -> ChangeSet {
    let mut change = extra;
    let rewritten = std::mem::take(&mut change.upsert.organizations);
    change.upsert = bundle;
    change.upsert.organizations.extend(rewritten);
    change
}

/// The one change that imports `bundle` (with the supplies of `packed`) replacing what the
/// store holds (`now`) on the bundle's chains, and what it removes by chain; or, when the
/// removals would strand a record of the file (a supply or problem of a firm that the file does
/// not list, and so leaves the chain), the errors with their paths.
///
/// The file itself must have been validated against the stored data; the only inconsistency
/// the removals can add is that one, so this is all that is checked again.
pub fn replacing(
    bundle: Bundle,
    packed: &SupplyList,
    now: &Holdings,
) -> Result<(ChangeSet, BTreeMap<String, Replaced>), Vec<ValidationError>> {
    let (extra, replaced) = replacement(&bundle, packed, now);
    let mut errors = stranded(&bundle, packed, &extra.upsert.organizations);
    errors.extend(leads_leaving(&bundle, now, &extra.upsert.organizations));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((with_removals(bundle, extra), replaced))
}

/// Stored projects and consortia (those the file does not replace) led by a firm that the
/// replacement takes off their chain.
fn leads_leaving(
    bundle: &Bundle,
    now: &Holdings,
    rewritten: &[Organization],
) -> Vec<ValidationError> {
    let replaced_projects: HashSet<&str> = bundle.projects.iter().map(|p| p.id.as_str()).collect();
    let replaced_consortia: HashSet<&str> =
        bundle.consortia.iter().map(|c| c.id.as_str()).collect();
    let off = |org: &str, chain: &str| {
        rewritten
            .iter()
            .any(|o| o.id == org && !o.memberships().iter().any(|m| m.chain == chain))
    };
    let mut errors = Vec::new();
    let refusal = |what: &str, id: &str, lead: &str, chain: &str| {
        ValidationError::new(
            ErrorCode::StillReferenced,
            "",
            format!(
                "{lead:?} leads {what} {id:?} on chain {chain:?} but is not in the file, so the \
                 replacing import would take it off the chain: list it in the file, or give the \
                 {what} another lead first"
            ),
        )
    };
    for p in now.projects.values().flatten() {
        if replaced_projects.contains(p.id.as_str()) {
            continue;
        }
        if off(&p.lead, &p.chain) {
            errors.push(refusal("project", &p.id, &p.lead, &p.chain));
        }
        // A problem it tackles stays, so its holder must stay on the chain too.
        for problem in Holdings::of(&now.problems, &p.chain)
            .iter()
            .filter(|x| p.problems.contains(&x.id) && off(&x.org, &x.chain))
        {
            errors.push(ValidationError::new(
                ErrorCode::StillReferenced,
                "",
                format!(
                    "project {:?} tackles problem {:?} of {:?}, which is not in the file, so the \
                     replacing import would take it off chain {:?}: list the firm in the file, \
                     or take the problem off the project first",
                    p.id, problem.id, problem.org, p.chain
                ),
            ));
        }
    }
    for c in now.consortia.values().flatten() {
        if !replaced_consortia.contains(c.id.as_str()) && off(&c.lead, &c.chain) {
            errors.push(refusal("consortium", &c.id, &c.lead, &c.chain));
        }
    }
    errors
}

/// Supplies and problems of the file (`bundle`'s, and the streamed supplies of `packed`, both
/// by their index in the file) whose firm `rewritten` takes off that record's chain.
fn stranded(
    bundle: &Bundle,
    packed: &SupplyList,
    rewritten: &[Organization],
) -> Vec<ValidationError> {
    if rewritten.is_empty() {
        return Vec::new();
    }
    let by_id: HashMap<&str, &Organization> =
        rewritten.iter().map(|o| (o.id.as_str(), o)).collect();
    let off = |org: &str, chain: &str| {
        by_id
            .get(org)
            .is_some_and(|o| !o.memberships().iter().any(|m| m.chain == chain))
    };
    let message = |org: &str, chain: &str| {
        format!(
            "{org:?} is no longer a member of chain {chain:?}: the file does not list it, and \
             the replacing import takes it off the chain"
        )
    };
    let mut errors = Vec::new();
    let supplies = bundle
        .supplies
        .iter()
        .map(|s| (s.chain.as_str(), s.supplier.as_str(), s.customer.as_str()))
        .chain(packed.iter().map(|s| (s.chain, s.supplier, s.customer)));
    for (i, (chain, supplier, customer)) in supplies.enumerate() {
        for (field, org) in [("from", supplier), ("to", customer)] {
            if off(org, chain) {
                errors.push(ValidationError::new(
                    ErrorCode::NotAMember,
                    format!("/supplies/{i}/{field}"),
                    message(org, chain),
                ));
            }
        }
    }
    for (i, p) in bundle.problems.iter().enumerate() {
        if off(&p.org, &p.chain) {
            errors.push(ValidationError::new(
                ErrorCode::NotAMember,
                format!("/problems/{i}/org"),
                message(&p.org, &p.chain),
            ));
        }
    }
    errors
}

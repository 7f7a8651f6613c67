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
//! Organization records themselves, providers included, are never removed: they may belong to
//! other chains. Chains not in the file are not touched.

use super::Snapshot;
use crate::model::{Bundle, ChangeSet, Organization, Problem, Supply, SupplyList};
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

/// What a chain holds now: where a replacement looks.
pub trait Holdings {
    /// The members of `chain`, in id order.
    fn members(&self, chain: &str) -> Result<Vec<Organization>, StoreError>;
    /// The supplies of `chain`.
    fn supplies(&self, chain: &str) -> Result<Vec<Supply>, StoreError>;
    /// The problems of `chain`.
    fn problems(&self, chain: &str) -> Result<Vec<Problem>, StoreError>;
}

impl Holdings for Snapshot {
    fn members(&self, chain: &str) -> Result<Vec<Organization>, StoreError> {
        Ok(self
            .chain_index()
            .members(&self.dataset, chain)
            .cloned()
            .collect())
    }

    fn supplies(&self, chain: &str) -> Result<Vec<Supply>, StoreError> {
        Ok(self.dataset.supplies_of_chain(chain).cloned().collect())
    }

    fn problems(&self, chain: &str) -> Result<Vec<Problem>, StoreError> {
        Ok(self
            .chain_index()
            .problems(&self.dataset, chain)
            .into_iter()
            .cloned()
            .collect())
    }
}

/// The store answers from its indexes: members of the chain, then each member's supplies (as
/// customer: every supply has one customer, a member of its chain) and problems.
impl Holdings for Store {
    fn members(&self, chain: &str) -> Result<Vec<Organization>, StoreError> {
        let mut found = Vec::new();
        for id in self.members_of_chain(chain)? {
            if let Some(o) = self.organization_record(&id)? {
                found.push(o);
            }
        }
        Ok(found)
    }

    fn supplies(&self, chain: &str) -> Result<Vec<Supply>, StoreError> {
        let mut found = Vec::new();
        for id in self.members_of_chain(chain)? {
            found.extend(
                self.suppliers_of(&id)?
                    .into_iter()
                    .filter(|s| s.chain == chain),
            );
        }
        Ok(found)
    }

    fn problems(&self, chain: &str) -> Result<Vec<Problem>, StoreError> {
        let mut found = Vec::new();
        for id in self.members_of_chain(chain)? {
            found.extend(
                self.problems_of_org(&id)?
                    .into_iter()
                    .filter(|p| p.chain == chain),
            );
        }
        Ok(found)
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
}

/// The removals that make `bundle` (with the supplies of `packed`) the whole picture of the
/// chains it contains: a change to apply together with the import (deletions, and organizations
/// rewritten without a membership), and what it removes, by chain.
///
/// Complexity: O(S + M + P) over what the file's chains hold now, plus O(F log F) to index the
/// file's supplies.
pub fn replacement(
    bundle: &Bundle,
    packed: &SupplyList,
    now: &dyn Holdings,
) -> Result<(ChangeSet, BTreeMap<String, Replaced>), StoreError> {
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
        for member in now.members(chain)? {
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
        for s in now.supplies(chain)? {
            let key = (
                s.chain.as_str(),
                s.supplier.as_str(),
                s.customer.as_str(),
                s.part.as_str(),
            );
            if in_file_supplies.binary_search(&key).is_err() {
                change.delete_supplies.push(s);
                replaced.supplies += 1;
            }
        }
        for p in now.problems(chain)? {
            if in_file_problems.contains(p.id.as_str()) {
                continue;
            }
            if p.is_demand() {
                change.delete_problems.push(p.id);
                replaced.problems += 1;
            } else if leaving.contains(&p.org) {
                change.delete_problems.push(p.id);
                replaced.resolved_removed += 1;
            } else {
                replaced.resolved_kept += 1;
            }
        }
        summary.insert(chain.to_string(), replaced);
    }
    change.upsert.organizations = rewritten.into_values().collect();
    Ok((change, summary))
}

/// `bundle` imported with the removals of `extra` (from [`replacement`]) in one change.
pub fn with_removals(bundle: Bundle, extra: ChangeSet) -> ChangeSet {
    let mut change = extra;
    let rewritten = std::mem::take(&mut change.upsert.organizations);
    change.upsert = bundle;
    change.upsert.organizations.extend(rewritten);
    change
}

/// Supplies of `packed` (the supplies of a streamed file, not in the change) whose supplier or
/// customer is an organization the replacement takes off that supply's chain: the one
/// inconsistency a replacement can make that validating the change does not see.
pub fn packed_left_dangling(
    packed: &SupplyList,
    rewritten: &[Organization],
) -> Vec<crate::validate::ValidationError> {
    use crate::validate::{ErrorCode, ValidationError};
    let by_id: std::collections::HashMap<&str, &Organization> =
        rewritten.iter().map(|o| (o.id.as_str(), o)).collect();
    let member = |org: &str, chain: &str| {
        by_id
            .get(org)
            .is_none_or(|o| o.memberships().iter().any(|m| m.chain == chain))
    };
    let mut errors = Vec::new();
    for (i, s) in packed.iter().enumerate() {
        for (field, org) in [("supplier", s.supplier), ("customer", s.customer)] {
            if !member(org, s.chain) {
                errors.push(ValidationError::new(
                    ErrorCode::NotAMember,
                    format!("/supplies/{i}/{field}"),
                    format!(
                        "{org:?} is no longer a member of chain {:?}: the file does not list it, \
                         and with replace it leaves the chain",
                        s.chain
                    ),
                ));
            }
        }
    }
    errors
}

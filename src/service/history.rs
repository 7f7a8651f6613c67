//! Revisions and surveys: the list of revisions, and any read as of an earlier revision.
//!
//! The data as of revision N is the current snapshot with the store's undo of every later
//! revision applied (see `store::history`): it costs what changed since N, not the size of the
//! data, and it shares with the current snapshot every chain analysis the undo does not touch.
//! The last few such snapshots are kept, since a user comparing two surveys asks about the same
//! two revisions again and again.
//!
//! A read of one chain needs less: [`Service::chain_snapshot_at`] applies only the part of the
//! undo that the chain's analyses read (the chain, its members at either revision, its supplies,
//! problems, projects and consortia, every provider, region, policy tool and goal). The snapshot
//! it makes is right for that chain only, and is kept for that chain only; the decoded undo is
//! kept too, so the next chain's first read costs its own slice.

use super::{upstream_of, Error, Principal, Service, Snapshot};
use crate::analysis::changes::{chain_changes, ChainChanges, Side};
use crate::analysis::coverage::Coverage;
use crate::analysis::quality::ChainRow;
use crate::analysis::ChainAnalysis;
use crate::model::{ChangeSet, Dataset, Organization, Revision};
use crate::store::Undo;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

/// Snapshots of earlier revisions kept at once.
const KEPT: usize = 4;

/// Slices of one chain kept at once.
const KEPT_SLICES: usize = 16;

/// What a kept snapshot is: the whole data as of a revision, or one chain's slice of it.
type Key = (u64, Option<String>);

/// `(target, from)` and the undo from `from` back to `target`.
type KeptUndo = ((u64, u64), Arc<Undo>);

/// The last snapshots of earlier revisions (whole, and one chain's slices), most recently used
/// last, and the last undo read.
#[derive(Default)]
pub(super) struct Earlier {
    kept: Mutex<VecDeque<(Key, Arc<Snapshot>)>>,
    /// The last undo read.
    undo: Mutex<Option<KeptUndo>>,
}

impl Earlier {
    fn get(&self, key: &Key) -> Option<Arc<Snapshot>> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let at = kept.iter().position(|(k, _)| k == key)?;
        let entry = kept.remove(at)?;
        let snap = entry.1.clone();
        kept.push_back(entry);
        Some(snap)
    }

    fn keep(&self, key: Key, snap: Arc<Snapshot>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|(k, _)| *k != key);
        let slices = kept.iter().filter(|(k, _)| k.1.is_some()).count();
        let (limit, of_kind) = if key.1.is_some() {
            (KEPT_SLICES, slices)
        } else {
            (KEPT, kept.len() - slices)
        };
        if of_kind >= limit {
            if let Some(oldest) = kept
                .iter()
                .position(|(k, _)| k.1.is_some() == key.1.is_some())
            {
                kept.remove(oldest);
            }
        }
        kept.push_back((key, snap));
    }
}

/// The part of `change` that the analyses of `chain` read, given the data it is applied to
/// (`now`): see the module documentation.
fn slice_of(change: &ChangeSet, now: &Dataset, chain: &str) -> ChangeSet {
    let member_now = |id: &str| {
        now.organizations
            .get(id)
            .is_some_and(|o| o.is_provider() || o.memberships().iter().any(|m| m.chain == chain))
    };
    let relevant_org =
        |o: &Organization| o.is_provider() || o.memberships().iter().any(|m| m.chain == chain);
    let problem_now = |id: &str| now.problems.get(id).is_some_and(|p| p.chain == chain);
    let project_now = |id: &str| now.projects.get(id).is_some_and(|p| p.chain == chain);
    let consortium_now = |id: &str| now.consortia.get(id).is_some_and(|c| c.chain == chain);
    let u = &change.upsert;
    let mut slice = ChangeSet::default();
    let s = &mut slice.upsert;
    s.version = u.version;
    s.regions = u.regions.clone();
    s.chains = u.chains.iter().filter(|c| c.id == chain).cloned().collect();
    s.organizations = u
        .organizations
        .iter()
        .filter(|o| relevant_org(o) || member_now(&o.id))
        .cloned()
        .collect();
    s.supplies = u
        .supplies
        .iter()
        .filter(|x| x.chain == chain)
        .cloned()
        .collect();
    s.problems = u
        .problems
        .iter()
        .filter(|p| p.chain == chain || problem_now(&p.id))
        .cloned()
        .collect();
    s.projects = u
        .projects
        .iter()
        .filter(|p| p.chain == chain || project_now(&p.id))
        .cloned()
        .collect();
    s.consortia = u
        .consortia
        .iter()
        .filter(|c| c.chain == chain || consortium_now(&c.id))
        .cloned()
        .collect();
    s.policy_tools = u.policy_tools.clone();
    s.goals = u.goals.clone();
    s.capabilities = u.capabilities.clone();
    s.notices = u
        .notices
        .iter()
        .filter(|n| n.chain == chain)
        .cloned()
        .collect();
    slice.delete_regions = change.delete_regions.clone();
    slice.delete_chains = change
        .delete_chains
        .iter()
        .filter(|c| *c == chain)
        .cloned()
        .collect();
    slice.delete_organizations = change
        .delete_organizations
        .iter()
        .filter(|id| member_now(id))
        .cloned()
        .collect();
    slice.delete_supplies = change
        .delete_supplies
        .iter()
        .filter(|x| x.chain == chain)
        .cloned()
        .collect();
    slice.delete_problems = change
        .delete_problems
        .iter()
        .filter(|id| problem_now(id))
        .cloned()
        .collect();
    slice.delete_projects = change
        .delete_projects
        .iter()
        .filter(|id| project_now(id))
        .cloned()
        .collect();
    slice.delete_consortia = change
        .delete_consortia
        .iter()
        .filter(|id| consortium_now(id))
        .cloned()
        .collect();
    slice.delete_policy_tools = change.delete_policy_tools.clone();
    slice.delete_goals = change.delete_goals.clone();
    slice.delete_capabilities = change.delete_capabilities.clone();
    slice.delete_notices = change.delete_notices.clone();
    slice
}

impl Service {
    /// The snapshot as of `revision` (`None`: the current one). `unknown_revision` after the
    /// latest, `revision_not_kept` when the history back to it is gone.
    ///
    /// Complexity: the current snapshot, or a kept one, at once; otherwise O(c·log N) for the c
    /// records changed since `revision` (read from the store's history).
    pub fn snapshot_at(&self, revision: Option<u64>) -> Result<Arc<Snapshot>, Error> {
        self.earlier_snapshot(revision, None)
    }

    /// A snapshot that answers every read of chain `chain` as of `revision` (`None`: the current
    /// one), and only those: see the module documentation. The whole snapshot of that revision
    /// when it is kept anyway.
    ///
    /// Complexity: O(c) to pick the chain's part of the c records changed since `revision`, and
    /// O(k·log N) to apply its k records.
    pub fn chain_snapshot_at(
        &self,
        revision: Option<u64>,
        chain: &str,
    ) -> Result<Arc<Snapshot>, Error> {
        self.earlier_snapshot(revision, Some(chain))
    }

    fn earlier_snapshot(
        &self,
        revision: Option<u64>,
        chain: Option<&str>,
    ) -> Result<Arc<Snapshot>, Error> {
        let current = self.snapshot();
        let Some(revision) = revision else {
            return Ok(current);
        };
        if revision == current.revision {
            return Ok(current);
        }
        let earlier = &self.inner.earlier;
        if let Some(kept) = earlier.get(&(revision, None)) {
            return Ok(kept);
        }
        let key: Key = (revision, chain.map(str::to_string));
        if let Some(kept) = earlier.get(&key) {
            return Ok(kept);
        }
        let started = std::time::Instant::now();
        let undo = self.undo(revision, current.revision)?;
        let read = started.elapsed();
        let (snap, records) = if undo.from_empty {
            let mut dataset = Dataset::new();
            dataset.apply(&undo.change);
            (Snapshot::of(dataset, revision), undo.change.record_count())
        } else if let Some(chain) = chain {
            let slice = slice_of(&undo.change, &current.dataset, chain);
            let records = slice.record_count();
            (Snapshot::after(&current, &slice, revision).0, records)
        } else {
            let records = undo.change.record_count();
            (Snapshot::after(&current, &undo.change, revision).0, records)
        };
        tracing::info!(
            revision,
            from = current.revision,
            chain,
            records,
            read_ms = read.as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "the data as of an earlier revision"
        );
        let snap = Arc::new(snap);
        // A snapshot from nothing is whole, whatever was asked.
        let key = if undo.from_empty {
            (revision, None)
        } else {
            key
        };
        earlier.keep(key, snap.clone());
        Ok(snap)
    }

    /// The undo from `from` back to `target`, decoded once for the reads that follow.
    fn undo(&self, target: u64, from: u64) -> Result<Arc<Undo>, Error> {
        let cell = &self.inner.earlier.undo;
        if let Some((at, undo)) = &*cell.lock().unwrap_or_else(|p| p.into_inner()) {
            if *at == (target, from) {
                return Ok(undo.clone());
            }
        }
        let undo = Arc::new(self.inner.store.undo(target, from)?);
        *cell.lock().unwrap_or_else(|p| p.into_inner()) = Some(((target, from), undo.clone()));
        Ok(undo)
    }

    /// Every revision with a record, oldest first. The writer's token id is shown to admins only.
    pub fn revisions(&self, who: &Principal) -> Result<Vec<Revision>, Error> {
        let mut revisions = self.inner.store.revisions()?;
        if !who.is_admin() {
            for r in &mut revisions {
                r.actor = None;
            }
        }
        Ok(revisions)
    }

    /// The labelled revisions (surveys), oldest first.
    pub fn surveys(&self) -> Result<Vec<Revision>, Error> {
        Ok(self
            .inner
            .store
            .revisions()?
            .into_iter()
            .filter(|r| r.label.is_some())
            .collect())
    }
}

/// A revision as a comparison or a trend names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RevisionRef {
    pub revision: u64,
    /// The survey label, when the revision is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Seconds since the Unix epoch; absent for revisions written before history was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
}

/// What changed on a chain between two revisions, and which two.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainChangesReport {
    pub from: RevisionRef,
    pub to: RevisionRef,
    #[serde(flatten)]
    pub changes: ChainChanges,
}

/// A chain's key figures at one survey.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryPoint {
    #[serde(flatten)]
    pub at: RevisionRef,
    /// Whether the chain existed then (when not, every figure is 0).
    pub exists: bool,
    pub firms: usize,
    pub masters: usize,
    pub critical_nodes: usize,
    pub single_source_parts: usize,
    pub foreign_only_parts: usize,
    pub demand_problems: usize,
    /// Needs of the demand problems (`coverage.needs_total`).
    pub needs: u64,
    /// Needs assigned a provider, in percent of all needs (`null` without needs).
    pub coverage_percent: Option<f64>,
    /// The six coverage figures.
    pub coverage: Coverage,
}

impl HistoryPoint {
    fn of(at: RevisionRef, row: Option<&ChainRow>) -> HistoryPoint {
        let Some(row) = row else {
            return HistoryPoint {
                at,
                exists: false,
                firms: 0,
                masters: 0,
                critical_nodes: 0,
                single_source_parts: 0,
                foreign_only_parts: 0,
                demand_problems: 0,
                needs: 0,
                coverage_percent: None,
                coverage: Coverage::default(),
            };
        };
        let c = &row.coverage;
        HistoryPoint {
            at,
            exists: true,
            firms: row.firms,
            masters: row.masters,
            critical_nodes: row.critical_nodes,
            single_source_parts: row.single_source_parts,
            foreign_only_parts: row.foreign_only_parts,
            demand_problems: row.demand_problems,
            needs: c.needs_total,
            coverage_percent: (c.needs_total > 0)
                .then(|| (1000.0 * c.needs_assigned as f64 / c.needs_total as f64).round() / 10.0),
            coverage: *c,
        }
    }
}

impl Service {
    /// The revisions a comparison is between: as given, or by default the latest two surveys
    /// (`to` the latest survey, or the current revision when there is none; `from` the survey
    /// before `to`). `from` after `to` is allowed: the changes then read backwards.
    pub fn compared(&self, from: Option<u64>, to: Option<u64>) -> Result<(u64, u64), Error> {
        let revisions = self.inner.store.revisions()?;
        compared_in(&revisions, self.snapshot().revision, from, to)
    }

    /// What changed on chain `chain` from revision `from` to revision `to` (defaults: see
    /// [`Service::compared`]). Those who read the chain see everything; an enterprise on it only
    /// what touches itself and its upstream (at either revision); a planner only the figures.
    ///
    /// Complexity: the two snapshots (see [`Service::snapshot_at`]), the chain's analysis at
    /// each, and O(size of the chain) to compare them.
    pub fn chain_changes(
        &self,
        who: &Principal,
        chain: &str,
        from: Option<u64>,
        to: Option<u64>,
    ) -> Result<ChainChangesReport, Error> {
        if !who.reads_chain_aggregates(chain) && who.org().is_none() {
            return Err(Error::Forbidden);
        }
        // The revision records, read once for the defaults and for naming both sides.
        let revisions = self.inner.store.revisions()?;
        let (from, to) = compared_in(&revisions, self.snapshot().revision, from, to)?;
        let a = self.chain_snapshot_at(Some(from), chain)?;
        let b = self.chain_snapshot_at(Some(to), chain)?;
        if !a.has_chain(chain) && !b.has_chain(chain) {
            return Err(who.not_found("chain", chain));
        }
        // An enterprise sees the changes within its upstream, if it is on the chain at all.
        let upstream = match who.org() {
            Some(org) if !who.reads_chain(chain) => {
                let on_chain = |s: &Snapshot| {
                    s.dataset
                        .organizations
                        .get(org)
                        .is_some_and(|o| o.memberships().iter().any(|m| m.chain == chain))
                };
                if !on_chain(&a) && !on_chain(&b) {
                    return Err(Error::Forbidden);
                }
                let mut firms = upstream_of(&a.dataset, org);
                firms.extend(upstream_of(&b.dataset, org));
                firms.insert(org.to_string());
                Some(firms)
            }
            _ => None,
        };
        let analysis = |s: &Snapshot| -> Result<Option<Arc<ChainAnalysis>>, Error> {
            s.has_chain(chain)
                .then(|| s.chain_analysis(chain))
                .transpose()
        };
        let (aa, ba) = (analysis(&a)?, analysis(&b)?);
        let mut changes = chain_changes(
            chain,
            &Side::indexed(&a.dataset, aa.as_deref(), a.chain_index()),
            &Side::indexed(&b.dataset, ba.as_deref(), b.chain_index()),
        );
        if let Some(firms) = upstream {
            changes.retain_firms(&|id| firms.contains(id));
            // An enterprise reads the problems it may read at each revision where they exist.
            let (seen_a, seen_b) = (who.sight(&a.dataset), who.sight(&b.dataset));
            changes.retain_problems(&|id| {
                let pa = a.dataset.problems.get(id);
                let pb = b.dataset.problems.get(id);
                (pa.is_some() || pb.is_some())
                    && pa.is_none_or(|p| seen_a.sees(p))
                    && pb.is_none_or(|p| seen_b.sees(p))
            });
        } else if !who.reads_chain(chain) {
            changes.figures_only();
        }
        Ok(ChainChangesReport {
            from: revision_ref(&revisions, from),
            to: revision_ref(&revisions, to),
            changes,
        })
    }

    /// A chain's key figures at every survey, oldest first. For those who read the chain's
    /// aggregates (planners included).
    ///
    /// Complexity: one snapshot and one chain row per survey; the last few snapshots are kept.
    pub fn chain_history(&self, who: &Principal, chain: &str) -> Result<Vec<HistoryPoint>, Error> {
        who.require(who.reads_chain_aggregates(chain))?;
        let surveys = self.surveys()?;
        let current = self.snapshot();
        if !current.has_chain(chain) {
            // Asked of a chain that is gone: still answered if it was in some survey.
            let mut known = false;
            for s in &surveys {
                known |= self
                    .chain_snapshot_at(Some(s.revision), chain)?
                    .has_chain(chain);
            }
            if !known {
                return Err(who.not_found("chain", chain));
            }
        }
        let mut points = Vec::with_capacity(surveys.len());
        for s in surveys {
            let snap = self.chain_snapshot_at(Some(s.revision), chain)?;
            let row = snap
                .has_chain(chain)
                .then(|| snap.chain_row(chain))
                .transpose()?;
            let at = RevisionRef {
                revision: s.revision,
                label: s.label,
                at: Some(s.at),
            };
            points.push(HistoryPoint::of(at, row.as_ref()));
        }
        Ok(points)
    }
}

/// [`Service::compared`] over the revision records `revisions`, the current revision being
/// `current`.
fn compared_in(
    revisions: &[Revision],
    current: u64,
    from: Option<u64>,
    to: Option<u64>,
) -> Result<(u64, u64), Error> {
    let mut surveys = revisions.iter().filter(|r| r.label.is_some());
    let to = match to {
        Some(to) => to,
        None => surveys.clone().next_back().map_or(current, |s| s.revision),
    };
    let from = match from {
        Some(from) => from,
        None => surveys
            .rfind(|s| s.revision < to)
            .map(|s| s.revision)
            .ok_or_else(|| Error::NoRevision {
                code: "no_earlier_survey",
                message: format!(
                    "there is no survey before revision {to} to compare with: give `from`"
                ),
            })?,
    };
    for r in [from, to] {
        if r > current {
            return Err(crate::store::StoreError::UnknownRevision {
                asked: r,
                latest: current,
            }
            .into());
        }
    }
    Ok((from, to))
}

/// The record of revision `revision` among `revisions`, as a comparison names it.
fn revision_ref(revisions: &[Revision], revision: u64) -> RevisionRef {
    let record = revisions.iter().find(|r| r.revision == revision);
    RevisionRef {
        revision,
        label: record.and_then(|r| r.label.clone()),
        at: record.map(|r| r.at),
    }
}

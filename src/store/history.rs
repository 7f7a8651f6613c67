//! History: every revision's record, and how to go back to it.
//!
//! Each write records, before its commit point, two things beside its redo log:
//!
//! - the [`Revision`] record (`revisions` tree, key `revision u64 BE`): when, who, the survey
//!   label, and how many records of each kind it added, changed and removed;
//! - its **undo**: for every record it changed, the record as it was before (or that it was
//!   absent), as chunks of redo-log operations (`history` tree, key `revision ++ chunk number`).
//!   Applying the undo of revisions R, R-1, …, N+1 to the data at R gives the data at N. Records
//!   written again unchanged are neither logged nor undone, so a survey that repeats 99% of the
//!   last one stores (and replays) only the 1% it changes.
//!
//! A write into an empty store records no undo, only the flag `from_empty`: the data before it
//! is "nothing". Index trees have no undo; they follow from the records.
//!
//! Both trees are written before the commit marker and flushed with the redo log, so a crash
//! leaves them exactly as it leaves the data: [`Store::open`](super::Store::open) drops the
//! entries of a revision that never committed (see [`drop_after`]).

use super::keys::TreeId;
use super::log::{self, ChunkBuilder};
use super::{corrupt, corrupt_page, decode_json, page, storage, Store, StoreError, CHUNK_BYTES};
use crate::model::revision::KindChanges;
use crate::model::{
    CatalogueEntry, Chain, ChangeSet, Consortium, Goal, Organization, PolicyTool, Problem, Project,
    Region, Revision, RevisionCounts, WriteNote,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A revision as stored: its public record and whether it was written into an empty store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Stored {
    #[serde(flatten)]
    pub revision: Revision,
    #[serde(default)]
    pub from_empty: bool,
}

/// The record trees, whose changes are counted and undone.
fn counts_of(counts: &mut RevisionCounts, t: TreeId) -> Option<&mut KindChanges> {
    match t {
        TreeId::Regions => Some(&mut counts.regions),
        TreeId::Chains => Some(&mut counts.chains),
        TreeId::Organizations => Some(&mut counts.organizations),
        TreeId::Supplies => Some(&mut counts.supplies),
        TreeId::Problems => Some(&mut counts.problems),
        TreeId::Projects => Some(&mut counts.projects),
        TreeId::Consortia => Some(&mut counts.consortia),
        TreeId::PolicyTools => Some(&mut counts.policy_tools),
        TreeId::Goals => Some(&mut counts.goals),
        TreeId::Capabilities => Some(&mut counts.capabilities),
        TreeId::Notices => Some(&mut counts.notices),
        TreeId::CustomersOfFirm
        | TreeId::MembersOfChain
        | TreeId::ProblemsOfFirm
        | TreeId::ProvidersByCapability
        | TreeId::DisclosureRequests => None,
    }
}

/// Watches the record operations of one write: says which change something, counts them and
/// writes their undo.
pub(super) struct Recorder<'s> {
    store: &'s Store,
    revision: u64,
    from_empty: bool,
    counts: RevisionCounts,
    undo: ChunkBuilder,
    chunks: u64,
    /// The page last read: its tree and key, bytes, and `(key, value)` ranges in key order.
    page: Option<(TreeId, [u8; 2])>,
    bytes: Vec<u8>,
    entries: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

impl<'s> Recorder<'s> {
    pub(super) fn new(store: &'s Store, revision: u64) -> Result<Recorder<'s>, StoreError> {
        Ok(Recorder {
            store,
            revision,
            from_empty: store.is_empty()?,
            counts: RevisionCounts::default(),
            undo: ChunkBuilder::default(),
            chunks: 0,
            page: None,
            bytes: Vec::new(),
            entries: Vec::new(),
        })
    }

    /// Whether `(t, key) := value` (`None` removes) changes the stored data. Record operations
    /// that do are counted and their undo recorded; index operations always count as changes.
    /// Operations must come in page order within a tree for the page cache to pay.
    pub(super) fn changes(
        &mut self,
        t: TreeId,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        let Some(kind) = counts_of(&mut self.counts, t) else {
            return Ok(true);
        };
        if self.from_empty {
            if value.is_some() {
                kind.added += 1;
            }
            return Ok(value.is_some());
        }
        let old = self.old_value(t, key)?;
        let kind = counts_of(&mut self.counts, t).expect("a record tree");
        match (old.clone(), value) {
            (None, None) => return Ok(false),
            (Some(old), Some(new)) if self.bytes[old.clone()] == *new => return Ok(false),
            (None, Some(_)) => {
                kind.added += 1;
                self.undo.remove(t, key);
            }
            (Some(old), new) => {
                if new.is_some() {
                    kind.changed += 1;
                } else {
                    kind.removed += 1;
                }
                let old = self.bytes[old].to_vec();
                self.undo.put(t, key, &old);
            }
        }
        if self.undo.len() >= CHUNK_BYTES {
            self.write_chunk()?;
        }
        Ok(true)
    }

    /// The byte range of `key`'s stored value in `self.bytes`.
    fn old_value(
        &mut self,
        t: TreeId,
        key: &[u8],
    ) -> Result<Option<std::ops::Range<usize>>, StoreError> {
        let page_key = page::page_of(key);
        if self.page != Some((t, page_key)) {
            self.bytes = self
                .store
                .read_page(t, page_key)?
                .map(|b| b.to_vec())
                .unwrap_or_default();
            let base = self.bytes.as_ptr() as usize;
            let at = |s: &[u8]| {
                let start = s.as_ptr() as usize - base;
                start..start + s.len()
            };
            self.entries = page::decode(&self.bytes)
                .map_err(|r| corrupt_page(t, page_key, r))?
                .into_iter()
                .map(|(k, v)| (at(k), at(v)))
                .collect();
            self.page = Some((t, page_key));
        }
        let bytes = &self.bytes;
        Ok(self
            .entries
            .binary_search_by(|(k, _)| bytes[k.clone()].cmp(key))
            .ok()
            .map(|i| self.entries[i].1.clone()))
    }

    fn write_chunk(&mut self) -> Result<(), StoreError> {
        if self.undo.len() == 0 {
            return Ok(());
        }
        let chunk = self.undo.take();
        self.store
            .inner
            .history
            .insert(log::chunk_key(self.revision, self.chunks), chunk)
            .map_err(storage("writing the history"))?;
        self.chunks += 1;
        Ok(())
    }

    /// Writes the rest of the undo and the revision's record (durable with the next flush).
    pub(super) fn finish(mut self, note: &WriteNote) -> Result<Revision, StoreError> {
        self.write_chunk()?;
        let revision = Revision {
            revision: self.revision,
            at: crate::access::now(),
            label: note.label.clone(),
            actor: note.actor.clone(),
            counts: self.counts,
        };
        let stored = Stored {
            revision: revision.clone(),
            from_empty: self.from_empty,
        };
        self.store
            .inner
            .revisions
            .insert(
                self.revision.to_be_bytes(),
                serde_json::to_vec(&stored).expect("a revision serializes"),
            )
            .map_err(storage("writing the revision record"))?;
        Ok(revision)
    }
}

/// Removes the history and revision records of every revision after `revision` (those of writes
/// that never committed); whether there were any. Not flushed: the caller flushes.
pub(super) fn drop_after(store: &Store, revision: u64) -> Result<bool, StoreError> {
    let from = (revision + 1).to_be_bytes();
    let mut dropped = false;
    for tree in [&store.inner.history, &store.inner.revisions] {
        let stale: Vec<_> = tree
            .range(from.as_slice()..)
            .keys()
            .collect::<Result<_, _>>()
            .map_err(storage("reading the history"))?;
        for key in stale {
            dropped = true;
            tree.remove(key)
                .map_err(storage("removing uncommitted history"))?;
        }
    }
    Ok(dropped)
}

/// The stored record of every revision that has one, oldest first.
pub(super) fn revisions(store: &Store) -> Result<Vec<Stored>, StoreError> {
    store
        .inner
        .revisions
        .iter()
        .map(|entry| {
            let (key, value) = entry.map_err(storage("reading the revisions"))?;
            decode_json::<Stored>("revisions", &format!("{key:?}"), &value)
        })
        .collect()
}

/// What turns the current data back into the data right after a revision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Undo {
    /// Start from no data at all (instead of the current data) before applying `change`.
    pub from_empty: bool,
    /// Applied like any change ([`crate::model::Dataset::apply`]).
    pub change: ChangeSet,
}

/// The undo from revision `current` back to revision `target` (≤ `current`): for every record
/// changed since, its state right after `target`, taken from the earliest later revision that
/// changed it.
///
/// Complexity: reads and decodes the undo of revisions `target + 1 ..= current`, O(changes).
pub(super) fn undo(store: &Store, target: u64, current: u64) -> Result<Undo, StoreError> {
    let mut seen: HashSet<(TreeId, Vec<u8>)> = HashSet::new();
    let mut out = Undo::default();
    let c = &mut out.change;
    for revision in target + 1..=current {
        let Some(bytes) = store
            .inner
            .revisions
            .get(revision.to_be_bytes())
            .map_err(storage("reading a revision"))?
        else {
            return Err(StoreError::NotKept {
                asked: target,
                missing: revision,
            });
        };
        let stored: Stored = decode_json("revisions", &revision.to_string(), &bytes)?;
        if stored.from_empty {
            out.from_empty = true;
            break;
        }
        for entry in store.inner.history.scan_prefix(revision.to_be_bytes()) {
            let (key, chunk) = entry.map_err(storage("reading the history"))?;
            let seq = key
                .get(8..16)
                .and_then(super::decode_u64)
                .unwrap_or(u64::MAX);
            for op in log::decode(&chunk) {
                let op = op.map_err(|reason| StoreError::CorruptLog {
                    revision,
                    chunk: seq,
                    reason,
                })?;
                let (t, key) = (op.tree(), op.key());
                if !seen.insert((t, key.to_vec())) {
                    continue;
                }
                let id =
                    || String::from_utf8(key.to_vec()).map_err(|_| corrupt(t, key, "not UTF-8"));
                let name = t.name();
                match (t, op.value()) {
                    (TreeId::Regions, Some(v)) => {
                        c.upsert
                            .regions
                            .push(decode_json::<Region>(name, &id()?, v)?)
                    }
                    (TreeId::Chains, Some(v)) => {
                        c.upsert.chains.push(decode_json::<Chain>(name, &id()?, v)?)
                    }
                    (TreeId::Organizations, Some(v)) => {
                        c.upsert
                            .organizations
                            .push(decode_json::<Organization>(name, &id()?, v)?)
                    }
                    (TreeId::Problems, Some(v)) => {
                        c.upsert
                            .problems
                            .push(decode_json::<Problem>(name, &id()?, v)?)
                    }
                    (TreeId::Supplies, Some(_)) => {
                        c.upsert.supplies.push(super::decode_supply_entry(t, key)?)
                    }
                    (TreeId::Projects, Some(v)) => {
                        c.upsert
                            .projects
                            .push(decode_json::<Project>(name, &id()?, v)?)
                    }
                    (TreeId::Consortia, Some(v)) => {
                        c.upsert
                            .consortia
                            .push(decode_json::<Consortium>(name, &id()?, v)?)
                    }
                    (TreeId::PolicyTools, Some(v)) => {
                        c.upsert
                            .policy_tools
                            .push(decode_json::<PolicyTool>(name, &id()?, v)?)
                    }
                    (TreeId::Goals, Some(v)) => {
                        c.upsert.goals.push(decode_json::<Goal>(name, &id()?, v)?)
                    }
                    (TreeId::Capabilities, Some(v)) => {
                        c.upsert
                            .capabilities
                            .push(decode_json::<CatalogueEntry>(name, &id()?, v)?)
                    }
                    (TreeId::Regions, None) => c.delete_regions.push(id()?),
                    (TreeId::Chains, None) => c.delete_chains.push(id()?),
                    (TreeId::Organizations, None) => c.delete_organizations.push(id()?),
                    (TreeId::Problems, None) => c.delete_problems.push(id()?),
                    (TreeId::Supplies, None) => {
                        c.delete_supplies.push(super::decode_supply_entry(t, key)?)
                    }
                    (TreeId::Projects, None) => c.delete_projects.push(id()?),
                    (TreeId::Consortia, None) => c.delete_consortia.push(id()?),
                    (TreeId::PolicyTools, None) => c.delete_policy_tools.push(id()?),
                    (TreeId::Goals, None) => c.delete_goals.push(id()?),
                    (TreeId::Capabilities, None) => c.delete_capabilities.push(id()?),
                    (TreeId::Notices, Some(v)) => {
                        c.upsert
                            .notices
                            .push(decode_json::<crate::model::Notice>(name, &id()?, v)?)
                    }
                    (TreeId::Notices, None) => c.delete_notices.push(id()?),
                    _ => return Err(corrupt(t, key, "history of an index tree")),
                }
            }
        }
    }
    if out.from_empty {
        // Only the records put back survive; deletions of what was never there are moot.
        out.change = ChangeSet {
            upsert: std::mem::take(&mut out.change.upsert),
            ..ChangeSet::default()
        };
    }
    out.change.upsert.version = crate::model::BUNDLE_VERSION;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bundle, Region};

    fn region(code: &str, name: &str) -> ChangeSet {
        let mut b = Bundle::new();
        b.regions.push(Region {
            code: code.into(),
            name: name.into(),
        });
        ChangeSet::upsert(b)
    }

    /// A store written by a build that kept no history has revisions without records: reading
    /// back past them is refused, reading after them still works.
    #[test]
    fn a_revision_without_its_record_cannot_be_read_back_past() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for name in ["苏州市", "苏州", "姑苏"] {
            store.apply(&region("320500", name)).unwrap();
        }
        store.inner.revisions.remove(2u64.to_be_bytes()).unwrap();
        assert!(matches!(
            store.undo(1, 3),
            Err(StoreError::NotKept {
                asked: 1,
                missing: 2
            })
        ));
        let undo = store.undo(2, 3).unwrap();
        assert_eq!(undo.change.upsert.regions[0].name, "苏州");
        assert_eq!(store.revisions().unwrap().len(), 2);
    }

    /// What a write that never committed left in the history trees is gone at the next open.
    #[test]
    fn history_of_an_uncommitted_write_is_dropped_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.apply(&region("320500", "苏州市")).unwrap();
            let recorder = Recorder::new(&store, 2).unwrap();
            recorder.finish(&WriteNote::by("test")).unwrap();
            store
                .inner
                .history
                .insert(log::chunk_key(2, 0), b"x".to_vec())
                .unwrap();
            store.inner.db.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.revision(), 1);
        assert_eq!(store.revisions().unwrap().len(), 1);
        assert!(store.inner.history.is_empty());
    }
}

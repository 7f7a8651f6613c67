//! Revisions and surveys: the list of revisions, and any read as of an earlier revision.
//!
//! The data as of revision N is the current snapshot with the store's undo of every later
//! revision applied (see `store::history`): it costs what changed since N, not the size of the
//! data, and it shares with the current snapshot every chain analysis the undo does not touch.
//! The last few such snapshots are kept, since a user comparing two surveys asks about the same
//! two revisions again and again.

use super::{Error, Principal, Service, Snapshot};
use crate::model::{Dataset, Revision};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Snapshots of earlier revisions kept at once.
const KEPT: usize = 4;

/// The last snapshots of earlier revisions, most recently used last.
#[derive(Default)]
pub(super) struct Earlier {
    kept: Mutex<VecDeque<Arc<Snapshot>>>,
}

impl Earlier {
    fn get(&self, revision: u64) -> Option<Arc<Snapshot>> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let at = kept.iter().position(|s| s.revision == revision)?;
        let snap = kept.remove(at)?;
        kept.push_back(snap.clone());
        Some(snap)
    }

    fn keep(&self, snap: Arc<Snapshot>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|s| s.revision != snap.revision);
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(snap);
    }
}

impl Service {
    /// The snapshot as of `revision` (`None`: the current one). `unknown_revision` after the
    /// latest, `revision_not_kept` when the history back to it is gone.
    ///
    /// Complexity: the current snapshot, or a kept one, at once; otherwise O(c·log N) for the c
    /// records changed since `revision` (read from the store's history).
    pub fn snapshot_at(&self, revision: Option<u64>) -> Result<Arc<Snapshot>, Error> {
        let current = self.snapshot();
        let Some(revision) = revision else {
            return Ok(current);
        };
        if revision == current.revision {
            return Ok(current);
        }
        if let Some(kept) = self.inner.earlier.get(revision) {
            return Ok(kept);
        }
        let undo = self.inner.store.undo(revision, current.revision)?;
        let snap = if undo.from_empty {
            let mut dataset = Dataset::new();
            dataset.apply(&undo.change);
            Snapshot::of(dataset, revision)
        } else {
            Snapshot::after(&current, &undo.change, revision).0
        };
        let snap = Arc::new(snap);
        self.inner.earlier.keep(snap.clone());
        Ok(snap)
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

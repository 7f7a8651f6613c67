//! The service layer: what the API and the command line both call.
//!
//! It owns the current [`Snapshot`] of the data and its analysis cache, the write path
//! (validate → store → publish), the queries with their paging, visibility and redaction by role
//! ([`Principal`]), and the domain rules of writes (allowed status changes, see [`rules`]).
//! It knows no HTTP: handlers in `api/` parse a request, call one function here and shape the
//! answer; `cli/` calls the same functions.
//!
//! Reads take the current `Arc<Snapshot>` and never wait for a write. Writes are serialized: a
//! write validates against the current snapshot, commits to the store (durable before it is
//! acknowledged), then publishes the next snapshot, whose cache carries over the results of every
//! chain the write did not touch.

pub mod cache;
pub mod chains;
mod computed;
pub mod disclosure;
mod error;
pub mod history;
pub mod lists;
pub mod metrics;
pub mod notices;
pub mod precompute;
mod principal;
pub mod records;
pub mod rules;
pub mod search;
mod snapshot;
pub mod survey;
pub mod tackling;
pub mod tokens;
pub mod work;

pub use computed::Computed;
pub use error::Error;
pub use principal::{me, upstream_of, upstream_on_chain, Me, MeChain, Principal, ProblemSight};
pub use snapshot::Snapshot;

use crate::model::{self, Bundle, ChangeSet, Dataset, WriteNote};
use crate::store::Store;
use crate::validate;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Seconds after which a client told that the dataset-wide figures are being computed
/// ([`Error::Computing`]) should ask again.
pub const COMPUTING_RETRY_SECS: u64 = 2;

/// The data of one store and the single writer of it. Cheap to clone (shared).
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    // Only held to clone or swap an Arc.
    snapshot: RwLock<Arc<Snapshot>>,
    // Serializes writes: validate, commit and publish happen under it.
    writer: Mutex<()>,
    // Durations of committed writes.
    write_durations: metrics::Histogram,
    // Chains queued for the background analyses, once started (`start_precomputing`).
    precompute: std::sync::OnceLock<Arc<precompute::Pending>>,
    // The last snapshots of earlier revisions read (`snapshot_at`).
    earlier: history::Earlier,
    // How long the chain list waits for rows being computed (`set_row_wait`).
    row_wait: Mutex<chains::RowWait>,
    // How long dataset-wide reads wait for the scope being computed (`set_scope_wait`).
    scope_wait: Mutex<chains::RowWait>,
    // Set once a reader has started the dataset-wide scope of the current snapshot on a thread
    // of its own (no background worker): the revision it started.
    scope_started: Mutex<Option<u64>>,
}

impl Service {
    /// Loads the whole store into memory and makes the first snapshot.
    pub fn open(store: Store) -> Result<Service, Error> {
        let dataset = store.load()?;
        let revision = store.revision();
        let snapshot = Snapshot::of(dataset, revision);
        // The chain list's figures, if stored for this very revision (see `precompute`).
        match store.derived(precompute::CHAIN_ROWS) {
            Ok(Some((stored, bytes))) if stored == revision => {
                match serde_json::from_slice(&bytes) {
                    Ok(rows) => {
                        snapshot.seed_rows(rows);
                        tracing::info!(revision, "the chain list comes from the stored figures");
                    }
                    Err(e) => tracing::warn!(error = %e, "stored chain figures ignored"),
                }
            }
            Ok(Some((stored, _))) => tracing::info!(
                stored,
                revision,
                "the stored chain figures are older than the data: computing them again"
            ),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "stored chain figures ignored"),
        }
        Ok(Service {
            inner: Arc::new(Inner {
                store,
                snapshot: RwLock::new(Arc::new(snapshot)),
                writer: Mutex::new(()),
                write_durations: metrics::Histogram::default(),
                precompute: std::sync::OnceLock::new(),
                earlier: history::Earlier::default(),
                row_wait: Mutex::new(chains::RowWait::UntilReady),
                scope_wait: Mutex::new(chains::RowWait::UntilReady),
                scope_started: Mutex::new(None),
            }),
        })
    }

    /// Sets how long the chain list of the current data waits for rows being computed
    /// (default: until every row is ready). A serving process, whose background analyses
    /// compute the rows, waits briefly and lists the others pending.
    pub fn set_row_wait(&self, wait: chains::RowWait) {
        *self
            .inner
            .row_wait
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = wait;
    }

    /// The chain list of `snap` (the current snapshot, as a read took it), waiting for rows
    /// being computed as [`Service::set_row_wait`] says. The chains of pending rows whose
    /// analysis nobody has started are queued for the background analyses (if they run), so
    /// that every pending row gets ready; none is computed twice (see [`Computed`]).
    pub fn chain_list(
        &self,
        snap: &Snapshot,
        who: &Principal,
    ) -> Result<Vec<chains::ListedChain>, Error> {
        let wait = *self
            .inner
            .row_wait
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let (rows, idle) = chains::list(snap, who, wait)?;
        self.queue(idle);
        Ok(rows)
    }

    /// Sets how long the dataset-wide reads of the current data (the comparison, the dataset's
    /// coverage and its regions) wait for the scope being computed after a write (default:
    /// until it is ready). A serving process waits briefly and meanwhile answers from the
    /// latest earlier revision's scope, marked with that revision (see [`Service::dataset_scope`]).
    pub fn set_scope_wait(&self, wait: chains::RowWait) {
        *self
            .inner
            .scope_wait
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = wait;
    }

    /// The dataset-wide scope that a read of `snap` (the current snapshot, as the read took it)
    /// answers from. If `snap`'s is computed, or the wait is [`chains::RowWait::UntilReady`],
    /// `snap`'s (computed now, or waited for while another thread computes it). Otherwise it is
    /// started unless somebody computes it already (by the background worker, or on a thread of
    /// its own), waited for at most the wait set by [`Service::set_scope_wait`], and if still
    /// not ready the earlier revision's is answered, with `as_of_revision` set to it, or, when
    /// none is held (the first read after a start), [`Error::Computing`]: the computation goes
    /// on, and a later read finds it done.
    pub fn dataset_scope(&self, snap: &Snapshot) -> Result<chains::DatasetScope, Error> {
        let wait = *self
            .inner
            .scope_wait
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let current = |snap: &Snapshot| {
            Ok(chains::DatasetScope {
                analysis: snap.dataset_analysis()?,
                as_of_revision: None,
            })
        };
        let chains::RowWait::AtMost(wait) = wait else {
            return current(snap);
        };
        if snap.dataset_analysis_ready() {
            return current(snap);
        }
        let Some(deadline) = Instant::now().checked_add(wait) else {
            return current(snap);
        };
        let previous = snap.previous_scope();
        if snap.cache.all.is_idle() {
            // After a write the background worker recomputes it (a round of its own); the first
            // time (nothing earlier to show) a thread of its own starts at once, as a reader's
            // computation would have.
            self.start_dataset_scope(snap, previous.is_some());
        }
        if snap.cache.all.wait_until(deadline) {
            return current(snap);
        }
        match previous {
            Some((revision, previous)) => Ok(chains::DatasetScope {
                analysis: previous,
                as_of_revision: Some(revision),
            }),
            None => Err(Error::Computing {
                retry_after: COMPUTING_RETRY_SECS,
            }),
        }
    }

    /// Starts the dataset-wide scope of `snap`: queued for the background worker if `queue` and
    /// the worker runs, otherwise on a thread of its own (once per revision; only for the
    /// current snapshot).
    fn start_dataset_scope(&self, snap: &Snapshot, queue: bool) {
        if queue && self.queue_dataset() {
            return;
        }
        let current = self.snapshot();
        if !std::ptr::eq(current.as_ref(), snap) {
            return;
        }
        {
            let mut started = self
                .inner
                .scope_started
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if *started == Some(current.revision) {
                return;
            }
            *started = Some(current.revision);
        }
        let service = self.clone();
        let spawned = std::thread::Builder::new()
            .name("qmap-dataset-scope".into())
            .spawn(move || {
                if let Err(e) = current.dataset_analysis() {
                    tracing::warn!(error = %e, "the dataset-wide scope was not computed");
                    // The next reader may try again.
                    *service
                        .inner
                        .scope_started
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = None;
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the dataset-wide scope");
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The current snapshot; cheap (an `Arc` clone).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner
            .snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The service's counters now (reads the store's size on disk: blocking disk work).
    pub fn metrics(&self) -> metrics::Readings {
        let snap = self.snapshot();
        metrics::Readings {
            cache: snap.cache.counters.read(),
            writes: self.inner.write_durations.read(),
            revision: snap.revision,
            snapshot_age: snap.published.elapsed(),
            store_size_bytes: self.inner.store.size_on_disk().ok(),
        }
    }

    /// Validates and imports a bundle (all or nothing); with `options.dry_run` only validates;
    /// with `options.replace` the file is the whole picture of its chains (see [`survey`]). The
    /// rules of [`rules`] apply unless `how.override_status`. Checks `how.deadline` just before
    /// it commits. The revision is described by `how.note` (who, and the survey label).
    pub fn import(
        &self,
        bytes: &[u8],
        options: ImportOptions,
        how: How,
    ) -> Result<ImportOutcome, Error> {
        let _writer = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
        let started = Instant::now();
        let before = self.snapshot();
        if let Some(label) = &how.note.label {
            model::revision::check_label(label).map_err(|m| Error::BadRequest(m.into()))?;
        }
        let bundle =
            validate::parse_bundle(bytes, before.as_ref()).map_err(Error::from_validation)?;
        if !how.override_status {
            let broken = rules::check_problems(&bundle.problems, before.as_ref());
            if !broken.is_empty() {
                return Err(rule_conflict(broken));
            }
        }
        let counts = Counts::of(&bundle);
        let (change, replaced) = if options.replace {
            let chains: Vec<&str> = bundle.chains.iter().map(|c| c.id.as_str()).collect();
            let now = survey::Holdings::of_snapshot(&before, &chains);
            let (change, replaced) = survey::replacing(bundle, &model::SupplyList::new(), &now)
                .map_err(|errors| conflict_or_invalid(errors.into()))?;
            (change, Some(replaced))
        } else {
            (ChangeSet::upsert(bundle), None)
        };
        if options.dry_run {
            return Ok(ImportOutcome {
                dry_run: true,
                counts,
                revision: None,
                changes: None,
                replaced,
            });
        }
        how.deadline.check()?;
        let record =
            self.inner
                .store
                .commit(&change, &model::SupplyList::new(), &how.note, &|_, _| {})?;
        self.publish(&before, change, record.revision);
        self.inner.write_durations.observe(started.elapsed());
        Ok(ImportOutcome {
            dry_run: false,
            counts,
            revision: Some(record.revision),
            changes: Some(record.counts),
            replaced,
        })
    }

    /// Prepares a change from the current data (under the writer lock, so what `prepare` sees is
    /// what the change applies to), validates it, and applies it all or nothing. Returns the new
    /// revision and whatever `prepare` returned beside the change. The rules of [`rules`] apply
    /// unless `how.override_status`. `how.deadline` is checked just before the commit; once
    /// committing, the write runs to its end.
    pub fn write<T>(
        &self,
        how: How,
        prepare: impl FnOnce(&Dataset) -> Result<Prepared<T>, Error>,
    ) -> Result<(u64, T), Error> {
        let _writer = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
        let started = Instant::now();
        let before = self.snapshot();
        let Prepared {
            change,
            value: extra,
            refusal,
        } = prepare(&before.dataset)?;
        let errors = validate::check_change(&change, before.as_ref());
        // Refusals that depend on what is stored come after validation of the request itself,
        // so that an invalid request is answered alike whether or not the records it names
        // exist; but before the errors that tell what other stored records refer to (a project
        // tackling a problem, records still referring to a deleted one), which a holder refused
        // the record must not learn.
        let own = errors.clone().without(&validate::STORED_REFERENCES);
        if !own.is_empty() {
            return Err(conflict_or_invalid(own));
        }
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
        if !errors.is_empty() {
            return Err(conflict_or_invalid(errors));
        }
        let broken = rules::check_change(&change, before.as_ref(), how.override_status);
        if !broken.is_empty() {
            return Err(rule_conflict(broken));
        }
        how.deadline.check()?;
        let revision = self
            .inner
            .store
            .commit(&change, &model::SupplyList::new(), &how.note, &|_, _| {})?
            .revision;
        self.publish(&before, change, revision);
        self.inner.write_durations.observe(started.elapsed());
        Ok((revision, extra))
    }

    /// Makes the snapshot after `change` current. The caller holds the writer lock and has
    /// committed the change.
    ///
    /// Complexity: O(c·log N) for a change of c records. The dataset's collections are
    /// persistent (a clone shares every node; `apply` copies only the paths to what it changes),
    /// and the chain index is updated, not rebuilt.
    fn publish(&self, before: &Snapshot, change: ChangeSet, revision: u64) {
        let (next, requeue) = Snapshot::after(before, &change, revision);
        next.keep_previous_scope(before);
        let dataset = next.dataset_analysis_wanted();
        *self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        // Only now: the worker analyses the snapshot that is current when it wakes.
        self.queue(requeue);
        // Somebody reads the dataset-wide scope: the worker computes the new one after the
        // chains (otherwise nobody asks for it, and it is computed when first read).
        if dataset {
            self.queue_dataset();
        }
    }
}

/// A change ready to be validated and applied, with what the write returns beside it, and a
/// refusal that depends on the stored records (another firm's record under the same id, an id
/// taken), given only if the change is valid.
pub struct Prepared<T> {
    pub change: ChangeSet,
    pub value: T,
    pub refusal: Option<Error>,
}

impl<T> Prepared<T> {
    pub fn new(change: ChangeSet, value: T) -> Prepared<T> {
        Prepared {
            change,
            value,
            refusal: None,
        }
    }

    /// Refuses with `error` (after validation) when `refused`.
    pub fn unless(mut self, refused: bool, error: impl FnOnce() -> Error) -> Prepared<T> {
        if refused && self.refusal.is_none() {
            self.refusal = Some(error());
        }
        self
    }
}

/// How a write is to be done.
#[derive(Debug, Clone)]
pub struct How {
    /// The latest moment it may commit.
    pub deadline: Deadline,
    /// Let it move a problem's status backward or delete a resolved problem (see [`rules`]);
    /// only admins and regulators of the chain may ask (checked by the caller).
    pub override_status: bool,
    /// Who writes, and the survey label of an import: recorded with the revision.
    pub note: WriteNote,
}

impl How {
    /// Within `deadline`, keeping the status rules, by nobody in particular.
    pub fn by(deadline: Deadline) -> How {
        How {
            deadline,
            override_status: false,
            note: WriteNote::default(),
        }
    }

    /// This write described by `note`.
    pub fn noted(mut self, note: WriteNote) -> How {
        self.note = note;
        self
    }
}

/// What kind of import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Only validate; write nothing.
    pub dry_run: bool,
    /// The file is the whole picture of its chains (see [`survey`]).
    pub replace: bool,
}

/// Writes refused by a rule of [`rules`] are conflicts with the current state.
fn rule_conflict(details: Vec<validate::ValidationError>) -> Error {
    Error::Conflict {
        code: "invalid_transition",
        message: details
            .first()
            .map_or_else(String::new, |e| e.message.clone()),
        details: details.into(),
    }
}

/// The latest moment a write may commit; after it, the write is refused with `Timeout` and
/// nothing is written.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// `None`: too far away to represent, i.e. never.
    at: Option<Instant>,
    timeout: Duration,
}

impl Deadline {
    /// `timeout` from now.
    pub fn after(timeout: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(timeout),
            timeout,
        }
    }

    /// No deadline (the command line).
    pub fn never() -> Deadline {
        Deadline {
            at: None,
            timeout: Duration::MAX,
        }
    }

    /// `Timeout` once the deadline has passed.
    pub fn check(self) -> Result<(), Error> {
        match self.at {
            Some(at) if Instant::now() >= at => Err(Error::Timeout(
                u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            )),
            _ => Ok(()),
        }
    }
}

/// Deletes that would leave dangling references are conflicts; everything else is invalid.
fn conflict_or_invalid(errors: validate::Report) -> Error {
    if errors.all_of(validate::ErrorCode::StillReferenced) {
        Error::Conflict {
            code: "still_referenced",
            message: "the record is still referenced by others".into(),
            details: errors,
        }
    } else {
        Error::from_validation(errors)
    }
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub dry_run: bool,
    pub counts: Counts,
    /// The store revision after the import; absent for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// Records the revision added, changed and removed (unchanged records are not counted);
    /// absent for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<model::RevisionCounts>,
    /// With `replace`: what the import removes, by chain of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<std::collections::BTreeMap<String, survey::Replaced>>,
}

/// Records per kind in a bundle.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub regions: usize,
    pub chains: usize,
    pub organizations: usize,
    pub supplies: usize,
    pub problems: usize,
    pub projects: usize,
    pub consortia: usize,
    pub policy_tools: usize,
    pub goals: usize,
    /// Entries of the capability catalogue.
    pub capabilities: usize,
    /// Quality notices.
    pub notices: usize,
}

impl Counts {
    pub fn of(bundle: &Bundle) -> Counts {
        Counts {
            regions: bundle.regions.len(),
            chains: bundle.chains.len(),
            organizations: bundle.organizations.len(),
            supplies: bundle.supplies.len(),
            problems: bundle.problems.len(),
            projects: bundle.projects.len(),
            consortia: bundle.consortia.len(),
            policy_tools: bundle.policy_tools.len(),
            goals: bundle.goals.len(),
            capabilities: bundle.capabilities.len(),
            notices: bundle.notices.len(),
        }
    }
}

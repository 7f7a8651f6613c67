//! Background precomputation for a serving process: the analyses that the next reads will ask
//! for are computed before they are asked.
//!
//! - On start, the analysis of every chain whose row of the chain list is not stored for the
//!   current revision (the list needs all rows). The other chains are analysed when first asked
//!   for, so memory holds only what is used.
//! - After each write, the chains it touched (every chain when a provider or region changed).
//!   Writes are acknowledged without waiting for this; a reader who asks for a touched chain
//!   meanwhile waits for the computation already running (see [`super::Computed`]), so no read
//!   ever sees an analysis older than the data it reads.
//! - After a write whose snapshot holds the dataset-wide scope of an earlier revision (somebody
//!   reads the scope: see `Snapshot::previous_scope`), that snapshot's dataset-wide scope, after
//!   the chains of the round (it needs every chain's analysis; the untouched ones are carried
//!   over). Without readers of the scope it is not computed: on a national store it would
//!   analyse every chain.
//! - Once every chain of the current snapshot has its row, the chain list's figures are stored
//!   beside the data with their revision, so that the next start answers the chain list at once
//!   (`Service::open` seeds them when the revision still matches).
//!
//! One worker thread takes the pending chains in rounds; chains touched again while a round runs
//! wait for the next round, which works on the newest snapshot, so a burst of writes costs one
//! recomputation per chain, not one per write.

use super::{Inner, Service};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

/// The name under which the chain list's figures are stored. It names the version of qmap that
/// computed them, so that a newer qmap (whose analyses may differ) never lists figures of an
/// older one.
pub const CHAIN_ROWS: &str = concat!("chain_rows/", env!("CARGO_PKG_VERSION"));

/// Chains waiting to be analysed (and whether the dataset-wide scope is), and the worker's
/// wake-up.
#[derive(Default)]
pub(super) struct Pending {
    queued: Mutex<Queued>,
    wake: Condvar,
}

/// What the next round computes.
#[derive(Default)]
struct Queued {
    chains: BTreeSet<String>,
    /// The current snapshot's dataset-wide scope, after the chains.
    dataset: bool,
}

impl Pending {
    /// Queues chains for the worker.
    pub(super) fn add(&self, chains: impl IntoIterator<Item = String>) {
        let mut pending = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        pending.chains.extend(chains);
        if !pending.chains.is_empty() {
            self.wake.notify_one();
        }
    }

    /// Queues the dataset-wide scope of the snapshot current when the worker gets to it.
    pub(super) fn add_dataset(&self) {
        let mut pending = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        pending.dataset = true;
        self.wake.notify_one();
    }

    /// Waits up to `timeout` for queued work and takes it all.
    fn take(&self, timeout: Duration) -> Queued {
        let pending = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        let (mut pending, _) = self
            .wake
            .wait_timeout_while(pending, timeout, |p| p.chains.is_empty() && !p.dataset)
            .unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *pending)
    }
}

impl Service {
    /// Starts the background worker (once; later calls do nothing) and queues every chain whose
    /// row of the chain list is not at hand (all of them, unless stored for this revision).
    pub fn start_precomputing(&self) {
        let first = self.inner.precompute.set(Arc::default()).is_ok();
        let Some(pending) = self.inner.precompute.get() else {
            return;
        };
        if !first {
            return;
        }
        let snap = self.snapshot();
        pending.add(
            snap.dataset
                .chains
                .keys()
                .filter(|id| !snap.row_ready(id))
                .cloned(),
        );
        let weak = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("qmap-precompute".into())
            .spawn(move || work(weak));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the background analyses");
        }
    }

    /// Queues chains for the worker, if it runs.
    pub(super) fn queue(&self, chains: impl IntoIterator<Item = String>) {
        if let Some(pending) = self.inner.precompute.get() {
            pending.add(chains);
        }
    }

    /// Queues the current dataset-wide scope for the worker; false if the worker does not run.
    pub(super) fn queue_dataset(&self) -> bool {
        match self.inner.precompute.get() {
            Some(pending) => {
                pending.add_dataset();
                true
            }
            None => false,
        }
    }

    /// One round: analyses `chains` on the current snapshot; if that snapshot is still current,
    /// computes its dataset-wide scope if `dataset` (a newer snapshot's is queued by its write),
    /// then stores the chain list's figures if every chain of it has its row (rows of chains
    /// that no write touched since they were stored are still good).
    ///
    /// The chains are analysed on `pool` (the background's own, if any); the dataset-wide scope
    /// on the request pool with every core, as a request computing it would: readers are
    /// waiting for it, meanwhile answered an earlier revision's figures.
    fn precompute_round(
        &self,
        chains: BTreeSet<String>,
        dataset: bool,
        pool: Option<&rayon::ThreadPool>,
    ) {
        let snap = self.snapshot();
        let started = std::time::Instant::now();
        let chains: Vec<&String> = chains.iter().filter(|c| snap.has_chain(c)).collect();
        let analyse = || {
            chains
                .par_iter()
                .filter(|c| snap.chain_analysis(c).is_err())
                .count()
        };
        let failed = match pool {
            Some(pool) => pool.install(analyse),
            None => analyse(),
        };
        tracing::debug!(
            chains = chains.len(),
            failed,
            revision = snap.revision,
            seconds = started.elapsed().as_secs_f64(),
            "background analyses"
        );
        let current = Arc::ptr_eq(&snap, &self.snapshot());
        if !current {
            return;
        }
        if dataset && !snap.dataset_analysis_ready() {
            let started = std::time::Instant::now();
            if let Err(e) = snap.dataset_analysis() {
                tracing::warn!(error = %e, "the dataset-wide scope was not computed");
            }
            tracing::debug!(
                revision = snap.revision,
                seconds = started.elapsed().as_secs_f64(),
                "background dataset-wide scope"
            );
        }
        self.store_rows(&snap);
    }

    /// Stores the chain list's figures of `snap` if every chain has its row.
    fn store_rows(&self, snap: &super::Snapshot) {
        if !snap.dataset.chains.keys().all(|id| snap.row_ready(id)) {
            return;
        }
        let rows = match snap.chain_rows() {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "chain figures not stored");
                return;
            }
        };
        let stored = serde_json::to_vec(&rows)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                self.store()
                    .put_derived(CHAIN_ROWS, snap.revision, &bytes)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = stored {
            tracing::warn!(error = %e, "chain figures not stored");
        }
    }
}

/// The background analyses get a pool of their own with half the cores, so that the requests
/// of the moment (which use rayon's global pool) never queue behind them. `None` (the global
/// pool) if no pool can be made.
fn background_pool() -> Option<rayon::ThreadPool> {
    let threads = std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1));
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("qmap-background-{i}"))
        .build()
        .inspect_err(|e| tracing::warn!(error = %e, "background analyses share the request pool"))
        .ok()
}

/// The worker: rounds until the service is gone.
fn work(service: Weak<Inner>) {
    let mut pool: Option<Option<rayon::ThreadPool>> = None;
    loop {
        let Some(inner) = service.upgrade() else {
            return;
        };
        let Some(pending) = inner.precompute.get().cloned() else {
            return;
        };
        drop(inner);
        // Wakes now and then to notice that the service is gone.
        let Queued { chains, dataset } = pending.take(Duration::from_secs(1));
        if chains.is_empty() && !dataset {
            continue;
        }
        let Some(inner) = service.upgrade() else {
            return;
        };
        let service_now = Service { inner };
        let pool = pool.get_or_insert_with(background_pool);
        // A panic in an analysis must not end the worker: it is logged, the round is dropped,
        // and readers compute that chain themselves (and meet the same error).
        let round = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            service_now.precompute_round(chains, dataset, pool.as_ref())
        }));
        if round.is_err() {
            tracing::error!("a background analysis panicked");
        }
    }
}

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

/// Chains waiting to be analysed, and the worker's wake-up.
#[derive(Default)]
pub(super) struct Pending {
    chains: Mutex<BTreeSet<String>>,
    wake: Condvar,
}

impl Pending {
    /// Queues chains for the worker.
    pub(super) fn add(&self, chains: impl IntoIterator<Item = String>) {
        let mut pending = self.chains.lock().unwrap_or_else(|p| p.into_inner());
        pending.extend(chains);
        if !pending.is_empty() {
            self.wake.notify_one();
        }
    }

    /// Waits up to `timeout` for queued chains and takes them all.
    fn take(&self, timeout: Duration) -> BTreeSet<String> {
        let pending = self.chains.lock().unwrap_or_else(|p| p.into_inner());
        let (mut pending, _) = self
            .wake
            .wait_timeout_while(pending, timeout, |p| p.is_empty())
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

    /// One round: analyses `chains` on the current snapshot, then stores the chain list's
    /// figures if every chain of that snapshot has its row (rows of chains that no write touched
    /// since they were stored are still good).
    fn precompute_round(&self, chains: BTreeSet<String>) {
        let snap = self.snapshot();
        let started = std::time::Instant::now();
        let chains: Vec<&String> = chains.iter().filter(|c| snap.has_chain(c)).collect();
        let failed = chains
            .par_iter()
            .filter(|c| snap.chain_analysis(c).is_err())
            .count();
        tracing::debug!(
            chains = chains.len(),
            failed,
            revision = snap.revision,
            seconds = started.elapsed().as_secs_f64(),
            "background analyses"
        );
        let current = Arc::ptr_eq(&snap, &self.snapshot());
        if !current || !snap.dataset.chains.keys().all(|id| snap.row_ready(id)) {
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
        let chains = pending.take(Duration::from_secs(1));
        if chains.is_empty() {
            continue;
        }
        let Some(inner) = service.upgrade() else {
            return;
        };
        let service_now = Service { inner };
        let pool = pool.get_or_insert_with(background_pool);
        // A panic in an analysis must not end the worker: it is logged, the round is dropped,
        // and readers compute that chain themselves (and meet the same error).
        let round = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match pool {
            Some(pool) => pool.install(|| service_now.precompute_round(chains)),
            None => service_now.precompute_round(chains),
        }));
        if round.is_err() {
            tracing::error!("a background analysis panicked");
        }
    }
}

//! `AppState`: the store, the current in-memory snapshot of it, and the single writer.
//!
//! Reads take the current `Arc<Snapshot>` and never wait for a write: a write validates against
//! the snapshot, commits to the store (durable before it is acknowledged), then publishes a new
//! snapshot. Analyses are cached inside a snapshot (see `cache`); a new snapshot carries over the
//! cached results of every chain the write did not touch.

use super::cache::{AnalysisCache, ChainEntry};
use super::error::ApiError;
use crate::analysis::eligibility::ProviderIndex;
use crate::analysis::quality::dataset_analysis;
use crate::analysis::{analyze_full, ChainAnalysis, DatasetAnalysis};
use crate::graph::Graphs;
use crate::map::QualityMap;
use crate::model::{Bundle, ChangeSet, Dataset};
use crate::store::Store;
use crate::validate;
use axum::body::Bytes;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Settings of the HTTP API.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Longest a request may compute before it is answered with 503 `timeout`. A write checks it
    /// just before it commits; once committing, it runs to its end.
    pub request_timeout: Duration,
    /// Let requests without a token read (never write): `serve --demo` with no token configured.
    pub anonymous_read: bool,
    /// Failed authentication attempts allowed per client address per minute; more are 429.
    pub failed_attempts_per_minute: usize,
}

impl Default for ApiConfig {
    fn default() -> ApiConfig {
        ApiConfig {
            body_limit: 256 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            anonymous_read: false,
            failed_attempts_per_minute: super::auth::MAX_FAILURES,
        }
    }
}

/// One consistent view of the data: what every read works on.
pub struct Snapshot {
    /// The store revision this snapshot reflects.
    pub revision: u64,
    pub dataset: Arc<Dataset>,
    pub cache: AnalysisCache,
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    // A std RwLock: it is only held to clone or swap an Arc, never across an await.
    snapshot: RwLock<Arc<Snapshot>>,
    writer: tokio::sync::Mutex<()>,
    config: ApiConfig,
    failed: super::auth::FailedAttempts,
}

impl AppState {
    /// Loads the whole store into memory and builds the first snapshot.
    pub fn new(store: Store, config: ApiConfig) -> Result<AppState, ApiError> {
        let dataset = Arc::new(store.load()?);
        let revision = store.revision();
        let cache = AnalysisCache::new(&dataset);
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                snapshot: RwLock::new(Arc::new(Snapshot {
                    revision,
                    dataset,
                    cache,
                })),
                writer: tokio::sync::Mutex::new(()),
                config,
                failed: super::auth::FailedAttempts::default(),
            }),
        })
    }

    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Failed authentication attempts, for rate limiting.
    pub fn failed_attempts(&self) -> &super::auth::FailedAttempts {
        &self.inner.failed
    }

    /// The current snapshot; cheap (an `Arc` clone).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner
            .snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs blocking work (analyses, validation, store writes) off the async threads, within the
    /// request timeout.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let timeout = self.inner.config.request_timeout;
        match tokio::time::timeout(timeout, tokio::task::spawn_blocking(f)).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(ApiError::internal(join)),
            Err(_) => Err(ApiError::Timeout(timeout.as_millis() as u64)),
        }
    }

    /// Runs a write's blocking work to its end. A write is never abandoned half-way: its commit
    /// would land after the client was told it timed out, and the snapshot would never show it.
    /// The request timeout is checked once, by the work itself, just before it commits.
    async fn blocking_write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(Deadline) -> Result<T, ApiError> + Send + 'static,
    {
        let timeout = self.inner.config.request_timeout;
        let deadline = Deadline {
            at: Instant::now().checked_add(timeout),
            timeout,
        };
        tokio::task::spawn_blocking(move || f(deadline))
            .await
            .map_err(ApiError::internal)?
    }

    /// Validates and imports a bundle (all or nothing); with `dry_run` only validates.
    pub async fn import(&self, bytes: Bytes, dry_run: bool) -> Result<ImportOutcome, ApiError> {
        let _writer = self.inner.writer.lock().await;
        let before = self.snapshot();
        let store = self.inner.store.clone();
        let (summary, bundle) = self
            .blocking_write(move |deadline| {
                let bundle = validate::parse_bundle(&bytes, before.dataset.as_ref())
                    .map_err(ApiError::from_validation)?;
                if dry_run {
                    return Ok((None, bundle));
                }
                deadline.check()?;
                let summary = store.import(&bundle)?;
                Ok((Some(summary), bundle))
            })
            .await?;
        let counts = Counts::of(&bundle);
        if let Some(summary) = &summary {
            self.publish(ChangeSet::upsert(bundle), summary.revision)
                .await?;
        }
        Ok(ImportOutcome {
            dry_run,
            counts,
            revision: summary.map(|s| s.revision),
        })
    }

    /// Prepares a change from the current data (under the writer lock, so what `prepare` sees is
    /// what the change applies to), validates it, and applies it all or nothing. Returns the new
    /// revision and whatever `prepare` returned beside the change.
    pub async fn write<T, F>(&self, prepare: F) -> Result<(u64, T), ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Dataset) -> Result<(ChangeSet, T), ApiError> + Send + 'static,
    {
        let _writer = self.inner.writer.lock().await;
        let before = self.snapshot();
        let store = self.inner.store.clone();
        let (change, revision, extra) = self
            .blocking_write(move |deadline| {
                let (change, extra) = prepare(&before.dataset)?;
                let errors = validate::check_change(&change, before.dataset.as_ref());
                if !errors.is_empty() {
                    return Err(conflict_or_invalid(errors));
                }
                deadline.check()?;
                let revision = store.apply(&change)?;
                Ok((change, revision, extra))
            })
            .await?;
        self.publish(change, revision).await?;
        Ok((revision, extra))
    }

    /// Builds the snapshot after `change` and makes it current. Caller holds the writer lock.
    /// The change is committed already: this runs to its end, whatever the request timeout.
    async fn publish(&self, change: ChangeSet, revision: u64) -> Result<(), ApiError> {
        let before = self.snapshot();
        let next = self
            .blocking_write(move |_committed| {
                let mut dataset = (*before.dataset).clone();
                let touched = super::cache::Touched::by(&before.dataset, &change);
                dataset.apply(&change);
                let dataset = Arc::new(dataset);
                let cache = before.cache.carry_over(&dataset, &touched);
                Ok(Snapshot {
                    revision,
                    dataset,
                    cache,
                })
            })
            .await?;
        *self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        Ok(())
    }
}

/// The request timeout as a point in time, for work that must decide before it commits.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    /// `None`: too far away to represent, i.e. never.
    at: Option<Instant>,
    timeout: Duration,
}

impl Deadline {
    /// 503 `timeout` once the deadline has passed.
    fn check(self) -> Result<(), ApiError> {
        match self.at {
            Some(at) if Instant::now() >= at => {
                Err(ApiError::Timeout(self.timeout.as_millis() as u64))
            }
            _ => Ok(()),
        }
    }
}

/// Deletes that would leave dangling references are conflicts (409); everything else is 422.
fn conflict_or_invalid(errors: validate::Report) -> ApiError {
    if errors.all_of(validate::ErrorCode::StillReferenced) {
        ApiError::Conflict {
            code: "still_referenced",
            message: "the record is still referenced by others".into(),
            details: errors,
        }
    } else {
        ApiError::from_validation(errors)
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
}

/// Records per kind in a bundle.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub regions: usize,
    pub chains: usize,
    pub organizations: usize,
    pub supplies: usize,
    pub problems: usize,
}

impl Counts {
    pub fn of(bundle: &Bundle) -> Counts {
        Counts {
            regions: bundle.regions.len(),
            chains: bundle.chains.len(),
            organizations: bundle.organizations.len(),
            supplies: bundle.supplies.len(),
            problems: bundle.problems.len(),
        }
    }
}

/// The analyses of a snapshot, computed on first use and cached (see `cache`). Each may take a
/// while on a big chain: call them inside [`AppState::blocking`].
impl Snapshot {
    /// Providers indexed by capability code.
    pub fn providers(&self) -> Arc<ProviderIndex> {
        self.cache
            .providers
            .get_or_init(|| Arc::new(ProviderIndex::from_dataset(&self.dataset)))
            .clone()
    }

    fn entry(&self, chain: &str) -> Result<&Arc<ChainEntry>, ApiError> {
        self.cache
            .chain(chain)
            .ok_or_else(|| ApiError::not_found("chain", chain))
    }

    /// The supply graph of one chain.
    pub fn chain_graph(&self, chain: &str) -> Result<Arc<Graphs>, ApiError> {
        Ok(self
            .entry(chain)?
            .graph
            .get_or_init(|| {
                let mut graphs = Graphs::default();
                graphs.rebuild_chain(&self.dataset, chain);
                Arc::new(graphs)
            })
            .clone())
    }

    /// Weak links and QI of one chain.
    pub fn chain_analysis(&self, chain: &str) -> Result<Arc<ChainAnalysis>, ApiError> {
        let entry = self.entry(chain)?;
        if let Some(a) = entry.analysis.get() {
            return Ok(a.clone());
        }
        let graphs = self.chain_graph(chain)?;
        Ok(entry
            .analysis
            .get_or_init(|| {
                let mut report = analyze_full(&self.dataset, &graphs, Some(chain));
                Arc::new(report.chains.remove(0))
            })
            .clone())
    }

    /// The quality map of a chain with the default firm limit, serialized (cached as bytes: it is
    /// what the page asks for first and most).
    pub fn default_map(&self, chain: &str) -> Result<Bytes, ApiError> {
        let entry = self.entry(chain)?;
        if let Some(bytes) = entry.map.get() {
            return Ok(bytes.clone());
        }
        let map = self.quality_map(chain, Some(crate::map::DEFAULT_LIMIT))?;
        let bytes = Bytes::from(serde_json::to_vec(&map).map_err(ApiError::internal)?);
        Ok(entry.map.get_or_init(|| bytes).clone())
    }

    /// [`Snapshot::default_map`] gzip-compressed, cached beside it.
    pub fn default_map_gzip(&self, chain: &str) -> Result<Bytes, ApiError> {
        let entry = self.entry(chain)?;
        if let Some(bytes) = entry.map_gzip.get() {
            return Ok(bytes.clone());
        }
        let raw = self.default_map(chain)?;
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 8), Default::default());
        std::io::Write::write_all(&mut encoder, &raw).map_err(ApiError::internal)?;
        let bytes = Bytes::from(encoder.finish().map_err(ApiError::internal)?);
        Ok(entry.map_gzip.get_or_init(|| bytes).clone())
    }

    /// The quality map of a chain listing at most `limit` firms.
    pub fn quality_map(&self, chain: &str, limit: Option<usize>) -> Result<QualityMap, ApiError> {
        let analysis = self.chain_analysis(chain)?;
        Ok(crate::map::quality_map(
            &self.dataset,
            &analysis,
            &self.providers(),
            limit,
        ))
    }

    /// The dataset-wide scope and the chain comparison.
    pub fn dataset_analysis(&self) -> Result<Arc<DatasetAnalysis>, ApiError> {
        if let Some(a) = self.cache.all.get() {
            return Ok(a.clone());
        }
        let chains = self
            .dataset
            .chains
            .keys()
            .map(|id| self.chain_analysis(id))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&ChainAnalysis> = chains.iter().map(|c| c.as_ref()).collect();
        Ok(self
            .cache
            .all
            .get_or_init(|| Arc::new(dataset_analysis(&self.dataset, &self.providers(), &refs)))
            .clone())
    }
}

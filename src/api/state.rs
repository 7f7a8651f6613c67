//! `AppState`: what every handler is given: the [`Service`] (data, snapshots, writes), the
//! API's settings, and the failed-login counters of [`super::auth`].

use super::error::ApiError;
use crate::model::WriteNote;
use crate::service::{Deadline, How, Service, Snapshot};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;

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
    /// Quality notices one token may send per minute; more are 429 `rate_limited`.
    pub notices_per_minute: usize,
}

impl Default for ApiConfig {
    fn default() -> ApiConfig {
        ApiConfig {
            body_limit: 256 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            anonymous_read: false,
            failed_attempts_per_minute: super::attempts::MAX_FAILURES,
            notices_per_minute: super::notices::SENDS_PER_MINUTE,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    service: Service,
    config: ApiConfig,
    failed: super::attempts::FailedAttempts,
    notice_sends: super::notices::SendLimiter,
    // Writes queue here, as async tasks, for their turn at the service's writer: waiting writes
    // then hold no blocking thread, which reads need.
    turn: tokio::sync::Mutex<()>,
}

impl AppState {
    /// Opens the service on `store` (loads it into memory).
    pub fn new(store: Store, config: ApiConfig) -> Result<AppState, ApiError> {
        Ok(AppState {
            inner: Arc::new(Inner {
                service: Service::open(store)?,
                config,
                failed: super::attempts::FailedAttempts::default(),
                notice_sends: super::notices::SendLimiter::default(),
                turn: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub fn service(&self) -> &Service {
        &self.inner.service
    }

    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    pub fn store(&self) -> &Store {
        self.inner.service.store()
    }

    /// Quality notices sent per token, for rate limiting.
    pub fn notice_sends(&self) -> &super::notices::SendLimiter {
        &self.inner.notice_sends
    }

    /// Failed authentication attempts, for rate limiting.
    pub fn failed_attempts(&self) -> &super::attempts::FailedAttempts {
        &self.inner.failed
    }

    /// The current snapshot; cheap (an `Arc` clone).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner.service.snapshot()
    }

    /// Runs a read of the current snapshot off the async threads, within the request timeout.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> Result<T, crate::service::Error> + Send + 'static,
    {
        let snap = self.snapshot();
        let timeout = self.inner.config.request_timeout;
        match tokio::time::timeout(timeout, tokio::task::spawn_blocking(move || f(&snap))).await {
            Ok(Ok(result)) => result.map_err(ApiError::from),
            Ok(Err(join)) => Err(ApiError::internal(join)),
            Err(_) => Err(ApiError::Timeout(timeout.as_millis() as u64)),
        }
    }

    /// [`AppState::read`] of the snapshot as of `revision` (`None`: the current one). Finding an
    /// earlier revision's snapshot reads the store's history: it counts within the timeout.
    pub async fn read_at<T, F>(&self, revision: Option<u64>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> Result<T, crate::service::Error> + Send + 'static,
    {
        self.read_earlier(revision, None, f).await
    }

    /// [`AppState::read_at`] for a read of chain `chain` only (its map, lists, analyses): an
    /// earlier revision costs only that chain's part of the history (see
    /// `Service::chain_snapshot_at`).
    pub async fn read_chain_at<T, F>(
        &self,
        revision: Option<u64>,
        chain: &str,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> Result<T, crate::service::Error> + Send + 'static,
    {
        self.read_earlier(revision, Some(chain.to_string()), f)
            .await
    }

    async fn read_earlier<T, F>(
        &self,
        revision: Option<u64>,
        chain: Option<String>,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> Result<T, crate::service::Error> + Send + 'static,
    {
        if revision.is_none() {
            return self.read(f).await;
        }
        let service = self.inner.service.clone();
        self.blocking(move || {
            let snap = match &chain {
                Some(chain) => service.chain_snapshot_at(revision, chain)?,
                None => service.snapshot_at(revision)?,
            };
            f(&snap)
        })
        .await
    }

    /// Runs `f` off the async threads, within the request timeout.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, crate::service::Error> + Send + 'static,
    {
        let timeout = self.inner.config.request_timeout;
        match tokio::time::timeout(timeout, tokio::task::spawn_blocking(f)).await {
            Ok(Ok(result)) => result.map_err(ApiError::from),
            Ok(Err(join)) => Err(ApiError::internal(join)),
            Err(_) => Err(ApiError::Timeout(timeout.as_millis() as u64)),
        }
    }

    /// Runs a write off the async threads. A write is never abandoned half-way (its commit would
    /// land after the client was told it timed out); the request timeout is checked by the
    /// service just before it commits.
    /// The revision it makes is described by `note` (its writer, see `Principal::note`).
    pub async fn write<T, F>(
        &self,
        note: WriteNote,
        override_status: bool,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Service, How) -> Result<T, crate::service::Error> + Send + 'static,
    {
        let how = How {
            deadline: Deadline::after(self.inner.config.request_timeout),
            override_status,
            note,
        };
        let _turn = self.inner.turn.lock().await;
        let service = self.inner.service.clone();
        tokio::task::spawn_blocking(move || f(&service, how))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::from)
    }
}

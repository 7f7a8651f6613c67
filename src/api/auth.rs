//! Who is asking, and what they may see: bearer-token authentication for every `/api/v1`
//! route, failed-attempt rate limiting, the audit log of writes, and the [`Principal`] that
//! handlers ask before they read or write.
//!
//! Authentication happens once, in [`authenticate`] (a middleware); authorization happens in
//! the handlers, which know which chain, organization or problem a request touches, through the
//! `Principal::require_*` methods. Every refusal is the same 401 or 403 whatever the reason, so
//! a refusal says nothing about what exists.

use super::error::ApiError;
use super::state::AppState;
use crate::access::{self, Denied};
pub use crate::service::Principal;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed by default per client address within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: usize = 10;
/// The window over which failed attempts are counted.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Failed authentication attempts per client address.
#[derive(Default)]
pub struct FailedAttempts {
    recent: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl FailedAttempts {
    /// Whether `client` has used up its attempts.
    fn blocked(&self, client: IpAddr, now: Instant, limit: usize) -> bool {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = recent.get_mut(&client) else {
            return false;
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > FAILURE_WINDOW)
        {
            times.pop_front();
        }
        times.len() >= limit
    }

    fn record(&self, client: IpAddr, now: Instant) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.entry(client).or_default().push_back(now);
    }
}

/// The client's address, when the server knows it (in-process test calls do not).
fn client(req: &Request) -> IpAddr {
    req.extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// Whether a request only reads: GETs, and the POSTs that compute without writing (scenarios
/// and what-ifs).
fn only_reads(method: &Method, path: &str) -> bool {
    *method == Method::GET
        || *method == Method::HEAD
        || (*method == Method::POST && (path.ends_with("/scenarios") || path == "/api/v1/what-if"))
}

/// Authenticates every request under `/api/v1`, puts its [`Principal`] into the request, and
/// records every write in the audit log.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let reads = only_reads(&method, req.uri().path());
    // A write that overrides the status rules says so in the audit log.
    let overrides = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv == "override_status=true"));
    let action = format!(
        "{method} {}{}",
        req.uri().path(),
        if overrides {
            "?override_status=true"
        } else {
            ""
        }
    );
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_string());
    let (principal, response) = match principal_of(&state, presented, reads, client(&req)).await {
        Ok(p) => {
            req.extensions_mut().insert(p.clone());
            (Some(p), next.run(req).await)
        }
        Err(e) => (None, axum::response::IntoResponse::into_response(e)),
    };
    if !reads {
        // Every write attempt, refused ones too: who (or "unauthenticated"), when, what, outcome.
        let store = state.store().clone();
        let outcome = response.status().as_u16().to_string();
        let role = principal.as_ref().and_then(Principal::role);
        let actor = principal
            .as_ref()
            .map_or("unauthenticated", Principal::actor)
            .to_string();
        let logged = action.clone();
        let recorded = tokio::task::spawn_blocking(move || {
            store.append_audit(access::now(), &actor, role, &logged, &outcome)
        })
        .await;
        if !matches!(recorded, Ok(Ok(_))) {
            tracing::error!(%action, "the audit log could not record a write");
        }
    }
    response
}

async fn principal_of(
    state: &AppState,
    presented: Option<String>,
    reads: bool,
    client: IpAddr,
) -> Result<Principal, ApiError> {
    let Some(presented) = presented else {
        return if state.config().anonymous_read && reads {
            Ok(Principal::Anonymous)
        } else {
            Err(ApiError::Unauthorized)
        };
    };
    let failures = state.failed_attempts();
    if failures.blocked(
        client,
        Instant::now(),
        state.config().failed_attempts_per_minute,
    ) {
        return Err(ApiError::TooManyAttempts);
    }
    let store = state.store().clone();
    let checked = tokio::task::spawn_blocking(move || {
        let stored = match access::token_id(&presented) {
            Some(id) => store.token(id).ok().flatten(),
            None => None,
        };
        access::verify(&presented, stored.as_ref(), access::now()).map(|()| stored)
    })
    .await
    .map_err(ApiError::internal)?;
    match checked {
        Ok(Some(token)) => Ok(Principal::Holder(token)),
        Ok(None)
        | Err(Denied::Unknown | Denied::Malformed | Denied::WrongSecret)
        | Err(Denied::Expired | Denied::Revoked) => {
            failures.record(client, Instant::now());
            Err(ApiError::Unauthorized)
        }
    }
}

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

/// A detail a handler adds to the audit entry of its write (as a response extension), such as
/// the id of a record it created, which the request path does not show.
#[derive(Debug, Clone)]
pub struct AuditNote(pub String);

/// Failed authentication attempts per client: an IPv4 address, or the /64 network of an IPv6
/// one (a single host usually holds a whole /64). A client that used up its attempts is refused
/// (429) whatever it presents, so guessing stops; every other client is untouched.
///
/// Memory stays bounded by the clients that failed within the last [`FAILURE_WINDOW`]: each
/// keeps at most `limit` times, and clients with no recent failure are pruned whenever the map
/// has doubled since the last pruning.
pub struct FailedAttempts {
    inner: Mutex<Failures>,
}

struct Failures {
    recent: HashMap<IpAddr, VecDeque<Instant>>,
    /// The number of clients at which the map is pruned next.
    prune_at: usize,
}

/// The map is never pruned below this many clients (pruning a small map gains nothing).
const PRUNE_FLOOR: usize = 1024;

impl Default for FailedAttempts {
    fn default() -> FailedAttempts {
        FailedAttempts {
            inner: Mutex::new(Failures {
                recent: HashMap::new(),
                prune_at: PRUNE_FLOOR,
            }),
        }
    }
}

/// The key a client's failures are counted under.
fn bucket(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

/// Drops the times that fell out of the window.
fn expire(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) > FAILURE_WINDOW)
    {
        times.pop_front();
    }
}

impl FailedAttempts {
    /// Whether `client` has used up its attempts.
    fn blocked(&self, client: IpAddr, now: Instant, limit: usize) -> bool {
        let mut failures = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = bucket(client);
        let Some(times) = failures.recent.get_mut(&key) else {
            return false;
        };
        expire(times, now);
        if times.is_empty() {
            failures.recent.remove(&key);
            return false;
        }
        times.len() >= limit
    }

    fn record(&self, client: IpAddr, now: Instant, limit: usize) {
        let mut failures = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let times = failures.recent.entry(bucket(client)).or_default();
        expire(times, now);
        times.push_back(now);
        while times.len() > limit.max(1) {
            times.pop_front();
        }
        if failures.recent.len() >= failures.prune_at {
            failures.recent.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) <= FAILURE_WINDOW)
            });
            failures.prune_at = (failures.recent.len() * 2).max(PRUNE_FLOOR);
        }
    }

    /// The number of clients with failures on record.
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .recent
            .len()
    }
}

/// The client's address, when the server knows it (in-process test calls do not).
fn client(req: &Request) -> IpAddr {
    req.extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is matched in any case
/// (RFC 9110 §11.1) and may be followed by several spaces; another scheme gives `None`.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Whether a request only reads: GETs, and the POSTs that compute without writing (scenarios
/// and what-ifs).
fn only_reads(method: &Method, path: &str) -> bool {
    *method == Method::GET
        || *method == Method::HEAD
        || (*method == Method::POST && (path.ends_with("/scenarios") || path == "/api/v1/what-if"))
}

/// Authenticates every request under `/api/v1`, puts its [`Principal`] into the request, and
/// records every authenticated write in the audit log (writes without a valid token are only
/// logged).
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
        .and_then(bearer_token)
        .map(str::to_string);
    let (principal, response) = match principal_of(&state, presented, reads, client(&req)).await {
        Ok(p) => {
            req.extensions_mut().insert(p.clone());
            (Some(p), next.run(req).await)
        }
        Err(e) => (None, axum::response::IntoResponse::into_response(e)),
    };
    if reads {
        return response;
    }
    let outcome = response.status().as_u16().to_string();
    let action = match response.extensions().get::<AuditNote>() {
        Some(note) => format!("{action} ({})", note.0),
        None => action,
    };
    let Some(principal) = principal else {
        // Nobody is accountable for a write without a valid token, and storing it would let
        // anyone grow the store: it goes to the log only.
        tracing::warn!(
            action = %crate::store::capped(&action, crate::store::AUDIT_TEXT_CHARS),
            %outcome,
            "write attempt without a valid token"
        );
        return response;
    };
    // Every authenticated write attempt, refused ones too: who, when, what, outcome (the store
    // caps the length of each).
    let store = state.store().clone();
    let role = principal.role();
    let actor = principal.actor().to_string();
    let shown = crate::store::capped(&action, crate::store::AUDIT_TEXT_CHARS);
    let recorded = tokio::task::spawn_blocking(move || {
        store.append_audit(access::now(), &actor, role, &action, &outcome)
    })
    .await;
    if !matches!(recorded, Ok(Ok(_))) {
        tracing::error!(action = %shown, "the audit log could not record a write");
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
        // The open demo lasts while no token exists: one made while the server runs closes it.
        return if state.config().anonymous_read && reads && !state.store().has_tokens() {
            Ok(Principal::Anonymous)
        } else {
            Err(ApiError::Unauthorized)
        };
    };
    let failures = state.failed_attempts();
    let limit = state.config().failed_attempts_per_minute;
    if failures.blocked(client, Instant::now(), limit) {
        return Err(ApiError::TooManyAttempts);
    }
    let store = state.store().clone();
    let checked = tokio::task::spawn_blocking(move || {
        let stored = match access::token_id(&presented) {
            // A token file that cannot be read refuses every token (and says why in the log).
            Some(id) => store.token(id).unwrap_or_else(|error| {
                tracing::error!(%error, "the token file cannot be read");
                None
            }),
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
            failures.record(client, Instant::now(), limit);
            Err(ApiError::Unauthorized)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn v4(last: u32) -> IpAddr {
        IpAddr::from((0x0a00_0000u32 + last).to_be_bytes())
    }

    #[test]
    fn the_bearer_scheme_is_matched_in_any_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER   abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearerabc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn failures_count_per_client_and_expire_after_the_window() {
        let failed = FailedAttempts::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            failed.record(v4(1), t0, 3);
        }
        assert!(failed.blocked(v4(1), t0, 3));
        assert!(!failed.blocked(v4(2), t0, 3));
        let later = t0 + FAILURE_WINDOW + Duration::from_secs(1);
        assert!(!failed.blocked(v4(1), later, 3));
        assert_eq!(failed.clients(), 0);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_network() {
        let failed = FailedAttempts::default();
        let t0 = Instant::now();
        let host = |last: u16| IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, last));
        for last in 0..3 {
            failed.record(host(last), t0, 3);
        }
        assert!(failed.blocked(host(99), t0, 3));
        let elsewhere = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1));
        assert!(!failed.blocked(elsewhere, t0, 3));
    }

    #[test]
    fn clients_without_recent_failures_are_pruned() {
        let failed = FailedAttempts::default();
        let t0 = Instant::now();
        for n in 0..5_000 {
            failed.record(v4(n), t0, 10);
        }
        assert_eq!(failed.clients(), 5_000);
        // The map doubled to 8,192 clients before it is pruned: then only the clients of the
        // last minute stay.
        let later = t0 + FAILURE_WINDOW + Duration::from_secs(1);
        for n in 0..4_000 {
            failed.record(v4(1_000_000 + n), later, 10);
        }
        assert_eq!(failed.clients(), 4_000);
        // Each client keeps at most `limit` times, however often it fails.
        for _ in 0..100 {
            failed.record(v4(7), later, 10);
        }
        let kept = failed.inner.lock().unwrap().recent[&v4(7)].len();
        assert_eq!(kept, 10);
    }
}

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
use crate::model::access::{AccessRole, Token};
use crate::model::Dataset;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::{BTreeSet, HashMap, VecDeque};
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

/// The holder of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// `serve --demo` with no token configured: reads everything, writes nothing.
    Anonymous,
    /// A verified, live token.
    Holder(Token),
}

impl Principal {
    fn token(&self) -> Option<&Token> {
        match self {
            Principal::Holder(t) => Some(t),
            Principal::Anonymous => None,
        }
    }

    pub fn role(&self) -> Option<AccessRole> {
        self.token().map(|t| t.role)
    }

    /// The id shown in the audit log.
    pub fn actor(&self) -> &str {
        self.token().map_or("anonymous", |t| t.id.as_str())
    }

    /// The organization of an enterprise token.
    pub fn org(&self) -> Option<&str> {
        self.token()
            .filter(|t| t.role == AccessRole::Enterprise)
            .and_then(|t| t.org.as_deref())
    }

    /// Firm-level reads of every chain.
    pub fn all_chains(&self) -> bool {
        match self {
            Principal::Anonymous => true,
            Principal::Holder(t) => match t.role {
                AccessRole::Admin => true,
                AccessRole::Regulator => t.chains.is_empty(),
                AccessRole::Enterprise | AccessRole::Planner => false,
            },
        }
    }

    /// Firm-level reads of a chain (its map, weak links, problems, firms): admins, regulators
    /// of the chain, and anonymous demo visitors.
    pub fn reads_chain(&self, chain: &str) -> bool {
        self.all_chains()
            || self.token().is_some_and(|t| {
                t.role == AccessRole::Regulator && t.chains.iter().any(|c| c == chain)
            })
    }

    /// Aggregated reads of a chain (coverage, gaps without firms, recommendations): also planners.
    pub fn reads_chain_aggregates(&self, chain: &str) -> bool {
        self.reads_chain(chain) || self.is_planner()
    }

    /// Dataset-wide aggregates (the comparison, dataset coverage): every chain's reader and
    /// planners.
    pub fn reads_dataset_aggregates(&self) -> bool {
        self.all_chains() || self.is_planner()
    }

    pub fn is_planner(&self) -> bool {
        self.role() == Some(AccessRole::Planner)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(AccessRole::Admin)
    }

    /// Writes that no single chain covers (providers, organizations on no chain): admins and
    /// regulators of every chain.
    pub fn writes_all(&self) -> bool {
        self.token().is_some_and(|t| {
            t.role == AccessRole::Admin || (t.role == AccessRole::Regulator && t.chains.is_empty())
        })
    }

    /// Writes of an organization record, given its stored version (if any) and the new one
    /// (absent for a delete): every chain either version sits on must be writable.
    pub fn writes_organization(
        &self,
        old: Option<&crate::model::Organization>,
        new: Option<&crate::model::Organization>,
    ) -> bool {
        let versions: Vec<&crate::model::Organization> = old.into_iter().chain(new).collect();
        let chains: Vec<&str> = versions
            .iter()
            .flat_map(|o| o.memberships())
            .map(|m| m.chain.as_str())
            .collect();
        if chains.is_empty() || versions.iter().any(|o| o.is_provider()) {
            self.writes_all()
        } else {
            chains.iter().all(|c| self.writes_chain(c))
        }
    }

    /// A 404 for those who may know whether the record exists, a 403 for everyone else.
    pub fn not_found(&self, kind: &'static str, id: impl Into<String>) -> ApiError {
        if self.all_chains() {
            ApiError::not_found(kind, id)
        } else {
            ApiError::Forbidden
        }
    }

    /// Writes on a chain: admins and the chain's regulators.
    pub fn writes_chain(&self, chain: &str) -> bool {
        matches!(self.role(), Some(AccessRole::Admin))
            || self.token().is_some_and(|t| {
                t.role == AccessRole::Regulator
                    && (t.chains.is_empty() || t.chains.iter().any(|c| c == chain))
            })
    }

    pub fn require(&self, allowed: bool) -> Result<(), ApiError> {
        if allowed {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Firm-level reads of `chain`.
    pub fn require_chain(&self, chain: &str) -> Result<(), ApiError> {
        self.require(self.reads_chain(chain))
    }

    /// Whether the principal may read the record of organization `id`: anyone who reads a chain
    /// it sits on; an enterprise for itself and the firms upstream of it; everyone for providers,
    /// which are public infrastructure.
    pub fn reads_organization(&self, d: &Dataset, id: &str) -> bool {
        let Some(org) = d.organizations.get(id) else {
            return self.all_chains();
        };
        if org.is_provider() {
            return true;
        }
        if let Some(own) = self.org() {
            return own == id || upstream_of(d, own).contains(id);
        }
        org.memberships().iter().any(|m| self.reads_chain(&m.chain))
    }

    /// Whether the principal may read problem `p` (its holder and chain given).
    pub fn reads_problem(&self, org: &str, chain: &str) -> bool {
        match self.org() {
            Some(own) => own == org,
            None => self.reads_chain(chain),
        }
    }

    /// Whether the principal may write a problem held by `org` on `chain`.
    pub fn writes_problem(&self, org: &str, chain: &str) -> bool {
        match self.org() {
            Some(own) => own == org,
            None => self.writes_chain(chain),
        }
    }
}

/// Every firm with a supply path to `org` on any chain `org` sits on.
///
/// Complexity: O(S) over the dataset's supplies per call.
pub fn upstream_of(d: &Dataset, org: &str) -> BTreeSet<String> {
    let Some(o) = d.organizations.get(org) else {
        return BTreeSet::new();
    };
    let mut found = BTreeSet::new();
    for m in o.memberships() {
        let mut suppliers: HashMap<&str, Vec<&str>> = HashMap::new();
        for s in d.supplies_of_chain(&m.chain) {
            suppliers.entry(&s.customer).or_default().push(&s.supplier);
        }
        let mut queue = VecDeque::from([org]);
        let mut seen = BTreeSet::from([org]);
        while let Some(firm) = queue.pop_front() {
            for &s in suppliers.get(firm).into_iter().flatten() {
                if seen.insert(s) {
                    queue.push_back(s);
                    found.insert(s.to_string());
                }
            }
        }
    }
    found.remove(org);
    found
}

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
    let action = format!("{method} {}", req.uri().path());
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

//! Who is asking: bearer-token authentication for every `/api/v1` route (with failed attempts
//! limited per client, see `attempts`), and the audit log of writes.
//!
//! Authentication happens once, in [`authenticate`] (a middleware), which puts the request's
//! [`Principal`] into it; what that principal may see and do is the service layer's
//! (`service::Principal`), asked by the service functions the handlers call. Every refusal is
//! the same 401 or 403 whatever the reason, so a refusal says nothing about what exists.

pub use super::attempts::{FAILURE_WINDOW, MAX_FAILURES};
use super::error::ApiError;
use super::state::AppState;
use crate::access::{self, Denied};
pub use crate::service::Principal;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// A detail a handler adds to the audit entry of its write (as a response extension), such as
/// the id of a record it created, which the request path does not show.
#[derive(Debug, Clone)]
pub struct AuditNote(pub String);

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

    #[test]
    fn the_bearer_scheme_is_matched_in_any_case() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER   abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearerabc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }
}

//! Quality notices along a chain: send (rate-limited per token), the inbox and outbox, and
//! acknowledgements. Sends and acknowledgements are audited; who may do what is
//! `service::notices`' to say.

use super::auth::{AuditNote, Principal};
use super::error::{ApiError, ErrorBody};
use super::records::relative_to;
use super::state::AppState;
use super::{json_body, query, ApiPath};
use crate::model::Notice;
use crate::service::notices::{self, Acknowledged, NoticeFilter, NoticePage, SendBody};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_notice, list_notices))
        .routes(routes!(acknowledge_notice))
}

/// Notices a token may send per minute by default.
pub const SENDS_PER_MINUTE: usize = 30;
/// The window over which sends are counted.
const SEND_WINDOW: Duration = Duration::from_secs(60);

/// Sends per token over the last minute. Every attempt counts (a refused one too), so that
/// flooding stops whatever it sends; a token over the limit is 429 with `Retry-After`. Memory
/// is bounded by the tokens that sent within the last minute: the map drops tokens with no
/// recent send whenever it has doubled since it last did.
#[derive(Default)]
pub struct SendLimiter {
    inner: Mutex<(HashMap<String, VecDeque<Instant>>, usize)>,
}

impl SendLimiter {
    /// Counts a send by `token`; `Err(seconds)` to wait when it is over `limit`.
    pub(super) fn check(&self, token: &str, now: Instant, limit: usize) -> Result<(), u64> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (recent, prune_at) = &mut *guard;
        let times = recent.entry(token.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= SEND_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            let wait = SEND_WINDOW.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        times.push_back(now);
        if recent.len() >= (*prune_at).max(1024) {
            recent.retain(|_, t| {
                t.back()
                    .is_some_and(|t| now.duration_since(*t) < SEND_WINDOW)
            });
            *prune_at = recent.len() * 2;
        }
        Ok(())
    }
}

type Body = Result<Bytes, axum::extract::rejection::BytesRejection>;

fn noted(response: impl IntoResponse, note: String) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(AuditNote(note));
    response
}

/// Send a quality notice about a firm of a chain (and perhaps one of its parts or problems).
/// An enterprise speaks only for itself (another firm is 403); a regulator of the chain or an
/// admin for any firm of it; planners never. The recipients are computed from the supply graph
/// now and stored with the notice: `downstream` the firm's customers (of the part) and every
/// firm its failure would disable, `upstream` its direct suppliers (of the part), `both` the
/// union; the firm itself never. A part the firm neither supplies nor receives on the chain is
/// 422 `unknown_part` at `/about/part`. Rate-limited per token (429 `rate_limited` with
/// `Retry-After`). Audited.
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = SendBody,
    responses((status = 201, body = Notice), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, description = "Too many sends by this token this minute (`rate_limited`, with `Retry-After`), or too many failed authentication attempts", body = ErrorBody)))]
async fn send_notice(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Body,
) -> Result<Response, ApiError> {
    let limit = state.config().notices_per_minute;
    state
        .notice_sends()
        .check(who.actor(), Instant::now(), limit)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let body: SendBody = json_body(body, &state)?;
    let notice = state
        .write(who.note(), false, move |service, how| {
            notices::send(service, &who, how, body)
        })
        .await
        .map_err(relative_to("/notices/0"))?;
    let note = format!(
        "notice {} about {} to {} recipients",
        notice.id,
        notice.about.firm,
        notice.recipients.len()
    );
    Ok(noted((StatusCode::CREATED, Json(notice)), note))
}

/// The notices this token may read, paged. Enterprises: `box=in` (default) the notices they
/// received, unread first, each with how the firm was told and when it acknowledged, never
/// the other recipients; `box=out` those they sent, with recipients and acknowledgements.
/// Regulators: every notice of their chains (`box=out`: those they sent), admins every notice,
/// both with recipients and acknowledgements. Planners: `notices: []` and `counts` by chain and
/// kind only.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", params(NoticeFilter),
    responses((status = 200, body = NoticePage), (status = 400, body = ErrorBody)))]
async fn list_notices(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    filter: Result<Query<NoticeFilter>, QueryRejection>,
) -> Result<Json<NoticePage>, ApiError> {
    let f = query(filter)?;
    Ok(Json(
        state.read(move |snap| notices::list(snap, &who, f)).await?,
    ))
}

/// Acknowledge a notice received: recipient enterprises only (403 for everyone else, whether
/// or not it exists). Acknowledging twice is fine: the first time stands. Audited.
#[utoipa::path(post, path = "/api/v1/notices/{id}/ack", tag = "notices",
    params(("id" = String, Path, description = "Notice id")),
    responses((status = 200, body = Acknowledged)))]
async fn acknowledge_notice(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let done = state
        .write(who.note(), false, move |service, how| {
            notices::ack(service, &who, how, id)
        })
        .await?;
    let note = format!("acknowledged {}", done.id);
    Ok(noted(Json(done), note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_counts_per_token_over_a_minute() {
        let l = SendLimiter::default();
        let t0 = Instant::now();
        assert_eq!(l.check("a", t0, 2), Ok(()));
        assert_eq!(l.check("a", t0 + Duration::from_secs(10), 2), Ok(()));
        assert_eq!(l.check("a", t0 + Duration::from_secs(20), 2), Err(40));
        assert_eq!(l.check("b", t0 + Duration::from_secs(20), 2), Ok(()));
        assert_eq!(l.check("a", t0 + Duration::from_secs(60), 2), Ok(()));
    }
}

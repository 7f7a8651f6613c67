//! Entity tags for reads: every successful `GET` under `/api/v1` carries an `ETag`, and a request
//! whose `If-None-Match` holds that tag is answered `304 Not Modified` without running the
//! handler.
//!
//! An answer depends on three things only: the snapshot it was computed from, who asked (roles
//! and enterprise tokens see different things), and the URI (path and query). The tag is a hash of
//! exactly those: `W/"r<revision>-<hash of revision, principal and URI>"`. It is taken from the
//! current snapshot *before* the handler runs: a write landing in between only makes the answer
//! newer than its tag, so the next revalidation fetches it again; never the other way round.
//!
//! An answer that says `Cache-Control: no-store` (an incomplete one: the chain list while some
//! rows are being computed; a dataset-wide answer of an earlier revision) gets no tag either, and is never answered `304` for `*`: its tag
//! would be the complete answer's, and a cache holding the incomplete one would keep it. A
//! request naming the complete answer's tag is still answered `304`: that answer is current.
//!
//! The token list (`/api/v1/tokens`) and the metrics (`/api/v1/metrics`) are not part of the
//! snapshot (tokens are made, revoked and expire, and counters move, without a new revision), so
//! they get no tag. Nor do the disclosure requests (`/api/v1/disclosure-requests`): they are kept
//! beside the records, and sending or declining one makes no revision.

use super::auth::Principal;
use super::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// What a tagged answer tells caches: keep it for this user only, and ask before reusing it.
const CACHE_CONTROL: &str = "private, no-cache";

/// What an incomplete answer tells caches (set by its handler): keep it nowhere.
pub const NO_STORE: &str = "no-store";

/// `res` marked as one no cache may keep (so it gets no tag), if `incomplete`.
pub fn no_store_if(incomplete: bool, mut res: Response) -> Response {
    if incomplete {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static(NO_STORE),
        );
    }
    res
}

/// Whether the handler marked the answer as one no cache may keep.
fn no_store(res: &Response) -> bool {
    res.headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case(NO_STORE))
}

/// Tags successful reads and answers matching `If-None-Match` with 304 (a middleware inside
/// [`super::auth::authenticate`], which provides the principal).
pub async fn revalidate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let tagged = (req.method() == Method::GET || req.method() == Method::HEAD)
        && path.starts_with("/api/v1/")
        && path != "/api/v1/tokens"
        && !path.starts_with("/api/v1/tokens/")
        && path != "/api/v1/metrics"
        && path != "/api/v1/disclosure-requests";
    let Some(who) = req.extensions().get::<Principal>().filter(|_| tagged) else {
        return next.run(req).await;
    };
    let tag = entity_tag(state.snapshot().revision, who, &req.uri().to_string());
    match if_none_match(req.headers(), &tag) {
        Some(Match::Tag) => return not_modified(tag),
        Some(Match::Any) => {
            // `*` matches any current answer: whether there is one, only the handler knows.
            let res = next.run(req).await;
            return if res.status() == StatusCode::OK && !no_store(&res) {
                not_modified(tag)
            } else {
                res
            };
        }
        None => {}
    }
    let mut res = next.run(req).await;
    if res.status() == StatusCode::OK && !no_store(&res) {
        let headers = res.headers_mut();
        headers.insert(header::ETAG, tag);
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
    }
    res
}

/// `W/"r<revision>-<16 hex digits>"`: the revision in the clear (handy when reading logs), and a
/// hash of the revision, who asked and the URI.
fn entity_tag(revision: u64, who: &Principal, uri: &str) -> HeaderValue {
    let mut hash = Sha256::new();
    // Lengths before the texts keep the fields apart whatever they contain.
    let role = who
        .role()
        .map_or("anonymous".to_string(), |r| format!("{r:?}"));
    for field in [revision.to_string().as_str(), &role, who.actor(), uri] {
        hash.update((field.len() as u64).to_le_bytes());
        hash.update(field.as_bytes());
    }
    let digest = hash.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"r{revision}-{hex}\"")).expect("an ASCII header value")
}

enum Match {
    /// The request names this tag.
    Tag,
    /// The request says `If-None-Match: *`.
    Any,
}

/// Whether `If-None-Match` holds `tag` (weak comparison, RFC 9110 §13.1.2: the `W/` prefix is
/// ignored on both sides) or `*`.
fn if_none_match(headers: &HeaderMap, tag: &HeaderValue) -> Option<Match> {
    let ours = opaque(tag.to_str().ok()?);
    let mut any = false;
    for item in headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
    {
        if item == "*" {
            any = true;
        } else if opaque(item) == ours {
            return Some(Match::Tag);
        }
    }
    any.then_some(Match::Any)
}

fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// 304 with no body and the headers a 200 would have had for caches (RFC 9110 §15.4.5).
fn not_modified(tag: HeaderValue) -> Response {
    let mut res = StatusCode::NOT_MODIFIED.into_response();
    let headers = res.headers_mut();
    headers.insert(header::ETAG, tag);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        let tag = HeaderValue::from_static("W/\"r3-00ff\"");
        let with = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            if_none_match(&h, &tag)
        };
        assert!(matches!(with("W/\"r3-00ff\""), Some(Match::Tag)));
        assert!(matches!(with("\"r3-00ff\""), Some(Match::Tag)));
        assert!(matches!(with("\"x\", W/\"r3-00ff\""), Some(Match::Tag)));
        assert!(matches!(with("*"), Some(Match::Any)));
        assert!(with("W/\"r2-00ff\"").is_none());
        assert!(if_none_match(&HeaderMap::new(), &tag).is_none());
    }
}

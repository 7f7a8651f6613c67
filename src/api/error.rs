//! `ApiError`: the one error type of the HTTP API and the only place that picks a status code.
//!
//! Every error body has the same shape: `{"code", "message", "details": [{"path", "code",
//! "message"}]}`, and when the details were cut to the first 1,000 also `"truncated": true` and
//! `"counts"` (the number of problems of each code found in all). Bad input is always a 4xx; a
//! 5xx logs its detail and sends only "internal error".

use crate::validate::{ErrorCode, Report, ValidationError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The JSON body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code, e.g. `not_found`, `invalid`, `malformed_json`.
    pub code: String,
    /// A human-readable message.
    pub message: String,
    /// For validation errors: one item per problem, with a JSON Pointer into the request body;
    /// at most the first 1,000 problems found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ValidationError>,
    /// Present (and true) only when more problems were found than `details` lists.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Present only with `truncated`: the number of problems of each code found in all, e.g.
    /// `{"missing_field": 3000000}`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = BTreeMap<String, u64>)]
    pub counts: BTreeMap<ErrorCode, usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON (details carry line and column).
    #[error("malformed JSON")]
    Malformed(Report),
    /// 400: a query parameter or path segment is not acceptable.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no token, or one that is unknown, wrong, expired or revoked (all alike).
    #[error("a valid API token is required (Authorization: Bearer <token>)")]
    Unauthorized,
    /// 403: the token's role or scope does not cover this request.
    #[error("this token's role does not allow this request")]
    Forbidden,
    /// 429: too many failed authentication attempts from this address.
    #[error("too many failed attempts; wait a minute")]
    TooManyAttempts,
    /// 429: this token sent more than its share (of quality notices) this minute; `Retry-After`
    /// says how many seconds to wait.
    #[error("too many requests from this token; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// 404: no record of this kind has this id.
    #[error("{kind} {id:?} not found")]
    NotFound { kind: &'static str, id: String },
    /// 404: a revision that does not exist (`unknown_revision`) or is no longer kept
    /// (`revision_not_kept`).
    #[error("{message}")]
    NoRevision { code: &'static str, message: String },
    /// 405: the route exists, but not with this method (the `Allow` header lists those it has).
    #[error("{method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },
    /// 409: the write conflicts with the current state (already exists, still referenced,
    /// a status change that is not allowed).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        details: Report,
    },
    /// 413: the body is larger than the configured limit.
    #[error("request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// 415: the body's `Content-Type` is not one the route reads (it names the type given).
    #[error("the body must be application/json, not {0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed JSON that breaks bundle format 1's rules.
    #[error("the document is invalid ({} problem{})", .0.total(), if .0.total() == 1 { "" } else { "s" })]
    Invalid(Report),
    /// 503: the computation did not finish within the request timeout.
    #[error("the request took longer than {0} ms")]
    Timeout(u64),
    /// 202: the answer is being computed (the work goes on after this answer) and nothing
    /// earlier can stand in for it; `Retry-After` says when to ask again. Never cached.
    #[error("the figures of the whole dataset are being computed; ask again in {retry_after} s")]
    Computing { retry_after: u64 },
    /// 500: logged with its detail; the client only sees "internal error".
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::TooManyAttempts | ApiError::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::NotFound { .. } | ApiError::NoRevision { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Computing { .. } => StatusCode::ACCEPTED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Malformed(_) => "malformed_json",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::TooManyAttempts => "too_many_attempts",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::NotFound { .. } => "not_found",
            ApiError::NoRevision { code, .. } => code,
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::TooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Invalid(_) => "invalid",
            ApiError::Timeout(_) => "timeout",
            ApiError::Computing { .. } => "computing",
            ApiError::Internal(_) => "internal",
        }
    }

    /// Splits validation errors into the right variant: malformed JSON is a 400, the rest 422.
    pub fn from_validation(errors: impl Into<Report>) -> ApiError {
        let report = errors.into();
        if report.counts().contains_key(&ErrorCode::MalformedJson) {
            ApiError::Malformed(report)
        } else {
            ApiError::Invalid(report)
        }
    }

    pub fn not_found(kind: &'static str, id: impl Into<String>) -> ApiError {
        ApiError::NotFound {
            kind,
            id: id.into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    /// An id the store refuses is bad input (422 `invalid_id`), never a 500: validation reports
    /// such ids with their path first, so this is the last line of defence.
    fn from(e: crate::store::StoreError) -> ApiError {
        match e {
            crate::store::StoreError::InvalidId { .. } => ApiError::Invalid(
                ValidationError::new(ErrorCode::InvalidId, "", e.to_string()).into(),
            ),
            e => ApiError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after } | ApiError::Computing { retry_after } => {
                Some(*retry_after)
            }
            _ => None,
        };
        let code = self.code().to_string();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error".to_string()
            }
            other => other.to_string(),
        };
        let report = match self {
            ApiError::Malformed(d) | ApiError::Invalid(d) => d,
            ApiError::Conflict { details, .. } => details,
            _ => Report::new(),
        };
        let truncated = report.truncated();
        let counts = if truncated {
            report.counts().clone()
        } else {
            BTreeMap::new()
        };
        let mut response = (
            status,
            Json(ErrorBody {
                code,
                message,
                details: report.into_errors(),
                truncated,
                counts,
            }),
        )
            .into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        if status == StatusCode::ACCEPTED {
            // Not the answer: no cache may keep it (and so it carries no ETag either).
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<crate::service::Error> for ApiError {
    fn from(e: crate::service::Error) -> ApiError {
        use crate::service::Error as E;
        match e {
            E::Malformed(d) => ApiError::Malformed(d),
            E::BadRequest(m) => ApiError::BadRequest(m),
            E::Forbidden => ApiError::Forbidden,
            E::NotFound { kind, id } => ApiError::NotFound { kind, id },
            E::NoRevision { code, message } => ApiError::NoRevision { code, message },
            E::Conflict {
                code,
                message,
                details,
            } => ApiError::Conflict {
                code,
                message,
                details,
            },
            E::Invalid(d) => ApiError::Invalid(d),
            E::Timeout(ms) => ApiError::Timeout(ms),
            E::Computing { retry_after } => ApiError::Computing { retry_after },
            E::Internal(m) => ApiError::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_the_store_refuses_is_a_422_not_a_500() {
        let refused = crate::store::StoreError::InvalidId {
            kind: "part",
            id: "a\u{0}b".into(),
            reason: "it contains a NUL character",
        };
        let e = ApiError::from(refused);
        assert_eq!(e.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        let ApiError::Invalid(report) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(report.errors()[0].code, ErrorCode::InvalidId);
        assert!(report.errors()[0].message.contains("part"), "{report}");
    }
}

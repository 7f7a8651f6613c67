//! `service::Error`: why the service refused or could not answer a request. It knows no HTTP;
//! `api::ApiError` maps each variant to a status code, the CLI to a message.

use crate::validate::{ErrorCode, Report, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The body is not JSON (details carry line and column).
    #[error("malformed JSON")]
    Malformed(Report),
    /// A parameter is not acceptable (a page number of 0, …).
    #[error("{0}")]
    BadRequest(String),
    /// The holder's role or scope does not cover the request. It is the same whether or not the
    /// thing asked for exists, so that a refusal says nothing about what exists.
    #[error("this token's role does not allow this request")]
    Forbidden,
    /// No record of this kind has this id (only said to those who may know).
    #[error("{kind} {id:?} not found")]
    NotFound { kind: &'static str, id: String },
    /// A revision that does not exist (`unknown_revision`) or can no longer be read
    /// (`revision_not_kept`).
    #[error("{message}")]
    NoRevision { code: &'static str, message: String },
    /// The write conflicts with the current state (already exists, still referenced, a status
    /// change that is not allowed).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        details: Report,
    },
    /// Well-formed input that breaks bundle format 1's rules.
    #[error("the document is invalid ({} problems)", .0.total())]
    Invalid(Report),
    /// The work did not finish within the request's time (a write checks before it commits).
    #[error("the request took longer than {0} ms")]
    Timeout(u64),
    /// A result being computed (started by this request or an earlier one, and going on), with
    /// nothing earlier to show meanwhile: ask again in `retry_after` seconds.
    #[error("the figures of the whole dataset are being computed; ask again in {retry_after} s")]
    Computing { retry_after: u64 },
    /// A fault of the service itself (the store failed, …).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Splits validation errors into the right variant: malformed JSON, or invalid content.
    pub fn from_validation(errors: impl Into<Report>) -> Error {
        let errors = errors.into();
        if errors.counts().contains_key(&ErrorCode::MalformedJson) {
            Error::Malformed(errors)
        } else {
            Error::Invalid(errors)
        }
    }

    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Error {
        Error::NotFound {
            kind,
            id: id.into(),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Error {
        Error::Internal(e.to_string())
    }

    /// One validation error at `path`, as a 422.
    pub fn invalid(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid(ValidationError::new(code, path, message).into())
    }
}

impl From<crate::store::StoreError> for Error {
    /// An id the store's keys cannot hold is bad input (validation should have caught it
    /// first); every other store error is the service's own fault.
    fn from(e: crate::store::StoreError) -> Error {
        match e {
            crate::store::StoreError::InvalidId { .. } => {
                Error::invalid(ErrorCode::InvalidId, "", e.to_string())
            }
            crate::store::StoreError::UnknownRevision { .. } => Error::NoRevision {
                code: "unknown_revision",
                message: e.to_string(),
            },
            crate::store::StoreError::NotKept { .. } => Error::NoRevision {
                code: "revision_not_kept",
                message: e.to_string(),
            },
            other => Error::Internal(other.to_string()),
        }
    }
}

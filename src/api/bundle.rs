//! Whole bundles: import (all or nothing, or a dry run that only validates) and export.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use crate::model::Bundle;
use crate::service::{ImportOptions, ImportOutcome};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_bundle))
        .routes(routes!(export_bundle))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Validate only; write nothing.
    #[serde(default)]
    dry_run: bool,
    /// Let the import move stored problems' statuses backward (reopen resolved problems);
    /// without it such an import is refused with 409 `invalid_transition`. Audited.
    #[serde(default)]
    override_status: bool,
    /// Mark the revision this import makes as a survey with this label (e.g. `2025年度调查`):
    /// at most 100 characters, no control characters.
    label: Option<String>,
    /// Make the file the whole picture of the chains it contains: their memberships, supplies
    /// and demand problems that the file lacks are removed in the same revision (organization
    /// records stay; resolved problems are kept). Without it, an import only upserts.
    #[serde(default)]
    replace: bool,
}

/// Import a bundle (format 1): upsert by id, all or nothing. With `dry_run=true`, only validate.
/// With `label`, the revision is a survey; with `replace=true`, the file replaces what the store
/// holds on its chains (a yearly survey). Records written again unchanged are not counted.
/// A stored problem's status only moves forward unless `override_status=true`. Admin tokens only.
/// The body is JSON: a `Content-Type` other than `application/json` (with or without a charset)
/// is refused with 415; none at all is read as JSON.
#[utoipa::path(post, path = "/api/v1/import", tag = "bundle", params(ImportParams),
    request_body(content = Bundle, content_type = "application/json"),
    responses((status = 200, body = ImportOutcome), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_bundle(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    params: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportOutcome>, ApiError> {
    who.require(who.is_admin())?;
    json_content_type(&headers)?;
    let params = super::query(params)?;
    let bytes = body.map_err(|r| super::body_rejection(r, &state))?;
    let options = ImportOptions {
        dry_run: params.dry_run,
        replace: params.replace,
    };
    let label = params.label;
    let outcome = state
        .write(who.note(), params.override_status, move |service, how| {
            let note = how.note.clone().labelled(label);
            service.import(&bytes, options, how.noted(note))
        })
        .await?;
    Ok(Json(outcome))
}

/// Accepts no `Content-Type`, or `application/json` with any parameters (`; charset=utf-8`);
/// anything else (every value, when the header is given more than once) is a 415.
fn json_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    for value in headers.get_all(CONTENT_TYPE) {
        let media_type = value
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .map(str::trim);
        if !media_type.is_some_and(|t| t.eq_ignore_ascii_case("application/json")) {
            let given = String::from_utf8_lossy(value.as_bytes());
            return Err(ApiError::UnsupportedMediaType(format!("{given:?}")));
        }
    }
    Ok(())
}

/// Export the whole store as one bundle (format 1). Admin tokens only.
#[utoipa::path(get, path = "/api/v1/export", tag = "bundle",
    responses((status = 200, body = Bundle)))]
async fn export_bundle(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<axum::response::Response, ApiError> {
    who.require(who.is_admin())?;
    let bytes = state
        .read(|snap| {
            serde_json::to_vec(&snap.dataset.to_bundle()).map_err(crate::service::Error::internal)
        })
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response())
}

use axum::response::IntoResponse;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(CONTENT_TYPE, HeaderValue::from_static(v));
        }
        headers
    }

    #[test]
    fn an_import_body_is_json_or_untyped() {
        for ok in [
            &[][..],
            &["application/json"],
            &["application/json;charset=UTF-8"],
            &[" APPLICATION/JSON ; charset=utf-8"],
        ] {
            assert!(json_content_type(&with(ok)).is_ok(), "{ok:?}");
        }
        for refused in [
            &["text/plain"][..],
            &["application/json-seq"],
            &[""],
            &["application/json", "text/csv"],
        ] {
            let e = json_content_type(&with(refused)).unwrap_err();
            assert_eq!(
                e.status_code(),
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE
            );
        }
    }
}

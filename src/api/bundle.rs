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
/// The body is JSON, or a survey workbook (`qmap template`) with the XLSX content type, or a zip
/// of its sheets as CSV files with `application/zip`; errors of a workbook also name their cell
/// (`cell`: `问题!F17`). Any other `Content-Type` is refused with 415; none at all is read as
/// JSON.
#[utoipa::path(post, path = "/api/v1/import", tag = "bundle", params(ImportParams),
    request_body(content(
        (Bundle = "application/json"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("application/zip"))),
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
    let sheet = import_content_type(&headers)?;
    let params = super::query(params)?;
    let mut bytes = body.map_err(|r| super::body_rejection(r, &state))?;
    // A workbook becomes the JSON of a bundle, with the map of its cells for the errors.
    let mut cells = None;
    if let Some(input) = sheet {
        let (json, map) = crate::sheet::read_bytes(&bytes, input)
            .and_then(|workbook| crate::sheet::to_json(&workbook))
            .map_err(ApiError::Invalid)?;
        bytes = Bytes::from(json);
        cells = Some(map);
    }
    // Cells with errors of their own were left out of the bundle: it is only validated, so
    // that every error is reported at once, and refused.
    let cell_errors = cells.as_ref().is_some_and(|m| m.has_errors());
    let options = ImportOptions {
        dry_run: params.dry_run || cell_errors,
        replace: params.replace,
    };
    let label = params.label;
    let outcome = state
        .write(who.note(), params.override_status, move |service, how| {
            let note = how.note.clone().labelled(label);
            service.import(&bytes, options, how.noted(note))
        })
        .await;
    let Some(map) = cells else {
        return Ok(Json(outcome?));
    };
    match outcome {
        Ok(_) if cell_errors => Err(ApiError::Invalid(map.locate(Default::default()))),
        Ok(outcome) => Ok(Json(outcome)),
        Err(ApiError::Invalid(report) | ApiError::Malformed(report)) => {
            Err(ApiError::Invalid(map.locate(report)))
        }
        Err(ApiError::Conflict {
            code,
            message,
            details,
        }) if !cell_errors => Err(ApiError::Conflict {
            code,
            message,
            details: map.locate_only(details),
        }),
        Err(ApiError::Conflict { details, .. }) => Err(ApiError::Invalid(map.locate(details))),
        Err(other) => Err(other),
    }
}

/// The media type of a workbook (`.xlsx`).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an import body is: JSON (`None`), or a workbook or zip of CSV files.
fn import_content_type(headers: &HeaderMap) -> Result<Option<crate::sheet::Input>, ApiError> {
    let media_type = |value: &axum::http::HeaderValue| {
        value
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
    };
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    if let (Some(value), None) = (values.next(), values.next()) {
        match media_type(value).as_deref() {
            Some(XLSX) => return Ok(Some(crate::sheet::Input::Xlsx)),
            Some("application/zip") => return Ok(Some(crate::sheet::Input::CsvZip)),
            _ => {}
        }
    }
    json_content_type(headers).map(|()| None)
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

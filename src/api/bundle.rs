//! Whole bundles: import (all or nothing, or a dry run that only validates) and export.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use crate::model::Bundle;
use crate::service::ImportOutcome;
use axum::body::Bytes;
use axum::extract::{Query, State};
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
}

/// Import a bundle (format 1): upsert by id, all or nothing. With `dry_run=true`, only validate.
/// A stored problem's status only moves forward unless `override_status=true`. Admin tokens only.
#[utoipa::path(post, path = "/api/v1/import", tag = "bundle", params(ImportParams),
    request_body(content = Bundle, content_type = "application/json"),
    responses((status = 200, body = ImportOutcome), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_bundle(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    params: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportOutcome>, ApiError> {
    who.require(who.is_admin())?;
    let params = super::query(params)?;
    let bytes = body.map_err(|r| super::body_rejection(r, &state))?;
    let dry_run = params.dry_run;
    let outcome = state
        .write(params.override_status, move |service, how| {
            service.import(&bytes, dry_run, how)
        })
        .await?;
    Ok(Json(outcome))
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

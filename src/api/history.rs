//! Revisions and surveys: the list of revisions, what changed on a chain between two, and a
//! chain's key figures at every survey. (Every chain read also takes `?revision=N`: see
//! `chains::AtRevision`.)

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{query, ApiPath};
use crate::model::Revision;
use crate::service::history::{ChainChangesReport, HistoryPoint};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_revisions))
        .routes(routes!(get_chain_changes))
        .routes(routes!(get_chain_history))
}

/// Every revision, oldest first: number, time, survey label, who wrote it (admins only), and how
/// many records of each kind it added, changed and removed. Labelled revisions are the surveys.
/// Revisions written before history was kept are not listed.
#[utoipa::path(get, path = "/api/v1/revisions", tag = "surveys",
    responses((status = 200, body = Vec<Revision>)))]
async fn list_revisions(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Json<Vec<Revision>>, ApiError> {
    let service = state.service().clone();
    state
        .blocking(move || service.revisions(&who))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// The earlier revision (default: the survey before `to`).
    from: Option<u64>,
    /// The later revision (default: the latest survey, or the current revision when there is no
    /// survey). `from` after `to` is allowed: the changes then read backwards (joined and left
    /// swap, and so on).
    to: Option<u64>,
}

/// What changed on a chain between two revisions (by default the latest two surveys): firms
/// that joined, left or moved; supplies added and removed; problems opened, resolved and changed;
/// critical nodes, single-source and foreign-only parts that appeared and disappeared; coverage at
/// both. An enterprise sees only what touches itself and its upstream; a planner only the
/// figures (`summary`, `coverage`). 404 `unknown_revision` for a revision after the latest,
/// `revision_not_kept` for one whose history is gone, `no_earlier_survey` when `from` is left
/// out and there is no survey before `to`.
#[utoipa::path(get, path = "/api/v1/chains/{id}/changes", tag = "surveys",
    params(("id" = String, Path, description = "Chain id"), ChangesParams),
    responses((status = 200, body = ChainChangesReport), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn get_chain_changes(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    params: Result<Query<ChangesParams>, QueryRejection>,
) -> Result<Json<ChainChangesReport>, ApiError> {
    let params = query(params)?;
    let service = state.service().clone();
    state
        .blocking(move || service.chain_changes(&who, &id, params.from, params.to))
        .await
        .map(Json)
}

/// A chain's key figures at every survey, oldest first: firms, masters, critical nodes,
/// single-source and foreign-only parts, demand problems, needs and coverage.
#[utoipa::path(get, path = "/api/v1/chains/{id}/history", tag = "surveys",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = Vec<HistoryPoint>), (status = 404, body = ErrorBody)))]
async fn get_chain_history(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<HistoryPoint>>, ApiError> {
    let service = state.service().clone();
    state
        .blocking(move || service.chain_history(&who, &id))
        .await
        .map(Json)
}

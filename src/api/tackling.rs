//! The quality work's questions: what no project tackles yet, how the yearly goals stand, which
//! policy tools reach each gap (政策工具清单), and what the consortia cover. Roles are
//! `service::tackling`'s to say.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{query, ApiPath};
use crate::analysis::work::{ConsortiaReport, GoalsProgress, PolicyToolList, UntackledList};
use crate::service::tackling;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_untackled))
        .routes(routes!(get_goals_progress))
        .routes(routes!(get_policy_tools))
        .routes(routes!(get_consortia))
}

/// What no live project (status not cancelled or completed) tackles on a chain: demand problems,
/// critical nodes holding demand problems, and common needs (a capability needed by three or
/// more of the chain's firms) without a live common-technology project. Planners get the counts.
#[utoipa::path(get, path = "/api/v1/chains/{id}/untackled", tag = "work",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = UntackledList), (status = 404, body = ErrorBody)))]
async fn get_untackled(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<UntackledList>, ApiError> {
    state
        .read(move |snap| tackling::untackled_of(snap, &who, &id))
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressParams {
    /// Only goals whose region and this one are prefixes of each other (`32`, `3205`).
    region: Option<String>,
    /// Only goals of this year.
    #[param(minimum = 1990, maximum = 2100)]
    year: Option<u16>,
}

/// Progress of the yearly goals (年度目标): per goal and project category, the target and the
/// projects that count (that year's projects, not proposed or cancelled, led by an organization
/// in the goal's region), the share of completed ones at international level, and whether each
/// line and the goal are met.
#[utoipa::path(get, path = "/api/v1/goals/progress", tag = "work", params(ProgressParams),
    responses((status = 200, body = GoalsProgress), (status = 400, body = ErrorBody)))]
async fn get_goals_progress(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    params: Result<Query<ProgressParams>, QueryRejection>,
) -> Result<Json<GoalsProgress>, ApiError> {
    let p = query(params)?;
    state
        .read(move |snap| tackling::goals_progress_of(snap, &who, p.region.as_deref(), p.year))
        .await
        .map(Json)
}

/// The policy-tool list (政策工具清单) of a chain: each infrastructure and capacity gap (by code,
/// element and the firm's region) with the policy tools that apply to it, and `uncovered`: the
/// gaps no tool addresses (政策缺口). Planners get it without firms and problems.
#[utoipa::path(get, path = "/api/v1/chains/{id}/policy-tools", tag = "work",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = PolicyToolList), (status = 404, body = ErrorBody)))]
async fn get_policy_tools(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PolicyToolList>, ApiError> {
    state
        .read(move |snap| tackling::policy_tools_of(snap, &who, &id))
        .await
        .map(Json)
}

/// The consortia (质量创新联合体) of a chain: members, the chain's needs of member firms that
/// member providers can take, and the critical nodes no consortium provider can help. An
/// enterprise sees the consortia it belongs to and its own needs; a planner no needs.
#[utoipa::path(get, path = "/api/v1/chains/{id}/consortia", tag = "work",
    params(("id" = String, Path, description = "Chain id")),
    responses((status = 200, body = ConsortiaReport), (status = 404, body = ErrorBody)))]
async fn get_consortia(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConsortiaReport>, ApiError> {
    state
        .read(move |snap| tackling::consortia_of(snap, &who, &id))
        .await
        .map(Json)
}

//! The records of the quality work (一图三清单): tackling projects, consortia, policy tools and
//! yearly goals — lists with filters and pages, and one record's get, create, replace and
//! delete. Each write is validated like an import, applied atomically (a new revision each) and
//! audited; who reads and writes what is `service::work`'s to say.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::records::{created_or_replaced, id_mismatch, relative_to};
use super::state::AppState;
use super::{query, record_body, ApiPath, Written};
use crate::model::{Consortium, Goal, PolicyTool, Project};
use crate::service::records::Mode;
use crate::service::work::{
    self, ConsortiumFilter, ConsortiumPage, GoalFilter, GoalPage, PolicyToolFilter, PolicyToolPage,
    ProjectFilter, ProjectPage, WorkRecord,
};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, put_project, delete_project))
        .routes(routes!(list_consortia, create_consortium))
        .routes(routes!(get_consortium, put_consortium, delete_consortium))
        .routes(routes!(list_policy_tools, create_policy_tool))
        .routes(routes!(
            get_policy_tool,
            put_policy_tool,
            delete_policy_tool
        ))
        .routes(routes!(list_goals, create_goal))
        .routes(routes!(get_goal, put_goal, delete_goal))
}

/// One record as the holder sees it.
fn read_one<T: WorkRecord>(
    state: &AppState,
    who: &Principal,
    id: &str,
) -> Result<Json<T>, ApiError> {
    Ok(Json(work::get::<T>(&state.snapshot(), who, id)?))
}

/// Creates a record sent on its own; `at` is where a bundle would hold it (`/projects/0`), so
/// that the paths of what is wrong are relative to the body.
async fn create<T: WorkRecord + crate::validate::Record>(
    state: AppState,
    who: Principal,
    body: Result<Bytes, BytesRejection>,
    at: &'static str,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    work::may_write(&who, T::KIND)?;
    let record: T = record_body(body, &state)?;
    let id = record.id().to_string();
    let (revision, _) = state
        .write(who.note(), false, move |service, how| {
            work::put(service, &who, how, record, Mode::Create)
        })
        .await
        .map_err(relative_to(at))?;
    Ok((StatusCode::CREATED, Json(Written { id, revision })))
}

/// Creates or replaces the record `id` with the one sent (whose id must be `id`).
async fn replace<T: WorkRecord + crate::validate::Record>(
    state: AppState,
    who: Principal,
    id: String,
    body: Result<Bytes, BytesRejection>,
    at: &'static str,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    work::may_write(&who, T::KIND)?;
    let record: T = record_body(body, &state)?;
    if record.id() != id {
        return Err(id_mismatch(&id, record.id()));
    }
    let (revision, existed) = state
        .write(who.note(), false, move |service, how| {
            work::put(service, &who, how, record, Mode::Upsert)
        })
        .await
        .map_err(relative_to(at))?;
    Ok((created_or_replaced(existed), Json(Written { id, revision })))
}

/// Deletes the record `id`; `at` is where a change names the deletion (`/delete_consortia/0`).
async fn remove<T: WorkRecord>(
    state: AppState,
    who: Principal,
    id: String,
    at: &'static str,
) -> Result<StatusCode, ApiError> {
    work::may_write(&who, T::KIND)?;
    state
        .write(who.note(), false, move |service, how| {
            work::delete::<T>(service, &who, how, id)
        })
        .await
        .map_err(relative_to(at))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The projects the token reads (重点项目清单), filtered and paginated: latest year first, then by id, with counts by status and category over all pages. An enterprise lists the projects it leads or takes part in, with only its own problems; a planner every project without its problems.
#[utoipa::path(get, path = "/api/v1/projects", tag = "work", params(ProjectFilter),
    responses((status = 200, body = ProjectPage), (status = 400, body = ErrorBody)))]
async fn list_projects(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    filter: Result<Query<ProjectFilter>, QueryRejection>,
) -> Result<Json<ProjectPage>, ApiError> {
    let f = query(filter)?;
    state
        .read(move |snap| work::projects(snap, &who, f))
        .await
        .map(Json)
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "work",
    params(("id" = String, Path, description = "Project id")),
    responses((status = 200, body = Project), (status = 404, body = ErrorBody)))]
async fn get_project(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Project>, ApiError> {
    read_one(&state, &who, &id)
}

/// Create a project; 409 `already_exists` if the id is taken.
#[utoipa::path(post, path = "/api/v1/projects", tag = "work", request_body = Project,
    responses((status = 201, body = Written), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_project(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    create::<Project>(state, who, body, "/projects/0").await
}

/// Create or replace a project. Its status may change in any direction (a cancelled project
/// revived, a completed one reopened); `level` only on a completed project
/// (`level_before_completion`), so a project leaving `completed` drops its level.
#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "work",
    params(("id" = String, Path, description = "Project id")), request_body = Project,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_project(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    replace::<Project>(state, who, id, body, "/projects/0").await
}

/// Delete a project.
#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = "work",
    params(("id" = String, Path, description = "Project id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_project(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    remove::<Project>(state, who, id, "/delete_projects/0").await
}

/// The consortia the token reads (质量创新联合体), filtered and paginated by id. An enterprise lists those it leads or is a member of.
#[utoipa::path(get, path = "/api/v1/consortia", tag = "work", params(ConsortiumFilter),
    responses((status = 200, body = ConsortiumPage), (status = 400, body = ErrorBody)))]
async fn list_consortia(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    filter: Result<Query<ConsortiumFilter>, QueryRejection>,
) -> Result<Json<ConsortiumPage>, ApiError> {
    let f = query(filter)?;
    state
        .read(move |snap| work::consortia(snap, &who, f))
        .await
        .map(Json)
}

/// One consortium.
#[utoipa::path(get, path = "/api/v1/consortia/{id}", tag = "work",
    params(("id" = String, Path, description = "Consortium id")),
    responses((status = 200, body = Consortium), (status = 404, body = ErrorBody)))]
async fn get_consortium(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Consortium>, ApiError> {
    read_one(&state, &who, &id)
}

/// Create a consortium; 409 `already_exists` if the id is taken.
#[utoipa::path(post, path = "/api/v1/consortia", tag = "work", request_body = Consortium,
    responses((status = 201, body = Written), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_consortium(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    create::<Consortium>(state, who, body, "/consortia/0").await
}

/// Create or replace a consortium.
#[utoipa::path(put, path = "/api/v1/consortia/{id}", tag = "work",
    params(("id" = String, Path, description = "Consortium id")), request_body = Consortium,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_consortium(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    replace::<Consortium>(state, who, id, body, "/consortia/0").await
}

/// Delete a consortium; 409 `still_referenced` while a project names it.
#[utoipa::path(delete, path = "/api/v1/consortia/{id}", tag = "work",
    params(("id" = String, Path, description = "Consortium id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_consortium(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    remove::<Consortium>(state, who, id, "/delete_consortia/0").await
}

/// The policy tools (政策工具清单), filtered and paginated: latest year first, then by id. Every token reads them.
#[utoipa::path(get, path = "/api/v1/policy-tools", tag = "work", params(PolicyToolFilter),
    responses((status = 200, body = PolicyToolPage), (status = 400, body = ErrorBody)))]
async fn list_policy_tools(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    filter: Result<Query<PolicyToolFilter>, QueryRejection>,
) -> Result<Json<PolicyToolPage>, ApiError> {
    let f = query(filter)?;
    state
        .read(move |snap| work::policy_tools(snap, &who, f))
        .await
        .map(Json)
}

/// One policy tool.
#[utoipa::path(get, path = "/api/v1/policy-tools/{id}", tag = "work",
    params(("id" = String, Path, description = "Policy tool id")),
    responses((status = 200, body = PolicyTool), (status = 404, body = ErrorBody)))]
async fn get_policy_tool(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PolicyTool>, ApiError> {
    read_one(&state, &who, &id)
}

/// Create a policy tool; 409 `already_exists` if the id is taken.
#[utoipa::path(post, path = "/api/v1/policy-tools", tag = "work", request_body = PolicyTool,
    responses((status = 201, body = Written), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_policy_tool(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    create::<PolicyTool>(state, who, body, "/policy_tools/0").await
}

/// Create or replace a policy tool.
#[utoipa::path(put, path = "/api/v1/policy-tools/{id}", tag = "work",
    params(("id" = String, Path, description = "Policy tool id")), request_body = PolicyTool,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_policy_tool(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    replace::<PolicyTool>(state, who, id, body, "/policy_tools/0").await
}

/// Delete a policy tool.
#[utoipa::path(delete, path = "/api/v1/policy-tools/{id}", tag = "work",
    params(("id" = String, Path, description = "Policy tool id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_policy_tool(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    remove::<PolicyTool>(state, who, id, "/delete_policy_tools/0").await
}

/// The yearly goals (年度目标), filtered and paginated: latest year first, then by region and id. Every token reads them.
#[utoipa::path(get, path = "/api/v1/goals", tag = "work", params(GoalFilter),
    responses((status = 200, body = GoalPage), (status = 400, body = ErrorBody)))]
async fn list_goals(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    filter: Result<Query<GoalFilter>, QueryRejection>,
) -> Result<Json<GoalPage>, ApiError> {
    let f = query(filter)?;
    state
        .read(move |snap| work::goals(snap, &who, f))
        .await
        .map(Json)
}

/// One goal.
#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "work",
    params(("id" = String, Path, description = "Goal id")),
    responses((status = 200, body = Goal), (status = 404, body = ErrorBody)))]
async fn get_goal(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Goal>, ApiError> {
    read_one(&state, &who, &id)
}

/// Create a goal; 409 `already_exists` if the id is taken.
#[utoipa::path(post, path = "/api/v1/goals", tag = "work", request_body = Goal,
    responses((status = 201, body = Written), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_goal(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    create::<Goal>(state, who, body, "/goals/0").await
}

/// Create or replace a goal.
#[utoipa::path(put, path = "/api/v1/goals/{id}", tag = "work",
    params(("id" = String, Path, description = "Goal id")), request_body = Goal,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_goal(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    replace::<Goal>(state, who, id, body, "/goals/0").await
}

/// Delete a goal.
#[utoipa::path(delete, path = "/api/v1/goals/{id}", tag = "work",
    params(("id" = String, Path, description = "Goal id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_goal(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    remove::<Goal>(state, who, id, "/delete_goals/0").await
}

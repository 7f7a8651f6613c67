//! Single records: organizations, supplies and problems — get, create/replace, delete, and a
//! problem's status change. Each write is validated like an import and applied atomically.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{json_body, record_body, ApiPath, Written};
use crate::model::{Organization, Problem, Status, Supply};
use crate::service::records::{self, may_write, supply_label, Kind, Mode};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_organization))
        .routes(routes!(
            get_organization,
            put_organization,
            delete_organization
        ))
        .routes(routes!(get_supply, put_supply, delete_supply))
        .routes(routes!(create_problem))
        .routes(routes!(get_problem, put_problem, delete_problem))
        .routes(routes!(set_problem_status))
}

/// Replaces one record: 201 when it is new, 200 when it replaced one.
pub(super) fn created_or_replaced(existed: bool) -> StatusCode {
    if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    }
}

pub(super) fn id_mismatch(path_id: &str, body_id: &str) -> ApiError {
    ApiError::Invalid(
        crate::validate::ValidationError::new(
            crate::validate::ErrorCode::IdMismatch,
            "/id",
            format!("the body's id {body_id:?} differs from the path's id {path_id:?}"),
        )
        .into(),
    )
}

/// A record sent on its own is checked as a one-record change. The paths of what is wrong are
/// made relative to the request body (`/organizations/0/chains/0/chain` → `/chains/0/chain`), and
/// a delete's (`/delete_organizations/0`) to the record its URL names (`""`).
pub(super) fn relative_to(prefix: &'static str) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::Invalid(details) => ApiError::Invalid(strip_prefix(details, prefix)),
        ApiError::Conflict {
            code,
            message,
            details,
        } => ApiError::Conflict {
            code,
            message,
            details: strip_prefix(details, prefix),
        },
        other => other,
    }
}

fn strip_prefix(mut details: crate::validate::Report, prefix: &str) -> crate::validate::Report {
    for d in details.errors_mut() {
        if let Some(rest) = d.path.strip_prefix(prefix) {
            if rest.is_empty() || rest.starts_with('/') {
                d.path = rest.to_string();
            }
        }
    }
    details
}

/// One organization.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "records",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Organization), (status = 404, body = ErrorBody)))]
async fn get_organization(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organization>, ApiError> {
    let snap = state.snapshot();
    Ok(Json(records::organization(&snap, &who, &id)?))
}

/// Create an organization; 409 if the id is taken.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "records",
    request_body = Organization,
    responses((status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_organization(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    may_write(&who, Kind::Organization)?;
    let org: Organization = record_body(body, &state)?;
    let id = org.id.clone();
    let (revision, _) = state
        .write(who.note(), false, move |service, how| {
            records::put_organization(service, &who, how, org, Mode::Create)
        })
        .await
        .map_err(relative_to("/organizations/0"))?;
    Ok((StatusCode::CREATED, Json(Written { id, revision })))
}

/// Create or replace an organization.
#[utoipa::path(put, path = "/api/v1/organizations/{id}", tag = "records",
    params(("id" = String, Path, description = "Organization id")),
    request_body = Organization,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_organization(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    may_write(&who, Kind::Organization)?;
    let org: Organization = record_body(body, &state)?;
    if org.id != id {
        return Err(id_mismatch(&id, &org.id));
    }
    let (revision, existed) = state
        .write(who.note(), false, move |service, how| {
            records::put_organization(service, &who, how, org, Mode::Upsert)
        })
        .await
        .map_err(relative_to("/organizations/0"))?;
    Ok((created_or_replaced(existed), Json(Written { id, revision })))
}

/// Delete an organization; 409 while supplies or problems still refer to it.
#[utoipa::path(delete, path = "/api/v1/organizations/{id}", tag = "records",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_organization(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .write(who.note(), false, move |service, how| {
            records::delete_organization(service, &who, how, id)
        })
        .await
        .map_err(relative_to("/delete_organizations/0"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A supply is identified by all four of its fields.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupplyKey {
    /// Chain id.
    chain: String,
    /// Supplier id.
    from: String,
    /// Customer id.
    to: String,
    /// Part name.
    part: String,
}

impl SupplyKey {
    fn into_supply(self) -> Supply {
        Supply {
            chain: self.chain,
            supplier: self.from,
            customer: self.to,
            part: self.part,
        }
    }
}

/// One supply, by chain, from, to and part.
#[utoipa::path(get, path = "/api/v1/supplies", tag = "records", params(SupplyKey),
    responses((status = 200, body = Supply), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_supply(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    key: Result<Query<SupplyKey>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Supply>, ApiError> {
    let supply = super::query(key)?.into_supply();
    Ok(Json(records::supply(&state.snapshot(), &who, supply)?))
}

/// Create a supply (idempotent: a supply has no fields beyond its key).
#[utoipa::path(put, path = "/api/v1/supplies", tag = "records", request_body = Supply,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_supply(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    may_write(&who, Kind::Supply)?;
    let supply: Supply = record_body(body, &state)?;
    let id = supply_label(&supply);
    let (revision, existed) = state
        .write(who.note(), false, move |service, how| {
            records::put_supply(service, &who, how, supply)
        })
        .await
        .map_err(relative_to("/supplies/0"))?;
    Ok((created_or_replaced(existed), Json(Written { id, revision })))
}

/// Delete a supply.
#[utoipa::path(delete, path = "/api/v1/supplies", tag = "records", params(SupplyKey),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_supply(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    key: Result<Query<SupplyKey>, axum::extract::rejection::QueryRejection>,
) -> Result<StatusCode, ApiError> {
    let supply = super::query(key)?.into_supply();
    state
        .write(who.note(), false, move |service, how| {
            records::delete_supply(service, &who, how, supply)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One problem.
#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "records",
    params(("id" = String, Path, description = "Problem id")),
    responses((status = 200, body = Problem), (status = 404, body = ErrorBody)))]
async fn get_problem(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Problem>, ApiError> {
    Ok(Json(records::problem(&state.snapshot(), &who, &id)?))
}

/// Create a problem; 409 if the id is taken.
#[utoipa::path(post, path = "/api/v1/problems", tag = "records", request_body = Problem,
    responses((status = 201, body = Written), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_problem(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    may_write(&who, Kind::Problem)?;
    let problem: Problem = record_body(body, &state)?;
    let id = problem.id.clone();
    let (revision, _) = state
        .write(who.note(), false, move |service, how| {
            records::put_problem(service, &who, how, problem, Mode::Create)
        })
        .await
        .map_err(relative_to("/problems/0"))?;
    Ok((StatusCode::CREATED, Json(Written { id, revision })))
}

/// Create or replace a problem. A stored problem's status only moves forward (open →
/// in_progress → resolved) unless `override_status=true` (admins and regulators; audited):
/// 409 `invalid_transition` otherwise.
#[utoipa::path(put, path = "/api/v1/problems/{id}", tag = "records",
    params(("id" = String, Path, description = "Problem id"), Override), request_body = Problem,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_problem(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    over: Result<Query<Override>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    may_write(&who, Kind::Problem)?;
    let over = super::query(over)?.override_status;
    let problem: Problem = record_body(body, &state)?;
    if problem.id != id {
        return Err(id_mismatch(&id, &problem.id));
    }
    let (revision, existed) = state
        .write(who.note(), over, move |service, how| {
            records::put_problem(service, &who, how, problem, Mode::Upsert)
        })
        .await
        .map_err(relative_to("/problems/0"))?;
    Ok((created_or_replaced(existed), Json(Written { id, revision })))
}

/// Delete a problem. A resolved problem is kept (409 `invalid_transition`) unless
/// `override_status=true` (admins and regulators; audited).
#[utoipa::path(delete, path = "/api/v1/problems/{id}", tag = "records",
    params(("id" = String, Path, description = "Problem id"), Override),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn delete_problem(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    over: Result<Query<Override>, axum::extract::rejection::QueryRejection>,
) -> Result<StatusCode, ApiError> {
    let over = super::query(over)?.override_status;
    state
        .write(who.note(), over, move |service, how| {
            records::delete_problem(service, &who, how, id)
        })
        .await
        .map_err(relative_to("/delete_problems/0"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?override_status=true`: let this write move a problem's status backward or delete a
/// resolved problem (admins and regulators of the chain only; audited).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Override {
    /// Allow reopening (or deleting) a resolved problem.
    #[serde(default)]
    pub override_status: bool,
}

/// The new status of a problem.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: Status,
}

/// Change a problem's status: open → in_progress → resolved (forward only; 409 otherwise).
#[utoipa::path(post, path = "/api/v1/problems/{id}/status", tag = "records",
    params(("id" = String, Path, description = "Problem id")), request_body = StatusChange,
    responses((status = 200, body = Problem), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_problem_status(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Problem>, ApiError> {
    may_write(&who, Kind::Problem)?;
    let change: StatusChange = json_body(body, &state)?;
    let problem = state
        .write(who.note(), false, move |service, how| {
            records::set_problem_status(service, &who, how, id, change.status)
        })
        .await?;
    Ok(Json(problem))
}

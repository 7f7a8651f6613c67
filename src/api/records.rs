//! Single records: organizations, supplies and problems — get, create/replace, delete, and a
//! problem's status change. Each write is validated like an import and applied atomically.

use super::auth::Principal;
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{json_body, record_body, ApiPath, Written};
use crate::model::{Bundle, ChangeSet, Organization, Problem, Status, Supply};
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
fn created_or_replaced(existed: bool) -> StatusCode {
    if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    }
}

fn id_mismatch(path_id: &str, body_id: &str) -> ApiError {
    ApiError::Invalid(
        crate::validate::ValidationError {
            code: crate::validate::ErrorCode::IdMismatch,
            path: "/id".into(),
            message: format!("the body's id {body_id:?} differs from the path's id {path_id:?}"),
            line: None,
            column: None,
        }
        .into(),
    )
}

/// A record sent on its own is checked as a one-record change. The paths of what is wrong are
/// made relative to the request body (`/organizations/0/chains/0/chain` → `/chains/0/chain`), and
/// a delete's (`/delete_organizations/0`) to the record its URL names (`""`).
fn relative_to(prefix: &'static str) -> impl Fn(ApiError) -> ApiError {
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

fn already_exists(kind: &'static str, id: &str) -> ApiError {
    ApiError::Conflict {
        code: "already_exists",
        message: format!("{kind} {id:?} already exists"),
        details: Default::default(),
    }
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
    who.require(who.reads_organization(&snap.dataset, &id))?;
    snap.dataset
        .organizations
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("organization", id))
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
    let org: Organization = record_body(body, &state)?;
    let id = org.id.clone();
    let (revision, ()) = state
        .write(move |data| {
            let old = data.organizations.get(&org.id);
            who.require(who.writes_organization(old, Some(&org)))?;
            if old.is_some() {
                return Err(already_exists("organization", &org.id));
            }
            Ok((upsert_org(org), ()))
        })
        .await
        .map_err(relative_to("/organizations/0"))?;
    Ok((StatusCode::CREATED, Json(Written { id, revision })))
}

fn upsert_org(org: Organization) -> ChangeSet {
    ChangeSet::upsert(Bundle {
        organizations: vec![org],
        ..Bundle::new()
    })
}

/// Create or replace an organization.
#[utoipa::path(put, path = "/api/v1/organizations/{id}", tag = "records",
    params(("id" = String, Path, description = "Organization id")),
    request_body = Organization,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_organization(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    let org: Organization = record_body(body, &state)?;
    if org.id != id {
        return Err(id_mismatch(&id, &org.id));
    }
    let (revision, existed) = state
        .write(move |data| {
            let old = data.organizations.get(&org.id);
            who.require(who.writes_organization(old, Some(&org)))?;
            Ok((upsert_org(org), old.is_some()))
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
        .write(move |data| {
            let Some(old) = data.organizations.get(&id) else {
                return Err(who.not_found("organization", id));
            };
            who.require(who.writes_organization(Some(old), None))?;
            let change = ChangeSet {
                delete_organizations: vec![id],
                ..ChangeSet::default()
            };
            Ok((change, ()))
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
    who.require_chain(&supply.chain)?;
    if state.snapshot().dataset.supplies.contains(&supply) {
        Ok(Json(supply))
    } else {
        Err(ApiError::not_found("supply", supply_label(&supply)))
    }
}

fn supply_label(s: &Supply) -> String {
    format!("{}: {} → {} ({})", s.chain, s.supplier, s.customer, s.part)
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
    let supply: Supply = record_body(body, &state)?;
    who.require(who.writes_chain(&supply.chain))?;
    let id = supply_label(&supply);
    let (revision, existed) = state
        .write(move |data| {
            let existed = data.supplies.contains(&supply);
            let change = ChangeSet::upsert(Bundle {
                supplies: vec![supply],
                ..Bundle::new()
            });
            Ok((change, existed))
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
    who.require(who.writes_chain(&supply.chain))?;
    state
        .write(move |data| {
            if !data.supplies.contains(&supply) {
                return Err(ApiError::not_found("supply", supply_label(&supply)));
            }
            let change = ChangeSet {
                delete_supplies: vec![supply],
                ..ChangeSet::default()
            };
            Ok((change, ()))
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
    let snap = state.snapshot();
    let problem = snap
        .dataset
        .problems
        .get(&id)
        .ok_or_else(|| who.not_found("problem", id.clone()))?;
    who.require(who.reads_problem(&problem.org, &problem.chain))?;
    Ok(Json(problem.clone()))
}

fn upsert_problem(problem: Problem) -> ChangeSet {
    ChangeSet::upsert(Bundle {
        problems: vec![problem],
        ..Bundle::new()
    })
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
    let problem: Problem = record_body(body, &state)?;
    let id = problem.id.clone();
    let (revision, ()) = state
        .write(move |data| {
            may_write_problem(&who, data.problems.get(&problem.id), &problem)?;
            if data.problems.contains_key(&problem.id) {
                return Err(already_exists("problem", &problem.id));
            }
            Ok((upsert_problem(problem), ()))
        })
        .await
        .map_err(relative_to("/problems/0"))?;
    Ok((StatusCode::CREATED, Json(Written { id, revision })))
}

/// Create or replace a problem.
#[utoipa::path(put, path = "/api/v1/problems/{id}", tag = "records",
    params(("id" = String, Path, description = "Problem id")), request_body = Problem,
    responses((status = 200, body = Written), (status = 201, body = Written), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_problem(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    let problem: Problem = record_body(body, &state)?;
    if problem.id != id {
        return Err(id_mismatch(&id, &problem.id));
    }
    let (revision, existed) = state
        .write(move |data| {
            let old = data.problems.get(&problem.id);
            may_write_problem(&who, old, &problem)?;
            Ok((upsert_problem(problem), old.is_some()))
        })
        .await
        .map_err(relative_to("/problems/0"))?;
    Ok((created_or_replaced(existed), Json(Written { id, revision })))
}

/// Delete a problem.
#[utoipa::path(delete, path = "/api/v1/problems/{id}", tag = "records",
    params(("id" = String, Path, description = "Problem id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_problem(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .write(move |data| {
            let Some(old) = data.problems.get(&id) else {
                return Err(who.not_found("problem", id));
            };
            who.require(who.writes_problem(&old.org, &old.chain))?;
            let change = ChangeSet {
                delete_problems: vec![id],
                ..ChangeSet::default()
            };
            Ok((change, ()))
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A problem may be written when both its stored version (if any) and the new one are the
/// principal's to write.
fn may_write_problem(
    who: &Principal,
    old: Option<&Problem>,
    new: &Problem,
) -> Result<(), ApiError> {
    let allowed = old
        .into_iter()
        .chain([new])
        .all(|p| who.writes_problem(&p.org, &p.chain));
    who.require(allowed)
}

/// The new status of a problem.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: Status,
}

/// Whether a problem may move from one status to another: forward only
/// (open → in_progress → resolved, or open → resolved directly).
pub fn transition_allowed(from: Status, to: Status) -> bool {
    matches!(
        (from, to),
        (Status::Open, Status::InProgress)
            | (Status::Open, Status::Resolved)
            | (Status::InProgress, Status::Resolved)
    )
}

/// Change a problem's status: open → in_progress → resolved (forward only; 409 otherwise).
#[utoipa::path(post, path = "/api/v1/problems/{id}/status", tag = "records",
    params(("id" = String, Path, description = "Problem id")), request_body = StatusChange,
    responses((status = 200, body = Problem), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn set_problem_status(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Problem>, ApiError> {
    let change: StatusChange = json_body(body, &state)?;
    let (_, problem) = state
        .write(move |data| {
            let mut problem = data
                .problems
                .get(&id)
                .cloned()
                .ok_or_else(|| who.not_found("problem", id.clone()))?;
            who.require(who.writes_problem(&problem.org, &problem.chain))?;
            if !transition_allowed(problem.status, change.status) {
                return Err(ApiError::Conflict {
                    code: "invalid_transition",
                    message: format!(
                        "a problem cannot go from {} to {}",
                        problem.status.as_str(),
                        change.status.as_str()
                    ),
                    details: Default::default(),
                });
            }
            problem.status = change.status;
            Ok((upsert_problem(problem.clone()), problem))
        })
        .await?;
    Ok(Json(problem))
}

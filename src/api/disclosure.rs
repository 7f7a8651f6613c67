//! Problem disclosure: setting who may read a problem, and the disclosure requests between a
//! firm and its suppliers. Every write here is audited (with what it set, beside the request
//! path); who may do what is `service::disclosure`'s to say.

use super::auth::{AuditNote, Principal};
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{json_body, ApiPath};
use crate::model::disclosure::DisclosureRequest;
use crate::model::Problem;
use crate::service::disclosure::{self, AnswerBody, Answered, DisclosureChange, RequestBody};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_problem_disclosure))
        .routes(routes!(create_disclosure_request))
        .routes(routes!(list_disclosure_requests))
        .routes(routes!(answer_disclosure_request))
}

type Body = Result<Bytes, axum::extract::rejection::BytesRejection>;

fn noted(response: impl IntoResponse, note: String) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(AuditNote(note));
    response
}

/// Set who may read a problem besides its holder and the regulators: `private`, `customers`
/// (every firm downstream of the holder on the problem's chain) or `chain` (every member of the
/// chain). The holder's enterprise tokens, regulators of the chain and admins may; audited.
#[utoipa::path(put, path = "/api/v1/problems/{id}/disclosure", tag = "disclosure",
    params(("id" = String, Path, description = "Problem id")), request_body = DisclosureChange,
    responses((status = 200, body = Problem), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_problem_disclosure(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let change: DisclosureChange = json_body(body, &state)?;
    let level = change.disclosure;
    let problem = state
        .write(who.note(), false, move |service, how| {
            disclosure::set_disclosure(service, &who, how, id, level)
        })
        .await?;
    Ok(noted(
        Json(problem),
        format!("disclosure {}", level.as_str()),
    ))
}

/// Ask a supplier upstream of the asking enterprise on the chain to disclose its problems there
/// (or the one problem named). Enterprises on the chain only; a supplier that is unknown or not
/// upstream is 422 `not_upstream` at `/supplier`. Audited.
#[utoipa::path(post, path = "/api/v1/chains/{id}/disclosure-requests", tag = "disclosure",
    params(("id" = String, Path, description = "Chain id")), request_body = RequestBody,
    responses((status = 201, body = DisclosureRequest), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_disclosure_request(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(chain): ApiPath<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let body: RequestBody = json_body(body, &state)?;
    let r = state
        .write(who.note(), false, move |service, _| {
            disclosure::request(service, &who, &chain, body)
        })
        .await?;
    let note = format!("request {} to {}", r.id, r.supplier);
    Ok(noted((StatusCode::CREATED, Json(r)), note))
}

/// The disclosure requests the holder may read, newest first: an enterprise those it sent and
/// received; regulators those of their chains; admins all. Planners get 403.
#[utoipa::path(get, path = "/api/v1/disclosure-requests", tag = "disclosure",
    responses((status = 200, body = Vec<DisclosureRequest>)))]
async fn list_disclosure_requests(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Json<Vec<DisclosureRequest>>, ApiError> {
    let service = state.service().clone();
    Ok(Json(
        state
            .blocking(move || disclosure::requests(&service, &who))
            .await?,
    ))
}

/// The supplier answers a request: accepting sets the disclosure (`customers` or `chain`) of
/// the named problem, or of all its demand problems on the chain; declining changes nothing
/// but the request. Answered once (409 `already_answered`). Audited.
#[utoipa::path(post, path = "/api/v1/disclosure-requests/{id}/answer", tag = "disclosure",
    params(("id" = String, Path, description = "Request id")), request_body = AnswerBody,
    responses((status = 200, body = Answered), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_disclosure_request(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let body: AnswerBody = json_body(body, &state)?;
    let answered = state
        .write(who.note(), false, move |service, how| {
            disclosure::answer(service, &who, how, &id, body)
        })
        .await?;
    let a = answered.request.answer.as_ref();
    let note = match (a.map(|a| a.accept), a.and_then(|a| a.disclosure)) {
        (Some(true), Some(level)) => format!(
            "accepted: {} problems set to {}",
            a.map_or(0, |a| a.problems.len()),
            level.as_str()
        ),
        _ => "declined".to_string(),
    };
    Ok(noted(Json(answered), note))
}

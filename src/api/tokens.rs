//! The token API: admins make, list and revoke API tokens while the server runs (see
//! [`crate::service::tokens`]). Every other role gets 403.

use super::auth::{AuditNote, Principal};
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{json_body, ApiPath};
use crate::service::tokens::{self, IssuedToken, NewToken, TokenInfo};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Runs token-file work off the async threads. Not bounded by the request timeout: a token
/// write is short, and one abandoned half-way would leave a token nobody was shown.
async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, crate::service::Error> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// Every token, oldest first, with its state; never a secret or its hash.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = [TokenInfo])))]
async fn list_tokens(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    let store = state.store().clone();
    Ok(Json(blocking(move || tokens::list(&store, &who)).await?))
}

/// Make a token. The answer carries the token itself, shown only this once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    who.require(who.is_admin())?;
    let new: NewToken = json_body(body, &state)?;
    let store = state.store().clone();
    let snap = state.snapshot();
    let issued: IssuedToken = blocking(move || tokens::create(&store, &snap, &who, new)).await?;
    let note = AuditNote(format!(
        "created {} ({})",
        issued.token.id,
        issued.token.role.as_str()
    ));
    let mut response = (
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(issued),
    )
        .into_response();
    response.extensions_mut().insert(note);
    Ok(response)
}

/// Revoke a token: it stops working at once. Revoking a revoked token changes nothing.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id (12 hex digits)")),
    responses((status = 200, body = TokenInfo), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    axum::Extension(who): axum::Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TokenInfo>, ApiError> {
    let store = state.store().clone();
    Ok(Json(
        blocking(move || tokens::revoke(&store, &who, &id)).await?,
    ))
}

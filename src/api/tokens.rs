//! The token API: admins make, list and revoke API tokens while the server runs. These are the
//! records `qmap token` manages, kept in the store's token file, so a token made either way
//! works at once against the running server. Every other role gets 403.

use super::auth::{AuditNote, Principal};
use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use super::{json_body, ApiPath};
use crate::access::AccessError;
use crate::model::access::{AccessRole, Token};
use crate::model::Dataset;
use crate::store::StoreError;
use crate::validate::{ErrorCode, ValidationError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::num::NonZeroU64;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// What a new token may do.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub role: AccessRole,
    /// The enterprise an `enterprise` token belongs to; required for that role, refused for
    /// the others.
    #[serde(default)]
    pub org: Option<String>,
    /// The chains a `regulator` token is limited to (none: every chain); refused for the other
    /// roles.
    #[serde(default)]
    pub chains: Vec<String>,
    /// Lifetime in days from now, at least 1; absent: until revoked.
    #[serde(default)]
    #[schema(value_type = Option<u64>, minimum = 1)]
    pub expires_days: Option<NonZeroU64>,
}

/// A token as the API shows it: everything but the hash of its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// The public id: the part of the token before its secret, shown in the audit log.
    pub id: String,
    pub role: AccessRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Chains a regulator token is limited to; empty: every chain.
    pub chains: Vec<String>,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<u64>,
    /// `active`, `expired` or `revoked`, now.
    pub state: String,
}

impl TokenInfo {
    fn of(token: Token, now: u64) -> TokenInfo {
        TokenInfo {
            state: token.state(now).to_string(),
            id: token.id,
            role: token.role,
            org: token.org,
            chains: token.chains,
            created_at: token.created_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
        }
    }
}

/// A token just made: its record, and the token itself, which is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    pub token: TokenInfo,
    /// `qmap_<id>_<secret>`, for `Authorization: Bearer …`. Only its hash is kept.
    pub secret: String,
}

/// Runs blocking token-file work off the async threads. Not bounded by the request timeout: a
/// token write is short, and one abandoned half-way would leave a token nobody was shown.
async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
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
    who.require(who.is_admin())?;
    let store = state.store().clone();
    let tokens = blocking(move || store.tokens()).await?;
    let now = crate::access::now();
    Ok(Json(
        tokens.into_iter().map(|t| TokenInfo::of(t, now)).collect(),
    ))
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
    let now = crate::access::now();
    let snap = state.snapshot();
    let issued = crate::access::issue(
        new.role,
        new.org.as_deref(),
        &new.chains,
        new.expires_days.map(NonZeroU64::get),
        now,
        snap.dataset.as_ref(),
    )
    .map_err(|e| refused(e, &new, &snap.dataset))?;
    let store = state.store().clone();
    let record = issued.token.clone();
    blocking(move || store.put_token(&record)).await?;
    let note = AuditNote(format!(
        "created {} ({})",
        issued.token.id,
        issued.token.role.as_str()
    ));
    let answer = IssuedToken {
        token: TokenInfo::of(issued.token, now),
        secret: issued.secret,
    };
    let mut response = (
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(answer),
    )
        .into_response();
    response.extensions_mut().insert(note);
    Ok(response)
}

/// Why a token cannot be made, located in the request body.
fn refused(error: AccessError, new: &NewToken, data: &Dataset) -> ApiError {
    let (code, path, message) = match error {
        AccessError::MissingOrg => (
            ErrorCode::MissingField,
            "/org".to_string(),
            "an enterprise token needs org, the enterprise it belongs to".to_string(),
        ),
        AccessError::UnexpectedOrg => (
            ErrorCode::UnknownField,
            "/org".to_string(),
            format!(
                "only an enterprise token is bound to an organization, not a {} token",
                new.role.as_str()
            ),
        ),
        AccessError::UnexpectedChains => (
            ErrorCode::UnknownField,
            "/chains".to_string(),
            format!(
                "only a regulator token is limited to chains, not a {} token",
                new.role.as_str()
            ),
        ),
        AccessError::NotAnEnterprise(id) => {
            let code = if data.organizations.contains_key(&id) {
                ErrorCode::NotAnEnterprise
            } else {
                ErrorCode::UnknownOrganization
            };
            let message = format!("organization {id:?} is not an enterprise in the store");
            (code, "/org".to_string(), message)
        }
        AccessError::UnknownChain(chain) => {
            let at = new.chains.iter().position(|c| *c == chain).unwrap_or(0);
            let message = format!("chain {chain:?} is not in the store");
            (ErrorCode::UnknownChain, format!("/chains/{at}"), message)
        }
        AccessError::ZeroExpiry => (
            ErrorCode::WrongType,
            "/expires_days".to_string(),
            "expires_days must be at least 1".to_string(),
        ),
        AccessError::Random(detail) => return ApiError::Internal(detail),
    };
    ApiError::Invalid(ValidationError::new(code, path, message).into())
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
    who.require(who.is_admin())?;
    let store = state.store().clone();
    let now = crate::access::now();
    let lookup = id.clone();
    match blocking(move || store.revoke_token(&lookup, now)).await? {
        Some(token) => Ok(Json(TokenInfo::of(token, now))),
        None => Err(ApiError::not_found("token", id)),
    }
}

//! API tokens as admins manage them while the server runs: list, make and revoke. These are the
//! records `qmap token` manages too, kept in the store's token file, so a token made either way
//! works at once. Only admins may; every other role is refused.

use super::{Error, Principal, Snapshot};
use crate::access::AccessError;
use crate::model::access::{AccessRole, Token};
use crate::model::Dataset;
use crate::store::Store;
use crate::validate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::num::NonZeroU64;
use utoipa::ToSchema;

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
    pub fn of(token: Token, now: u64) -> TokenInfo {
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

/// Every token, oldest first, with its state; never a secret or its hash.
pub fn list(store: &Store, who: &Principal) -> Result<Vec<TokenInfo>, Error> {
    who.require(who.is_admin())?;
    let now = crate::access::now();
    Ok(store
        .tokens()?
        .into_iter()
        .map(|t| TokenInfo::of(t, now))
        .collect())
}

/// Makes a token, checked against the data of `snap` (its organization and chains), and keeps
/// its record (the hash of its secret only).
pub fn create(
    store: &Store,
    snap: &Snapshot,
    who: &Principal,
    new: NewToken,
) -> Result<IssuedToken, Error> {
    who.require(who.is_admin())?;
    let now = crate::access::now();
    let issued = crate::access::issue(
        new.role,
        new.org.as_deref(),
        &new.chains,
        new.expires_days.map(NonZeroU64::get),
        now,
        snap.dataset.as_ref(),
    )
    .map_err(|e| refused(e, &new, &snap.dataset))?;
    store.put_token(&issued.token)?;
    Ok(IssuedToken {
        token: TokenInfo::of(issued.token, now),
        secret: issued.secret,
    })
}

/// Revokes a token: it stops working at once. Revoking a revoked token changes nothing.
pub fn revoke(store: &Store, who: &Principal, id: &str) -> Result<TokenInfo, Error> {
    who.require(who.is_admin())?;
    let now = crate::access::now();
    match store.revoke_token(id, now)? {
        Some(token) => Ok(TokenInfo::of(token, now)),
        None => Err(Error::not_found("token", id)),
    }
}

/// Why a token cannot be made, located in the request body.
fn refused(error: AccessError, new: &NewToken, data: &Dataset) -> Error {
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
        AccessError::Random(detail) => return Error::Internal(detail),
    };
    Error::invalid(code, path, message)
}

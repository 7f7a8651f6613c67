//! Who may use qmap: API tokens with a role and a scope, and the audit log of writes.
//!
//! These are plain records; `crate::access` makes and checks tokens, the store keeps them, and the
//! API enforces what each role may see.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a token lets its holder do.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AccessRole {
    /// Everything, including tokens and imports.
    Admin,
    /// Reads and writes all chains, or only the chains it is given.
    Regulator,
    /// Bound to one organization: its supplier view, the firms upstream of it, its own problems
    /// and the providers that could solve them.
    Enterprise,
    /// Coverage, gaps, recommendations and the chain comparison, aggregated; no firm's problems.
    Planner,
}

impl AccessRole {
    pub const ALL: [AccessRole; 4] = [
        AccessRole::Admin,
        AccessRole::Regulator,
        AccessRole::Enterprise,
        AccessRole::Planner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessRole::Admin => "admin",
            AccessRole::Regulator => "regulator",
            AccessRole::Enterprise => "enterprise",
            AccessRole::Planner => "planner",
        }
    }

    pub fn parse(s: &str) -> Option<AccessRole> {
        AccessRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A stored API token. The secret itself is never stored: only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// Public id: the part of the token before the secret, shown in lists and the audit log.
    pub id: String,
    pub role: AccessRole,
    /// The organization an enterprise token is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Chains a regulator token is limited to; empty = every chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<String>,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<u64>,
    /// Lower-case hex SHA-256 of the secret.
    pub secret_sha256: String,
}

impl Token {
    /// Whether the token may be used at `now` (seconds since the epoch).
    pub fn is_live(&self, now: u64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }

    /// "active", "expired" or "revoked" at `now`.
    pub fn state(&self, now: u64) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if !self.is_live(now) {
            "expired"
        } else {
            "active"
        }
    }
}

/// One recorded write: who, when, what, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub seq: u64,
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// The token id, `cli` for the command line, or `anonymous`.
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<AccessRole>,
    /// E.g. `PUT /api/v1/problems/p1`, `token create`.
    pub action: String,
    /// HTTP status or `ok` / an error for the command line.
    pub outcome: String,
}

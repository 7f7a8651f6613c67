//! Disclosure requests: a firm asks a supplier upstream of it on a chain to disclose its quality
//! problems (see [`super::Disclosure`]), and the supplier answers. They are workflow between
//! firms, not survey data: the store keeps them in their own tree, outside the revisions of the
//! records (no undo, no history), and bundle exports and imports do not carry them.

use super::Disclosure;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Declined => "declined",
        }
    }
}

/// A firm's request that a supplier disclose its problems on a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRequest {
    /// `dr-` and a number given by the store.
    pub id: String,
    pub chain: String,
    /// The asking enterprise, downstream of `supplier` on `chain`.
    pub from: String,
    /// The enterprise asked.
    pub supplier: String,
    /// The one problem asked about, as the asking firm named it; absent: every demand problem of
    /// the supplier on the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    pub message: String,
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// The token that sent it.
    pub by: String,
    pub status: RequestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<RequestAnswer>,
}

/// The supplier's answer to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestAnswer {
    pub accept: bool,
    /// The disclosure set when accepting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<Disclosure>,
    pub note: String,
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// The token that answered.
    pub by: String,
    /// The problems whose disclosure the answer set (the asking firm sees those it may still
    /// read).
    #[serde(default)]
    pub problems: Vec<String>,
}

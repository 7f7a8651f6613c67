//! Quality notices (质量通报) along a chain: a firm (or a regulator, for a firm of a chain it
//! regulates) tells the partners concerned of a defect, a delay, a capacity limit, a process
//! change or an alert about a firm, one of its parts, or one of its problems. The recipients are
//! computed from the supply graph when the notice is sent and stored with it
//! (`crate::analysis::notices`), so that a later change of the graph does not change who was
//! told; an export and import carries them as they are. A recipient acknowledges a notice; the
//! acknowledgements are kept by organization.

use super::{limits, ID_PATTERN, PART_PATTERN};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a notice is about: a firm, and perhaps one of its parts or one of its problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeAbout {
    /// The enterprise the notice is about (a member of the notice's chain).
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub firm: String,
    /// A part the firm supplies on the chain; absent: any of its parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = limits::PART), regex(pattern = PART_PATTERN))]
    #[schema(min_length = 1, max_length = 200)]
    pub part: Option<String>,
    /// A problem of the firm on the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(min_length = 1, max_length = 128)]
    pub problem: Option<String>,
}

/// The kind of a notice.
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
pub enum NoticeKind {
    /// 缺陷: a defective batch or part.
    Defect,
    /// 延期: a late delivery.
    Delay,
    /// 产能: a capacity limit.
    Capacity,
    /// 变更: a change of process, material or supplier.
    Change,
    /// 预警: any other warning.
    Alert,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::Defect,
        NoticeKind::Delay,
        NoticeKind::Capacity,
        NoticeKind::Change,
        NoticeKind::Alert,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Defect => "defect",
            NoticeKind::Delay => "delay",
            NoticeKind::Capacity => "capacity",
            NoticeKind::Change => "change",
            NoticeKind::Alert => "alert",
        }
    }
}

/// Which way along the chain a notice travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeDirection {
    /// To the firm's customers and every firm its failure would disable.
    Downstream,
    /// To the firm's direct suppliers.
    Upstream,
    /// Both.
    Both,
}

/// Why a recipient got a notice.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecipientRelation {
    /// A direct customer of the firm (of the part, when one is named).
    Customer,
    /// A firm further down that the firm's failure would disable.
    Disabled,
    /// A direct supplier of the firm (of the part, when one is named).
    Supplier,
}

/// One recipient of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRecipient {
    /// The recipient organization.
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(min_length = 1, max_length = 128)]
    pub org: String,
    pub relation: RecipientRelation,
    /// A master (链主) of the notice's chain.
    #[serde(default)]
    pub master: bool,
}

/// A quality notice. `sender`, `sent_at`, `recipients` and `acks` are set by the server when it
/// is sent (and by acknowledgements); an import keeps them as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// `nt-` and a number, given by the server.
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(min_length = 1, max_length = 128)]
    pub chain: String,
    pub about: NoticeAbout,
    pub kind: NoticeKind,
    /// 1 (minor) to 5 (stops production).
    #[schemars(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub severity: u8,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub message: String,
    pub direction: NoticeDirection,
    /// The organization id of a sending enterprise, or the actor of a regulator or admin token.
    #[schemars(length(min = 1, max = limits::ID))]
    #[schema(min_length = 1, max_length = 128)]
    pub sender: String,
    /// Seconds since the Unix epoch.
    pub sent_at: u64,
    /// Who was told, computed when it was sent.
    #[serde(default)]
    pub recipients: Vec<NoticeRecipient>,
    /// Acknowledgements: recipient organization → seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub acks: BTreeMap<String, u64>,
}

impl Notice {
    /// Whether `org` is one of its recipients.
    pub fn is_recipient(&self, org: &str) -> bool {
        self.recipients.iter().any(|r| r.org == org)
    }
}

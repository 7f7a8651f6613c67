//! The capability catalogue (能力目录): the Chinese name, the standards and a description of a
//! capability code (`testing:thermal-runaway` is 热失控测试). It is reference data: every role
//! reads it, and it only names codes. A provider's capability, a problem's need or a project's
//! work may name a code the catalogue lacks (a need no one has catalogued yet); `qmap validate`
//! warns of such codes (`uncatalogued_capability`) when there is a catalogue at all, and
//! wherever a name is shown such a code is shown as it is.

use super::{limits, CODE_PATTERN};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One entry of the capability catalogue, keyed by its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The capability code it names: `element:subject`, as a provider's capability or a need.
    #[schemars(length(max = limits::ID), regex(pattern = CODE_PATTERN))]
    #[schema(
        max_length = 128,
        pattern = r"^(metrology|testing|standard|certification|rd):[^\s\x00-\x1F\x7F-\x9F]+$"
    )]
    pub code: String,
    /// The Chinese name shown in place of the code, e.g. `热失控测试`; not blank.
    #[schemars(length(min = 1, max = limits::TEXT))]
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// Standards the capability works to, e.g. `GB/T 31485-2015`; absent when none is named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(length(min = 1, max = limits::TEXT)))]
    pub standards: Vec<String>,
    /// What the capability covers, in a sentence or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::SUMMARY))]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

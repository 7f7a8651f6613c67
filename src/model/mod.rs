//! The domain model of `docs/domain.md`: regions, chains, organizations, supplies and problems, and
//! bundle format 1 that carries them.
//!
//! This module owns the types and their JSON shape (serde) and JSON Schema (schemars). It knows
//! nothing of sled, axum or petgraph: the store, the graph and the API all depend on it, never the
//! reverse. Validation of a document lives in `crate::validate`; these types only describe a
//! document that is already well-formed.

pub mod access;
mod dataset;
mod index;

pub use dataset::Dataset;
pub use index::ChainIndex;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// The only bundle format version this build reads and writes.
pub const BUNDLE_VERSION: u32 = 1;

/// One JSON document carrying any number of records of every kind: the unit of import and export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "qmap bundle format 1")]
pub struct Bundle {
    /// Format version; must be 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    #[serde(default)]
    pub regions: Vec<Region>,
    #[serde(default)]
    pub chains: Vec<Chain>,
    #[serde(default)]
    pub organizations: Vec<Organization>,
    #[serde(default)]
    pub supplies: Vec<Supply>,
    #[serde(default)]
    pub problems: Vec<Problem>,
}

impl Bundle {
    /// An empty bundle of the current version.
    pub fn new() -> Bundle {
        Bundle {
            version: BUNDLE_VERSION,
            ..Bundle::default()
        }
    }

    /// Number of records of every kind.
    pub fn record_count(&self) -> usize {
        self.regions.len()
            + self.chains.len()
            + self.organizations.len()
            + self.supplies.len()
            + self.problems.len()
    }
}

/// A GB/T 2260 administrative region: province = first 2 digits, city = first 4, county = all 6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Six-digit GB/T 2260 code, e.g. `320500` (苏州市).
    #[schemars(regex(pattern = r"^[0-9]{6}$"))]
    pub code: String,
    pub name: String,
}

/// An industry chain (产业链) with its segments (环节), upstream first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    #[schemars(length(min = 1))]
    pub id: String,
    pub name: String,
    /// The chain chief (链长): the government unit responsible for the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chief: Option<String>,
    /// Ordered segments, upstream first.
    #[serde(default)]
    pub segments: Vec<Segment>,
}

impl Chain {
    /// Position of a segment in the chain's order (0 = most upstream).
    pub fn segment_index(&self, segment: &str) -> Option<usize> {
        self.segments.iter().position(|s| s.id == segment)
    }
}

/// One segment (环节) of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    #[schemars(length(min = 1))]
    pub id: String,
    pub name: String,
}

/// The kind of an organization: an enterprise sits on chains; every other kind is a provider of
/// quality infrastructure or R&D.
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
pub enum OrgKind {
    Enterprise,
    Institute,
    InspectionCenter,
    MetrologyCenter,
    StandardsBody,
    CertificationBody,
    ServiceStation,
}

impl OrgKind {
    pub const ALL: [OrgKind; 7] = [
        OrgKind::Enterprise,
        OrgKind::Institute,
        OrgKind::InspectionCenter,
        OrgKind::MetrologyCenter,
        OrgKind::StandardsBody,
        OrgKind::CertificationBody,
        OrgKind::ServiceStation,
    ];

    pub fn is_provider(self) -> bool {
        self != OrgKind::Enterprise
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Enterprise => "enterprise",
            OrgKind::Institute => "institute",
            OrgKind::InspectionCenter => "inspection_center",
            OrgKind::MetrologyCenter => "metrology_center",
            OrgKind::StandardsBody => "standards_body",
            OrgKind::CertificationBody => "certification_body",
            OrgKind::ServiceStation => "service_station",
        }
    }

    /// The Chinese label used on the map and in reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Enterprise => "企业",
            OrgKind::Institute => "科研院所",
            OrgKind::InspectionCenter => "质检中心",
            OrgKind::MetrologyCenter => "计量测试中心",
            OrgKind::StandardsBody => "标准化技术委员会",
            OrgKind::CertificationBody => "认证机构",
            OrgKind::ServiceStation => "一站式服务站点",
        }
    }
}

/// The role of an enterprise on one chain.
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
pub enum Role {
    /// 链主: a leading firm; the chain exists to deliver its products.
    ChainMaster,
    /// 链员: any other firm on the chain.
    Member,
}

/// The level of a provider, which decides the area it serves.
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
pub enum Level {
    /// Serves every firm, foreign ones too.
    National,
    /// Serves domestic firms of its province.
    Provincial,
    /// Serves domestic firms of its city.
    Municipal,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::National, Level::Provincial, Level::Municipal];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Provincial => "provincial",
            Level::Municipal => "municipal",
        }
    }
}

/// An organization: an enterprise (with chain memberships) or a provider (with level and
/// capabilities). Which fields are allowed depends on `kind`; `crate::validate` enforces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    #[schemars(length(min = 1))]
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    /// Six-digit GB/T 2260 code; required for domestic organizations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{6}$"))]
    pub region: Option<String>,
    /// True for a foreign organization (enterprises only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub foreign: bool,
    /// ISO 3166 country code of a foreign organization, e.g. `JP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Chain memberships (enterprises only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chains: Option<Vec<Membership>>,
    /// Level (providers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Capabilities (providers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<Capability>>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Organization {
    pub fn is_provider(&self) -> bool {
        self.kind.is_provider()
    }

    /// The chain memberships (empty for providers).
    pub fn memberships(&self) -> &[Membership] {
        self.chains.as_deref().unwrap_or(&[])
    }

    /// The membership of this organization on `chain`, if any.
    pub fn membership(&self, chain: &str) -> Option<&Membership> {
        self.memberships().iter().find(|m| m.chain == chain)
    }

    /// The capabilities (empty for enterprises).
    pub fn capability_list(&self) -> &[Capability] {
        self.capabilities.as_deref().unwrap_or(&[])
    }
}

/// An enterprise's place on one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    pub chain: String,
    pub role: Role,
    pub segment: String,
}

/// What a provider can do, and for how many needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// `element:subject`, element one of metrology, testing, standard, certification, rd.
    #[schemars(regex(pattern = r"^(metrology|testing|standard|certification|rd):\S+$"))]
    pub code: String,
    /// How many needs it can take; absent means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub capacity: Option<u32>,
}

/// A supply on a chain: `from` (the supplier) delivers `part` to `to` (the customer).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Supply {
    pub chain: String,
    /// The supplier's organization id.
    #[serde(rename = "from")]
    pub supplier: String,
    /// The customer's organization id.
    #[serde(rename = "to")]
    pub customer: String,
    #[schemars(length(min = 1))]
    pub part: String,
}

/// The QI element of a capability code (the part before the colon).
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
pub enum Element {
    Metrology,
    Standard,
    Testing,
    Certification,
    Rd,
}

impl Element {
    pub const ALL: [Element; 5] = [
        Element::Metrology,
        Element::Standard,
        Element::Testing,
        Element::Certification,
        Element::Rd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Element::Metrology => "metrology",
            Element::Standard => "standard",
            Element::Testing => "testing",
            Element::Certification => "certification",
            Element::Rd => "rd",
        }
    }

    pub fn parse(s: &str) -> Option<Element> {
        Element::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Element::Metrology => "计量",
            Element::Standard => "标准",
            Element::Testing => "检验检测",
            Element::Certification => "认证认可",
            Element::Rd => "研发",
        }
    }

    /// The element of a capability code such as `testing:battery-safety`, if it is well-formed.
    pub fn of_code(code: &str) -> Option<Element> {
        let (element, subject) = code.split_once(':')?;
        if subject.is_empty() || subject.chars().any(char::is_whitespace) {
            return None;
        }
        Element::parse(element)
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The category of a quality problem.
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
pub enum Category {
    /// 测不准: cannot measure.
    Measurement,
    /// 检不了: cannot test.
    Testing,
    /// 少标准: lacks a standard.
    Standard,
    Certification,
    Process,
    Material,
    Design,
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Measurement,
        Category::Testing,
        Category::Standard,
        Category::Certification,
        Category::Process,
        Category::Material,
        Category::Design,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Measurement => "measurement",
            Category::Testing => "testing",
            Category::Standard => "standard",
            Category::Certification => "certification",
            Category::Process => "process",
            Category::Material => "material",
            Category::Design => "design",
            Category::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Measurement => "测不准",
            Category::Testing => "检不了",
            Category::Standard => "少标准",
            Category::Certification => "认证",
            Category::Process => "工艺",
            Category::Material => "材料",
            Category::Design => "设计",
            Category::Other => "其他",
        }
    }
}

/// The status of a quality problem. It counts as demand while `open` or `in_progress`.
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
pub enum Status {
    Open,
    InProgress,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
        }
    }

    /// Whether a problem in this status counts as demand.
    pub fn is_demand(self) -> bool {
        self != Status::Resolved
    }
}

/// A quality problem held by an enterprise on a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    #[schemars(length(min = 1))]
    pub id: String,
    /// The enterprise holding the problem.
    pub org: String,
    pub chain: String,
    pub title: String,
    pub category: Category,
    /// 1 (minor) to 5 (blocks production).
    #[schemars(range(min = 1, max = 5))]
    pub severity: u8,
    pub status: Status,
    /// Capability codes that would solve it; each is one need.
    #[serde(default)]
    pub needs: Vec<String>,
}

impl Problem {
    /// Whether the problem counts as demand (open or in progress).
    pub fn is_demand(&self) -> bool {
        self.status.is_demand()
    }
}

/// Region-code arithmetic of GB/T 2260.
pub mod region {
    /// The province prefix (2 digits) of a six-digit code.
    pub fn province(code: &str) -> &str {
        code.get(..2).unwrap_or(code)
    }

    /// The city prefix (4 digits) of a six-digit code.
    pub fn city(code: &str) -> &str {
        code.get(..4).unwrap_or(code)
    }

    /// Whether `code` is six ASCII digits.
    pub fn is_valid(code: &str) -> bool {
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_codes_name_their_element() {
        assert_eq!(
            Element::of_code("testing:battery-safety"),
            Some(Element::Testing)
        );
        assert_eq!(Element::of_code("rd:氢气纯度"), Some(Element::Rd));
        assert_eq!(Element::of_code("testing:"), None);
        assert_eq!(Element::of_code("testing:a b"), None);
        assert_eq!(Element::of_code("cooking:rice"), None);
        assert_eq!(Element::of_code("metrology"), None);
    }

    #[test]
    fn a_supply_reads_from_and_to() {
        let s: Supply =
            serde_json::from_str(r#"{"chain":"c","from":"a","to":"b","part":"separator"}"#)
                .unwrap();
        assert_eq!(s.supplier, "a");
        assert_eq!(s.customer, "b");
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"chain":"c","from":"a","to":"b","part":"separator"}"#
        );
    }
}

/// The JSON Schema (2020-12) of bundle format 1, as committed in `schemas/bundle.schema.json`.
pub fn bundle_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Bundle)).expect("schema is JSON");
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            serde_json::Value::String("https://qmap.invalid/schemas/bundle.schema.json".into()),
        );
    }
    schema
}

/// Read access to records that already exist (in a store or an in-memory dataset), so that a
/// document may refer to them. Implemented by `Dataset` here and by the sled store.
pub trait Lookup {
    fn chain(&self, id: &str) -> Option<Chain>;
    fn organization(&self, id: &str) -> Option<Organization>;
    fn problem(&self, id: &str) -> Option<Problem>;
    fn has_supply(&self, supply: &Supply) -> bool;
    /// Every supply (on any chain) with `org` at either end.
    fn supplies_touching(&self, org: &str) -> Vec<Supply>;
    /// Every problem held by `org`.
    fn problems_of(&self, org: &str) -> Vec<Problem>;
}

/// One atomic write: records to upsert and records to delete, applied all or nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeSet {
    pub upsert: Bundle,
    pub delete_regions: Vec<String>,
    pub delete_chains: Vec<String>,
    pub delete_organizations: Vec<String>,
    pub delete_supplies: Vec<Supply>,
    pub delete_problems: Vec<String>,
}

impl ChangeSet {
    /// A change that only upserts `bundle`.
    pub fn upsert(bundle: Bundle) -> ChangeSet {
        ChangeSet {
            upsert: bundle,
            ..ChangeSet::default()
        }
    }
}

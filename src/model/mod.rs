//! The domain model of `docs/domain.md`: regions, chains, organizations, supplies and problems,
//! the quality work run on chains (projects, consortia, policy tools and goals: see [`work`]),
//! and bundle format 1 that carries them.
//!
//! This module owns the types and their JSON shape (serde) and JSON Schema (schemars). It knows
//! nothing of sled, axum or petgraph: the store, the graph and the API all depend on it, never the
//! reverse. Validation of a document lives in `crate::validate`; these types only describe a
//! document that is already well-formed.

pub mod access;
mod catalogue;
mod dataset;
pub mod disclosure;
pub mod divisions;
mod index;
pub mod notice;
mod packed;
mod read;
pub mod revision;
mod work;

pub use catalogue::CatalogueEntry;
pub use dataset::Dataset;
pub use index::ChainIndex;
pub use notice::Notice;
pub use packed::{SupplyList, SupplyRef};
pub use read::dataset_from_json;
pub use revision::{Revision, RevisionCounts, WriteNote};
pub use work::{
    Consortium, GapKind, Goal, PolicyKind, PolicyTool, Project, ProjectCategory, ProjectLevel,
    ProjectResults, ProjectStatus, FIRST_YEAR, LAST_YEAR,
};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// The only bundle format version this build reads and writes.
pub const BUNDLE_VERSION: u32 = 1;

/// The longest values bundle format 1 holds, in characters (Unicode scalar values). No real
/// record comes near them, and within them every record can be read back by its URL.
/// Validation reports a longer value as `too_long`; the schemas say so with `maxLength` (the
/// attributes repeat the numbers, which `limits_are_the_schemas_max_lengths` checks).
pub mod limits {
    /// Ids (chain, segment, organization, problem), references to them, capability codes and
    /// needs.
    pub const ID: usize = 128;
    /// A supply's part.
    pub const PART: usize = 200;
    /// Names, titles, a chain's chief, an organization's country and a policy tool's issuer.
    pub const TEXT: usize = 500;
    /// The free summary of a project's results.
    pub const SUMMARY: usize = 2000;
}

/// An id, or a reference to one: no control character (the store joins the parts of its keys
/// with NUL).
const ID_PATTERN: &str = r"^[^\x00-\x1F\x7F-\x9F]*$";
/// A part: no control character, and not blank.
const PART_PATTERN: &str = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";
/// A region-code prefix (of a policy tool or a goal): 2, 4 or 6 digits.
const REGION_PREFIX_PATTERN: &str = r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$";
/// A capability code (or need): `element:subject`, the subject without whitespace or control
/// characters.
const CODE_PATTERN: &str =
    r"^(metrology|testing|standard|certification|rd):[^\s\x00-\x1F\x7F-\x9F]+$";

/// One JSON document carrying any number of records of every kind: the unit of import and export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "qmap bundle format 1")]
pub struct Bundle {
    /// Format version; must be 1.
    #[schemars(range(min = 1, max = 1), extend("const" = 1))]
    #[schema(minimum = 1, maximum = 1)]
    pub version: u32,
    #[serde(default)]
    pub regions: Vec<Region>,
    /// The capability catalogue (能力目录): names of capability codes; absent in bundles of
    /// older builds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<CatalogueEntry>,
    #[serde(default)]
    pub chains: Vec<Chain>,
    #[serde(default)]
    pub organizations: Vec<Organization>,
    #[serde(default)]
    pub supplies: Vec<Supply>,
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// Quality-tackling projects (质量攻关项目); absent in bundles of older builds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<Project>,
    /// Quality-innovation consortia (质量创新联合体).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consortia: Vec<Consortium>,
    /// Policy tools (政策工具).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_tools: Vec<PolicyTool>,
    /// Yearly goals (年度目标).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<Goal>,
    /// Quality notices (质量通报) along chains, with their recipients and acknowledgements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
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
            + self.capabilities.len()
            + self.chains.len()
            + self.organizations.len()
            + self.supplies.len()
            + self.problems.len()
            + self.projects.len()
            + self.consortia.len()
            + self.policy_tools.len()
            + self.goals.len()
            + self.notices.len()
    }
}

/// A GB/T 2260 administrative region: province = first 2 digits, city = first 4, county = all 6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Six-digit GB/T 2260 code, e.g. `320500` (苏州市).
    #[schemars(regex(pattern = r"^[0-9]{6}$"))]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub code: String,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub name: String,
}

/// An industry chain (产业链) with its segments (环节), upstream first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub name: String,
    /// The chain chief (链长): the government unit responsible for the chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
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
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
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
/// capabilities). Which fields are allowed depends on `kind`; `crate::validate` enforces it,
/// and the schema says the same: a provider has `level`, `capabilities` and `region`, no
/// `chains` and is not `foreign`; an enterprise has no `level` or `capabilities`; whatever is
/// not foreign has a `region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("allOf" = [
    {
        "if": {"properties": {"kind": {"const": "enterprise"}}},
        "then": {"properties": {"level": {"type": "null"}, "capabilities": {"type": "null"}}},
        "else": {
            "required": ["level", "capabilities", "region"],
            "properties": {
                "chains": {"type": "null"},
                "foreign": {"const": false},
                "level": {"not": {"type": "null"}},
                "capabilities": {"type": "array"}
            }
        }
    },
    {
        "if": {"properties": {"foreign": {"const": true}}, "required": ["foreign"]},
        "else": {"required": ["region"], "properties": {"region": {"type": "string"}}}
    }
]))]
pub struct Organization {
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub name: String,
    pub kind: OrgKind,
    /// Six-digit GB/T 2260 code; required for domestic organizations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{6}$"))]
    #[schema(pattern = r"^[0-9]{6}$")]
    pub region: Option<String>,
    /// True for a foreign organization (enterprises only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub foreign: bool,
    /// ISO 3166 country code of a foreign organization, e.g. `JP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
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
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub chain: String,
    pub role: Role,
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub segment: String,
}

/// What a provider can do, and for how many needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// `element:subject`, element one of metrology, testing, standard, certification, rd.
    #[schemars(length(max = limits::ID), regex(pattern = CODE_PATTERN))]
    #[schema(
        max_length = 128,
        pattern = r"^(metrology|testing|standard|certification|rd):[^\s\x00-\x1F\x7F-\x9F]+$"
    )]
    pub code: String,
    /// How many needs it can take, a whole number of at least 1; absent means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = u32::MAX))]
    #[schema(minimum = 1, maximum = 4294967295_u64)]
    pub capacity: Option<u32>,
}

/// A supply on a chain: `from` (the supplier) delivers `part` to `to` (the customer).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Supply {
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub chain: String,
    /// The supplier's organization id.
    #[serde(rename = "from")]
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub supplier: String,
    /// The customer's organization id.
    #[serde(rename = "to")]
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub customer: String,
    /// What is supplied; not blank.
    #[schemars(length(min = 1, max = limits::PART), regex(pattern = PART_PATTERN))]
    #[schema(min_length = 1, max_length = 200)]
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
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    /// The enterprise holding the problem.
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub org: String,
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub chain: String,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub title: String,
    pub category: Category,
    /// 1 (minor) to 5 (blocks production).
    #[schemars(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub severity: u8,
    pub status: Status,
    /// Capability codes that would solve it; each is one need.
    #[serde(default)]
    #[schemars(inner(length(max = limits::ID), regex(pattern = CODE_PATTERN)))]
    pub needs: Vec<String>,
    /// Who besides its holder and the regulators may read the problem (default `private`,
    /// which is left out of the JSON).
    #[serde(default, skip_serializing_if = "Disclosure::is_private")]
    pub disclosure: Disclosure,
}

/// Who may read a quality problem besides the holding firm, the regulators of its chain and
/// admins (who always do).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
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
pub enum Disclosure {
    /// Nobody else.
    #[default]
    Private,
    /// Every firm downstream of the holder on the problem's chain: its customers, their
    /// customers, and so on up to the chain masters.
    Customers,
    /// Every member of the problem's chain.
    Chain,
}

impl Disclosure {
    pub const ALL: [Disclosure; 3] = [
        Disclosure::Private,
        Disclosure::Customers,
        Disclosure::Chain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Disclosure::Private => "private",
            Disclosure::Customers => "customers",
            Disclosure::Chain => "chain",
        }
    }

    pub fn is_private(&self) -> bool {
        *self == Disclosure::Private
    }
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

    /// Whether `prefix` is a region-code prefix: 2 (province), 4 (city) or 6 (county) ASCII
    /// digits, as a policy tool's or a goal's `region`.
    pub fn is_prefix(prefix: &str) -> bool {
        matches!(prefix.len(), 2 | 4 | 6) && prefix.bytes().all(|b| b.is_ascii_digit())
    }

    /// Whether two region prefixes concern one another: one is a prefix of the other (a
    /// province's tool applies in its cities; a city's goal is one of its province's).
    pub fn overlap(a: &str, b: &str) -> bool {
        a.starts_with(b) || b.starts_with(a)
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

    /// The utoipa attributes repeat the limits and patterns as literals: both schemas must say
    /// what `limits` and the patterns say.
    #[test]
    fn limits_are_the_schemas_max_lengths() {
        fn openapi<T: utoipa::PartialSchema>() -> serde_json::Value {
            serde_json::to_value(T::schema()).unwrap()
        }
        let bundle = bundle_schema();
        let apis = [
            ("Chain", openapi::<Chain>()),
            ("Segment", openapi::<Segment>()),
            ("Organization", openapi::<Organization>()),
            ("Membership", openapi::<Membership>()),
            ("Supply", openapi::<Supply>()),
            ("Problem", openapi::<Problem>()),
            ("Region", openapi::<Region>()),
            ("Capability", openapi::<Capability>()),
            ("Project", openapi::<Project>()),
            ("ProjectResults", openapi::<ProjectResults>()),
            ("Consortium", openapi::<Consortium>()),
            ("PolicyTool", openapi::<PolicyTool>()),
            ("Goal", openapi::<Goal>()),
        ];
        let fields: &[(&str, &[&str], usize)] = &[
            ("Chain", &["id"], limits::ID),
            ("Chain", &["name", "chief"], limits::TEXT),
            ("Segment", &["id"], limits::ID),
            ("Segment", &["name"], limits::TEXT),
            ("Organization", &["id"], limits::ID),
            ("Organization", &["name", "country"], limits::TEXT),
            ("Membership", &["chain", "segment"], limits::ID),
            ("Supply", &["chain", "from", "to"], limits::ID),
            ("Supply", &["part"], limits::PART),
            ("Problem", &["id", "org", "chain"], limits::ID),
            ("Problem", &["title"], limits::TEXT),
            ("Region", &["name"], limits::TEXT),
            ("Capability", &["code"], limits::ID),
            (
                "Project",
                &["id", "chain", "lead", "consortium"],
                limits::ID,
            ),
            ("Project", &["title"], limits::TEXT),
            ("ProjectResults", &["summary"], limits::SUMMARY),
            ("Consortium", &["id", "chain", "lead"], limits::ID),
            ("Consortium", &["name"], limits::TEXT),
            ("PolicyTool", &["id"], limits::ID),
            ("PolicyTool", &["title", "issuer"], limits::TEXT),
            ("Goal", &["id"], limits::ID),
        ];
        for &(def, names, limit) in fields {
            let api = &apis.iter().find(|(d, _)| *d == def).unwrap().1;
            for name in names {
                let ours = &bundle["$defs"][def]["properties"][name];
                let theirs = &api["properties"][name];
                assert_eq!(ours["maxLength"], limit, "{def}.{name}");
                assert_eq!(
                    theirs["maxLength"], limit,
                    "{def}.{name} in the OpenAPI schema"
                );
                if limit == limits::ID && *name != "code" {
                    assert_eq!(ours["pattern"], ID_PATTERN, "{def}.{name}");
                    assert_eq!(theirs["pattern"], ID_PATTERN, "{def}.{name}");
                }
            }
        }
        let code = &apis[7].1["properties"]["code"]["pattern"];
        assert_eq!(code, CODE_PATTERN);
        let needs = &bundle["$defs"]["Problem"]["properties"]["needs"]["items"];
        assert_eq!(needs["maxLength"], limits::ID);
        assert_eq!(needs["pattern"], CODE_PATTERN);
        for (def, list) in [
            ("Project", "participants"),
            ("Project", "problems"),
            ("Consortium", "members"),
            ("PolicyTool", "chains"),
        ] {
            let items = &bundle["$defs"][def]["properties"][list]["items"];
            assert_eq!(items["maxLength"], limits::ID, "{def}.{list}");
            assert_eq!(items["pattern"], ID_PATTERN, "{def}.{list}");
        }
        for def in ["PolicyTool", "Goal"] {
            let api = &apis.iter().find(|(d, _)| *d == def).unwrap().1;
            for region in [
                &bundle["$defs"][def]["properties"]["region"],
                &api["properties"]["region"],
            ] {
                assert_eq!(region["pattern"], REGION_PREFIX_PATTERN, "{def}.region");
            }
        }
    }

    /// The numbers validation bounds are bounded alike in the bundle schema and in the OpenAPI
    /// schemas (which once allowed `version: 0`, `severity: 0` and `capacity: 0`).
    #[test]
    fn the_schemas_bound_numbers_as_validation_does() {
        fn openapi<T: utoipa::PartialSchema>() -> serde_json::Value {
            serde_json::to_value(T::schema()).unwrap()
        }
        let bundle = bundle_schema();
        let defs = &bundle["$defs"];
        let version = &bundle["properties"]["version"];
        assert_eq!(version["const"], BUNDLE_VERSION);
        let api_version = &openapi::<Bundle>()["properties"]["version"];
        assert_eq!(api_version["minimum"], 1);
        assert_eq!(api_version["maximum"], 1);
        for severity in [
            &defs["Problem"]["properties"]["severity"],
            &openapi::<Problem>()["properties"]["severity"],
        ] {
            assert_eq!(
                (&severity["minimum"], &severity["maximum"]),
                (&1.into(), &5.into())
            );
        }
        for capacity in [
            &defs["Capability"]["properties"]["capacity"],
            &openapi::<Capability>()["properties"]["capacity"],
        ] {
            assert_eq!(capacity["minimum"], 1);
            assert_eq!(capacity["maximum"], u32::MAX);
            assert_eq!(capacity["type"][0], "integer");
        }
        assert_eq!(
            defs["Supply"]["properties"]["part"]["pattern"],
            PART_PATTERN
        );
        // Years, counts and shares of the quality work.
        let years = [
            ("Project", "year"),
            ("Consortium", "founded"),
            ("PolicyTool", "year"),
            ("Goal", "year"),
        ];
        let apis = [
            ("Project", openapi::<Project>()),
            ("Consortium", openapi::<Consortium>()),
            ("PolicyTool", openapi::<PolicyTool>()),
            ("Goal", openapi::<Goal>()),
            ("ProjectResults", openapi::<ProjectResults>()),
        ];
        let api = |def: &str| &apis.iter().find(|(d, _)| *d == def).unwrap().1;
        for (def, field) in years {
            for year in [
                &defs[def]["properties"][field],
                &api(def)["properties"][field],
            ] {
                assert_eq!(year["minimum"], FIRST_YEAR, "{def}.{field}");
                assert_eq!(year["maximum"], LAST_YEAR, "{def}.{field}");
            }
        }
        for count in ["patents", "standards"] {
            for c in [
                &defs["ProjectResults"]["properties"][count],
                &api("ProjectResults")["properties"][count],
            ] {
                assert_eq!(
                    (&c["minimum"], &c["maximum"]),
                    (&0.into(), &u32::MAX.into())
                );
            }
        }
        for share in [
            &defs["Goal"]["properties"]["international_share"],
            &api("Goal")["properties"]["international_share"],
        ] {
            assert_eq!(
                (&share["minimum"], &share["maximum"]),
                (&0.into(), &1.into())
            );
        }
        // Which fields each kind carries: enterprises no level or capabilities, providers a
        // level, capabilities and a region but no chains; the domestic a region.
        let rules = &defs["Organization"]["allOf"];
        assert_eq!(rules[0]["if"]["properties"]["kind"]["const"], "enterprise");
        assert_eq!(rules[0]["then"]["properties"]["level"]["type"], "null");
        assert_eq!(
            rules[0]["else"]["required"],
            serde_json::json!(["level", "capabilities", "region"])
        );
        assert_eq!(rules[0]["else"]["properties"]["chains"]["type"], "null");
        assert_eq!(rules[1]["else"]["required"], serde_json::json!(["region"]));
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
    /// Whether a region record with `code` is stored (it may name a code GB/T 2260 lacks).
    fn has_region(&self, code: &str) -> bool;
    fn chain(&self, id: &str) -> Option<Chain>;
    fn organization(&self, id: &str) -> Option<Organization>;
    fn problem(&self, id: &str) -> Option<Problem>;
    fn consortium(&self, id: &str) -> Option<Consortium>;
    fn has_supply(&self, supply: &Supply) -> bool;
    /// Every supply (on any chain) with `org` at either end.
    fn supplies_touching(&self, org: &str) -> Vec<Supply>;
    /// Every problem held by `org`.
    fn problems_of(&self, org: &str) -> Vec<Problem>;
    /// Every project, in id order. Projects are few (hundreds per province and year), so a
    /// check that must know which of them refer to a record reads them all.
    fn projects(&self) -> Vec<Project>;
    /// Every consortium, in id order (a few dozen per province).
    fn consortia(&self) -> Vec<Consortium>;
    /// Every stored notice (read to refuse deleting what a notice names).
    fn notices(&self) -> Vec<Notice>;
}

/// One atomic write: records to upsert and records to delete, applied all or nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeSet {
    pub upsert: Bundle,
    pub delete_regions: Vec<String>,
    pub delete_capabilities: Vec<String>,
    pub delete_chains: Vec<String>,
    pub delete_organizations: Vec<String>,
    pub delete_supplies: Vec<Supply>,
    pub delete_problems: Vec<String>,
    pub delete_projects: Vec<String>,
    pub delete_consortia: Vec<String>,
    pub delete_policy_tools: Vec<String>,
    pub delete_goals: Vec<String>,
    pub delete_notices: Vec<String>,
}

impl ChangeSet {
    /// Records upserted and deleted.
    pub fn record_count(&self) -> usize {
        self.upsert.record_count()
            + self.delete_regions.len()
            + self.delete_capabilities.len()
            + self.delete_chains.len()
            + self.delete_organizations.len()
            + self.delete_supplies.len()
            + self.delete_problems.len()
            + self.delete_projects.len()
            + self.delete_consortia.len()
            + self.delete_policy_tools.len()
            + self.delete_goals.len()
            + self.delete_notices.len()
    }

    /// A change that only upserts `bundle`.
    pub fn upsert(bundle: Bundle) -> ChangeSet {
        ChangeSet {
            upsert: bundle,
            ..ChangeSet::default()
        }
    }
}

//! The quality work run on chains: tackling projects (质量攻关项目), quality-innovation consortia
//! (质量创新联合体), the policy tools a government offers (政策工具) and the yearly goals the work
//! is judged by (年度目标). With the map and the problem list they make up 一图三清单.
//!
//! These are plain records of bundle format 1 (the optional arrays `projects`, `consortia`,
//! `policy_tools` and `goals`); `crate::validate` checks their references and ranges, and the
//! analyses (untackled problems, goals progress, policy-tool matching) read them from the
//! `Dataset`.

use super::{limits, Category, Element, ID_PATTERN, REGION_PREFIX_PATTERN};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The first year a project, consortium, policy tool or goal may carry.
pub const FIRST_YEAR: u16 = 1990;
/// The last year a project, consortium, policy tool or goal may carry.
pub const LAST_YEAR: u16 = 2100;

/// The category of a tackling project, after Shanghai's three kinds of yearly targets.
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
pub enum ProjectCategory {
    /// 产业链协同提升: improvement led along the chain, around its weak links (flagship projects).
    ChainCollaboration,
    /// 共性技术攻关: common technology (standards, metrology, testing, certification).
    CommonTechnology,
    /// 重点产品攻关: a key product, usually at a chain master.
    KeyProduct,
}

impl ProjectCategory {
    pub const ALL: [ProjectCategory; 3] = [
        ProjectCategory::ChainCollaboration,
        ProjectCategory::CommonTechnology,
        ProjectCategory::KeyProduct,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectCategory::ChainCollaboration => "chain_collaboration",
            ProjectCategory::CommonTechnology => "common_technology",
            ProjectCategory::KeyProduct => "key_product",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectCategory> {
        ProjectCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ProjectCategory::ChainCollaboration => "产业链协同提升",
            ProjectCategory::CommonTechnology => "共性技术攻关",
            ProjectCategory::KeyProduct => "重点产品攻关",
        }
    }
}

/// Where a project stands: `proposed` → `approved` (立项) → `in_progress` → `completed` (验收),
/// or `cancelled` at any point.
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
pub enum ProjectStatus {
    /// 申报: proposed, not yet approved.
    Proposed,
    /// 立项: approved.
    Approved,
    /// 在研: running.
    InProgress,
    /// 验收: completed.
    Completed,
    /// 终止: cancelled.
    Cancelled,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 5] = [
        ProjectStatus::Proposed,
        ProjectStatus::Approved,
        ProjectStatus::InProgress,
        ProjectStatus::Completed,
        ProjectStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Proposed => "proposed",
            ProjectStatus::Approved => "approved",
            ProjectStatus::InProgress => "in_progress",
            ProjectStatus::Completed => "completed",
            ProjectStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ProjectStatus::Proposed => "申报",
            ProjectStatus::Approved => "立项",
            ProjectStatus::InProgress => "在研",
            ProjectStatus::Completed => "验收",
            ProjectStatus::Cancelled => "终止",
        }
    }

    /// Whether a project in this status still tackles its problems: neither `cancelled` nor
    /// `completed` (a live project takes a problem off the untackled list).
    pub fn is_live(self) -> bool {
        !matches!(self, ProjectStatus::Cancelled | ProjectStatus::Completed)
    }

    /// Whether a project in this status counts toward a yearly goal's targets: neither
    /// `proposed` nor `cancelled`.
    pub fn counts_toward_goals(self) -> bool {
        !matches!(self, ProjectStatus::Proposed | ProjectStatus::Cancelled)
    }
}

/// The level a completed project reached (验收水平). Not a provider's [`Level`](super::Level).
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
pub enum ProjectLevel {
    /// 国际领先.
    InternationalLeading,
    /// 国际先进.
    InternationalAdvanced,
    /// 国内领先.
    DomesticLeading,
    /// 国内先进.
    DomesticAdvanced,
}

impl ProjectLevel {
    pub const ALL: [ProjectLevel; 4] = [
        ProjectLevel::InternationalLeading,
        ProjectLevel::InternationalAdvanced,
        ProjectLevel::DomesticLeading,
        ProjectLevel::DomesticAdvanced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectLevel::InternationalLeading => "international_leading",
            ProjectLevel::InternationalAdvanced => "international_advanced",
            ProjectLevel::DomesticLeading => "domestic_leading",
            ProjectLevel::DomesticAdvanced => "domestic_advanced",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ProjectLevel::InternationalLeading => "国际领先",
            ProjectLevel::InternationalAdvanced => "国际先进",
            ProjectLevel::DomesticLeading => "国内领先",
            ProjectLevel::DomesticAdvanced => "国内先进",
        }
    }

    /// Whether this level counts toward a goal's `international_share`: `international_leading`
    /// or `international_advanced`.
    pub fn is_international(self) -> bool {
        matches!(
            self,
            ProjectLevel::InternationalLeading | ProjectLevel::InternationalAdvanced
        )
    }
}

/// What a project produced (成果).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectResults {
    /// Number of patents (专利) it produced.
    #[serde(default)]
    #[schemars(range(min = 0, max = u32::MAX))]
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub patents: u32,
    /// Number of standards (标准) it drafted or revised.
    #[serde(default)]
    #[schemars(range(min = 0, max = u32::MAX))]
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub standards: u32,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = limits::SUMMARY))]
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
}

/// A quality-tackling project (质量攻关项目) on one chain: an entry of the key-project list
/// (重点项目清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub title: String,
    pub category: ProjectCategory,
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub chain: String,
    /// The lead (牵头单位): an enterprise that is a member of `chain`.
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub lead: String,
    /// The other organizations taking part (参与单位): firms, institutes, QI bodies.
    #[serde(default)]
    #[schemars(inner(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN)))]
    pub participants: Vec<String>,
    /// Ids of the problems it tackles, each on `chain`.
    #[serde(default)]
    #[schemars(inner(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN)))]
    pub problems: Vec<String>,
    /// The year it belongs to (立项年度), 1990 to 2100.
    #[schemars(range(min = FIRST_YEAR, max = LAST_YEAR))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub year: u16,
    pub status: ProjectStatus,
    /// The level it reached; only on a `completed` project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<ProjectLevel>,
    /// The consortium that runs it, on the same chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub consortium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<ProjectResults>,
}

impl Project {
    /// Whether it still tackles its problems (see [`ProjectStatus::is_live`]).
    pub fn is_live(&self) -> bool {
        self.status.is_live()
    }

    /// Whether it counts toward a goal's targets (see [`ProjectStatus::counts_toward_goals`]).
    pub fn counts_toward_goals(&self) -> bool {
        self.status.counts_toward_goals()
    }

    /// Every organization taking part: the lead, then the participants.
    pub fn organizations(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.lead.as_str()).chain(self.participants.iter().map(String::as_str))
    }
}

/// A quality-innovation consortium (质量创新联合体): firms of one chain led by an enterprise on
/// it (normally a chain master), with institutes and QI bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consortium {
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
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub chain: String,
    /// The lead (牵头单位): an enterprise that is a member of `chain`.
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub lead: String,
    /// The other members (成员单位): any organizations.
    #[serde(default)]
    #[schemars(inner(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN)))]
    pub members: Vec<String>,
    /// The year it was founded, 1990 to 2100.
    #[schemars(range(min = FIRST_YEAR, max = LAST_YEAR))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub founded: u16,
}

impl Consortium {
    /// Every organization of the consortium: the lead, then the members.
    pub fn organizations(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.lead.as_str()).chain(self.members.iter().map(String::as_str))
    }
}

/// What kind of measure a policy tool is.
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
pub enum PolicyKind {
    /// 资金支持: grants and subsidies.
    Funding,
    /// 标准化: standardization support.
    Standardization,
    /// 计量: metrology services.
    Metrology,
    /// 检验检测: testing services.
    Testing,
    /// 认证认可: certification.
    Certification,
    /// 人才: talent.
    Talent,
    /// 平台: platforms (centres, service stations, shared labs).
    Platform,
    /// 金融: finance (质量贷, insurance, …).
    Finance,
    /// 其他.
    Other,
}

impl PolicyKind {
    pub const ALL: [PolicyKind; 9] = [
        PolicyKind::Funding,
        PolicyKind::Standardization,
        PolicyKind::Metrology,
        PolicyKind::Testing,
        PolicyKind::Certification,
        PolicyKind::Talent,
        PolicyKind::Platform,
        PolicyKind::Finance,
        PolicyKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Funding => "funding",
            PolicyKind::Standardization => "standardization",
            PolicyKind::Metrology => "metrology",
            PolicyKind::Testing => "testing",
            PolicyKind::Certification => "certification",
            PolicyKind::Talent => "talent",
            PolicyKind::Platform => "platform",
            PolicyKind::Finance => "finance",
            PolicyKind::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PolicyKind::Funding => "资金支持",
            PolicyKind::Standardization => "标准化",
            PolicyKind::Metrology => "计量",
            PolicyKind::Testing => "检验检测",
            PolicyKind::Certification => "认证认可",
            PolicyKind::Talent => "人才",
            PolicyKind::Platform => "平台",
            PolicyKind::Finance => "金融",
            PolicyKind::Other => "其他",
        }
    }
}

/// The kind of QI gap a policy tool addresses (see docs/analyses.md, gaps).
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
pub enum GapKind {
    /// 基础设施缺口: no QI body in reach has the capability.
    Infrastructure,
    /// 能力缺口: the bodies in reach have it, but not enough capacity.
    Capacity,
}

impl GapKind {
    pub const ALL: [GapKind; 2] = [GapKind::Infrastructure, GapKind::Capacity];

    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Infrastructure => "infrastructure",
            GapKind::Capacity => "capacity",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            GapKind::Infrastructure => "基础设施缺口",
            GapKind::Capacity => "能力缺口",
        }
    }
}

/// A policy tool (政策工具): a measure a government offers in a region, and what it addresses.
/// An entry of the policy-tool list (政策工具清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyTool {
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub title: String,
    pub kind: PolicyKind,
    /// Who issues it (发布单位), free text.
    #[schemars(length(max = limits::TEXT))]
    #[schema(max_length = 500)]
    pub issuer: String,
    /// Where it applies: a region-code prefix of 2 (province), 4 (city) or 6 (county) digits.
    #[schemars(regex(pattern = REGION_PREFIX_PATTERN))]
    #[schema(pattern = r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$")]
    pub region: String,
    /// The year it was issued, 1990 to 2100.
    #[schemars(range(min = FIRST_YEAR, max = LAST_YEAR))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub year: u16,
    /// The QI elements it addresses.
    #[serde(default)]
    pub elements: Vec<Element>,
    /// The problem categories it addresses.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// The kinds of gap it addresses.
    #[serde(default)]
    pub gaps: Vec<GapKind>,
    /// The chains it is limited to; empty (or absent): every chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN)))]
    pub chains: Vec<String>,
}

impl PolicyTool {
    /// Whether it applies on `chain`: it lists no chain, or lists this one.
    pub fn applies_to_chain(&self, chain: &str) -> bool {
        self.chains.is_empty() || self.chains.iter().any(|c| c == chain)
    }

    /// Whether it applies in `region` (a six-digit code): the code starts with its prefix.
    pub fn applies_in(&self, region: &str) -> bool {
        region.starts_with(self.region.as_str())
    }
}

/// A yearly goal (年度目标) of a region: minimum numbers of projects per category, and the
/// minimum share of completed projects at international level.
///
/// A project counts toward a goal when its `year` is the goal's year and its lead
/// organization's region starts with the goal's `region`: toward `targets` when it is neither
/// `proposed` nor `cancelled`, toward `international_share` when it is `completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    #[schemars(length(min = 1, max = limits::ID), regex(pattern = ID_PATTERN))]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub id: String,
    /// The region it is set for: a region-code prefix of 2, 4 or 6 digits.
    #[schemars(regex(pattern = REGION_PREFIX_PATTERN))]
    #[schema(pattern = r"^([0-9]{2}|[0-9]{4}|[0-9]{6})$")]
    pub region: String,
    /// 1990 to 2100.
    #[schemars(range(min = FIRST_YEAR, max = LAST_YEAR))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub year: u16,
    /// Per project category, the minimum number of that year's projects that are neither
    /// `proposed` nor `cancelled`. A category not listed has no target.
    #[serde(default)]
    #[schemars(extend("propertyNames" = {
        "enum": ["chain_collaboration", "common_technology", "key_product"]
    }))]
    #[schema(value_type = BTreeMap<ProjectCategory, u32>)]
    pub targets: BTreeMap<ProjectCategory, u32>,
    /// The minimum share (0 to 1) of that year's completed projects at `international_leading`
    /// or `international_advanced`; absent: no target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    #[schema(minimum = 0, maximum = 1)]
    pub international_share: Option<f64>,
}

impl Goal {
    /// Whether `project`, led by `lead` (its lead organization's record, if known), belongs to
    /// this goal: the same year, and the lead's region starts with the goal's region (a lead
    /// without a region, such as a foreign firm, belongs to no goal). Whether it then counts
    /// toward the targets or the share depends on its status.
    pub fn covers(&self, project: &Project, lead: Option<&super::Organization>) -> bool {
        project.year == self.year
            && lead
                .and_then(|o| o.region.as_deref())
                .is_some_and(|r| r.starts_with(self.region.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_and_counting_statuses() {
        use ProjectStatus::*;
        let live: Vec<_> = ProjectStatus::ALL
            .into_iter()
            .filter(|s| s.is_live())
            .collect();
        assert_eq!(live, vec![Proposed, Approved, InProgress]);
        let counting: Vec<_> = ProjectStatus::ALL
            .into_iter()
            .filter(|s| s.counts_toward_goals())
            .collect();
        assert_eq!(counting, vec![Approved, InProgress, Completed]);
    }

    #[test]
    fn enum_names_are_their_serde_names() {
        fn check<T: Serialize>(values: &[T], names: impl Fn(&T) -> &'static str) {
            for v in values {
                assert_eq!(serde_json::to_value(v).unwrap(), names(v));
            }
        }
        check(&ProjectCategory::ALL, |c| c.as_str());
        check(&ProjectStatus::ALL, |s| s.as_str());
        check(&ProjectLevel::ALL, |l| l.as_str());
        check(&PolicyKind::ALL, |k| k.as_str());
        check(&GapKind::ALL, |g| g.as_str());
        for c in ProjectCategory::ALL {
            assert_eq!(ProjectCategory::parse(c.as_str()), Some(c));
        }
        for s in ProjectStatus::ALL {
            assert_eq!(ProjectStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn goal_targets_are_keyed_by_category_name() {
        let goal: Goal = serde_json::from_str(
            r#"{"id":"g","region":"31","year":2025,
                "targets":{"key_product":150,"chain_collaboration":5},"international_share":0.6}"#,
        )
        .unwrap();
        assert_eq!(goal.targets[&ProjectCategory::KeyProduct], 150);
        assert_eq!(
            serde_json::to_string(&goal).unwrap(),
            r#"{"id":"g","region":"31","year":2025,"targets":{"chain_collaboration":5,"key_product":150},"international_share":0.6}"#
        );
        assert!(serde_json::from_str::<Goal>(
            r#"{"id":"g","region":"31","year":2025,"targets":{"flagship":5}}"#
        )
        .is_err());
    }

    #[test]
    fn a_goal_covers_the_projects_of_its_year_led_in_its_region() {
        let goal: Goal = serde_json::from_str(r#"{"id":"g","region":"3205","year":2025}"#).unwrap();
        let project: Project = serde_json::from_str(
            r#"{"id":"j","title":"T","category":"key_product","chain":"c","lead":"f",
                "year":2025,"status":"approved"}"#,
        )
        .unwrap();
        let lead = |region: Option<&str>| super::super::Organization {
            id: "f".into(),
            name: "F".into(),
            kind: super::super::OrgKind::Enterprise,
            region: region.map(String::from),
            foreign: region.is_none(),
            country: None,
            chains: None,
            level: None,
            capabilities: None,
        };
        assert!(goal.covers(&project, Some(&lead(Some("320583")))));
        assert!(!goal.covers(&project, Some(&lead(Some("320100")))));
        assert!(!goal.covers(&project, Some(&lead(None))));
        assert!(!goal.covers(&project, None));
        let earlier = Project {
            year: 2024,
            ..project
        };
        assert!(!goal.covers(&earlier, Some(&lead(Some("320583")))));
    }

    #[test]
    fn region_prefixes_are_two_four_or_six_digits() {
        for ok in ["31", "3205", "320583"] {
            assert!(super::super::region::is_prefix(ok), "{ok}");
        }
        for bad in ["", "3", "320", "32058", "3205831", "3a", "３２"] {
            assert!(!super::super::region::is_prefix(bad), "{bad}");
        }
    }

    #[test]
    fn policy_tools_apply_by_chain_and_region_prefix() {
        let tool = PolicyTool {
            id: "t".into(),
            title: "T".into(),
            kind: PolicyKind::Funding,
            issuer: "江苏省市场监督管理局".into(),
            region: "32".into(),
            year: 2025,
            elements: vec![Element::Testing],
            categories: vec![],
            gaps: vec![GapKind::Infrastructure],
            chains: vec![],
        };
        assert!(tool.applies_to_chain("any") && tool.applies_in("320583"));
        assert!(!tool.applies_in("310000"));
        let limited = PolicyTool {
            chains: vec!["c".into()],
            ..tool
        };
        assert!(limited.applies_to_chain("c") && !limited.applies_to_chain("d"));
    }
}

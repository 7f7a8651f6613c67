//! The policy-tool list (政策工具清单, `docs/analyses.md`, "Policy-tool list"): each QI gap of a
//! chain, per region of the firms holding it, with the policy tools that apply to it; the gaps
//! no tool addresses are the policy gaps (政策缺口).

use crate::analysis::coverage::element_of;
use crate::analysis::eligibility::Place;
use crate::analysis::quality::ChainAnalysis;
use crate::model::{Category, Dataset, Element, GapKind, PolicyKind, PolicyTool};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// A policy tool, as the list names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ToolRef {
    pub id: String,
    pub title: String,
    pub kind: PolicyKind,
    pub issuer: String,
    /// Where it applies: a region prefix.
    pub region: String,
    pub year: u16,
}

impl ToolRef {
    fn of(t: &PolicyTool) -> ToolRef {
        ToolRef {
            id: t.id.clone(),
            title: t.title.clone(),
            kind: t.kind,
            issuer: t.issuer.clone(),
            region: t.region.clone(),
            year: t.year,
        }
    }
}

/// One gap of the chain in one region: the unassigned needs of one code and kind held by the
/// firms of one six-digit region code, with the tools that apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GapTools {
    /// `infrastructure` (no provider in reach) or `capacity` (reachable, left unassigned).
    pub kind: GapKind,
    pub code: String,
    /// The code's QI element.
    pub element: String,
    /// The six-digit region code of the firms holding the needs.
    pub region: String,
    /// The name of that region's record, when the dataset has one.
    pub region_name: Option<String>,
    /// How many needs.
    pub needs: u64,
    /// Their total severity.
    pub severity: u64,
    /// The firms holding them, sorted.
    pub firms: Vec<String>,
    /// The problems behind them, sorted.
    pub problems: Vec<String>,
    /// The categories of those problems, in category order.
    pub categories: Vec<Category>,
    /// The policy tools that apply, sorted by id; empty: a policy gap.
    pub tools: Vec<ToolRef>,
}

/// Counts of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PolicyCounts {
    /// Rows of `gaps`.
    pub gaps: usize,
    /// Of them, with at least one tool.
    pub covered: usize,
    /// Of them, without any (the length of `uncovered`).
    pub uncovered: usize,
    /// Distinct tools applying to at least one gap.
    pub tools: usize,
    /// Needs and severity of the uncovered gaps.
    pub uncovered_needs: u64,
    pub uncovered_severity: u64,
    /// Gap needs held by foreign firms (or firms without a region): no regional policy tool
    /// applies to them, and they appear in no row.
    pub foreign_needs: u64,
}

/// The policy-tool list of one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PolicyToolList {
    pub chain: String,
    /// Infrastructure gaps first, then capacity gaps; each by severity (highest first), then
    /// code, then region.
    pub gaps: Vec<GapTools>,
    /// The rows of `gaps` without a tool (政策缺口), in the same order.
    pub uncovered: Vec<GapTools>,
    pub counts: PolicyCounts,
}

/// Whether `tool` applies to a gap of `kind` and `code` held in `region` on `chain` by problems
/// of `categories`: the tool applies on the chain (it lists none, or this one); its region is
/// a prefix of the firms' region; its `elements` contain the code's element, its `gaps` the
/// kind, its `categories` one of the problems' categories, each of the three lists matching
/// anything when empty.
pub fn applies(
    tool: &PolicyTool,
    chain: &str,
    kind: GapKind,
    code: &str,
    region: &str,
    categories: &BTreeSet<Category>,
) -> bool {
    tool.applies_to_chain(chain)
        && tool.applies_in(region)
        && (tool.elements.is_empty()
            || Element::of_code(code).is_some_and(|e| tool.elements.contains(&e)))
        && (tool.gaps.is_empty() || tool.gaps.contains(&kind))
        && (tool.categories.is_empty() || tool.categories.iter().any(|c| categories.contains(c)))
}

/// The policy-tool list of the chain of `analysis`.
///
/// The gaps are the chain's own: the needs its assignment (in the chain scope) leaves
/// unassigned, as in the chain's gap lists, split by the region code of the firm holding each.
///
/// # Arguments
/// - `d`: the dataset (policy tools, firms' regions, problems' categories, region names).
/// - `analysis`: the chain's analysis (its assignment).
///
/// # Returns
/// Every (kind, code, region) gap with its tools, the uncovered ones apart, and counts.
///
/// # Complexity
/// O(U log U) for the U unassigned needs (one firm and one problem lookup each), plus
/// O(R·T) to match R rows against T policy tools.
pub fn policy_tools(d: &Dataset, analysis: &ChainAnalysis) -> PolicyToolList {
    let chain = analysis.weak.id.as_str();
    #[derive(Default)]
    struct Acc<'a> {
        needs: u64,
        severity: u64,
        firms: BTreeSet<&'a str>,
        problems: BTreeSet<&'a str>,
        categories: BTreeSet<Category>,
    }
    let mut rows: BTreeMap<(GapKind, &str, &str), Acc<'_>> = BTreeMap::new();
    let mut foreign = 0u64;
    for n in &analysis.assignment.unassigned {
        let Place::Domestic(region) = Place::of(d.organizations.get(&n.org)) else {
            foreign += 1;
            continue;
        };
        let kind = if n.reachable {
            GapKind::Capacity
        } else {
            GapKind::Infrastructure
        };
        let acc = rows.entry((kind, n.code.as_str(), region)).or_default();
        acc.needs += 1;
        acc.severity += n.severity as u64;
        acc.firms.insert(n.org.as_str());
        acc.problems.insert(n.problem.as_str());
        if let Some(p) = d.problems.get(&n.problem) {
            acc.categories.insert(p.category);
        }
    }
    let tools: Vec<&PolicyTool> = d
        .policy_tools
        .values()
        .filter(|t| t.applies_to_chain(chain))
        .collect();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut gaps: Vec<GapTools> = rows
        .into_iter()
        .map(|((kind, code, region), acc)| {
            let matching: Vec<ToolRef> = tools
                .iter()
                .filter(|t| applies(t, chain, kind, code, region, &acc.categories))
                .map(|t| {
                    used.insert(t.id.as_str());
                    ToolRef::of(t)
                })
                .collect();
            GapTools {
                kind,
                code: code.to_string(),
                element: element_of(code).to_string(),
                region: region.to_string(),
                region_name: d.region_name(region).map(str::to_string),
                needs: acc.needs,
                severity: acc.severity,
                firms: acc.firms.into_iter().map(str::to_string).collect(),
                problems: acc.problems.into_iter().map(str::to_string).collect(),
                categories: acc.categories.into_iter().collect(),
                tools: matching,
            }
        })
        .collect();
    gaps.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.region.cmp(&b.region))
    });
    let uncovered: Vec<GapTools> = gaps
        .iter()
        .filter(|g| g.tools.is_empty())
        .cloned()
        .collect();
    PolicyToolList {
        chain: chain.to_string(),
        counts: PolicyCounts {
            gaps: gaps.len(),
            covered: gaps.len() - uncovered.len(),
            uncovered: uncovered.len(),
            tools: used.len(),
            uncovered_needs: uncovered.iter().map(|g| g.needs).sum(),
            uncovered_severity: uncovered.iter().map(|g| g.severity).sum(),
            foreign_needs: foreign,
        },
        gaps,
        uncovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::coverage::tests::battery;
    use crate::analysis::eligibility::tests::{firm, problem};
    use crate::analysis::eligibility::ProviderIndex;
    use crate::analysis::quality::analyze_chain;
    use crate::graph::Graphs;
    use crate::model::{Problem, Role, Status};

    fn tool(
        id: &str,
        region: &str,
        elements: &[Element],
        gaps: &[GapKind],
        categories: &[Category],
        chains: &[&str],
    ) -> PolicyTool {
        PolicyTool {
            id: id.into(),
            title: format!("tool {id}"),
            kind: PolicyKind::Funding,
            issuer: "市场监督管理局".into(),
            region: region.into(),
            year: 2025,
            elements: elements.to_vec(),
            categories: categories.to_vec(),
            gaps: gaps.to_vec(),
            chains: chains.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn tools_match_gaps_by_region_prefix_element_gap_kind_chain_and_category() {
        // The battery chain (see `coverage::tests::battery`), plus m3 in 南京 needing
        // rd:electrolyte too. Gaps: rd:electrolyte at c1 (苏州 320583, severity 5) and at m3
        // (南京 320102, severity 1), infrastructure; testing:safety at m2 (杭州 330102,
        // severity 2) and at x1 (foreign), capacity.
        let mut d = battery();
        d.organizations.insert(
            "m3".into(),
            firm("m3", Some("320102"), "battery", "materials", Role::Member),
        );
        d.problems.insert(
            "p6".into(),
            problem("p6", "m3", "battery", 1, Status::Open, &["rd:electrolyte"]),
        );
        let mut p3 = d.problems.get("p3").unwrap().clone();
        p3.category = Category::Material;
        d.problems.insert("p3".into(), p3);
        use Element::*;
        use GapKind::*;
        for t in [
            // 江苏, R&D, infrastructure gaps: both rd:electrolyte rows.
            tool("t-js-rd", "32", &[Rd], &[Infrastructure], &[], &[]),
            // 苏州, anything, for material problems on this chain: c1's row only.
            tool(
                "t-sz-any",
                "3205",
                &[],
                &[],
                &[Category::Material],
                &["battery"],
            ),
            // 浙江 testing capacity, but limited to another chain.
            tool("t-zj-other", "33", &[Testing], &[Capacity], &[], &["other"]),
            // 杭州 testing, infrastructure only: m2's gap is capacity.
            tool(
                "t-hz-infra",
                "3301",
                &[Testing],
                &[Infrastructure],
                &[],
                &[],
            ),
            // 杭州 county, certification only: wrong element.
            tool("t-hz-cert", "330102", &[Certification], &[], &[], &[]),
            // 南京, standards: wrong element for m3's row.
            tool("t-nj-std", "3201", &[Standard], &[], &[], &[]),
            // 浙江, material problems only: m2's problem is a testing one.
            tool("t-zj-mat", "33", &[], &[], &[Category::Material], &[]),
        ] {
            d.policy_tools.insert(t.id.clone(), t);
        }
        let graphs = Graphs::build(&d);
        let problems: Vec<&Problem> = d.problems_of_chain("battery").collect();
        let a = analyze_chain(
            &d,
            graphs.chain("battery").unwrap(),
            &problems,
            &ProviderIndex::from_dataset(&d),
        );
        let list = policy_tools(&d, &a);
        let table_name = |code: &str| crate::model::divisions::name_of(code).map(str::to_string);
        let refs = |d: &Dataset, ids: &[&str]| -> Vec<ToolRef> {
            ids.iter()
                .map(|id| ToolRef::of(d.policy_tools.get(*id).unwrap()))
                .collect()
        };
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let row =
            |kind, code: &str, element: &str, region: &str, sev, firm: &str, problem: &str| {
                GapTools {
                    kind,
                    code: code.into(),
                    element: element.into(),
                    region: region.into(),
                    // The dataset names no region: the GB/T 2260 table does.
                    region_name: table_name(region),
                    needs: 1,
                    severity: sev,
                    firms: strings(&[firm]),
                    problems: strings(&[problem]),
                    categories: vec![Category::Testing],
                    tools: vec![],
                }
            };
        let c1 = GapTools {
            categories: vec![Category::Material],
            tools: refs(&d, &["t-js-rd", "t-sz-any"]),
            ..row(
                Infrastructure,
                "rd:electrolyte",
                "rd",
                "320583",
                5,
                "c1",
                "p3",
            )
        };
        let m3 = GapTools {
            tools: refs(&d, &["t-js-rd"]),
            ..row(
                Infrastructure,
                "rd:electrolyte",
                "rd",
                "320102",
                1,
                "m3",
                "p6",
            )
        };
        let m2 = row(
            Capacity,
            "testing:safety",
            "testing",
            "330102",
            2,
            "m2",
            "p2",
        );
        let expected = PolicyToolList {
            chain: "battery".into(),
            gaps: vec![c1, m3, m2.clone()],
            uncovered: vec![m2],
            counts: PolicyCounts {
                gaps: 3,
                covered: 2,
                uncovered: 1,
                tools: 2,
                uncovered_needs: 1,
                uncovered_severity: 2,
                foreign_needs: 1,
            },
        };
        assert_eq!(list, expected);

        // An empty element, gap and category list matches anything in the tool's region.
        d.policy_tools
            .insert("t-zj".into(), tool("t-zj", "33", &[], &[], &[], &[]));
        let list = policy_tools(&d, &a);
        assert!(list.uncovered.is_empty());
        assert_eq!(list.gaps[2].tools, refs(&d, &["t-zj"]));
    }
}

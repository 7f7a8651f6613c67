//! Untackled (`docs/analyses.md`, "Untackled"): what of a chain no live project tackles yet:
//! demand problems, critical nodes with demand problems, and common needs (the same capability
//! needed by ≥ 3 firms) without a live common-technology project.

pub use crate::analysis::changes::FirmRef;
use crate::analysis::coverage::element_of;
use crate::analysis::projects::COMMON_MIN_FIRMS;
use crate::analysis::quality::ChainAnalysis;
use crate::model::{Category, Dataset, Problem, Project, ProjectCategory, Status};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use utoipa::ToSchema;

/// The firm `id` of `d`, by id and name (its id when the organization is unknown).
pub fn firm_ref(d: &Dataset, id: &str) -> FirmRef {
    FirmRef {
        id: id.to_string(),
        name: d
            .organizations
            .get(id)
            .map_or_else(|| id.to_string(), |o| o.name.clone()),
    }
}

/// A demand problem no live project lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UntackledProblem {
    pub id: String,
    pub title: String,
    /// The firm holding it.
    pub firm: FirmRef,
    pub category: Category,
    pub severity: u8,
    pub status: Status,
    /// Its capability codes, as listed.
    pub needs: Vec<String>,
}

/// A critical node with demand problems on the chain, none of which a live project lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UntackledNode {
    pub firm: FirmRef,
    /// The chain masters its failure disables, sorted (from the critical-node analysis).
    pub disabled_masters: Vec<String>,
    /// Its demand problems on the chain, sorted by id.
    pub problems: Vec<String>,
    /// The sum of their severities.
    pub severity: u64,
}

/// A common need (a capability code needed by demand problems of ≥ 3 distinct firms of the
/// chain) without a live common-technology project tackling a problem that needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CommonNeed {
    pub code: String,
    /// The code's QI element.
    pub element: String,
    /// The firms needing it, sorted by id.
    pub firms: Vec<FirmRef>,
    /// The demand problems needing it, sorted by id.
    pub problems: Vec<String>,
    /// Σ over those problems of severity × the times the code appears in its needs.
    pub severity: u64,
}

/// How many of each there are, tackled or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct UntackledCounts {
    /// Demand problems of the chain.
    pub demand_problems: usize,
    /// Of them, no live project lists (the length of `problems`).
    pub untackled_problems: usize,
    /// Critical nodes holding demand problems on the chain.
    pub critical_nodes: usize,
    /// Of them, no live project lists any of those problems (the length of `critical_nodes`).
    pub untackled_critical_nodes: usize,
    /// Codes needed by ≥ 3 distinct firms of the chain.
    pub common_needs: usize,
    /// Of them, no live common-technology project tackles (the length of `common_needs`).
    pub untackled_common_needs: usize,
}

/// The untackled lists of one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UntackledList {
    pub chain: String,
    /// Sorted by severity (highest first), then id.
    pub problems: Vec<UntackledProblem>,
    /// Sorted by severity (highest first), then firm id.
    pub critical_nodes: Vec<UntackledNode>,
    /// Sorted by the number of firms (most first), then severity (highest first), then code.
    pub common_needs: Vec<CommonNeed>,
    pub counts: UntackledCounts,
}

/// The untackled lists of the chain of `analysis`.
///
/// A project is live when it is neither `cancelled` nor `completed`; a problem is tackled when a
/// live project of the chain lists it in `problems`.
///
/// # Arguments
/// - `d`: the dataset, for firm names.
/// - `analysis`: the chain's analysis (its id and critical nodes).
/// - `problems`: the chain's problems (those of other chains and resolved ones are ignored).
/// - `projects`: the chain's projects (those of other chains are ignored).
///
/// # Returns
/// Untackled demand problems, critical nodes and common needs, with the counts.
///
/// # Complexity
/// O(J·k) for J projects listing k problems each, O(P log P + N log N) for the chain's P
/// problems and N needs, plus O(C log C) for C critical nodes.
pub fn untackled(
    d: &Dataset,
    analysis: &ChainAnalysis,
    problems: &[&Problem],
    projects: &[&Project],
) -> UntackledList {
    let chain = analysis.weak.id.as_str();
    let projects: Vec<&Project> = projects
        .iter()
        .copied()
        .filter(|j| j.chain == chain && j.is_live())
        .collect();
    let tackled: HashSet<&str> = projects
        .iter()
        .flat_map(|j| j.problems.iter().map(String::as_str))
        .collect();
    // Problems a live common-technology project lists: their codes are tackled.
    let common_tackled: HashSet<&str> = projects
        .iter()
        .filter(|j| j.category == ProjectCategory::CommonTechnology)
        .flat_map(|j| j.problems.iter().map(String::as_str))
        .collect();
    let demand: Vec<&Problem> = problems
        .iter()
        .copied()
        .filter(|p| p.chain == chain && p.is_demand())
        .collect();

    let mut open: Vec<UntackledProblem> = demand
        .iter()
        .filter(|p| !tackled.contains(p.id.as_str()))
        .map(|p| UntackledProblem {
            id: p.id.clone(),
            title: p.title.clone(),
            firm: firm_ref(d, &p.org),
            category: p.category,
            severity: p.severity,
            status: p.status,
            needs: p.needs.clone(),
        })
        .collect();
    open.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));

    // Critical nodes: firm → its demand problems.
    let mut by_firm: BTreeMap<&str, Vec<&Problem>> = BTreeMap::new();
    for p in &demand {
        by_firm.entry(p.org.as_str()).or_default().push(p);
    }
    let mut holding = 0;
    let mut nodes: Vec<UntackledNode> = Vec::new();
    for c in &analysis.weak.critical_nodes {
        let Some(held) = by_firm.get(c.id.as_str()) else {
            continue;
        };
        holding += 1;
        if held.iter().any(|p| tackled.contains(p.id.as_str())) {
            continue;
        }
        let ids: BTreeSet<&str> = held.iter().map(|p| p.id.as_str()).collect();
        nodes.push(UntackledNode {
            firm: firm_ref(d, &c.id),
            disabled_masters: c.disabled_masters.clone(),
            problems: ids.into_iter().map(str::to_string).collect(),
            severity: held.iter().map(|p| p.severity as u64).sum(),
        });
    }
    nodes.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.firm.id.cmp(&b.firm.id))
    });

    // Common needs: code → (firms, problems, severity, tackled by a common-technology project).
    #[derive(Default)]
    struct Acc<'a> {
        firms: BTreeSet<&'a str>,
        problems: BTreeSet<&'a str>,
        severity: u64,
        tackled: bool,
    }
    let mut by_code: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    for p in &demand {
        let is_tackled = common_tackled.contains(p.id.as_str());
        for code in &p.needs {
            let acc = by_code.entry(code.as_str()).or_default();
            acc.firms.insert(p.org.as_str());
            acc.problems.insert(p.id.as_str());
            acc.severity += p.severity as u64;
            acc.tackled |= is_tackled;
        }
    }
    let mut common = 0;
    let mut needs: Vec<CommonNeed> = Vec::new();
    for (code, acc) in by_code {
        if acc.firms.len() < COMMON_MIN_FIRMS {
            continue;
        }
        common += 1;
        if acc.tackled {
            continue;
        }
        needs.push(CommonNeed {
            code: code.to_string(),
            element: element_of(code).to_string(),
            firms: acc.firms.iter().map(|f| firm_ref(d, f)).collect(),
            problems: acc.problems.iter().map(|p| p.to_string()).collect(),
            severity: acc.severity,
        });
    }
    needs.sort_by(|a, b| {
        b.firms
            .len()
            .cmp(&a.firms.len())
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.code.cmp(&b.code))
    });

    UntackledList {
        chain: chain.to_string(),
        counts: UntackledCounts {
            demand_problems: demand.len(),
            untackled_problems: open.len(),
            critical_nodes: holding,
            untackled_critical_nodes: nodes.len(),
            common_needs: common,
            untackled_common_needs: needs.len(),
        },
        problems: open,
        critical_nodes: nodes,
        common_needs: needs,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::eligibility::tests::problem;
    use crate::analysis::eligibility::ProviderIndex;
    use crate::analysis::quality::analyze_chain;
    use crate::analysis::testing::{dataset_with_members, graph_of, CHAIN};
    use crate::model::ProjectStatus;

    /// The chain `c` of the quality-work tests, every firm in 320583 (昆山):
    ///
    /// ```text
    ///   g ──ore──▶ a ──cell──▶ m (master)      a, b, f, g critical (single sources of m,
    ///              b ──case──▶ m                or of a); k and e alternatives for bolts
    ///              f ──glass─▶ m
    ///              k ──bolt──▶ m
    ///              e ──bolt──▶ m
    ///
    ///   p-m1  m  5 open         [testing:x]
    ///   p-a1  a  4 open         [testing:x]
    ///   p-a2  a  2 in_progress  [standard:y]
    ///   p-b1  b  3 open         [testing:x, metrology:z]
    ///   p-k1  k  2 open         [metrology:z, standard:y]
    ///   p-e1  e  1 resolved     [metrology:z]
    ///   p-e2  e  3 open         [metrology:z]
    ///   p-f1  f  2 open         []
    /// ```
    ///
    /// testing:x is needed by m, a, b (3 firms), metrology:z by b, k, e (3; p-e1 is resolved),
    /// standard:y by a and k (2).
    pub(crate) fn chain_dataset() -> Dataset {
        let mut d = dataset_with_members(
            &[],
            &["m"],
            &[],
            &[
                ("g", "a", "ore"),
                ("a", "m", "cell"),
                ("b", "m", "case"),
                ("f", "m", "glass"),
                ("k", "m", "bolt"),
                ("e", "m", "bolt"),
            ],
        );
        for p in [
            problem("p-m1", "m", CHAIN, 5, Status::Open, &["testing:x"]),
            problem("p-a1", "a", CHAIN, 4, Status::Open, &["testing:x"]),
            problem("p-a2", "a", CHAIN, 2, Status::InProgress, &["standard:y"]),
            problem(
                "p-b1",
                "b",
                CHAIN,
                3,
                Status::Open,
                &["testing:x", "metrology:z"],
            ),
            problem(
                "p-k1",
                "k",
                CHAIN,
                2,
                Status::Open,
                &["metrology:z", "standard:y"],
            ),
            problem("p-e1", "e", CHAIN, 1, Status::Resolved, &["metrology:z"]),
            problem("p-e2", "e", CHAIN, 3, Status::Open, &["metrology:z"]),
            problem("p-f1", "f", CHAIN, 2, Status::Open, &[]),
        ] {
            d.problems.insert(p.id.clone(), p);
        }
        d
    }

    /// A project of chain `c` led by `m`, of year 2025.
    pub(crate) fn project(
        id: &str,
        category: &str,
        status: ProjectStatus,
        problems: &[&str],
    ) -> Project {
        let category = match category {
            "ct" => ProjectCategory::CommonTechnology,
            "cc" => ProjectCategory::ChainCollaboration,
            _ => ProjectCategory::KeyProduct,
        };
        Project {
            id: id.into(),
            title: format!("project {id}"),
            category,
            chain: CHAIN.into(),
            lead: "m".into(),
            participants: vec![],
            problems: problems.iter().map(|s| s.to_string()).collect(),
            year: 2025,
            status,
            level: None,
            consortium: None,
            results: None,
        }
    }

    /// The analysis of chain `c` of `d`.
    pub(crate) fn analysis(d: &Dataset) -> ChainAnalysis {
        let problems: Vec<&Problem> = d.problems_of_chain(CHAIN).collect();
        analyze_chain(d, &graph_of(d), &problems, &ProviderIndex::from_dataset(d))
    }

    fn firm(id: &str) -> FirmRef {
        FirmRef {
            id: id.into(),
            name: format!("企业{id}"),
        }
    }

    #[test]
    fn cancelled_and_completed_projects_do_not_tackle_and_common_needs_start_at_three_firms() {
        let mut d = chain_dataset();
        for j in [
            // Live, but key product: p-m1 is tackled, testing:x is not (not common technology).
            project("j1", "kp", ProjectStatus::InProgress, &["p-m1"]),
            // Cancelled and completed: tackle nothing.
            project("j2", "cc", ProjectStatus::Cancelled, &["p-a1"]),
            project("j3", "ct", ProjectStatus::Completed, &["p-b1"]),
            // Live common technology on a problem needing metrology:z (and standard:y): p-k1 and
            // p-f1 tackled, metrology:z tackled.
            project("j4", "ct", ProjectStatus::Approved, &["p-k1", "p-f1"]),
        ] {
            d.projects.insert(j.id.clone(), j);
        }
        let a = analysis(&d);
        let critical: Vec<&str> = a
            .weak
            .critical_nodes
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(critical, ["a", "b", "f", "g"]);
        let problems: Vec<&Problem> = d.problems.values().collect();
        let projects: Vec<&Project> = d.projects.values().collect();
        let list = untackled(&d, &a, &problems, &projects);
        let open = |id: &str, f: &str, sev: u8, status: Status, needs: &[&str]| UntackledProblem {
            id: id.into(),
            title: format!("problem {id}"),
            firm: firm(f),
            category: Category::Testing,
            severity: sev,
            status,
            needs: needs.iter().map(|s| s.to_string()).collect(),
        };
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let expected = UntackledList {
            chain: CHAIN.into(),
            problems: vec![
                open("p-a1", "a", 4, Status::Open, &["testing:x"]),
                open("p-b1", "b", 3, Status::Open, &["testing:x", "metrology:z"]),
                open("p-e2", "e", 3, Status::Open, &["metrology:z"]),
                open("p-a2", "a", 2, Status::InProgress, &["standard:y"]),
            ],
            // f's only problem is tackled; g holds none.
            critical_nodes: vec![
                UntackledNode {
                    firm: firm("a"),
                    disabled_masters: strings(&["m"]),
                    problems: strings(&["p-a1", "p-a2"]),
                    severity: 6,
                },
                UntackledNode {
                    firm: firm("b"),
                    disabled_masters: strings(&["m"]),
                    problems: strings(&["p-b1"]),
                    severity: 3,
                },
            ],
            // standard:y has only two firms; metrology:z is tackled by j4.
            common_needs: vec![CommonNeed {
                code: "testing:x".into(),
                element: "testing".into(),
                firms: vec![firm("a"), firm("b"), firm("m")],
                problems: strings(&["p-a1", "p-b1", "p-m1"]),
                severity: 12,
            }],
            counts: UntackledCounts {
                demand_problems: 7,
                untackled_problems: 4,
                critical_nodes: 3,
                untackled_critical_nodes: 2,
                common_needs: 2,
                untackled_common_needs: 1,
            },
        };
        assert_eq!(list, expected);

        // Without projects everything is untackled; metrology:z (b, k, e) is listed, after
        // testing:x (same firm count, severity 12 against 8).
        let none = untackled(&d, &a, &problems, &[]);
        let codes: Vec<(&str, usize, u64)> = none
            .common_needs
            .iter()
            .map(|n| (n.code.as_str(), n.firms.len(), n.severity))
            .collect();
        assert_eq!(codes, [("testing:x", 3, 12), ("metrology:z", 3, 8)]);
        assert_eq!(none.problems.len(), 7);
        let nodes: Vec<&str> = none
            .critical_nodes
            .iter()
            .map(|n| n.firm.id.as_str())
            .collect();
        assert_eq!(nodes, ["a", "b", "f"]);
    }
}

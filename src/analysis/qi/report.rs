//! The QI report of a scope ([`qi_report`]): coverage with its breakdowns, gaps, an assignment
//! summary, key projects and recommendations.

use super::assignment::{assign_needs, Assignment};
use super::coverage::{gaps, report_from, views, CoverageReport, Gaps};
use super::eligibility::{needs, Need, ProviderIndex, Scope};
use super::projects::{key_projects_with, KeyProjects, WeakLinks};
use super::recommend::{recommendations, Recommendation};
use crate::model::{Dataset, Problem};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// How the assignment used the providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AssignmentSummary {
    /// Assigned needs at distance tier 0, 1, 2 and 3.
    pub by_tier: [u64; 4],
    /// Providers that took at least one need.
    pub providers_used: u64,
    /// The ten providers that took the most needs: (provider id, needs), most first.
    pub busiest: Vec<(String, u64)>,
}

impl AssignmentSummary {
    /// The summary of an assignment.
    ///
    /// Complexity: O(N + K log K) for N assigned needs and K providers used.
    pub fn of(a: &Assignment) -> AssignmentSummary {
        let mut by_tier = [0u64; 4];
        let mut load: HashMap<&str, u64> = HashMap::new();
        for n in &a.assigned {
            by_tier[n.tier.min(3) as usize] += 1;
            *load.entry(&n.provider).or_default() += 1;
        }
        let mut busiest: Vec<(String, u64)> =
            load.iter().map(|(p, n)| (p.to_string(), *n)).collect();
        busiest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        busiest.truncate(10);
        AssignmentSummary {
            by_tier,
            providers_used: load.len() as u64,
            busiest,
        }
    }
}

/// The QI side of a scope: what a chain's (or the dataset's) analysis embeds under `"coverage"`
/// and beside it: the coverage figures with their breakdowns, then gaps, the assignment's
/// summary, key projects and recommendations.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QiReport {
    /// Coverage and its breakdowns (the fields of a [`CoverageReport`], inline).
    #[serde(flatten)]
    pub figures: CoverageReport,
    pub gaps: Gaps,
    pub assignment: AssignmentSummary,
    /// Common-technology and key-product projects (chain-collaboration ones need the weak links:
    /// see [`super::projects::key_projects`]).
    pub projects: KeyProjects,
    /// The twenty best candidate additions.
    pub recommendations: Vec<Recommendation>,
}

/// Recommendations kept in a [`QiReport`].
pub const REPORT_RECOMMENDATIONS: usize = 20;

/// The QI report of a scope.
///
/// Arguments: the dataset and the scope.
/// Returns: coverage with breakdowns, gaps, assignment summary, projects and recommendations.
/// Complexity: one assignment of the scope (see [`super::assignment`]) plus linear-time
/// aggregations.
pub fn qi_report(d: &Dataset, scope: Scope) -> QiReport {
    let index = ProviderIndex::from_dataset(d);
    let needs = needs(d, &scope);
    let a = assign_needs(&needs, &index, scope);
    qi_report_of(d, &a, &index)
}

/// The QI report of an assignment already computed against `index`.
pub fn qi_report_of(d: &Dataset, a: &Assignment, index: &ProviderIndex) -> QiReport {
    let problems: Vec<&Problem> = d.problems.values().collect();
    qi_report_with(d, a, index, &WeakLinks::default(), &problems, &[])
}

/// [`qi_report_of`] with the weak links that make chain-collaboration projects, over the
/// scope's `problems` (in id order) and the `needs` the assignment was made from (see
/// [`key_projects_with`]).
pub fn qi_report_with(
    d: &Dataset,
    a: &Assignment,
    index: &ProviderIndex,
    weak: &WeakLinks,
    problems: &[&Problem],
    needs: &[Need<'_>],
) -> QiReport {
    // The parts read the same assignment and nothing else of each other: computed side by side.
    let ((figures, projects), ((gaps, assignment), recommendations)) = rayon::join(
        || {
            rayon::join(
                || report_from(d, a.scope.clone(), views(a)),
                || key_projects_with(d, a, weak, index, problems, needs),
            )
        },
        || {
            rayon::join(
                || (gaps(a), AssignmentSummary::of(a)),
                || {
                    let mut recs = recommendations(d, a, None);
                    recs.truncate(REPORT_RECOMMENDATIONS);
                    recs
                },
            )
        },
    );
    QiReport {
        figures,
        gaps,
        assignment,
        projects,
        recommendations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::coverage::tests::battery;
    use crate::analysis::eligibility::tests::{firm, problem, provider};
    use crate::model::{Chain, Level, Role, Status};

    #[test]
    fn each_chain_gets_a_row_with_its_own_capacities() {
        let mut d = battery();
        d.chains.insert(
            "hydrogen".into(),
            Chain {
                id: "hydrogen".into(),
                name: "氢能".into(),
                chief: None,
                segments: vec![],
            },
        );
        d.organizations.insert(
            "h1".into(),
            firm("h1", Some("320506"), "hydrogen", "s", Role::ChainMaster),
        );
        d.problems.insert(
            "p9".into(),
            problem(
                "p9",
                "h1",
                "hydrogen",
                1,
                Status::Open,
                &["testing:safety", "standard:h2"],
            ),
        );
        let graphs = crate::graph::Graphs::build(&d);
        let rows = crate::analysis::analyze_full(&d, &graphs, None)
            .dataset
            .unwrap()
            .comparison
            .clone();
        assert_eq!(rows.len(), 2);
        let b = &rows[0];
        assert_eq!(
            (b.id.as_str(), b.firms, b.masters, b.demand_problems),
            ("battery", 4, 1, 4)
        );
        assert_eq!((b.coverage.needs_total, b.coverage.needs_assigned), (6, 3));
        assert_eq!((b.infrastructure_gaps, b.capacity_gaps), (1, 2));
        let h = &rows[1];
        assert_eq!((h.firms, h.masters, h.demand_problems), (1, 1, 1));
        // Its own capacities: testing:safety is still free for hydrogen.
        assert_eq!((h.coverage.needs_total, h.coverage.needs_assigned), (2, 1));
        assert_eq!((h.infrastructure_gaps, h.capacity_gaps), (1, 0));
        // A lone master disables nobody else.
        assert_eq!(h.critical_nodes, 0);
    }

    #[test]
    fn the_qi_report_bundles_coverage_gaps_projects_and_recommendations() {
        let mut d = battery();
        d.organizations.insert(
            "q2".into(),
            provider(
                "q2",
                Level::Municipal,
                "320506",
                &[("testing:safety", Some(5))],
            ),
        );
        let r = qi_report(&d, Scope::Chain("battery".into()));
        // q2 (same county as m1, serves 苏州) lets m1 and c1 both stay in 苏州; x1 takes qn.
        assert_eq!(r.figures.coverage.needs_assigned, 4);
        // Tiers: m1 testing 0 (q2), c1 testing 1, m1 metrology 2 (qm), x1 3 (qn).
        assert_eq!(r.assignment.by_tier, [1, 1, 1, 1]);
        assert_eq!(r.gaps.infrastructure[0].code, "rd:electrolyte");
        assert_eq!(r.projects.common_technology.len(), 1);
        assert_eq!(r.projects.key_product.len(), 1);
        assert_eq!(r.recommendations[0].code, "rd:electrolyte");
        let json = serde_json::to_value(&r).unwrap();
        let mut keys: Vec<&str> = json["coverage"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "needs_assigned",
                "needs_reachable",
                "needs_total",
                "severity_assigned",
                "severity_total",
                "tier_cost"
            ]
        );
        assert_eq!(json["scope"], serde_json::json!({"chain": "battery"}));
        // The same figures when every chain is analysed at once.
        let full = crate::analysis::analyze_full(&d, &crate::graph::Graphs::build(&d), None);
        let bulk = &full
            .chains
            .iter()
            .find(|c| c.weak.id == "battery")
            .unwrap()
            .qi;
        assert_eq!(
            (
                &bulk.figures.coverage,
                &bulk.figures.by_segment,
                &bulk.figures.by_element,
                &bulk.gaps,
                &bulk.assignment
            ),
            (
                &r.figures.coverage,
                &r.figures.by_segment,
                &r.figures.by_element,
                &r.gaps,
                &r.assignment
            )
        );
    }
}

//! Coverage of a scope's needs by QI supply (`docs/analyses.md`, "Coverage"), broken down by
//! segment, QI element and region; gap lists; and the per-firm QI gap used by the risk score.
//!
//! This module only aggregates an [`Assignment`]; it never re-solves one.

use super::assignment::{Assignment, Outcome};
use super::eligibility::{FastMap, Scope};
use crate::model::{region, Dataset, Element};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// Coverage figures of a set of needs. The field names are part of the product's contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Coverage {
    pub needs_total: u64,
    /// Needs with at least one eligible provider, capacity ignored.
    pub needs_reachable: u64,
    pub needs_assigned: u64,
    pub severity_total: u64,
    pub severity_assigned: u64,
    /// Total distance tier of the assigned needs.
    pub tier_cost: u64,
}

impl Coverage {
    /// Counts one need of `severity` with its outcome.
    pub fn add(&mut self, severity: u8, outcome: Outcome) {
        self.needs_total += 1;
        self.severity_total += severity as u64;
        match outcome {
            Outcome::Assigned { tier, .. } => {
                self.needs_reachable += 1;
                self.needs_assigned += 1;
                self.severity_assigned += severity as u64;
                self.tier_cost += tier as u64;
            }
            Outcome::Unassigned { reachable } => self.needs_reachable += reachable as u64,
        }
    }

    /// Needs without any eligible provider (infrastructure gaps).
    pub fn infrastructure_gaps(&self) -> u64 {
        self.needs_total - self.needs_reachable
    }

    /// Reachable needs left unassigned (capacity gaps).
    pub fn capacity_gaps(&self) -> u64 {
        self.needs_reachable - self.needs_assigned
    }
}

/// Coverage of the needs of firms in one segment of one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SegmentCoverage {
    pub chain: String,
    /// The segment of the problem's firm on the problem's chain (empty if the firm is not a member,
    /// which validation rejects).
    pub segment: String,
    pub segment_name: Option<String>,
    pub coverage: Coverage,
}

/// Coverage of the needs of one QI element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ElementCoverage {
    /// `metrology`, `standard`, `testing`, `certification` or `rd`.
    pub element: String,
    pub coverage: Coverage,
}

/// Coverage of the needs of firms in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RegionCoverage {
    /// Province (2 digits) or city (4 digits) prefix, or `foreign`.
    pub region: String,
    /// The name of the region's record (`320000` for province `32`, `320500` for city `3205`).
    pub name: Option<String>,
    pub coverage: Coverage,
}

/// Coverage of a scope with its breakdowns.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoverageReport {
    pub scope: Scope,
    pub coverage: Coverage,
    /// By chain, then segment in chain order (upstream first).
    pub by_segment: Vec<SegmentCoverage>,
    /// Every element in the order metrology, standard, testing, certification, rd.
    pub by_element: Vec<ElementCoverage>,
    /// By province code; foreign firms last under `foreign`.
    pub by_province: Vec<RegionCoverage>,
    /// By city code; foreign firms last under `foreign`.
    pub by_city: Vec<RegionCoverage>,
}

/// The needs behind one code's gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GapGroup {
    pub code: String,
    pub element: String,
    pub needs: u64,
    /// Total severity at stake.
    pub severity: u64,
    /// Firms holding the needs, sorted.
    pub firms: Vec<String>,
    /// Problems behind the needs, sorted.
    pub problems: Vec<String>,
}

/// Gap lists of a scope, each sorted by severity at stake (descending), then code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Gaps {
    /// Needs that no eligible provider exists for: build something.
    pub infrastructure: Vec<GapGroup>,
    /// Reachable needs left unassigned: expand something.
    pub capacity: Vec<GapGroup>,
}

/// The view of one need that every aggregation here reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NeedView<'a> {
    pub problem: &'a str,
    pub code: &'a str,
    pub org: &'a str,
    pub chain: &'a str,
    pub severity: u8,
    pub outcome: Outcome,
}

/// Every need of an assignment, assigned ones first.
pub(crate) fn views(a: &Assignment) -> impl Iterator<Item = NeedView<'_>> {
    let assigned = a.assigned.iter().map(|n| NeedView {
        problem: &n.problem,
        code: &n.code,
        org: &n.org,
        chain: &n.chain,
        severity: n.severity,
        // The provider index is not needed by any aggregation.
        outcome: Outcome::Assigned {
            provider: 0,
            tier: n.tier,
        },
    });
    let unassigned = a.unassigned.iter().map(|n| NeedView {
        problem: &n.problem,
        code: &n.code,
        org: &n.org,
        chain: &n.chain,
        severity: n.severity,
        outcome: Outcome::Unassigned {
            reachable: n.reachable,
        },
    });
    assigned.chain(unassigned)
}

/// The element name of a capability code (`other` for a malformed code, which validation rejects).
pub(crate) fn element_of(code: &str) -> &'static str {
    Element::of_code(code).map_or("other", Element::as_str)
}

const FOREIGN: &str = "foreign";

/// Coverage of an assignment's scope with breakdowns by segment, element, province and city.
///
/// Arguments: the dataset (for segments, regions and names) and the assignment.
/// Returns: the report.
/// Complexity: O(N log F) for N needs and F organizations (one firm lookup per need).
pub fn coverage(d: &Dataset, a: &Assignment) -> CoverageReport {
    report_from(d, a.scope.clone(), views(a))
}

pub(crate) fn report_from<'a>(
    d: &Dataset,
    scope: Scope,
    needs: impl Iterator<Item = NeedView<'a>>,
) -> CoverageReport {
    let mut total = Coverage::default();
    let mut by_segment: FastMap<(&str, &str), Coverage> = FastMap::default();
    let mut by_element: BTreeMap<&str, Coverage> = Element::ALL
        .iter()
        .map(|e| (e.as_str(), Coverage::default()))
        .collect();
    let mut by_province: BTreeMap<&str, Coverage> = BTreeMap::new();
    let mut by_city: BTreeMap<&str, Coverage> = BTreeMap::new();
    // Firms repeat across needs: look each (firm, chain) up once.
    let mut firm_cache: FastMap<(&str, &str), (&str, Option<&str>)> = FastMap::default();
    for n in needs {
        let (segment, place) = *firm_cache.entry((n.org, n.chain)).or_insert_with(|| {
            let org = d.organizations.get(n.org);
            let segment = org
                .and_then(|o| o.membership(n.chain))
                .map_or("", |m| m.segment.as_str());
            let place = org.filter(|o| !o.foreign).and_then(|o| o.region.as_deref());
            (segment, place)
        });
        total.add(n.severity, n.outcome);
        by_segment
            .entry((n.chain, segment))
            .or_default()
            .add(n.severity, n.outcome);
        by_element
            .entry(element_of(n.code))
            .or_default()
            .add(n.severity, n.outcome);
        let (province, city) = match place {
            Some(r) => (region::province(r), region::city(r)),
            None => (FOREIGN, FOREIGN),
        };
        by_province
            .entry(province)
            .or_default()
            .add(n.severity, n.outcome);
        by_city.entry(city).or_default().add(n.severity, n.outcome);
    }

    let mut segments: Vec<SegmentCoverage> = by_segment
        .into_iter()
        .map(|((chain, segment), coverage)| {
            let name = d
                .chains
                .get(chain)
                .and_then(|c| c.segments.iter().find(|s| s.id == segment))
                .map(|s| s.name.clone());
            SegmentCoverage {
                chain: chain.to_string(),
                segment: segment.to_string(),
                segment_name: name,
                coverage,
            }
        })
        .collect();
    segments.sort_by_cached_key(|s| {
        let position = d
            .chains
            .get(&s.chain)
            .and_then(|c| c.segment_index(&s.segment))
            .unwrap_or(usize::MAX);
        (s.chain.clone(), position, s.segment.clone())
    });

    CoverageReport {
        scope,
        coverage: total,
        by_segment: segments,
        by_element: by_element_list(by_element),
        by_province: region_list(d, by_province, "0000"),
        by_city: region_list(d, by_city, "00"),
    }
}

fn by_element_list(map: BTreeMap<&str, Coverage>) -> Vec<ElementCoverage> {
    let rank = |e: &str| Element::parse(e).map_or(usize::MAX, |e| e as usize);
    let mut list: Vec<ElementCoverage> = map
        .into_iter()
        .map(|(element, coverage)| ElementCoverage {
            element: element.to_string(),
            coverage,
        })
        .collect();
    list.sort_by_key(|e| rank(&e.element));
    list
}

fn region_list(d: &Dataset, map: BTreeMap<&str, Coverage>, pad: &str) -> Vec<RegionCoverage> {
    let mut list: Vec<RegionCoverage> = map
        .into_iter()
        .map(|(code, coverage)| RegionCoverage {
            region: code.to_string(),
            name: (code != FOREIGN)
                .then(|| d.region_name(&format!("{code}{pad}")))
                .flatten()
                .map(str::to_string),
            coverage,
        })
        .collect();
    // "foreign" sorts after digits already; keep it last explicitly.
    list.sort_by_key(|r| (r.region == FOREIGN, r.region.clone()));
    list
}

/// Infrastructure and capacity gaps of an assignment, grouped by code.
///
/// Arguments: the assignment.
/// Returns: both gap lists, each sorted by severity at stake (descending), then code.
/// Complexity: O(U log U) for U unassigned needs.
pub fn gaps(a: &Assignment) -> Gaps {
    gaps_from(views(a))
}

pub(crate) fn gaps_from<'a>(needs: impl Iterator<Item = NeedView<'a>>) -> Gaps {
    #[derive(Default)]
    struct Acc<'a> {
        needs: u64,
        severity: u64,
        firms: BTreeSet<&'a str>,
        problems: BTreeSet<&'a str>,
    }
    let mut infra: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    let mut capacity: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    for n in needs {
        let Outcome::Unassigned { reachable } = n.outcome else {
            continue;
        };
        let acc = if reachable {
            capacity.entry(n.code).or_default()
        } else {
            infra.entry(n.code).or_default()
        };
        acc.needs += 1;
        acc.severity += n.severity as u64;
        acc.firms.insert(n.org);
        acc.problems.insert(n.problem);
    }
    let list = |map: BTreeMap<&str, Acc<'_>>| {
        let mut v: Vec<GapGroup> = map
            .into_iter()
            .map(|(code, acc)| GapGroup {
                code: code.to_string(),
                element: element_of(code).to_string(),
                needs: acc.needs,
                severity: acc.severity,
                firms: acc.firms.into_iter().map(str::to_string).collect(),
                problems: acc.problems.into_iter().map(str::to_string).collect(),
            })
            .collect();
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.code.cmp(&b.code))
        });
        v
    };
    Gaps {
        infrastructure: list(infra),
        capacity: list(capacity),
    }
}

/// The QI gap of every firm with at least one need in the assignment: the severity of its
/// unassigned needs divided by the severity of all its needs, in [0, 1] (0: every need served;
/// 1: none). Firms whose demand problems carry no needs do not appear.
///
/// Arguments: the assignment.
/// Returns: firm id → gap.
/// Complexity: O(N log F) for N needs and F firms.
pub fn qi_gap_by_firm(a: &Assignment) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for n in views(a) {
        let e = sums.entry(n.org).or_default();
        e.1 += n.severity as u64;
        if matches!(n.outcome, Outcome::Unassigned { .. }) {
            e.0 += n.severity as u64;
        }
    }
    sums.into_iter()
        .map(|(org, (unassigned, total))| {
            let gap = if total == 0 {
                0.0
            } else {
                unassigned as f64 / total as f64
            };
            (org.to_string(), gap)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::assignment::assign;
    use crate::analysis::eligibility::tests::{firm, problem, provider};
    use crate::model::{Chain, Level, Region, Role, Segment, Status};

    /// The hand-built chain of the coverage tests:
    ///
    /// ```text
    ///   chain "battery": materials → cells
    ///
    ///   m1 materials 320506 (苏州)  p1 sev 4 [testing:safety, metrology:thickness]
    ///   m2 materials 330102 (杭州)  p2 sev 2 [testing:safety]
    ///   c1 cells (master) 320583    p3 sev 5 [testing:safety, rd:electrolyte]
    ///   x1 cells foreign (JP)       p4 sev 3 [testing:safety]
    ///                               p5 sev 5 resolved [testing:safety]
    ///
    ///   qs  municipal 320500 苏州  testing:safety capacity 1
    ///   qn  national  110105 北京  testing:safety capacity 1
    ///   qm  provincial 320100 南京 metrology:thickness (unlimited)
    /// ```
    ///
    /// testing:safety has 4 needs and 2 slots: qs serves only 苏州 (m1, c1); qn serves anyone.
    /// The optimum keeps severity 5 (c1) and 4 (m1), one at qs (tier 1) and one at qn (tier 3):
    /// severity 9, tier 4 either way; m2 and x1 are capacity gaps, rd:electrolyte an
    /// infrastructure gap.
    pub fn battery() -> Dataset {
        let mut d = Dataset::new();
        d.chains.insert(
            "battery".into(),
            Chain {
                id: "battery".into(),
                name: "动力电池".into(),
                chief: None,
                segments: vec![
                    Segment {
                        id: "materials".into(),
                        name: "材料".into(),
                    },
                    Segment {
                        id: "cells".into(),
                        name: "电芯".into(),
                    },
                ],
            },
        );
        for (code, name) in [("320000", "江苏省"), ("320500", "苏州市")] {
            d.regions.insert(
                code.into(),
                Region {
                    code: code.into(),
                    name: name.into(),
                },
            );
        }
        for o in [
            firm("m1", Some("320506"), "battery", "materials", Role::Member),
            firm("m2", Some("330102"), "battery", "materials", Role::Member),
            firm("c1", Some("320583"), "battery", "cells", Role::ChainMaster),
            firm("x1", None, "battery", "cells", Role::Member),
            provider(
                "qs",
                Level::Municipal,
                "320500",
                &[("testing:safety", Some(1))],
            ),
            provider(
                "qn",
                Level::National,
                "110105",
                &[("testing:safety", Some(1))],
            ),
            provider(
                "qm",
                Level::Provincial,
                "320100",
                &[("metrology:thickness", None)],
            ),
        ] {
            d.organizations.insert(o.id.clone(), o);
        }
        for p in [
            problem(
                "p1",
                "m1",
                "battery",
                4,
                Status::Open,
                &["testing:safety", "metrology:thickness"],
            ),
            problem("p2", "m2", "battery", 2, Status::Open, &["testing:safety"]),
            problem(
                "p3",
                "c1",
                "battery",
                5,
                Status::InProgress,
                &["testing:safety", "rd:electrolyte"],
            ),
            problem("p4", "x1", "battery", 3, Status::Open, &["testing:safety"]),
            problem(
                "p5",
                "c1",
                "battery",
                5,
                Status::Resolved,
                &["testing:safety"],
            ),
        ] {
            d.problems.insert(p.id.clone(), p);
        }
        d
    }

    fn cov(
        needs_total: u64,
        needs_reachable: u64,
        needs_assigned: u64,
        severity_total: u64,
        severity_assigned: u64,
        tier_cost: u64,
    ) -> Coverage {
        Coverage {
            needs_total,
            needs_reachable,
            needs_assigned,
            severity_total,
            severity_assigned,
            tier_cost,
        }
    }

    #[test]
    fn coverage_of_the_battery_chain_is_written_out() {
        let d = battery();
        let a = assign(&d, &Scope::Chain("battery".into()));
        let r = coverage(&d, &a);
        // Needs: p1×2 (4), p2 (2), p3×2 (5), p4 (3) = 6 needs, severity 4+4+2+5+5+3 = 23.
        // Reachable: all but rd:electrolyte = 5. Assigned: testing c1+m1 (tiers 1+3), metrology
        // m1 → qm (tier 2) = 3 needs, severity 5+4+4 = 13, tier cost 6.
        assert_eq!(r.coverage, cov(6, 5, 3, 23, 13, 6));
        let seg: Vec<(&str, Coverage)> = r
            .by_segment
            .iter()
            .map(|s| (s.segment.as_str(), s.coverage))
            .collect();
        // materials: p1×2, p2; m1's two needs are assigned (testing tier 1 or 3, metrology 2).
        // cells: p3×2, p4; c1's testing is assigned, rd is unreachable, x1 reachable unassigned.
        let testing_tiers = |firm: &str| {
            a.assigned
                .iter()
                .find(|n| n.org == firm && n.code == "testing:safety")
                .map(|n| n.tier as u64)
                .unwrap()
        };
        assert_eq!(testing_tiers("m1") + testing_tiers("c1"), 4);
        assert_eq!(
            seg,
            [
                ("materials", cov(3, 3, 2, 10, 8, 2 + testing_tiers("m1"))),
                ("cells", cov(3, 2, 1, 13, 5, testing_tiers("c1"))),
            ]
        );
        assert_eq!(r.by_segment[0].segment_name.as_deref(), Some("材料"));
        let el: Vec<(&str, Coverage)> = r
            .by_element
            .iter()
            .map(|e| (e.element.as_str(), e.coverage))
            .collect();
        assert_eq!(
            el,
            [
                ("metrology", cov(1, 1, 1, 4, 4, 2)),
                ("standard", Coverage::default()),
                ("testing", cov(4, 4, 2, 14, 9, 4)),
                ("certification", Coverage::default()),
                ("rd", cov(1, 0, 0, 5, 0, 0)),
            ]
        );
        let prov: Vec<(&str, Option<&str>, u64)> = r
            .by_province
            .iter()
            .map(|p| (p.region.as_str(), p.name.as_deref(), p.coverage.needs_total))
            .collect();
        assert_eq!(
            prov,
            [
                ("32", Some("江苏省"), 4),
                // Not named by the dataset: the GB/T 2260 table names it.
                ("33", Some("浙江省"), 1),
                ("foreign", None, 1)
            ]
        );
        let city: Vec<(&str, Option<&str>, u64)> = r
            .by_city
            .iter()
            .map(|p| {
                (
                    p.region.as_str(),
                    p.name.as_deref(),
                    p.coverage.needs_assigned,
                )
            })
            .collect();
        assert_eq!(
            city,
            [
                ("3205", Some("苏州市"), 3),
                ("3301", Some("杭州市"), 0),
                ("foreign", None, 0)
            ]
        );
    }

    #[test]
    fn gaps_separate_missing_infrastructure_from_missing_capacity() {
        let d = battery();
        let g = gaps(&assign(&d, &Scope::All));
        assert_eq!(
            g.infrastructure,
            [GapGroup {
                code: "rd:electrolyte".into(),
                element: "rd".into(),
                needs: 1,
                severity: 5,
                firms: vec!["c1".into()],
                problems: vec!["p3".into()],
            }]
        );
        assert_eq!(
            g.capacity,
            [GapGroup {
                code: "testing:safety".into(),
                element: "testing".into(),
                needs: 2,
                severity: 5,
                firms: vec!["m2".into(), "x1".into()],
                problems: vec!["p2".into(), "p4".into()],
            }]
        );
    }

    #[test]
    fn the_qi_gap_of_a_firm_is_its_unassigned_share_of_severity() {
        let d = battery();
        let gap = qi_gap_by_firm(&assign(&d, &Scope::All));
        let expected: BTreeMap<String, f64> = [
            ("c1".to_string(), 0.5),
            ("m1".to_string(), 0.0),
            ("m2".to_string(), 1.0),
            ("x1".to_string(), 1.0),
        ]
        .into_iter()
        .collect();
        assert_eq!(gap, expected);
    }
}

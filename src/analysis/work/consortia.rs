//! Consortia (`docs/analyses.md`, "Consortia"): what each quality-innovation consortium
//! (质量创新联合体) of a chain can do for its own firms, and the critical nodes of the chain no
//! consortium can help.
//!
//! "Can take" is the eligibility of the assignment ([`crate::analysis::eligibility`]): a provider
//! member with the need's exact code whose level reaches the firm's place; capacity ignored.

use super::untackled::{firm_ref, FirmRef};
use crate::analysis::eligibility::{needs_of, ProviderIndex};
use crate::analysis::quality::ChainAnalysis;
use crate::model::{Consortium, Dataset, OrgKind, Organization, Problem};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// One organization of a consortium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsortiumMember {
    pub id: String,
    /// Its name (its id when the organization is unknown).
    pub name: String,
    /// Its kind; `null` when the organization is unknown.
    pub kind: Option<OrgKind>,
    /// Whether it leads the consortium (牵头单位).
    pub lead: bool,
}

/// A demand need of a member firm that some member provider can take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MemberNeed {
    pub problem: String,
    /// The member firm holding it.
    pub firm: String,
    pub code: String,
    pub severity: u8,
    /// The member providers that can take it, ranked as for any need (distance tier, level,
    /// name, id).
    pub providers: Vec<String>,
}

/// One consortium and what its providers can take of its firms' needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsortiumCoverage {
    pub id: String,
    pub name: String,
    pub lead: String,
    pub founded: u16,
    /// The lead, then the other members in the order listed (each once).
    pub members: Vec<ConsortiumMember>,
    /// The demand needs on the chain of its member enterprises.
    pub needs_total: usize,
    /// Of them, those some member provider can take (the length of `needs`).
    pub needs_takeable: usize,
    /// Those needs, in need order (problem id, then the problem's list order).
    pub needs: Vec<MemberNeed>,
}

/// A critical node with demand problems on the chain, none of which a provider member of any
/// consortium of the chain can take (no need of them is eligible for such a provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UncoveredNode {
    pub firm: FirmRef,
    /// Its demand problems on the chain, sorted by id.
    pub problems: Vec<String>,
}

/// Counts of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsortiaCounts {
    /// Consortia of the chain.
    pub consortia: usize,
    /// Critical nodes holding demand problems on the chain.
    pub critical_nodes: usize,
    /// Of them, no consortium can help (the length of `uncovered_critical_nodes`).
    pub uncovered_critical_nodes: usize,
}

/// The consortia of one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsortiaReport {
    pub chain: String,
    /// Sorted by id.
    pub consortia: Vec<ConsortiumCoverage>,
    /// Sorted by firm id.
    pub uncovered_critical_nodes: Vec<UncoveredNode>,
    pub counts: ConsortiaCounts,
}

/// The consortia of the chain of `analysis`.
///
/// # Arguments
/// - `d`: the dataset (members' records, firms' places).
/// - `analysis`: the chain's analysis (its id and critical nodes).
/// - `problems`: the chain's problems (those of other chains and resolved ones are ignored).
/// - `consortia`: the chain's consortia (those of other chains are ignored).
///
/// # Returns
/// Each consortium with its members and the needs its providers can take, and the critical
/// nodes no consortium provider can help.
///
/// # Complexity
/// O(P log P) to group the chain's P problems by firm; per consortium of m members,
/// O(m log F) to look them up and index their capabilities, then O(k log k) per need of its
/// firms for k eligible members; O(C·n) for the C critical nodes' n needs.
pub fn consortia(
    d: &Dataset,
    analysis: &ChainAnalysis,
    problems: &[&Problem],
    consortia: &[&Consortium],
) -> ConsortiaReport {
    let chain = analysis.weak.id.as_str();
    let mut by_firm: BTreeMap<&str, Vec<&Problem>> = BTreeMap::new();
    for p in problems
        .iter()
        .filter(|p| p.chain == chain && p.is_demand())
    {
        by_firm.entry(p.org.as_str()).or_default().push(p);
    }
    for held in by_firm.values_mut() {
        held.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let mut ours: Vec<&Consortium> = consortia
        .iter()
        .copied()
        .filter(|c| c.chain == chain)
        .collect();
    ours.sort_by(|a, b| a.id.cmp(&b.id));

    // Every provider member of some consortium of the chain, each once.
    let mut all_providers: BTreeMap<&str, &Organization> = BTreeMap::new();
    let mut list = Vec::new();
    for c in &ours {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let orgs: Vec<&str> = c.organizations().filter(|id| seen.insert(id)).collect();
        let records: Vec<Option<&Organization>> =
            orgs.iter().map(|id| d.organizations.get(*id)).collect();
        let providers: Vec<&Organization> = records
            .iter()
            .flatten()
            .copied()
            .filter(|o| o.is_provider())
            .collect();
        for o in &providers {
            all_providers.insert(o.id.as_str(), o);
        }
        let index = ProviderIndex::from_providers(providers);
        let mut held: Vec<&Problem> = records
            .iter()
            .flatten()
            .filter(|o| !o.is_provider())
            .flat_map(|o| by_firm.get(o.id.as_str()).into_iter().flatten().copied())
            .collect();
        held.sort_by(|a, b| a.id.cmp(&b.id));
        let mut needs_total = 0;
        let mut needs = Vec::new();
        for n in needs_of(d, held) {
            needs_total += 1;
            let takers = index.candidates(n.code, n.place);
            if !takers.is_empty() {
                needs.push(MemberNeed {
                    problem: n.problem.to_string(),
                    firm: n.org.to_string(),
                    code: n.code.to_string(),
                    severity: n.severity,
                    providers: takers.into_iter().map(|t| t.provider).collect(),
                });
            }
        }
        list.push(ConsortiumCoverage {
            id: c.id.clone(),
            name: c.name.clone(),
            lead: c.lead.clone(),
            founded: c.founded,
            members: orgs
                .iter()
                .zip(&records)
                .map(|(id, o)| ConsortiumMember {
                    id: id.to_string(),
                    name: o.map_or_else(|| id.to_string(), |o| o.name.clone()),
                    kind: o.map(|o| o.kind),
                    lead: *id == c.lead,
                })
                .collect(),
            needs_total,
            needs_takeable: needs.len(),
            needs,
        });
    }

    let index = ProviderIndex::from_providers(all_providers.into_values());
    let mut holding = 0;
    let mut uncovered = Vec::new();
    for node in &analysis.weak.critical_nodes {
        let Some(held) = by_firm.get(node.id.as_str()) else {
            continue;
        };
        holding += 1;
        let helped = needs_of(d, held.iter().copied())
            .iter()
            .any(|n| index.reaches(n.code, n.place));
        if !helped {
            uncovered.push(UncoveredNode {
                firm: firm_ref(d, &node.id),
                problems: held.iter().map(|p| p.id.clone()).collect(),
            });
        }
    }
    ConsortiaReport {
        chain: chain.to_string(),
        counts: ConsortiaCounts {
            consortia: list.len(),
            critical_nodes: holding,
            uncovered_critical_nodes: uncovered.len(),
        },
        consortia: list,
        uncovered_critical_nodes: uncovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::eligibility::tests::{problem, provider};
    use crate::analysis::testing::CHAIN;
    use crate::analysis::work::untackled::tests::{analysis, chain_dataset};
    use crate::model::{Level, Status};

    fn consortium(id: &str, chain: &str, lead: &str, members: &[&str]) -> Consortium {
        Consortium {
            id: id.into(),
            name: format!("联合体{id}"),
            chain: chain.into(),
            lead: lead.into(),
            members: members.iter().map(|s| s.to_string()).collect(),
            founded: 2024,
        }
    }

    #[test]
    fn consortium_providers_take_their_firms_needs_and_critical_nodes_without_help_are_listed() {
        // The chain of `untackled::tests::chain_dataset` (every firm in 昆山 320583; critical
        // nodes a, b, f, g), g given a problem needing standard:y.
        let mut d = chain_dataset();
        d.problems.insert(
            "p-g1".into(),
            problem("p-g1", "g", CHAIN, 1, Status::Open, &["standard:y"]),
        );
        let mut institute = provider("inst", Level::National, "110105", &[]);
        institute.kind = OrgKind::Institute;
        for o in [
            // 苏州 municipal testing:x; national metrology:z; 浙江 provincial standard:y (out
            // of reach of 江苏 firms).
            provider("q1", Level::Municipal, "320500", &[("testing:x", Some(1))]),
            provider("q2", Level::National, "110105", &[("metrology:z", None)]),
            provider("q3", Level::Provincial, "330100", &[("standard:y", None)]),
            institute,
        ] {
            d.organizations.insert(o.id.clone(), o);
        }
        for c in [
            consortium("k1", CHAIN, "m", &["a", "q1", "inst", "q3", "a"]),
            consortium("k2", CHAIN, "b", &["e", "q2"]),
            consortium("k9", "elsewhere", "m", &["q3"]),
        ] {
            d.consortia.insert(c.id.clone(), c);
        }
        let a = analysis(&d);
        let problems: Vec<&Problem> = d.problems.values().collect();
        let all: Vec<&Consortium> = d.consortia.values().collect();
        let report = consortia(&d, &a, &problems, &all);

        let member = |id: &str, name: &str, kind: OrgKind, lead: bool| ConsortiumMember {
            id: id.into(),
            name: name.into(),
            kind: Some(kind),
            lead,
        };
        let need = |problem: &str, firm: &str, code: &str, severity: u8, by: &str| MemberNeed {
            problem: problem.into(),
            firm: firm.into(),
            code: code.into(),
            severity,
            providers: vec![by.to_string()],
        };
        let expected = ConsortiaReport {
            chain: CHAIN.into(),
            consortia: vec![
                ConsortiumCoverage {
                    id: "k1".into(),
                    name: "联合体k1".into(),
                    lead: "m".into(),
                    founded: 2024,
                    members: vec![
                        member("m", "企业m", OrgKind::Enterprise, true),
                        member("a", "企业a", OrgKind::Enterprise, false),
                        member("q1", "provider q1", OrgKind::InspectionCenter, false),
                        member("inst", "provider inst", OrgKind::Institute, false),
                        member("q3", "provider q3", OrgKind::InspectionCenter, false),
                    ],
                    // p-a1 testing:x, p-a2 standard:y (q3 cannot reach 昆山), p-m1 testing:x.
                    needs_total: 3,
                    needs_takeable: 2,
                    needs: vec![
                        need("p-a1", "a", "testing:x", 4, "q1"),
                        need("p-m1", "m", "testing:x", 5, "q1"),
                    ],
                },
                ConsortiumCoverage {
                    id: "k2".into(),
                    name: "联合体k2".into(),
                    lead: "b".into(),
                    founded: 2024,
                    members: vec![
                        member("b", "企业b", OrgKind::Enterprise, true),
                        member("e", "企业e", OrgKind::Enterprise, false),
                        member("q2", "provider q2", OrgKind::InspectionCenter, false),
                    ],
                    // p-b1 testing:x (q1 is not a member here), p-b1 metrology:z, p-e2
                    // metrology:z; p-e1 is resolved.
                    needs_total: 3,
                    needs_takeable: 2,
                    needs: vec![
                        need("p-b1", "b", "metrology:z", 3, "q2"),
                        need("p-e2", "e", "metrology:z", 3, "q2"),
                    ],
                },
            ],
            // a and b have a problem some consortium provider can take; f's problem has no
            // need, g's only need is out of every provider's reach.
            uncovered_critical_nodes: vec![
                UncoveredNode {
                    firm: FirmRef {
                        id: "f".into(),
                        name: "企业f".into(),
                    },
                    problems: vec!["p-f1".into()],
                },
                UncoveredNode {
                    firm: FirmRef {
                        id: "g".into(),
                        name: "企业g".into(),
                    },
                    problems: vec!["p-g1".into()],
                },
            ],
            counts: ConsortiaCounts {
                consortia: 2,
                critical_nodes: 4,
                uncovered_critical_nodes: 2,
            },
        };
        assert_eq!(report, expected);

        // Without consortia no critical node with problems is helped.
        let none = consortia(&d, &a, &problems, &[]);
        assert!(none.consortia.is_empty());
        let ids: Vec<&str> = none
            .uncovered_critical_nodes
            .iter()
            .map(|n| n.firm.id.as_str())
            .collect();
        assert_eq!(ids, ["a", "b", "f", "g"]);
    }
}

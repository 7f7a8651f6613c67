//! Fixtures for the analysis unit tests: a one-chain dataset drawn from a list of supplies.

use super::criticality::EvidenceStep;
use crate::graph::{ChainGraph, Graphs};
use crate::model::{Chain, Dataset, Membership, OrgKind, Organization, Role, Segment, Supply};

/// The chain every fixture lives on.
pub(crate) const CHAIN: &str = "c";

/// A dataset with one chain `c` (segments `up`, `mid`, `down`) whose members are every firm named
/// in `supplies`, `masters` and `foreign`. Masters sit in `down`, everyone else in `up`; foreign
/// firms have no region, domestic ones are in 320583 (昆山市).
pub(crate) fn dataset(
    masters: &[&str],
    foreign: &[&str],
    supplies: &[(&str, &str, &str)],
) -> Dataset {
    dataset_with_members(&[], masters, foreign, supplies)
}

/// [`dataset`] with extra `members` that need not appear in any supply.
pub(crate) fn dataset_with_members(
    members: &[&str],
    masters: &[&str],
    foreign: &[&str],
    supplies: &[(&str, &str, &str)],
) -> Dataset {
    let mut d = Dataset::new();
    d.chains.insert(
        CHAIN.into(),
        Chain {
            id: CHAIN.into(),
            name: "测试链".into(),
            chief: None,
            segments: ["up", "mid", "down"]
                .iter()
                .map(|s| Segment {
                    id: s.to_string(),
                    name: format!("{s}段"),
                })
                .collect(),
        },
    );
    let mut names: Vec<&str> = members
        .iter()
        .chain(masters)
        .chain(foreign)
        .copied()
        .collect();
    for (from, to, _) in supplies {
        names.push(from);
        names.push(to);
    }
    for id in names {
        let master = masters.contains(&id);
        let is_foreign = foreign.contains(&id);
        d.organizations.insert(
            id.into(),
            Organization {
                id: id.into(),
                name: format!("企业{id}"),
                kind: OrgKind::Enterprise,
                region: (!is_foreign).then(|| "320583".to_string()),
                foreign: is_foreign,
                country: is_foreign.then(|| "JP".to_string()),
                chains: Some(vec![Membership {
                    chain: CHAIN.into(),
                    role: if master {
                        Role::ChainMaster
                    } else {
                        Role::Member
                    },
                    segment: if master { "down" } else { "up" }.into(),
                }]),
                level: None,
                capabilities: None,
            },
        );
    }
    for &(from, to, part) in supplies {
        d.supplies.insert(Supply {
            chain: CHAIN.into(),
            supplier: from.into(),
            customer: to.into(),
            part: part.into(),
        });
    }
    d
}

/// The graph of [`dataset`]'s chain.
pub(crate) fn chain(
    masters: &[&str],
    foreign: &[&str],
    supplies: &[(&str, &str, &str)],
) -> ChainGraph {
    graph_of(&dataset(masters, foreign, supplies))
}

pub(crate) fn graph_of(d: &Dataset) -> ChainGraph {
    Graphs::build(d)
        .chain(CHAIN)
        .expect("fixture chain")
        .clone()
}

pub(crate) fn step(buyer: &str, part: &str) -> EvidenceStep {
    EvidenceStep {
        buyer: buyer.into(),
        part: part.into(),
    }
}

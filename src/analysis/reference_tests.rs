//! Every analysis against a brute-force reference on many small random chains with cycles,
//! self-supplies and alternative suppliers.
//!
//! The reference knows nothing of counters or graphs: it fails a set of firms and re-scans every
//! (buyer, part) until nothing changes, which is the least fixpoint by definition.

use super::testing::{dataset_with_members, graph_of, CHAIN};
use super::*;
use crate::graph::Graphs;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
struct Shape {
    firms: Vec<String>,
    masters: Vec<String>,
    foreign: Vec<String>,
    /// (supplier, customer, part), deduplicated.
    supplies: BTreeSet<(String, String, String)>,
}

impl Shape {
    /// (buyer, part) → suppliers.
    fn groups(&self) -> BTreeMap<(String, String), BTreeSet<String>> {
        let mut g: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for (s, c, p) in &self.supplies {
            g.entry((c.clone(), p.clone()))
                .or_default()
                .insert(s.clone());
        }
        g
    }

    /// The least set of disabled firms when `failed` fail, by naive iteration.
    fn disabled(&self, failed: &BTreeSet<String>) -> BTreeSet<String> {
        let groups = self.groups();
        let mut dead = failed.clone();
        loop {
            let before = dead.len();
            for ((buyer, _), suppliers) in &groups {
                if !dead.contains(buyer) && suppliers.iter().all(|s| dead.contains(s)) {
                    dead.insert(buyer.clone());
                }
            }
            if dead.len() == before {
                return dead;
            }
        }
    }

    fn dataset(&self) -> crate::model::Dataset {
        let masters: Vec<&str> = self.masters.iter().map(String::as_str).collect();
        let foreign: Vec<&str> = self.foreign.iter().map(String::as_str).collect();
        let supplies: Vec<(&str, &str, &str)> = self
            .supplies
            .iter()
            .map(|(s, c, p)| (s.as_str(), c.as_str(), p.as_str()))
            .collect();
        let members: Vec<&str> = self.firms.iter().map(String::as_str).collect();
        dataset_with_members(&members, &masters, &foreign, &supplies)
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    (2usize..9).prop_flat_map(|n| {
        (
            proptest::collection::vec(any::<bool>(), n),
            proptest::collection::vec(prop::bool::weighted(0.25), n),
            proptest::collection::vec((0..n, 0..n, 0usize..3), 0..(3 * n)),
        )
            .prop_map(move |(master, foreign, edges)| {
                let firms: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
                let pick = |flags: &[bool]| -> Vec<String> {
                    firms
                        .iter()
                        .zip(flags)
                        .filter(|(_, &b)| b)
                        .map(|(f, _)| f.clone())
                        .collect()
                };
                let masters = pick(&master);
                let foreign: Vec<String> = pick(&foreign)
                    .into_iter()
                    .filter(|f| !masters.contains(f))
                    .collect();
                Shape {
                    supplies: edges
                        .into_iter()
                        .map(|(s, c, p)| {
                            (
                                firms[s].clone(),
                                firms[c].clone(),
                                ["p", "q", "r"][p].to_string(),
                            )
                        })
                        .collect(),
                    firms,
                    masters,
                    foreign,
                }
            })
    })
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn critical_nodes_match_the_brute_force_reference(s in shape()) {
        let g = graph_of(&s.dataset());
        let found = critical_nodes(&g);
        let groups = s.groups();
        let mut expected = Vec::new();
        for u in &s.firms {
            let mut d = s.disabled(&set(&[u]));
            d.remove(u);
            let masters: Vec<String> = s.masters.iter().filter(|m| d.contains(*m)).cloned().collect();
            if !masters.is_empty() {
                expected.push((u.clone(), masters, d.len()));
            }
        }
        let got: Vec<_> = found.iter().map(|c| (c.id.clone(), c.disabled_masters.clone(), c.disabled_count)).collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(critical_nodes_parallel(&g), found.clone());

        for c in &found {
            let down = s.disabled(&set(&[&c.id]));
            prop_assert!(!c.evidence.is_empty());
            let mut from = c.id.clone();
            for step in &c.evidence {
                prop_assert!(s.supplies.contains(&(from.clone(), step.buyer.clone(), step.part.clone())),
                    "evidence step {:?} is not a supply from {}", step, from);
                let suppliers = &groups[&(step.buyer.clone(), step.part.clone())];
                prop_assert!(suppliers.iter().all(|x| down.contains(x)),
                    "{:?} still had a live supplier", step);
                from = step.buyer.clone();
            }
            prop_assert_eq!(&from, &c.disabled_masters[0]);
        }
    }

    #[test]
    fn single_source_and_foreign_only_parts_match_the_reference(s in shape()) {
        let g = graph_of(&s.dataset());
        let groups = s.groups();
        let single: Vec<SingleSourcePart> = groups.iter().filter(|(_, sup)| sup.len() == 1).map(|((b, p), sup)| SingleSourcePart {
            buyer: b.clone(), part: p.clone(), supplier: sup.iter().next().unwrap().clone(),
        }).collect();
        let foreign: Vec<ForeignOnlyPart> = groups.iter().filter(|(_, sup)| sup.iter().all(|x| s.foreign.contains(x))).map(|((b, p), _)| ForeignOnlyPart {
            buyer: b.clone(), part: p.clone(),
        }).collect();
        prop_assert_eq!(single_source_parts(&g), single);
        prop_assert_eq!(foreign_only_parts(&g), foreign);
    }

    #[test]
    fn supplier_views_match_the_reference(s in shape()) {
        let d = s.dataset();
        let g = graph_of(&d);
        let groups = s.groups();
        for m in &s.masters {
            // Tiers by relaxing "t(s) = 1 + min t(customer)" until stable.
            let mut tier: BTreeMap<String, u32> = BTreeMap::from([(m.clone(), 0)]);
            loop {
                let mut changed = false;
                for (sup, cus, _) in &s.supplies {
                    if let Some(&t) = tier.get(cus) {
                        if tier.get(sup).is_none_or(|&old| old > t + 1) {
                            tier.insert(sup.clone(), t + 1);
                            changed = true;
                        }
                    }
                }
                if !changed { break; }
            }
            let mut expected: Vec<(bool, u32, String, Vec<SuppliedPart>)> = tier.iter().filter(|(u, _)| *u != m).map(|(u, &t)| {
                let critical = s.disabled(&set(&[u])).contains(m);
                let parts = groups.iter().filter(|((b, _), sup)| sup.len() == 1 && sup.contains(u) && tier.contains_key(b))
                    .map(|((b, p), _)| SuppliedPart { buyer: b.clone(), part: p.clone() }).collect();
                (!critical, t, u.clone(), parts)
            }).collect();
            expected.sort();
            let view = supplier_view(&d, &g, m).unwrap();
            let got: Vec<_> = view.suppliers.iter().map(|u| (!u.critical, u.tier, u.id.clone(), u.single_source_parts.clone())).collect();
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn scenarios_match_the_reference(s in shape(), picks in proptest::collection::vec(any::<bool>(), 9), all_foreign in any::<bool>()) {
        let d = s.dataset();
        let graphs = Graphs::build(&d);
        let named: Vec<String> = s.firms.iter().zip(&picks).filter(|(_, &p)| p).map(|(f, _)| f.clone()).collect();
        let mut failures = vec![Failure::Firms(named.clone())];
        let mut failed: BTreeSet<String> = named.into_iter().collect();
        if all_foreign {
            failures.push(Failure::AllForeign);
            failed.extend(s.foreign.iter().cloned());
        }
        let down = s.disabled(&failed);
        let report = run_scenario(&d, &graphs, &failures);
        let chain = &report.chains[0];
        prop_assert_eq!(&chain.id, CHAIN);
        let got: Vec<(String, bool, bool)> = chain.disabled.iter().map(|x| (x.id.clone(), x.failed, x.master)).collect();
        let expected: Vec<(String, bool, bool)> = down.iter().map(|x| (x.clone(), failed.contains(x), s.masters.contains(x))).collect();
        prop_assert_eq!(got, expected);
        let masters: Vec<String> = s.masters.iter().filter(|m| down.contains(*m)).cloned().collect();
        prop_assert_eq!(&chain.disabled_masters, &masters);
        prop_assert_eq!(chain.failed_count, failed.len());
    }
}

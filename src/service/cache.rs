//! Analysis results cached per data revision.
//!
//! Each snapshot owns an `AnalysisCache`. Results are computed on first use (`OnceLock`, so
//! concurrent readers of the same result compute it once) and kept for the snapshot's life. A
//! write builds the next snapshot's cache with `carry_over`: entries of chains the write did not
//! touch are shared as they are, so a write invalidates only what it touches. Coverage and
//! matching depend on the providers and on the firms' regions too, so a change to a provider
//! changes every chain's results (the QI gap is part of each firm's risk), but not its graph.

use super::computed::Computed;
use super::metrics::CacheCounters;
use crate::analysis::assignment::SolveMemo;
use crate::analysis::eligibility::ProviderIndex;
use crate::analysis::quality::ChainRow;
use crate::analysis::{ChainAnalysis, DatasetAnalysis};
use crate::graph::Graphs;
use crate::model::{ChainIndex, ChangeSet, Dataset};
use bytes::Bytes;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// What a change touches. Policy tools and goals touch nothing here: no cached result reads them.
#[derive(Debug, Default)]
pub struct Touched {
    /// Chains whose members, supplies, problems, projects, consortia or definition changed.
    pub chains: BTreeSet<String>,
    /// A provider changed: every chain's QI results are stale.
    pub providers: bool,
    /// Regions (or the capability catalogue) changed: names on every map are stale.
    pub regions: bool,
}

impl Touched {
    /// The chains and kinds of results `change` touches, given the data before it.
    pub fn by(before: &Dataset, change: &ChangeSet) -> Touched {
        let mut t = Touched {
            regions: !change.upsert.regions.is_empty()
                || !change.delete_regions.is_empty()
                || !change.upsert.capabilities.is_empty()
                || !change.delete_capabilities.is_empty(),
            ..Touched::default()
        };
        t.chains
            .extend(change.upsert.chains.iter().map(|c| c.id.clone()));
        t.chains.extend(change.delete_chains.iter().cloned());
        let orgs = change
            .upsert
            .organizations
            .iter()
            .map(|o| o.id.as_str())
            .chain(change.delete_organizations.iter().map(String::as_str));
        for id in orgs {
            for org in before
                .organizations
                .get(id)
                .into_iter()
                .chain(change.upsert.organizations.iter().filter(|o| o.id == id))
            {
                t.providers |= org.is_provider();
                t.chains
                    .extend(org.memberships().iter().map(|m| m.chain.clone()));
            }
        }
        t.chains.extend(
            change
                .upsert
                .supplies
                .iter()
                .chain(&change.delete_supplies)
                .map(|s| s.chain.clone()),
        );
        let problems = change
            .upsert
            .problems
            .iter()
            .map(|p| p.id.as_str())
            .chain(change.delete_problems.iter().map(String::as_str));
        for id in problems {
            t.chains
                .extend(before.problems.get(id).map(|p| p.chain.clone()));
        }
        t.chains
            .extend(change.upsert.problems.iter().map(|p| p.chain.clone()));
        // Projects and consortia: the chain of the old version and of the new.
        let projects = change
            .upsert
            .projects
            .iter()
            .map(|p| p.id.as_str())
            .chain(change.delete_projects.iter().map(String::as_str));
        for id in projects {
            t.chains
                .extend(before.projects.get(id).map(|p| p.chain.clone()));
        }
        t.chains
            .extend(change.upsert.projects.iter().map(|p| p.chain.clone()));
        let consortia = change
            .upsert
            .consortia
            .iter()
            .map(|c| c.id.as_str())
            .chain(change.delete_consortia.iter().map(String::as_str));
        for id in consortia {
            t.chains
                .extend(before.consortia.get(id).map(|c| c.chain.clone()));
        }
        t.chains
            .extend(change.upsert.consortia.iter().map(|c| c.chain.clone()));
        t
    }
}

/// Lazily computed results of one chain.
#[derive(Default)]
pub struct ChainEntry {
    /// The chain's supply graph (a one-chain `Graphs`).
    pub graph: OnceLock<Arc<Graphs>>,
    /// Weak links and QI of the chain (computed by one thread at a time: see [`Computed`]).
    pub analysis: Computed<Arc<ChainAnalysis>>,
    /// The serialized quality map with the default firm limit (the page's first request).
    pub map: OnceLock<Bytes>,
    /// `map`, gzip-compressed once, for clients that accept it (a tenth of the size).
    pub map_gzip: OnceLock<Bytes>,
    /// The chain's row of the chain list: from `analysis`, or stored for this revision.
    pub row: OnceLock<ChainRow>,
    /// The figures of the chain's row that need no analysis, listed while `row` is not ready
    /// (see `Snapshot::pending_row`).
    pub pending_row: OnceLock<super::chains::PendingChainRow>,
}

/// Lazily computed results of every chain and of the whole dataset, for one snapshot.
pub struct AnalysisCache {
    chains: HashMap<String, Arc<ChainEntry>>,
    /// Providers indexed by capability code.
    pub providers: Arc<OnceLock<Arc<ProviderIndex>>>,
    /// The dataset scope's solutions per capability code, over `providers`: kept as long as
    /// the providers are, so that after a write only the codes whose needs changed are solved.
    pub solves: Arc<SolveMemo>,
    /// Members and problems of each chain (rebuilt for every snapshot that a write makes).
    pub by_chain: OnceLock<Arc<ChainIndex>>,
    /// Dataset-wide results (capacities shared): stale after any change to needs or providers.
    pub all: Arc<Computed<Arc<DatasetAnalysis>>>,
    /// While `all` is not computed: the dataset-wide results of the latest earlier revision
    /// that had them, with that revision (set by a write, see `Snapshot::keep_previous_scope`),
    /// for reads that may not wait. Dropped once `all` is computed (it can be hundreds of MB).
    pub previous_all: Mutex<Option<(u64, Arc<DatasetAnalysis>)>>,
    /// Hits and misses, shared by every later snapshot's cache.
    pub counters: Arc<CacheCounters>,
    /// The names of the organizations prepared for search (pinyin): shared with the next
    /// snapshot by a write that changes no organization (see `Snapshot::after`).
    pub search: Arc<OnceLock<Arc<super::search::SearchIndex>>>,
}

impl AnalysisCache {
    pub fn new(dataset: &Dataset) -> Self {
        AnalysisCache {
            chains: dataset
                .chains
                .keys()
                .map(|id| (id.clone(), Arc::new(ChainEntry::default())))
                .collect(),
            providers: Arc::new(OnceLock::new()),
            solves: Arc::default(),
            by_chain: OnceLock::new(),
            all: Arc::default(),
            previous_all: Mutex::default(),
            counters: Arc::default(),
            search: Arc::default(),
        }
    }

    /// The entry of a chain, if the chain exists in this snapshot.
    pub fn chain(&self, id: &str) -> Option<&Arc<ChainEntry>> {
        self.chains.get(id)
    }

    /// The next snapshot's cache: entries of untouched chains are shared as they are, the rest
    /// start empty (a touched chain keeps its graph when only providers or regions changed).
    pub fn carry_over(&self, after: &Dataset, touched: &Touched) -> Self {
        let qi_changed = touched.providers || touched.regions;
        let chains = after
            .chains
            .keys()
            .map(|id| {
                let entry = match self.chains.get(id) {
                    Some(old) if !qi_changed && !touched.chains.contains(id) => old.clone(),
                    Some(old) if !touched.chains.contains(id) => {
                        let entry = ChainEntry::default();
                        if let Some(g) = old.graph.get() {
                            let _ = entry.graph.set(g.clone());
                        }
                        Arc::new(entry)
                    }
                    _ => Arc::new(ChainEntry::default()),
                };
                (id.clone(), entry)
            })
            .collect();
        let untouched = !qi_changed && touched.chains.is_empty();
        AnalysisCache {
            chains,
            providers: if touched.providers {
                Arc::new(OnceLock::new())
            } else {
                self.providers.clone()
            },
            solves: if touched.providers {
                Arc::default()
            } else {
                self.solves.clone()
            },
            by_chain: OnceLock::new(),
            all: if untouched {
                self.all.clone()
            } else {
                Arc::default()
            },
            previous_all: Mutex::default(),
            counters: self.counters.clone(),
            search: Arc::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bundle;

    /// The three demo chains: 动力电池 `pb-power-battery`, 氢能 `h2-hydrogen`, 光纤 `oe-optical-fiber`.
    fn demo() -> Dataset {
        let mut d = Dataset::new();
        for (_, text) in crate::cli::DEMO_FIXTURES {
            d.apply(&ChangeSet::upsert(
                serde_json::from_str::<Bundle>(text).unwrap(),
            ));
        }
        d
    }

    fn chains(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_problem_moved_to_another_chain_touches_both_chains_and_nothing_else() {
        let d = demo();
        let mut p = d.problems["pb-p001"].clone();
        p.chain = "h2-hydrogen".into();
        p.org = "h2-xa-fcs".into();
        let change = ChangeSet::upsert(Bundle {
            problems: vec![p],
            ..Bundle::new()
        });
        let t = Touched::by(&d, &change);
        assert_eq!(t.chains, chains(&["h2-hydrogen", "pb-power-battery"]));
        assert!(!t.providers && !t.regions);
    }

    #[test]
    fn projects_and_consortia_touch_their_chains_and_policy_tools_and_goals_nothing() {
        let mut d = demo();
        let project: crate::model::Project = serde_json::from_value(serde_json::json!({
            "id": "j1", "title": "T", "category": "key_product", "chain": "pb-power-battery",
            "lead": "pb-catl", "year": 2025, "status": "approved"}))
        .unwrap();
        d.projects.insert(project.id.clone(), project.clone());
        let moved = crate::model::Project {
            chain: "h2-hydrogen".into(),
            ..project
        };
        let consortium: crate::model::Consortium = serde_json::from_value(serde_json::json!({
            "id": "k1", "name": "K", "chain": "oe-optical-fiber", "lead": "x", "founded": 2024}))
        .unwrap();
        let change = ChangeSet::upsert(Bundle {
            projects: vec![moved],
            consortia: vec![consortium],
            ..Bundle::new()
        });
        let t = Touched::by(&d, &change);
        assert_eq!(
            t.chains,
            chains(&["h2-hydrogen", "oe-optical-fiber", "pb-power-battery"])
        );
        let deleted = ChangeSet {
            delete_projects: vec!["j1".into()],
            ..ChangeSet::default()
        };
        assert_eq!(
            Touched::by(&d, &deleted).chains,
            chains(&["pb-power-battery"])
        );
        let tool: crate::model::PolicyTool = serde_json::from_value(serde_json::json!({
            "id": "t1", "title": "T", "kind": "funding", "issuer": "I", "region": "32",
            "year": 2025}))
        .unwrap();
        let goal: crate::model::Goal =
            serde_json::from_value(serde_json::json!({"id": "g1", "region": "32", "year": 2025}))
                .unwrap();
        let t = Touched::by(
            &d,
            &ChangeSet::upsert(Bundle {
                policy_tools: vec![tool],
                goals: vec![goal],
                ..Bundle::new()
            }),
        );
        assert!(t.chains.is_empty() && !t.providers && !t.regions);
    }

    #[test]
    fn a_write_on_one_chain_keeps_every_other_chains_entry_and_the_provider_index() {
        let d = demo();
        let cache = AnalysisCache::new(&d);
        let change = ChangeSet {
            delete_problems: vec!["pb-p001".into()],
            ..ChangeSet::default()
        };
        let touched = Touched::by(&d, &change);
        assert_eq!(touched.chains, chains(&["pb-power-battery"]));
        let mut after = d.clone();
        after.apply(&change);
        let next = cache.carry_over(&after, &touched);
        for id in ["h2-hydrogen", "oe-optical-fiber"] {
            assert!(Arc::ptr_eq(
                next.chain(id).unwrap(),
                cache.chain(id).unwrap()
            ));
        }
        let pb = "pb-power-battery";
        assert!(!Arc::ptr_eq(
            next.chain(pb).unwrap(),
            cache.chain(pb).unwrap()
        ));
        assert!(Arc::ptr_eq(&next.providers, &cache.providers));
        assert!(!Arc::ptr_eq(&next.all, &cache.all));
    }

    #[test]
    fn a_provider_change_renews_every_chains_results_but_keeps_their_graphs() {
        let d = demo();
        let cache = AnalysisCache::new(&d);
        let graph = Arc::new(Graphs::default());
        cache
            .chain("h2-hydrogen")
            .unwrap()
            .graph
            .set(graph.clone())
            .unwrap();
        let mut centre = d.organizations["pb-q-nat-battery"].clone();
        centre.name = "改名的检验中心".into();
        let change = ChangeSet::upsert(Bundle {
            organizations: vec![centre],
            ..Bundle::new()
        });
        let touched = Touched::by(&d, &change);
        assert!(touched.providers && touched.chains.is_empty());
        let mut after = d.clone();
        after.apply(&change);
        let next = cache.carry_over(&after, &touched);
        let h2 = next.chain("h2-hydrogen").unwrap();
        assert!(!Arc::ptr_eq(h2, cache.chain("h2-hydrogen").unwrap()));
        assert!(Arc::ptr_eq(h2.graph.get().unwrap(), &graph));
        assert!(h2.analysis.get().is_none() && h2.map.get().is_none());
        assert!(!Arc::ptr_eq(&next.providers, &cache.providers));
    }
}

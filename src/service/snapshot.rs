//! `Snapshot`: one consistent view of the data, with the analyses of it computed on first use and
//! cached (see [`super::cache`]). Every read works on a snapshot; a write publishes a new one.

use super::cache::{AnalysisCache, ChainEntry, Touched};
use super::chains::PendingChainRow;
use super::metrics::Cached;
use super::Error;
use crate::analysis::eligibility::ProviderIndex;
use crate::analysis::quality::{analyze_chain, chain_row, dataset_analysis_with, ChainRow};
use crate::analysis::{ChainAnalysis, DatasetAnalysis};
use crate::graph::Graphs;
use crate::map::QualityMap;
use crate::model::{
    Chain, ChainIndex, ChangeSet, Dataset, Lookup, Organization, Problem, Role, Supply,
};
use bytes::Bytes;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// Members, masters and demand problems of a chain (for its pending row).
#[derive(Default)]
struct Tally {
    firms: usize,
    masters: usize,
    demand_problems: usize,
}

/// One consistent view of the data: what every read works on.
pub struct Snapshot {
    /// The store revision this snapshot reflects (0 for data that is not in a store).
    pub revision: u64,
    pub dataset: Arc<Dataset>,
    pub cache: AnalysisCache,
    /// When this snapshot became the current one.
    pub published: Instant,
}

/// The analyses of a snapshot, computed on first use and cached. Each may take a while on a big
/// chain: the API calls them off its async threads.
impl Snapshot {
    /// A snapshot of data held in memory only (a bundle file being analysed).
    pub fn of(dataset: Dataset, revision: u64) -> Snapshot {
        let cache = AnalysisCache::new(&dataset);
        Snapshot {
            revision,
            dataset: Arc::new(dataset),
            cache,
            published: Instant::now(),
        }
    }

    /// The snapshot of `before`'s data after `change`, as revision `revision`, and the chains
    /// whose analyses it had to drop (those `change` touches; every chain when providers or
    /// regions changed). Every other chain's analyses are carried over.
    ///
    /// Complexity: O(c·log N) for a change of c records. The dataset's collections are
    /// persistent (a clone shares every node; `apply` copies only the paths to what it changes),
    /// and the chain index is updated, not rebuilt.
    pub fn after(before: &Snapshot, change: &ChangeSet, revision: u64) -> (Snapshot, Vec<String>) {
        let mut dataset = (*before.dataset).clone();
        let touched = Touched::by(&before.dataset, change);
        dataset.apply(change);
        let dataset = Arc::new(dataset);
        let mut cache = before.cache.carry_over(&dataset, &touched);
        if change.upsert.organizations.is_empty() && change.delete_organizations.is_empty() {
            cache.search = before.cache.search.clone();
        }
        let dropped: Vec<String> = if touched.providers || touched.regions {
            dataset.chains.keys().cloned().collect()
        } else {
            touched.chains.into_iter().collect()
        };
        if let Some(index) = before.cache.by_chain.get() {
            let _ = cache
                .by_chain
                .set(Arc::new(index.updated(&before.dataset, &dataset, change)));
        }
        let next = Snapshot {
            revision,
            dataset,
            cache,
            published: Instant::now(),
        };
        (next, dropped)
    }

    /// Providers indexed by capability code (built once per snapshot, shared by every chain).
    pub fn providers(&self) -> Arc<ProviderIndex> {
        self.cache
            .providers
            .get_or_init(|| Arc::new(ProviderIndex::from_dataset(&self.dataset)))
            .clone()
    }

    /// The organizations' names prepared for search (built once per snapshot, kept by writes
    /// that change no organization).
    pub fn search_index(&self) -> Arc<super::search::SearchIndex> {
        self.cache
            .search
            .get_or_init(|| Arc::new(super::search::SearchIndex::build(&self.dataset)))
            .clone()
    }

    /// Members and problems of each chain (built once per snapshot).
    pub fn chain_index(&self) -> &ChainIndex {
        self.cache
            .by_chain
            .get_or_init(|| Arc::new(ChainIndex::build(&self.dataset)))
    }

    fn entry(&self, chain: &str) -> Result<&Arc<ChainEntry>, Error> {
        self.cache
            .chain(chain)
            .ok_or_else(|| Error::not_found("chain", chain))
    }

    /// Whether the chain exists in this snapshot.
    pub fn has_chain(&self, chain: &str) -> bool {
        self.cache.chain(chain).is_some()
    }

    /// The supply graph of one chain.
    pub fn chain_graph(&self, chain: &str) -> Result<Arc<Graphs>, Error> {
        let entry = self.entry(chain)?;
        let hit = entry.graph.get().is_some();
        self.cache.counters.count(Cached::ChainGraph, hit);
        Ok(entry
            .graph
            .get_or_init(|| {
                let index = self.chain_index();
                let members = index.members(&self.dataset, chain);
                Arc::new(Graphs::one_chain(&self.dataset, chain, members))
            })
            .clone())
    }

    /// Weak links and QI of one chain. While another thread computes it (a write starts the
    /// chains it touched in the background), this waits for that result (see [`Computed`](super::Computed)).
    pub fn chain_analysis(&self, chain: &str) -> Result<Arc<ChainAnalysis>, Error> {
        let entry = self.entry(chain)?;
        if let Some(a) = entry.analysis.get() {
            self.cache.counters.count(Cached::ChainAnalysis, true);
            return Ok(a);
        }
        self.cache.counters.count(Cached::ChainAnalysis, false);
        let graphs = self.chain_graph(chain)?;
        let graph = graphs
            .chain(chain)
            .ok_or_else(|| Error::not_found("chain", chain))?;
        Ok(entry.analysis.get_or_compute(|| {
            let providers = self.providers();
            let problems = self.chain_index().problems(&self.dataset, chain);
            Arc::new(analyze_chain(&self.dataset, graph, &problems, &providers))
        }))
    }

    /// The row of one chain in the chain list (stored at start, or from its analysis).
    pub fn chain_row(&self, chain: &str) -> Result<ChainRow, Error> {
        let entry = self.entry(chain)?;
        if let Some(row) = entry.row.get() {
            return Ok(row.clone());
        }
        let row = chain_row(&self.dataset, &*self.chain_analysis(chain)?);
        Ok(entry.row.get_or_init(|| row).clone())
    }

    /// Every chain's row, in chain id order.
    pub fn chain_rows(&self) -> Result<Vec<ChainRow>, Error> {
        let ids: Vec<&String> = self.dataset.chains.keys().collect();
        self.rows_of(&ids)
    }

    /// The rows of `ids`, in their order, one chain after the other in this thread: rows at hand
    /// (stored, or from a computed analysis) never queue behind other work in rayon's pool, and a
    /// chain that the background is analysing is waited for rather than analysed twice (each
    /// analysis uses the pool inside).
    pub fn rows_of(&self, ids: &[&String]) -> Result<Vec<ChainRow>, Error> {
        ids.iter().map(|id| self.chain_row(id)).collect()
    }

    /// Takes the rows stored for this snapshot's revision (rows of unknown chains are ignored).
    pub fn seed_rows(&self, rows: Vec<ChainRow>) {
        for row in rows {
            if let Some(entry) = self.cache.chain(&row.id) {
                let _ = entry.row.set(row);
            }
        }
    }

    /// Whether the row of `chain` is at hand (stored, or its analysis computed).
    pub fn row_ready(&self, chain: &str) -> bool {
        self.cache
            .chain(chain)
            .is_some_and(|e| e.row.get().is_some() || e.analysis.is_done())
    }

    /// Waits until the row of `chain` is at hand or `deadline` passes, and tells whether it is.
    /// Starts no computation: the row gets ready only if some other thread (the background
    /// analyses) is computing or will compute the chain's analysis.
    pub fn wait_for_row(&self, chain: &str, deadline: Instant) -> bool {
        self.row_ready(chain)
            || self
                .cache
                .chain(chain)
                .is_some_and(|e| e.analysis.wait_until(deadline))
    }

    /// Whether nobody has started the analysis of `chain` (its row not stored either): a list
    /// that finds it pending asks the background analyses for it.
    pub fn analysis_idle(&self, chain: &str) -> bool {
        self.cache
            .chain(chain)
            .is_some_and(|e| e.row.get().is_none() && e.analysis.is_idle())
    }

    /// The rows of `chains` in the chain list while their analyses are not at hand: the
    /// figures that need none (from the chain record, the members, problems and supplies),
    /// marked pending. They are those the full row gives (see [`chain_row`]): validation keeps
    /// every supply and problem of a chain between members of it, and an organization is on a
    /// chain once.
    ///
    /// Kept with each chain's other results. Those not kept yet are counted from the chain
    /// index if it is built (O(M·log N + P_c·log P + S_c) per chain of M members, P_c problems
    /// and S_c supplies); right after a start it is not (the background analyses build it,
    /// which takes seconds on a national store), and they are counted in one pass over the
    /// organizations and problems instead (O(N·m + P), no lookups), without waiting for it.
    pub fn pending_rows(&self, chains: &[&str]) -> Result<Vec<PendingChainRow>, Error> {
        let mut missing = Vec::new();
        for chain in chains {
            if self.entry(chain)?.pending_row.get().is_none() {
                missing.push(*chain);
            }
        }
        if !missing.is_empty() && self.cache.by_chain.get().is_none() {
            self.count_in_one_pass(&missing);
        }
        chains.iter().map(|c| self.pending_row(c)).collect()
    }

    /// The pending row of one chain (see [`Snapshot::pending_rows`]).
    fn pending_row(&self, chain: &str) -> Result<PendingChainRow, Error> {
        let entry = self.entry(chain)?;
        if let Some(row) = entry.pending_row.get() {
            return Ok(row.clone());
        }
        let index = self.chain_index();
        let mut tally = Tally::default();
        for org in index.members(&self.dataset, chain) {
            if let Some(m) = org.membership(chain) {
                tally.firms += 1;
                tally.masters += usize::from(m.role == Role::ChainMaster);
            }
        }
        tally.demand_problems = index
            .problems(&self.dataset, chain)
            .iter()
            .filter(|p| p.is_demand())
            .count();
        let row = self.pending_row_of(chain, &tally)?;
        Ok(entry.pending_row.get_or_init(|| row).clone())
    }

    /// Counts the members, masters and demand problems of `chains` in one pass over the
    /// organizations and problems, and keeps their pending rows.
    fn count_in_one_pass(&self, chains: &[&str]) {
        let mut tallies: HashMap<&str, Tally> =
            chains.iter().map(|c| (*c, Tally::default())).collect();
        for org in self.dataset.organizations.values() {
            let memberships = org.memberships();
            for (i, m) in memberships.iter().enumerate() {
                // As the supply graph takes it: once per chain, with its first membership there.
                if memberships[..i].iter().any(|e| e.chain == m.chain) {
                    continue;
                }
                if let Some(t) = tallies.get_mut(m.chain.as_str()) {
                    t.firms += 1;
                    t.masters += usize::from(m.role == Role::ChainMaster);
                }
            }
        }
        for p in self.dataset.problems.values().filter(|p| p.is_demand()) {
            if let Some(t) = tallies.get_mut(p.chain.as_str()) {
                t.demand_problems += 1;
            }
        }
        for (chain, tally) in tallies {
            if let (Ok(entry), Ok(row)) = (self.entry(chain), self.pending_row_of(chain, &tally)) {
                let _ = entry.pending_row.set(row);
            }
        }
    }

    fn pending_row_of(&self, chain: &str, tally: &Tally) -> Result<PendingChainRow, Error> {
        let record = self
            .dataset
            .chains
            .get(chain)
            .ok_or_else(|| Error::not_found("chain", chain))?;
        Ok(PendingChainRow {
            id: record.id.clone(),
            name: record.name.clone(),
            chief: record.chief.clone(),
            segments: record.segments.len(),
            firms: tally.firms,
            masters: tally.masters,
            supplies: self.dataset.supplies_of_chain(chain).count(),
            demand_problems: tally.demand_problems,
            pending: true,
        })
    }

    /// Whether every chain's analysis is computed.
    pub fn all_chains_analysed(&self) -> bool {
        self.dataset
            .chains
            .keys()
            .all(|id| self.cache.chain(id).is_some_and(|e| e.analysis.is_done()))
    }

    /// Every chain's analysis, in chain id order, computed on the available cores. Outside
    /// rayon's pool, those nobody has started are computed first (in parallel), then the others
    /// are taken one after the other in this thread, which waits for those being computed
    /// elsewhere (the background analyses) instead of computing them a second time (a thread of
    /// rayon's pool never waits: see [`Computed`](super::Computed)).
    pub fn all_chain_analyses(&self) -> Result<Vec<Arc<ChainAnalysis>>, Error> {
        let ids: Vec<&String> = self.dataset.chains.keys().collect();
        if rayon::current_thread_index().is_some() {
            return ids.par_iter().map(|id| self.chain_analysis(id)).collect();
        }
        let idle: Vec<&&String> = ids
            .iter()
            .filter(|id| self.cache.chain(id).is_some_and(|e| e.analysis.is_idle()))
            .collect();
        idle.par_iter()
            .try_for_each(|id| self.chain_analysis(id).map(drop))?;
        ids.iter().map(|id| self.chain_analysis(id)).collect()
    }

    /// The quality map of a chain with the default firm limit, serialized (cached as bytes: it is
    /// what the page asks for first and most).
    pub fn default_map(&self, chain: &str) -> Result<Bytes, Error> {
        let entry = self.entry(chain)?;
        if let Some(bytes) = entry.map.get() {
            self.cache.counters.count(Cached::DefaultMap, true);
            return Ok(bytes.clone());
        }
        self.cache.counters.count(Cached::DefaultMap, false);
        let map = self.quality_map(chain, None)?;
        let bytes = Bytes::from(serde_json::to_vec(&map).map_err(Error::internal)?);
        Ok(entry.map.get_or_init(|| bytes).clone())
    }

    /// Whether the default map of `chain` is cached already (gzip-compressed or not).
    pub fn default_map_ready(&self, chain: &str, gzip: bool) -> bool {
        self.cache.chain(chain).is_some_and(|e| {
            if gzip {
                e.map_gzip.get().is_some()
            } else {
                e.map.get().is_some()
            }
        })
    }

    /// [`Snapshot::default_map`] gzip-compressed, cached beside it.
    pub fn default_map_gzip(&self, chain: &str) -> Result<Bytes, Error> {
        let entry = self.entry(chain)?;
        if let Some(bytes) = entry.map_gzip.get() {
            return Ok(bytes.clone());
        }
        let raw = self.default_map(chain)?;
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 8), Default::default());
        std::io::Write::write_all(&mut encoder, &raw).map_err(Error::internal)?;
        let bytes = Bytes::from(encoder.finish().map_err(Error::internal)?);
        Ok(entry.map_gzip.get_or_init(|| bytes).clone())
    }

    /// The quality map of a chain listing at most `limit` firms (`None`: all).
    pub fn quality_map(&self, chain: &str, limit: Option<usize>) -> Result<QualityMap, Error> {
        let analysis = self.chain_analysis(chain)?;
        Ok(crate::map::quality_map(
            &self.dataset,
            &analysis,
            &self.providers(),
            self.chain_index(),
            limit,
        ))
    }

    /// One page of a group of the chain's map (see [`crate::map::group_page`]); `None` when the
    /// map with this `limit` has no such group.
    pub fn map_group(
        &self,
        chain: &str,
        limit: Option<usize>,
        group: &str,
        offset: usize,
        count: usize,
    ) -> Result<Option<crate::map::GroupPage>, Error> {
        let analysis = self.chain_analysis(chain)?;
        Ok(crate::map::group_page(
            &self.dataset,
            &analysis,
            &self.providers(),
            self.chain_index(),
            limit,
            group,
            offset,
            count,
        ))
    }

    /// The dataset-wide scope and the chain comparison. Once computed, the earlier revision's
    /// results held meanwhile (see [`Snapshot::previous_scope`]) are dropped.
    pub fn dataset_analysis(&self) -> Result<Arc<DatasetAnalysis>, Error> {
        if let Some(a) = self.cache.all.get() {
            self.cache.counters.count(Cached::DatasetAnalysis, true);
            self.drop_previous_scope();
            return Ok(a);
        }
        self.cache.counters.count(Cached::DatasetAnalysis, false);
        let chains = self.all_chain_analyses()?;
        let refs: Vec<&ChainAnalysis> = chains.iter().map(|c| c.as_ref()).collect();
        let all = self.cache.all.get_or_compute(|| {
            Arc::new(dataset_analysis_with(
                &self.dataset,
                &self.providers(),
                &refs,
                Some(&self.cache.solves),
            ))
        });
        self.drop_previous_scope();
        Ok(all)
    }

    /// Whether the dataset-wide scope of this snapshot is computed.
    pub fn dataset_analysis_ready(&self) -> bool {
        self.cache.all.is_done()
    }

    /// Whether the dataset-wide scope of this snapshot is in use: a write made this snapshot
    /// after somebody had read the scope of an earlier one, and it is not computed yet (an
    /// earlier revision's scope is held for reads that may not wait).
    pub fn dataset_analysis_wanted(&self) -> bool {
        self.previous_scope().is_some()
    }

    /// The dataset-wide scope of the latest earlier revision that had it, with that revision,
    /// while this snapshot's is not computed (`None` once it is, or if no earlier one was).
    pub fn previous_scope(&self) -> Option<(u64, Arc<DatasetAnalysis>)> {
        if self.cache.all.is_done() {
            self.drop_previous_scope();
            return None;
        }
        self.cache
            .previous_all
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn drop_previous_scope(&self) {
        let dropped = self
            .cache
            .previous_all
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        // Dropped outside the lock: freeing a national scope takes a while.
        drop(dropped);
    }

    /// Called by a write on the snapshot it publishes after `before`: unless this snapshot's
    /// dataset-wide scope is at hand (carried over), keeps `before`'s (with its revision), or
    /// if `before` had none computed, the earlier one `before` kept. Only one is ever held.
    pub(super) fn keep_previous_scope(&self, before: &Snapshot) {
        if self.cache.all.is_done() {
            return;
        }
        let kept = match before.cache.all.get() {
            Some(all) => Some((before.revision, all)),
            None => before.previous_scope(),
        };
        *self
            .cache
            .previous_all
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = kept;
    }
}

/// The stored records as validation sees them before a write. Unlike [`Dataset`]'s own (which
/// scans), the two questions about one organization cost the size of its chains: every supply
/// and problem of a firm lies on a chain it is a member of (validation keeps it so).
impl Lookup for Snapshot {
    fn has_region(&self, code: &str) -> bool {
        self.dataset.has_region(code)
    }
    fn chain(&self, id: &str) -> Option<Chain> {
        self.dataset.chain(id)
    }
    fn organization(&self, id: &str) -> Option<Organization> {
        self.dataset.organization(id)
    }
    fn problem(&self, id: &str) -> Option<Problem> {
        self.dataset.problem(id)
    }
    fn consortium(&self, id: &str) -> Option<crate::model::Consortium> {
        self.dataset.consortium(id)
    }
    fn has_supply(&self, supply: &Supply) -> bool {
        self.dataset.has_supply(supply)
    }
    fn projects(&self) -> Vec<crate::model::Project> {
        self.dataset.projects()
    }
    fn consortia(&self) -> Vec<crate::model::Consortium> {
        self.dataset.consortia()
    }
    fn notices(&self) -> Vec<crate::model::Notice> {
        self.dataset.notices()
    }
    /// Complexity: O(S_c) over the supplies of the organization's chains.
    fn supplies_touching(&self, org: &str) -> Vec<Supply> {
        let Some(record) = self.dataset.organizations.get(org) else {
            return Vec::new();
        };
        let mut found: Vec<Supply> = record
            .memberships()
            .iter()
            .flat_map(|m| self.dataset.supplies_of_chain(&m.chain))
            .filter(|s| s.supplier == org || s.customer == org)
            .cloned()
            .collect();
        // Set order, as the dataset answers; a firm is listed on a chain once.
        found.sort();
        found.dedup();
        found
    }
    /// Complexity: O(P_c log P) over the problems of the organization's chains.
    fn problems_of(&self, org: &str) -> Vec<Problem> {
        let Some(record) = self.dataset.organizations.get(org) else {
            return Vec::new();
        };
        let index = self.chain_index();
        let mut found: Vec<Problem> = record
            .memberships()
            .iter()
            .flat_map(|m| index.problems(&self.dataset, &m.chain))
            .filter(|p| p.org == org)
            .cloned()
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        found.dedup_by(|a, b| a.id == b.id);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChangeSet;

    #[test]
    fn the_snapshots_lookup_answers_as_the_datasets_scan_does() {
        let mut d = Dataset::new();
        for (_, text) in crate::cli::DEMO_FIXTURES {
            d.apply(&ChangeSet::upsert(serde_json::from_str(text).unwrap()));
        }
        let snap = Snapshot::of(d.clone(), 0);
        let mut touching = 0;
        for id in d
            .organizations
            .keys()
            .map(String::as_str)
            .chain(["no-such-org"])
        {
            let supplies = Lookup::supplies_touching(&snap, id);
            assert_eq!(supplies, d.supplies_touching(id), "{id}");
            touching += supplies.len();
            assert_eq!(Lookup::problems_of(&snap, id), d.problems_of(id), "{id}");
        }
        assert!(touching > 0);
    }
}

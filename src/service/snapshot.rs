//! `Snapshot`: one consistent view of the data, with the analyses of it computed on first use and
//! cached (see [`super::cache`]). Every read works on a snapshot; a write publishes a new one.

use super::cache::{AnalysisCache, ChainEntry};
use super::metrics::Cached;
use super::Error;
use crate::analysis::eligibility::ProviderIndex;
use crate::analysis::quality::{analyze_chain, dataset_analysis};
use crate::analysis::{ChainAnalysis, DatasetAnalysis};
use crate::graph::Graphs;
use crate::map::QualityMap;
use crate::model::{ChainIndex, Dataset};
use bytes::Bytes;
use rayon::prelude::*;
use std::sync::Arc;
use std::time::Instant;

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

    /// Providers indexed by capability code (built once per snapshot, shared by every chain).
    pub fn providers(&self) -> Arc<ProviderIndex> {
        self.cache
            .providers
            .get_or_init(|| Arc::new(ProviderIndex::from_dataset(&self.dataset)))
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

    /// Weak links and QI of one chain.
    pub fn chain_analysis(&self, chain: &str) -> Result<Arc<ChainAnalysis>, Error> {
        let entry = self.entry(chain)?;
        if let Some(a) = entry.analysis.get() {
            self.cache.counters.count(Cached::ChainAnalysis, true);
            return Ok(a.clone());
        }
        self.cache.counters.count(Cached::ChainAnalysis, false);
        let graphs = self.chain_graph(chain)?;
        let graph = graphs
            .chain(chain)
            .ok_or_else(|| Error::not_found("chain", chain))?;
        let providers = self.providers();
        let problems = self.chain_index().problems(&self.dataset, chain);
        // Computed outside the `OnceLock`, then offered to it: the analysis of a very large chain
        // runs on rayon's pool, whose threads may meanwhile pick up another request's job for
        // this very chain; inside `get_or_init` that would wait on itself. Two requests racing
        // on a cold chain may both compute it; the first to finish is kept.
        let computed = Arc::new(analyze_chain(&self.dataset, graph, &problems, &providers));
        Ok(entry.analysis.get_or_init(|| computed).clone())
    }

    /// Every chain's analysis, in chain id order, computed on the available cores.
    pub fn all_chain_analyses(&self) -> Result<Vec<Arc<ChainAnalysis>>, Error> {
        let ids: Vec<&String> = self.dataset.chains.keys().collect();
        ids.par_iter().map(|id| self.chain_analysis(id)).collect()
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
        let map = self.quality_map(chain, Some(crate::map::DEFAULT_LIMIT))?;
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

    /// The dataset-wide scope and the chain comparison.
    pub fn dataset_analysis(&self) -> Result<Arc<DatasetAnalysis>, Error> {
        if let Some(a) = self.cache.all.get() {
            self.cache.counters.count(Cached::DatasetAnalysis, true);
            return Ok(a.clone());
        }
        self.cache.counters.count(Cached::DatasetAnalysis, false);
        let chains = self.all_chain_analyses()?;
        let refs: Vec<&ChainAnalysis> = chains.iter().map(|c| c.as_ref()).collect();
        Ok(self
            .cache
            .all
            .get_or_init(|| Arc::new(dataset_analysis(&self.dataset, &self.providers(), &refs)))
            .clone())
    }
}

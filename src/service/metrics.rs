//! Counters of the service layer, read by the API's `/api/v1/metrics` (which only formats them):
//! analysis cache hits and misses, and how long writes take.
//!
//! Plain atomics: counting costs a relaxed add, and no lock is taken on a read path.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The cached results whose hits and misses are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cached {
    ChainGraph,
    ChainAnalysis,
    DefaultMap,
    DatasetAnalysis,
}

impl Cached {
    pub const ALL: [Cached; 4] = [
        Cached::ChainGraph,
        Cached::ChainAnalysis,
        Cached::DefaultMap,
        Cached::DatasetAnalysis,
    ];

    /// The name used as the `cache` label.
    pub fn name(self) -> &'static str {
        match self {
            Cached::ChainGraph => "chain_graph",
            Cached::ChainAnalysis => "chain_analysis",
            Cached::DefaultMap => "default_map",
            Cached::DatasetAnalysis => "dataset_analysis",
        }
    }
}

/// Hits (a cached value returned) and misses (a value computed) per kind of cached result,
/// shared by every snapshot of one service.
#[derive(Debug, Default)]
pub struct CacheCounters {
    hits: [AtomicU64; 4],
    misses: [AtomicU64; 4],
}

impl CacheCounters {
    /// Counts one look-up of `what`: a hit when `hit`, else a miss.
    pub fn count(&self, what: Cached, hit: bool) {
        let i = what as usize;
        let counter = if hit { &self.hits[i] } else { &self.misses[i] };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `(kind, hits, misses)` for every kind.
    pub fn read(&self) -> Vec<CacheReading> {
        Cached::ALL
            .iter()
            .map(|&what| CacheReading {
                cache: what.name(),
                hits: self.hits[what as usize].load(Ordering::Relaxed),
                misses: self.misses[what as usize].load(Ordering::Relaxed),
            })
            .collect()
    }
}

/// The counts of one kind of cached result.
#[derive(Debug, Clone)]
pub struct CacheReading {
    pub cache: &'static str,
    pub hits: u64,
    pub misses: u64,
}

/// Upper bounds (seconds) of the latency buckets: 5 ms to 30 s.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A histogram of durations over [`LATENCY_BUCKETS`] (each bucket counts only its own
/// observations; [`Histogram::read`] makes them cumulative).
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        if let Some(i) = LATENCY_BUCKETS.iter().position(|&le| seconds <= le) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn read(&self) -> HistogramReading {
        let mut running = 0;
        let cumulative = LATENCY_BUCKETS
            .iter()
            .zip(&self.buckets)
            .map(|(&le, n)| {
                running += n.load(Ordering::Relaxed);
                (le, running)
            })
            .collect();
        // Read after the buckets, so that `+Inf` is never below the last bucket.
        let count = self.count.load(Ordering::Relaxed).max(running);
        HistogramReading {
            cumulative,
            count,
            sum_seconds: self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}

/// A histogram at one moment: cumulative counts per upper bound, the total count (`+Inf`) and
/// the sum of the observed durations.
#[derive(Debug, Clone)]
pub struct HistogramReading {
    pub cumulative: Vec<(f64, u64)>,
    pub count: u64,
    pub sum_seconds: f64,
}

/// What the service reports about itself at one moment.
#[derive(Debug, Clone)]
pub struct Readings {
    pub cache: Vec<CacheReading>,
    /// Durations of writes that committed (imports and record writes).
    pub writes: HistogramReading,
    /// The revision of the current snapshot.
    pub revision: u64,
    /// Time since the current snapshot was published.
    pub snapshot_age: Duration,
    /// Size on disk of the store; `None` if it could not be measured.
    pub store_size_bytes: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_reads_cumulative_buckets_with_count_and_sum() {
        let h = Histogram::default();
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_millis(200));
        h.observe(Duration::from_secs(60));
        let r = h.read();
        assert_eq!(r.count, 3);
        assert_eq!(r.cumulative[0], (0.005, 1));
        let at = |le: f64| r.cumulative.iter().find(|(b, _)| *b == le).unwrap().1;
        assert_eq!(at(0.1), 1);
        assert_eq!(at(0.25), 2);
        assert_eq!(at(30.0), 2);
        assert!((r.sum_seconds - 60.203).abs() < 1e-6);
    }

    #[test]
    fn cache_counters_count_hits_and_misses_per_kind() {
        let c = CacheCounters::default();
        c.count(Cached::DefaultMap, false);
        c.count(Cached::DefaultMap, true);
        c.count(Cached::DefaultMap, true);
        let r = c.read();
        let map = r.iter().find(|r| r.cache == "default_map").unwrap();
        assert_eq!((map.hits, map.misses), (2, 1));
        let graph = r.iter().find(|r| r.cache == "chain_graph").unwrap();
        assert_eq!((graph.hits, graph.misses), (0, 0));
    }
}

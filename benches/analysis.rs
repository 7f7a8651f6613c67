//! Weak-link analysis at three scales: a province (50 chains × 700 firms), one 20,000-firm chain,
//! and (with `QMAP_BENCH_NATIONAL=1`) the nation (50 chains × 20,000 firms).
//!
//! Datasets come from the deterministic generator (`qmap::generate`, seed 42).
//!
//! Run: `cargo bench --bench analysis` (add `QMAP_BENCH_NATIONAL=1` for the national scale).

use criterion::{criterion_group, criterion_main, Criterion};
use qmap::analysis::{analyze, critical_nodes, critical_nodes_parallel};
use qmap::generate::{generate, GenOptions};
use qmap::graph::Graphs;
use qmap::model::Dataset;
use std::time::{Duration, Instant};

fn dataset(chains: usize, firms: usize) -> Dataset {
    Dataset::from_bundle(generate(&GenOptions {
        chains,
        firms,
        seed: 42,
    }))
}

fn province(c: &mut Criterion) {
    let data = dataset(50, 700);
    let mut group = c.benchmark_group("province 50×700");
    group.sample_size(10);
    group.bench_function("build graphs", |b| b.iter(|| Graphs::build(&data)));
    let graphs = Graphs::build(&data);
    group.bench_function("analyze all chains", |b| {
        b.iter(|| analyze(&data, &graphs, None))
    });
    group.finish();
}

fn one_large_chain(c: &mut Criterion) {
    let data = dataset(1, 20_000);
    let graphs = Graphs::build(&data);
    let graph = graphs.iter().next().expect("one chain");
    let mut group = c.benchmark_group("chain 20000");
    group.sample_size(10);
    group.bench_function("critical nodes, 1 thread", |b| {
        b.iter(|| critical_nodes(graph))
    });
    group.bench_function("critical nodes, 2 threads", |b| {
        b.iter(|| critical_nodes_parallel(graph))
    });
    group.bench_function("analyze", |b| b.iter(|| analyze(&data, &graphs, None)));
    group.finish();
}

/// Too slow for criterion's repetitions: timed once, when asked for.
fn national(_: &mut Criterion) {
    if std::env::var_os("QMAP_BENCH_NATIONAL").is_none() {
        return;
    }
    let t = Instant::now();
    let data = dataset(50, 20_000);
    let made = t.elapsed();
    let t = Instant::now();
    let graphs = Graphs::build(&data);
    let built = t.elapsed();
    let t = Instant::now();
    let report = analyze(&data, &graphs, None);
    let analysed = t.elapsed();
    let critical: usize = report.chains.iter().map(|c| c.critical_nodes.len()).sum();
    println!(
        "national 50×20000: {} firms, {} supplies; dataset {:.2?}, graphs {:.2?}, analysis {:.2?}; {} critical nodes",
        data.organizations.len(),
        data.supplies.len(),
        made,
        built,
        analysed,
        critical
    );
    assert!(
        analysed < Duration::from_secs(10),
        "national analysis took {analysed:?}"
    );
}

criterion_group!(benches, province, one_large_chain, national);
criterion_main!(benches);
